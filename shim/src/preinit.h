/* shim/src/preinit.h — minimega's `vm config preinit`: a host program run
   with every privilege inside the container's namespaces, before
   pivot_root and the lockdown (child.c).  */
#ifndef SHIM_PREINIT_H
#define SHIM_PREINIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

/* A place the container can write (its rw volume sources, its filesystem
   with snapshot=0, its instance dir): a preinit at or under one of them
   is refused.  */
struct shim_preinit_forbidden
{
  dev_t dev;
  ino_t ino;
  const char *what; /* host path, for the message.  */
};

/* Open the host file PATH for execution, O_PATH|O_NOFOLLOW one component
   at a time from "/":
     - PATH is absolute, has no `..` and no symlink in any component;
     - every directory on the way is owned by root and not writable by
       group or others, unless it has the sticky bit (only an entry's owner
       may rename or remove it there, as in /tmp);
     - the file is a regular file owned by root, not group/world-writable,
       with an execute bit;
     - neither the file nor a directory on the way is one of FORBIDDEN.
   Returns the O_PATH fd (O_CLOEXEC) of the checked file, or -1 with an
   error naming PATH and the component at fault.  */
int shim_preinit_open (const char *path, const struct shim_preinit_forbidden *forbidden, size_t n_forbidden,
                       shim_error_t *err);

/* Check and run CFG->preinit as `PATH PATH` (so $1 is its path) with
   CFG->env, stdin /dev/null, stdout/stderr copied to ours (the console),
   through the checked fd (execveat, so the file checked is the file run;
   a script therefore sees $0 = /dev/fd/N).  The caller is init of the
   container's PID namespace: once preinit has exited, every other process
   of the namespace (whatever preinit left running) is SIGKILLed and
   reaped before this returns.  A nonzero exit, a signal or a failed check
   is an error with the tail of preinit's output.  */
int shim_preinit_run (const struct shim_config *cfg, shim_error_t *err);

/* SIGKILL every process of our PID namespace but ourselves and reap them
   all (we must be its init).  */
int shim_kill_namespace_others (shim_error_t *err);

#endif
