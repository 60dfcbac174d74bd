/* shim/src/seccomp.h — no_new_privs and the default seccomp filter.  */
#ifndef SHIM_SECCOMP_H
#define SHIM_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

#include "config.h"
#include "error.h"

/* Compile the default filter with libseccomp into classic BPF kept in this
   process's memory, once: later calls return 0 at once.  The launcher calls
   it before it forks anything, so every monitor and child inherits the
   program and no container pays libseccomp's compile (~0.6 ms of CPU).  */
int shim_seccomp_prepare (shim_error_t *err);

/* For tests: resolve denylist NAMES as the filter does (libseccomp, then
   sysnr.c); -1 with an error naming the first name neither knows.  */
int shim_seccomp_check_names (const char *const *names, size_t n, shim_error_t *err);

/* The compiled main filter, or NULL before shim_seccomp_prepare.  */
const struct sock_fprog *shim_seccomp_program (void);

/* The extra filter stacked on the main one (built by
   shim_seccomp_prepare), or NULL before it.  */
const struct sock_fprog *shim_seccomp_extra_program (void);

/* Unless CFG->unconfined: set no_new_privs and load a default-allow filter
   with Docker-profile semantics (namespace creation, mount, keyring, bpf,
   module loading, kexec, clock setting, … fail with EPERM; clone3 fails
   with ENOSYS so libc falls back to clone, whose flags are checked), then
   the extra filter on top (personality values, AF_VSOCK, denied calls
   newer than libseccomp by number, ENOSYS above the highest known
   number).  Compiles the filter first if this
   process has not (a shim spawned with NANOMEGA_SYNC_FD).
   Call after the capabilities are dropped, just before exec.  */
int shim_seccomp_apply (const struct shim_config *cfg, shim_error_t *err);

#endif
