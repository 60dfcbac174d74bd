/* shim/src/netlink-msg.c — rtnetlink requests built as iproute2 builds
   them, and the acks the kernel answers them with.  */
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink-msg.h"

static void *
nl_append (struct shim_nl_req *r, uint16_t type, uint16_t flags, size_t body)
{
  size_t len = NLMSG_LENGTH (body), need = r->len + NLMSG_ALIGN (len);
  struct nlmsghdr *h;

  if (need > r->cap)
    {
      size_t cap = r->cap ? r->cap : 512;
      char *nb;
      while (cap < need)
        cap *= 2;
      nb = realloc (r->buf, cap);
      if (nb == NULL)
        return NULL;
      r->buf = nb;
      r->cap = cap;
    }
  h = (struct nlmsghdr *) (r->buf + r->len);
  memset (h, 0, NLMSG_ALIGN (len));
  h->nlmsg_len = (uint32_t) len;
  h->nlmsg_type = type;
  h->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | NLM_F_ACK | flags);
  h->nlmsg_seq = ++r->n;
  r->len = need;
  return NLMSG_DATA (h);
}

static void
nl_attr (void *at, uint16_t type, const void *data, size_t len)
{
  struct rtattr *rta = at;

  rta->rta_type = type;
  rta->rta_len = (uint16_t) RTA_LENGTH (len);
  memcpy (RTA_DATA (rta), data, len);
}

int
shim_nl_link_up (struct shim_nl_req *r, int ifindex)
{
  struct ifinfomsg *ifi = nl_append (r, RTM_NEWLINK, 0, sizeof *ifi);

  if (ifi == NULL)
    return -1;
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  return (int) r->n;
}

int
shim_nl_addr_add (struct shim_nl_req *r, int ifindex, const struct shim_nic *nic)
{
  size_t alen = nic->family == AF_INET ? 4 : 16;
  size_t body = NLMSG_ALIGN (sizeof (struct ifaddrmsg)) + 2 * RTA_SPACE (alen);
  struct ifaddrmsg *ifa;
  char *at;

  if (nic->family != AF_INET && nic->family != AF_INET6)
    return -1;
  ifa = nl_append (r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, body);
  if (ifa == NULL)
    return -1;
  ifa->ifa_family = (uint8_t) nic->family;
  ifa->ifa_prefixlen = (uint8_t) nic->prefix;
  /* iproute2's default_scope(): host for 127/8, else universe.  */
  ifa->ifa_scope = nic->family == AF_INET && nic->bytes[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (uint32_t) ifindex;
  at = (char *) ifa + NLMSG_ALIGN (sizeof *ifa);
  /* Without a peer, `ip addr add` sends the address as both.  */
  nl_attr (at, IFA_LOCAL, nic->bytes, alen);
  nl_attr (at + RTA_SPACE (alen), IFA_ADDRESS, nic->bytes, alen);
  return (int) r->n;
}

int
shim_nl_dump_req (struct shim_nl_req *r, uint16_t type)
{
  size_t body = type == RTM_GETLINK ? sizeof (struct ifinfomsg) : sizeof (struct ifaddrmsg);
  struct nlmsghdr *h;
  char *data;

  if (type != RTM_GETLINK && type != RTM_GETADDR)
    return -1;
  data = nl_append (r, type, 0, body);
  if (data == NULL)
    return -1;
  /* A dump is answered by NLMSG_DONE, not acked.  */
  h = (struct nlmsghdr *) (data - NLMSG_HDRLEN);
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  return (int) r->n;
}

void
shim_nl_req_free (struct shim_nl_req *r)
{
  free (r->buf);
  memset (r, 0, sizeof *r);
}

int
shim_nl_next_ack (const char *buf, size_t len, size_t *off, struct shim_nl_ack *ack)
{
  const struct nlmsghdr *h = (const struct nlmsghdr *) (buf + *off);
  const struct nlmsgerr *e;
  size_t left = len - *off, at, end;

  if (*off >= len)
    return 0;
  if (left < sizeof *h || h->nlmsg_len < sizeof *h || h->nlmsg_len > left)
    return -1;
  if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH (sizeof *e))
    return -1;
  e = NLMSG_DATA (h);
  ack->seq = h->nlmsg_seq;
  ack->error = e->error;
  ack->extack = NULL;
  end = *off + h->nlmsg_len;
  *off += NLMSG_ALIGN (h->nlmsg_len);
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
    return 1;
  /* TLVs follow the echoed request: its header only when capped.  */
  at = (size_t) ((const char *) e - buf) + sizeof *e;
  if (!(h->nlmsg_flags & NLM_F_CAPPED))
    at += e->msg.nlmsg_len >= sizeof e->msg ? NLMSG_ALIGN (e->msg.nlmsg_len - sizeof e->msg) : 0;
  while (at + sizeof (struct nlattr) <= end)
    {
      const struct nlattr *a = (const struct nlattr *) (buf + at);
      if (a->nla_len < sizeof *a || at + a->nla_len > end)
        break;
      if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > sizeof *a
          && buf[at + a->nla_len - 1] == '\0')
        ack->extack = (const char *) a + NLA_HDRLEN;
      at += NLA_ALIGN (a->nla_len);
    }
  return 1;
}
