/* shim/src/monitor-state.h — what the monitor's files share: its state,
   and the acts every part of it does (log, tell the engine, kill the
   child).  Internal to the monitor (monitor*.c).  */
#ifndef SHIM_MONITOR_STATE_H
#define SHIM_MONITOR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "console.h"
#include "control.h"
#include "exec.h"
#include "sync.h"

enum shim_monitor_phase
{
  PHASE_STARTING,
  PHASE_READY,
  PHASE_RUNNING,
};

/* By phase: what HELLO tells a control client.  */
extern const char *const shim_monitor_phase_names[];

struct shim_monitor
{
  struct shim_config *cfg;
  int engine_fd, child_fd, sigfd, epfd;
  pid_t child;
  enum shim_monitor_phase phase;
  bool error_forwarded, aborted, done;
  bool froze; /* we froze the cgroup (bootstrap freeze=/freezer=).  */
  int status;
  struct shim_frame_reader engine_rd, child_rd;
  struct shim_console console;
  struct shim_control control;
  struct shim_execs exec;
};

/* One line on stderr: FMT with one string ARG.  */
void shim_monitor_log (const char *fmt, const char *arg);
/* A frame to the engine on the sync socket, while that is open; a failed
   write is only logged.  */
void shim_monitor_send_engine (struct shim_monitor *m, uint32_t type, const char *payload, size_t len);
/* SIGKILL the container child unless it was reaped.  */
void shim_monitor_kill_child (struct shim_monitor *m);

#endif
