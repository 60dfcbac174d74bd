/* shim/src/launcher.h — `nanomega-shim --launcher SOCK`: one process per
   daemon that forks a monitor per request, so the daemon never forks.  */
#ifndef SHIM_LAUNCHER_H
#define SHIM_LAUNCHER_H

#include <limits.h>
#include <stddef.h>

#include "error.h"
#include "protocol.h"

/* Longest token: a decimal integer below 10^19.  */
#define SHIM_LAUNCH_TOKEN_MAX 19

struct shim_launch_request
{
  char token[SHIM_LAUNCH_TOKEN_MAX + 1];
  char dir[PATH_MAX];
  /* "<token> <len> <dir>": LEN bytes of BOOTSTRAP payload follow the
     line; 0: "<token> <dir>", the monitor reads BOOTSTRAP from its sync
     connection.  */
  size_t boot_len;
};

/* Parse one request line, without its '\n': "<token> <dir>" or
   "<token> <len> <dir>", token a decimal integer, len a decimal byte count
   (1..SHIM_MAX_PAYLOAD), dir an absolute path.  */
int shim_launcher_parse (const char *line, size_t len, struct shim_launch_request *req, shim_error_t *err);

/* Compile the seccomp filter (shim_seccomp_prepare) for every monitor and
   child to inherit, then serve requests from stdin until it ends.  For
   each, double-fork a
   monitor: it starts a session, resets signals, names itself
   nanomega-shim, takes <dir>/shim.log as fd 2 and /dev/null as fd 0,
   connects to SOCK_PATH and sends ATTACH "<token>".
   Returns 0 in the launcher at end of input, -1 with *ERR when the
   launcher cannot go on, and 1 in a new monitor with *SYNC_FD set; *BOOT
   and *BOOT_LEN are the BOOTSTRAP payload the request carried (NULL, 0:
   the caller reads BOOTSTRAP from *SYNC_FD).  A monitor that failed to
   attach returns -1 with *SYNC_FD = -1.  ARGC/ARGV are main's: the launcher names itself
   nm-launcher (comm; the engine runs it with argv[0] nanomega-launcher) and
   each monitor rewrites them back to nanomega-shim, so ps, /proc/<pid>/comm
   and cmdline tell monitors from the launcher.  The short-lived
   intermediate process _exit()s here and never returns.  */
int shim_launcher_run (const char *sock_path, int argc, char **argv, int *sync_fd, const char **boot, size_t *boot_len,
                       shim_error_t *err);

#endif
