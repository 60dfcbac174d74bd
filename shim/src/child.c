/* shim/src/child.c — the container child.  Order:
     tty → eBPF device filter (ebpf.c, with devcgroup=) → cgroups → cgroupns
     → hostname → rootfs/mounts (under <dir>/rootfs)
     → MOUNTED, wait CONTINUE → lo and the NICs of CONTINUE up, addresses
     (netlink.c) → preinit (preinit.c: a host file, with the host root
     still visible, every process it left killed) → pivot_root
     → check init → caps → no_new_privs + seccomp filter (seccomp.c)
     → close fds (confine.c, shared with `vm exec`) → READY, wait EXEC
     → execve.
   Nothing from the container's filesystem is executed before the caps
   drop and seccomp: preinit and its interpreter come from the host root,
   and the container's / only becomes our / at pivot_root.  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup.h"
#include "child.h"
#include "confine.h"
#include "ebpf.h"
#include "netlink.h"
#include "preinit.h"
#include "rootfs.h"
#include "sync.h"
#include "utils.h"

static int
setup_tty (const char *slave, shim_error_t *err)
{
  cleanup_close int fd = -1;

  if (UNLIKELY (setsid () < 0))
    return shim_make_error (err, errno, "setsid");
  fd = open (slave, O_RDWR | O_CLOEXEC);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open pty slave `%s`", slave);
  if (UNLIKELY (ioctl (fd, TIOCSCTTY, 0) < 0))
    return shim_make_error (err, errno, "ioctl TIOCSCTTY `%s`", slave);
  for (int i = 0; i < 3; i++)
    if (UNLIKELY (dup2 (fd, i) < 0))
      return shim_make_error (err, errno, "dup2 pty slave to %d", i);
  return 0;
}

/* Wait for message WANT; its payload goes to *PAYLOAD (caller frees) when
   PAYLOAD is not NULL.  */
static int
expect (int sync_fd, uint32_t want, const char *what, char **payload, uint32_t *len, shim_error_t *err)
{
  cleanup_free char *buf = NULL;
  uint32_t type, n;

  if (shim_sync_recv (sync_fd, &type, &buf, &n, err) < 0)
    return shim_error_wrap (err, "waiting for %s", what);
  if (UNLIKELY (type != want))
    return shim_make_error (err, 0, "waiting for %s: got message %#x", what, type);
  if (payload)
    {
      *payload = buf;
      *len = n;
      buf = NULL;
    }
  return 0;
}

/* The container side of the NICs, from the CONTINUE payload; lo comes up
   in every container, with or without NICs.  */
static int
setup_network (const char *payload, uint32_t len, shim_error_t *err)
{
  struct shim_nics nics;
  int r = shim_nics_parse (&nics, payload, len, err);

  if (r == 0)
    r = shim_netlink_setup (&nics, err);
  shim_nics_free (&nics);
  return r;
}

static void
reset_signals (void)
{
  sigset_t none;

  sigemptyset (&none);
  signal (SIGPIPE, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static int
check_init (const struct shim_config *cfg, shim_error_t *err)
{
  const char *init = cfg->init.items[0];
  struct stat st;

  if (UNLIKELY (stat (init, &st) < 0))
    return shim_make_error (err, errno, "init `%s`", init);
  if (UNLIKELY (!S_ISREG (st.st_mode)))
    return shim_make_error (err, EACCES, "init `%s`", init);
  if (UNLIKELY (faccessat (AT_FDCWD, init, X_OK, AT_EACCESS) < 0))
    return shim_make_error (err, errno, "init `%s`", init);
  return 0;
}

int
shim_child_run (const struct shim_config *cfg, int sync_fd, const char *pty_slave, shim_error_t *err)
{
  cleanup_close int rootfd = -1;
  cleanup_free char *net = NULL;
  uint32_t net_len = 0;

  umask (0);
  if (shim_close_fds (sync_fd, err) < 0)
    return -1;
  if (setup_tty (pty_slave, err) < 0)
    return -1;
  /* Before we join: the policy holds from our first moment in the cgroup,
     as the v1 devices.allow the engine writes does.  */
  if (cfg->devcgroup && shim_ebpf_devices_attach (cfg->devcgroup, cfg->tun, err) < 0)
    return -1;
  if (shim_cgroup_join (cfg, err) < 0)
    return -1;
  if (cfg->hostname && cfg->hostname[0]
      && UNLIKELY (sethostname (cfg->hostname, strlen (cfg->hostname)) < 0))
    return shim_make_error (err, errno, "sethostname `%s`", cfg->hostname);
  if (UNLIKELY (mount ("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0))
    return shim_make_error (err, errno, "make / rslave");

  rootfd = shim_rootfs_mount (cfg, err);
  if (rootfd < 0)
    return -1;
  if (shim_rootfs_populate (cfg, rootfd, pty_slave, err) < 0)
    return -1;
  close (rootfd);
  rootfd = -1;
  umask (022);

  if (shim_sync_send (sync_fd, SHIM_MSG_MOUNTED, NULL, 0, err) < 0)
    return -1;
  if (expect (sync_fd, SHIM_MSG_CONTINUE, "CONTINUE", &net, &net_len, err) < 0)
    return -1;
  /* Still with every capability, before preinit: it sees its NICs up
     (minimega's order).  */
  if (setup_network (net, net_len, err) < 0)
    return -1;
  /* Before pivot_root: preinit and its interpreter are host files.  */
  if (cfg->preinit && cfg->preinit[0] && shim_preinit_run (cfg, err) < 0)
    return -1;
  if (shim_rootfs_pivot (cfg, err) < 0)
    return -1;
  if (check_init (cfg, err) < 0)
    return -1;
  /* The same code path as every command run by `vm exec` (exec-enter.c).  */
  if (shim_confine (cfg, sync_fd, err) < 0)
    return -1;

  if (shim_sync_send (sync_fd, SHIM_MSG_READY, NULL, 0, err) < 0)
    return -1;
  /* Our cgroup is frozen before EXEC is sent (by the monitor with freeze=,
     else by the engine): this read returns only once we are thawed.  */
  if (expect (sync_fd, SHIM_MSG_EXEC, "EXEC", NULL, NULL, err) < 0)
    return -1;

  /* After pivot_root "/" is the container's root, so the path and any
     symlink in it resolve inside; with the container's own capabilities.  */
  if (cfg->cwd && UNLIKELY (chdir (cfg->cwd) < 0))
    return shim_make_error (err, errno, "working directory `%s`", cfg->cwd);
  reset_signals ();
  execve (cfg->init.items[0], cfg->init.items, cfg->env.items);
  return shim_make_error (err, errno, "execve init `%s`", cfg->init.items[0]);
}
