/* shim/client/exec-print.c — see exec-print.h.

   A command's output is most of its reply: `vm info` of a thousand containers is a line of half a
   megabyte.  Parsed whole by jansson, whose lexer takes a string a byte at a time (~140
   instructions a byte), and held three times over (the line, the parsed string, the copy
   printed), it cost the client as much CPU as the daemon spent answering, most of it in page
   faults on a virtual machine (~20 µs each on one here).  When the reply is the result frame in
   the shape the daemon writes, {"type":"result","id":N,"ok":true,"value":{"output":"…",…}}
   (engine/daemon/server.ts, engine/language/session.ts), the output is decoded here as it is read
   and printed a chunk at a time from one 64 KiB buffer; only the rest of the value, the errors,
   goes to jansson.  Any other reply (an error, an event first, another order of the fields) is read
   whole and parsed by jansson as before.  */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "exec-print.h"
#include "utils.h"

/* Decoded output waiting to be written.  */
struct out_chunk
{
  FILE *out;
  size_t len;
  bool any;
  char data[65536];
};

static void
out_put (struct out_chunk *o, const char *s, size_t n)
{
  if (n == 0)
    return;
  o->any = true;
  if (o->len + n > sizeof o->data)
    {
      fwrite (o->data, 1, o->len, o->out);
      o->len = 0;
      if (n > sizeof o->data)
        {
          fwrite (s, 1, n, o->out);
          return;
        }
    }
  memcpy (o->data + o->len, s, n);
  o->len += n;
}

static int
hex4 (const char *s, unsigned *out)
{
  unsigned v = 0;
  int i;

  for (i = 0; i < 4; i++)
    {
      char ch = s[i];
      v <<= 4;
      if (ch >= '0' && ch <= '9')
        v |= (unsigned)(ch - '0');
      else if (ch >= 'a' && ch <= 'f')
        v |= (unsigned)(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F')
        v |= (unsigned)(ch - 'A' + 10);
      else
        return -1;
    }
  *out = v;
  return 0;
}

/* CP as UTF-8 into BUF (4 bytes); returns its length.  */
static size_t
utf8 (unsigned cp, char *buf)
{
  if (cp < 0x80)
    {
      buf[0] = (char)cp;
      return 1;
    }
  if (cp < 0x800)
    {
      buf[0] = (char)(0xC0 | (cp >> 6));
      buf[1] = (char)(0x80 | (cp & 0x3F));
      return 2;
    }
  if (cp < 0x10000)
    {
      buf[0] = (char)(0xE0 | (cp >> 12));
      buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
      buf[2] = (char)(0x80 | (cp & 0x3F));
      return 3;
    }
  buf[0] = (char)(0xF0 | (cp >> 18));
  buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* One escape at S (its backslash), AVAIL bytes buffered: the text it stands for into BUF (4 bytes),
   its length in *N.  Returns the escape's own length, 0 when more bytes are needed to tell, -1 when
   it is not one JSON allows (RFC 8259 §7; a lone surrogate, as jansson refuses it).  */
static int
escape (const char *s, size_t avail, char *buf, size_t *n)
{
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *k;
  unsigned cp, lo;

  if (avail < 2)
    return 0;
  if (s[1] != 'u')
    {
      if (s[1] == '\0' || (k = strchr (from, s[1])) == NULL)
        return -1;
      buf[0] = to[k - from];
      *n = 1;
      return 2;
    }
  if (avail < 6)
    return 0;
  if (hex4 (s + 2, &cp) < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
    return -1;
  if (cp < 0xD800 || cp > 0xDBFF)
    {
      *n = utf8 (cp, buf);
      return 6;
    }
  /* A high surrogate: an escaped low one must follow.  */
  if (avail < 12)
    return 0;
  if (s[6] != '\\' || s[7] != 'u' || hex4 (s + 8, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
    return -1;
  *n = utf8 (0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), buf);
  return 12;
}

static int
malformed (shim_error_t *err, const char *what)
{
  return shim_make_error (err, 0, "malformed reply from the nanomega daemon: %s", what);
}

static size_t
print_errors (json_t *errors, FILE *errs)
{
  size_t i, n = 0;
  json_t *e;

  json_array_foreach (errors, i, e)
  {
    fputs ("E: ", errs);
    fwrite (json_string_value (e) ? json_string_value (e) : "", 1, json_string_length (e), errs);
    fputc ('\n', errs);
    n++;
  }
  return n;
}

/* The buffer holds the result frame from its start; the output's text begins at POS.  */
static int
stream_output (struct nm_conn *c, size_t pos, FILE *out, FILE *errs, size_t *nerrors, shim_error_t *err)
{
  static struct out_chunk o;
  size_t read_before = 0, len;
  json_t *value, *errors;

  o.out = out;
  o.len = 0;
  o.any = false;
  for (;;)
    {
      const char *b = c->buf + pos, *e = c->buf + c->len, *s = b;
      char text[4];
      size_t n = 0;
      int used;

      while (s < e && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
        s++;
      out_put (&o, b, (size_t)(s - b));
      pos = (size_t)(s - c->buf);
      if (s < e && *s == '"')
        break;
      if (s < e && (unsigned char)*s < 0x20)
        return malformed (err, "a control character in the output");
      used = s < e ? escape (s, (size_t)(e - s), text, &n) : 0;
      if (used < 0)
        return malformed (err, "an escape JSON does not allow in the output");
      if (used > 0)
        {
          out_put (&o, text, n);
          pos += (size_t)used;
          continue;
        }
      /* Everything before POS is printed: drop it and read on.  A line that ended here (its newline
         is among the bytes kept) ended inside the string.  */
      if (memchr (s, '\n', (size_t)(e - s)) != NULL)
        return malformed (err, "the line ends inside the output");
      read_before += pos;
      if (read_before > NM_MAX_REPLY_BYTES)
        return shim_make_error (err, 0, "reply from the nanomega daemon longer than %d bytes", NM_MAX_REPLY_BYTES);
      nm_consume (c, pos);
      pos = 0;
      if (nm_fill (c, err) < 0)
        return -1;
    }
  if (o.len)
    fwrite (o.data, 1, o.len, out);
  if (o.any)
    fputc ('\n', out);

  /* The rest of the line: `,"errors":[…]}` and the frame's `}`.  With its comma turned into `{` and
     the frame's `}` left out, it is the object of the value's other members, parsed in place.  */
  nm_consume (c, pos + 1);
  if (nm_read_line (c, &len, err) < 0)
    return -1;
  if (len < 2 || c->buf[0] != ',' || c->buf[len - 1] != '}')
    return malformed (err, "after the output");
  c->buf[0] = '{';
  value = json_loadb (c->buf, len - 1, JSON_ALLOW_NUL, NULL);
  nm_consume (c, len + 1);
  errors = json_object_get (value, "errors");
  if (!json_is_array (errors))
    {
      json_decref (value);
      return shim_make_error (err, 0, "malformed %s result from the nanomega daemon", NM_CALL_EXEC);
    }
  *nerrors = print_errors (errors, errs);
  json_decref (value);
  return 0;
}

int
nm_exec_print (struct nm_conn *c, const char *line, FILE *out, FILE *errs, size_t *nerrors, shim_error_t *err)
{
  json_t *args = json_pack ("[s]", line);
  long long id;
  char prefix[128];
  int n;

  *nerrors = 0;
  if (args == NULL)
    return shim_make_error (err, 0, "encode request: the command is not valid UTF-8");
  if (nm_send_call (c, NM_CALL_EXEC, args, &id, err) < 0)
    return -1;
  n = snprintf (prefix, sizeof prefix, "{\"type\":\"%s\",\"id\":%lld,\"ok\":true,\"value\":{\"output\":\"",
                NM_FRAME_RESULT, id);
  if (n < 0 || (size_t)n >= sizeof prefix)
    return shim_make_error (err, 0, "encode request");
  for (;;)
    {
      json_t *result = NULL, *output;
      size_t len;
      int r;

      /* Enough of the next frame to tell whether it is our result in the daemon's shape.  */
      while (c->len < (size_t)n && (c->len == 0 || memchr (c->buf, '\n', c->len) == NULL))
        if (nm_fill (c, err) < 0)
          return -1;
      if (c->len >= (size_t)n && memcmp (c->buf, prefix, (size_t)n) == 0)
        return stream_output (c, (size_t)n, out, errs, nerrors, err);

      if (nm_read_line (c, &len, err) < 0)
        return -1;
      r = nm_result_line (c, len, id, &result, NULL, err);
      if (r < 0)
        return -1;
      if (r == 0)
        continue;
      output = json_object_get (result, "output");
      if (!json_is_string (output) || !json_is_array (json_object_get (result, "errors")))
        {
          json_decref (result);
          return shim_make_error (err, 0, "malformed %s result from the nanomega daemon", NM_CALL_EXEC);
        }
      if (json_string_length (output) > 0)
        {
          fwrite (json_string_value (output), 1, json_string_length (output), out);
          fputc ('\n', out);
        }
      *nerrors = print_errors (json_object_get (result, "errors"), errs);
      json_decref (result);
      return 0;
    }
}
