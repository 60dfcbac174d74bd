/* shim/src/layer.h — the size-limited writable layer of a snapshot container.  */
#ifndef SHIM_LAYER_H
#define SHIM_LAYER_H

#include <stddef.h>

#include "config.h"
#include "error.h"

/* The directory holding the overlay's upper and work dirs:
   <dir>/layer with disksize=, else <dir> itself.  */
int shim_layer_dir (const struct shim_config *cfg, char *buf, size_t len, shim_error_t *err);

/* With disksize= and snapshot: make sure a tmpfs of that size is mounted at
   <dir>/layer, in the monitor's (the host's) mount namespace, so it
   outlives this incarnation like minimega's overlay does: a vm start of a
   QUIT container finds its changes, and the engine unmounts it at flush.
   A tmpfs already there (an earlier incarnation) is kept as it is.  */
int shim_layer_prepare (const struct shim_config *cfg, shim_error_t *err);

#endif
