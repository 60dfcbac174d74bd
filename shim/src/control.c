/* shim/src/control.c — the control socket: framed messages (sync.h) to
   and from the engine's attach/resize/wait/address clients.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "control.h"
#include "netlink-addrs.h"
#include "sync.h"
#include "utils.h"

static void
queue_frame (struct shim_control *ctl, struct shim_client *c, uint32_t type, const char *payload, size_t len)
{
  struct shim_frame_header h = { .type = type, .len = (uint32_t) len };
  char buf[sizeof h + 256];

  if (len > SHIM_MAX_PAYLOAD)
    return;
  if (len > 256)
    {
      /* Queued in order: the payload follows its header or the client is dead.  */
      shim_client_queue (c, ctl->epfd, (const char *) &h, sizeof h);
      shim_client_queue (c, ctl->epfd, payload, len);
      return;
    }
  memcpy (buf, &h, sizeof h);
  memcpy (buf + sizeof h, payload, len);
  shim_client_queue (c, ctl->epfd, buf, sizeof h + len);
}

/* ADDRS: the interfaces of the child's network namespace, or
   "<errno>\0<message>".  A few netlink round trips, well under a
   millisecond for a container's handful of interfaces; SHIM_NL_DUMP_MS at
   worst.  */
static void
answer_addrs (struct shim_control *ctl, struct shim_client *c)
{
  shim_error_t err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (ctl->netns < 0)
    shim_make_error (&err, ESRCH, "the container's network namespace is gone");
  if (err != NULL || shim_netlink_addrs (ctl->netns, ctl->selfns, &text, &len, &err) < 0)
    {
      cleanup_free char *msg = shim_error_text (err);
      char buf[256];
      int n = snprintf (buf, sizeof buf, "%d%c%s", err->status, '\0', msg ? msg : "unknown error");
      shim_error_release (&err);
      queue_frame (ctl, c, SHIM_MSG_ADDRS, buf, n < (int) sizeof buf ? (size_t) n : sizeof buf - 1);
      return;
    }
  queue_frame (ctl, c, SHIM_MSG_ADDRS, text, len);
}

int
shim_control_init (struct shim_control *ctl, const struct shim_config *cfg, struct shim_console *console,
                   shim_error_t *err)
{
  ctl->console = console;
  snprintf (ctl->sock.path, sizeof ctl->sock.path, "%s/control", cfg->dir);
  ctl->lfd = shim_listen_unix (&ctl->sock, err);
  if (ctl->lfd < 0)
    {
      ctl->sock.path[0] = '\0';
      return -1;
    }
  return 0;
}

int
shim_control_open_netns (struct shim_control *ctl, pid_t child, shim_error_t *err)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/%d/ns/net", child);
  ctl->netns = open (path, O_RDONLY | O_CLOEXEC);
  if (UNLIKELY (ctl->netns < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  ctl->selfns = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (UNLIKELY (ctl->selfns < 0))
    return shim_make_error (err, errno, "open `/proc/self/ns/net`");
  return 0;
}

int
shim_control_watch (struct shim_control *ctl, int epfd, shim_error_t *err)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = ctl->lfd };

  ctl->epfd = epfd;
  if (UNLIKELY (epoll_ctl (epfd, EPOLL_CTL_ADD, ctl->lfd, &ev) < 0))
    return shim_make_error (err, errno, "epoll_ctl add fd %d", ctl->lfd);
  return 0;
}

static void
hello (struct shim_control *ctl, struct shim_client *c, pid_t child, const char *phase)
{
  char text[96];
  int n = snprintf (text, sizeof text, "%d %d %s", getpid (), child, phase);

  queue_frame (ctl, c, SHIM_MSG_HELLO, text, (size_t) n);
}

void
shim_control_accept (struct shim_control *ctl, pid_t child, const char *phase)
{
  struct shim_client *c = shim_client_accept (&ctl->clients, ctl->lfd, ctl->epfd);

  if (c != NULL)
    hello (ctl, c, child, phase);
}

void
shim_control_adopt (struct shim_control *ctl, int fd, pid_t child, const char *phase)
{
  struct shim_client *c;
  int fl = fcntl (fd, F_GETFL);

  if (fl < 0 || fcntl (fd, F_SETFL, fl | O_NONBLOCK) < 0)
    {
      close (fd);
      return;
    }
  c = shim_client_add (&ctl->clients, fd, ctl->epfd);
  if (c == NULL)
    return;
  c->engine = true;
  hello (ctl, c, child, phase);
}

bool
shim_control_on_client (struct shim_control *ctl, int fd, uint32_t events)
{
  struct shim_client *c = shim_client_find (ctl->clients, fd);
  uint32_t type, len;
  char *payload;
  ssize_t n;
  int r;

  if (c == NULL)
    return false;
  if (events & EPOLLOUT)
    shim_client_flush (c, ctl->epfd);
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    return true;

  n = shim_frame_reader_fill (&c->rd, c->fd);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    {
      c->dead = true;
      return true;
    }
  while ((r = shim_frame_reader_next (&c->rd, &type, &payload, &len)) == 1)
    {
      unsigned cols, rows;
      if (type == SHIM_MSG_ADDRS)
        answer_addrs (ctl, c);
      else if (type == SHIM_MSG_ABORT && c->engine && ctl->on_abort != NULL)
        ctl->on_abort (ctl->abort_arg);
      else if (type == SHIM_MSG_RESIZE && sscanf (payload, "%u %u", &cols, &rows) == 2 && cols > 0 && cols < 65536
          && rows > 0 && rows < 65536)
        shim_console_resize (ctl->console, cols, rows);
      free (payload);
    }
  if (r < 0)
    c->dead = true;
  return true;
}

void
shim_control_broadcast (struct shim_control *ctl, uint32_t type, const char *payload, size_t len)
{
  for (struct shim_client *c = ctl->clients; c; c = c->next)
    queue_frame (ctl, c, type, payload, len);
}

void
shim_control_sweep (struct shim_control *ctl)
{
  shim_clients_sweep (&ctl->clients, ctl->epfd);
}

void
shim_control_close_all (struct shim_control *ctl)
{
  shim_unlink_own_socket (&ctl->sock);
  shim_clients_close_all (&ctl->clients, ctl->epfd);
  if (ctl->netns >= 0)
    close (ctl->netns);
  if (ctl->selfns >= 0)
    close (ctl->selfns);
  ctl->netns = ctl->selfns = -1;
}
