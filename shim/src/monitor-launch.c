/* shim/src/monitor-launch.c — the launch handshake (monitor-launch.h):
   frames from the engine and from the container child, and the phase they
   move the monitor through.  */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "freeze.h"
#include "monitor-launch.h"
#include "utils.h"

static void
epoll_del_close (struct shim_monitor *m, int *fd)
{
  if (*fd < 0)
    return;
  epoll_ctl (m->epfd, EPOLL_CTL_DEL, *fd, NULL);
  close (*fd);
  *fd = -1;
}

/* From here the child is the container's init: EXEC is queued on its
   socket (it reads it when thawed) and its exit is a container exit.  */
static void
hand_exec (struct shim_monitor *m)
{
  if (m->phase != PHASE_READY || m->child_fd < 0)
    return;
  m->phase = PHASE_RUNNING;
  m->exec.running = true;
  shim_sync_send (m->child_fd, SHIM_MSG_EXEC, NULL, 0, NULL);
}

/* ABORT after EXEC (the engine rolling a launch back): init dies, and its
   exit is recorded as any exit after EXEC.  */
static void
abort_from_engine (void *arg)
{
  shim_monitor_kill_child (arg);
}

/* Once init was handed EXEC, the sync connection goes on as a control
   connection (HELLO, then EXITED, RESIZE, ADDRS): the engine needs no
   second connection per launch.  Anything still unread on it is the
   engine's handshake, which is over.  */
static void
engine_becomes_control (struct shim_monitor *m)
{
  int fd = m->engine_fd;

  if (fd < 0 || m->phase != PHASE_RUNNING)
    return;
  epoll_ctl (m->epfd, EPOLL_CTL_DEL, fd, NULL);
  m->engine_fd = -1;
  m->control.on_abort = abort_from_engine;
  m->control.abort_arg = m;
  shim_control_adopt (&m->control, fd, m->child, shim_monitor_phase_names[m->phase]);
}

/* The child is blocked before exec.  With freeze=/freezer= the monitor
   freezes its cgroup now and says READY "frozen", so the engine sends EXEC
   at once; a failed freeze fails the launch.  */
static void
child_ready (struct shim_monitor *m)
{
  shim_error_t err = NULL;

  if (m->cfg->freeze_dir != NULL)
    {
      m->froze = true;
      if (shim_freeze (m->cfg->freeze_dir, m->cfg->freeze_v1, SHIM_FREEZE_TIMEOUT_MS, &err) < 0)
        {
          cleanup_free char *text = shim_error_text (err);
          shim_monitor_log ("freeze: %s", text ? text : "error");
          m->error_forwarded = true;
          if (m->engine_fd >= 0)
            shim_sync_send_error (m->engine_fd, err);
          shim_error_release (&err);
          shim_monitor_kill_child (m);
          return;
        }
    }
  m->phase = PHASE_READY;
  /* Unattended or autoexec: the cgroup is frozen (config.c requires a
     freezer), so EXEC now only lets init exec when the engine thaws it, as
     the engine's own EXEC would.  */
  if (m->cfg->unattended || m->cfg->autoexec)
    hand_exec (m);
  if (m->froze)
    shim_monitor_send_engine (m, SHIM_MSG_READY, "frozen", 6);
  else
    shim_monitor_send_engine (m, SHIM_MSG_READY, NULL, 0);
  engine_becomes_control (m);
}

static void
engine_gone (struct shim_monitor *m)
{
  epoll_del_close (m, &m->engine_fd);
  if (m->phase != PHASE_RUNNING)
    {
      shim_monitor_log ("%s", "engine closed the sync socket before EXEC: aborting launch");
      m->aborted = true;
      shim_monitor_kill_child (m);
    }
}

void
shim_monitor_engine_readable (struct shim_monitor *m)
{
  ssize_t n = shim_frame_reader_fill (&m->engine_rd, m->engine_fd);
  uint32_t type, len;
  char *payload;
  int r;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      engine_gone (m);
      return;
    }
  while ((r = shim_frame_reader_next (&m->engine_rd, &type, &payload, &len)) == 1)
    {
      switch (type)
        {
        case SHIM_MSG_CONTINUE: /* the payload is the child's NICs.  */
          if (m->child_fd >= 0)
            shim_sync_send (m->child_fd, SHIM_MSG_CONTINUE, payload, len, NULL);
          break;
        case SHIM_MSG_EXEC:
          hand_exec (m);
          break;
        case SHIM_MSG_ABORT:
          m->aborted = m->phase != PHASE_RUNNING;
          shim_monitor_kill_child (m);
          break;
        default:
          shim_monitor_log ("%s", "engine sent an unexpected message; ignored");
        }
      free (payload);
    }
  if (r < 0)
    engine_gone (m);
  else
    engine_becomes_control (m);
}

static void
child_frames (struct shim_monitor *m)
{
  uint32_t type, len;
  char *payload;

  while (shim_frame_reader_next (&m->child_rd, &type, &payload, &len) == 1)
    {
      switch (type)
        {
        case SHIM_MSG_MOUNTED:
          /* Unattended: no NICs to wait for, the engine expects no MOUNTED.  */
          if (m->cfg->unattended)
            shim_sync_send (m->child_fd, SHIM_MSG_CONTINUE, NULL, 0, NULL);
          else
            shim_monitor_send_engine (m, SHIM_MSG_MOUNTED, NULL, 0);
          break;
        case SHIM_MSG_READY:
          child_ready (m);
          break;
        case SHIM_MSG_ERROR:
          {
            size_t off = strnlen (payload, len);
            shim_monitor_log ("container child: %s", off + 1 < len ? payload + off + 1 : payload);
            m->error_forwarded = true;
            shim_monitor_send_engine (m, SHIM_MSG_ERROR, payload, len);
            break;
          }
        }
      free (payload);
    }
}

void
shim_monitor_child_readable (struct shim_monitor *m, bool drain)
{
  for (;;)
    {
      ssize_t n = shim_frame_reader_fill (&m->child_rd, m->child_fd);
      if (n < 0 && errno == EINTR)
        continue;
      if (n > 0)
        {
          child_frames (m);
          if (drain)
            continue;
          return;
        }
      if (n < 0 && errno == EAGAIN)
        return;
      epoll_del_close (m, &m->child_fd); /* EOF: exec'd (CLOEXEC) or dead.  */
      return;
    }
}
