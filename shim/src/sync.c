/* shim/src/sync.c — frames: struct shim_frame_header + payload.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"
#include "utils.h"

static int
recv_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  while (len > 0)
    {
      ssize_t r = read (fd, p, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        {
          errno = 0;
          return -1;
        }
      p += r;
      len -= (size_t) r;
    }
  return 0;
}

int
shim_sync_send (int fd, uint32_t type, const void *payload, size_t len, shim_error_t *err)
{
  struct shim_frame_header h = { .type = type, .len = (uint32_t) len };

  if (UNLIKELY (len > SHIM_MAX_PAYLOAD))
    return shim_make_error (err, EMSGSIZE, "send frame %#x of %zu bytes", type, len);
  if (UNLIKELY (shim_write_all (fd, &h, sizeof h) < 0 || (len > 0 && shim_write_all (fd, payload, len) < 0)))
    return shim_make_error (err, errno, "send frame %#x", type);
  return 0;
}

int
shim_sync_recv (int fd, uint32_t *type, char **payload, uint32_t *len, shim_error_t *err)
{
  struct shim_frame_header h;
  char *buf;

  if (UNLIKELY (recv_all (fd, &h, sizeof h) < 0))
    return errno ? shim_make_error (err, errno, "read sync frame header")
                 : shim_make_error (err, 0, "sync socket closed");
  if (UNLIKELY (h.len > SHIM_MAX_PAYLOAD))
    return shim_make_error (err, EMSGSIZE, "sync frame %#x: payload of %u bytes", h.type, h.len);
  buf = malloc ((size_t) h.len + 1);
  if (UNLIKELY (buf == NULL))
    return shim_make_error (err, ENOMEM, "sync frame %#x", h.type);
  if (UNLIKELY (h.len > 0 && recv_all (fd, buf, h.len) < 0))
    {
      int e = errno;
      free (buf);
      return e ? shim_make_error (err, e, "read sync frame %#x", h.type)
               : shim_make_error (err, 0, "sync socket closed inside frame %#x", h.type);
    }
  buf[h.len] = '\0';
  *type = h.type;
  *payload = buf;
  *len = h.len;
  return 0;
}

void
shim_sync_send_error (int fd, shim_error_t err)
{
  cleanup_free char *text = shim_error_text (err);
  cleanup_free char *buf = NULL;
  int n;

  n = asprintf (&buf, "%d%c%s", err ? err->status : 0, '\0', text ? text : "unknown error");
  if (n < 0)
    return;
  shim_sync_send (fd, SHIM_MSG_ERROR, buf, (size_t) n, NULL);
}

int
shim_frame_reader_feed (struct shim_frame_reader *r, const void *buf, size_t len)
{
  if (r->len + len > r->cap)
    {
      size_t cap = r->cap ? r->cap : 256;
      char *nb;
      while (cap < r->len + len)
        cap *= 2;
      nb = realloc (r->buf, cap);
      if (nb == NULL)
        return -1;
      r->buf = nb;
      r->cap = cap;
    }
  memcpy (r->buf + r->len, buf, len);
  r->len += len;
  return 0;
}

ssize_t
shim_frame_reader_fill (struct shim_frame_reader *r, int fd)
{
  char tmp[4096];
  ssize_t n;

  do
    n = read (fd, tmp, sizeof tmp);
  while (n < 0 && errno == EINTR);
  if (n > 0 && shim_frame_reader_feed (r, tmp, (size_t) n) < 0)
    {
      errno = ENOMEM;
      return -1;
    }
  return n;
}

int
shim_frame_reader_next (struct shim_frame_reader *r, uint32_t *type, char **payload, uint32_t *len)
{
  struct shim_frame_header h;
  size_t total;
  char *p;

  if (r->len < sizeof h)
    return 0;
  memcpy (&h, r->buf, sizeof h);
  if (h.len > SHIM_MAX_PAYLOAD)
    return -1;
  total = sizeof h + h.len;
  if (r->len < total)
    return 0;
  p = malloc ((size_t) h.len + 1);
  if (p == NULL)
    return -1;
  memcpy (p, r->buf + sizeof h, h.len);
  p[h.len] = '\0';
  memmove (r->buf, r->buf + total, r->len - total);
  r->len -= total;
  *type = h.type;
  *payload = p;
  *len = h.len;
  return 1;
}

void
shim_frame_reader_free (struct shim_frame_reader *r)
{
  free (r->buf);
  r->buf = NULL;
  r->len = r->cap = 0;
}
