/* shim/src/netlink-dump.h — the replies to RTM_GETLINK and RTM_GETADDR
   dumps (netlink-msg.h builds the requests): every link with its name and
   link-layer address, every IPv4 and IPv6 address, as `ip addr show`
   reads them.  */
#ifndef SHIM_NETLINK_DUMP_H
#define SHIM_NETLINK_DUMP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one query collects at most; past these the dump is still read to
   its end (bounded by SHIM_NL_DUMP_MS, netlink-addrs.h) but the rest is
   left out.  */
#define SHIM_NL_MAX_LINKS 256
#define SHIM_NL_MAX_ADDRS 1024

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

/* Parse the messages of one recv of the reply to dump SEQ in BUF[0..LEN):
   RTM_NEWLINK and RTM_NEWADDR go into IFS, messages for other sequence
   numbers are skipped.  Returns 1 at NLMSG_DONE, 0 when more is to come,
   the kernel's -errno for an NLMSG_ERROR (or a DONE carrying one), -EBADMSG
   for a malformed message, -ENOMEM.  */
int shim_nl_parse_dump (const char *buf, size_t len, uint32_t seq, struct shim_nl_ifaces *ifs);
void shim_nl_ifaces_free (struct shim_nl_ifaces *ifs);

#endif
