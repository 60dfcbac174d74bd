/* shim/src/inroot.h — paths inside the container's root, mounts on fds
   (runs in the child, in its own mount namespace).  */
#ifndef SHIM_INROOT_H
#define SHIM_INROOT_H

#include <sys/types.h>

#include "error.h"

/* Resolve PATH inside ROOTFD (openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS).  */
int shim_open_in_root (int rootfd, const char *path, int flags, shim_error_t *err);
/* mkdir -p PATH inside ROOTFD; returns an O_PATH fd of the directory.  */
int shim_mkdir_in_root (int rootfd, const char *path, mode_t mode, shim_error_t *err);
/* Create (if missing) the file PATH inside ROOTFD and its parents; returns
   an O_PATH fd of it.  */
int shim_mkfile_in_root (int rootfd, const char *path, mode_t mode, shim_error_t *err);
/* An ordinary directory PATH inside ROOTFD (created if missing) for a
   kernel filesystem: no symlink on the way, not the root itself; returns an
   O_PATH fd of it.  */
int shim_mountpoint_in_root (int rootfd, const char *path, mode_t mode, shim_error_t *err);
/* mount (SRC, "/proc/self/fd/FD", TYPE, FLAGS, DATA).  WHAT names it in errors.  */
int shim_mount_on_fd (const char *src, int fd, const char *type, unsigned long flags, const char *data,
                      const char *what, shim_error_t *err);
/* Bind SRCFD (any fd, usually O_PATH) onto DSTFD.  */
int shim_bind_fd_on_fd (int srcfd, int dstfd, unsigned long flags, const char *what, shim_error_t *err);
/* Make the mount at PATH (inside ROOTFD) and every mount under it
   read-only, plus EXTRA (MS_NOSUID|MS_NODEV|MS_NOEXEC), keeping each
   mount's other flags.  */
int shim_remount_ro (int rootfd, const char *path, unsigned long extra, shim_error_t *err);

#endif
