/* EXEC_START parsing: defaults, lists, put/get, tokens, refusals; the
   environment merge.  */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "exec-spec.h"

static int
parse (struct shim_exec_spec *s, const char *buf, size_t len, shim_error_t *err)
{
  shim_exec_spec_free (s);
  shim_error_release (err);
  return shim_exec_spec_parse (s, buf, len, err);
}

#define PARSE(lit) parse (&s, lit, sizeof lit - 1, &err)

int
main (void)
{
  struct shim_exec_spec s = { 0 };
  shim_error_t err = NULL;
  struct shim_list env = { 0 }, over = { 0 }, merged;

  CHECK (PARSE ("arg=ls\0arg=-l\0env=A=1\0") == 0);
  CHECK (s.op == SHIM_EXEC_RUN && s.argv.n == 2 && s.argv.items[2] == NULL && strcmp (s.argv.items[1], "-l") == 0);
  CHECK (strcmp (s.cwd, "/") == 0 && s.stdin_open && !s.tty && !s.detach && s.cols == 80 && s.rows == 24);
  CHECK (s.mode == 0644 && s.token[0] == '\0');

  CHECK (PARSE ("put=/tmp/x\0mode=600\0token=cc-1.a_b\0detach=1\0stdin=1\0") == 0);
  CHECK (s.op == SHIM_EXEC_PUT && strcmp (s.path, "/tmp/x") == 0 && s.mode == 0600 && s.detach);
  CHECK (strcmp (s.token, "cc-1.a_b") == 0);
  CHECK (PARSE ("get=/etc/hostname\0") == 0 && s.op == SHIM_EXEC_GET);
  CHECK (PARSE ("arg=sh\0tty=1\0cols=132\0rows=50\0cwd=/tmp\0") == 0 && s.tty && s.cols == 132 && s.rows == 50);

  CHECK (PARSE ("") < 0 && strstr (err->msg, "no command"));
  CHECK (PARSE ("arg=\0") < 0 && strstr (err->msg, "empty command"));
  CHECK (PARSE ("arg=ls\0put=/x\0") < 0 && strstr (err->msg, "take no `arg`"));
  CHECK (PARSE ("put=/x\0get=/y\0") < 0 && strstr (err->msg, "twice"));
  CHECK (PARSE ("put=\0") < 0 && strstr (err->msg, "empty path"));
  CHECK (PARSE ("arg=ls\0detach=1\0") < 0 && strstr (err->msg, "needs a token"));
  CHECK (PARSE ("arg=ls\0token=a/b\0") < 0 && strstr (err->msg, "bad token"));
  CHECK (PARSE ("arg=ls\0token=\0") < 0 && strstr (err->msg, "bad token"));
  CHECK (PARSE ("arg=ls\0tty=2\0") < 0 && strstr (err->msg, "want 0 or 1"));
  CHECK (PARSE ("arg=ls\0cols=0\0") < 0 && strstr (err->msg, "bad size"));
  CHECK (PARSE ("arg=ls\0env=NOEQUALS\0") < 0 && strstr (err->msg, "KEY=VALUE"));
  CHECK (PARSE ("arg=ls\0mode=99\0") < 0 && strstr (err->msg, "octal"));
  CHECK (PARSE ("arg=ls\0colour=red\0") < 0 && strstr (err->msg, "unknown key `colour`"));
  CHECK (PARSE ("put=/x\0tty=1\0") < 0 && strstr (err->msg, "no tty"));
  CHECK (PARSE ("arg=ls") < 0 && strstr (err->msg, "NUL-terminated"));

  CHECK (shim_exec_token_valid ("a") && !shim_exec_token_valid ("") && !shim_exec_token_valid ("a b"));
  {
    char t[66];
    memset (t, 'x', 65);
    t[65] = '\0';
    CHECK (!shim_exec_token_valid (t));
    t[64] = '\0';
    CHECK (shim_exec_token_valid (t));
  }

  /* init's environment, the command's on top: later keys win, order kept.  */
  CHECK (shim_list_push (&env, "PATH=/bin") == 0 && shim_list_push (&env, "HOME=/root") == 0);
  CHECK (shim_list_push (&over, "PATH=/x") == 0 && shim_list_push (&over, "TERM=a") == 0
         && shim_list_push (&over, "TERM=b") == 0);
  CHECK (shim_exec_merge_env (&env, &over, &merged) == 0);
  CHECK (merged.n == 3 && strcmp (merged.items[0], "HOME=/root") == 0 && strcmp (merged.items[1], "PATH=/x") == 0);
  CHECK (strcmp (merged.items[2], "TERM=b") == 0 && merged.items[3] == NULL);

  shim_list_free (&merged);
  shim_list_free (&env);
  shim_list_free (&over);
  shim_exec_spec_free (&s);
  shim_error_release (&err);
  return 0;
}
