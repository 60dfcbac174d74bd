/* shim/src/exec.c — see exec.h.

   Per session the monitor holds its ends of the process's stdio (three
   pipes, or the master of a pty opened in the container's own devpts), a
   socket to the helper (STARTED, ERROR, EXITED from it; SIGNAL to it) and at
   most one client.  Output is read only while a client is attached and has
   less than EXEC_OUT_HIGH bytes queued, so a slow or absent client stops the
   process on a full pipe instead of growing the monitor; stdin from the
   client is read only while the previous chunk has been written.  */
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
#include "exec.h"
#include "sealed.h"
#include "sync.h"
#include "utils.h"

/* Stop reading the process's output while this much waits for the client.  */
#define EXEC_OUT_HIGH (256 * 1024)
/* One read of output, one frame.  */
#define EXEC_CHUNK (64 * 1024)

struct shim_exec_session
{
  struct shim_exec_session *next;
  struct shim_client *client; /* NULL while detached.  */
  struct shim_exec_spec spec;
  pid_t helper; /* 0 once reaped.  */
  int report, in, out, errfd; /* tty: in == out (the pty master), errfd -1.  */
  uint32_t report_ev, in_ev, out_ev, err_ev;
  struct shim_frame_reader report_rd;
  char *inbuf;
  size_t inlen, inoff;
  bool in_close;  /* close stdin once inbuf is written.  */
  bool started;   /* STARTED relayed or pending in `started_text`.  */
  bool finished;  /* EXITED or ERROR known (`final`).  */
  bool relayed;   /* ... and queued to a client: close once flushed.  */
  bool abandoned; /* non-detached session whose client went: killed, dropped when reaped.  */
  uint32_t final_type;
  char final[600];
  size_t final_len;
  char started_text[64];
  bool started_sent;
};

/* ---- small helpers ---------------------------------------------------- */

static void
queue_frame (struct shim_execs *x, struct shim_client *c, uint32_t type, const void *payload, size_t len)
{
  struct shim_frame_header h = { .type = type, .len = (uint32_t) len };

  shim_client_queue (c, x->epfd, (const char *) &h, sizeof h);
  if (len > 0)
    shim_client_queue (c, x->epfd, payload, len);
}

static void
queue_error (struct shim_execs *x, struct shim_client *c, int status, const char *msg)
{
  char buf[512];
  int n = snprintf (buf, sizeof buf, "%d%c%s", status, '\0', msg);
  queue_frame (x, c, SHIM_MSG_ERROR, buf, n < (int) sizeof buf ? (size_t) n : sizeof buf - 1);
}

/* Make FD's epoll interest WANT (0: not registered, so a hung-up pipe does
   not wake us while we do not want to read it).  */
static void
watch (struct shim_execs *x, int fd, uint32_t *cur, uint32_t want)
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

static void
close_watched (struct shim_execs *x, int *fd, uint32_t *cur)
{
  if (*fd < 0)
    return;
  watch (x, *fd, cur, 0);
  close (*fd);
  *fd = -1;
}

static struct shim_exec_session *
session_of_client (struct shim_execs *x, struct shim_client *c)
{
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    if (s->client == c)
      return s;
  return NULL;
}

static void
tell_helper (struct shim_exec_session *s, int sig)
{
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", sig);
  if (s->report >= 0)
    shim_sync_send (s->report, SHIM_MSG_EXEC_SIGNAL, buf, (size_t) n, NULL);
}

/* ---- stdio ------------------------------------------------------------ */

/* The master of a new pty in the container's own devpts (/dev/pts/ptmx
   through /proc/<init>/root, no symlink followed, checked to be devpts's
   ptmx before it is opened for real); *SLAVE its peer.  */
static int
open_container_pty (struct shim_execs *x, unsigned cols, unsigned rows, int *slave, shim_error_t *err)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  struct winsize ws = { .ws_col = (unsigned short) cols, .ws_row = (unsigned short) rows };
  cleanup_close int root = -1, path = -1;
  char buf[64];
  struct statfs sfs;
  struct stat st;
  int master, unlock = 0;

  snprintf (buf, sizeof buf, "/proc/%d/root", x->init);
  root = open (buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (UNLIKELY (root < 0))
    return shim_make_error (err, errno, "open `%s`", buf);
  path = (int) syscall (SYS_openat2, root, "dev/pts/ptmx", &how, sizeof how);
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

static void
session_finish (struct shim_exec_session *s, uint32_t type, const char *payload, size_t len)
{
  if (s->finished)
    return;
  s->finished = true;
  s->final_type = type;
  s->final_len = len < sizeof s->final ? len : sizeof s->final;
  memcpy (s->final, payload, s->final_len);
}

static void
session_free (struct shim_execs *x, struct shim_exec_session *s)
{
  if (s->in == s->out)
    s->in = -1;
  close_watched (x, &s->in, &s->in_ev);
  close_watched (x, &s->out, &s->out_ev);
  close_watched (x, &s->errfd, &s->err_ev);
  close_watched (x, &s->report, &s->report_ev);
  shim_frame_reader_free (&s->report_rd);
  shim_exec_spec_free (&s->spec);
  free (s->inbuf);
  free (s);
}

static struct shim_exec_session *
session_start (struct shim_execs *x, struct shim_client *c, const char *payload, size_t len, shim_error_t *err)
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
static int
pump (struct shim_execs *x, struct shim_exec_session *s, int fd, uint32_t type)
{
  char buf[EXEC_CHUNK];
  ssize_t n;

  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    {
      queue_frame (x, s->client, type, buf, (size_t) n);
      return 1;
    }
  return n < 0 && errno == EAGAIN ? 0 : -1;
}

static void
out_eof (struct shim_execs *x, struct shim_exec_session *s, bool err_stream)
{
  if (err_stream)
    close_watched (x, &s->errfd, &s->err_ev);
  else
    {
      if (s->in == s->out)
        {
          watch (x, s->in, &s->in_ev, 0);
          s->in = -1;
          s->in_ev = 0;
        }
      close_watched (x, &s->out, &s->out_ev);
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
        r = pump (x, s, fd, stream ? SHIM_MSG_EXEC_STDERR : SHIM_MSG_EXEC_STDOUT);
        if (r == 0)
          break;
        if (r < 0)
          out_eof (x, s, stream == 1);
      }
  return true;
}

/* Relay what the session has for its client: STARTED, then at the end all
   remaining output and EXITED (or ERROR).  */
static void
relay (struct shim_execs *x, struct shim_exec_session *s)
{
  if (s->client == NULL || s->client->dead || s->relayed)
    return;
  if (s->started && !s->started_sent)
    {
      queue_frame (x, s->client, SHIM_MSG_EXEC_STARTED, s->started_text, strlen (s->started_text));
      s->started_sent = true;
    }
  if (!s->finished || !drain (x, s))
    return;
  queue_frame (x, s->client, s->final_type, s->final, s->final_len);
  s->relayed = true;
}

static void
report_frames (struct shim_execs *x, struct shim_exec_session *s)
{
  uint32_t type, len;
  char *payload;

  for (;;)
    {
      ssize_t n = shim_frame_reader_fill (&s->report_rd, s->report);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 && !(n < 0 && errno == EAGAIN))
        close_watched (x, &s->report, &s->report_ev);
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
        session_finish (s, type, payload, len);
      free (payload);
    }
  relay (x, s);
}

/* ---- client frames ---------------------------------------------------- */

static void
write_stdin (struct shim_execs *x, struct shim_exec_session *s)
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
      s->inoff += (size_t) w;
    }
  s->inlen = s->inoff = 0;
  if (s->in_close && s->in >= 0 && s->in != s->out)
    close_watched (x, &s->in, &s->in_ev);
  else if (s->in_close && s->in >= 0)
    {
      /* A pty has no half-close: ^D at the start of a line is its EOF.  */
      static const char eot = 4;
      (void) !write (s->in, &eot, 1);
      s->in_close = false;
    }
}

/* One frame from the client of S.  */
static void
client_frame (struct shim_execs *x, struct shim_exec_session *s, uint32_t type, char *payload, uint32_t len)
{
  unsigned cols, rows;
  int sig;

  switch (type)
    {
    case SHIM_MSG_EXEC_STDIN:
      if (len == 0)
        s->in_close = true;
      else if (s->in >= 0 && !s->in_close)
        {
          free (s->inbuf);
          s->inbuf = payload;
          s->inlen = len;
          s->inoff = 0;
          write_stdin (x, s);
          if (s->inbuf == payload)
            return; /* kept until written.  */
        }
      free (payload);
      if (s->inlen == 0)
        write_stdin (x, s);
      return;
    case SHIM_MSG_EXEC_SIGNAL:
      sig = atoi (payload);
      if (sig > 0 && sig < NSIG)
        tell_helper (s, sig);
      break;
    case SHIM_MSG_RESIZE:
      if (s->spec.tty && s->out >= 0 && sscanf (payload, "%u %u", &cols, &rows) == 2 && cols > 0 && cols < 65536
          && rows > 0 && rows < 65536)
        {
          struct winsize ws = { .ws_col = (unsigned short) cols, .ws_row = (unsigned short) rows };
          ioctl (s->out, TIOCSWINSZ, &ws);
        }
      break;
    default:
      break;
    }
  free (payload);
}

/* Remember how a detached session ended (sweep, when it is freed).  */
static void
bury (struct shim_execs *x, struct shim_exec_session *s)
{
  struct shim_exec_tombstone *t;

  if (x->tombstones == NULL && (x->tombstones = calloc (SHIM_EXEC_TOMBSTONES, sizeof *x->tombstones)) == NULL)
    return;
  t = &x->tombstones[x->tomb_next++ % SHIM_EXEC_TOMBSTONES];
  strcpy (t->token, s->spec.token);
  t->type = s->final_type;
  t->len = s->final_len < sizeof t->final ? s->final_len : sizeof t->final;
  memcpy (t->final, s->final, t->len);
}

static void
attach (struct shim_execs *x, struct shim_client *c, const char *token)
{
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    if (strcmp (s->spec.token, token) == 0 && !s->abandoned)
      {
        if (s->client != NULL)
          {
            queue_error (x, c, EBUSY, "exec session has a client");
            c->dead = true;
            return;
          }
        s->client = c;
        s->started_sent = false; /* the new client learns the pids again.  */
        relay (x, s);
        return;
      }
  if (x->tombstones != NULL)
    for (size_t i = 0; i < SHIM_EXEC_TOMBSTONES; i++)
      if (x->tombstones[i].token[0] && strcmp (x->tombstones[i].token, token) == 0)
        {
          /* It ran and ended; its output went to the previous client.  */
          queue_frame (x, c, x->tombstones[i].type, x->tombstones[i].final, x->tombstones[i].len);
          c->dead = true;
          return;
        }
  queue_error (x, c, ENOENT, "no such exec session");
  c->dead = true;
}

/* Frames of a client that has no session yet: EXEC_START or EXEC_ATTACH.  */
static void
first_frame (struct shim_execs *x, struct shim_client *c, uint32_t type, char *payload, uint32_t len)
{
  shim_error_t err = NULL;

  if (type == SHIM_MSG_EXEC_ATTACH)
    attach (x, c, payload);
  else if (type != SHIM_MSG_EXEC_START)
    {
      queue_error (x, c, EPROTO, "exec: expected EXEC_START or EXEC_ATTACH");
      c->dead = true;
    }
  else if (session_start (x, c, payload, len, &err) == NULL)
    {
      cleanup_free char *text = shim_error_text (err);
      queue_error (x, c, err ? err->status : 0, text ? text : "exec failed");
      shim_error_release (&err);
      c->dead = true; /* closed once the ERROR is flushed (sweep).  */
    }
  free (payload);
}

static void
client_readable (struct shim_execs *x, struct shim_client *c)
{
  struct shim_exec_session *s = session_of_client (x, c);
  uint32_t type, len;
  char *payload;
  int r = 0;

  for (int i = 0; i < 32; i++)
    {
      ssize_t n = shim_frame_reader_fill (&c->rd, c->fd);
      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0 || (n < 0 && errno != EAGAIN))
        {
          c->dead = true;
          return;
        }
      if (n < 0)
        break;
    }
  while ((s == NULL || s->inlen == 0) && !c->dead
         && (r = shim_frame_reader_next (&c->rd, &type, &payload, &len)) == 1)
    {
      if (s == NULL)
        {
          first_frame (x, c, type, payload, len);
          s = session_of_client (x, c);
          if (s == NULL)
            return;
        }
      else
        client_frame (x, s, type, payload, len);
    }
  if (r < 0)
    c->dead = true;
}

/* Frames left in the reader once stdin has room again.  */
static void
client_backlog (struct shim_execs *x, struct shim_exec_session *s)
{
  uint32_t type, len;
  char *payload;

  while (s->client && !s->client->dead && s->inlen == 0
         && shim_frame_reader_next (&s->client->rd, &type, &payload, &len) == 1)
    client_frame (x, s, type, payload, len);
}

/* ---- the monitor's entry points ---------------------------------------- */

int
shim_execs_init (struct shim_execs *x, const struct shim_config *cfg, shim_error_t *err)
{
  x->cfg = cfg;
  x->sealed = shim_exe_is_sealed ();
  snprintf (x->sock.path, sizeof x->sock.path, "%s/exec", cfg->dir);
  x->lfd = shim_listen_unix (&x->sock, err);
  if (x->lfd < 0)
    {
      x->sock.path[0] = '\0';
      return -1;
    }
  return 0;
}

int
shim_execs_set_init (struct shim_execs *x, pid_t init, shim_error_t *err)
{
  x->init = init;
  x->init_pidfd = (int) syscall (SYS_pidfd_open, init, 0);
  if (UNLIKELY (x->init_pidfd < 0))
    return shim_make_error (err, errno, "pidfd_open %d", init);
  fcntl (x->init_pidfd, F_SETFD, FD_CLOEXEC);
  return 0;
}

int
shim_execs_watch (struct shim_execs *x, int epfd, shim_error_t *err)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = x->lfd };

  x->epfd = epfd;
  if (UNLIKELY (epoll_ctl (epfd, EPOLL_CTL_ADD, x->lfd, &ev) < 0))
    return shim_make_error (err, errno, "epoll_ctl add fd %d", x->lfd);
  return 0;
}

void
shim_execs_accept (struct shim_execs *x)
{
  shim_client_accept (&x->clients, x->lfd, x->epfd);
}

bool
shim_execs_on_fd (struct shim_execs *x, int fd, uint32_t events)
{
  struct shim_client *c = shim_client_find (x->clients, fd);

  if (c != NULL)
    {
      if (events & EPOLLOUT)
        shim_client_flush (c, x->epfd);
      if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        client_readable (x, c);
      return true;
    }
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    {
      if (fd == s->report)
        report_frames (x, s);
      else if (fd == s->out && s->client && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        {
          if (pump (x, s, s->out, SHIM_MSG_EXEC_STDOUT) < 0)
            out_eof (x, s, false);
        }
      else if (fd == s->errfd && s->client)
        {
          if (pump (x, s, s->errfd, SHIM_MSG_EXEC_STDERR) < 0)
            out_eof (x, s, true);
        }
      else
        continue;
      if (fd == s->in && (events & EPOLLOUT))
        {
          write_stdin (x, s);
          client_backlog (x, s);
        }
      return true;
    }
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    if (fd == s->in)
      {
        write_stdin (x, s);
        client_backlog (x, s);
        return true;
      }
  return false;
}

bool
shim_execs_reaped (struct shim_execs *x, pid_t pid, int st)
{
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    if (s->helper == pid)
      {
        s->helper = 0;
        if (s->report >= 0)
          report_frames (x, s);
        if (!s->finished)
          {
            char buf[128];
            int n = snprintf (buf, sizeof buf, "%d%cexec helper %s %d", EIO, '\0',
                              WIFSIGNALED (st) ? "killed by signal" : "exited with status",
                              WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st));
            session_finish (s, SHIM_MSG_ERROR, buf, (size_t) n);
          }
        relay (x, s);
        return true;
      }
  return false;
}

static uint32_t
out_interest (struct shim_exec_session *s)
{
  bool reading = s->client && !s->client->dead && !s->relayed && s->client->out_len < EXEC_OUT_HIGH;
  return reading ? EPOLLIN : 0;
}

void
shim_execs_sweep (struct shim_execs *x)
{
  struct shim_exec_session **pp = &x->sessions;

  while (*pp)
    {
      struct shim_exec_session *s = *pp;
      if (s->client && s->client->dead)
        {
          s->client = NULL;
          if (!s->relayed && !s->spec.detach)
            {
              /* Nobody will ever read it: kill the process, drop the session
                 once the helper is reaped.  */
              s->abandoned = true;
              tell_helper (s, SIGKILL);
            }
        }
      if (s->relayed && s->client && s->client->out_len == 0)
        s->client->dead = true; /* closed below, after its last frame.  */
      /* A helper still running after its last frame is reaped by the
         monitor's waitpid(-1) like any child; nothing is left to tell.  */
      if ((s->relayed && (s->client == NULL || s->client->dead)) || (s->abandoned && s->helper == 0))
        {
          if (s->relayed && s->spec.detach)
            bury (x, s);
          *pp = s->next;
          session_free (x, s);
          continue;
        }
      if (s->finished && !s->relayed && s->client && !s->client->dead)
        relay (x, s); /* the rest of a drain a slow client held up.  */
      watch (x, s->report, &s->report_ev, EPOLLIN);
      if (s->in == s->out)
        watch (x, s->out, &s->out_ev, out_interest (s) | (s->inlen ? EPOLLOUT : 0));
      else
        {
          watch (x, s->out, &s->out_ev, out_interest (s));
          watch (x, s->in, &s->in_ev, s->inlen ? EPOLLOUT : 0);
        }
      watch (x, s->errfd, &s->err_ev, out_interest (s));
      if (s->client && !s->client->dead)
        {
          /* No more stdin from the client while a chunk waits (registered
             with no events it still reports a hang-up).  shim_client_queue
             and _flush change the mask too: set it every time.  */
          struct epoll_event ev = { .events = (s->inlen ? 0 : EPOLLIN) | (s->client->out_len ? EPOLLOUT : 0),
                                    .data.fd = s->client->fd };
          epoll_ctl (x->epfd, EPOLL_CTL_MOD, s->client->fd, &ev);
        }
      pp = &s->next;
    }
  shim_clients_sweep (&x->clients, x->epfd);
}

void
shim_execs_close_all (struct shim_execs *x)
{
  x->running = false;
  while (x->sessions)
    {
      struct shim_exec_session *s = x->sessions;
      x->sessions = s->next;
      if (s->report >= 0)
        report_frames (x, s);
      if (s->client && !s->client->dead && !s->relayed)
        {
          if (!s->finished)
            {
              static const char msg[] = "0\0the container exited";
              session_finish (s, SHIM_MSG_ERROR, msg, sizeof msg - 1);
            }
          relay (x, s);
        }
      if (s->helper > 0)
        kill (s->helper, SIGKILL);
      session_free (x, s);
    }
  free (x->tombstones);
  x->tombstones = NULL;
  shim_unlink_own_socket (&x->sock);
  shim_clients_close_all (&x->clients, x->epfd);
  if (x->lfd >= 0)
    close (x->lfd);
  if (x->init_pidfd >= 0)
    close (x->init_pidfd);
  x->lfd = x->init_pidfd = -1;
}
