/* shim/src/freeze.c — freeze the container's cgroup from the monitor.

   The engine used to do this after READY, one synchronous write and a
   polling loop per container on its main thread; with a wave of launches
   the write contends with every other shim for the kernel's cgroup_mutex.
   The monitor has nothing else to do at that point.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "freeze.h"
#include "utils.h"

static int
write_file (const char *dir, const char *file, const char *text, char *path, size_t size, shim_error_t *err)
{
  cleanup_close int fd = -1;

  snprintf (path, size, "%s/%s", dir, file);
  fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  if (UNLIKELY (write (fd, text, strlen (text)) != (ssize_t) strlen (text)))
    return shim_make_error (err, errno, "write `%s`", path);
  return 0;
}

/* Read the whole (small) file at offset 0 into BUF, NUL-terminated.  */
static int
read_at0 (int fd, const char *path, char *buf, size_t size, shim_error_t *err)
{
  ssize_t n;

  do
    n = pread (fd, buf, size - 1, 0);
  while (n < 0 && errno == EINTR);
  if (UNLIKELY (n < 0))
    return shim_make_error (err, errno, "read `%s`", path);
  buf[n] = '\0';
  return 0;
}

static bool
v2_frozen (const char *events)
{
  const char *p = strstr (events, "frozen ");
  return p != NULL && (p == events || p[-1] == '\n') && p[7] == '1';
}

/* cgroup.events is a kernfs file: poll() reports POLLPRI once it changed
   since our last read (cgroup_update_frozen notifies it, Linux 5.2).  The
   poll is still cut into slices so a missed notification costs 10 ms, not
   the whole timeout.  */
static int
freeze_v2 (const char *dir, int timeout_ms, shim_error_t *err)
{
  char path[PATH_MAX], freeze[PATH_MAX], buf[256];
  cleanup_close int fd = -1;
  long long deadline;

  snprintf (path, sizeof path, "%s/cgroup.events", dir);
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  if (write_file (dir, "cgroup.freeze", "1", freeze, sizeof freeze, err) < 0)
    return -1;
  deadline = shim_now_ms () + timeout_ms;
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLPRI };
      long long left;

      /* Read before poll: the read re-arms the notification.  */
      if (read_at0 (fd, path, buf, sizeof buf, err) < 0)
        return -1;
      if (v2_frozen (buf))
        return 0;
      left = deadline - shim_now_ms ();
      if (left <= 0)
        return shim_make_error (err, 0, "timed out waiting for `%s` to say frozen", path);
      if (UNLIKELY (poll (&pfd, 1, left < 10 ? (int) left : 10) < 0 && errno != EINTR))
        return shim_make_error (err, errno, "poll `%s`", path);
    }
}

/* The v1 freezer passes through FREEZING until every task is stopped;
   reading freezer.state is what moves it on, and it notifies nobody.  */
static int
freeze_v1 (const char *dir, int timeout_ms, shim_error_t *err)
{
  char path[PATH_MAX], buf[64];
  cleanup_close int fd = -1;
  long long deadline;
  long nap_ns = 20 * 1000;

  if (write_file (dir, "freezer.state", "FROZEN", path, sizeof path, err) < 0)
    return -1;
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", path);
  deadline = shim_now_ms () + timeout_ms;
  for (;;)
    {
      struct timespec nap;

      if (read_at0 (fd, path, buf, sizeof buf, err) < 0)
        return -1;
      if (strncmp (buf, "FROZEN", 6) == 0 && (buf[6] == '\n' || buf[6] == '\0'))
        return 0;
      if (shim_now_ms () >= deadline)
        return shim_make_error (err, 0, "timed out waiting for `%s` to say FROZEN", path);
      nap.tv_sec = 0;
      nap.tv_nsec = nap_ns;
      nanosleep (&nap, NULL);
      nap_ns = nap_ns * 2 > 5 * 1000 * 1000 ? 5 * 1000 * 1000 : nap_ns * 2;
    }
}

int
shim_freeze (const char *dir, bool v1, int timeout_ms, shim_error_t *err)
{
  return v1 ? freeze_v1 (dir, timeout_ms, err) : freeze_v2 (dir, timeout_ms, err);
}

void
shim_thaw (const char *dir, bool v1)
{
  char path[PATH_MAX];

  /* Best-effort: the launch has already failed and reports why.  */
  write_file (dir, v1 ? "freezer.state" : "cgroup.freeze", v1 ? "THAWED" : "0", path, sizeof path, NULL);
}
