/* shim/src/monitor.h — the per-container monitor process.  */
#ifndef SHIM_MONITOR_H
#define SHIM_MONITOR_H

#include "config.h"
#include "error.h"

/* Set up fifos, pty, sockets, clone the child, run the event loop until
   init exits.  Returns the process exit status, or -1 with *ERR (the
   caller reports it on SYNC_FD).  In the cloned child it returns 1 after
   the child has reported its own error.  */
int shim_monitor_run (struct shim_config *cfg, int sync_fd, shim_error_t *err);

#endif
