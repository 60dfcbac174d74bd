/* shim/src/exec.h — the exec socket <dir>/exec: commands run inside the
   running container under init's confinement (exec-enter.c), one per
   connection, their stdio relayed as frames (protocol.h) with flow control
   both ways; detached sessions outlive their client (the engine's restart)
   and are taken over by token.  */
#ifndef SHIM_EXEC_H
#define SHIM_EXEC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "console.h"
#include "error.h"

struct shim_exec_session;

/* How many finished detached sessions are remembered (token and last
   frame): an attach after the client died between the last frame and its
   own bookkeeping learns the session ran and how it ended, instead of
   "no such session" (which then means: never started).  */
#define SHIM_EXEC_TOMBSTONES 1024

struct shim_exec_tombstone
{
  char token[65];
  uint32_t type; /* EXEC_EXITED or ERROR.  */
  char final[96];
  size_t len;
};

struct shim_execs
{
  int lfd, epfd;
  const struct shim_config *cfg;
  pid_t init;
  int init_pidfd;
  bool running; /* init runs (EXEC sent, not exited): commands may start.  */
  bool sealed;  /* we run from a sealed memfd (sealed.h); else exec is refused.  */
  struct shim_client *clients;
  struct shim_exec_session *sessions;
  struct shim_exec_tombstone *tombstones; /* ring of SHIM_EXEC_TOMBSTONES, allocated on first use.  */
  size_t tomb_next;
  struct shim_sock_path sock;
};

#define SHIM_EXECS_INIT                                                                                                \
  {                                                                                                                    \
    .lfd = -1, .epfd = -1, .init_pidfd = -1                                                                            \
  }

/* Listen on CFG->dir/exec.  */
int shim_execs_init (struct shim_execs *x, const struct shim_config *cfg, shim_error_t *err);
/* Hold a pidfd of INIT (the monitor's child, not yet reaped: no pid reuse).  */
int shim_execs_set_init (struct shim_execs *x, pid_t init, shim_error_t *err);
int shim_execs_watch (struct shim_execs *x, int epfd, shim_error_t *err);
void shim_execs_accept (struct shim_execs *x);
/* Events on FD; false when FD is none of ours.  */
bool shim_execs_on_fd (struct shim_execs *x, int fd, uint32_t events);
/* PID was reaped with status ST; false when it was no exec helper.  */
bool shim_execs_reaped (struct shim_execs *x, pid_t pid, int st);
/* After each batch of events: epoll interest (flow control), finished and
   abandoned sessions, dead clients.  */
void shim_execs_sweep (struct shim_execs *x);
/* Init exited: tell every client, close everything, unlink the socket.  */
void shim_execs_close_all (struct shim_execs *x);

#endif
