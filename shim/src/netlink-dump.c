/* shim/src/netlink-dump.c — parsing the link and address dumps into
   struct shim_nl_ifaces, within its limits.  */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink-dump.h"

/* Attributes of the message H after its fixed part of HDR bytes: calls
   FN for each; -1 when one overruns the message.  */
static int
each_attr (const struct nlmsghdr *h, size_t hdr, void (*fn) (const struct rtattr *, size_t, void *), void *arg)
{
  const char *base = (const char *) h;
  size_t at = NLMSG_LENGTH (NLMSG_ALIGN (hdr)), end = h->nlmsg_len;

  while (at + sizeof (struct rtattr) <= end)
    {
      const struct rtattr *a = (const struct rtattr *) (base + at);
      if (a->rta_len < sizeof *a || at + a->rta_len > end)
        return -1;
      fn (a, a->rta_len - RTA_LENGTH (0), arg);
      at += RTA_ALIGN (a->rta_len);
    }
  return 0;
}

static void
link_attr (const struct rtattr *a, size_t len, void *arg)
{
  struct shim_nl_link *l = arg;
  const char *data = RTA_DATA (a);

  if (a->rta_type == IFLA_IFNAME)
    {
      size_t n = strnlen (data, len);
      if (n >= sizeof l->name)
        n = sizeof l->name - 1;
      memcpy (l->name, data, n);
      l->name[n] = '\0';
    }
  else if (a->rta_type == IFLA_ADDRESS && len <= sizeof l->mac)
    {
      memcpy (l->mac, data, len);
      l->maclen = (uint8_t) len;
    }
}

/* The address attributes of one RTM_NEWADDR: IFA_LOCAL, else IFA_ADDRESS
   (iproute2's "local": the two differ only on point-to-point links, where
   IFA_ADDRESS is the peer).  */
struct addr_attrs
{
  const void *local, *address;
  size_t local_len, address_len;
};

static void
addr_attr (const struct rtattr *a, size_t len, void *arg)
{
  struct addr_attrs *x = arg;

  if (a->rta_type == IFA_LOCAL)
    {
      x->local = RTA_DATA (a);
      x->local_len = len;
    }
  else if (a->rta_type == IFA_ADDRESS)
    {
      x->address = RTA_DATA (a);
      x->address_len = len;
    }
}

/* Room for one more item of SIZE bytes in *ITEMS (N used, *CAP), at most
   MAX: 1, 0 past MAX, -1 ENOMEM.  */
static int
grow (void **items, size_t n, size_t *cap, size_t max, size_t size)
{
  size_t ncap;
  void *p;

  if (n < *cap)
    return 1;
  if (n >= max)
    return 0;
  ncap = *cap ? *cap * 2 : 8;
  if (ncap > max)
    ncap = max;
  p = realloc (*items, ncap * size);
  if (p == NULL)
    return -1;
  *items = p;
  *cap = ncap;
  return 1;
}

static int
parse_link (const struct nlmsghdr *h, struct shim_nl_ifaces *ifs)
{
  const struct ifinfomsg *ifi = NLMSG_DATA (h);
  struct shim_nl_link l = { 0 };
  int room;

  if (h->nlmsg_len < NLMSG_LENGTH (sizeof *ifi))
    return -EBADMSG;
  l.index = ifi->ifi_index;
  if (each_attr (h, sizeof *ifi, link_attr, &l) < 0)
    return -EBADMSG;
  if (l.name[0] == '\0')
    return 0; /* nothing to call it by.  */
  room = grow ((void **) &ifs->links, ifs->nlinks, &ifs->links_cap, SHIM_NL_MAX_LINKS, sizeof l);
  if (room < 0)
    return -ENOMEM;
  if (room == 0)
    ifs->truncated = true;
  else
    ifs->links[ifs->nlinks++] = l;
  return 0;
}

static int
parse_addr (const struct nlmsghdr *h, struct shim_nl_ifaces *ifs)
{
  const struct ifaddrmsg *ifa = NLMSG_DATA (h);
  struct addr_attrs x = { 0 };
  struct shim_nl_addr a = { 0 };
  const void *bytes;
  size_t want, len;
  int room;

  if (h->nlmsg_len < NLMSG_LENGTH (sizeof *ifa))
    return -EBADMSG;
  if (each_attr (h, sizeof *ifa, addr_attr, &x) < 0)
    return -EBADMSG;
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
    return 0;
  want = ifa->ifa_family == AF_INET ? 4 : 16;
  bytes = x.local ? x.local : x.address;
  len = x.local ? x.local_len : x.address_len;
  if (bytes == NULL || len != want)
    return 0;
  a.index = (int) ifa->ifa_index;
  a.family = ifa->ifa_family;
  a.prefix = ifa->ifa_prefixlen;
  memcpy (a.bytes, bytes, want);
  room = grow ((void **) &ifs->addrs, ifs->naddrs, &ifs->addrs_cap, SHIM_NL_MAX_ADDRS, sizeof a);
  if (room < 0)
    return -ENOMEM;
  if (room == 0)
    ifs->truncated = true;
  else
    ifs->addrs[ifs->naddrs++] = a;
  return 0;
}

int
shim_nl_parse_dump (const char *buf, size_t len, uint32_t seq, struct shim_nl_ifaces *ifs)
{
  size_t off = 0;

  while (off < len)
    {
      const struct nlmsghdr *h = (const struct nlmsghdr *) (buf + off);
      size_t left = len - off;
      int r = 0;

      if (left < sizeof *h || h->nlmsg_len < sizeof *h || h->nlmsg_len > left)
        return -EBADMSG;
      off += NLMSG_ALIGN (h->nlmsg_len);
      if (h->nlmsg_seq != seq)
        continue;
      switch (h->nlmsg_type)
        {
        case NLMSG_DONE:
          /* A dump that failed part way says so here.  */
          if (h->nlmsg_len >= NLMSG_LENGTH (sizeof (int)) && *(const int *) NLMSG_DATA (h) < 0)
            return *(const int *) NLMSG_DATA (h);
          return 1;
        case NLMSG_ERROR:
          {
            const struct nlmsgerr *e = NLMSG_DATA (h);
            if (h->nlmsg_len < NLMSG_LENGTH (sizeof *e) || e->error >= 0)
              return -EBADMSG;
            return e->error;
          }
        case RTM_NEWLINK:
          r = parse_link (h, ifs);
          break;
        case RTM_NEWADDR:
          r = parse_addr (h, ifs);
          break;
        default:
          break;
        }
      if (r < 0)
        return r;
    }
  return 0;
}

void
shim_nl_ifaces_free (struct shim_nl_ifaces *ifs)
{
  free (ifs->links);
  free (ifs->addrs);
  memset (ifs, 0, sizeof *ifs);
}
