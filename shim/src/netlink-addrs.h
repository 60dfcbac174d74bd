/* shim/src/netlink-addrs.h — the monitor's answer to ADDRS: every
   interface of the container's network namespace with its addresses, what
   `ip addr show` dumps, read without a process.  */
#ifndef SHIM_NETLINK_ADDRS_H
#define SHIM_NETLINK_ADDRS_H

#include <stddef.h>

#include "error.h"
#include "netlink-dump.h"

/* The ADDRS reply text at most (whole lines; interfaces past it are left
   out), and how long one query may take before it fails.  */
#define SHIM_NL_ADDRS_MAX (64 * 1024)
#define SHIM_NL_DUMP_MS 500

/* The ADDRS text of IFS into BUF (CAP bytes, not NUL-terminated): per link,
   in dump order, "<name>\t<mac>\t<IPv4 CIDRs>\t<IPv6 CIDRs>\n", the CIDRs
   comma-separated in dump order, the MAC lower-case "xx:xx:..." or empty.
   Only whole lines: a line that does not fit ends the text (IFS->truncated
   is not changed).  Returns the length.  */
size_t shim_nl_format_ifaces (const struct shim_nl_ifaces *ifs, char *buf, size_t cap);

/* Every interface of the network namespace NSFD, as shim_nl_format_ifaces
   text in *OUT (malloc'd, *LEN bytes).  The NETLINK_ROUTE socket is made
   inside NSFD (setns, socket, setns back to SELFNS: a socket stays in the
   namespace it was created in), so the caller must be single-threaded.  */
int shim_netlink_addrs (int nsfd, int selfns, char **out, size_t *len, shim_error_t *err);

#endif
