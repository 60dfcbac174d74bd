/* shim/client/wire.h — the daemon socket protocol as the native client speaks it.
   Mirrors engine/api/wire.ts: a unit test (test/unit/engine/api/wire-c.test.ts) parses every
   NM_ define below and compares it with the TypeScript constant of the same meaning.  */
#ifndef NM_CLIENT_WIRE_H
#define NM_CLIENT_WIRE_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

#define NM_SOCKET_NAME "nanomega.sock"
#define NM_DEFAULT_BASE "/run/nanomega"
#define NM_BASE_ENV "NANOMEGA_BASE"
#define NM_FRAME_CALL "call"
#define NM_FRAME_RESULT "result"
#define NM_CALL_EXEC "cli.exec"
#define NM_CALL_SUGGEST "cli.suggest"
/* Longest line either side accepts (engine/api/wire.ts MAX_LINE_BYTES).  */
#define NM_MAX_LINE_BYTES (8 * 1024 * 1024)
/* A reply may be much longer than a request (vm info of thousands of containers as JSON).  */
#define NM_MAX_REPLY_BYTES (256 * 1024 * 1024)

struct nm_conn
{
  int fd;
  long long next_id;
  char *buf; /* bytes read past the last frame.  */
  size_t len, cap;
};

/* Connect to <BASE>/nanomega.sock.  */
int nm_connect (struct nm_conn *c, const char *base, shim_error_t *err);
void nm_close (struct nm_conn *c);

/* Call METHOD with ARGS (stolen) and wait for its result frame.  On success *VALUE holds the
   result's value (caller decrefs).  A result with ok=false is an error whose message is the
   daemon's; *CODE (when not NULL) receives its code (caller frees).  */
int nm_call (struct nm_conn *c, const char *method, json_t *args, json_t **value, char **code, shim_error_t *err);

/* cli.exec: run LINE; *OUTPUT and *ERRORS are the CommandResult fields (caller decrefs RESULT).  */
int nm_exec (struct nm_conn *c, const char *line, json_t **result, shim_error_t *err);

/* Print a CommandResult: output + "\n" on OUT when not empty, each error as "E: msg" on ERRS.
   Returns the number of errors.  */
size_t nm_print_result (json_t *result, FILE *out, FILE *errs);

#endif
