/* shim/src/error.c — error values (see error.h).  */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static char *
vformat (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    return NULL;
  return s;
}

int
shim_make_error (shim_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  shim_error_t e;

  if (err == NULL)
    return -1;
  shim_error_release (err);
  e = calloc (1, sizeof (*e));
  if (e == NULL)
    abort ();
  e->status = status;
  va_start (ap, fmt);
  e->msg = vformat (fmt, ap);
  va_end (ap);
  *err = e;
  return -1;
}

int
shim_error_wrap (shim_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix, *joined = NULL;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  prefix = vformat (fmt, ap);
  va_end (ap);
  if (prefix && asprintf (&joined, "%s: %s", prefix, (*err)->msg ? (*err)->msg : "") >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = joined;
    }
  free (prefix);
  return -1;
}

char *
shim_error_text (shim_error_t err)
{
  char *s = NULL;
  const char *msg = err && err->msg ? err->msg : "unknown error";

  if (err && err->status != 0)
    {
      if (asprintf (&s, "%s: %s", msg, strerror (err->status)) < 0)
        return NULL;
      return s;
    }
  return strdup (msg);
}

void
shim_error_release (shim_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}
