/* shim/src/netlink.h — a minimal NETLINK_ROUTE client: the container side
   of its NICs (lo and each veth up, addresses assigned), done by the child
   in its own network namespace instead of one `nsenter … ip -batch`
   process per container; and the monitor's answer to ADDRS (every
   interface of the container's namespace with its addresses, what
   `ip addr show` dumps) without a process either.  */
#ifndef SHIM_NETLINK_H
#define SHIM_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

/* Requests, back to back; message I carries sequence number I + 1.  */
struct shim_nl_req
{
  char *buf;
  size_t len, cap;
  uint32_t n;
};

/* Append RTM_NEWLINK setting IFF_UP on IFINDEX.  Returns its sequence
   number, or -1 (ENOMEM).  */
int shim_nl_link_up (struct shim_nl_req *r, int ifindex);
/* Append RTM_NEWADDR (IFA_LOCAL + IFA_ADDRESS) for NIC's address on
   IFINDEX.  Returns its sequence number, or -1 (ENOMEM, or no address).  */
int shim_nl_addr_add (struct shim_nl_req *r, int ifindex, const struct shim_nic *nic);
void shim_nl_req_free (struct shim_nl_req *r);

/* One acknowledgement: ERROR is 0 or -errno; EXTACK the kernel's extended
   ack message (pointing into the receive buffer) or NULL.  */
struct shim_nl_ack
{
  uint32_t seq;
  int error;
  const char *extack;
};

/* The next NLMSG_ERROR message in BUF[*OFF..LEN): 1 and *OFF advanced,
   0 at the end, -1 on a malformed or unexpected message.  */
int shim_nl_next_ack (const char *buf, size_t len, size_t *off, struct shim_nl_ack *ack);

/* Bring lo and every NIC up and assign their addresses, in the calling
   process's network namespace; every request is acked and checked.  */
int shim_netlink_setup (const struct shim_nics *nics, shim_error_t *err);

/* ---- reading: RTM_GETLINK and RTM_GETADDR dumps ---------------------- */

/* What one query collects at most; past these the dump is still read to
   its end (bounded by SHIM_NL_DUMP_MS) but the rest is left out.  */
#define SHIM_NL_MAX_LINKS 256
#define SHIM_NL_MAX_ADDRS 1024
/* The ADDRS reply text at most (whole lines; interfaces past it are left
   out), and how long one query may take before it fails.  */
#define SHIM_NL_ADDRS_MAX (64 * 1024)
#define SHIM_NL_DUMP_MS 500

struct shim_nl_link
{
  int index;
  char name[IFNAMSIZ];
  uint8_t maclen; /* 0: no link-layer address (IFLA_ADDRESS).  */
  unsigned char mac[32];
};

struct shim_nl_addr
{
  int index;
  uint8_t family, prefix; /* AF_INET or AF_INET6.  */
  unsigned char bytes[16];
};

struct shim_nl_ifaces
{
  struct shim_nl_link *links;
  struct shim_nl_addr *addrs;
  size_t nlinks, naddrs, links_cap, addrs_cap;
  bool truncated; /* something past the limits was left out.  */
};

/* Append a dump request for TYPE (RTM_GETLINK or RTM_GETADDR, all
   families).  Returns its sequence number, or -1 (ENOMEM or a bad TYPE).  */
int shim_nl_dump_req (struct shim_nl_req *r, uint16_t type);
/* Parse the messages of one recv of the reply to dump SEQ in BUF[0..LEN):
   RTM_NEWLINK and RTM_NEWADDR go into IFS, messages for other sequence
   numbers are skipped.  Returns 1 at NLMSG_DONE, 0 when more is to come,
   the kernel's -errno for an NLMSG_ERROR (or a DONE carrying one), -EBADMSG
   for a malformed message, -ENOMEM.  */
int shim_nl_parse_dump (const char *buf, size_t len, uint32_t seq, struct shim_nl_ifaces *ifs);
/* The ADDRS text of IFS into BUF (CAP bytes, not NUL-terminated): per link,
   in dump order, "<name>\t<mac>\t<IPv4 CIDRs>\t<IPv6 CIDRs>\n", the CIDRs
   comma-separated in dump order, the MAC lower-case "xx:xx:..." or empty.
   Only whole lines: a line that does not fit ends the text (IFS->truncated
   is not changed).  Returns the length.  */
size_t shim_nl_format_ifaces (const struct shim_nl_ifaces *ifs, char *buf, size_t cap);
void shim_nl_ifaces_free (struct shim_nl_ifaces *ifs);

/* Every interface of the network namespace NSFD, as shim_nl_format_ifaces
   text in *OUT (malloc'd, *LEN bytes).  The NETLINK_ROUTE socket is made
   inside NSFD (setns, socket, setns back to SELFNS: a socket stays in the
   namespace it was created in), so the caller must be single-threaded.  */
int shim_netlink_addrs (int nsfd, int selfns, char **out, size_t *len, shim_error_t *err);

#endif
