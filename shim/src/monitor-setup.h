/* shim/src/monitor-setup.h — the monitor before its event loop: fifos,
   product_uuid, console, control and exec sockets, the clone of the
   container child, the epoll set; and what the monitor frees on its way
   out.  */
#ifndef SHIM_MONITOR_SETUP_H
#define SHIM_MONITOR_SETUP_H

#include "error.h"
#include "monitor-state.h"

/* Set up M and clone the child.  0 in the monitor, -1 with *ERR, 1 in the
   cloned child after it has reported its own error.  */
int shim_monitor_setup (struct shim_monitor *m, shim_error_t *err);
/* Always followed by the monitor's exit.  */
void shim_monitor_cleanup (struct shim_monitor *m);

#endif
