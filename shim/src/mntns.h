/* shim/src/mntns.h — the template mount namespace containers are cloned
   from (see mntns.c).  */
#ifndef SHIM_MNTNS_H
#define SHIM_MNTNS_H

#include <stdbool.h>

#include "config.h"
#include "error.h"

/* In the launcher, before the first fork: build the template.  On failure
   (no CAP_SYS_ADMIN, an old kernel) containers are cloned from the host's
   mount namespace, as without a template; the error says why.  */
int shim_mntns_template_init (shim_error_t *err);

/* In the launcher: the fd to poll for changes of the host's mount table
   (POLLPRI), or -1 without a template.  */
int shim_mntns_watch_fd (void);

/* In the launcher, when the host's mount table changed (the watch fd
   reported it): rebuild the template if anything but writable layers
   changed, so a container sees every mount the host has.  */
void shim_mntns_template_refresh (void);

/* How a monitor clones its child: from the template when there is one.  */
struct shim_mntns_clone
{
  int layer_fd;  /* a detached copy of the writable layer, for the child.  */
  bool entered;  /* the monitor is in the template until _leave.  */
};
#define SHIM_MNTNS_CLONE_INIT { .layer_fd = -1, .entered = false }

/* In the monitor, right before the clone (the layer is mounted): enter the
   template.  Without a template, or when it cannot be used, nothing
   happens and the child is cloned from the host's namespace.  */
void shim_mntns_enter (const struct shim_config *cfg, struct shim_mntns_clone *c);

/* In the child, first of all: attach the writable layer where the host
   has it (<dir>/layer).  */
int shim_mntns_child_attach (const struct shim_config *cfg, struct shim_mntns_clone *c, shim_error_t *err);

/* In the monitor, right after the clone: back to the host's namespace;
   the template's fds are closed (a monitor outlives launches: it must not
   pin the template).  */
int shim_mntns_leave (struct shim_mntns_clone *c, shim_error_t *err);

#endif
