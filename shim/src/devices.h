/* shim/src/devices.h — the container's /dev.  */
#ifndef SHIM_DEVICES_H
#define SHIM_DEVICES_H

#include "error.h"

/* Fresh tmpfs /dev with the standard nodes, devpts, shm, mqueue, and
   /dev/console bound to PTY_SLAVE (a host path, resolved before pivot).  */
int shim_devices_setup (int rootfd, const char *pty_slave, shim_error_t *err);

#endif
