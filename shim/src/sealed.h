/* shim/src/sealed.h — run from a sealed in-memory copy of our own binary.

   A process the monitor forks into a running container (`vm exec`) is, until
   it execs the command, a copy of the monitor: its /proc/<pid>/exe would be
   the shim binary on the host.  A container process allowed to ptrace it
   (vm config caps SYS_PTRACE), or a command that is a script starting with
   `#!/proc/self/exe`, would get a handle on that host file and could rewrite
   it once no monitor runs it (runc's CVE-2019-5736).  So nanomega-shim
   re-executes itself, first thing, from a memfd copy sealed against writes
   (runc's cloned binary): every monitor and everything it forks has a
   read-only anonymous file as its exe, never a host path.  The launcher does
   it once per daemon and its monitors share the copy.  */
#ifndef SHIM_SEALED_H
#define SHIM_SEALED_H

#include <stdbool.h>

#include "error.h"

/* Is /proc/self/exe a memfd sealed against writes?  */
bool shim_exe_is_sealed (void);

/* Unless already sealed: copy /proc/self/exe into a sealed memfd and execve
   it with ARGV and the current environment.
   Returns only on failure.  */
int shim_reexec_sealed (char **argv, shim_error_t *err);

#endif
