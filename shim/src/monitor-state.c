/* shim/src/monitor-state.c — the acts every part of the monitor does on
   its state (monitor-state.h).  */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "freeze.h"
#include "monitor-state.h"

const char *const shim_monitor_phase_names[] = { "starting", "ready", "running" };

void
shim_monitor_log (const char *fmt, const char *arg)
{
  fprintf (stderr, "nanomega-shim[%d]: ", getpid ());
  fprintf (stderr, fmt, arg);
  fputc ('\n', stderr);
}

void
shim_monitor_send_engine (struct shim_monitor *m, uint32_t type, const char *payload, size_t len)
{
  if (m->engine_fd >= 0 && shim_sync_send (m->engine_fd, type, payload, len, NULL) < 0)
    shim_monitor_log ("%s", "engine sync socket: write failed");
}

void
shim_monitor_kill_child (struct shim_monitor *m)
{
  if (m->child <= 0)
    return;
  kill (m->child, SIGKILL);
  /* Our freeze, not yet handed over by EXEC, is ours to undo: a v1-frozen
     task keeps SIGKILL pending until thawed.  */
  if (m->froze && m->phase != PHASE_RUNNING)
    shim_thaw (m->cfg->freeze_dir, m->cfg->freeze_v1);
}
