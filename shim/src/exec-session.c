/* shim/src/exec-session.c — see exec-session.h.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "exec-enter.h"
#include "exec-session.h"
#include "exec.h"
#include "sealed.h"
#include "sync.h"
#include "utils.h"

/* ---- small helpers ---------------------------------------------------- */

void
shim_exec_queue_frame (struct shim_execs *x, struct shim_client *c, uint32_t type, const void *payload, size_t len)
{
  struct shim_frame_header h = { .type = type, .len = (uint32_t)len };

  shim_client_queue (c, x->epfd, (const char *)&h, sizeof h);
  if (len > 0)
    shim_client_queue (c, x->epfd, payload, len);
}

void
shim_exec_queue_error (struct shim_execs *x, struct shim_client *c, int status, const char *msg)
{
  char buf[512];
  int n = snprintf (buf, sizeof buf, "%d%c%s", status, '\0', msg);
  shim_exec_queue_frame (x, c, SHIM_MSG_ERROR, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Make FD's epoll interest WANT (0: not registered, so a hung-up pipe does
   not wake us while we do not want to read it).  */
void
shim_exec_watch (struct shim_execs *x, int fd, uint32_t *cur, uint32_t want)
{
  struct epoll_event ev = { .events = want, .data.fd = fd };

  if (fd < 0 || *cur == want)
    return;
  if (want == 0)
    epoll_ctl (x->epfd, EPOLL_CTL_DEL, fd, NULL);
  else if (epoll_ctl (x->epfd, *cur == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0)
    return;
  *cur = want;
}

void
shim_exec_close_watched (struct shim_execs *x, int *fd, uint32_t *cur)
{
  if (*fd < 0)
    return;
  shim_exec_watch (x, *fd, cur, 0);
  close (*fd);
  *fd = -1;
}

struct shim_exec_session *
shim_exec_session_of (struct shim_execs *x, struct shim_client *c)
{
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    if (s->client == c)
      return s;
  return NULL;
}

void
shim_exec_tell_helper (struct shim_exec_session *s, int sig)
{
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", sig);
  if (s->report >= 0)
    shim_sync_send (s->report, SHIM_MSG_EXEC_SIGNAL, buf, (size_t)n, NULL);
}

/* ---- stdio ------------------------------------------------------------ */

/* The master of a new pty in the container's own devpts (/dev/pts/ptmx
   through /proc/<init>/root, no symlink followed, checked to be devpts's
   ptmx before it is opened for real); *SLAVE its peer.  */
static int
open_container_pty (struct shim_execs *x, unsigned cols, unsigned rows, int *slave, shim_error_t *err)
{
  struct open_how how
      = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  struct winsize ws = { .ws_col = (unsigned short)cols, .ws_row = (unsigned short)rows };
  cleanup_close int root = -1, path = -1;
  char buf[64];
  struct statfs sfs;
  struct stat st;
  int master, unlock = 0;

  snprintf (buf, sizeof buf, "/proc/%d/root", x->init);
  root = open (buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (UNLIKELY (root < 0))
    return shim_make_error (err, errno, "open `%s`", buf);
  path = (int)syscall (SYS_openat2, root, "dev/pts/ptmx", &how, sizeof how);
  if (UNLIKELY (path < 0))
    return shim_make_error (err, errno, "open the container's `/dev/pts/ptmx`");
  if (UNLIKELY (fstatfs (path, &sfs) < 0 || fstat (path, &st) < 0))
    return shim_make_error (err, errno, "stat the container's `/dev/pts/ptmx`");
  if (sfs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR (st.st_mode) || major (st.st_rdev) != 5 || minor (st.st_rdev) != 2)
    return shim_make_error (err, EPERM, "the container's `/dev/pts/ptmx` is not devpts's ptmx");
  snprintf (buf, sizeof buf, "/proc/self/fd/%d", path);
  master = open (buf, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (UNLIKELY (master < 0))
    return shim_make_error (err, errno, "open the container's ptmx");
  if (UNLIKELY (ioctl (master, TIOCSPTLCK, &unlock) < 0))
    {
      close (master);
      return shim_make_error (err, errno, "unlock the exec pty");
    }
  ioctl (master, TIOCSWINSZ, &ws);
  *slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (UNLIKELY (*slave < 0))
    {
      close (master);
      return shim_make_error (err, errno, "open the exec pty's peer");
    }
  return master;
}

/* The process's ends in THEIRS[3]; ours in S.  */
static int
make_stdio (struct shim_execs *x, struct shim_exec_session *s, int theirs[3], shim_error_t *err)
{
  int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };

  if (s->spec.tty)
    {
      int slave = -1;
      s->in = s->out = open_container_pty (x, s->spec.cols, s->spec.rows, &slave, err);
      if (s->in < 0)
        return -1;
      theirs[0] = theirs[1] = theirs[2] = slave;
      return 0;
    }
  for (int i = 0; i < 3; i++)
    if (UNLIKELY (pipe2 (p[i], O_CLOEXEC) < 0))
      {
        int e = errno;
        for (int j = 0; j < i; j++)
          close (p[j][0]), close (p[j][1]);
        return shim_make_error (err, e, "pipe2");
      }
  theirs[0] = p[0][0];
  theirs[1] = p[1][1];
  theirs[2] = p[2][1];
  s->in = p[0][1];
  s->out = p[1][0];
  s->errfd = p[2][0];
  if (!s->spec.stdin_open)
    {
      close (s->in);
      s->in = -1;
    }
  for (int i = 0; i < 3; i++)
    {
      int fd = i == 0 ? s->in : i == 1 ? s->out : s->errfd;
      if (fd >= 0)
        fcntl (fd, F_SETFL, O_NONBLOCK);
    }
  return 0;
}

/* ---- sessions --------------------------------------------------------- */

void
shim_exec_session_finish (struct shim_exec_session *s, uint32_t type, const char *payload, size_t len)
{
  if (s->finished)
    return;
  s->finished = true;
  s->final_type = type;
  s->final_len = len < sizeof s->final ? len : sizeof s->final;
  memcpy (s->final, payload, s->final_len);
}

void
shim_exec_session_free (struct shim_execs *x, struct shim_exec_session *s)
{
  if (s->in == s->out)
    s->in = -1;
  shim_exec_close_watched (x, &s->in, &s->in_ev);
  shim_exec_close_watched (x, &s->out, &s->out_ev);
  shim_exec_close_watched (x, &s->errfd, &s->err_ev);
  shim_exec_close_watched (x, &s->report, &s->report_ev);
  shim_frame_reader_free (&s->report_rd);
  shim_exec_spec_free (&s->spec);
  free (s->inbuf);
  free (s);
}

struct shim_exec_session *
shim_exec_session_start (struct shim_execs *x, struct shim_client *c, const char *payload, size_t len,
                         shim_error_t *err)
{
  cleanup_free struct shim_exec_session *s = calloc (1, sizeof *s);
  int theirs[3] = { -1, -1, -1 }, rep[2];
  struct shim_exec_enter e;
  pid_t pid;

  if (s == NULL)
    return shim_make_error (err, ENOMEM, "exec session"), NULL;
  s->in = s->out = s->errfd = s->report = -1;
  if (shim_exec_spec_parse (&s->spec, payload, len, err) < 0)
    {
      shim_exec_spec_free (&s->spec);
      return NULL;
    }
  if (!x->running || x->init_pidfd < 0)
    shim_make_error (err, ESRCH, "the container is not running");
  else if (!x->sealed)
    shim_make_error (err, EPERM, "exec refused: the shim does not run from its sealed copy");
  else if (s->spec.token[0])
    for (struct shim_exec_session *o = x->sessions; o; o = o->next)
      if (strcmp (o->spec.token, s->spec.token) == 0)
        {
          shim_make_error (err, EEXIST, "exec session `%s` exists", s->spec.token);
          break;
        }
  if (*err != NULL || make_stdio (x, s, theirs, err) < 0)
    {
      shim_exec_spec_free (&s->spec);
      return NULL;
    }
  if (UNLIKELY (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rep) < 0))
    {
      shim_make_error (err, errno, "socketpair");
      goto fail;
    }
  e = (struct shim_exec_enter){ .cfg = x->cfg,
                                .spec = &s->spec,
                                .init_pidfd = x->init_pidfd,
                                .report = rep[1],
                                .stdio = { theirs[0], theirs[1], theirs[2] } };
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    shim_exec_helper (&e);
  close (rep[1]);
  if (UNLIKELY (pid < 0))
    {
      close (rep[0]);
      shim_make_error (err, errno, "fork the exec helper");
      goto fail;
    }
  for (int i = 0; i < 3; i++)
    if (theirs[i] >= 0 && (i == 0 || theirs[i] != theirs[i - 1]))
      close (theirs[i]);
  s->helper = pid;
  s->report = rep[0];
  fcntl (s->report, F_SETFL, O_NONBLOCK);
  s->client = c;
  s->next = x->sessions;
  x->sessions = s;
  {
    struct shim_exec_session *r = s;
    s = NULL;
    return r;
  }
fail:
  for (int i = 0; i < 3; i++)
    if (theirs[i] >= 0 && (i == 0 || theirs[i] != theirs[i - 1]))
      close (theirs[i]);
  if (s->in == s->out)
    s->in = -1;
  if (s->in >= 0)
    close (s->in);
  if (s->out >= 0)
    close (s->out);
  if (s->errfd >= 0)
    close (s->errfd);
  shim_exec_spec_free (&s->spec);
  return NULL;
}

/* Read one chunk of FD into a frame of TYPE: 1 = data, 0 = nothing now,
   -1 = end (EOF, or the pty's EIO once no process holds its peer).  */
int
shim_exec_pump (struct shim_execs *x, struct shim_exec_session *s, int fd, uint32_t type)
{
  char buf[EXEC_CHUNK];
  ssize_t n;

  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    {
      shim_exec_queue_frame (x, s->client, type, buf, (size_t)n);
      return 1;
    }
  return n < 0 && errno == EAGAIN ? 0 : -1;
}

void
shim_exec_out_eof (struct shim_execs *x, struct shim_exec_session *s, bool err_stream)
{
  if (err_stream)
    shim_exec_close_watched (x, &s->errfd, &s->err_ev);
  else
    {
      if (s->in == s->out)
        {
          shim_exec_watch (x, s->in, &s->in_ev, 0);
          s->in = -1;
          s->in_ev = 0;
        }
      shim_exec_close_watched (x, &s->out, &s->out_ev);
    }
}

/* The process is gone: what is left in the pipes is all of its output
   (a daemon it left behind may hold them open; we do not wait for it).
   False while the client is too far behind to take more now.  */
static bool
drain (struct shim_execs *x, struct shim_exec_session *s)
{
  for (int stream = 0; stream < 2; stream++)
    for (;;)
      {
        int fd = stream ? s->errfd : s->out, r;
        if (fd < 0)
          break;
        if (s->client->out_len >= EXEC_OUT_HIGH)
          return false;
        r = shim_exec_pump (x, s, fd, stream ? SHIM_MSG_EXEC_STDERR : SHIM_MSG_EXEC_STDOUT);
        if (r == 0)
          break;
        if (r < 0)
          shim_exec_out_eof (x, s, stream == 1);
      }
  return true;
}

/* Relay what the session has for its client: STARTED, then at the end all
   remaining output and EXITED (or ERROR).  */
void
shim_exec_relay (struct shim_execs *x, struct shim_exec_session *s)
{
  if (s->client == NULL || s->client->dead || s->relayed)
    return;
  if (s->started && !s->started_sent)
    {
      shim_exec_queue_frame (x, s->client, SHIM_MSG_EXEC_STARTED, s->started_text, strlen (s->started_text));
      s->started_sent = true;
    }
  if (!s->finished || !drain (x, s))
    return;
  shim_exec_queue_frame (x, s->client, s->final_type, s->final, s->final_len);
  s->relayed = true;
}

void
shim_exec_report_frames (struct shim_execs *x, struct shim_exec_session *s)
{
  uint32_t type, len;
  char *payload;

  for (;;)
    {
      ssize_t n = shim_frame_reader_fill (&s->report_rd, s->report);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 && !(n < 0 && errno == EAGAIN))
        shim_exec_close_watched (x, &s->report, &s->report_ev);
      if (n <= 0)
        break;
    }
  while (shim_frame_reader_next (&s->report_rd, &type, &payload, &len) == 1)
    {
      if (type == SHIM_MSG_EXEC_STARTED && len < sizeof s->started_text)
        {
          memcpy (s->started_text, payload, len + 1);
          s->started = true;
        }
      else if (type == SHIM_MSG_EXEC_EXITED || type == SHIM_MSG_ERROR)
        shim_exec_session_finish (s, type, payload, len);
      free (payload);
    }
  shim_exec_relay (x, s);
}

void
shim_exec_write_stdin (struct shim_execs *x, struct shim_exec_session *s)
{
  while (s->inoff < s->inlen && s->in >= 0)
    {
      ssize_t w = write (s->in, s->inbuf + s->inoff, s->inlen - s->inoff);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        return;
      if (w < 0)
        {
          /* EPIPE: the process closed its stdin; the rest is dropped.  */
          s->inoff = s->inlen;
          break;
        }
      s->inoff += (size_t)w;
    }
  s->inlen = s->inoff = 0;
  if (s->in_close && s->in >= 0 && s->in != s->out)
    shim_exec_close_watched (x, &s->in, &s->in_ev);
  else if (s->in_close && s->in >= 0)
    {
      /* A pty has no half-close: ^D at the start of a line is its EOF.  */
      static const char eot = 4;
      (void)!write (s->in, &eot, 1);
      s->in_close = false;
    }
}

/* One frame from the client of S.  */
