/* shim/src/rootfs.h — the container's mount tree (runs in the child, in
   its own mount namespace).  */
#ifndef SHIM_ROOTFS_H
#define SHIM_ROOTFS_H

#include <sys/types.h>

#include "config.h"
#include "error.h"

/* Mount the overlay (snapshot) or bind of the rootfs on <dir>/rootfs and
   return an O_PATH fd of it.  */
int shim_rootfs_mount (const struct shim_config *cfg, shim_error_t *err);
/* proc, sys, /dev, fifos, uuid, volumes, masked and read-only paths.  */
int shim_rootfs_populate (const struct shim_config *cfg, int rootfd, const char *pty_slave, shim_error_t *err);
/* pivot_root into <dir>/rootfs and detach the old root.  */
int shim_rootfs_pivot (const struct shim_config *cfg, shim_error_t *err);

#endif
