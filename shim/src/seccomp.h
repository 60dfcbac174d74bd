/* shim/src/seccomp.h — no_new_privs and the default seccomp filter.  */
#ifndef SHIM_SECCOMP_H
#define SHIM_SECCOMP_H

#include "config.h"
#include "error.h"

/* Unless CFG->unconfined: set no_new_privs and load a default-allow filter
   with Docker-profile semantics (namespace creation, mount, keyring, bpf,
   module loading, kexec, clock setting, … fail with EPERM; clone3 fails
   with ENOSYS so libc falls back to clone, whose flags are checked).
   Call after the capabilities are dropped, just before exec.  */
int shim_seccomp_apply (const struct shim_config *cfg, shim_error_t *err);

#endif
