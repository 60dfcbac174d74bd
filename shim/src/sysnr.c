/* shim/src/sysnr.c — the unified system call numbers (424 and up, Linux
   5.1+: the same number on every architecture, so x86_64 and i386 agree),
   from the kernel's syscall_64.tbl and syscall_32.tbl.  libseccomp knows
   a name only from its own release on (2.5.4, Debian 12, stops at
   futex_wake 454); the seccomp filter resolves denied names it does not
   know here, and treats anything above the last entry as unknown.

   Keep the table in number order and extend it with each kernel release
   the shim is tested on; SHIM_SYSNR_MAX_* must be the last entry.  */
#include <string.h>

#include "sysnr.h"

static const struct shim_sysnr table[] = {
  { "pidfd_send_signal", 424, 424 },
  { "io_uring_setup", 425, 425 },
  { "io_uring_enter", 426, 426 },
  { "io_uring_register", 427, 427 },
  { "open_tree", 428, 428 },
  { "move_mount", 429, 429 },
  { "fsopen", 430, 430 },
  { "fsconfig", 431, 431 },
  { "fsmount", 432, 432 },
  { "fspick", 433, 433 },
  { "pidfd_open", 434, 434 },
  { "clone3", 435, 435 },
  { "close_range", 436, 436 },
  { "openat2", 437, 437 },
  { "pidfd_getfd", 438, 438 },
  { "faccessat2", 439, 439 },
  { "process_madvise", 440, 440 },
  { "epoll_pwait2", 441, 441 },
  { "mount_setattr", 442, 442 },
  { "quotactl_fd", 443, 443 },
  { "landlock_create_ruleset", 444, 444 },
  { "landlock_add_rule", 445, 445 },
  { "landlock_restrict_self", 446, 446 },
  { "memfd_secret", 447, 447 },
  { "process_mrelease", 448, 448 },
  { "futex_waitv", 449, 449 },
  { "set_mempolicy_home_node", 450, 450 },
  { "cachestat", 451, 451 },
  { "fchmodat2", 452, 452 },
  { "map_shadow_stack", 453, 453 },
  { "futex_wake", 454, 454 },
  { "futex_wait", 455, 455 },
  { "futex_requeue", 456, 456 },
  { "statmount", 457, 457 },
  { "listmount", 458, 458 },
  { "lsm_get_self_attr", 459, 459 },
  { "lsm_set_self_attr", 460, 460 },
  { "lsm_list_modules", 461, 461 },
  { "mseal", 462, 462 },
  { "setxattrat", 463, 463 },
  { "getxattrat", 464, 464 },
  { "listxattrat", 465, 465 },
  { "removexattrat", 466, 466 },
  { "open_tree_attr", 467, 467 },
  { "file_getattr", 468, 468 },
  { "file_setattr", 469, 469 },
};

_Static_assert (SHIM_SYSNR_MAX_X86_64 == 469 && SHIM_SYSNR_MAX_I386 == 469, "SHIM_SYSNR_MAX_* is the last entry");

const struct shim_sysnr *
shim_sysnr_lookup (const char *name)
{
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (table[i].name, name) == 0)
      return &table[i];
  return NULL;
}
