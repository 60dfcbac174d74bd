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
#include "exec-session.h"
#include "exec.h"
#include "sealed.h"
#include "sync.h"
#include "utils.h"

/* ---- client frames ---------------------------------------------------- */

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
          shim_exec_write_stdin (x, s);
          if (s->inbuf == payload)
            return; /* kept until written.  */
        }
      free (payload);
      if (s->inlen == 0)
        shim_exec_write_stdin (x, s);
      return;
    case SHIM_MSG_EXEC_SIGNAL:
      sig = atoi (payload);
      if (sig > 0 && sig < NSIG)
        shim_exec_tell_helper (s, sig);
      break;
    case SHIM_MSG_RESIZE:
      if (s->spec.tty && s->out >= 0 && sscanf (payload, "%u %u", &cols, &rows) == 2 && cols > 0 && cols < 65536
          && rows > 0 && rows < 65536)
        {
          struct winsize ws = { .ws_col = (unsigned short)cols, .ws_row = (unsigned short)rows };
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
            shim_exec_queue_error (x, c, EBUSY, "exec session has a client");
            c->closing = true;
            return;
          }
        s->client = c;
        s->started_sent = false; /* the new client learns the pids again.  */
        shim_exec_relay (x, s);
        return;
      }
  if (x->tombstones != NULL)
    for (size_t i = 0; i < SHIM_EXEC_TOMBSTONES; i++)
      if (x->tombstones[i].token[0] && strcmp (x->tombstones[i].token, token) == 0)
        {
          /* It ran and ended; its output went to the previous client.  */
          shim_exec_queue_frame (x, c, x->tombstones[i].type, x->tombstones[i].final, x->tombstones[i].len);
          c->closing = true;
          return;
        }
  shim_exec_queue_error (x, c, ENOENT, "no such exec session");
  c->closing = true;
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
      shim_exec_queue_error (x, c, EPROTO, "exec: expected EXEC_START or EXEC_ATTACH");
      c->closing = true;
    }
  else if (shim_exec_session_start (x, c, payload, len, &err) == NULL)
    {
      cleanup_free char *text = shim_error_text (err);
      shim_exec_queue_error (x, c, err ? err->status : 0, text ? text : "exec failed");
      shim_error_release (&err);
      c->closing = true;
    }
  free (payload);
}

static void
client_readable (struct shim_execs *x, struct shim_client *c)
{
  struct shim_exec_session *s = shim_exec_session_of (x, c);
  uint32_t type, len;
  char *payload;
  int r = 0;

  if (c->closing)
    {
      /* Dropped unread, a bounded amount a wake-up like any client's.  */
      char drop[4096];
      ssize_t n = 1;
      for (int i = 0; i < 32 && (n > 0 || (n < 0 && errno == EINTR)); i++)
        n = read (c->fd, drop, sizeof drop);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        c->dead = true;
      return;
    }
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
  while ((s == NULL || s->inlen == 0) && !c->dead && !c->closing
         && (r = shim_frame_reader_next (&c->rd, &type, &payload, &len)) == 1)
    {
      if (s == NULL)
        {
          first_frame (x, c, type, payload, len);
          s = shim_exec_session_of (x, c);
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
  x->init_pidfd = (int)syscall (SYS_pidfd_open, init, 0);
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
        shim_exec_report_frames (x, s);
      else if (fd == s->out && s->client && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        {
          if (shim_exec_pump (x, s, s->out, SHIM_MSG_EXEC_STDOUT) < 0)
            shim_exec_out_eof (x, s, false);
        }
      else if (fd == s->errfd && s->client)
        {
          if (shim_exec_pump (x, s, s->errfd, SHIM_MSG_EXEC_STDERR) < 0)
            shim_exec_out_eof (x, s, true);
        }
      else
        continue;
      if (fd == s->in && (events & EPOLLOUT))
        {
          shim_exec_write_stdin (x, s);
          client_backlog (x, s);
        }
      return true;
    }
  for (struct shim_exec_session *s = x->sessions; s; s = s->next)
    if (fd == s->in)
      {
        shim_exec_write_stdin (x, s);
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
          shim_exec_report_frames (x, s);
        if (!s->finished)
          {
            char buf[128];
            int n = snprintf (buf, sizeof buf, "%d%cexec helper %s %d", EIO, '\0',
                              WIFSIGNALED (st) ? "killed by signal" : "exited with status",
                              WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st));
            shim_exec_session_finish (s, SHIM_MSG_ERROR, buf, (size_t)n);
          }
        shim_exec_relay (x, s);
        return true;
      }
  return false;
}

/* Clients whose last frame went out: their write side is shut down (the
   peer reads the frame, then EOF) and they are kept until the peer closes.
   Closing at once would fail the peer's next write (EPIPE), which a peer
   may see before it reads the frame that ended its session: the daemon
   writes a command's stdin EOF and signals without waiting for replies.
   The daemon closes every exec connection once it has the last frame; the
   most recent EXEC_LINGER_MAX closing clients are kept should one not.  */
#define EXEC_LINGER_MAX 16

static void
linger (struct shim_execs *x)
{
  size_t kept = 0;

  /* Newest first: clients are pushed at the head of the list.  */
  for (struct shim_client *c = x->clients; c; c = c->next)
    {
      if (!c->closing || c->dead)
        continue;
      if (c->out_len == 0 && !c->shut)
        {
          /* Read interest again: its session may have stopped reading it
             while a chunk of stdin waited.  */
          struct epoll_event ev = { .events = EPOLLIN, .data.fd = c->fd };
          shutdown (c->fd, SHUT_WR);
          epoll_ctl (x->epfd, EPOLL_CTL_MOD, c->fd, &ev);
          c->shut = true;
        }
      if (++kept > EXEC_LINGER_MAX)
        c->dead = true;
    }
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
              shim_exec_tell_helper (s, SIGKILL);
            }
        }
      /* Relayed: its client only waits to close (linger, below).  */
      if (s->relayed && s->client)
        {
          s->client->closing = true;
          s->client = NULL;
        }
      /* A helper still running after its last frame is reaped by the
         monitor's waitpid(-1) like any child; nothing is left to tell.  */
      if (s->relayed || (s->abandoned && s->helper == 0))
        {
          if (s->relayed && s->spec.detach)
            bury (x, s);
          *pp = s->next;
          shim_exec_session_free (x, s);
          continue;
        }
      if (s->finished && s->client && !s->client->dead)
        shim_exec_relay (x, s); /* the rest of a drain a slow client held up.  */
      shim_exec_watch (x, s->report, &s->report_ev, EPOLLIN);
      if (s->in == s->out)
        shim_exec_watch (x, s->out, &s->out_ev, out_interest (s) | (s->inlen ? EPOLLOUT : 0));
      else
        {
          shim_exec_watch (x, s->out, &s->out_ev, out_interest (s));
          shim_exec_watch (x, s->in, &s->in_ev, s->inlen ? EPOLLOUT : 0);
        }
      shim_exec_watch (x, s->errfd, &s->err_ev, out_interest (s));
      if (s->client && !s->client->dead)
        {
          /* No more stdin from the client while a chunk waits (registered
             with no events it still reports a hang-up).  shim_client_queue
             and _flush change the mask too: set it every time.  */
          struct epoll_event ev
              = { .events = (s->inlen ? 0 : EPOLLIN) | (s->client->out_len ? EPOLLOUT : 0), .data.fd = s->client->fd };
          epoll_ctl (x->epfd, EPOLL_CTL_MOD, s->client->fd, &ev);
        }
      pp = &s->next;
    }
  linger (x);
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
        shim_exec_report_frames (x, s);
      if (s->client && !s->client->dead && !s->relayed)
        {
          if (!s->finished)
            {
              static const char msg[] = "0\0the container exited";
              shim_exec_session_finish (s, SHIM_MSG_ERROR, msg, sizeof msg - 1);
            }
          shim_exec_relay (x, s);
        }
      if (s->helper > 0)
        kill (s->helper, SIGKILL);
      shim_exec_session_free (x, s);
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
