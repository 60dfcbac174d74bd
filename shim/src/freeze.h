/* shim/src/freeze.h — freeze the container's cgroup from the monitor.  */
#ifndef SHIM_FREEZE_H
#define SHIM_FREEZE_H

#include <stdbool.h>

#include "error.h"

/* How long the kernel may take to report the cgroup frozen.  */
#define SHIM_FREEZE_TIMEOUT_MS 10000

/* Freeze the cgroup DIR and wait until every task in it is stopped: v2
   writes "1" to DIR/cgroup.freeze and waits for "frozen 1" in
   DIR/cgroup.events; V1 writes "FROZEN" to DIR/freezer.state and waits
   until it reads FROZEN.  Gives up after TIMEOUT_MS.  Every error names
   the file.  */
int shim_freeze (const char *dir, bool v1, int timeout_ms, shim_error_t *err);

/* Undo a freeze, best effort (a failed launch: a v1-frozen task keeps
   SIGKILL pending until thawed).  */
void shim_thaw (const char *dir, bool v1);

#endif
