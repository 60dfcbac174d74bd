/* shim/client/wire.c — one JSON frame per line over the daemon's unix socket (wire.h).  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "utils.h"
#include "wire.h"

int
nm_connect (struct nm_conn *c, const char *base, shim_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int n;

  memset (c, 0, sizeof (*c));
  c->fd = -1;
  c->next_id = 1;
  n = snprintf (addr.sun_path, sizeof (addr.sun_path), "%s/%s", base, NM_SOCKET_NAME);
  if (n < 0 || (size_t)n >= sizeof (addr.sun_path))
    return shim_make_error (err, 0, "socket path `%s/%s` is longer than a unix socket allows", base, NM_SOCKET_NAME);
  c->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (UNLIKELY (c->fd < 0))
    return shim_make_error (err, errno, "socket");
  if (connect (c->fd, (struct sockaddr *)&addr, sizeof (addr)) < 0)
    {
      /* The same words as the TypeScript client (cli/engine-client), errno by its name.  */
      int saved = errno;
      const char *name = strerrorname_np (saved);
      close (c->fd);
      c->fd = -1;
      return shim_make_error (err, 0, "no nanomega daemon at %s (%s); start one with: sudo nanomega serve --base %s",
                              addr.sun_path, name ? name : strerror (saved), base);
    }
  return 0;
}

void
nm_close (struct nm_conn *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  free (c->buf);
  c->buf = NULL;
  c->len = c->cap = 0;
}

int
nm_fill (struct nm_conn *c, shim_error_t *err)
{
  ssize_t r;

  if (c->len > NM_MAX_REPLY_BYTES)
    return shim_make_error (err, 0, "reply from the nanomega daemon longer than %d bytes", NM_MAX_REPLY_BYTES);
  if (c->cap - c->len < 65536)
    {
      size_t cap = c->cap ? c->cap * 2 : 65536;
      char *p = realloc (c->buf, cap);
      if (p == NULL)
        return shim_make_error (err, ENOMEM, "read reply");
      c->buf = p;
      c->cap = cap;
    }
  do
    r = read (c->fd, c->buf + c->len, c->cap - c->len);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return shim_make_error (err, errno, "read from the nanomega daemon");
  if (r == 0)
    return shim_make_error (err, 0, "connection to the nanomega daemon closed");
  c->len += (size_t)r;
  return 0;
}

int
nm_read_line (struct nm_conn *c, size_t *line_len, shim_error_t *err)
{
  size_t scanned = 0;

  for (;;)
    {
      char *nl = c->len > scanned ? memchr (c->buf + scanned, '\n', c->len - scanned) : NULL;

      if (nl)
        {
          *line_len = (size_t)(nl - c->buf);
          return 0;
        }
      scanned = c->len;
      if (nm_fill (c, err) < 0)
        return -1;
    }
}

void
nm_consume (struct nm_conn *c, size_t n)
{
  memmove (c->buf, c->buf + n, c->len - n);
  c->len -= n;
}

static int
send_frame (struct nm_conn *c, json_t *frame, shim_error_t *err)
{
  cleanup_free char *text = json_dumps (frame, JSON_COMPACT | JSON_ENCODE_ANY);
  size_t n;

  if (text == NULL)
    return shim_make_error (err, ENOMEM, "encode request");
  n = strlen (text);
  if (n + 1 > NM_MAX_LINE_BYTES)
    return shim_make_error (err, 0, "request longer than %d bytes", NM_MAX_LINE_BYTES);
  text[n] = '\n'; /* json_dumps leaves room for its NUL, which becomes the frame's newline.  */
  if (shim_write_all (c->fd, text, n + 1) < 0)
    return shim_make_error (err, errno, "write to the nanomega daemon");
  return 0;
}

int
nm_send_call (struct nm_conn *c, const char *method, json_t *args, long long *id, shim_error_t *err)
{
  json_t *frame;
  int ret;

  *id = c->next_id++;
  frame = json_pack ("{s:s, s:I, s:s, s:o}", "type", NM_FRAME_CALL, "id", (json_int_t)*id, "method", method, "args",
                     args);
  if (frame == NULL)
    return shim_make_error (err, ENOMEM, "encode request");
  ret = send_frame (c, frame, err);
  json_decref (frame);
  return ret;
}

int
nm_result_line (struct nm_conn *c, size_t len, long long id, json_t **value, char **code, shim_error_t *err)
{
  json_error_t jerr;
  json_t *reply, *ok;
  const char *type;
  json_int_t rid;

  reply = json_loadb (c->buf, len, JSON_ALLOW_NUL, &jerr);
  nm_consume (c, len + 1);
  if (reply == NULL)
    return shim_make_error (err, 0, "malformed reply from the nanomega daemon: %s", jerr.text);
  /* Events and other calls' results are not ours: skip them.  */
  if (json_unpack (reply, "{s:s, s:I, s:o}", "type", &type, "id", &rid, "ok", &ok) < 0
      || strcmp (type, NM_FRAME_RESULT) != 0 || rid != id)
    {
      json_decref (reply);
      return 0;
    }
  if (json_is_true (ok))
    {
      *value = json_incref (json_object_get (reply, "value"));
      json_decref (reply);
      if (*value == NULL)
        *value = json_null ();
      return 1;
    }
  {
    json_t *e = json_object_get (reply, "error");
    const char *msg = json_string_value (json_object_get (e, "message"));
    const char *ecode = json_string_value (json_object_get (e, "code"));
    if (code)
      *code = ecode ? strdup (ecode) : NULL;
    shim_make_error (err, 0, "%s", msg ? msg : "the nanomega daemon answered an error without a message");
    json_decref (reply);
    return -1;
  }
}

int
nm_call (struct nm_conn *c, const char *method, json_t *args, json_t **value, char **code, shim_error_t *err)
{
  long long id;
  size_t len = 0;
  int r;

  if (nm_send_call (c, method, args, &id, err) < 0)
    return -1;
  do
    {
      if (nm_read_line (c, &len, err) < 0)
        return -1;
      r = nm_result_line (c, len, id, value, code, err);
    }
  while (r == 0);
  return r < 0 ? -1 : 0;
}
