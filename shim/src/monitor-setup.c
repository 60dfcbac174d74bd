/* shim/src/monitor-setup.c — the monitor's setup and cleanup
   (monitor-setup.h).  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"
#include "layer.h"
#include "mntns.h"
#include "monitor-setup.h"
#include "utils.h"

static int
epoll_add (struct shim_monitor *m, int fd, uint32_t events, shim_error_t *err)
{
  struct epoll_event ev = { .events = events, .data.fd = fd };
  if (UNLIKELY (epoll_ctl (m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0))
    return shim_make_error (err, errno, "epoll_ctl add fd %d", fd);
  return 0;
}

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
make_fifos (struct shim_monitor *m, shim_error_t *err)
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
write_uuid (struct shim_monitor *m, shim_error_t *err)
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
void
shim_monitor_cleanup (struct shim_monitor *m)
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

int
shim_monitor_setup (struct shim_monitor *m, shim_error_t *err)
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
      shim_monitor_kill_child (m);
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
          shim_monitor_kill_child (m);
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
          shim_monitor_kill_child (m);
          return -1;
        }
      shim_error_release (err);
    }

  if (epoll_add (m, m->engine_fd, EPOLLIN, err) < 0 || epoll_add (m, m->child_fd, EPOLLIN, err) < 0
      || shim_console_watch (&m->console, m->epfd, err) < 0 || shim_control_watch (&m->control, m->epfd, err) < 0
      || shim_execs_watch (&m->exec, m->epfd, err) < 0 || epoll_add (m, m->sigfd, EPOLLIN, err) < 0)
    {
      shim_monitor_kill_child (m);
      return -1;
    }
  {
    /* With init's start time (field 22 of /proc/<pid>/stat): the engine
       tells a live init from a reused pid by it.  */
    char pids[96];
    int n = snprintf (pids, sizeof pids, "%d %d %llu", getpid (), m->child, start_ticks (m->child));
    if (shim_sync_send (m->engine_fd, SHIM_MSG_PID, pids, (size_t)n, err) < 0)
      {
        shim_monitor_kill_child (m);
        return -1;
      }
  }
  return 0;
}
