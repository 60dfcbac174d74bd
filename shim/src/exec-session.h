/* shim/src/exec-session.h — one exec session inside the monitor (exec.c's
   sessions): its stdio (pipes, or a pty of the container's devpts), the
   helper that runs it (exec-enter.c) and the relay of its output to its
   client with flow control.  Internal to the exec socket.  */
#ifndef SHIM_EXEC_SESSION_H
#define SHIM_EXEC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "console.h"
#include "exec-spec.h"
#include "exec.h"

/* Stop reading the process's output while this much waits for the client.  */
#define EXEC_OUT_HIGH (256 * 1024)
/* One read of output, one frame.  */
#define EXEC_CHUNK (64 * 1024)

struct shim_exec_session
{
  struct shim_exec_session *next;
  struct shim_client *client; /* NULL while detached.  */
  struct shim_exec_spec spec;
  pid_t helper;               /* 0 once reaped.  */
  int report, in, out, errfd; /* tty: in == out (the pty master), errfd -1.  */
  uint32_t report_ev, in_ev, out_ev, err_ev;
  struct shim_frame_reader report_rd;
  char *inbuf;
  size_t inlen, inoff;
  bool in_close;  /* close stdin once inbuf is written.  */
  bool started;   /* STARTED relayed or pending in `started_text`.  */
  bool finished;  /* EXITED or ERROR known (`final`).  */
  bool relayed;   /* ... and queued to a client: close once flushed.  */
  bool abandoned; /* non-detached session whose client went: killed, dropped when reaped.  */
  uint32_t final_type;
  char final[600];
  size_t final_len;
  char started_text[64];
  bool started_sent;
};

void shim_exec_queue_frame (struct shim_execs *x, struct shim_client *c, uint32_t type, const void *payload,
                            size_t len);
void shim_exec_queue_error (struct shim_execs *x, struct shim_client *c, int status, const char *msg);
/* Make FD's epoll interest WANT (0: not registered).  */
void shim_exec_watch (struct shim_execs *x, int fd, uint32_t *cur, uint32_t want);
void shim_exec_close_watched (struct shim_execs *x, int *fd, uint32_t *cur);
struct shim_exec_session *shim_exec_session_of (struct shim_execs *x, struct shim_client *c);
/* Ask the helper to signal the process (it holds its pidfd).  */
void shim_exec_tell_helper (struct shim_exec_session *s, int sig);
/* Parse EXEC_START, check the container runs, make the stdio, fork the
   helper; the session is C's and on X's list.  NULL with *ERR.  */
struct shim_exec_session *shim_exec_session_start (struct shim_execs *x, struct shim_client *c, const char *payload,
                                                   size_t len, shim_error_t *err);
/* Record the last frame (EXITED or ERROR) once.  */
void shim_exec_session_finish (struct shim_exec_session *s, uint32_t type, const char *payload, size_t len);
void shim_exec_session_free (struct shim_execs *x, struct shim_exec_session *s);
/* One chunk of output FD as a frame of TYPE: 1 data, 0 nothing now, -1 end.  */
int shim_exec_pump (struct shim_execs *x, struct shim_exec_session *s, int fd, uint32_t type);
void shim_exec_out_eof (struct shim_execs *x, struct shim_exec_session *s, bool err_stream);
/* STARTED, then at the end the rest of the output and the last frame.  */
void shim_exec_relay (struct shim_execs *x, struct shim_exec_session *s);
/* Frames from the helper: STARTED, EXITED, ERROR.  */
void shim_exec_report_frames (struct shim_execs *x, struct shim_exec_session *s);
/* Write what stdin has pending; close it once asked and written.  */
void shim_exec_write_stdin (struct shim_execs *x, struct shim_exec_session *s);

#endif
