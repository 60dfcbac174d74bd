/* BOOTSTRAP parsing: lists, defaults, validation, unknown keys.  */
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "check.h"
#include "config.h"

static int
parse (struct shim_config *cfg, const char *buf, size_t len, shim_error_t *err)
{
  shim_config_free (cfg);
  shim_error_release (err);
  return shim_config_parse (cfg, buf, len, err);
}

int
main (void)
{
  static const char good[] = "id=1\0name=a\0dir=/run/nm/1\0rootfs=/srv/r\0snapshot=1\0init=/init\0init=-v\0"
                             "env=PATH=/bin\0fifos=2\0volume=ro|/usr|/usr\0volume=rw|/d|/mnt\0cgroup=/sys/fs/cgroup/x\0"
                             "caps=NET_ADMIN\0cols=100\0";
  struct shim_config cfg = { 0 };
  shim_error_t err = NULL;

  CHECK (parse (&cfg, good, sizeof good - 1, &err) == 0);
  CHECK (cfg.snapshot && cfg.init.n == 2 && strcmp (cfg.init.items[1], "-v") == 0 && cfg.init.items[2] == NULL);
  CHECK (cfg.env.n == 2 && strcmp (cfg.env.items[1], "container=nanomega") == 0);
  CHECK (cfg.n_volumes == 2 && cfg.volumes[0].readonly && !cfg.volumes[1].readonly);
  CHECK (strcmp (cfg.volumes[1].src, "/d") == 0 && strcmp (cfg.volumes[1].dst, "/mnt") == 0);
  CHECK (cfg.cols == 100 && cfg.rows == 24 && cfg.scrollback == 65536 && cfg.fifos == 2);
  CHECK (cfg.caps.n == 1 && cfg.cgroups.n == 1);

  static const char unknown[] = "dir=/a\0rootfs=/b\0init=/init\0color=red\0";
  CHECK (parse (&cfg, unknown, sizeof unknown - 1, &err) < 0 && strstr (err->msg, "unknown key `color`"));
  static const char badnum[] = "dir=/a\0rootfs=/b\0init=/init\0fifos=1000000\0";
  CHECK (parse (&cfg, badnum, sizeof badnum - 1, &err) < 0 && strstr (err->msg, "fifos"));
  static const char noinit[] = "dir=/a\0rootfs=/b\0";
  CHECK (parse (&cfg, noinit, sizeof noinit - 1, &err) < 0 && strstr (err->msg, "init"));
  static const char badvol[] = "dir=/a\0rootfs=/b\0init=/init\0volume=xx|/a|/b\0";
  CHECK (parse (&cfg, badvol, sizeof badvol - 1, &err) < 0 && strstr (err->msg, "volume"));
  static const char badcap[] = "dir=/a\0rootfs=/b\0init=/init\0caps=FLY\0";
  CHECK (parse (&cfg, badcap, sizeof badcap - 1, &err) < 0 && strstr (err->msg, "capability"));
  static const char freeze2[] = "dir=/a\0rootfs=/b\0init=/init\0freeze=/sys/fs/cgroup/nanomega/x\0";
  CHECK (parse (&cfg, freeze2, sizeof freeze2 - 1, &err) == 0);
  CHECK (strcmp (cfg.freeze_dir, "/sys/fs/cgroup/nanomega/x") == 0 && !cfg.freeze_v1);
  static const char freeze1[] = "dir=/a\0rootfs=/b\0init=/init\0freezer=/sys/fs/cgroup/freezer/x\0";
  CHECK (parse (&cfg, freeze1, sizeof freeze1 - 1, &err) == 0);
  CHECK (strcmp (cfg.freeze_dir, "/sys/fs/cgroup/freezer/x") == 0 && cfg.freeze_v1);
  CHECK (parse (&cfg, good, sizeof good - 1, &err) == 0 && cfg.freeze_dir == NULL);
  static const char freezerel[] = "dir=/a\0rootfs=/b\0init=/init\0freeze=x\0";
  CHECK (parse (&cfg, freezerel, sizeof freezerel - 1, &err) < 0 && strstr (err->msg, "not absolute"));
  static const char unattended[] = "dir=/a\0rootfs=/b\0init=/init\0freeze=/x\0unattended=1\0";
  CHECK (parse (&cfg, unattended, sizeof unattended - 1, &err) == 0 && cfg.unattended);
  CHECK (parse (&cfg, good, sizeof good - 1, &err) == 0 && !cfg.unattended);
  static const char unattendedfree[] = "dir=/a\0rootfs=/b\0init=/init\0unattended=1\0";
  CHECK (parse (&cfg, unattendedfree, sizeof unattendedfree - 1, &err) < 0 && strstr (err->msg, "needs `freeze`"));
  static const char autoexec[] = "dir=/a\0rootfs=/b\0init=/init\0freezer=/x\0autoexec=1\0";
  CHECK (parse (&cfg, autoexec, sizeof autoexec - 1, &err) == 0 && cfg.autoexec && !cfg.unattended);
  static const char autoexecfree[] = "dir=/a\0rootfs=/b\0init=/init\0autoexec=1\0";
  CHECK (parse (&cfg, autoexecfree, sizeof autoexecfree - 1, &err) < 0 && strstr (err->msg, "`autoexec` needs `freeze`"));
  static const char freezeboth[] = "dir=/a\0rootfs=/b\0init=/init\0freeze=/x\0freezer=/y\0";
  CHECK (parse (&cfg, freezeboth, sizeof freezeboth - 1, &err) < 0 && strstr (err->msg, "freezer"));
  static const char unterminated[] = "dir=/a";
  CHECK (parse (&cfg, unterminated, sizeof unterminated - 1, &err) < 0);

  CHECK (shim_caps_default () == 0xa80435fbULL); /* Docker's 14 + NET_ADMIN.  */
  CHECK (shim_cap_from_name ("CAP_NET_ADMIN") == 12 && shim_cap_from_name ("checkpoint_restore") == 40);
  shim_config_free (&cfg);
  shim_error_release (&err);
  return 0;
}
