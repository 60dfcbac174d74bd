/* shim/src/monitor-launch.h — the launch handshake the monitor relays
   between the engine (the sync socket) and the container child (its
   socketpair): MOUNTED, CONTINUE, READY (after freezing the child's cgroup
   when the bootstrap says freeze=/freezer=), EXEC, ERROR, ABORT.  Once
   init was handed EXEC the sync socket goes on as a control connection.  */
#ifndef SHIM_MONITOR_LAUNCH_H
#define SHIM_MONITOR_LAUNCH_H

#include <stdbool.h>

#include "monitor-state.h"

/* The engine's sync socket is readable.  */
void shim_monitor_engine_readable (struct shim_monitor *m);
/* The child's socket is readable: one read, or with DRAIN every frame
   still queued (the child exited).  EOF closes it.  */
void shim_monitor_child_readable (struct shim_monitor *m, bool drain);

#endif
