/* shim/tests/probe/probe.c — a tiny static probe for the security battery
   (test/security/battery.sh), for what busybox cannot express.  Each
   subcommand prints "PASS <check>" or "FAIL <check>: <why>" lines and exits
   1 if any check failed.  Every call it makes is harmless if it were to
   succeed: bad magic numbers, current values written back, no payloads.

     probe fds                        only 0,1,2 open (run as init: `probe fds-then CMD...`)
     probe fds-then CMD [ARGS...]     check fds, export PROBE_FDS=PASS|FAIL..., exec CMD
     probe status [EXTRA_CAP_MASK]    caps = Docker's 14 + NET_ADMIN (+extra), inh/amb empty, NoNewPrivs 1, Seccomp 2
     probe unconfined [EXTRA_MASK]    caps as above, NoNewPrivs 0 and Seccomp 0 (relaxed variant)
     probe syscalls                   namespaces, keyrings, bpf, mount, kexec, modules, clocks, … → EPERM
     probe dev NAME c|b MAJOR MINOR   mknod succeeds, open → EPERM
     probe dev-ok NAME c|b MAJ MIN    mknod + open succeed (allowed devices)
     probe rlimit                     RLIMIT_NOFILE above the hard limit → EPERM
     probe erofs PATH                 writing PATH's current content back → EROFS
     probe forks                      fork until EAGAIN; passes when it stops (pids.max)
     probe forkbomb N                 every process forks on, aiming at N; passes when the
                                      kernel says EAGAIN first (pids.max), then kills them all
     probe alloc MB                   allocate and touch MB megabytes (expected to be OOM-killed)
     probe noshim                     no process's exe or maps mentions nanomega-shim
     probe vsock                      socket(AF_VSOCK) → EAFNOSUPPORT (direct and i386 socket)  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../i386-abi.h"

#define DEFAULT_CAPS 0xa80435fbULL /* Docker's 14 + NET_ADMIN */

static int failed;

static void
result (int ok, const char *check, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
result (int ok, const char *check, const char *fmt, ...)
{
  va_list ap;

  if (ok)
    {
      printf ("PASS %s\n", check);
      return;
    }
  failed = 1;
  printf ("FAIL %s: ", check);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
}

/* Expect RET < 0 with errno WANT.  */
static void
expect_errno (const char *check, long ret, int want)
{
  int e = errno;

  if (ret >= 0)
    result (0, check, "succeeded (returned %ld), want %s", ret, strerrorname_np (want));
  else
    result (e == want, check, "got %s, want %s", strerrorname_np (e), strerrorname_np (want));
}

static int
fds_ok (char *why, size_t len)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int ok = 1;

  if (d == NULL)
    {
      snprintf (why, len, "opendir /proc/self/fd: %s", strerror (errno));
      return 0;
    }
  why[0] = '\0';
  while ((e = readdir (d)) != NULL)
    {
      int fd = atoi (e->d_name);
      if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd (d))
        continue;
      ok = 0;
      snprintf (why + strlen (why), len - strlen (why), "fd %d open; ", fd);
    }
  closedir (d);
  return ok;
}

static uint64_t
status_hex (const char *status, const char *key)
{
  const char *p = strstr (status, key);
  return p ? strtoull (p + strlen (key), NULL, 16) : ~0ULL;
}

static long
status_num (const char *status, const char *key)
{
  const char *p = strstr (status, key);
  return p ? strtol (p + strlen (key), NULL, 10) : -1;
}

static void
check_status (uint64_t extra, int unconfined)
{
  char buf[8192];
  int fd = open ("/proc/self/status", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read (fd, buf, sizeof buf - 1);
  uint64_t allowed = DEFAULT_CAPS | extra;

  if (n <= 0)
    {
      result (0, "status", "read /proc/self/status: %s", strerror (errno));
      return;
    }
  buf[n] = '\0';
  close (fd);
  result (status_hex (buf, "CapBnd:\t") == allowed, "cap-bounding", "CapBnd %016llx, want %016llx",
          (unsigned long long) status_hex (buf, "CapBnd:\t"), (unsigned long long) allowed);
  result (status_hex (buf, "CapEff:\t") == allowed, "cap-effective", "CapEff %016llx, want %016llx",
          (unsigned long long) status_hex (buf, "CapEff:\t"), (unsigned long long) allowed);
  result (status_hex (buf, "CapPrm:\t") == allowed, "cap-permitted", "CapPrm %016llx",
          (unsigned long long) status_hex (buf, "CapPrm:\t"));
  result (status_hex (buf, "CapInh:\t") == 0, "cap-inheritable-empty", "CapInh %016llx",
          (unsigned long long) status_hex (buf, "CapInh:\t"));
  result (status_hex (buf, "CapAmb:\t") == 0, "cap-ambient-empty", "CapAmb %016llx",
          (unsigned long long) status_hex (buf, "CapAmb:\t"));
  if (unconfined)
    {
      result (status_num (buf, "NoNewPrivs:\t") == 0, "nnp-off", "NoNewPrivs %ld", status_num (buf, "NoNewPrivs:\t"));
      result (status_num (buf, "Seccomp:\t") == 0, "seccomp-off", "Seccomp %ld", status_num (buf, "Seccomp:\t"));
      return;
    }
  result (status_num (buf, "NoNewPrivs:\t") == 1, "no-new-privs", "NoNewPrivs %ld", status_num (buf, "NoNewPrivs:\t"));
  result (status_num (buf, "Seccomp:\t") == 2, "seccomp-filter", "Seccomp %ld", status_num (buf, "Seccomp:\t"));
}

static void
check_syscalls (void)
{
  static const struct
  {
    const char *name;
    int flag;
  } ns[] = {
    { "unshare-user", CLONE_NEWUSER }, { "unshare-mnt", CLONE_NEWNS },   { "unshare-net", CLONE_NEWNET },
    { "unshare-pid", CLONE_NEWPID },   { "unshare-uts", CLONE_NEWUTS },  { "unshare-ipc", CLONE_NEWIPC },
    { "unshare-cgroup", CLONE_NEWCGROUP },
  };
  struct timespec now;
  struct timeval tv;
  struct timex tx;
  char check[64];
  int fd;

  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    expect_errno (ns[i].name, unshare (ns[i].flag), EPERM);
  expect_errno ("unshare-Urm", unshare (CLONE_NEWUSER | CLONE_NEWNS), EPERM);
  fd = open ("/proc/self/ns/net", O_RDONLY);
  expect_errno ("setns", syscall (SYS_setns, fd, 0), EPERM);
  close (fd);
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    {
      /* Raw clone with a namespace flag; a child (should one appear) exits at once.  */
      long pid = syscall (SYS_clone, (unsigned long) ns[i].flag | SIGCHLD, 0, 0, 0, 0);
      if (pid == 0)
        _exit (0);
      if (pid > 0)
        waitpid ((pid_t) pid, NULL, 0);
      snprintf (check, sizeof check, "clone-%s", ns[i].name + 8);
      expect_errno (check, pid, EPERM);
    }
  {
    /* clone3 → ENOSYS so libc falls back to clone.  */
    uint64_t args[11] = { CLONE_NEWNET, 0, 0, 0, SIGCHLD };
    long pid = syscall (SYS_clone3, args, 88);
    if (pid == 0)
      _exit (0);
    if (pid > 0)
      waitpid ((pid_t) pid, NULL, 0);
    expect_errno ("clone3-enosys", pid, ENOSYS);
  }
  {
    /* An ordinary fork still works.  */
    pid_t pid = fork ();
    if (pid == 0)
      _exit (0);
    result (pid > 0 && waitpid (pid, NULL, 0) == pid, "fork-works", "fork: %s", strerror (errno));
  }

  expect_errno ("keyctl", syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0), EPERM);
  expect_errno ("add_key", syscall (SYS_add_key, "user", "probe", "x", 1, -3), EPERM);
  expect_errno ("request_key", syscall (SYS_request_key, "user", "probe", NULL, 0), EPERM);
  {
    union bpf_attr a;
    memset (&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    expect_errno ("bpf", syscall (SYS_bpf, BPF_MAP_CREATE, &a, sizeof a), EPERM);
  }
  {
    struct perf_event_attr pe;
    memset (&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_SOFTWARE;
    pe.size = sizeof pe;
    pe.config = PERF_COUNT_SW_CPU_CLOCK;
    expect_errno ("perf_event_open", syscall (SYS_perf_event_open, &pe, 0, -1, -1, 0), EPERM);
  }
  {
    struct
    {
      unsigned int bytes;
      int type;
      unsigned char h[8];
    } fh = { 8, 1, { 0 } };
    expect_errno ("open_by_handle_at", syscall (SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EPERM);
  }
  /* Invalid flags / NULL images: harmless even if they were allowed.  */
  expect_errno ("kexec_load", syscall (SYS_kexec_load, 0, 0, NULL, 0xdead0000UL), EPERM);
  expect_errno ("kexec_file_load", syscall (SYS_kexec_file_load, -1, -1, 0, NULL, 0xdead0000UL), EPERM);
  expect_errno ("init_module", syscall (SYS_init_module, NULL, 0, ""), EPERM);
  fd = open ("/dev/null", O_RDONLY);
  expect_errno ("finit_module", syscall (SYS_finit_module, fd, "", 0), EPERM);
  close (fd);
  expect_errno ("delete_module", syscall (SYS_delete_module, "nanomega_probe_none", O_NONBLOCK), EPERM);
  expect_errno ("reboot", syscall (SYS_reboot, 0, 0, 0, NULL), EPERM); /* bad magic */
  expect_errno ("swapon", swapon ("/nonexistent-probe", 0), EPERM);
  expect_errno ("swapoff", swapoff ("/nonexistent-probe"), EPERM);
  expect_errno ("mount-tmpfs", mount ("none", "/tmp", "tmpfs", 0, NULL), EPERM);
  expect_errno ("mount-proc", mount ("proc", "/tmp", "proc", 0, NULL), EPERM);
  expect_errno ("mount-cgroup", mount ("cgroup", "/tmp", "cgroup", 0, "memory"), EPERM);
  expect_errno ("mount-cgroup2", mount ("cgroup2", "/tmp", "cgroup2", 0, NULL), EPERM);
  expect_errno ("mount-bind", mount ("/", "/tmp", NULL, MS_BIND, NULL), EPERM);
  expect_errno ("umount-proc-sys", umount2 ("/proc/sys", MNT_DETACH), EPERM);
  expect_errno ("pivot_root", syscall (SYS_pivot_root, "/", "/"), EPERM);
  expect_errno ("fsopen", syscall (SYS_fsopen, "tmpfs", 0), EPERM);
  expect_errno ("open_tree", syscall (SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */), EPERM);
  /* open_tree_attr (467, Linux 6.15) is newer than the build's libseccomp:
     denied by number.  A bad fd: harmless even if it were allowed.  */
  expect_errno ("open_tree_attr", syscall (467, -1, "", 1 /* OPEN_TREE_CLONE */, NULL, 0), EPERM);
  /* A number above every system call the filter knows: ENOSYS, never a
     silent pass of a call added in a later kernel.  */
  expect_errno ("syscall-above-known-enosys", syscall (470, 0, 0, 0, 0, 0), ENOSYS);
  expect_errno ("syscall-far-above-known-enosys", syscall (100000, 0, 0, 0, 0, 0), ENOSYS);
  clock_gettime (CLOCK_REALTIME, &now);
  expect_errno ("clock_settime", syscall (SYS_clock_settime, CLOCK_REALTIME, &now), EPERM);
  gettimeofday (&tv, NULL);
  expect_errno ("settimeofday", settimeofday (&tv, NULL), EPERM);
  memset (&tx, 0, sizeof tx); /* modes 0: a read, harmless */
  expect_errno ("adjtimex", adjtimex (&tx), EPERM);
  expect_errno ("clock_adjtime", syscall (SYS_clock_adjtime, CLOCK_REALTIME, &tx), EPERM);
  expect_errno ("syslog", syscall (SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0), EPERM);
  expect_errno ("acct", syscall (SYS_acct, NULL), EPERM);
  expect_errno ("quotactl", syscall (SYS_quotactl, 0, "/", 0, NULL), EPERM);
  expect_errno ("userfaultfd", syscall (SYS_userfaultfd, 0), EPERM);
  expect_errno ("io_uring_setup", syscall (SYS_io_uring_setup, 1, NULL), EPERM);
  expect_errno ("iopl", syscall (SYS_iopl, 0), EPERM);
  expect_errno ("ioperm", syscall (SYS_ioperm, 0x80, 1, 0), EPERM);
  expect_errno ("lookup_dcookie", syscall (SYS_lookup_dcookie, 0, NULL, 0), EPERM);
  expect_errno ("personality-addr-no-randomize", personality (ADDR_NO_RANDOMIZE), EPERM);
  result (personality (0xffffffff) >= 0, "personality-query-allowed", "%s", strerror (errno));
  result (personality (PER_LINUX) >= 0, "personality-linux-allowed", "%s", strerror (errno));
}

static void
check_dev (const char *name, const char *kind, unsigned maj, unsigned min, int want_ok)
{
  char path[128], check[160];
  mode_t type = kind[0] == 'b' ? S_IFBLK : S_IFCHR;
  int fd;

  snprintf (path, sizeof path, "/dev/probe-%s", name);
  unlink (path);
  snprintf (check, sizeof check, "mknod-%s", name);
  if (mknod (path, type | 0600, makedev (maj, min)) < 0)
    {
      /* mknod refused is also safe, but the allowlist permits 'm': say so.  */
      result (0, check, "mknod %s %u:%u: %s", kind, maj, min, strerror (errno));
      return;
    }
  fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  snprintf (check, sizeof check, "open-%s-%s", name, want_ok ? "allowed" : "eperm");
  if (want_ok)
    result (fd >= 0, check, "open %s %u:%u: %s", kind, maj, min, strerror (errno));
  else
    expect_errno (check, fd, EPERM);
  if (fd >= 0)
    close (fd);
  fd = open (path, O_WRONLY | O_NONBLOCK | O_NOCTTY);
  if (!want_ok)
    {
      snprintf (check, sizeof check, "open-%s-write-eperm", name);
      expect_errno (check, fd, EPERM);
    }
  if (fd >= 0)
    close (fd);
  unlink (path);
}

static void
check_rlimit (void)
{
  struct rlimit r;

  getrlimit (RLIMIT_NOFILE, &r);
  if (r.rlim_max == RLIM_INFINITY)
    {
      result (0, "rlimit-nofile", "hard limit is unlimited");
      return;
    }
  r.rlim_max += 1;
  r.rlim_cur = r.rlim_max;
  expect_errno ("rlimit-nofile-above-hard", setrlimit (RLIMIT_NOFILE, &r), EPERM);
}

static void
check_erofs (const char *path)
{
  char buf[4096], check[300];
  ssize_t n = 0;
  int fd = open (path, O_RDONLY);

  if (fd >= 0)
    {
      n = read (fd, buf, sizeof buf);
      close (fd);
    }
  if (n < 0)
    n = 0;
  snprintf (check, sizeof check, "erofs %s", path);
  fd = open (path, O_WRONLY);
  if (fd >= 0)
    {
      /* Opened: writing the same content back must still fail.  */
      ssize_t w = write (fd, buf, (size_t) n);
      close (fd);
      expect_errno (check, w < 0 ? -1 : w, EROFS);
      return;
    }
  expect_errno (check, -1, EROFS);
}

static void
check_forks (void)
{
  pid_t *kids = calloc (65536, sizeof (pid_t));
  size_t n = 0;
  int e = 0;

  while (n < 65536)
    {
      pid_t p = fork ();
      if (p == 0)
        {
          pause ();
          _exit (0);
        }
      if (p < 0)
        {
          e = errno;
          break;
        }
      kids[n++] = p;
    }
  for (size_t i = 0; i < n; i++)
    kill (kids[i], SIGKILL);
  for (size_t i = 0; i < n; i++)
    waitpid (kids[i], NULL, 0);
  printf ("# forked %zu processes before %s\n", n, e ? strerrorname_np (e) : "the probe's own cap");
  result (e == EAGAIN && n < 65536, "fork-loop-stops-at-pids-max", "forked %zu, errno %d", n, e);
  free (kids);
}

/* Each process of the bomb forks until the shared count reaches TARGET or a
   fork fails; each child does the same.  Then it waits to be killed.  */
static void
bomb (atomic_long *made, atomic_long *refused, long target)
{
  while (atomic_load (made) < target)
    {
      pid_t p = fork ();
      if (p == 0)
        {
          atomic_fetch_add (made, 1);
          continue;
        }
      if (p < 0)
        {
          atomic_fetch_add (refused, 1);
          break;
        }
    }
  for (;;)
    pause ();
}

static void
check_forkbomb (long target)
{
  atomic_long *sh = mmap (NULL, 2 * sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  long last = -1, made = 0, refused = 0;
  int stable = 0;
  pid_t leader;
  char check[64];

  snprintf (check, sizeof check, "fork-bomb-%ld-stops-at-pids-max", target);
  if (sh == MAP_FAILED)
    {
      result (0, check, "mmap: %s", strerror (errno));
      return;
    }
  atomic_store (&sh[0], 0);
  atomic_store (&sh[1], 0);
  /* Orphans of the bomb come to us, not to the container's init, so every
     one of them is reaped below and none is left counting against
     pids.max.  */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  leader = fork ();
  if (leader == 0)
    {
      setpgid (0, 0);
      bomb (&sh[0], &sh[1], target);
    }
  if (leader < 0)
    {
      result (0, check, "first fork: %s", strerror (errno));
      return;
    }
  setpgid (leader, leader);
  /* Until it reached the target, or was refused and stopped growing.  */
  for (int i = 0; i < 3000 && stable < 20; i++)
    {
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
      made = atomic_load (&sh[0]);
      refused = atomic_load (&sh[1]);
      if (made >= target)
        break;
      stable = refused > 0 && made == last ? stable + 1 : 0;
      last = made;
    }
  kill (-leader, SIGKILL);
  while (waitpid (-1, NULL, 0) > 0 || errno == EINTR)
    ;
  printf ("# fork bomb: %ld processes made, %ld forks refused\n", made + 1, refused);
  result (refused > 0 && made + 1 < target, check, "%ld processes made of %ld, %ld refused", made + 1, target, refused);
  munmap (sh, 2 * sizeof *sh);
}

static int
check_alloc (long mb)
{
  for (long i = 0; i < mb; i++)
    {
      char *p = malloc (1 << 20);
      if (p == NULL)
        return 2;
      memset (p, 0x5a, 1 << 20);
    }
  printf ("# allocated %ld MB without being killed\n", mb);
  return 1;
}

static void
check_vsock (void)
{
  int fd = socket (AF_VSOCK, SOCK_STREAM, 0);
  long r;

  expect_errno ("socket-af-vsock", fd, EAFNOSUPPORT);
  if (fd >= 0)
    close (fd);
  fd = socket (AF_VSOCK, SOCK_DGRAM, 0);
  expect_errno ("socket-af-vsock-dgram", fd, EAFNOSUPPORT);
  if (fd >= 0)
    close (fd);
  /* i386's direct socket(2) is 359.  */
  if (!i386_abi ())
    {
      result (1, "socket-af-vsock-i386", "%s", "");
      printf ("# no i386 system calls on this kernel\n");
      return;
    }
  r = int80 (359, AF_VSOCK, SOCK_STREAM, 0);
  if (r >= 0)
    close ((int) r);
  result (r == -EAFNOSUPPORT, "socket-af-vsock-i386", "int 0x80 socket returned %ld", r);
}

static void
check_noshim (void)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  int seen = 0;
  char bad[512] = "";

  while (d && (e = readdir (d)) != NULL)
    {
      char path[300], target[200];
      ssize_t n;
      if (e->d_name[0] < '0' || e->d_name[0] > '9')
        continue;
      snprintf (path, sizeof path, "/proc/%s/exe", e->d_name);
      n = readlink (path, target, sizeof target - 1);
      if (n < 0)
        continue;
      target[n] = '\0';
      seen++;
      if (strstr (target, "nanomega-shim"))
        snprintf (bad, sizeof bad, "pid %s exe %s", e->d_name, target);
    }
  if (d)
    closedir (d);
  result (seen > 0 && bad[0] == '\0', "shim-not-reachable", "%s", bad[0] ? bad : "no /proc/N/exe readable");
}

int
main (int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  char why[512];

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (strcmp (cmd, "fds-then") == 0 && argc > 2)
    {
      int ok = fds_ok (why, sizeof why);
      char val[600];
      snprintf (val, sizeof val, "%s%s", ok ? "PASS" : "FAIL ", ok ? "" : why);
      setenv ("PROBE_FDS", val, 1);
      execv (argv[2], argv + 2);
      perror ("probe: execv");
      return 127;
    }
  if (strcmp (cmd, "fds") == 0)
    {
      int ok = fds_ok (why, sizeof why);
      result (ok, "fds-only-0-1-2", "%s", why);
    }
  else if (strcmp (cmd, "status") == 0)
    check_status (argc > 2 ? strtoull (argv[2], NULL, 16) : 0, 0);
  else if (strcmp (cmd, "unconfined") == 0)
    check_status (argc > 2 ? strtoull (argv[2], NULL, 16) : 0, 1);
  else if (strcmp (cmd, "syscalls") == 0)
    check_syscalls ();
  else if ((strcmp (cmd, "dev") == 0 || strcmp (cmd, "dev-ok") == 0) && argc == 6)
    check_dev (argv[2], argv[3], (unsigned) atoi (argv[4]), (unsigned) atoi (argv[5]), cmd[3] == '-');
  else if (strcmp (cmd, "rlimit") == 0)
    check_rlimit ();
  else if (strcmp (cmd, "erofs") == 0 && argc == 3)
    check_erofs (argv[2]);
  else if (strcmp (cmd, "forks") == 0)
    check_forks ();
  else if (strcmp (cmd, "forkbomb") == 0 && argc == 3)
    check_forkbomb (atol (argv[2]));
  else if (strcmp (cmd, "alloc") == 0 && argc == 3)
    return check_alloc (atol (argv[2]));
  else if (strcmp (cmd, "noshim") == 0)
    check_noshim ();
  else if (strcmp (cmd, "vsock") == 0)
    check_vsock ();
  else
    {
      fprintf (stderr, "probe: unknown check `%s` (see probe.c)\n", cmd);
      return 2;
    }
  return failed;
}
