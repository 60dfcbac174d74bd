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

/* Read until the buffer holds a whole line; return its length (without the newline).  */
static int
read_line (struct nm_conn *c, size_t *line_len, shim_error_t *err)
{
  size_t scanned = 0;

  for (;;)
    {
      char *nl = c->len > scanned ? memchr (c->buf + scanned, '\n', c->len - scanned) : NULL;
      ssize_t r;

      if (nl)
        {
          *line_len = (size_t)(nl - c->buf);
          return 0;
        }
      scanned = c->len;
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
      r = read (c->fd, c->buf + c->len, c->cap - c->len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return shim_make_error (err, errno, "read from the nanomega daemon");
      if (r == 0)
        return shim_make_error (err, 0, "connection to the nanomega daemon closed");
      c->len += (size_t)r;
    }
}

/* Drop the first LEN + 1 bytes (a line and its newline) from the buffer.  */
static void
consume (struct nm_conn *c, size_t len)
{
  memmove (c->buf, c->buf + len + 1, c->len - len - 1);
  c->len -= len + 1;
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
nm_call (struct nm_conn *c, const char *method, json_t *args, json_t **value, char **code, shim_error_t *err)
{
  long long id = c->next_id++;
  json_t *frame
      = json_pack ("{s:s, s:I, s:s, s:o}", "type", NM_FRAME_CALL, "id", (json_int_t)id, "method", method, "args", args);
  int ret;

  if (frame == NULL)
    return shim_make_error (err, ENOMEM, "encode request");
  ret = send_frame (c, frame, err);
  json_decref (frame);
  if (ret < 0)
    return ret;

  for (;;)
    {
      size_t len = 0;
      json_error_t jerr;
      json_t *reply, *ok;
      const char *type;
      json_int_t rid;

      if (read_line (c, &len, err) < 0)
        return -1;
      reply = json_loadb (c->buf, len, JSON_ALLOW_NUL, &jerr);
      consume (c, len);
      if (reply == NULL)
        return shim_make_error (err, 0, "malformed reply from the nanomega daemon: %s", jerr.text);
      /* Events and other calls' results are not ours: skip them.  */
      if (json_unpack (reply, "{s:s, s:I, s:o}", "type", &type, "id", &rid, "ok", &ok) < 0
          || strcmp (type, NM_FRAME_RESULT) != 0 || rid != id)
        {
          json_decref (reply);
          continue;
        }
      if (json_is_true (ok))
        {
          *value = json_incref (json_object_get (reply, "value"));
          json_decref (reply);
          if (*value == NULL)
            *value = json_null ();
          return 0;
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
}

int
nm_exec (struct nm_conn *c, const char *line, json_t **result, shim_error_t *err)
{
  json_t *args = json_pack ("[s]", line);

  if (args == NULL)
    return shim_make_error (err, 0, "encode request: the command is not valid UTF-8");
  if (nm_call (c, NM_CALL_EXEC, args, result, NULL, err) < 0)
    return -1;
  if (!json_is_object (*result) || !json_is_string (json_object_get (*result, "output"))
      || !json_is_array (json_object_get (*result, "errors")))
    {
      json_decref (*result);
      *result = NULL;
      return shim_make_error (err, 0, "malformed %s result from the nanomega daemon", NM_CALL_EXEC);
    }
  return 0;
}

size_t
nm_print_result (json_t *result, FILE *out, FILE *errs)
{
  json_t *output = json_object_get (result, "output");
  json_t *errors = json_object_get (result, "errors");
  size_t i, n = 0;
  json_t *e;

  if (json_string_length (output) > 0)
    {
      fwrite (json_string_value (output), 1, json_string_length (output), out);
      fputc ('\n', out);
    }
  json_array_foreach (errors, i, e)
  {
    fputs ("E: ", errs);
    fwrite (json_string_value (e) ? json_string_value (e) : "", 1, json_string_length (e), errs);
    fputc ('\n', errs);
    n++;
  }
  return n;
}
