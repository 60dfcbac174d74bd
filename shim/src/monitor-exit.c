/* shim/src/monitor-exit.c — reaping (monitor-exit.h), and the exit record
   written atomically (temp file, fsync, rename, fsync of the directory).  */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor-exit.h"
#include "monitor-launch.h"
#include "utils.h"

static int
write_exit_record (struct shim_monitor *m, const char *text)
{
  char tmp[PATH_MAX], final[PATH_MAX];
  cleanup_close int fd = -1, dfd = -1;

  snprintf (tmp, sizeof tmp, "%s/exit.tmp", m->cfg->dir);
  snprintf (final, sizeof final, "%s/exit", m->cfg->dir);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || shim_write_all (fd, text, strlen (text)) < 0 || fsync (fd) < 0)
    return -1;
  if (rename (tmp, final) < 0)
    return -1;
  dfd = open (m->cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    fsync (dfd);
  return 0;
}

static void
child_exited (struct shim_monitor *m, int st)
{
  char text[128];
  struct timespec ts;

  m->child = -1;
  m->exec.running = false;
  if (m->console.master >= 0)
    shim_console_on_pty_readable (&m->console); /* last words on the console.  */
  if (m->child_fd >= 0)
    shim_monitor_child_readable (m, true);

  if (m->phase == PHASE_RUNNING)
    {
      int n;
      clock_gettime (CLOCK_REALTIME, &ts);
      n = snprintf (text, sizeof text, "%s=%d\ntime=%lld\n", WIFSIGNALED (st) ? "signal" : "code",
                    WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st),
                    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
      if (write_exit_record (m, text) < 0)
        shim_monitor_log ("write exit record in `%s` failed", m->cfg->dir);
      shim_monitor_send_engine (m, SHIM_MSG_EXITED, text, (size_t)n);
      shim_control_broadcast (&m->control, SHIM_MSG_EXITED, text, (size_t)n);
      m->status = 0;
    }
  else
    {
      if (!m->error_forwarded && !m->aborted)
        {
          int n = snprintf (text, sizeof text, "0%ccontainer child %s %d before exec", '\0',
                            WIFSIGNALED (st) ? "killed by signal" : "exited with status",
                            WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st));
          shim_monitor_send_engine (m, SHIM_MSG_ERROR, text, (size_t)n);
        }
      m->status = m->aborted ? 0 : 1;
    }
  m->done = true;
}

void
shim_monitor_reap (struct shim_monitor *m)
{
  struct signalfd_siginfo si;
  int st;
  pid_t pid;

  while (read (m->sigfd, &si, sizeof si) == sizeof si)
    ;
  while ((pid = waitpid (-1, &st, WNOHANG)) > 0)
    if (pid == m->child)
      child_exited (m, st);
    else
      shim_execs_reaped (&m->exec, pid, st);
}
