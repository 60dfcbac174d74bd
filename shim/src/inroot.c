/* shim/src/inroot.c — paths resolved inside the container's root and mounts
   made on file descriptors.  Every path is resolved with
   openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) and mounted on through
   /proc/self/fd/N, so a symlink in the rootfs or a volume can never make us
   mount or create anything on the host.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"
#include "utils.h"

#define FD_PATH_MAX 32

static void
fd_path (char *buf, int fd)
{
  snprintf (buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

int
shim_open_in_root (int rootfd, const char *path, int flags, shim_error_t *err)
{
  struct open_how how = { .flags = (uint64_t) (flags | O_CLOEXEC),
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int fd;

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  do
    fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  if (fd < 0 && err != NULL)
    return shim_make_error (err, errno, "openat2 `/%s` in rootfs", path);
  return fd;
}

/* Split "/a/b/c" into a parent fd (created) and "c".  */
static int
open_parent (int rootfd, const char *path, const char **base, shim_error_t *err)
{
  cleanup_free char *dup = strdup (path);
  char *slash;

  if (dup == NULL)
    return shim_make_error (err, ENOMEM, "mkdir `%s`", path);
  while (strlen (dup) > 1 && dup[strlen (dup) - 1] == '/')
    dup[strlen (dup) - 1] = '\0';
  slash = strrchr (dup, '/');
  *base = strrchr (path, '/') ? path + (slash - dup) + 1 : path;
  if (slash == NULL)
    return shim_open_in_root (rootfd, "/", O_PATH | O_DIRECTORY, err);
  *slash = '\0';
  return shim_mkdir_in_root (rootfd, dup[0] ? dup : "/", 0755, err);
}

int
shim_mkdir_in_root (int rootfd, const char *path, mode_t mode, shim_error_t *err)
{
  const char *base;
  int fd = shim_open_in_root (rootfd, path, O_PATH | O_DIRECTORY, NULL);

  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return shim_make_error (err, errno, "open directory `%s` in rootfs", path);
  {
    cleanup_close int parent = open_parent (rootfd, path, &base, err);
    if (parent < 0)
      return -1;
    if (UNLIKELY (mkdirat (parent, base, mode) < 0 && errno != EEXIST))
      return shim_make_error (err, errno, "mkdir `%s` in rootfs", path);
  }
  fd = shim_open_in_root (rootfd, path, O_PATH | O_DIRECTORY, err);
  return fd;
}

int
shim_mkfile_in_root (int rootfd, const char *path, mode_t mode, shim_error_t *err)
{
  const char *base;
  int fd = shim_open_in_root (rootfd, path, O_PATH, NULL);

  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return shim_make_error (err, errno, "open `%s` in rootfs", path);
  {
    cleanup_close int parent = open_parent (rootfd, path, &base, err);
    int nfd;
    if (parent < 0)
      return -1;
    /* O_EXCL|O_NOFOLLOW: never follow a symlink that appeared meanwhile.  */
    nfd = openat (parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
    if (nfd < 0 && errno != EEXIST)
      return shim_make_error (err, errno, "create `%s` in rootfs", path);
    if (nfd >= 0)
      close (nfd);
  }
  return shim_open_in_root (rootfd, path, O_PATH, err);
}

/* An ordinary directory at PATH in the root, no symlink anywhere on the way
   (runc's rule for proc, sys and dev: a `/proc -> /` in an image would
   stack procfs on the root itself, and every later lookup from ROOTFD
   would land on the hidden tree underneath — CVE-2019-19921's class).  */
int
shim_mountpoint_in_root (int rootfd, const char *path, mode_t mode, shim_error_t *err)
{
  struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  const char *rel = path;
  struct stat st, root;
  int fd;

  while (*rel == '/')
    rel++;
  for (int tries = 0;; tries++)
    {
      do
        fd = (int) syscall (SYS_openat2, rootfd, rel, &how, sizeof how);
      while (fd < 0 && (errno == EAGAIN || errno == EINTR));
      if (fd >= 0 || errno != ENOENT || tries > 0)
        break;
      {
        /* Missing: create it where its parent resolves, then look again.  */
        const char *base;
        cleanup_close int parent = open_parent (rootfd, path, &base, err);
        if (parent < 0)
          return -1;
        if (UNLIKELY (mkdirat (parent, base, mode) < 0 && errno != EEXIST))
          return shim_make_error (err, errno, "mkdir `%s` in rootfs", path);
      }
    }
  if (UNLIKELY (fd < 0 && (errno == ELOOP || errno == EXDEV)))
    return shim_make_error (err, ELOOP, "mount point `%s` in the image is (or is under) a symlink", path);
  if (UNLIKELY (fd < 0 && errno == ENOTDIR))
    return shim_make_error (err, ENOTDIR, "mount point `%s` in the image is not a directory", path);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "openat2 `%s` in rootfs", path);
  if (UNLIKELY (fstat (fd, &st) < 0 || fstat (rootfd, &root) < 0))
    {
      int e = errno;
      close (fd);
      return shim_make_error (err, e, "fstat `%s`", path);
    }
  if (UNLIKELY (st.st_dev == root.st_dev && st.st_ino == root.st_ino))
    {
      close (fd);
      return shim_make_error (err, ELOOP, "mount point `%s` in the image is the root itself", path);
    }
  return fd;
}

int
shim_mount_on_fd (const char *src, int fd, const char *type, unsigned long flags, const char *data,
                  const char *what, shim_error_t *err)
{
  char target[FD_PATH_MAX];

  fd_path (target, fd);
  if (UNLIKELY (mount (src, target, type, flags, data) < 0))
    return shim_make_error (err, errno, "mount %s on `%s`", type ? type : src, what);
  return 0;
}

int
shim_bind_fd_on_fd (int srcfd, int dstfd, unsigned long flags, const char *what, shim_error_t *err)
{
  char src[FD_PATH_MAX], dst[FD_PATH_MAX];

  fd_path (src, srcfd);
  fd_path (dst, dstfd);
  if (UNLIKELY (mount (src, dst, NULL, MS_BIND | flags, NULL) < 0))
    return shim_make_error (err, errno, "bind mount on `%s`", what);
  return 0;
}

/* MS_NOSUID|MS_NODEV|MS_NOEXEC as mount_setattr attributes.  */
static uint64_t
ms_to_attr (unsigned long ms)
{
  return ((ms & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0) | ((ms & MS_NODEV) ? MOUNT_ATTR_NODEV : 0)
         | ((ms & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
}

int
shim_remount_ro (int rootfd, const char *path, unsigned long extra, shim_error_t *err)
{
  /* Reopen: the fd we mounted on still points below the new mount.  */
  cleanup_close int fd = shim_open_in_root (rootfd, path, O_PATH, err);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | ms_to_attr (extra) };
  unsigned long keep = 0;
  struct statvfs sv;

  if (fd < 0)
    return -1;
  /* The whole tree (a bind of host /usr carries its submounts), and only
     the bits we name: each mount keeps its own nosuid/nodev/noexec.  A bind
     remount would set the per-mount flags exactly, clearing those.  */
  if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0)
    return 0;
  if (UNLIKELY (errno != ENOSYS))
    return shim_make_error (err, errno, "mount_setattr read-only `%s`", path);
  /* Before Linux 5.12: the top mount only, with its flags kept.  */
  if (UNLIKELY (fstatvfs (fd, &sv) < 0))
    return shim_make_error (err, errno, "fstatvfs `%s`", path);
  keep = ((sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0) | ((sv.f_flag & ST_NODEV) ? MS_NODEV : 0)
         | ((sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0) | ((sv.f_flag & ST_NOATIME) ? MS_NOATIME : 0)
         | ((sv.f_flag & ST_NODIRATIME) ? MS_NODIRATIME : 0) | ((sv.f_flag & ST_RELATIME) ? MS_RELATIME : 0);
  return shim_mount_on_fd (NULL, fd, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | extra | keep, NULL, path, err);
}
