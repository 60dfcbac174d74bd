/* shim/client/exec-print.h — run one command (cli.exec) and print its result as it arrives.  */
#ifndef NM_CLIENT_EXEC_PRINT_H
#define NM_CLIENT_EXEC_PRINT_H

#include <stdio.h>

#include "wire.h"

/* Run LINE and print its CommandResult: the output and a newline (when the output is not empty)
   on OUT, then each error as `E: msg` on ERRS; *NERRORS is the number of errors.  Returns -1 (ERR
   set) when the call failed or its reply was malformed: when the reply broke off in the middle of
   the output, what came before it has been printed.  */
int nm_exec_print (struct nm_conn *c, const char *line, FILE *out, FILE *errs, size_t *nerrors, shim_error_t *err);

#endif
