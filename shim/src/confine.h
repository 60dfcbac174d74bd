/* shim/src/confine.h — the last steps before container code runs, shared by
   the launch path (child.c, before execve of init) and the exec path
   (exec-enter.c, before a command runs inside a running container), so the
   two cannot drift apart.  */
#ifndef SHIM_CONFINE_H
#define SHIM_CONFINE_H

#include "config.h"
#include "error.h"

/* Close every fd but 0-2 and KEEP (-1: none).  */
int shim_close_fds (int keep, shim_error_t *err);

/* In order: not dumpable (no ptrace, no /proc/<pid>/{exe,fd,mem} for the
   container's processes until execve makes the process an ordinary one of
   the container), capabilities dropped to Docker's default plus CFG->caps
   (caps.c), no_new_privs and the seccomp filter unless CFG->unconfined
   (seccomp.c), then every fd but 0-2 and KEEP closed.  The caller's root,
   cwd, namespaces and cgroups must already be the container's.  */
int shim_confine (const struct shim_config *cfg, int keep, shim_error_t *err);

#endif
