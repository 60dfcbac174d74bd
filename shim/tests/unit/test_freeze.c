/* The monitor's freeze on stand-in files: what it writes, when it is done,
   and that every failure names the file.  The real kernel path runs in
   test/integration/shim.test.ts.  */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "freeze.h"

static void
put (const char *dir, const char *file, const char *text)
{
  char path[4096];
  FILE *f;

  snprintf (path, sizeof path, "%s/%s", dir, file);
  f = fopen (path, "w");
  if (f)
    {
      fputs (text, f);
      fclose (f);
    }
}

static const char *
get (const char *dir, const char *file)
{
  static char buf[256];
  char path[4096];
  FILE *f;
  size_t n = 0;

  snprintf (path, sizeof path, "%s/%s", dir, file);
  buf[0] = '\0';
  f = fopen (path, "r");
  if (f)
    {
      n = fread (buf, 1, sizeof buf - 1, f);
      fclose (f);
    }
  buf[n] = '\0';
  return buf;
}

static long long
ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
main (void)
{
  char dir[] = "/tmp/nm-freeze-XXXXXX";
  char missing[sizeof dir + 16];
  shim_error_t err = NULL;
  long long t0;

  CHECK (mkdtemp (dir) != NULL);

  /* v2: writes 1 to cgroup.freeze; done once cgroup.events says frozen 1.  */
  put (dir, "cgroup.freeze", "");
  put (dir, "cgroup.events", "populated 1\nfrozen 1\n");
  CHECK (shim_freeze (dir, false, 1000, &err) == 0);
  CHECK (strcmp (get (dir, "cgroup.freeze"), "1") == 0);

  /* ... and gives up after the timeout, naming cgroup.events.  */
  put (dir, "cgroup.events", "populated 1\nfrozen 0\n");
  t0 = ms ();
  CHECK (shim_freeze (dir, false, 60, &err) < 0);
  CHECK (ms () - t0 >= 60 && ms () - t0 < 1000);
  CHECK (strstr (err->msg, "timed out") && strstr (err->msg, dir) && strstr (err->msg, "/cgroup.events`"));
  shim_error_release (&err);

  shim_thaw (dir, false);
  CHECK (strcmp (get (dir, "cgroup.freeze"), "0") == 0);

  /* v1: writes FROZEN to freezer.state and reads it back.  */
  put (dir, "freezer.state", "THAWED\n");
  CHECK (shim_freeze (dir, true, 1000, &err) == 0);
  CHECK (strncmp (get (dir, "freezer.state"), "FROZEN", 6) == 0);
  shim_thaw (dir, true);
  CHECK (strncmp (get (dir, "freezer.state"), "THAWED", 6) == 0);

  /* A missing cgroup: the error names the file.  */
  snprintf (missing, sizeof missing, "%s/gone", dir);
  CHECK (shim_freeze (missing, false, 1000, &err) < 0);
  CHECK (strstr (err->msg, "open `") && strstr (err->msg, "/gone/cgroup.events`"));
  CHECK (shim_freeze (missing, true, 1000, &err) < 0);
  CHECK (strstr (err->msg, "open `") && strstr (err->msg, "/gone/freezer.state`"));
  shim_error_release (&err);

  for (const char *f = "cgroup.freeze\0cgroup.events\0freezer.state\0"; *f; f += strlen (f) + 1)
    {
      char path[sizeof dir + 32];
      snprintf (path, sizeof path, "%s/%s", dir, f);
      unlink (path);
    }
  rmdir (dir);
  return 0;
}
