/* shim/src/child.h — the container child, from clone() to execve(init).  */
#ifndef SHIM_CHILD_H
#define SHIM_CHILD_H

#include "config.h"
#include "error.h"

/* Runs in the cloned child (new pid, mount, uts, ipc, net namespaces).
   SYNC_FD is the child's end of its socketpair with the monitor.  Returns
   only on failure (after which the caller sends ERROR and exits 1); on
   success it execs init.  */
int shim_child_run (const struct shim_config *cfg, int sync_fd, const char *pty_slave, shim_error_t *err);

#endif
