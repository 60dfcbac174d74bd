/* shim/src/launcher.c — the launcher: one small process per daemon.

   Node's child_process.spawn forks the daemon's whole address space, about
   5 ms of daemon CPU per container.  The daemon starts this process once
   and writes "<token> <dir>\n" on its stdin per container; the launcher
   forks the monitor, which starts a session of its own.  Monitors are the
   launcher's children while it lives, never waited for: SIGCHLD's
   SA_NOCLDWAIT has the kernel reap them as they exit (no zombie piles up
   beside a long-lived daemon), and when the launcher ends they are
   orphaned, as a container outlives its daemon.  One fork a container:
   every fork copies the launcher's page tables, and every exit frees its
   copy.  The monitor connects to the daemon's unix socket and sends
   ATTACH "<token>"; from then on that connection is its sync socket,
   exactly like fd 3 of a spawned shim.  EOF on stdin (the daemon is gone)
   ends the launcher; monitors do not notice.

   Work every container would repeat is done here once, before the first
   fork, and inherited: the seccomp filter is compiled at startup, and the
   template mount namespace the children are cloned from is kept here
   (mntns.c).  */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "launcher.h"
#include "mntns.h"
#include "seccomp.h"
#include "sync.h"
#include "utils.h"

#define LAUNCHER_COMM "nm-launcher"
#define MONITOR_TITLE "nanomega-shim"
#define LOG_NAME "/shim.log"
/* After a change of the host's mount table while no request waits: how
   long it must stay quiet before the template is checked (a launch wave
   mounts a layer every few milliseconds).  */
#define MNTNS_QUIET_MS 100

int
shim_launcher_parse (const char *line, size_t len, struct shim_launch_request *req, shim_error_t *err)
{
  const char *sp = memchr (line, ' ', len);
  size_t tlen, dlen;

  req->boot_len = 0;
  if (sp == NULL)
    return shim_make_error (err, 0, "launch request: want `<token> <dir>`");
  tlen = (size_t)(sp - line);
  dlen = len - tlen - 1;
  if (tlen == 0 || tlen > SHIM_LAUNCH_TOKEN_MAX)
    return shim_make_error (err, 0, "launch request: bad token");
  for (size_t i = 0; i < tlen; i++)
    if (line[i] < '0' || line[i] > '9')
      return shim_make_error (err, 0, "launch request: bad token");
  /* A length before the dir (which starts with '/'): BOOTSTRAP follows.  */
  if (dlen > 0 && sp[1] >= '0' && sp[1] <= '9')
    {
      const char *lp = sp + 1, *sp2 = memchr (lp, ' ', dlen);
      size_t n = 0;

      if (sp2 == NULL || sp2 - lp > 8)
        return shim_make_error (err, 0, "launch request: bad bootstrap length");
      for (const char *c = lp; c < sp2; c++)
        {
          if (*c < '0' || *c > '9')
            return shim_make_error (err, 0, "launch request: bad bootstrap length");
          n = n * 10 + (size_t)(*c - '0');
        }
      if (n == 0 || n > SHIM_MAX_PAYLOAD)
        return shim_make_error (err, 0, "launch request: bootstrap length %zu out of range", n);
      req->boot_len = n;
      dlen -= (size_t)(sp2 - sp);
      sp = sp2;
    }
  if (dlen == 0 || sp[1] != '/')
    return shim_make_error (err, 0, "launch request: dir is not absolute");
  if (dlen + sizeof LOG_NAME > sizeof req->dir)
    return shim_make_error (err, ENAMETOOLONG, "launch request: dir");
  if (memchr (sp + 1, '\0', dlen) != NULL)
    return shim_make_error (err, 0, "launch request: dir contains NUL");
  memcpy (req->token, line, tlen);
  req->token[tlen] = '\0';
  memcpy (req->dir, sp + 1, dlen);
  req->dir[dlen] = '\0';
  return 0;
}

/* ---- in the monitor --------------------------------------------------- */

/* Rewrite argv in place (the kernel shows it as /proc/self/cmdline) and
   restore the comm the exec gave.  */
static void
retitle (int argc, char **argv, const char *comm)
{
  char *start = argv[0], *end = argv[argc - 1] + strlen (argv[argc - 1]);

  for (int i = 1; i < argc; i++)
    if (argv[i] != argv[i - 1] + strlen (argv[i - 1]) + 1)
      return; /* not contiguous: leave it.  */
  if ((size_t)(end - start) < sizeof MONITOR_TITLE - 1)
    return;
  memset (start, 0, (size_t)(end - start));
  memcpy (start, MONITOR_TITLE, sizeof MONITOR_TITLE - 1);
  prctl (PR_SET_NAME, comm, 0, 0, 0);
}

static int
connect_unix (const char *path, shim_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof sa.sun_path)
    return shim_make_error (err, ENAMETOOLONG, "launch socket `%s`", path);
  strcpy (sa.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "socket");
  if (UNLIKELY (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0))
    {
      int e = errno;
      close (fd);
      return shim_make_error (err, e, "connect `%s`", path);
    }
  return fd;
}

/* The monitor's first steps: session, signals, title, fds 0 and 2, then
   the sync connection.  */
static int
become_monitor (const struct shim_launch_request *req, const char *sock_path, int argc, char **argv, const char *comm,
                shim_error_t *err)
{
  char log[sizeof req->dir + sizeof LOG_NAME];
  int fd;

  setsid ();
  shim_default_signals ();
  retitle (argc, argv, comm);

  snprintf (log, sizeof log, "%s%s", req->dir, LOG_NAME);
  fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "open `%s`", log); /* reported on the launcher's stderr.  */
  if (UNLIKELY (dup2 (fd, 2) < 0))
    return shim_make_error (err, errno, "dup2 `%s`", log);
  close (fd);
  fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || dup2 (fd, 0) < 0)
    close (0); /* the launcher's stdin must not stay open here.  */
  if (fd > 0)
    close (fd);

  fd = connect_unix (sock_path, err);
  if (fd < 0)
    return -1;
  if (shim_sync_send (fd, SHIM_MSG_ATTACH, req->token, strlen (req->token), err) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* ---- in the launcher -------------------------------------------------- */

static void
logerr (shim_error_t *err)
{
  cleanup_free char *text = shim_error_text (*err);
  fprintf (stderr, "nanomega-shim launcher: %s\n", text ? text : "error");
  shim_error_release (err);
}

/* Fork the monitor.  Returns 0 in the launcher, 1 in the monitor.  */
static int
spawn_monitor (const struct shim_launch_request *req, shim_error_t *err)
{
  pid_t pid;

  fflush (NULL);
  pid = fork ();
  if (UNLIKELY (pid < 0))
    return shim_make_error (err, errno, "fork monitor for `%s`", req->dir);
  return pid == 0;
}

/* Milliseconds left of the quiet time after a mount table change at T.  */
static int
quiet_left (struct timespec t)
{
  struct timespec now;
  long ms;

  clock_gettime (CLOCK_MONOTONIC, &now);
  ms = (now.tv_sec - t.tv_sec) * 1000 + (now.tv_nsec - t.tv_nsec) / 1000000;
  return ms >= MNTNS_QUIET_MS ? 0 : (int)(MNTNS_QUIET_MS - ms);
}

/* Grow *BUF (of *CAP bytes) to hold at least NEED.  */
static int
ensure_room (char **buf, size_t *cap, size_t need, shim_error_t *err)
{
  char *nb;

  if (need <= *cap)
    return 0;
  nb = realloc (*buf, need);
  if (nb == NULL)
    return shim_make_error (err, ENOMEM, "launch request buffer");
  *buf = nb;
  *cap = need;
  return 0;
}

int
shim_launcher_run (const char *sock_path, int argc, char **argv, int *sync_fd, const char **boot, size_t *boot_len,
                   shim_error_t *err)
{
  /* Requests arrive in waves of many lines; one with BOOTSTRAP grows the
     buffer to hold its payload too.  */
  size_t cap = 64 * 1024;
  char *buf = malloc (cap);
  struct sockaddr_un sa;
  char sock[sizeof sa.sun_path];
  size_t len = 0;
  bool skipping = false;       /* inside an overlong line: drop it up to '\n'.  */
  bool mounts_changed = false; /* the host's mount table, since the template was checked.  */
  struct timespec changed_at = { 0, 0 };
  char comm[17] = { 0 };

  *sync_fd = -1;
  *boot = NULL;
  *boot_len = 0;
  if (buf == NULL)
    return shim_make_error (err, ENOMEM, "launch request buffer");
  if (strlen (sock_path) >= sizeof sock)
    return shim_make_error (err, ENAMETOOLONG, "launch socket `%s`", sock_path);
  strcpy (sock, sock_path); /* argv, where it lives, is rewritten in monitors.  */
  prctl (PR_GET_NAME, comm, 0, 0, 0);
  prctl (PR_SET_NAME, LAUNCHER_COMM, 0, 0, 0);
  signal (SIGPIPE, SIG_IGN);
  /* The kernel reaps the monitors (this process's children) as they exit.
     A monitor puts every disposition back to default before it forks a
     container, whose exit status it waits for (become_monitor).  */
  {
    struct sigaction sa;

    memset (&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    if (UNLIKELY (sigaction (SIGCHLD, &sa, NULL) < 0))
      return shim_make_error (err, errno, "sigaction SIGCHLD");
  }
  /* On failure each child compiles it again and reports the error as its
     launch's ERROR.  */
  if (shim_seccomp_prepare (err) < 0)
    logerr (err);
  /* Give libseccomp's freed heap back to the kernel before any fork: every
     monitor starts from this heap, and a freed-but-present page that a
     monitor's malloc reuses becomes a private copy in each of them.  */
  malloc_trim (0);

  if (shim_mntns_template_init (err) < 0)
    logerr (err);

  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = 0, .events = POLLIN }, { .fd = shim_mntns_watch_fd (), .events = POLLPRI } };
      ssize_t n;
      char *line, *nl;
      int r = poll (pfd, pfd[1].fd >= 0 ? 2 : 1, mounts_changed ? quiet_left (changed_at) : -1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return shim_make_error (err, errno, "poll launch requests");
      if (pfd[1].fd >= 0 && (pfd[1].revents & (POLLPRI | POLLERR)) && !mounts_changed)
        {
          mounts_changed = true;
          clock_gettime (CLOCK_MONOTONIC, &changed_at);
        }
      if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          if (mounts_changed && quiet_left (changed_at) == 0)
            {
              shim_mntns_template_refresh ();
              mounts_changed = false;
            }
          continue;
        }
      if (len == cap && ensure_room (&buf, &cap, cap * 2, err) < 0)
        return -1;
      n = read (0, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return shim_make_error (err, errno, "read launch requests");
      if (n == 0)
        return 0;
      len += (size_t)n;
      /* These requests may follow a mount the host just made: the
         template must have it before their children are cloned.  */
      if (pfd[1].fd >= 0 && !mounts_changed)
        {
          struct pollfd now = { .fd = pfd[1].fd, .events = POLLPRI };
          mounts_changed = poll (&now, 1, 0) > 0;
        }
      if (mounts_changed)
        {
          shim_mntns_template_refresh ();
          mounts_changed = false;
        }

      /* A request is a line, and its BOOTSTRAP bytes when it says so: a
         request whose payload is not all here yet waits for more input.  */
      line = buf;
      while ((nl = memchr (line, '\n', len - (size_t)(line - buf))) != NULL)
        {
          struct shim_launch_request req;
          size_t llen = (size_t)(nl - line), avail;
          bool drop = skipping, parsed;

          skipping = false;
          parsed = !drop && shim_launcher_parse (line, llen, &req, err) == 0;
          if (!drop && !parsed)
            logerr (err);
          avail = len - (size_t)(nl + 1 - buf);
          if (parsed && req.boot_len > avail)
            {
              size_t off = (size_t)(line - buf);
              if (ensure_room (&buf, &cap, (size_t)(nl + 1 - line) + req.boot_len, err) < 0)
                return -1;
              line = buf + off;
              break; /* the line stays in the buffer until its payload is.  */
            }
          if (parsed)
            {
              int r = spawn_monitor (&req, err);
              if (r < 0)
                logerr (err);
              if (r == 1)
                {
                  *boot = req.boot_len ? nl + 1 : NULL;
                  *boot_len = req.boot_len;
                  *sync_fd = become_monitor (&req, sock, argc, argv, comm, err);
                  return *sync_fd < 0 ? -1 : 1;
                }
            }
          line = nl + 1 + (parsed ? req.boot_len : 0);
        }
      len -= (size_t)(line - buf);
      memmove (buf, line, len);
      if (len >= PATH_MAX + 64 && memchr (buf, '\n', len) == NULL)
        {
          static const char msg[] = "nanomega-shim launcher: request line too long; dropped\n";
          (void)!write (2, msg, sizeof msg - 1);
          skipping = true;
          len = 0;
        }
    }
}
