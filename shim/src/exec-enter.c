/* shim/src/exec-enter.c — see exec-enter.h.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "confine.h"
#include "exec-enter.h"
#include "inroot.h"
#include "sync.h"
#include "utils.h"

#define REPORT_FD 3
#define PIDFD_FD 4
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* The exec-error pipe: the child's pid in the container, then nothing
   (execve closed it) or "<errno>\0<message>".  */
#define ERR_MAX 512

/* fds 0-2 = E->stdio, 3 = report, 4 = init's pidfd, nothing else: the
   monitor's sockets, netns fds and console never reach the container.  */
static int
arrange_fds (const struct shim_exec_enter *e, shim_error_t *err)
{
  int src[5] = { e->stdio[0], e->stdio[1], e->stdio[2], e->report, e->init_pidfd };
  int tmp[5];

  for (int i = 0; i < 5; i++)
    {
      tmp[i] = fcntl (src[i], F_DUPFD_CLOEXEC, 16);
      if (UNLIKELY (tmp[i] < 0))
        return shim_make_error (err, errno, "dup fd %d", src[i]);
    }
  for (int i = 0; i < 5; i++)
    if (UNLIKELY (dup3 (tmp[i], i, i < 3 ? 0 : O_CLOEXEC) < 0))
      return shim_make_error (err, errno, "dup3 to fd %d", i);
  if (UNLIKELY (close_range (5, ~0U, 0) < 0))
    return shim_make_error (err, errno, "close_range");
  return 0;
}

static int
enter (const struct shim_exec_enter *e, shim_error_t *err)
{
  cleanup_close int rootfd = -1, cwdfd = -1;

  if (UNLIKELY (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0))
    return shim_make_error (err, errno, "prctl PR_SET_DUMPABLE");
  shim_default_signals ();
  if (arrange_fds (e, err) < 0)
    return -1;
  umask (022);
  if (shim_cgroup_enter (e->cfg, err) < 0)
    return -1;
  /* All at once through the pidfd (Linux 5.8); the mount namespace makes
     root and cwd the container's root.  */
  if (UNLIKELY (
          setns (PIDFD_FD, CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID)
          < 0))
    return shim_make_error (err, errno == ESRCH ? ESRCH : errno, "setns into the container's namespaces");
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (UNLIKELY (rootfd < 0))
    return shim_make_error (err, errno, "open the container's root");
  /* A symlink as (part of) the working directory resolves inside the
     container's root, like every other path the shim touches.  */
  cwdfd = shim_open_in_root (rootfd, e->spec->cwd, O_PATH | O_DIRECTORY, NULL);
  if (UNLIKELY (cwdfd < 0))
    return shim_make_error (err, errno, "working directory `%s`", e->spec->cwd);
  if (UNLIKELY (fchdir (cwdfd) < 0))
    return shim_make_error (err, errno, "chdir `%s`", e->spec->cwd);
  close (rootfd);
  close (cwdfd);
  rootfd = cwdfd = -1;
  return shim_confine (e->cfg, REPORT_FD, err);
}

/* ---- in the child, inside the container -------------------------------- */

static void
child_fail (int ep, int status, const char *fmt, const char *arg)
{
  char buf[ERR_MAX];
  int n = snprintf (buf, sizeof buf, "%d%c", status, '\0');
  int m = snprintf (buf + n, sizeof buf - (size_t)n, fmt, arg);

  if (m > 0 && (size_t)(n + m) < sizeof buf)
    m += snprintf (buf + n + m, sizeof buf - (size_t)(n + m), ": %s", strerror (status));

  if (m > 0)
    (void)!write (ep, buf, (size_t)n + ((size_t)m < sizeof buf - (size_t)n ? (size_t)m : sizeof buf - (size_t)n - 1));
  _exit (127);
}

static const char *
env_path (char *const *envp)
{
  for (; *envp; envp++)
    if (strncmp (*envp, "PATH=", 5) == 0)
      return *envp + 5;
  return DEFAULT_PATH;
}

/* execvpe with the PATH of ENVP (glibc's uses the caller's).  Returns the
   errno to report.  */
static int
exec_search (char *const *argv, char *const *envp)
{
  const char *name = argv[0], *p;
  bool eacces = false;
  char buf[4096];

  if (strchr (name, '/') != NULL)
    {
      execve (name, argv, envp);
      return errno;
    }
  for (p = env_path (envp);; p++)
    {
      const char *end = strchrnul (p, ':');
      size_t dlen = (size_t)(end - p);
      if (dlen + strlen (name) + 2 <= sizeof buf)
        {
          memcpy (buf, dlen ? p : ".", dlen ? dlen : 1);
          snprintf (buf + (dlen ? dlen : 1), sizeof buf - (dlen ? dlen : 1), "/%s", name);
          execve (buf, argv, envp);
          if (errno == EACCES)
            eacces = true;
          else if (errno != ENOENT && errno != ENOTDIR)
            return errno;
        }
      if (*end == '\0')
        break;
      p = end;
    }
  return eacces ? EACCES : ENOENT;
}

static int
open_file (const char *path, int flags, mode_t mode)
{
  struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC | O_NONBLOCK),
                          .mode = (flags & O_CREAT) ? mode : 0,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  int fd;

  while (*path == '/')
    path++;
  if (root < 0)
    return -1;
  do
    fd = (int)syscall (SYS_openat2, root, *path ? path : ".", &how, sizeof how);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  if (fd < 0)
    return -1;
  /* A fifo, device or socket is no file to transfer (and O_NONBLOCK kept a
     fifo from blocking the open).  */
  if (fstat (fd, &st) < 0)
    {
      close (fd);
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      errno = S_ISDIR (st.st_mode) ? EISDIR : EINVAL;
      return -1;
    }
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

static void
transfer_fail (const char *what, const char *path)
{
  char buf[ERR_MAX];
  int n = snprintf (buf, sizeof buf, "nanomega: %s `%s`: %s\n", what, path, strerror (errno));
  if (n > 0)
    (void)!write (2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
  _exit (1);
}

static int
copy_fd (int in, int out)
{
  enum
  {
    SIZE = 1 << 17
  };
  cleanup_free char *buf = malloc (SIZE);

  if (buf == NULL)
    return -1;
  for (;;)
    {
      ssize_t n = read (in, buf, SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return (int)n;
      if (shim_write_all (out, buf, (size_t)n) < 0)
        return -1;
    }
}

/* put: stdin into PATH (parents created), inside the container's root.  */
static void
do_put (const struct shim_exec_spec *s)
{
  cleanup_free char *dir = strdup (s->path);
  char *slash = dir ? strrchr (dir, '/') : NULL;
  int fd;

  if (dir == NULL)
    transfer_fail ("put", s->path);
  if (slash != NULL && slash != dir)
    {
      cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      cleanup_close int made = -1;
      *slash = '\0';
      if (root < 0 || (made = shim_mkdir_in_root (root, dir, 0755, NULL)) < 0)
        transfer_fail ("mkdir", dir);
    }
  fd = open_file (s->path, O_WRONLY | O_CREAT | O_TRUNC, s->mode);
  if (fd < 0)
    transfer_fail ("open", s->path);
  if (fchmod (fd, s->mode) < 0)
    transfer_fail ("chmod", s->path);
  if (copy_fd (0, fd) < 0 || close (fd) < 0)
    transfer_fail ("write", s->path);
  _exit (0);
}

/* get: PATH, inside the container's root, to stdout.  */
static void
do_get (const struct shim_exec_spec *s)
{
  int fd = open_file (s->path, O_RDONLY, 0);

  if (fd < 0)
    transfer_fail ("open", s->path);
  for (;;)
    {
      ssize_t n = sendfile (1, fd, NULL, 1 << 20);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EINVAL || errno == ENOSYS))
        {
          if (copy_fd (fd, 1) < 0)
            transfer_fail ("read", s->path);
          break;
        }
      if (n < 0)
        transfer_fail ("read", s->path);
      if (n == 0)
        break;
    }
  _exit (0);
}

static void
run_child (const struct shim_exec_enter *e, char *const *envp, int ep)
{
  pid_t me = getpid ();
  int r;

  close (REPORT_FD);
  setsid ();
  if (e->spec->tty && ioctl (0, TIOCSCTTY, 0) < 0)
    child_fail (ep, errno, "%s", "ioctl TIOCSCTTY on the exec pty");
  (void)!write (ep, &me, sizeof me);
  if (e->spec->op != SHIM_EXEC_RUN)
    {
      close (ep);
      if (e->spec->op == SHIM_EXEC_PUT)
        do_put (e->spec);
      do_get (e->spec);
    }
  r = exec_search (e->spec->argv.items, envp);
  errno = r;
  child_fail (ep, r, "exec `%s`", e->spec->argv.items[0]);
}

/* ---- in the helper, outside ------------------------------------------- */

static void
report_error_text (int status, const char *msg)
{
  char buf[ERR_MAX + 32];
  int n = snprintf (buf, sizeof buf, "%d%c%s", status, '\0', msg);
  shim_sync_send (REPORT_FD, SHIM_MSG_ERROR, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1, NULL);
}

/* Read the exec-error pipe: 0 once the command runs (*NSPID set), -1 with
   the failure reported.  */
static int
await_start (int ep, pid_t *nspid)
{
  char buf[ERR_MAX + 1];
  size_t got = 0;

  for (;;)
    {
      ssize_t n = read (ep, buf + got, sizeof buf - 1 - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (size_t)n;
      if (got == sizeof buf - 1)
        break;
    }
  if (got < sizeof *nspid)
    {
      report_error_text (EIO, "the exec child died before it ran the command");
      return -1;
    }
  memcpy (nspid, buf, sizeof *nspid);
  if (got == sizeof *nspid)
    return 0;
  buf[got] = '\0';
  {
    const char *status = buf + sizeof *nspid;
    size_t slen = strnlen (status, got - sizeof *nspid);
    const char *msg = slen + 1 < got - sizeof *nspid ? status + slen + 1 : "exec failed";
    report_error_text (atoi (status), msg);
  }
  return -1;
}

static void
exit_text (int st, char *buf, size_t size)
{
  if (WIFSIGNALED (st))
    snprintf (buf, size, "signal=%d\n", WTERMSIG (st));
  else
    snprintf (buf, size, "code=%d\n", WEXITSTATUS (st));
}

static void __attribute__ ((noreturn)) supervise (pid_t child)
{
  struct shim_frame_reader rd = { 0 };
  int pidfd = (int)syscall (SYS_pidfd_open, child, 0);
  bool monitor_gone = false;
  char text[64];
  int st;

  for (;;)
    {
      struct pollfd p[2]
          = { { .fd = pidfd, .events = POLLIN }, { .fd = monitor_gone ? -1 : REPORT_FD, .events = POLLIN } };
      if (pidfd < 0 || poll (p, 2, -1) < 0)
        {
          if (pidfd >= 0 && errno == EINTR)
            continue;
          break; /* no pidfd: just wait.  */
        }
      if (p[0].revents)
        break;
      if (p[1].revents)
        {
          uint32_t type, len;
          char *payload;
          ssize_t n = shim_frame_reader_fill (&rd, REPORT_FD);
          if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            {
              /* The monitor is gone: nobody can read the output any more.  */
              monitor_gone = true;
              syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
              continue;
            }
          while (shim_frame_reader_next (&rd, &type, &payload, &len) == 1)
            {
              int sig = atoi (payload);
              if (type == SHIM_MSG_EXEC_SIGNAL && sig > 0 && sig < NSIG)
                syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
              free (payload);
            }
        }
    }
  while (waitpid (child, &st, 0) < 0 && errno == EINTR)
    ;
  exit_text (st, text, sizeof text);
  shim_sync_send (REPORT_FD, SHIM_MSG_EXEC_EXITED, text, strlen (text), NULL);
  _exit (0);
}

void
shim_exec_helper (const struct shim_exec_enter *e)
{
  shim_error_t err = NULL;
  struct shim_list env = { 0 };
  int ep[2];
  pid_t child, nspid = 0;
  char started[64];

  if (enter (e, &err) < 0 || shim_exec_merge_env (&e->cfg->env, &e->spec->env, &env) < 0
      || (pipe2 (ep, O_CLOEXEC) < 0 && shim_make_error (&err, errno, "pipe2") < 0))
    {
      if (err == NULL)
        shim_make_error (&err, ENOMEM, "exec environment");
      shim_sync_send_error (REPORT_FD, err);
      _exit (1);
    }
  child = fork ();
  if (child < 0)
    {
      shim_make_error (&err, errno, "fork into the container");
      shim_sync_send_error (REPORT_FD, err);
      _exit (1);
    }
  if (child == 0)
    {
      close (ep[0]);
      run_child (e, env.items, ep[1]);
    }
  close (ep[1]);
  if (await_start (ep[0], &nspid) < 0)
    {
      while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
        ;
      _exit (1);
    }
  close (ep[0]);
  snprintf (started, sizeof started, "%d %d", child, nspid);
  shim_sync_send (REPORT_FD, SHIM_MSG_EXEC_STARTED, started, strlen (started), NULL);
  supervise (child);
}
