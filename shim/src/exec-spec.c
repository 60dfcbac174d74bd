/* shim/src/exec-spec.c — parse and check EXEC_START (see protocol.h).  */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exec-spec.h"
#include "utils.h"

/* Longer argv/env lists than any command line needs; bounds the payload
   work (the frame is at most SHIM_MAX_PAYLOAD anyway).  */
#define MAX_ITEMS 4096

bool
shim_exec_token_valid (const char *t)
{
  size_t n = strlen (t);

  if (n == 0 || n > SHIM_EXEC_TOKEN_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '.'
          || t[i] == '_' || t[i] == '-'))
      return false;
  return true;
}

static int
set_bool (bool *slot, const char *key, const char *v, shim_error_t *err)
{
  if (strcmp (v, "0") != 0 && strcmp (v, "1") != 0)
    return shim_make_error (err, 0, "exec: key `%s`: want 0 or 1, got `%s`", key, v);
  *slot = v[0] == '1';
  return 0;
}

static int
set_path (struct shim_exec_spec *s, enum shim_exec_op op, const char *key, const char *v, shim_error_t *err)
{
  if (s->path != NULL)
    return shim_make_error (err, 0, "exec: put= and get= name one path, given twice");
  if (v[0] == '\0')
    return shim_make_error (err, 0, "exec: key `%s`: empty path", key);
  s->op = op;
  s->path = strdup (v);
  return s->path ? 0 : shim_make_error (err, ENOMEM, "exec: key `%s`", key);
}

static int
set_dim (unsigned *slot, const char *key, const char *v, shim_error_t *err)
{
  char *end = NULL;
  unsigned long n;

  errno = 0;
  n = strtoul (v, &end, 10);
  if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || n < 1 || n > 65535)
    return shim_make_error (err, 0, "exec: key `%s`: bad size `%s` (1..65535)", key, v);
  *slot = (unsigned)n;
  return 0;
}

static int
spec_pair (void *data, const char *key, const char *v, shim_error_t *err)
{
  struct shim_exec_spec *s = data;

  if (strcmp (key, "arg") == 0 || strcmp (key, "env") == 0)
    {
      struct shim_list *l = key[0] == 'a' ? &s->argv : &s->env;
      if (l->n >= MAX_ITEMS)
        return shim_make_error (err, E2BIG, "exec: more than %d `%s` keys", MAX_ITEMS, key);
      if (l == &s->env && (strchr (v, '=') == NULL || v[0] == '='))
        return shim_make_error (err, 0, "exec: env `%s` is not KEY=VALUE", v);
      return shim_list_push (l, v) < 0 ? shim_make_error (err, ENOMEM, "exec: key `%s`", key) : 0;
    }
  if (strcmp (key, "cwd") == 0)
    {
      if (s->cwd != NULL)
        return shim_make_error (err, 0, "exec: key `cwd` given twice");
      if (v[0] == '\0')
        return shim_make_error (err, 0, "exec: key `cwd`: empty path");
      s->cwd = strdup (v);
      return s->cwd ? 0 : shim_make_error (err, ENOMEM, "exec: key `cwd`");
    }
  if (strcmp (key, "tty") == 0)
    return set_bool (&s->tty, key, v, err);
  if (strcmp (key, "detach") == 0)
    return set_bool (&s->detach, key, v, err);
  if (strcmp (key, "stdin") == 0)
    return set_bool (&s->stdin_open, key, v, err);
  if (strcmp (key, "cols") == 0)
    return set_dim (&s->cols, key, v, err);
  if (strcmp (key, "rows") == 0)
    return set_dim (&s->rows, key, v, err);
  if (strcmp (key, "put") == 0)
    return set_path (s, SHIM_EXEC_PUT, key, v, err);
  if (strcmp (key, "get") == 0)
    return set_path (s, SHIM_EXEC_GET, key, v, err);
  if (strcmp (key, "mode") == 0)
    {
      char *end = NULL;
      unsigned long m = strtoul (v, &end, 8);
      if (*v == '\0' || *end != '\0' || m > 07777)
        return shim_make_error (err, 0, "exec: key `mode`: bad octal mode `%s`", v);
      s->mode = (mode_t)m;
      return 0;
    }
  if (strcmp (key, "token") == 0)
    {
      if (!shim_exec_token_valid (v))
        return shim_make_error (err, 0, "exec: bad token `%.80s` (1-64 of A-Z a-z 0-9 . _ -)", v);
      strcpy (s->token, v);
      return 0;
    }
  return shim_make_error (err, 0, "exec: unknown key `%s`", key);
}

int
shim_exec_spec_parse (struct shim_exec_spec *s, const char *buf, size_t len, shim_error_t *err)
{
  memset (s, 0, sizeof *s);
  s->mode = 0644;
  s->stdin_open = true;
  s->cols = 80;
  s->rows = 24;
  if (shim_each_pair ("exec", buf, len, spec_pair, s, err) < 0)
    return -1;
  if (s->op == SHIM_EXEC_RUN && s->argv.n == 0)
    return shim_make_error (err, 0, "exec: no command (no `arg` key)");
  if (s->op != SHIM_EXEC_RUN && s->argv.n != 0)
    return shim_make_error (err, 0, "exec: put= and get= take no `arg`");
  if (s->op == SHIM_EXEC_RUN && s->argv.items[0][0] == '\0')
    return shim_make_error (err, 0, "exec: empty command name");
  if (s->op != SHIM_EXEC_RUN && s->tty)
    return shim_make_error (err, 0, "exec: put= and get= take no tty");
  if (s->detach && s->token[0] == '\0')
    return shim_make_error (err, 0, "exec: detach=1 needs a token to attach again");
  if (s->cwd == NULL && (s->cwd = strdup ("/")) == NULL)
    return shim_make_error (err, ENOMEM, "exec: cwd");
  return 0;
}

void
shim_exec_spec_free (struct shim_exec_spec *s)
{
  shim_list_free (&s->argv);
  shim_list_free (&s->env);
  free (s->cwd);
  free (s->path);
  s->cwd = s->path = NULL;
}

static bool
same_key (const char *a, const char *b)
{
  size_t n = (size_t)(strchr (a, '=') - a);
  return strncmp (a, b, n + 1) == 0;
}

int
shim_exec_merge_env (const struct shim_list *env, const struct shim_list *overrides, struct shim_list *out)
{
  memset (out, 0, sizeof *out);
  for (size_t i = 0; i < env->n; i++)
    {
      bool replaced = false;
      for (size_t j = 0; j < overrides->n && !replaced; j++)
        replaced = same_key (overrides->items[j], env->items[i]);
      if (!replaced && shim_list_push (out, env->items[i]) < 0)
        return -1;
    }
  for (size_t j = 0; j < overrides->n; j++)
    {
      bool later = false;
      for (size_t k = j + 1; k < overrides->n && !later; k++)
        later = same_key (overrides->items[k], overrides->items[j]);
      if (!later && shim_list_push (out, overrides->items[j]) < 0)
        return -1;
    }
  if (out->items == NULL && shim_list_push (out, "container=nanomega") < 0)
    return -1;
  return 0;
}
