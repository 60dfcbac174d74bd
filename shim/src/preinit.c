/* shim/src/preinit.c — minimega's preinit, run so that nothing the
   container can write ever runs with more than the container's
   capabilities.

   minimega runs preinit as a host program after the namespaces exist and
   before the chroot, cgroups and capability drop (container.go); its path
   and its `#!` interpreter are host files.  We keep those semantics and
   add what makes them safe:
     - the file is opened O_PATH|O_NOFOLLOW component by component and
       checked (root-owned, not group/world-writable, no symlink, no
       directory on the way that anyone but root may change, not inside a
       place this container writes), then executed through that very fd
       (execveat AT_EMPTY_PATH), so what was checked is what runs;
     - it runs before pivot_root (child.c), so `#!/bin/sh` is the host's
       shell and /proc/sys is the host's writable procfs, whose net.* files
       belong to the network namespace of the process that opens them: the
       container's;
     - the caller is init of the container's PID namespace; when preinit
       exits, kill(-1, SIGKILL) from there reaches every process of the
       namespace but the caller, so nothing preinit left behind survives
       into the container's life with full capabilities.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preinit.h"
#include "utils.h"

/* Bytes of preinit's output kept for the error message.  */
#define TAIL_MAX 400

static int
forbidden_match (const struct stat *st, const struct shim_preinit_forbidden *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (f[i].dev == st->st_dev && f[i].ino == st->st_ino)
      return (int) i;
  return -1;
}

/* Directory DIR (as reached by PREFIX) may hold a preinit: root's alone.  */
static int
check_dir (const char *path, const char *prefix, const struct stat *st, shim_error_t *err)
{
  if (UNLIKELY (!S_ISDIR (st->st_mode)))
    return shim_make_error (err, 0, "preinit `%s`: `%s` is not a directory", path, prefix);
  if (UNLIKELY (st->st_uid != 0))
    return shim_make_error (err, 0, "preinit `%s`: directory `%s` is owned by uid %u, not root", path, prefix,
                            (unsigned) st->st_uid);
  if (UNLIKELY ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)))
    return shim_make_error (err, 0, "preinit `%s`: directory `%s` is writable by group or others (mode %04o)",
                            path, prefix, (unsigned) (st->st_mode & 07777));
  return 0;
}

static int
check_file (const char *path, const struct stat *st, shim_error_t *err)
{
  if (UNLIKELY (!S_ISREG (st->st_mode)))
    return shim_make_error (err, 0, "preinit `%s` is not a regular file", path);
  if (UNLIKELY (st->st_uid != 0))
    return shim_make_error (err, 0, "preinit `%s` is owned by uid %u, not root", path, (unsigned) st->st_uid);
  if (UNLIKELY (st->st_mode & (S_IWGRP | S_IWOTH)))
    return shim_make_error (err, 0, "preinit `%s` is writable by group or others (mode %04o)", path,
                            (unsigned) (st->st_mode & 07777));
  if (UNLIKELY (!(st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))))
    return shim_make_error (err, 0, "preinit `%s` is not executable (mode %04o)", path,
                            (unsigned) (st->st_mode & 07777));
  return 0;
}

int
shim_preinit_open (const char *path, const struct shim_preinit_forbidden *forbidden, size_t n_forbidden,
                   shim_error_t *err)
{
  cleanup_free char *copy = NULL;
  char prefix[PATH_MAX];
  size_t plen = 0;
  int fd, next;
  char *save = NULL, *comp;
  struct stat st;

  if (path == NULL || path[0] != '/')
    return shim_make_error (err, 0, "preinit `%s` is not an absolute host path", path ? path : "");
  if (strlen (path) >= sizeof prefix)
    return shim_make_error (err, ENAMETOOLONG, "preinit `%s`", path);
  copy = strdup (path);
  if (copy == NULL)
    return shim_make_error (err, ENOMEM, "preinit `%s`", path);

  fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "preinit `%s`: open `/`", path);
  strcpy (prefix, "/");
  comp = strtok_r (copy, "/", &save);
  for (;;)
    {
      int i;
      if (UNLIKELY (fstat (fd, &st) < 0))
        {
          close (fd);
          return shim_make_error (err, errno, "preinit `%s`: fstat `%s`", path, prefix);
        }
      if (S_ISLNK (st.st_mode))
        {
          close (fd);
          return shim_make_error (err, 0, "preinit `%s`: `%s` is a symlink (give the real path)", path, prefix);
        }
      if ((i = forbidden_match (&st, forbidden, n_forbidden)) >= 0)
        {
          close (fd);
          return shim_make_error (err, 0, "preinit `%s` is inside `%s`, which the container can write", path,
                                  forbidden[i].what);
        }
      if (comp == NULL)
        break; /* FD is the file itself.  */
      if (check_dir (path, prefix, &st, err) < 0)
        {
          close (fd);
          return -1;
        }
      if (strcmp (comp, "..") == 0)
        {
          close (fd);
          return shim_make_error (err, 0, "preinit `%s` must not contain `..`", path);
        }
      if (strcmp (comp, ".") == 0)
        {
          comp = strtok_r (NULL, "/", &save);
          continue;
        }
      do
        next = openat (fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      while (next < 0 && errno == EINTR);
      close (fd);
      plen = strlen (prefix);
      snprintf (prefix + plen, sizeof prefix - plen, "%s%s", plen > 1 ? "/" : "", comp);
      if (UNLIKELY (next < 0))
        return shim_make_error (err, errno, "preinit `%s`: open `%s`", path, prefix);
      fd = next;
      comp = strtok_r (NULL, "/", &save);
    }
  if (check_file (path, &st, err) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

int
shim_kill_namespace_others (shim_error_t *err)
{
  for (;;)
    {
      pid_t w;
      /* From init of a PID namespace, -1 means every process of the
         namespace except ourselves; ESRCH: none is left.  */
      if (kill (-1, SIGKILL) < 0)
        {
          if (errno == ESRCH)
            return 0;
          return shim_make_error (err, errno, "kill leftover preinit processes");
        }
      /* Every process of the namespace descends from us and is reparented
         to us when its parent dies: reaping until ECHILD empties it.  */
      do
        w = waitpid (-1, NULL, 0);
      while (w < 0 && errno == EINTR);
      if (w < 0 && errno == ECHILD)
        return 0;
    }
}

/* Places this container writes, for shim_preinit_open.  Entries that do
   not exist are skipped (nothing can be under them).  */
static size_t
forbidden_places (const struct shim_config *cfg, struct shim_preinit_forbidden *out, char *base, size_t max)
{
  size_t n = 0;
  struct stat st;
  char *slash;

  for (size_t i = 0; i < cfg->n_volumes && n < max; i++)
    if (!cfg->volumes[i].readonly && stat (cfg->volumes[i].src, &st) == 0)
      out[n++] = (struct shim_preinit_forbidden){ st.st_dev, st.st_ino, cfg->volumes[i].src };
  if (!cfg->snapshot && n < max && stat (cfg->rootfs, &st) == 0)
    out[n++] = (struct shim_preinit_forbidden){ st.st_dev, st.st_ino, cfg->rootfs };
  /* The engine's base directory holds every instance dir (overlay uppers,
     fifos, snapshot=0 roots of others): nothing under it is a host file.  */
  snprintf (base, PATH_MAX, "%s", cfg->dir);
  slash = strrchr (base, '/');
  if (slash != NULL && slash != base)
    *slash = '\0';
  if (n < max && stat (base, &st) == 0)
    out[n++] = (struct shim_preinit_forbidden){ st.st_dev, st.st_ino, base };
  return n;
}

static void
keep_tail (char *tail, size_t *len, const char *buf, size_t n)
{
  if (n >= TAIL_MAX)
    {
      memcpy (tail, buf + n - TAIL_MAX, TAIL_MAX);
      *len = TAIL_MAX;
      return;
    }
  if (*len + n > TAIL_MAX)
    {
      size_t drop = *len + n - TAIL_MAX;
      memmove (tail, tail + drop, *len - drop);
      *len -= drop;
    }
  memcpy (tail + *len, buf, n);
  *len += n;
}

/* Copy what preinit writes to our stdout (the console) and keep its tail,
   until preinit itself has exited (PIDFD readable); then take what is
   already buffered.  A process preinit left behind may keep the pipe open:
   we never wait for EOF.  */
static int
relay_until_exit (int out, int pidfd, pid_t pid, int *status, char *tail, size_t *tail_len)
{
  struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = out, .events = POLLIN } };
  char buf[4096];
  ssize_t n;

  for (;;)
    {
      nfds_t nfds = p[1].fd >= 0 ? 2 : 1;
      if (poll (p, nfds, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (nfds == 2 && p[1].revents)
        {
          n = read (out, buf, sizeof buf);
          if (n > 0)
            {
              shim_write_all (STDOUT_FILENO, buf, (size_t) n);
              keep_tail (tail, tail_len, buf, (size_t) n);
            }
          else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            p[1].fd = -1; /* EOF: wait on the pidfd alone.  */
        }
      if (p[0].revents)
        break;
    }
  if (p[1].fd >= 0)
    {
      fcntl (out, F_SETFL, O_NONBLOCK);
      while ((n = read (out, buf, sizeof buf)) > 0)
        {
          shim_write_all (STDOUT_FILENO, buf, (size_t) n);
          keep_tail (tail, tail_len, buf, (size_t) n);
        }
    }
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

static void __attribute__ ((noreturn))
exec_preinit (const struct shim_config *cfg, int fd, int out)
{
  char *argv[] = { cfg->preinit, cfg->preinit, NULL };
  sigset_t none;
  int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  /* execveat of a script reopens it as /dev/fd/N: N must survive exec.  */
  int xfd = dup (fd);

  sigemptyset (&none);
  signal (SIGPIPE, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  sigprocmask (SIG_SETMASK, &none, NULL);
  umask (022);
  if (null < 0 || dup2 (null, STDIN_FILENO) < 0 || dup2 (out, STDOUT_FILENO) < 0 || dup2 (out, STDERR_FILENO) < 0
      || xfd < 0)
    _exit (126);
  syscall (SYS_execveat, xfd, "", argv, cfg->env.items, AT_EMPTY_PATH);
  dprintf (STDERR_FILENO, "nanomega-shim: exec preinit `%s`: %s\n", cfg->preinit, strerror (errno));
  _exit (127);
}

int
shim_preinit_run (const struct shim_config *cfg, shim_error_t *err)
{
  struct shim_preinit_forbidden forbidden[64];
  char base[PATH_MAX], tail[TAIL_MAX + 1];
  size_t n_forbidden = forbidden_places (cfg, forbidden, base, sizeof forbidden / sizeof forbidden[0]);
  size_t tail_len = 0;
  cleanup_close int fd = shim_preinit_open (cfg->preinit, forbidden, n_forbidden, err);
  cleanup_close int pidfd = -1;
  int pipefd[2], status = 0, r;
  pid_t pid;

  if (fd < 0)
    return -1;
  if (UNLIKELY (pipe2 (pipefd, O_CLOEXEC) < 0))
    return shim_make_error (err, errno, "preinit `%s`: pipe", cfg->preinit);
  pid = fork ();
  if (UNLIKELY (pid < 0))
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return shim_make_error (err, errno, "fork preinit `%s`", cfg->preinit);
    }
  if (pid == 0)
    exec_preinit (cfg, fd, pipefd[1]);
  close (pipefd[1]);
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (UNLIKELY (pidfd < 0))
    {
      int e = errno;
      close (pipefd[0]);
      shim_kill_namespace_others (NULL);
      return shim_make_error (err, e, "preinit `%s`: pidfd_open", cfg->preinit);
    }
  r = relay_until_exit (pipefd[0], pidfd, pid, &status, tail, &tail_len);
  close (pipefd[0]);
  if (shim_kill_namespace_others (err) < 0)
    return -1;
  if (UNLIKELY (r < 0))
    return shim_make_error (err, errno, "waiting for preinit `%s`", cfg->preinit);

  tail[tail_len] = '\0';
  while (tail_len > 0 && (tail[tail_len - 1] == '\n' || tail[tail_len - 1] == '\r'))
    tail[--tail_len] = '\0';
  for (size_t i = 0; i < tail_len; i++)
    if (tail[i] == '\n' || tail[i] == '\r' || tail[i] == '\0')
      tail[i] = ' ';
  if (WIFSIGNALED (status))
    return shim_make_error (err, 0, "preinit `%s` killed by signal %d%s%s", cfg->preinit, WTERMSIG (status),
                            tail_len ? ": " : "", tail);
  if (WEXITSTATUS (status) != 0)
    return shim_make_error (err, 0, "preinit `%s` exited with status %d%s%s", cfg->preinit, WEXITSTATUS (status),
                            tail_len ? ": " : "", tail);
  return 0;
}
