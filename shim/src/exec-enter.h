/* shim/src/exec-enter.h — entering a running container for one command
   (`vm exec`, cc): the helper the monitor forks, and the process it forks
   inside the container.  */
#ifndef SHIM_EXEC_ENTER_H
#define SHIM_EXEC_ENTER_H

#include "config.h"
#include "exec-spec.h"

struct shim_exec_enter
{
  const struct shim_config *cfg;
  const struct shim_exec_spec *spec;
  int init_pidfd; /* a pidfd of the container's init.  */
  int report;     /* helper <-> monitor: STARTED, ERROR, EXITED out; SIGNAL in.  */
  int stdio[3];   /* the process's stdin, stdout, stderr.  */
};

/* Runs in the helper, a fresh fork of the monitor (host pid namespace,
   outside the container), and never returns.  In order:
     not dumpable; default signals; only E's fds kept, as 0-2 plus the
     report socket and the pidfd; the container's cgroups; setns into all
     of init's namespaces at once through the pidfd (mount last: root and
     cwd become the container's); cwd resolved inside that root
     (RESOLVE_IN_ROOT); init's confinement (confine.c) — then fork.
   The fork is the only process that ever appears in the container's pid
   namespace: already confined, non-dumpable, with fds 0-2 and an exec-error
   pipe (close-on-exec) only, its exe the sealed memfd (sealed.h).  It
   reports its pid, then execs the command (PATH searched in the merged
   environment) or does put/get.  The helper stays outside as its parent:
   STARTED "<hostpid> <pid>" or ERROR, SIGNAL frames forwarded through a
   pidfd (no pid-reuse race: it reaps the child itself), then EXITED.  */
void shim_exec_helper (const struct shim_exec_enter *e) __attribute__ ((noreturn));

#endif
