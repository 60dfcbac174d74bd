/* shim/src/console.c — the container console: the pty master, the
   scrollback ring, the console socket and its clients, and the client
   plumbing (bounded pending output, dropping slow clients) the control
   socket shares.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "utils.h"

/* ---- the scrollback ring ---------------------------------------------- */

int
shim_ring_init (struct shim_ring *r, size_t size, shim_error_t *err)
{
  r->size = size;
  r->head = r->len = 0;
  r->buf = malloc (r->size);
  if (r->buf == NULL)
    return shim_make_error (err, ENOMEM, "scrollback");
  return 0;
}

void
shim_ring_write (struct shim_ring *r, const char *p, size_t n)
{
  size_t first;

  if (n >= r->size)
    {
      p += n - r->size;
      n = r->size;
    }
  first = n < r->size - r->head ? n : r->size - r->head;
  memcpy (r->buf + r->head, p, first);
  memcpy (r->buf, p + first, n - first);
  r->head = (r->head + n) % r->size;
  r->len = r->len + n > r->size ? r->size : r->len + n;
}

void
shim_ring_spans (const struct shim_ring *r, struct iovec spans[2])
{
  size_t start, first;

  spans[0] = spans[1] = (struct iovec){ .iov_base = r->buf, .iov_len = 0 };
  if (r->len == 0)
    return;
  start = (r->head + r->size - r->len) % r->size;
  first = r->len < r->size - start ? r->len : r->size - start;
  spans[0] = (struct iovec){ .iov_base = r->buf + start, .iov_len = first };
  spans[1] = (struct iovec){ .iov_base = r->buf, .iov_len = r->len - first };
}

void
shim_ring_free (struct shim_ring *r)
{
  free (r->buf);
  r->buf = NULL;
}

/* ---- clients of a unix socket ------------------------------------------ */

static void
epoll_mod (int epfd, int fd, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.fd = fd };
  epoll_ctl (epfd, EPOLL_CTL_MOD, fd, &ev);
}

int
shim_listen_unix (struct shim_sock_path *sp, shim_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  const char *path = sp->path;
  struct stat st;
  int fd;
  mode_t old;

  if (strlen (path) >= sizeof sa.sun_path)
    return shim_make_error (err, ENAMETOOLONG, "socket `%s`", path);
  strcpy (sa.sun_path, path);
  if (UNLIKELY (unlink (path) < 0 && errno != ENOENT))
    return shim_make_error (err, errno, "unlink stale `%s`", path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "socket `%s`", path);
  old = umask (077);
  if (UNLIKELY (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0))
    {
      umask (old);
      close (fd);
      return shim_make_error (err, errno, "bind `%s`", path);
    }
  umask (old);
  if (UNLIKELY (lstat (path, &st) < 0 || chmod (path, 0600) < 0 || listen (fd, 64) < 0))
    {
      close (fd);
      return shim_make_error (err, errno, "listen `%s`", path);
    }
  sp->dev = st.st_dev;
  sp->ino = st.st_ino;
  return fd;
}

void
shim_unlink_own_socket (struct shim_sock_path *sp)
{
  struct stat st;

  if (sp->path[0] && lstat (sp->path, &st) == 0 && S_ISSOCK (st.st_mode) && st.st_dev == sp->dev
      && st.st_ino == sp->ino)
    unlink (sp->path);
  sp->path[0] = '\0';
}

struct shim_client *
shim_client_accept (struct shim_client **list, int lfd, int epfd)
{
  int fd = accept4 (lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (fd < 0)
    return NULL;
  return shim_client_add (list, fd, epfd);
}

struct shim_client *
shim_client_add (struct shim_client **list, int fd, int epfd)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
  struct shim_client *c;

  c = calloc (1, sizeof *c);
  if (c == NULL || epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      free (c);
      close (fd);
      return NULL;
    }
  c->fd = fd;
  c->next = *list;
  *list = c;
  return c;
}

void
shim_client_queue (struct shim_client *c, int epfd, const char *buf, size_t len)
{
  if (c->dead || len == 0)
    return;
  if (c->out_len == 0)
    {
      ssize_t w = send (c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && errno != EAGAIN && errno != EINTR)
        {
          c->dead = true;
          return;
        }
      if (w > 0)
        {
          buf += w;
          len -= (size_t) w;
        }
      if (len == 0)
        return;
    }
  if (c->out_len + len > SHIM_CLIENT_MAX_PENDING)
    {
      c->dead = true; /* too slow: drop it rather than stall the container.  */
      return;
    }
  if (c->out_len + len > c->out_cap)
    {
      size_t cap = c->out_cap ? c->out_cap : 4096;
      char *n;
      while (cap < c->out_len + len)
        cap *= 2;
      n = realloc (c->out, cap);
      if (n == NULL)
        {
          c->dead = true;
          return;
        }
      c->out = n;
      c->out_cap = cap;
    }
  memcpy (c->out + c->out_len, buf, len);
  c->out_len += len;
  epoll_mod (epfd, c->fd, EPOLLIN | EPOLLOUT);
}

void
shim_client_flush (struct shim_client *c, int epfd)
{
  ssize_t w = send (c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

  if (w < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (w < 0)
    {
      c->dead = true;
      return;
    }
  memmove (c->out, c->out + w, c->out_len - (size_t) w);
  c->out_len -= (size_t) w;
  if (c->out_len == 0)
    epoll_mod (epfd, c->fd, EPOLLIN);
}

struct shim_client *
shim_client_find (struct shim_client *list, int fd)
{
  for (struct shim_client *c = list; c; c = c->next)
    if (c->fd == fd && !c->dead)
      return c;
  return NULL;
}

void
shim_clients_sweep (struct shim_client **list, int epfd)
{
  struct shim_client **pp = list;
  while (*pp)
    {
      struct shim_client *c = *pp;
      if (!c->dead)
        {
          pp = &c->next;
          continue;
        }
      *pp = c->next;
      if (c->fd >= 0)
        {
          epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
          close (c->fd);
          c->fd = -1;
        }
      shim_frame_reader_free (&c->rd);
      free (c->out);
      free (c);
    }
}

void
shim_clients_close_all (struct shim_client **list, int epfd)
{
  for (struct shim_client *c = *list; c; c = c->next)
    {
      if (c->out_len > 0) /* one last blocking-free try.  */
        send (c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
      c->dead = true;
    }
  shim_clients_sweep (list, epfd);
}

/* ---- the console ------------------------------------------------------ */

static int
open_pty (struct shim_console *con, const struct shim_config *cfg, shim_error_t *err)
{
  con->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (UNLIKELY (con->master < 0))
    return shim_make_error (err, errno, "posix_openpt");
  if (UNLIKELY (grantpt (con->master) < 0 || unlockpt (con->master) < 0))
    return shim_make_error (err, errno, "unlockpt");
  if (UNLIKELY (ptsname_r (con->master, con->slave_path, sizeof con->slave_path) != 0))
    return shim_make_error (err, errno, "ptsname");
  if (UNLIKELY (fcntl (con->master, F_SETFL, O_NONBLOCK | O_RDWR) < 0))
    return shim_make_error (err, errno, "fcntl pty master");
  /* Keep one slave fd so the master never sees HUP while the container
     has no tty open (before the child opens it, between processes).  */
  con->slave_keep = open (con->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (UNLIKELY (con->slave_keep < 0))
    return shim_make_error (err, errno, "open `%s`", con->slave_path);
  shim_console_resize (con, cfg->cols, cfg->rows);
  return 0;
}

int
shim_console_init (struct shim_console *con, const struct shim_config *cfg, shim_error_t *err)
{
  if (open_pty (con, cfg, err) < 0 || shim_ring_init (&con->ring, cfg->scrollback, err) < 0)
    return -1;
  snprintf (con->sock.path, sizeof con->sock.path, "%s/console", cfg->dir);
  con->lfd = shim_listen_unix (&con->sock, err);
  if (con->lfd < 0)
    {
      con->sock.path[0] = '\0';
      return -1;
    }
  return 0;
}

int
shim_console_watch (struct shim_console *con, int epfd, shim_error_t *err)
{
  int fds[2] = { con->master, con->lfd };

  con->epfd = epfd;
  for (int i = 0; i < 2; i++)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
      if (UNLIKELY (epoll_ctl (epfd, EPOLL_CTL_ADD, fds[i], &ev) < 0))
        return shim_make_error (err, errno, "epoll_ctl add fd %d", fds[i]);
    }
  return 0;
}

void
shim_console_resize (struct shim_console *con, unsigned cols, unsigned rows)
{
  struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
  ioctl (con->master, TIOCSWINSZ, &ws);
}

void
shim_console_on_pty_readable (struct shim_console *con)
{
  char buf[65536];

  for (int i = 0; i < 16; i++)
    {
      ssize_t n = read (con->master, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          epoll_ctl (con->epfd, EPOLL_CTL_DEL, con->master, NULL);
          return;
        }
      shim_ring_write (&con->ring, buf, (size_t) n);
      for (struct shim_client *c = con->clients; c; c = c->next)
        shim_client_queue (c, con->epfd, buf, (size_t) n);
    }
}

void
shim_console_accept (struct shim_console *con)
{
  struct shim_client *c = shim_client_accept (&con->clients, con->lfd, con->epfd);
  struct iovec spans[2];

  if (c == NULL)
    return;
  shim_ring_spans (&con->ring, spans);
  shim_client_queue (c, con->epfd, spans[0].iov_base, spans[0].iov_len);
  shim_client_queue (c, con->epfd, spans[1].iov_base, spans[1].iov_len);
}

bool
shim_console_on_client (struct shim_console *con, int fd, uint32_t events)
{
  struct shim_client *c = shim_client_find (con->clients, fd);
  char buf[4096];

  if (c == NULL)
    return false;
  if (events & EPOLLOUT)
    shim_client_flush (c, con->epfd);
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
    {
      ssize_t n = read (c->fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        c->dead = true;
      else if (n > 0 && con->master >= 0)
        /* Input the pty cannot take right now is dropped, never buffered
           without bound.  */
        (void) !write (con->master, buf, (size_t) n);
    }
  return true;
}

void
shim_console_sweep (struct shim_console *con)
{
  shim_clients_sweep (&con->clients, con->epfd);
}

void
shim_console_close_all (struct shim_console *con)
{
  shim_unlink_own_socket (&con->sock);
  shim_clients_close_all (&con->clients, con->epfd);
  shim_ring_free (&con->ring);
}
