/* shim/src/netlink-msg.h — NETLINK_ROUTE messages as the kernel reads and
   writes them: requests appended back to back in one buffer (what
   `ip link set X up`, `ip addr add A dev X` and the dumps of
   `ip addr show` send), and the acks that answer them.  Shared by the
   link setup (netlink.c) and the ADDRS query (netlink-addrs.c).  */
#ifndef SHIM_NETLINK_MSG_H
#define SHIM_NETLINK_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* One recv's buffer, for acks and dump replies alike.  */
#define SHIM_NL_RECV_BYTES 65536

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
/* Append a dump request for TYPE (RTM_GETLINK or RTM_GETADDR, all
   families).  Returns its sequence number, or -1 (ENOMEM or a bad TYPE).  */
int shim_nl_dump_req (struct shim_nl_req *r, uint16_t type);
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

#endif
