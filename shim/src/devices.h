/* shim/src/devices.h — the container's /dev.  */
#ifndef SHIM_DEVICES_H
#define SHIM_DEVICES_H

#include "error.h"

#include <stdbool.h>

/* Fresh tmpfs /dev with the standard nodes, devpts, shm, mqueue, and
   /dev/console bound to PTY_SLAVE (a host path, resolved before pivot);
   /dev/net/tun too when TUN.  The devices cgroup (or eBPF filter) decides
   which nodes can be opened; these are the ones it allows.  */
int shim_devices_setup (int rootfd, const char *pty_slave, bool tun, shim_error_t *err);

#endif
