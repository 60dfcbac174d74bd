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

/* nm_call in its parts, for a caller that reads the reply its own way (exec-print.c).  */
/* Send a call frame: METHOD with ARGS (stolen); *ID is the frame's id.  */
int nm_send_call (struct nm_conn *c, const char *method, json_t *args, long long *id, shim_error_t *err);
/* Read once more from the daemon into the buffer (growing it when it has less than 64 KiB free).  */
int nm_fill (struct nm_conn *c, shim_error_t *err);
/* Read until the buffer holds a whole line; *LINE_LEN is its length without the newline.  */
int nm_read_line (struct nm_conn *c, size_t *line_len, shim_error_t *err);
/* Drop the first N bytes of the buffer.  */
void nm_consume (struct nm_conn *c, size_t n);
/* Parse and consume the buffer's first line (LEN bytes and its newline) as a reply to call ID:
   1 and *VALUE as nm_call, 0 when it is another frame (skipped), -1 when it is malformed or an error
   result (*CODE as nm_call).  */
int nm_result_line (struct nm_conn *c, size_t len, long long id, json_t **value, char **code, shim_error_t *err);

#endif
