/* shim/src/monitor.c — the monitor: its setup (monitor-setup.c: fifos,
   clone of the container child), and the epoll loop that relays the launch
   handshake (monitor-launch.c: freezing the child's cgroup before READY
   when the bootstrap says freeze=/freezer=), dispatches the console
   (console.c), the control socket (control.c, which answers ADDRS from the
   child's network namespace) and the exec socket (exec.c: commands run
   inside the running container), and records init's exit
   (monitor-exit.c).

   The monitor stays in the host mount namespace with cwd "/": every mount
   happens in the child's own namespace, so nothing leaks if anything dies.  */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "monitor-exit.h"
#include "monitor-launch.h"
#include "monitor-setup.h"
#include "monitor.h"

static void
dispatch (struct shim_monitor *m, int fd, uint32_t events)
{
  if (fd == m->sigfd)
    shim_monitor_reap (m);
  else if (fd == m->engine_fd)
    shim_monitor_engine_readable (m);
  else if (fd == m->child_fd)
    shim_monitor_child_readable (m, false);
  else if (fd == m->console.master)
    shim_console_on_pty_readable (&m->console);
  else if (fd == m->console.lfd)
    shim_console_accept (&m->console);
  else if (fd == m->control.lfd)
    shim_control_accept (&m->control, m->child, shim_monitor_phase_names[m->phase]);
  else if (fd == m->exec.lfd)
    shim_execs_accept (&m->exec);
  else if (!shim_console_on_client (&m->console, fd, events) && !shim_control_on_client (&m->control, fd, events))
    shim_execs_on_fd (&m->exec, fd, events);
}

int
shim_monitor_run (struct shim_config *cfg, int sync_fd, shim_error_t *err)
{
  struct shim_monitor m = { .cfg = cfg,
                            .engine_fd = sync_fd,
                            .child_fd = -1,
                            .sigfd = -1,
                            .epfd = -1,
                            .console = SHIM_CONSOLE_INIT,
                            .control = SHIM_CONTROL_INIT,
                            .exec = SHIM_EXECS_INIT };
  int r = shim_monitor_setup (&m, err);

  if (r != 0)
    {
      if (r < 0)
        shim_monitor_cleanup (&m);
      else
        shim_ring_free (&m.console.ring);
      return r;
    }

  while (!m.done)
    {
      struct epoll_event evs[32];
      int n = epoll_wait (m.epfd, evs, 32, -1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          shim_monitor_kill_child (&m);
          shim_monitor_cleanup (&m);
          return shim_make_error (err, errno, "epoll_wait");
        }
      for (int i = 0; i < n && !m.done; i++)
        dispatch (&m, evs[i].data.fd, evs[i].events);
      shim_console_sweep (&m.console);
      shim_control_sweep (&m.control);
      shim_execs_sweep (&m.exec);
    }
  shim_monitor_cleanup (&m);
  return m.status;
}
