/* shim/src/monitor.c — the monitor: fifos, clone of the container child,
   and the epoll loop that relays the launch handshake (freezing the
   child's cgroup before READY when the bootstrap says freeze=/freezer=),
   dispatches the console (console.c), the control socket (control.c,
   which answers ADDRS from the child's network namespace) and the exec
   socket (exec.c: commands run inside the running container), and records
   init's exit.

   The monitor stays in the host mount namespace with cwd "/": every mount
   happens in the child's own namespace, so nothing leaks if anything dies.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "console.h"
#include "control.h"
#include "exec.h"
#include "freeze.h"
#include "layer.h"
#include "mntns.h"
#include "monitor.h"
#include "sync.h"
#include "utils.h"

enum phase
{
  PHASE_STARTING,
  PHASE_READY,
  PHASE_RUNNING,
};

static const char *const phase_names[] = { "starting", "ready", "running" };

struct monitor
{
  struct shim_config *cfg;
  int engine_fd, child_fd, sigfd, epfd;
  pid_t child;
  enum phase phase;
  bool error_forwarded, aborted, done;
  bool froze; /* we froze the cgroup (bootstrap freeze=/freezer=).  */
  int status;
  struct shim_frame_reader engine_rd, child_rd;
  struct shim_console console;
  struct shim_control control;
  struct shim_execs exec;
};

/* ---- small helpers ---------------------------------------------------- */

static void
logmsg (const char *fmt, const char *arg)
{
  fprintf (stderr, "nanomega-shim[%d]: ", getpid ());
  fprintf (stderr, fmt, arg);
  fputc ('\n', stderr);
}

static int
epoll_add (struct monitor *m, int fd, uint32_t events, shim_error_t *err)
{
  struct epoll_event ev = { .events = events, .data.fd = fd };
  if (UNLIKELY (epoll_ctl (m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0))
    return shim_make_error (err, errno, "epoll_ctl add fd %d", fd);
  return 0;
}

static void
epoll_del_close (struct monitor *m, int *fd)
{
  if (*fd < 0)
    return;
  epoll_ctl (m->epfd, EPOLL_CTL_DEL, *fd, NULL);
  close (*fd);
  *fd = -1;
}

/* ---- the launch handshake --------------------------------------------- */

static void
send_engine (struct monitor *m, uint32_t type, const char *payload, size_t len)
{
  if (m->engine_fd >= 0 && shim_sync_send (m->engine_fd, type, payload, len, NULL) < 0)
    logmsg ("%s", "engine sync socket: write failed");
}

static void
kill_child (struct monitor *m)
{
  if (m->child <= 0)
    return;
  kill (m->child, SIGKILL);
  /* Our freeze, not yet handed over by EXEC, is ours to undo: a v1-frozen
     task keeps SIGKILL pending until thawed.  */
  if (m->froze && m->phase != PHASE_RUNNING)
    shim_thaw (m->cfg->freeze_dir, m->cfg->freeze_v1);
}

/* From here the child is the container's init: EXEC is queued on its
   socket (it reads it when thawed) and its exit is a container exit.  */
static void
hand_exec (struct monitor *m)
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
  kill_child (arg);
}

/* Once init was handed EXEC, the sync connection goes on as a control
   connection (HELLO, then EXITED, RESIZE, ADDRS): the engine needs no
   second connection per launch.  Anything still unread on it is the
   engine's handshake, which is over.  */
static void
engine_becomes_control (struct monitor *m)
{
  int fd = m->engine_fd;

  if (fd < 0 || m->phase != PHASE_RUNNING)
    return;
  epoll_ctl (m->epfd, EPOLL_CTL_DEL, fd, NULL);
  m->engine_fd = -1;
  m->control.on_abort = abort_from_engine;
  m->control.abort_arg = m;
  shim_control_adopt (&m->control, fd, m->child, phase_names[m->phase]);
}

/* The child is blocked before exec.  With freeze=/freezer= the monitor
   freezes its cgroup now and says READY "frozen", so the engine sends EXEC
   at once; a failed freeze fails the launch.  */
static void
child_ready (struct monitor *m)
{
  shim_error_t err = NULL;

  if (m->cfg->freeze_dir != NULL)
    {
      m->froze = true;
      if (shim_freeze (m->cfg->freeze_dir, m->cfg->freeze_v1, SHIM_FREEZE_TIMEOUT_MS, &err) < 0)
        {
          cleanup_free char *text = shim_error_text (err);
          logmsg ("freeze: %s", text ? text : "error");
          m->error_forwarded = true;
          if (m->engine_fd >= 0)
            shim_sync_send_error (m->engine_fd, err);
          shim_error_release (&err);
          kill_child (m);
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
    send_engine (m, SHIM_MSG_READY, "frozen", 6);
  else
    send_engine (m, SHIM_MSG_READY, NULL, 0);
  engine_becomes_control (m);
}

static void
engine_gone (struct monitor *m)
{
  epoll_del_close (m, &m->engine_fd);
  if (m->phase != PHASE_RUNNING)
    {
      logmsg ("%s", "engine closed the sync socket before EXEC: aborting launch");
      m->aborted = true;
      kill_child (m);
    }
}

static void
engine_readable (struct monitor *m)
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
          kill_child (m);
          break;
        default:
          logmsg ("%s", "engine sent an unexpected message; ignored");
        }
      free (payload);
    }
  if (r < 0)
    engine_gone (m);
  else
    engine_becomes_control (m);
}

static void
child_frames (struct monitor *m)
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
            send_engine (m, SHIM_MSG_MOUNTED, NULL, 0);
          break;
        case SHIM_MSG_READY:
          child_ready (m);
          break;
        case SHIM_MSG_ERROR:
          {
            size_t off = strnlen (payload, len);
            logmsg ("container child: %s", off + 1 < len ? payload + off + 1 : payload);
            m->error_forwarded = true;
            send_engine (m, SHIM_MSG_ERROR, payload, len);
            break;
          }
        }
      free (payload);
    }
}

static void
child_readable (struct monitor *m, bool drain)
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

/* ---- exit ------------------------------------------------------------- */

static int
write_exit_record (struct monitor *m, const char *text)
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
child_exited (struct monitor *m, int st)
{
  char text[128];
  struct timespec ts;

  m->child = -1;
  m->exec.running = false;
  if (m->console.master >= 0)
    shim_console_on_pty_readable (&m->console); /* last words on the console.  */
  if (m->child_fd >= 0)
    child_readable (m, true);

  if (m->phase == PHASE_RUNNING)
    {
      int n;
      clock_gettime (CLOCK_REALTIME, &ts);
      n = snprintf (text, sizeof text, "%s=%d\ntime=%lld\n", WIFSIGNALED (st) ? "signal" : "code",
                    WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st),
                    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
      if (write_exit_record (m, text) < 0)
        logmsg ("write exit record in `%s` failed", m->cfg->dir);
      send_engine (m, SHIM_MSG_EXITED, text, (size_t)n);
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
          send_engine (m, SHIM_MSG_ERROR, text, (size_t)n);
        }
      m->status = m->aborted ? 0 : 1;
    }
  m->done = true;
}

static void
reap (struct monitor *m)
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

/* ---- setup ------------------------------------------------------------ */

/* Field 22 (starttime) of /proc/PID/stat, 0 when unreadable.  comm (field
   2) may hold spaces and parentheses: count from after the last ')'.  */
static unsigned long long
start_ticks (pid_t pid)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p;
  int field;

  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  /* p + 2 is field 3 (state).  */
  for (p += 2, field = 3; field < 22 && p != NULL; field++)
    {
      p = strchr (p, ' ');
      if (p != NULL)
        p++;
    }
  return p != NULL ? strtoull (p, NULL, 10) : 0;
}

static int
make_fifos (struct monitor *m, shim_error_t *err)
{
  for (unsigned i = 0; i < m->cfg->fifos; i++)
    {
      char path[PATH_MAX];
      struct stat st;

      snprintf (path, sizeof path, "%s/fifo%u", m->cfg->dir, i);
      if (mknod (path, S_IFIFO | 0600, 0) < 0 && errno != EEXIST)
        return shim_make_error (err, errno, "mknod fifo `%s`", path);
      if (UNLIKELY (lstat (path, &st) < 0))
        return shim_make_error (err, errno, "lstat `%s`", path);
      if (UNLIKELY (!S_ISFIFO (st.st_mode)))
        return shim_make_error (err, EEXIST, "`%s` exists and is not a fifo", path);
    }
  return 0;
}

static int
write_uuid (struct monitor *m, shim_error_t *err)
{
  char path[PATH_MAX];
  cleanup_close int fd = -1;

  if (m->cfg->uuid == NULL || m->cfg->uuid[0] == '\0')
    return 0;
  snprintf (path, sizeof path, "%s/product_uuid", m->cfg->dir);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  if (UNLIKELY (shim_write_all (fd, m->cfg->uuid, strlen (m->cfg->uuid)) < 0 || shim_write_all (fd, "\n", 1) < 0))
    return shim_make_error (err, errno, "write `%s`", path);
  return 0;
}

/* Always followed by the monitor's exit.  */
static void
monitor_cleanup (struct monitor *m)
{
  /* The scrollback ring (256 KiB: a mapping of its own) goes with the
     address space at exit; freeing it first costs a munmap and a TLB
     shootdown of the other CPUs, per monitor of a mass kill.  */
  m->console.ring.buf = NULL;
  shim_console_close_all (&m->console);
  shim_control_close_all (&m->control);
  shim_execs_close_all (&m->exec);
  shim_frame_reader_free (&m->engine_rd);
  shim_frame_reader_free (&m->child_rd);
}

static int
monitor_setup (struct monitor *m, shim_error_t *err)
{
  char path[PATH_MAX];
  int sp[2];
  sigset_t mask;
  struct shim_mntns_clone ns = SHIM_MNTNS_CLONE_INIT;

  snprintf (path, sizeof path, "%s/exit", m->cfg->dir);
  unlink (path); /* a relaunch must not look exited.  */
  if (shim_layer_prepare (m->cfg, err) < 0 || make_fifos (m, err) < 0 || write_uuid (m, err) < 0
      || shim_console_init (&m->console, m->cfg, err) < 0
      || shim_control_init (&m->control, m->cfg, &m->console, err) < 0 || shim_execs_init (&m->exec, m->cfg, err) < 0)
    return -1;

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  if (UNLIKELY (sigprocmask (SIG_BLOCK, &mask, NULL) < 0))
    return shim_make_error (err, errno, "sigprocmask");
  m->sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (UNLIKELY (m->sigfd < 0))
    return shim_make_error (err, errno, "signalfd");
  m->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (UNLIKELY (m->epfd < 0))
    return shim_make_error (err, errno, "epoll_create1");
  if (UNLIKELY (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0))
    return shim_make_error (err, errno, "socketpair");

  fflush (NULL);
  /* The child's mount namespace is a copy of the small template, not of
     the host's table with every container's layer (mntns.c).  */
  shim_mntns_enter (m->cfg, &ns);
  m->child = (pid_t)syscall (
      SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
  if (m->child == 0)
    {
      close (sp[0]);
      m->console.sock.path[0] = m->control.sock.path[0] = m->exec.sock.path[0] = '\0'; /* not ours to unlink.  */
      if (shim_mntns_child_attach (m->cfg, &ns, err) < 0
          || shim_child_run (m->cfg, sp[1], m->console.slave_path, err) < 0)
        shim_sync_send_error (sp[1], *err);
      shim_error_release (err);
      return 1; /* child: caller returns 1 from main without reporting.  */
    }
  if (UNLIKELY (m->child < 0))
    {
      int e = errno;
      close (sp[0]);
      close (sp[1]);
      shim_mntns_leave (&ns, NULL);
      return shim_make_error (err, e, "clone");
    }
  if (shim_mntns_leave (&ns, err) < 0)
    {
      close (sp[0]);
      close (sp[1]);
      kill_child (m);
      return -1;
    }
  close (sp[1]);
  m->child_fd = sp[0];
  fcntl (m->child_fd, F_SETFL, O_NONBLOCK | O_RDWR);
  /* The child is in its own network namespace from the clone on: held
     here for ADDRS until the monitor exits.  A child that already failed
     (bad bootstrap, unreadable rootfs) may be gone: its own ERROR, waiting
     on child_fd, is the one to report; ADDRS then answers with an error.  */
  if (shim_control_open_netns (&m->control, m->child, err) < 0)
    {
      if ((*err)->status != ENOENT && (*err)->status != ESRCH)
        {
          kill_child (m);
          return -1;
        }
      shim_error_release (err);
    }
  /* A pidfd for `vm exec` to enter the container's namespaces by, held
     while the child is ours and unreaped (its pid cannot be reused).  */
  if (shim_execs_set_init (&m->exec, m->child, err) < 0)
    {
      if ((*err)->status != ESRCH)
        {
          kill_child (m);
          return -1;
        }
      shim_error_release (err);
    }

  if (epoll_add (m, m->engine_fd, EPOLLIN, err) < 0 || epoll_add (m, m->child_fd, EPOLLIN, err) < 0
      || shim_console_watch (&m->console, m->epfd, err) < 0 || shim_control_watch (&m->control, m->epfd, err) < 0
      || shim_execs_watch (&m->exec, m->epfd, err) < 0 || epoll_add (m, m->sigfd, EPOLLIN, err) < 0)
    {
      kill_child (m);
      return -1;
    }
  {
    /* With init's start time (field 22 of /proc/<pid>/stat): the engine
       tells a live init from a reused pid by it.  */
    char pids[96];
    int n = snprintf (pids, sizeof pids, "%d %d %llu", getpid (), m->child, start_ticks (m->child));
    if (shim_sync_send (m->engine_fd, SHIM_MSG_PID, pids, (size_t)n, err) < 0)
      {
        kill_child (m);
        return -1;
      }
  }
  return 0;
}

static void
dispatch (struct monitor *m, int fd, uint32_t events)
{
  if (fd == m->sigfd)
    reap (m);
  else if (fd == m->engine_fd)
    engine_readable (m);
  else if (fd == m->child_fd)
    child_readable (m, false);
  else if (fd == m->console.master)
    shim_console_on_pty_readable (&m->console);
  else if (fd == m->console.lfd)
    shim_console_accept (&m->console);
  else if (fd == m->control.lfd)
    shim_control_accept (&m->control, m->child, phase_names[m->phase]);
  else if (fd == m->exec.lfd)
    shim_execs_accept (&m->exec);
  else if (!shim_console_on_client (&m->console, fd, events) && !shim_control_on_client (&m->control, fd, events))
    shim_execs_on_fd (&m->exec, fd, events);
}

int
shim_monitor_run (struct shim_config *cfg, int sync_fd, shim_error_t *err)
{
  struct monitor m = { .cfg = cfg,
                       .engine_fd = sync_fd,
                       .child_fd = -1,
                       .sigfd = -1,
                       .epfd = -1,
                       .console = SHIM_CONSOLE_INIT,
                       .control = SHIM_CONTROL_INIT,
                       .exec = SHIM_EXECS_INIT };
  int r = monitor_setup (&m, err);

  if (r != 0)
    {
      if (r < 0)
        monitor_cleanup (&m);
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
          kill_child (&m);
          monitor_cleanup (&m);
          return shim_make_error (err, errno, "epoll_wait");
        }
      for (int i = 0; i < n && !m.done; i++)
        dispatch (&m, evs[i].data.fd, evs[i].events);
      shim_console_sweep (&m.console);
      shim_control_sweep (&m.control);
      shim_execs_sweep (&m.exec);
    }
  monitor_cleanup (&m);
  return m.status;
}
