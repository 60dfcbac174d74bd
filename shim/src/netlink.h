/* shim/src/netlink.h — the container side of its NICs (lo and each veth
   up, addresses assigned), done over NETLINK_ROUTE by the child in its own
   network namespace instead of one `nsenter … ip -batch` process per
   container.  */
#ifndef SHIM_NETLINK_H
#define SHIM_NETLINK_H

#include "config.h"
#include "error.h"

/* Bring lo and every NIC up and assign their addresses, in the calling
   process's network namespace; every request is acked and checked.  */
int shim_netlink_setup (const struct shim_nics *nics, shim_error_t *err);

#endif
