/* The scrollback ring (wrap-around, replay order, writes larger than the
   ring), a new console client getting the scrollback then live output, and
   the slow-client drop at SHIM_CLIENT_MAX_PENDING.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "console.h"

/* The ring's contents, oldest first, as a string.  */
static const char *
replay (const struct shim_ring *r)
{
  static char out[256];
  struct iovec sp[2];

  shim_ring_spans (r, sp);
  memcpy (out, sp[0].iov_base, sp[0].iov_len);
  memcpy (out + sp[0].iov_len, sp[1].iov_base, sp[1].iov_len);
  out[sp[0].iov_len + sp[1].iov_len] = '\0';
  return out;
}

static int
test_ring (void)
{
  shim_error_t err = NULL;
  struct shim_ring r;
  struct iovec sp[2];
  char stream[4096];
  size_t total = 0;

  CHECK (shim_ring_init (&r, 8, &err) == 0);
  shim_ring_spans (&r, sp);
  CHECK (sp[0].iov_len == 0 && sp[1].iov_len == 0);

  shim_ring_write (&r, "abc", 3);
  CHECK (r.len == 3 && strcmp (replay (&r), "abc") == 0);
  shim_ring_write (&r, "defgh", 5); /* exactly full: head back at 0.  */
  CHECK (r.len == 8 && r.head == 0 && strcmp (replay (&r), "abcdefgh") == 0);
  shim_ring_spans (&r, sp);
  CHECK (sp[0].iov_len == 8 && sp[1].iov_len == 0);

  /* Wrap-around: the oldest bytes go, the replay stays in write order.  */
  shim_ring_write (&r, "ij", 2);
  CHECK (r.len == 8 && r.head == 2 && strcmp (replay (&r), "cdefghij") == 0);
  shim_ring_spans (&r, sp);
  CHECK (sp[0].iov_len == 6 && sp[1].iov_len == 2);
  shim_ring_write (&r, "klmno", 5); /* one write split across the end.  */
  CHECK (r.head == 7 && strcmp (replay (&r), "hijklmno") == 0);

  /* Larger than the ring: only its last SIZE bytes, from any head.  */
  shim_ring_write (&r, "0123456789ABCDEFGHIJ", 20);
  CHECK (r.len == 8 && strcmp (replay (&r), "CDEFGHIJ") == 0);
  shim_ring_write (&r, "zyxwvutsr", 9);
  CHECK (strcmp (replay (&r), "yxwvutsr") == 0);
  shim_ring_write (&r, "12345678", 8); /* exactly SIZE.  */
  CHECK (strcmp (replay (&r), "12345678") == 0);
  shim_ring_free (&r);

  /* Partly filled, then a write larger than the ring.  */
  CHECK (shim_ring_init (&r, 8, &err) == 0);
  shim_ring_write (&r, "ab", 2);
  shim_ring_write (&r, "0123456789", 10);
  CHECK (r.len == 8 && strcmp (replay (&r), "23456789") == 0);
  shim_ring_free (&r);

  /* Many laps of uneven writes (0..12 bytes, around a 7-byte ring)
     against the stream's last 7 bytes.  */
  CHECK (shim_ring_init (&r, 7, &err) == 0);
  for (size_t i = 0; i < sizeof stream; i++)
    stream[i] = (char) ('a' + i % 26);
  for (size_t step = 0; total + 12 < sizeof stream; step++)
    {
      size_t n = (step * 5) % 13, keep;
      shim_ring_write (&r, stream + total, n);
      total += n;
      keep = total < 7 ? total : 7;
      CHECK (r.len == keep);
      CHECK (strlen (replay (&r)) == keep && memcmp (replay (&r), stream + total - keep, keep) == 0);
    }
  shim_ring_free (&r);
  return 0;
}

static ssize_t
read_all (int fd, char *buf, size_t cap)
{
  size_t got = 0;
  ssize_t n;

  while (got < cap && (n = recv (fd, buf + got, cap - got, MSG_DONTWAIT)) > 0)
    got += (size_t) n;
  return (ssize_t) got;
}

/* A new client gets the scrollback, oldest first, then live pty output.
   A pipe stands in for the pty master.  */
static int
test_console_replay (void)
{
  shim_error_t err = NULL;
  struct shim_console con = SHIM_CONSOLE_INIT;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char dir[] = "/tmp/nanomega-test-console-XXXXXX", buf[256];
  int pty[2], cfd;
  ssize_t n;

  CHECK (mkdtemp (dir) != NULL);
  snprintf (con.sock.path, sizeof con.sock.path, "%s/console", dir);
  CHECK (shim_ring_init (&con.ring, 16, &err) == 0);
  CHECK ((con.lfd = shim_listen_unix (&con.sock, &err)) >= 0);
  CHECK ((con.epfd = epoll_create1 (EPOLL_CLOEXEC)) >= 0);
  CHECK (pipe2 (pty, O_NONBLOCK | O_CLOEXEC) == 0);
  con.master = pty[0];

  /* 24 bytes through a 16-byte ring before anyone attaches, in two reads
     so the ring wraps (head 8): the replay is two spans.  */
  CHECK (write (pty[1], "0123456789", 10) == 10);
  shim_console_on_pty_readable (&con);
  CHECK (write (pty[1], "abcdefghijklmn", 14) == 14);
  shim_console_on_pty_readable (&con);
  CHECK (con.ring.head == 8 && con.ring.len == 16);

  strcpy (sa.sun_path, con.sock.path);
  CHECK ((cfd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
  CHECK (connect (cfd, (struct sockaddr *) &sa, sizeof sa) == 0);
  shim_console_accept (&con);
  CHECK (con.clients != NULL);
  n = read_all (cfd, buf, sizeof buf);
  CHECK (n == 16 && memcmp (buf, "89abcdefghijklmn", 16) == 0);

  CHECK (write (pty[1], "live", 4) == 4);
  shim_console_on_pty_readable (&con);
  n = read_all (cfd, buf, sizeof buf);
  CHECK (n == 4 && memcmp (buf, "live", 4) == 0);

  /* The client hangs up: swept on its next event.  */
  close (cfd);
  CHECK (shim_console_on_client (&con, con.clients->fd, EPOLLIN));
  CHECK (con.clients->dead);
  CHECK (!shim_console_on_client (&con, con.clients->fd, EPOLLIN));
  shim_console_sweep (&con);
  CHECK (con.clients == NULL);

  {
    char path[PATH_MAX];
    strcpy (path, con.sock.path);
    shim_console_close_all (&con);
    CHECK (access (path, F_OK) < 0 && errno == ENOENT);
  }
  close (pty[0]);
  close (pty[1]);
  close (con.lfd);
  close (con.epfd);
  rmdir (dir);
  return 0;
}

/* A client that never reads is dropped once its pending output would pass
   SHIM_CLIENT_MAX_PENDING; until then nothing is lost.  */
static int
test_slow_client (void)
{
  static char chunk[65536];
  struct shim_client *list = NULL, *c;
  struct epoll_event ev = { .events = EPOLLIN };
  int sp[2], epfd, sndbuf = 4096;
  size_t sent = 0;

  CHECK ((epfd = epoll_create1 (EPOLL_CLOEXEC)) >= 0);
  CHECK (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == 0);
  CHECK (setsockopt (sp[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
  CHECK ((c = calloc (1, sizeof *c)) != NULL);
  c->fd = sp[0];
  list = c;
  ev.data.fd = c->fd;
  CHECK (epoll_ctl (epfd, EPOLL_CTL_ADD, c->fd, &ev) == 0);

  memset (chunk, 'x', sizeof chunk);
  while (!c->dead)
    {
      size_t before = c->out_len;
      shim_client_queue (c, epfd, chunk, sizeof chunk);
      CHECK (c->out_len <= SHIM_CLIENT_MAX_PENDING);
      if (c->dead)
        CHECK (before + sizeof chunk > SHIM_CLIENT_MAX_PENDING && c->out_len == before);
      else
        sent += sizeof chunk;
      CHECK (sent < 4 * SHIM_CLIENT_MAX_PENDING);
    }
  CHECK (c->out_len + sizeof chunk > SHIM_CLIENT_MAX_PENDING);
  CHECK (shim_client_find (list, sp[0]) == NULL);
  shim_clients_sweep (&list, epfd);
  CHECK (list == NULL);
  close (sp[1]);
  close (epfd);
  return 0;
}

/* Two incarnations of a monitor on one instance dir (vm start while the old
   one still exits): the old one's cleanup must leave the new socket alone.  */
static int
test_socket_ownership (void)
{
  shim_error_t err = NULL;
  struct shim_sock_path old_sp, new_sp;
  char dir[] = "/tmp/nanomega-test-sock-XXXXXX";
  int old_fd, new_fd;

  CHECK (mkdtemp (dir) != NULL);
  snprintf (old_sp.path, sizeof old_sp.path, "%s/console", dir);
  strcpy (new_sp.path, old_sp.path);
  CHECK ((old_fd = shim_listen_unix (&old_sp, &err)) >= 0);
  CHECK ((new_fd = shim_listen_unix (&new_sp, &err)) >= 0); /* replaces the stale one.  */
  CHECK (old_sp.ino != new_sp.ino);
  shim_unlink_own_socket (&old_sp);
  CHECK (access (new_sp.path, F_OK) == 0);
  CHECK (old_sp.path[0] == '\0');
  shim_unlink_own_socket (&new_sp);
  {
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/console", dir);
    CHECK (access (path, F_OK) < 0 && errno == ENOENT);
  }
  close (old_fd);
  close (new_fd);
  rmdir (dir);
  return 0;
}

int
main (void)
{
  if (test_ring () != 0 || test_console_replay () != 0 || test_slow_client () != 0 || test_socket_ownership () != 0)
    return 1;
  return 0;
}
