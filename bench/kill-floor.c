/* bench/kill-floor.c — the kernel's own cost of `vm kill all` + `vm flush` of N containers, with no
   daemon and no monitor protocol: the reference the launch-scale bench puts beside nanomega's.

   Each "container" is what a nanomega busybox container is to the kernel: a parent process (the
   monitor's part) that clones a child into new pid, mount, uts, ipc and network namespaces, cloned
   from a template mount namespace without the other containers' layers (as the launcher does); the
   child joins one new cgroup directory under each CGROUP_PARENT, attaches a detached copy of its
   writable layer (a tmpfs mounted in the host namespace under WORK), mounts an overlay root over it
   with proc, sysfs, a tmpfs /dev with devpts and /dev/shm, and a tmpfs over /sys/firmware, enters a
   new cgroup namespace and runs two processes (a shell and its sleep).

   Timed: SIGKILL through each cgroup.kill (every task of a directory's cgroup.procs without one), the
   parents reap and exit, every cgroup directory is removed (one process, one after the other), every
   layer detached and every instance directory removed. Prints one JSON line of milliseconds from the
   first kill: signalled, reaped, cgroupsGone, flushed.

   Usage: kill-floor N WORK BUSYBOX CGROUP_PARENT...   (root; WORK on a tmpfs, removed at the end)  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 4
#endif

static int n, ncg;
static pid_t self; /* names the cgroup directories (the children have other pids).  */
static char **cgparents;
static const char *work, *busybox;

static double
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void
die (const char *what)
{
  perror (what);
  _exit (1);
}

static void path (char *buf, size_t size, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
static void
path (char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  if ((size_t)vsnprintf (buf, size, fmt, ap) >= size)
    {
      fprintf (stderr, "kill-floor: path too long\n");
      exit (1);
    }
  va_end (ap);
}

static int
write_file (const char *p, const char *s)
{
  int fd = open (p, O_WRONLY | O_CLOEXEC);
  int ok = fd >= 0 && write (fd, s, strlen (s)) == (ssize_t)strlen (s);
  if (fd >= 0)
    close (fd);
  return ok ? 0 : -1;
}

static void
cgroup_dir (char *buf, size_t size, int h, int i)
{
  path (buf, size, "%s/kill-floor-%d/c%d", cgparents[h], (int)self, i);
}

static void
child (int i, int layer_fd, int ready)
{
  char p[4096], root[4096], layer[4096], opts[8192];

  path (root, sizeof root, "%s/i%d/root", work, i);
  path (layer, sizeof layer, "%s/i%d/layer", work, i);
  if (syscall (SYS_move_mount, layer_fd, "", AT_FDCWD, layer, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    die ("move_mount");
  close (layer_fd);
  path (opts, sizeof opts, "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", work, layer, layer);
  if (mount ("overlay", root, "overlay", 0, opts) < 0)
    die ("mount overlay");
#define MNT(src, dst, type, flags, data)                                                                               \
  do                                                                                                                   \
    {                                                                                                                  \
      path (p, sizeof p, "%s%s", root, dst);                                                                           \
      mkdir (p, 0755);                                                                                                 \
      if (mount (src, p, type, flags, data) < 0)                                                                       \
        die ("mount " dst);                                                                                            \
    }                                                                                                                  \
  while (0)
  MNT ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  MNT ("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  MNT ("tmpfs", "/dev", "tmpfs", MS_NOSUID, "size=256k,mode=755");
  MNT ("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,gid=5,mode=620,ptmxmode=666");
  MNT ("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=65536k");
  MNT ("tmpfs", "/sys/firmware", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k,mode=555");
  for (int h = 0; h < ncg; h++)
    {
      cgroup_dir (p, sizeof p, h, i);
      strcat (p, "/cgroup.procs");
      if (write_file (p, "0") < 0)
        die (p);
    }
  if (unshare (CLONE_NEWCGROUP) < 0)
    die ("unshare cgroup");
  if (write (ready, "x", 1) != 1)
    die ("ready");
  path (p, sizeof p, "%s sleep 1000000; :", busybox);
  execl (busybox, "sh", "-c", p, (char *)NULL);
  die ("exec");
}

static int
remove_entry (const char *p, const struct stat *st, int type, struct FTW *ftw)
{
  (void)st;
  (void)ftw;
  return type == FTW_DP ? rmdir (p) : unlink (p);
}

static void
remove_cgroup (const char *dir)
{
  for (int tries = 0; rmdir (dir) < 0; tries++)
    {
      if (errno != EBUSY || tries > 5000)
        {
          perror (dir);
          return;
        }
      usleep (1000);
    }
}

static void
kill_all (const char *dir)
{
  char p[4096], buf[4096];
  path (p, sizeof p, "%s/cgroup.kill", dir);
  if (write_file (p, "1") == 0)
    return;
  path (p, sizeof p, "%s/cgroup.procs", dir);
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  ssize_t len = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0)
    close (fd);
  buf[len > 0 ? len : 0] = '\0';
  for (char *s = strtok (buf, "\n"); s; s = strtok (NULL, "\n"))
    kill (atoi (s), SIGKILL);
}

int
main (int argc, char **argv)
{
  char p[4096];
  int ready[2], hold[2];
  pid_t template, *parents;

  if (argc < 5)
    {
      fprintf (stderr, "usage: kill-floor N WORK BUSYBOX CGROUP_PARENT...\n");
      return 2;
    }
  n = atoi (argv[1]);
  self = getpid ();
  setpgid (0, 0); /* a process group of its own: the failure path below kills it whole.  */
  work = argv[2];
  busybox = argv[3];
  cgparents = argv + 4;
  ncg = argc - 4;
  parents = calloc ((size_t)n, sizeof *parents);
  /* Close-on-exec: a container's shell must not keep `ready` open, so a child that dies before
     saying it is ready ends the wait below (end of file) instead of hanging it.  */
  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe (hold) < 0)
    die ("pipe");

  /* The template: a private copy of the host namespace, made before any layer exists.  */
  template = fork ();
  if (template == 0)
    {
      if (unshare (CLONE_NEWNS) < 0 || mount ("", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die ("template");
      close (hold[1]);
      if (read (hold[0], p, 1) < 0)
        _exit (0);
      _exit (0);
    }
  close (hold[0]);
  int template_fd = -1;
  for (int tries = 0; template_fd < 0 && tries < 1000; tries++)
    {
      char mine[64], theirs[64];
      path (p, sizeof p, "/proc/%d/ns/mnt", (int)template);
      ssize_t a = readlink ("/proc/self/ns/mnt", mine, sizeof mine - 1), b = readlink (p, theirs, sizeof theirs - 1);
      if (a > 0 && b > 0 && (a != b || memcmp (mine, theirs, (size_t)a) != 0))
        template_fd = open (p, O_RDONLY | O_CLOEXEC);
      else
        usleep (1000);
    }
  if (template_fd < 0)
    die ("template namespace");

  path (p, sizeof p, "%s/lower", work);
  mkdir (work, 0755);
  mkdir (p, 0755);
  for (int h = 0; h < ncg; h++)
    {
      path (p, sizeof p, "%s/kill-floor-%d", cgparents[h], (int)self);
      if (mkdir (p, 0755) < 0)
        die (p);
    }
  for (int i = 0; i < n; i++)
    {
      for (int h = 0; h < ncg; h++)
        {
          cgroup_dir (p, sizeof p, h, i);
          if (mkdir (p, 0755) < 0)
            die (p);
        }
      path (p, sizeof p, "%s/i%d", work, i);
      mkdir (p, 0700);
      path (p, sizeof p, "%s/i%d/root", work, i);
      mkdir (p, 0755);
      path (p, sizeof p, "%s/i%d/layer", work, i);
      mkdir (p, 0700);
      if (mount ("tmpfs", p, "tmpfs", 0, "size=64m,mode=700") < 0)
        die ("mount layer");
      path (p, sizeof p, "%s/i%d/layer/upper", work, i);
      mkdir (p, 0755);
      path (p, sizeof p, "%s/i%d/layer/work", work, i);
      mkdir (p, 0755);
      parents[i] = fork ();
      if (parents[i] < 0)
        die ("fork");
      if (parents[i] == 0)
        {
          path (p, sizeof p, "%s/i%d/layer", work, i);
          int layer_fd = (int)syscall (SYS_open_tree, AT_FDCWD, p, OPEN_TREE_CLONE | O_CLOEXEC);
          if (layer_fd < 0)
            die ("open_tree");
          if (setns (template_fd, CLONE_NEWNS) < 0)
            die ("setns");
          pid_t c = (pid_t)syscall (
              SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
          if (c == 0)
            child (i, layer_fd, ready[1]);
          if (c < 0)
            die ("clone");
          close (ready[1]);
          waitpid (c, NULL, 0);
          _exit (0);
        }
    }
  close (ready[1]);
  for (int i = 0; i < n; i++)
    if (read (ready[0], p, 1) != 1)
      {
        fprintf (stderr, "kill-floor: a container did not start\n");
        kill (0, SIGKILL); /* every parent and container of this run: its process group.  */
      }
  kill (template, SIGKILL);
  waitpid (template, NULL, 0);
  /* Every shell has forked its sleep; the machine settles.  */
  usleep (1500000);

  double t0 = now_ms ();
  for (int i = 0; i < n; i++)
    {
      cgroup_dir (p, sizeof p, 0, i);
      kill_all (p);
    }
  double signalled = now_ms ();
  for (int i = 0; i < n; i++)
    waitpid (parents[i], NULL, 0);
  double reaped = now_ms ();
  for (int i = 0; i < n; i++)
    for (int h = 0; h < ncg; h++)
      {
        cgroup_dir (p, sizeof p, h, i);
        remove_cgroup (p);
      }
  double gone = now_ms ();
  for (int i = 0; i < n; i++)
    {
      path (p, sizeof p, "%s/i%d/layer", work, i);
      if (umount2 (p, MNT_DETACH) < 0)
        perror (p);
      path (p, sizeof p, "%s/i%d", work, i);
      nftw (p, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
  double flushed = now_ms ();
  printf ("{\"signalled\":%.1f,\"reaped\":%.1f,\"cgroupsGone\":%.1f,\"flushed\":%.1f}\n", signalled - t0, reaped - t0,
          gone - t0, flushed - t0);
  for (int h = 0; h < ncg; h++)
    {
      path (p, sizeof p, "%s/kill-floor-%d", cgparents[h], (int)self);
      rmdir (p);
    }
  nftw (work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}
