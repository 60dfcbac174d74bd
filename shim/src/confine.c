/* shim/src/confine.c — see confine.h.  */
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "confine.h"
#include "seccomp.h"
#include "utils.h"

int
shim_close_fds (int keep, shim_error_t *err)
{
  if (keep >= 0 && keep < 3)
    return shim_make_error (err, EBADF, "fd %d to keep collides with stdio", keep);
  if (keep < 0)
    {
      if (UNLIKELY (close_range (3, ~0U, 0) < 0))
        return shim_make_error (err, errno, "close_range");
      return 0;
    }
  if (keep > 3 && UNLIKELY (close_range (3, (unsigned)keep - 1, 0) < 0))
    return shim_make_error (err, errno, "close_range");
  if (UNLIKELY (close_range ((unsigned)keep + 1, ~0U, 0) < 0))
    return shim_make_error (err, errno, "close_range");
  return 0;
}

int
shim_confine (const struct shim_config *cfg, int keep, shim_error_t *err)
{
  /* execve resets it (the new program is readable, the credentials do not
     change), so the command itself is an ordinary dumpable process.  */
  if (UNLIKELY (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0))
    return shim_make_error (err, errno, "prctl PR_SET_DUMPABLE");
  if (shim_caps_drop (cfg, err) < 0)
    return -1;
  if (shim_seccomp_apply (cfg, err) < 0)
    return -1;
  return shim_close_fds (keep, err);
}
