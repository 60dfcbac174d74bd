/* shim_preinit_open's checks on real files: what it accepts, and that each
   refusal names the path and the reason.  Needs root (files owned by root
   and by another uid); skips otherwise.  Running preinit inside a
   container is tested in test/integration/shim.test.ts.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "preinit.h"

static char dir[] = "/tmp/nm-preinit-XXXXXX";

static void
put (const char *name, mode_t mode)
{
  char path[4096];
  int fd;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0)
    {
      if (write (fd, "#!/bin/sh\n", 10) != 10)
        perror ("write");
      close (fd);
    }
  chmod (path, mode);
}

/* Open NAME (under dir); returns the fd, or -1 with the message in MSG.  */
static int
try_open (const char *name, const struct shim_preinit_forbidden *f, size_t nf, char *msg, size_t len)
{
  char path[4096];
  shim_error_t err = NULL;
  int fd;

  snprintf (path, sizeof path, "%s%s%s", name[0] == '/' ? "" : dir, name[0] == '/' ? "" : "/", name);
  msg[0] = '\0';
  fd = shim_preinit_open (path, f, nf, &err);
  if (fd < 0)
    {
      char *text = shim_error_text (err);
      snprintf (msg, len, "%s", text ? text : "");
      free (text);
      shim_error_release (&err);
    }
  return fd;
}

static int
refused (const char *name, const char *want, const struct shim_preinit_forbidden *f, size_t nf)
{
  char msg[1024];
  int fd = try_open (name, f, nf, msg, sizeof msg);

  if (fd >= 0)
    {
      close (fd);
      fprintf (stderr, "%s: accepted, want `%s`\n", name, want);
      return 0;
    }
  if (strstr (msg, want) == NULL || strstr (msg, name[0] == '/' ? name : dir) == NULL)
    {
      fprintf (stderr, "%s: message `%s`, want `%s` and the path\n", name, msg, want);
      return 0;
    }
  return 1;
}

int
main (void)
{
  char msg[1024], sub[4200], path[4200];
  struct stat st;
  struct shim_preinit_forbidden forbidden[1];
  int fd;

  if (geteuid () != 0)
    return 77;
  if (mkdtemp (dir) == NULL)
    return 1;
  chmod (dir, 0755);

  put ("ok", 0755);
  fd = try_open ("ok", NULL, 0, msg, sizeof msg);
  CHECK (fd >= 0);
  CHECK (fstat (fd, &st) == 0 && S_ISREG (st.st_mode));
  CHECK (fcntl (fd, F_GETFD) & FD_CLOEXEC);
  close (fd);

  CHECK (refused ("missing", "open", NULL, 0));
  put ("world", 0757);
  CHECK (refused ("world", "writable by group or others", NULL, 0));
  put ("group", 0775);
  CHECK (refused ("group", "writable by group or others", NULL, 0));
  put ("noexec", 0644);
  CHECK (refused ("noexec", "not executable", NULL, 0));
  put ("notroot", 0755);
  snprintf (path, sizeof path, "%s/notroot", dir);
  CHECK (chown (path, 65534, 65534) == 0);
  CHECK (refused ("notroot", "owned by uid 65534, not root", NULL, 0));
  snprintf (path, sizeof path, "%s/link", dir);
  CHECK (symlink ("ok", path) == 0);
  CHECK (refused ("link", "is a symlink", NULL, 0));
  {
    shim_error_t err = NULL;
    char *text;
    CHECK (shim_preinit_open ("relative/x", NULL, 0, &err) < 0);
    text = shim_error_text (err);
    CHECK (text && strstr (text, "preinit `relative/x` is not an absolute host path"));
    free (text);
    shim_error_release (&err);
  }
  snprintf (path, sizeof path, "%s/../x", dir);
  CHECK (refused (path, "must not contain `..`", NULL, 0));

  /* Directories on the way: a symlink, a user's, a group-writable one.  */
  snprintf (sub, sizeof sub, "%s/d", dir);
  CHECK (mkdir (sub, 0755) == 0);
  put ("d/p", 0755);
  fd = try_open ("d/p", NULL, 0, msg, sizeof msg);
  CHECK (fd >= 0);
  close (fd);
  snprintf (path, sizeof path, "%s/dl", dir);
  CHECK (symlink ("d", path) == 0);
  CHECK (refused ("dl/p", "is a symlink", NULL, 0));
  CHECK (chmod (sub, 0775) == 0);
  CHECK (refused ("d/p", "directory `", NULL, 0));
  CHECK (refused ("d/p", "is writable by group or others (mode 0775)", NULL, 0));
  CHECK (chmod (sub, 01777) == 0); /* sticky, like /tmp: allowed.  */
  fd = try_open ("d/p", NULL, 0, msg, sizeof msg);
  CHECK (fd >= 0);
  close (fd);
  CHECK (chmod (sub, 0755) == 0);
  CHECK (chown (sub, 65534, 65534) == 0);
  CHECK (refused ("d/p", "is owned by uid 65534, not root", NULL, 0));
  CHECK (chown (sub, 0, 0) == 0);

  /* Under a place the container writes.  */
  CHECK (stat (sub, &st) == 0);
  forbidden[0] = (struct shim_preinit_forbidden){ st.st_dev, st.st_ino, "/the/volume" };
  CHECK (refused ("d/p", "inside `/the/volume`, which the container can write", forbidden, 1));
  snprintf (path, sizeof path, "%s/d/p", dir);
  CHECK (stat (path, &st) == 0);
  forbidden[0] = (struct shim_preinit_forbidden){ st.st_dev, st.st_ino, "/the/file" };
  CHECK (refused ("d/p", "inside `/the/file`", forbidden, 1));

  {
    char cmd[4200];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system (cmd) != 0)
      return 1;
  }
  return 0;
}
