/* shim/src/main.c — nanomega-shim entry: read BOOTSTRAP from the sync fd
   (NANOMEGA_SYNC_FD, or the connection a launcher-forked monitor attached
   over), hand over to the monitor.  `nanomega-shim --launcher SOCK` runs the
   launcher instead (launcher.c); `nanomega-shim --umount PATH...` detaches
   mounts (the engine's batched unmount of writable layers: umount(8)
   re-reads the whole mount table per path, quadratic in a flush of
   thousands).  Only main ends the process (and the launcher's short-lived
   intermediate, which _exit()s).  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config.h"
#include "launcher.h"
#include "monitor.h"
#include "sealed.h"
#include "sync.h"
#include "utils.h"

static int
sync_fd_from_env (shim_error_t *err)
{
  const char *s = getenv ("NANOMEGA_SYNC_FD");
  char *end = NULL;
  long fd;
  int fl;

  if (s == NULL)
    return shim_make_error (err, 0, "NANOMEGA_SYNC_FD is not set");
  fd = strtol (s, &end, 10);
  if (*s == '\0' || *end != '\0' || fd < 3 || fd > 1024)
    return shim_make_error (err, 0, "bad NANOMEGA_SYNC_FD `%s`", s);
  fl = fcntl ((int)fd, F_GETFL);
  if (UNLIKELY (fl < 0))
    return shim_make_error (err, errno, "fcntl sync fd %ld", fd);
  /* libuv may hand us a non-blocking end.  */
  if (UNLIKELY (fcntl ((int)fd, F_SETFL, fl & ~O_NONBLOCK) < 0 || fcntl ((int)fd, F_SETFD, FD_CLOEXEC) < 0))
    return shim_make_error (err, errno, "fcntl sync fd %ld", fd);
  return (int)fd;
}

/* BOOT: the payload a launcher request carried; NULL: read it from FD.  */
static int
read_bootstrap (int fd, const char *boot, size_t boot_len, struct shim_config *cfg, shim_error_t *err)
{
  cleanup_free char *payload = NULL;
  uint32_t type, len;

  if (boot != NULL)
    return shim_config_parse (cfg, boot, boot_len, err);
  if (shim_sync_recv (fd, &type, &payload, &len, err) < 0)
    return shim_error_wrap (err, "reading BOOTSTRAP");
  if (type != SHIM_MSG_BOOTSTRAP)
    return shim_make_error (err, 0, "expected BOOTSTRAP, got message %#x", type);
  return shim_config_parse (cfg, payload, len, err);
}

/* umount2 (MNT_DETACH) each path, never following a final symlink; every
   path is tried, and the status says whether all went.  */
static int
umount_lazy (int n, char **paths)
{
  int status = EXIT_SUCCESS;

  if (n > 0 && strcmp (paths[0], "--") == 0)
    n--, paths++;
  for (int i = 0; i < n; i++)
    if (umount2 (paths[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
      {
        fprintf (stderr, "nanomega-shim: umount `%s`: %s\n", paths[i], strerror (errno));
        status = EXIT_FAILURE;
      }
  return status;
}

int
main (int argc, char **argv)
{
  shim_error_t err = NULL;
  struct shim_config cfg;
  const char *boot = NULL;
  size_t boot_len = 0;
  int fd = -1, ret;

  memset (&cfg, 0, sizeof cfg);
  if (chdir ("/") < 0)
    return EXIT_FAILURE;
  if (argc > 1 && strcmp (argv[1], "--umount") == 0)
    return umount_lazy (argc - 2, argv + 2); /* no monitor: nothing to seal.  */
  /* First of all, before any fd of ours is opened: run from a sealed copy
     (sealed.h).  On failure we go on, and the monitors refuse `vm exec`.  */
  if (!shim_exe_is_sealed () && shim_reexec_sealed (argv, &err) < 0)
    {
      cleanup_free char *text = shim_error_text (err);
      fprintf (stderr, "nanomega-shim: %s; `vm exec` is refused\n", text ? text : "error");
      shim_error_release (&err);
    }
  /* An exec through a memfd names the process after the fd number.  */
  prctl (PR_SET_NAME, "nanomega-shim", 0, 0, 0);

  if (argc > 1 && strcmp (argv[1], "--launcher") == 0)
    {
      if (argc != 3)
        {
          fprintf (stderr, "usage: nanomega-shim --launcher SOCKET\n");
          return EXIT_FAILURE;
        }
      ret = shim_launcher_run (argv[2], argc, argv, &fd, &boot, &boot_len, &err);
      if (ret == 0)
        return EXIT_SUCCESS;
    }
  else
    {
      ret = 0;
      fd = sync_fd_from_env (&err);
    }
  signal (SIGPIPE, SIG_IGN);
  signal (SIGHUP, SIG_IGN);

  if (ret < 0 || fd < 0 || read_bootstrap (fd, boot, boot_len, &cfg, &err) < 0
      || (ret = shim_monitor_run (&cfg, fd, &err)) < 0)
    {
      cleanup_free char *text = shim_error_text (err);
      fprintf (stderr, "nanomega-shim: %s\n", text ? text : "error");
      if (fd >= 0)
        shim_sync_send_error (fd, err);
      shim_error_release (&err);
      shim_config_free (&cfg);
      return EXIT_FAILURE;
    }
  shim_config_free (&cfg);
  return ret;
}
