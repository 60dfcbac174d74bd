/* shim/src/netlink.h — a minimal NETLINK_ROUTE client: the container side
   of its NICs (lo and each veth up, addresses assigned), done by the child
   in its own network namespace instead of one `nsenter … ip -batch`
   process per container.  */
#ifndef SHIM_NETLINK_H
#define SHIM_NETLINK_H

#include <stddef.h>
#include <stdint.h>

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

#endif
