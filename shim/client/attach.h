/* shim/client/attach.h — the interactive prompt.  */
#ifndef NM_CLIENT_ATTACH_H
#define NM_CLIENT_ATTACH_H

#include "wire.h"

/* Read lines from stdin until EOF, `quit` or `exit`, running each in C's session.  Returns the
   exit status.  */
int nm_attach (struct nm_conn *c, const char *base);

#endif
