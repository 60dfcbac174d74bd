/* cap_last_cap comes from the kernel, not from whatever /proc shows: a
   volume over /proc/sys/kernel (review L1) cannot stop the bounding set
   from being dropped.  The spoofing half needs root (mount namespace).  */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "check.h"

static int
proc_last_cap (void)
{
  FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "r");
  int n = -1;

  if (f)
    {
      if (fscanf (f, "%d", &n) != 1)
        n = -1;
      fclose (f);
    }
  return n;
}

static unsigned long long
cap_bnd (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  unsigned long long v = ~0ULL;

  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "CapBnd: %llx", &v) == 1)
      break;
  if (f)
    fclose (f);
  return v;
}

/* In a child with its own mount namespace: cover cap_last_cap with a file
   saying 0, then drop.  */
static int
spoofed_drop (void)
{
  char fake[] = "/tmp/nanomega-test-caplast-XXXXXX";
  struct shim_config cfg = { 0 };
  shim_error_t err = NULL;
  int fd;

  CHECK (unshare (CLONE_NEWNS) == 0);
  CHECK (mount ("", "/", NULL, MS_SLAVE | MS_REC, NULL) == 0);
  CHECK ((fd = mkstemp (fake)) >= 0);
  CHECK (write (fd, "0\n", 2) == 2);
  close (fd);
  CHECK (mount (fake, "/proc/sys/kernel/cap_last_cap", NULL, MS_BIND, NULL) == 0);
  unlink (fake);
  CHECK (proc_last_cap () == 0);
  CHECK (shim_caps_last (&err) > 0);
  CHECK (shim_caps_drop (&cfg, &err) == 0);
  CHECK (cap_bnd () == shim_caps_default ());
  return 0;
}

int
main (void)
{
  shim_error_t err = NULL;
  pid_t pid;
  int st;

  CHECK (shim_caps_last (&err) == proc_last_cap ());
  if (geteuid () != 0)
    {
      fprintf (stderr, "test_caps: not root, the spoofed /proc half skipped\n");
      return 0;
    }
  pid = fork ();
  if (pid == 0)
    _exit (spoofed_drop ());
  CHECK (pid > 0 && waitpid (pid, &st, 0) == pid);
  CHECK (WIFEXITED (st) && WEXITSTATUS (st) == 0);
  return 0;
}
