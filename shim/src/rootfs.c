/* shim/src/rootfs.c — rootfs, proc, sys, volumes, masks, pivot_root.
   Every path inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT)
   and mounted on through /proc/self/fd/N, so a symlink in the rootfs or a
   volume can never make us mount or create anything on the host.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"
#include "layer.h"
#include "inroot.h"
#include "rootfs.h"
#include "utils.h"

/* moby's defaultLinuxMaskedPaths (daemon/pkg/oci/defaults.go), with the
   per-CPU thermal_throttle directories added below.  */
static const char *const masked_paths[] = {
  "/proc/acpi",        "/proc/asound",     "/proc/interrupts",  "/proc/kcore",
  "/proc/keys",        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
  "/proc/sched_debug", "/proc/scsi",       "/sys/firmware",     "/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};


/* /dev/null over files, an empty read-only tmpfs over directories; missing
   paths are already hidden.  Every masked directory of a container shows
   the same tmpfs: the first is mounted (*DIRMASK then holds its root), the
   others are binds of it, which carry its read-only, nosuid, nodev and
   noexec.  A superblock per mask would cost each container (and every
   later memory cgroup, as one more memcg-aware shrinker) once per masked
   directory, and a host with a thermal_throttle directory per CPU has
   dozens.  */
static int
mask_path (int rootfd, const char *path, int *dirmask, shim_error_t *err)
{
  cleanup_close int fd = shim_open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, NULL);
  cleanup_close int null = -1;
  struct stat st;

  if (fd < 0 && errno == ENOENT)
    return 0;
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  if (UNLIKELY (fstat (fd, &st) < 0))
    return shim_make_error (err, errno, "fstat `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      if (*dirmask >= 0)
        return shim_bind_fd_on_fd (*dirmask, fd, 0, path, err);
      if (shim_mount_on_fd ("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=555",
                            path, err)
          < 0)
        return -1;
      /* Reopen: FD still points below the new mount.  */
      *dirmask = shim_open_in_root (rootfd, path, O_PATH | O_NOFOLLOW | O_DIRECTORY, err);
      return *dirmask < 0 ? -1 : 0;
    }
  null = shim_open_in_root (rootfd, "/dev/null", O_PATH, err);
  if (null < 0)
    return -1;
  return shim_bind_fd_on_fd (null, fd, 0, path, err);
}

static int
readonly_path (int rootfd, const char *path, shim_error_t *err)
{
  cleanup_close int fd = shim_open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, NULL);

  if (fd < 0 && errno == ENOENT)
    return 0;
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  if (shim_bind_fd_on_fd (fd, fd, MS_REC, path, err) < 0)
    return -1;
  return shim_remount_ro (rootfd, path, MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
}

static int
mask_thermal_throttle (int rootfd, int *dirmask, shim_error_t *err)
{
  int fd = shim_open_in_root (rootfd, "/sys/devices/system/cpu", O_RDONLY | O_DIRECTORY, NULL);
  DIR *d;
  struct dirent *e;
  int ret = 0;

  if (fd < 0)
    return 0;
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return 0;
    }
  while (ret == 0 && (e = readdir (d)) != NULL)
    {
      char path[300];
      if (strncmp (e->d_name, "cpu", 3) != 0 || e->d_name[3] < '0' || e->d_name[3] > '9')
        continue;
      snprintf (path, sizeof path, "/sys/devices/system/cpu/%s/thermal_throttle", e->d_name);
      ret = mask_path (rootfd, path, dirmask, err);
    }
  closedir (d);
  return ret;
}

int
shim_rootfs_mount (const struct shim_config *cfg, shim_error_t *err)
{
  cleanup_free char *target = NULL, *upper = NULL, *work = NULL, *opts = NULL;
  char layer[PATH_MAX];
  int fd;

  /* upper and work on the size-limited layer (layer.h) when there is one.  */
  if (shim_layer_dir (cfg, layer, sizeof layer, err) < 0)
    return -1;
  if (asprintf (&target, "%s/rootfs", cfg->dir) < 0 || asprintf (&upper, "%s/upper", layer) < 0
      || asprintf (&work, "%s/work", layer) < 0)
    return shim_make_error (err, ENOMEM, "rootfs paths");
  if (UNLIKELY (mkdir (target, 0755) < 0 && errno != EEXIST))
    return shim_make_error (err, errno, "mkdir `%s`", target);

  if (cfg->snapshot)
    {
      if (UNLIKELY (mkdir (upper, 0755) < 0 && errno != EEXIST))
        return shim_make_error (err, errno, "mkdir `%s`", upper);
      if (UNLIKELY (mkdir (work, 0755) < 0 && errno != EEXIST))
        return shim_make_error (err, errno, "mkdir `%s`", work);
      if (asprintf (&opts, "lowerdir=%s,upperdir=%s,workdir=%s", cfg->rootfs, upper, work) < 0)
        return shim_make_error (err, ENOMEM, "overlay options");
      if (UNLIKELY (mount ("overlay", target, "overlay", 0, opts) < 0))
        return shim_make_error (err, errno, "mount overlay `%s` (lower `%s`)", target, cfg->rootfs);
    }
  else
    {
      struct stat st;
      if (UNLIKELY (stat (cfg->rootfs, &st) < 0))
        return shim_make_error (err, errno, "stat rootfs `%s`", cfg->rootfs);
      if (UNLIKELY (!S_ISDIR (st.st_mode)))
        return shim_make_error (err, ENOTDIR, "rootfs `%s`", cfg->rootfs);
      if (UNLIKELY (mount (cfg->rootfs, target, NULL, MS_BIND | MS_REC, NULL) < 0))
        return shim_make_error (err, errno, "bind mount rootfs `%s` on `%s`", cfg->rootfs, target);
    }
  fd = open (target, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", target);
  return fd;
}

/* Open a host volume source without following a symlink in any component
   (a source under a directory the container can write must not be
   redirectable).  */
static int
open_volume_source (const char *path, shim_error_t *err)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  int fd;

  do
    fd = (int) syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  if (UNLIKELY (fd < 0 && errno == ELOOP))
    return shim_make_error (err, ELOOP, "volume source `%s`: a path component is a symlink", path);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "volume source `%s`", path);
  return fd;
}

/* A volume never lands on procfs, sysfs or devpts, whether named so
   (`/proc/sys/kernel`) or reached through a symlink in the image: covering
   /proc/sys/kernel would let the container choose what the kernel's
   settings seem to be, to itself and to anything reading them there.
   0 when FD is elsewhere, -1 with ERR when it is on one of them.  */
static int
on_kernel_fs (int fd, shim_error_t *err)
{
  struct statfs sf;

  if (UNLIKELY (fstatfs (fd, &sf) < 0))
    return shim_make_error (err, errno, "fstatfs");
  switch ((unsigned long) sf.f_type)
    {
    case PROC_SUPER_MAGIC:
      return shim_make_error (err, EPERM, "destination is on /proc");
    case SYSFS_MAGIC:
      return shim_make_error (err, EPERM, "destination is on /sys");
    case DEVPTS_SUPER_MAGIC:
      return shim_make_error (err, EPERM, "destination is on devpts");
    default:
      return 0;
    }
}

static int
mount_volume (int rootfd, const struct shim_volume *v, shim_error_t *err)
{
  cleanup_close int src = open_volume_source (v->src, err);
  cleanup_close int dst = -1;
  struct stat st;

  if (UNLIKELY (src < 0))
    return -1;
  if (UNLIKELY (fstat (src, &st) < 0))
    return shim_make_error (err, errno, "fstat volume source `%s`", v->src);
  if (S_ISLNK (st.st_mode))
    return shim_make_error (err, ELOOP, "volume source `%s` is a symlink", v->src);
  dst = S_ISDIR (st.st_mode) ? shim_mkdir_in_root (rootfd, v->dst, 0755, err)
                             : shim_mkfile_in_root (rootfd, v->dst, 0644, err);
  if (dst < 0)
    return shim_error_wrap (err, "volume `%s`", v->dst);
  if (on_kernel_fs (dst, err) != 0)
    return shim_error_wrap (err, "volume `%s`", v->dst);
  if (shim_bind_fd_on_fd (src, dst, MS_REC, v->dst, err) < 0)
    return -1;
  if (v->readonly)
    return shim_remount_ro (rootfd, v->dst, 0, err);
  return 0;
}

static int
mount_fifos (const struct shim_config *cfg, int rootfd, shim_error_t *err)
{
  if (cfg->fifos == 0)
    return 0;
  {
    cleanup_close int dir = shim_mkdir_in_root (rootfd, "/dev/fifos", 0755, err);
    if (dir < 0)
      return -1;
  }
  for (unsigned i = 0; i < cfg->fifos; i++)
    {
      char inside[64], host[PATH_MAX];
      cleanup_close int src = -1, dst = -1;

      snprintf (inside, sizeof inside, "/dev/fifos/fifo%u", i);
      snprintf (host, sizeof host, "%s/fifo%u", cfg->dir, i);
      src = open (host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (UNLIKELY (src < 0))
        return shim_make_error (err, errno, "open fifo `%s`", host);
      dst = shim_mkfile_in_root (rootfd, inside, 0600, err);
      if (dst < 0 || shim_bind_fd_on_fd (src, dst, 0, inside, err) < 0)
        return -1;
    }
  return 0;
}

static int
mount_uuid (const struct shim_config *cfg, int rootfd, shim_error_t *err)
{
  const char *inside = "/sys/devices/virtual/dmi/id/product_uuid";
  char host[PATH_MAX];
  cleanup_close int src = -1, dst = -1;

  if (cfg->uuid == NULL || cfg->uuid[0] == '\0')
    return 0;
  dst = shim_open_in_root (rootfd, inside, O_PATH | O_NOFOLLOW, NULL);
  if (dst < 0)
    return 0; /* no DMI on this host: nothing to cover.  */
  snprintf (host, sizeof host, "%s/product_uuid", cfg->dir);
  src = open (host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (UNLIKELY (src < 0))
    return shim_make_error (err, errno, "open `%s`", host);
  if (shim_bind_fd_on_fd (src, dst, 0, inside, err) < 0)
    return -1;
  return shim_remount_ro (rootfd, inside, MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
}

/* /proc/sys/net back read-write over the read-only /proc/sys, as LXC's
   proc:mixed does for a container with its own network namespace: every
   file there belongs to the network namespace of the process that opens it
   (the container's; since Linux 6.x net.core.{r,w}mem_* too), so `sysctl -w
   net.ipv4.ip_forward=1` inside changes the container's namespace only.
   SYSNET is an O_PATH fd of the fresh procfs's sys/net: binding it gives a
   mount with that procfs mount's flags (rw, nosuid, nodev, noexec).  */
static int
writable_sysctl_net (int rootfd, int sysnet, shim_error_t *err)
{
  cleanup_close int dst = -1;
  struct statfs sfs;

  if (sysnet < 0)
    return 0; /* a kernel without CONFIG_NET.  */
  if (UNLIKELY (fstatfs (sysnet, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC))
    return shim_make_error (err, errno, "`/proc/sys/net` is not on procfs");
  dst = shim_open_in_root (rootfd, "/proc/sys/net", O_PATH | O_NOFOLLOW | O_DIRECTORY, err);
  if (dst < 0)
    return -1;
  return shim_bind_fd_on_fd (sysnet, dst, 0, "/proc/sys/net", err);
}

int
shim_rootfs_populate (const struct shim_config *cfg, int rootfd, const char *pty_slave, shim_error_t *err)
{
  cleanup_close int sysnet = -1;
  cleanup_close int dirmask = -1;

  {
    cleanup_close int fd = shim_mountpoint_in_root (rootfd, "/proc", 0555, err);
    if (fd < 0 || shim_mount_on_fd ("proc", fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "/proc", err) < 0)
      return -1;
  }
  /* Taken from the fresh procfs, before anything can be mounted over it.  */
  sysnet = shim_open_in_root (rootfd, "/proc/sys/net", O_PATH | O_NOFOLLOW | O_DIRECTORY, NULL);
  {
    cleanup_close int fd = shim_mountpoint_in_root (rootfd, "/sys", 0555, err);
    if (fd < 0
        || shim_mount_on_fd ("sysfs", fd, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "/sys",
                             err)
               < 0)
      return -1;
  }
  if (shim_devices_setup (rootfd, pty_slave, cfg->tun, err) < 0)
    return -1;
  if (mount_fifos (cfg, rootfd, err) < 0)
    return -1;
  if (mount_uuid (cfg, rootfd, err) < 0)
    return -1;
  for (size_t i = 0; i < cfg->n_volumes; i++)
    if (mount_volume (rootfd, &cfg->volumes[i], err) < 0)
      return -1;
  for (size_t i = 0; i < sizeof masked_paths / sizeof masked_paths[0]; i++)
    if (mask_path (rootfd, masked_paths[i], &dirmask, err) < 0)
      return -1;
  if (mask_thermal_throttle (rootfd, &dirmask, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof readonly_paths / sizeof readonly_paths[0]; i++)
    if (readonly_path (rootfd, readonly_paths[i], err) < 0)
      return -1;
  return writable_sysctl_net (rootfd, sysnet, err);
}

int
shim_rootfs_pivot (const struct shim_config *cfg, shim_error_t *err)
{
  cleanup_free char *target = NULL;

  if (asprintf (&target, "%s/rootfs", cfg->dir) < 0)
    return shim_make_error (err, ENOMEM, "pivot_root");
  if (UNLIKELY (chdir (target) < 0))
    return shim_make_error (err, errno, "chdir `%s`", target);
  if (UNLIKELY (syscall (SYS_pivot_root, ".", ".") < 0))
    return shim_make_error (err, errno, "pivot_root `%s`", target);
  /* The old root is stacked on "."; keep it from propagating, then drop it.  */
  if (UNLIKELY (mount ("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0))
    return shim_make_error (err, errno, "make old root rslave");
  if (UNLIKELY (umount2 (".", MNT_DETACH) < 0))
    return shim_make_error (err, errno, "umount old root");
  if (UNLIKELY (chdir ("/") < 0))
    return shim_make_error (err, errno, "chdir `/`");
  return 0;
}
