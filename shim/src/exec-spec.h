/* shim/src/exec-spec.h — the EXEC_START payload (protocol.h), parsed.  */
#ifndef SHIM_EXEC_SPEC_H
#define SHIM_EXEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

#define SHIM_EXEC_TOKEN_MAX 64

enum shim_exec_op
{
  SHIM_EXEC_RUN, /* execve argv.  */
  SHIM_EXEC_PUT, /* stdin -> the regular file `path`.  */
  SHIM_EXEC_GET, /* the regular file `path` -> stdout.  */
};

struct shim_exec_spec
{
  enum shim_exec_op op;
  struct shim_list argv, env;
  char *cwd;  /* never NULL after parsing: "/" by default.  */
  char *path; /* put= / get=.  */
  mode_t mode;
  bool tty, detach, stdin_open;
  unsigned cols, rows;
  char token[SHIM_EXEC_TOKEN_MAX + 1]; /* "" when none.  */
};

/* Parse LEN bytes of "key=value\0" pairs into SPEC (zeroed first).  */
int shim_exec_spec_parse (struct shim_exec_spec *spec, const char *buf, size_t len, shim_error_t *err);
void shim_exec_spec_free (struct shim_exec_spec *spec);
/* Is TOKEN 1-64 of [A-Za-z0-9._-]?  */
bool shim_exec_token_valid (const char *token);

/* ENV then OVERRIDES, a later KEY= replacing an earlier one, into OUT.  */
int shim_exec_merge_env (const struct shim_list *env, const struct shim_list *overrides, struct shim_list *out);

#endif
