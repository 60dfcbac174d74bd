/* The writable layer (review M2): a tmpfs of disksize= bytes at <dir>/layer,
   made once and kept for the next incarnation; without disksize= the
   overlay stays in the instance dir.  Mounting needs root (skip: 77).  */
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "layer.h"

static int
parse (struct shim_config *cfg, const char *pairs, size_t len, shim_error_t *err)
{
  return shim_config_parse (cfg, pairs, len, err);
}

static int
config_checks (void)
{
  static const char ok[] = "dir=/a\0rootfs=/b\0init=/init\0snapshot=1\0disksize=1073741824\0";
  static const char small[] = "dir=/a\0rootfs=/b\0init=/init\0disksize=4096\0";
  static const char big[] = "dir=/a\0rootfs=/b\0init=/init\0disksize=17592186044417\0";
  struct shim_config cfg;
  shim_error_t err = NULL;
  char buf[PATH_MAX];

  CHECK (parse (&cfg, ok, sizeof ok - 1, &err) == 0);
  CHECK (cfg.disk_size == 1073741824ULL);
  CHECK (shim_layer_dir (&cfg, buf, sizeof buf, &err) == 0 && strcmp (buf, "/a/layer") == 0);
  cfg.disk_size = 0;
  CHECK (shim_layer_dir (&cfg, buf, sizeof buf, &err) == 0 && strcmp (buf, "/a") == 0);
  shim_config_free (&cfg);
  CHECK (parse (&cfg, small, sizeof small - 1, &err) < 0 && strstr (err->msg, "disksize"));
  shim_config_free (&cfg);
  shim_error_release (&err);
  CHECK (parse (&cfg, big, sizeof big - 1, &err) < 0 && strstr (err->msg, "disksize"));
  shim_config_free (&cfg);
  shim_error_release (&err);
  return 0;
}

/* In a child with a private mount namespace, so nothing outlives the test.  */
static int
mount_checks (void)
{
  char dir[] = "/tmp/nanomega-test-layer-XXXXXX", layer[256], big[512];
  struct shim_config cfg = { .snapshot = true, .disk_size = 4 << 20 };
  shim_error_t err = NULL;
  struct statfs sf;
  FILE *f;
  size_t written = 0;
  char chunk[65536];

  CHECK (unshare (CLONE_NEWNS) == 0);
  CHECK (mount ("", "/", NULL, MS_PRIVATE | MS_REC, NULL) == 0);
  CHECK (mkdtemp (dir) != NULL);
  cfg.dir = dir;
  snprintf (layer, sizeof layer, "%s/layer", dir);
  CHECK (shim_layer_prepare (&cfg, &err) == 0);
  CHECK (statfs (layer, &sf) == 0 && sf.f_type == TMPFS_MAGIC);
  CHECK ((unsigned long long) sf.f_blocks * (unsigned long long) sf.f_bsize == 4ULL << 20);
  /* Filling it stops at its size with ENOSPC.  */
  snprintf (big, sizeof big, "%s/fill", layer);
  memset (chunk, 'x', sizeof chunk);
  CHECK ((f = fopen (big, "w")) != NULL);
  setvbuf (f, NULL, _IONBF, 0);
  while (fwrite (chunk, 1, sizeof chunk, f) == sizeof chunk)
    written += sizeof chunk;
  CHECK (errno == ENOSPC);
  fclose (f);
  CHECK (written <= 4 << 20 && written >= 3 << 20);
  /* The next incarnation keeps it, content and all (no second mount).  */
  CHECK (shim_layer_prepare (&cfg, &err) == 0);
  CHECK (access (big, F_OK) == 0);
  CHECK (umount2 (layer, MNT_DETACH) == 0);
  /* Not snapshot, or no size: nothing is mounted.  */
  cfg.snapshot = false;
  CHECK (shim_layer_prepare (&cfg, &err) == 0);
  cfg.snapshot = true;
  cfg.disk_size = 0;
  CHECK (shim_layer_prepare (&cfg, &err) == 0);
  rmdir (layer);
  rmdir (dir);
  return 0;
}

int
main (void)
{
  pid_t pid;
  int st;

  CHECK (config_checks () == 0);
  if (geteuid () != 0)
    {
      fprintf (stderr, "test_layer: not root, mounts skipped\n");
      return 77;
    }
  pid = fork ();
  if (pid == 0)
    _exit (mount_checks ());
  CHECK (pid > 0 && waitpid (pid, &st, 0) == pid);
  CHECK (WIFEXITED (st) && WEXITSTATUS (st) == 0);
  return 0;
}
