/* shim/src/control.h — the control socket: HELLO to each new client,
   RESIZE from clients to the console's pty, ADDRS answered from the
   container's network namespace, EXITED to every client.  */
#ifndef SHIM_CONTROL_H
#define SHIM_CONTROL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "console.h"
#include "error.h"

struct shim_control
{
  int lfd, epfd;
  struct shim_console *console; /* RESIZE target.  */
  struct shim_client *clients;
  int netns, selfns; /* the child's network namespace and ours (ADDRS).  */
  /* ABORT on the adopted engine connection: the monitor kills the child.  */
  void (*on_abort) (void *arg);
  void *abort_arg;
  struct shim_sock_path sock;
};

#define SHIM_CONTROL_INIT { .lfd = -1, .epfd = -1, .netns = -1, .selfns = -1 }

/* Listen on CFG->dir/control; RESIZE goes to CONSOLE.  */
int shim_control_init (struct shim_control *ctl, const struct shim_config *cfg, struct shim_console *console,
                       shim_error_t *err);
/* Hold CHILD's network namespace (and the monitor's own) for ADDRS, for
   the container's life.  */
int shim_control_open_netns (struct shim_control *ctl, pid_t child, shim_error_t *err);
/* Watch the control socket in EPFD.  */
int shim_control_watch (struct shim_control *ctl, int epfd, shim_error_t *err);
/* A new client: HELLO "<monitor pid> <CHILD> <PHASE>".  */
void shim_control_accept (struct shim_control *ctl, pid_t child, const char *phase);
/* Serve the connected FD (the engine's sync connection, once init was
   handed EXEC: no second connection per launch) as a control client,
   starting with HELLO.  FD must not be watched in the epoll set; it is
   closed on failure.  */
void shim_control_adopt (struct shim_control *ctl, int fd, pid_t child, const char *phase);
/* Events on FD; false when FD is no live control client.  */
bool shim_control_on_client (struct shim_control *ctl, int fd, uint32_t events);
/* One frame (payload up to 256 bytes) to every client.  */
void shim_control_broadcast (struct shim_control *ctl, uint32_t type, const char *payload, size_t len);
void shim_control_sweep (struct shim_control *ctl);
/* Unlink the socket, close the clients and the namespace fds.  */
void shim_control_close_all (struct shim_control *ctl);

#endif
