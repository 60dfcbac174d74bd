/* shim/src/error.h — crun-style errors: every failure names the call and
   the path; only main() ends the process.  */
#ifndef SHIM_ERROR_H
#define SHIM_ERROR_H

struct shim_error_s
{
  int status; /* errno, or 0 when the failure is not a syscall.  */
  char *msg;
};
typedef struct shim_error_s *shim_error_t;

/* Record an error in *ERR and return -1.  */
int shim_make_error (shim_error_t *err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Prefix the message of *ERR with a context; returns -1.  */
int shim_error_wrap (shim_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* "<msg>: <strerror(status)>" or "<msg>"; caller frees.  */
char *shim_error_text (shim_error_t err);
void shim_error_release (shim_error_t *err);

#endif
