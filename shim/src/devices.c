/* shim/src/devices.c — /dev: tmpfs, nodes, devpts, console, shm, mqueue.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "inroot.h"
#include "utils.h"

struct shim_dev
{
  const char *name;
  unsigned major, minor;
};

static const struct shim_dev devs[] = {
  { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const char *const links[][2] = {
  { "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },        { "stdin", "/proc/self/fd/0" },
  { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
};

static int
mount_sub (int rootfd, const char *path, const char *type, unsigned long flags, const char *data,
           shim_error_t *err)
{
  /* No symlink on the way (/dev in an image could point anywhere).  */
  cleanup_close int fd = shim_mountpoint_in_root (rootfd, path, 0755, err);

  if (fd < 0)
    return -1;
  return shim_mount_on_fd (type, fd, type, flags, data, path, err);
}

int
shim_devices_setup (int rootfd, const char *pty_slave, bool tun, shim_error_t *err)
{
  cleanup_close int devfd = -1;

  if (mount_sub (rootfd, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=256k", err) < 0)
    return -1;
  /* A fresh tmpfs we just made: nothing in it can be a symlink.  */
  devfd = shim_open_in_root (rootfd, "/dev", O_RDONLY | O_DIRECTORY, err);
  if (devfd < 0)
    return -1;

  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
    {
      if (UNLIKELY (mknodat (devfd, devs[i].name, S_IFCHR | 0666, makedev (devs[i].major, devs[i].minor)) < 0))
        return shim_make_error (err, errno, "mknod `/dev/%s`", devs[i].name);
      if (UNLIKELY (fchmodat (devfd, devs[i].name, 0666, 0) < 0))
        return shim_make_error (err, errno, "chmod `/dev/%s`", devs[i].name);
    }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (UNLIKELY (symlinkat (links[i][1], devfd, links[i][0]) < 0))
      return shim_make_error (err, errno, "symlink `/dev/%s`", links[i][0]);

  if (tun)
    {
      if (UNLIKELY (mkdirat (devfd, "net", 0755) < 0))
        return shim_make_error (err, errno, "mkdir `/dev/net`");
      {
        cleanup_close int netfd = openat (devfd, "net", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (UNLIKELY (netfd < 0))
          return shim_make_error (err, errno, "open `/dev/net`");
        if (UNLIKELY (mknodat (netfd, "tun", S_IFCHR | 0666, makedev (10, 200)) < 0
                      || fchmodat (netfd, "tun", 0666, 0) < 0))
          return shim_make_error (err, errno, "mknod `/dev/net/tun`");
      }
    }

  if (mount_sub (rootfd, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5",
                 err)
      < 0)
    return -1;
  if (mount_sub (rootfd, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", err) < 0)
    return -1;
  if (mount_sub (rootfd, "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
    return -1;

  {
    cleanup_close int src = open (pty_slave, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int dst = shim_mkfile_in_root (rootfd, "/dev/console", 0600, err);
    if (UNLIKELY (src < 0))
      return shim_make_error (err, errno, "open pty slave `%s`", pty_slave);
    if (dst < 0 || shim_bind_fd_on_fd (src, dst, 0, "/dev/console", err) < 0)
      return -1;
  }
  return 0;
}
