/* shim/client/entry.h — the native client as the `nanomega` program itself (the Debian package's
   /usr/bin/nanomega, a checkout's bin/nanomega): `-e` and `attach` answered here, every other subcommand handed to the
   TypeScript program.  */
#ifndef NM_CLIENT_ENTRY_H
#define NM_CLIENT_ENTRY_H

#include <stdbool.h>

#include "error.h"

/* Whether ARGV (ARGC words, ARGV[0] the program) selects this client: the first word that is not
   one of the program's options (--base DIR, --freezer MODE, --web ADDR, --NAME=VALUE) is `-e` or
   `attach`.  */
bool nm_entry_is_native (int argc, char **argv);

/* Where the TypeScript program is, found from this executable's own path EXE: the directory EXE
   is in (a copy installed as <root>/nanomega) or two above it (<root>/shim/build/nanomega-client),
   the first one with bin/nanomega.js.  Returns a malloc'd root, or NULL when neither has it.  */
char *nm_entry_program_root (const char *exe);

/* Exec the TypeScript program (<root>/bin/nanomega.js) with ARGV's words after ARGV[0]: under the
   package's own Node runtime when <root>/node/bin/node exists (that directory then goes first on
   PATH, for whatever the program runs), else under the `node` found on PATH.  Returns only on
   failure.  */
int nm_entry_exec_program (char **argv, shim_error_t *err);

#endif
