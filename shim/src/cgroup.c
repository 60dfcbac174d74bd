/* shim/src/cgroup.c — join cgroups (then, for init, a new cgroup namespace).  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "cgroup.h"
#include "utils.h"

int
shim_cgroup_enter (const struct shim_config *cfg, shim_error_t *err)
{
  for (size_t i = 0; i < cfg->cgroups.n; i++)
    {
      char path[PATH_MAX];
      cleanup_close int fd = -1;

      snprintf (path, sizeof path, "%s/cgroup.procs", cfg->cgroups.items[i]);
      fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
      if (UNLIKELY (fd < 0))
        return shim_make_error (err, errno, "open `%s`", path);
      if (UNLIKELY (write (fd, "0", 1) != 1))
        return shim_make_error (err, errno, "write `%s`", path);
    }
  return 0;
}

int
shim_cgroup_join (const struct shim_config *cfg, shim_error_t *err)
{
  if (shim_cgroup_enter (cfg, err) < 0)
    return -1;
  if (UNLIKELY (unshare (CLONE_NEWCGROUP) < 0))
    return shim_make_error (err, errno, "unshare CLONE_NEWCGROUP");
  return 0;
}
