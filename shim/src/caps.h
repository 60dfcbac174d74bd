/* shim/src/caps.h — capability bounding/effective sets.  */
#ifndef SHIM_CAPS_H
#define SHIM_CAPS_H

#include <stdint.h>

#include "config.h"
#include "error.h"

/* Docker's default 14 capabilities plus NET_ADMIN, as a bit mask.  */
uint64_t shim_caps_default (void);
/* Number for "NET_ADMIN" or "CAP_NET_ADMIN" (case-insensitive), or -1.  */
int shim_cap_from_name (const char *name);
/* The highest capability the kernel knows (cap_last_cap), from prctl, never
   from /proc; -1 with ERR on failure.  */
int shim_caps_last (shim_error_t *err);
/* Drop the bounding set to the default plus CFG->caps, set
   effective = permitted = that set, inheritable and ambient empty.  */
int shim_caps_drop (const struct shim_config *cfg, shim_error_t *err);

#endif
