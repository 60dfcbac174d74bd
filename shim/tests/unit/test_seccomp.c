/* The seccomp filter compiled once and inherited through fork, or compiled
   lazily by a process that never prepared it: either way the same calls
   fail the same way.  Unprivileged: no_new_privs makes loading allowed.  */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "seccomp.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static int
filters_loaded (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  int n = -1;

  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "Seccomp_filters: %d", &n) == 1)
      break;
  if (f)
    fclose (f);
  return n;
}

/* In a forked child: apply, then probe.  Exit status 0 = all held.  */
static int
confined_checks (void)
{
  struct shim_config cfg = { 0 };
  shim_error_t err = NULL;

  CHECK (shim_seccomp_apply (&cfg, &err) == 0);
  CHECK (prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
  CHECK (filters_loaded () == -1 || filters_loaded () == 2);
  CHECK (unshare (CLONE_NEWUTS) < 0 && errno == EPERM);
  /* Unfiltered, root would get ENOENT here, and mount nothing.  */
  CHECK (mount ("none", "/nonexistent-nanomega-test", "tmpfs", 0, NULL) < 0 && errno == EPERM);
  CHECK (syscall (SYS_keyctl, 0, 0, 0, 0, 0) < 0 && errno == EPERM);
  CHECK (syscall (SYS_clone3, NULL, 0) < 0 && errno == ENOSYS);
  CHECK (personality (0xffffffff) >= 0);
  CHECK (personality (ADDR_NO_RANDOMIZE) < 0 && errno == EPERM);
  CHECK (getpid () > 0);
  return 0;
}

static int
in_child (int (*fn) (void))
{
  pid_t pid = fork ();
  int st;

  if (pid == 0)
    _exit (fn ());
  if (pid < 0 || waitpid (pid, &st, 0) != pid)
    return -1;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

static int
unconfined_checks (void)
{
  struct shim_config cfg = { .unconfined = true };
  shim_error_t err = NULL;

  CHECK (shim_seccomp_apply (&cfg, &err) == 0);
  CHECK (prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
  CHECK (prctl (PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
  return 0;
}

int
main (void)
{
  shim_error_t err = NULL;
  const struct sock_fprog *prog;

  /* Lazily, in a process that never prepared (a spawned shim).  */
  CHECK (shim_seccomp_program () == NULL);
  CHECK (in_child (confined_checks) == 0);
  CHECK (in_child (unconfined_checks) == 0);
  CHECK (shim_seccomp_program () == NULL);

  /* Once, then inherited.  */
  CHECK (shim_seccomp_prepare (&err) == 0);
  prog = shim_seccomp_program ();
  CHECK (prog != NULL && prog->len > 10 && prog->filter != NULL);
  CHECK (shim_seccomp_prepare (&err) == 0 && shim_seccomp_program () == prog);
  CHECK (in_child (confined_checks) == 0);
  CHECK (in_child (unconfined_checks) == 0);
  return 0;
}
