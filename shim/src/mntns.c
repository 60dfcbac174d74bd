/* shim/src/mntns.c — the template mount namespace containers are cloned
   from.

   clone(CLONE_NEWNS) copies every mount of the caller's namespace, and the
   child then makes them all rslave and detaches them again after
   pivot_root: three walks over the whole mount table, each under the
   kernel's one global namespace lock.  The host's table holds one
   writable layer (layer.c) per container, so at a thousand containers
   every launch copied a thousand mounts it never uses, and the launches
   queued on that lock: quadratic in the number of containers.

   The launcher therefore keeps a template: a copy of the host's namespace,
   made rslave (as the child would), without any writable layer.  A monitor
   enters it just to clone its child, and hands the child a detached copy
   of its own layer (open_tree) to attach where the host has it.  The child
   sees what it saw before (the host's mounts) minus the other containers'
   layers, and goes on exactly as before.

   The template must not go stale: mounts the host makes or removes later
   (a filesystem mounted for a container, an unmounted one) reach it by
   propagation where the host's mounts are shared, and otherwise by a
   rebuild: the launcher polls the host's mount table (POLLPRI on
   /proc/self/mountinfo) and, before it forks monitors for requests that
   arrived after a change, compares the host's table without layers with
   the one the template was made from; a difference rebuilds it.  While
   idle it does the same after a short quiet time, so an unmounted host
   filesystem is not kept alive by the template.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "layer.h"
#include "mntns.h"
#include "utils.h"

/* The source the writable layers are mounted with (layer.c).  */
#define LAYER_SOURCE "nanomega-layer"

static int host_fd = -1;  /* the host's mount namespace.  */
static int tpl_fd = -1;   /* the template.  */
static int watch_fd = -1; /* the host's /proc/self/mountinfo, polled.  */
static uint64_t tpl_hash; /* the host's table without layers, when the template was made.  */

static char *
read_mountinfo (void)
{
  cleanup_close int fd = open ("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  size_t cap = 64 * 1024, len = 0;
  char *buf;

  if (fd < 0)
    return NULL;
  buf = malloc (cap + 1);
  for (;;)
    {
      ssize_t n;
      if (buf == NULL)
        return NULL;
      n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          return NULL;
        }
      if (n == 0)
        break;
      len += (size_t) n;
      if (len == cap)
        {
          char *more = realloc (buf, cap * 2 + 1);
          if (more == NULL)
            free (buf);
          buf = more;
          cap *= 2;
        }
    }
  buf[len] = '\0';
  return buf;
}

/* Is this mountinfo line a writable layer?  "... - tmpfs nanomega-layer ..."  */
static bool
is_layer (const char *line, const char *end)
{
  static const char tag[] = " - tmpfs " LAYER_SOURCE " ";
  const char *sep = memmem (line, (size_t) (end - line), " - ", 3);

  return sep != NULL && (size_t) (end - sep) > sizeof tag - 1 && memcmp (sep, tag, sizeof tag - 1) == 0;
}

/* FNV-1a over every line that is not a layer.  */
static uint64_t
hash_without_layers (const char *text)
{
  uint64_t h = 14695981039346656037ULL;

  for (const char *line = text; *line;)
    {
      const char *end = strchrnul (line, '\n');
      if (!is_layer (line, end))
        for (const char *p = line; p <= end && *p; p++)
          h = (h ^ (unsigned char) *p) * 1099511628211ULL;
      line = *end ? end + 1 : end;
    }
  return h;
}

/* Field 5 of a mountinfo line (the mount point), its octal escapes decoded.  */
static bool
mount_point (const char *line, const char *end, char *out, size_t size)
{
  const char *p = line;
  size_t n = 0;

  for (int field = 0; field < 4; field++)
    {
      p = memchr (p, ' ', (size_t) (end - p));
      if (p == NULL)
        return false;
      p++;
    }
  while (p < end && *p != ' ' && n + 1 < size)
    {
      if (*p == '\\' && end - p >= 4)
        {
          out[n++] = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
          p += 4;
        }
      else
        out[n++] = *p++;
    }
  out[n] = '\0';
  return n > 0 && (p == end || *p == ' ');
}

/* In the template: detach every layer it copied or received.  */
static void
strip_layers (void)
{
  cleanup_free char *text = read_mountinfo ();

  if (text == NULL)
    return;
  for (const char *line = text; *line;)
    {
      const char *end = strchrnul (line, '\n');
      char path[PATH_MAX];
      if (is_layer (line, end) && mount_point (line, end, path, sizeof path))
        umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW);
      line = *end ? end + 1 : end;
    }
}

static void
back_to_host (void)
{
  /* Our own namespace, with every capability: this cannot fail, and a
     launcher left in the template would mount layers out of the host's
     sight.  */
  if (UNLIKELY (setns (host_fd, CLONE_NEWNS) < 0))
    {
      static const char msg[] = "nanomega-shim launcher: cannot return to the host mount namespace\n";
      (void) !write (2, msg, sizeof msg - 1);
      _exit (1);
    }
  (void) !chdir ("/");
}

static int
build (shim_error_t *err)
{
  cleanup_free char *text = read_mountinfo ();
  int fd;

  if (text == NULL)
    return shim_make_error (err, errno, "read /proc/self/mountinfo");
  if (UNLIKELY (unshare (CLONE_NEWNS) < 0))
    return shim_make_error (err, errno, "unshare mount namespace for the template");
  if (UNLIKELY (mount ("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0))
    {
      int e = errno;
      back_to_host ();
      return shim_make_error (err, e, "make the template rslave");
    }
  strip_layers ();
  fd = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (UNLIKELY (fd < 0))
    {
      int e = errno;
      back_to_host ();
      return shim_make_error (err, e, "open the template's /proc/self/ns/mnt");
    }
  back_to_host ();
  if (tpl_fd >= 0)
    close (tpl_fd);
  tpl_fd = fd;
  tpl_hash = hash_without_layers (text);
  return 0;
}

static void
close_all (void)
{
  int *fds[] = { &tpl_fd, &host_fd, &watch_fd };

  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
}

int
shim_mntns_template_init (shim_error_t *err)
{
  host_fd = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (UNLIKELY (host_fd < 0))
    return shim_make_error (err, errno, "open /proc/self/ns/mnt");
  watch_fd = open ("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (UNLIKELY (watch_fd < 0))
    {
      int e = errno;
      close_all ();
      return shim_make_error (err, e, "open /proc/self/mountinfo");
    }
  if (build (err) < 0)
    {
      close_all ();
      return -1;
    }
  return 0;
}

int
shim_mntns_watch_fd (void)
{
  return tpl_fd >= 0 ? watch_fd : -1;
}

void
shim_mntns_template_refresh (void)
{
  cleanup_free char *text = NULL;
  shim_error_t err = NULL;

  if (tpl_fd < 0)
    return;
  text = read_mountinfo ();
  if (text != NULL && hash_without_layers (text) == tpl_hash)
    return;
  if (build (&err) < 0)
    {
      /* A stale template must not be used: clone from the host instead.  */
      cleanup_free char *msg = shim_error_text (err);
      fprintf (stderr, "nanomega-shim launcher: template mount namespace: %s; cloning from the host's\n",
               msg ? msg : "error");
      shim_error_release (&err);
      close (tpl_fd);
      tpl_fd = -1;
    }
}

void
shim_mntns_enter (const struct shim_config *cfg, struct shim_mntns_clone *c)
{
  char layer[PATH_MAX];
  bool layered = cfg->snapshot && cfg->disk_size != 0;

  if (tpl_fd < 0)
    return;
  if (layered)
    {
      if (shim_layer_dir (cfg, layer, sizeof layer, NULL) < 0)
        return;
      c->layer_fd = open_tree (AT_FDCWD, layer, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
      if (c->layer_fd < 0)
        return; /* cloned from the host's namespace, which has it.  */
    }
  if (setns (tpl_fd, CLONE_NEWNS) < 0)
    {
      if (c->layer_fd >= 0)
        close (c->layer_fd);
      c->layer_fd = -1;
      return;
    }
  c->entered = true;
  /* Where the host's mounts are shared, our layer reached the template by
     propagation: not for the next containers to copy.  */
  if (layered)
    umount2 (layer, MNT_DETACH | UMOUNT_NOFOLLOW);
}

int
shim_mntns_child_attach (const struct shim_config *cfg, struct shim_mntns_clone *c, shim_error_t *err)
{
  char layer[PATH_MAX];
  int r = 0;

  if (c->layer_fd < 0)
    return 0;
  if (shim_layer_dir (cfg, layer, sizeof layer, err) < 0)
    r = -1;
  else if (UNLIKELY (move_mount (c->layer_fd, "", AT_FDCWD, layer, MOVE_MOUNT_F_EMPTY_PATH) < 0))
    r = shim_make_error (err, errno, "attach the writable layer on `%s`", layer);
  close (c->layer_fd);
  c->layer_fd = -1;
  return r;
}

int
shim_mntns_leave (struct shim_mntns_clone *c, shim_error_t *err)
{
  int r = 0;

  if (c->entered)
    {
      if (UNLIKELY (setns (host_fd, CLONE_NEWNS) < 0))
        r = shim_make_error (err, errno, "return to the host mount namespace");
      else
        (void) !chdir ("/");
      c->entered = false;
    }
  if (c->layer_fd >= 0)
    close (c->layer_fd);
  c->layer_fd = -1;
  close_all ();
  return r;
}
