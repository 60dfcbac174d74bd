/* shim/src/monitor-exit.h — reaping: init's exit recorded (<dir>/exit,
   EXITED to the engine and every control client) or, before EXEC, the
   failed launch reported; exec helpers handed to exec.c.  */
#ifndef SHIM_MONITOR_EXIT_H
#define SHIM_MONITOR_EXIT_H

#include "monitor-state.h"

/* SIGCHLD arrived on the signalfd: reap every exited child.  */
void shim_monitor_reap (struct shim_monitor *m);

#endif
