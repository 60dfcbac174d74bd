/* shim/src/layer.c — the writable layer's own filesystem (see layer.h).

   Without a limit the overlay's upper dir lives in the instance dir, on the
   filesystem holding the base (/run, or / on hosts whose /run is not a
   tmpfs), and one `dd` in one container fills it for the whole host.  A
   tmpfs per container is the limit that works whatever the base is on: its
   size= bounds what the container can write (ENOSPC inside), and its pages
   are charged to the memory cgroup of the process writing them, so they
   count against the container's memory limit too.  The trade-off: what a
   container writes is memory (swappable), and a host reboot loses it.

   The mount is made by the monitor before it clones the child, in the
   host's mount namespace: the child's namespace is a copy taken at clone,
   so it sees the tmpfs and builds its overlay on it.  nosuid,nodev: nothing
   on it is meant to be run or opened from the host.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "layer.h"
#include "utils.h"

int
shim_layer_dir (const struct shim_config *cfg, char *buf, size_t len, shim_error_t *err)
{
  int n = cfg->disk_size ? snprintf (buf, len, "%s/layer", cfg->dir) : snprintf (buf, len, "%s", cfg->dir);

  if (UNLIKELY (n < 0 || (size_t) n >= len))
    return shim_make_error (err, ENAMETOOLONG, "layer dir of `%s`", cfg->dir);
  return 0;
}

/* Is PATH the root of a tmpfs mount (and not merely a directory on one)?  */
static int
is_tmpfs_mount (const char *path, const char *parent, shim_error_t *err)
{
  struct statfs sf;
  struct stat st, pst;

  if (UNLIKELY (statfs (path, &sf) < 0 || lstat (path, &st) < 0 || lstat (parent, &pst) < 0))
    return shim_make_error (err, errno, "stat layer `%s`", path);
  if (UNLIKELY (!S_ISDIR (st.st_mode)))
    return shim_make_error (err, ENOTDIR, "layer `%s`", path);
  return sf.f_type == TMPFS_MAGIC && st.st_dev != pst.st_dev;
}

int
shim_layer_prepare (const struct shim_config *cfg, shim_error_t *err)
{
  char path[PATH_MAX], opts[64];
  int r;

  if (!cfg->snapshot || cfg->disk_size == 0)
    return 0;
  if (shim_layer_dir (cfg, path, sizeof path, err) < 0)
    return -1;
  if (UNLIKELY (mkdir (path, 0700) < 0 && errno != EEXIST))
    return shim_make_error (err, errno, "mkdir `%s`", path);
  r = is_tmpfs_mount (path, cfg->dir, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  snprintf (opts, sizeof opts, "size=%llu,mode=0700", (unsigned long long) cfg->disk_size);
  if (UNLIKELY (mount ("nanomega-layer", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0))
    return shim_make_error (err, errno, "mount tmpfs (%s) on `%s`", opts, path);
  return 0;
}
