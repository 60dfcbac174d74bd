/* shim/src/utils.h — cleanup attributes and small helpers.  */
#ifndef SHIM_UTILS_H
#define SHIM_UTILS_H

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UNLIKELY(x) __builtin_expect (!!(x), 0)
#define LIKELY(x) __builtin_expect (!!(x), 1)

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void
cleanup_freep (void *p)
{
  int saved = errno;
  free (*(void **) p);
  errno = saved;
}

#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))

/* Write all of BUF, retrying on EINTR and short writes.  On a socket this is
   send (MSG_NOSIGNAL), so a peer gone away is EPIPE and never SIGPIPE.  */
static inline int
shim_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = send (fd, p, len, MSG_NOSIGNAL);
      if (w < 0 && errno == ENOTSOCK)
        w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

/* What a fresh exec had: every disposition default, nothing blocked (a
   process forked from the launcher or a monitor, before it runs anything).  */
static inline void
shim_default_signals (void)
{
  struct sigaction sa;
  sigset_t none;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    sigaction (sig, &sa, NULL); /* SIGKILL, SIGSTOP, libc's own: EINVAL.  */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

/* CLOCK_MONOTONIC in milliseconds, for deadlines.  */
static inline long long
shim_now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
