/* shim/src/cgroup.h — joining the cgroups the engine made.  */
#ifndef SHIM_CGROUP_H
#define SHIM_CGROUP_H

#include "config.h"
#include "error.h"

/* Write "0" to <path>/cgroup.procs for each cgroup (v1 and v2): the caller
   moves into the container's cgroups (`vm exec`, before joining init's
   cgroup namespace).  */
int shim_cgroup_enter (const struct shim_config *cfg, shim_error_t *err);
/* Write "0" to <path>/cgroup.procs for each cgroup (v1 and v2), then
   unshare the cgroup namespace.  */
int shim_cgroup_join (const struct shim_config *cfg, shim_error_t *err);

#endif
