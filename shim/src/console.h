/* shim/src/console.h — the container console: the pty, the scrollback
   ring, the console socket and its clients (each new client gets the
   scrollback, then live output; a client more than
   SHIM_CLIENT_MAX_PENDING bytes behind is dropped).  The client plumbing
   (bounded pending output, sweep) is shared with the control socket.  */
#ifndef SHIM_CONSOLE_H
#define SHIM_CONSOLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config.h"
#include <sys/types.h>

#include "error.h"
#include "sync.h"

#define SHIM_CLIENT_MAX_PENDING (1024 * 1024)

/* ---- the scrollback ring ---------------------------------------------- */

struct shim_ring
{
  char *buf;
  size_t size, head, len;
};

int shim_ring_init (struct shim_ring *r, size_t size, shim_error_t *err);
/* Append N bytes; only the last SIZE are kept.  */
void shim_ring_write (struct shim_ring *r, const char *p, size_t n);
/* The contents, oldest first, as SPANS[0] then SPANS[1] (either may be empty).  */
void shim_ring_spans (const struct shim_ring *r, struct iovec spans[2]);
void shim_ring_free (struct shim_ring *r);

/* ---- clients of a unix socket ------------------------------------------ */

struct shim_client
{
  int fd;
  bool dead; /* closed and freed by the next sweep.  */
  char *out; /* what the peer could not take yet.  */
  size_t out_len, out_cap;
  struct shim_frame_reader rd; /* control clients only.  */
  /* control: the engine's sync connection, adopted after EXEC; it may
     still send ABORT.  */
  bool engine;
  /* exec: its last frame is queued. Once that is flushed the write side is
     shut down and what the peer still sends is read and dropped until it
     closes (exec.c, shim_execs_sweep).  */
  bool closing, shut;
  struct shim_client *next;
};

/* The file a listening socket was bound to: its path and its inode, so
   that only the socket this process bound is ever unlinked.  */
struct shim_sock_path
{
  char path[PATH_MAX];
  dev_t dev;
  ino_t ino;
};

/* Listen on the unix socket SP->path (0600, a stale socket replaced) and
   record the inode it was bound to.  Returns the fd.  */
int shim_listen_unix (struct shim_sock_path *sp, shim_error_t *err);
/* Unlink SP->path if it is still the socket we bound (a monitor of a newer
   incarnation may have replaced it: that one is not ours), and forget it.  */
void shim_unlink_own_socket (struct shim_sock_path *sp);
/* Accept one peer on LFD, watch it in EPFD, push it on *LIST.  NULL if none.  */
struct shim_client *shim_client_accept (struct shim_client **list, int lfd, int epfd);
/* Watch the connected, non-blocking FD in EPFD as a client on *LIST (it is
   closed on failure).  NULL if that failed.  */
struct shim_client *shim_client_add (struct shim_client **list, int fd, int epfd);
/* Send BUF now, or queue it; past SHIM_CLIENT_MAX_PENDING the client is marked dead.  */
void shim_client_queue (struct shim_client *c, int epfd, const char *buf, size_t len);
/* EPOLLOUT: send what is pending.  */
void shim_client_flush (struct shim_client *c, int epfd);
/* The live client on FD, or NULL.  */
struct shim_client *shim_client_find (struct shim_client *list, int fd);
/* Close and free the dead clients.  */
void shim_clients_sweep (struct shim_client **list, int epfd);
/* One last non-blocking send of what is pending, then close and free all.  */
void shim_clients_close_all (struct shim_client **list, int epfd);

/* ---- the console ------------------------------------------------------ */

struct shim_console
{
  int master, slave_keep, lfd, epfd;
  struct shim_ring ring;
  struct shim_client *clients;
  char slave_path[64];
  struct shim_sock_path sock;
};

#define SHIM_CONSOLE_INIT { .master = -1, .slave_keep = -1, .lfd = -1, .epfd = -1 }

/* Open the pty (CFG's size), the scrollback (CFG's size) and the socket
   CFG->dir/console.  */
int shim_console_init (struct shim_console *con, const struct shim_config *cfg, shim_error_t *err);
/* Watch the pty master and the console socket in EPFD.  */
int shim_console_watch (struct shim_console *con, int epfd, shim_error_t *err);
void shim_console_resize (struct shim_console *con, unsigned cols, unsigned rows);
/* Read the pty into the scrollback and out to every client.  */
void shim_console_on_pty_readable (struct shim_console *con);
/* A new client: the scrollback first, then live output.  */
void shim_console_accept (struct shim_console *con);
/* Events on FD; false when FD is no live console client.  */
bool shim_console_on_client (struct shim_console *con, int fd, uint32_t events);
void shim_console_sweep (struct shim_console *con);
/* Unlink the socket, close the clients, free the scrollback.  */
void shim_console_close_all (struct shim_console *con);

#endif
