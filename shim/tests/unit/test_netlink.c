/* The CONTINUE NIC list and the rtnetlink requests built from it: message
   layout as `ip link set up` / `ip addr add` send it, and ack parsing
   (plain, error, error with an extended-ack message).  */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "netlink.h"

static int
parse (struct shim_nics *nics, const char *buf, size_t len, shim_error_t *err)
{
  shim_nics_free (nics);
  shim_error_release (err);
  return shim_nics_parse (nics, buf, len, err);
}

static int
test_parse (void)
{
  struct shim_nics nics = { 0 };
  shim_error_t err = NULL;
  static const char good[] = "nic=veth0|10.1.0.1/24\0nic=veth1|\0nic=veth2|fd00::2/64\0nic=veth3|10.9.9.9\0";

  CHECK (parse (&nics, "", 0, &err) == 0 && nics.n == 0);
  CHECK (parse (&nics, good, sizeof good - 1, &err) == 0 && nics.n == 4);
  CHECK (strcmp (nics.items[0].ifname, "veth0") == 0 && nics.items[0].family == AF_INET);
  CHECK (nics.items[0].prefix == 24 && memcmp (nics.items[0].bytes, "\x0a\x01\x00\x01", 4) == 0);
  CHECK (strcmp (nics.items[0].addr, "10.1.0.1/24") == 0);
  CHECK (nics.items[1].family == 0 && nics.items[1].addr[0] == '\0');
  CHECK (nics.items[2].family == AF_INET6 && nics.items[2].prefix == 64 && nics.items[2].bytes[0] == 0xfd);
  CHECK (nics.items[3].family == AF_INET && nics.items[3].prefix == 32);

  static const char badkey[] = "link=veth0|\0";
  CHECK (parse (&nics, badkey, sizeof badkey - 1, &err) < 0 && strstr (err->msg, "unknown key `link`"));
  static const char nobar[] = "nic=veth0\0";
  CHECK (parse (&nics, nobar, sizeof nobar - 1, &err) < 0 && strstr (err->msg, "want <ifname>|"));
  static const char longname[] = "nic=abcdefghijklmnop|\0";
  CHECK (parse (&nics, longname, sizeof longname - 1, &err) < 0);
  static const char slash[] = "nic=a/b|\0";
  CHECK (parse (&nics, slash, sizeof slash - 1, &err) < 0);
  static const char dots[] = "nic=..|\0";
  CHECK (parse (&nics, dots, sizeof dots - 1, &err) < 0);
  static const char badip[] = "nic=veth0|10.1.0.256/24\0";
  CHECK (parse (&nics, badip, sizeof badip - 1, &err) < 0
         && strcmp (err->msg, "continue: nic `veth0`: bad address `10.1.0.256/24`") == 0);
  static const char badlen[] = "nic=veth0|10.1.0.1/33\0";
  CHECK (parse (&nics, badlen, sizeof badlen - 1, &err) < 0 && strstr (err->msg, "10.1.0.1/33"));
  static const char badlen6[] = "nic=veth0|fd00::1/129\0";
  CHECK (parse (&nics, badlen6, sizeof badlen6 - 1, &err) < 0);
  static const char emptylen[] = "nic=veth0|10.1.0.1/\0";
  CHECK (parse (&nics, emptylen, sizeof emptylen - 1, &err) < 0);
  static const char unterminated[] = "nic=veth0|";
  CHECK (parse (&nics, unterminated, sizeof unterminated - 1, &err) < 0 && strstr (err->msg, "continue:"));

  shim_nics_free (&nics);
  shim_error_release (&err);
  return 0;
}

static int
test_build (void)
{
  struct shim_nic v4 = { .ifname = "veth0", .addr = (char *) "10.1.0.1/24", .family = AF_INET, .prefix = 24 };
  struct shim_nic v6 = { .ifname = "veth1", .addr = (char *) "fd00::2/64", .family = AF_INET6, .prefix = 64 };
  struct shim_nic none = { .ifname = "veth2", .addr = (char *) "" };
  struct shim_nl_req r = { 0 };
  const struct nlmsghdr *h;
  const struct ifinfomsg *ifi;
  const struct ifaddrmsg *ifa;
  const struct rtattr *rta;
  size_t off;

  inet_pton (AF_INET, "10.1.0.1", v4.bytes);
  inet_pton (AF_INET6, "fd00::2", v6.bytes);
  CHECK (shim_nl_link_up (&r, 1) == 1);
  CHECK (shim_nl_link_up (&r, 7) == 2);
  CHECK (shim_nl_addr_add (&r, 7, &v4) == 3);
  CHECK (shim_nl_addr_add (&r, 8, &v6) == 4);
  CHECK (shim_nl_addr_add (&r, 9, &none) == -1 && r.n == 4);

  /* 1: RTM_NEWLINK lo up: header + ifinfomsg, no attributes.  */
  h = (const struct nlmsghdr *) r.buf;
  CHECK (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 1);
  CHECK (h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK (h->nlmsg_len == NLMSG_LENGTH (sizeof (struct ifinfomsg)));
  ifi = NLMSG_DATA (h);
  CHECK (ifi->ifi_family == AF_UNSPEC && ifi->ifi_index == 1);
  CHECK (ifi->ifi_flags == IFF_UP && ifi->ifi_change == IFF_UP);
  off = NLMSG_ALIGN (h->nlmsg_len);
  h = (const struct nlmsghdr *) (r.buf + off);
  ifi = NLMSG_DATA (h);
  CHECK (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 2 && ifi->ifi_index == 7);

  /* 3: RTM_NEWADDR 10.1.0.1/24: IFA_LOCAL then IFA_ADDRESS, both the address.  */
  off += NLMSG_ALIGN (h->nlmsg_len);
  h = (const struct nlmsghdr *) (r.buf + off);
  CHECK (h->nlmsg_type == RTM_NEWADDR && h->nlmsg_seq == 3);
  CHECK (h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
  CHECK (h->nlmsg_len == NLMSG_LENGTH (NLMSG_ALIGN (sizeof *ifa) + 2 * RTA_SPACE (4)));
  ifa = NLMSG_DATA (h);
  CHECK (ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 24 && ifa->ifa_index == 7);
  CHECK (ifa->ifa_scope == RT_SCOPE_UNIVERSE && ifa->ifa_flags == 0);
  rta = (const struct rtattr *) ((const char *) ifa + NLMSG_ALIGN (sizeof *ifa));
  CHECK (rta->rta_type == IFA_LOCAL && rta->rta_len == RTA_LENGTH (4) && memcmp (RTA_DATA (rta), v4.bytes, 4) == 0);
  rta = (const struct rtattr *) ((const char *) rta + RTA_SPACE (4));
  CHECK (rta->rta_type == IFA_ADDRESS && rta->rta_len == RTA_LENGTH (4) && memcmp (RTA_DATA (rta), v4.bytes, 4) == 0);

  /* 4: IPv6: 16-byte attributes.  */
  off += NLMSG_ALIGN (h->nlmsg_len);
  h = (const struct nlmsghdr *) (r.buf + off);
  ifa = NLMSG_DATA (h);
  CHECK (h->nlmsg_seq == 4 && ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 64 && ifa->ifa_index == 8);
  rta = (const struct rtattr *) ((const char *) ifa + NLMSG_ALIGN (sizeof *ifa));
  CHECK (rta->rta_type == IFA_LOCAL && rta->rta_len == RTA_LENGTH (16) && memcmp (RTA_DATA (rta), v6.bytes, 16) == 0);
  CHECK (off + NLMSG_ALIGN (h->nlmsg_len) == r.len);

  /* 127/8 gets host scope, as iproute2 gives it.  */
  struct shim_nl_req lo = { 0 };
  struct shim_nic loop = { .ifname = "lo", .addr = (char *) "127.0.0.2/8", .family = AF_INET, .prefix = 8 };
  inet_pton (AF_INET, "127.0.0.2", loop.bytes);
  CHECK (shim_nl_addr_add (&lo, 1, &loop) == 1);
  CHECK (((const struct ifaddrmsg *) NLMSG_DATA ((const struct nlmsghdr *) lo.buf))->ifa_scope == RT_SCOPE_HOST);

  shim_nl_req_free (&lo);
  shim_nl_req_free (&r);
  CHECK (r.buf == NULL && r.n == 0);
  return 0;
}

/* Append an NLMSG_ERROR ack for SEQ with ERROR, optionally capped with an
   extended-ack message.  */
static size_t
put_ack (char *buf, size_t off, uint32_t seq, int error, const char *extack)
{
  struct nlmsghdr *h = (struct nlmsghdr *) (buf + off);
  struct nlmsgerr *e = NLMSG_DATA (h);
  size_t len = NLMSG_LENGTH (sizeof *e);

  memset (h, 0, NLMSG_SPACE (sizeof *e) + 64);
  h->nlmsg_type = NLMSG_ERROR;
  h->nlmsg_seq = seq;
  h->nlmsg_flags = NLM_F_CAPPED;
  e->error = error;
  e->msg.nlmsg_len = 64; /* the request's, not echoed (capped).  */
  e->msg.nlmsg_seq = seq;
  if (extack)
    {
      struct nlattr *a = (struct nlattr *) ((char *) e + sizeof *e);
      a->nla_type = NLMSGERR_ATTR_MSG;
      a->nla_len = (uint16_t) (NLA_HDRLEN + strlen (extack) + 1);
      strcpy ((char *) a + NLA_HDRLEN, extack);
      len += NLA_ALIGN (a->nla_len);
      h->nlmsg_flags |= NLM_F_ACK_TLVS;
    }
  h->nlmsg_len = (uint32_t) len;
  return off + NLMSG_ALIGN (len);
}

static int
test_acks (void)
{
  char buf[1024];
  struct shim_nl_ack ack;
  size_t len = 0, off = 0;

  len = put_ack (buf, len, 1, 0, NULL);
  len = put_ack (buf, len, 2, -17, "Address already assigned");
  len = put_ack (buf, len, 3, -19, NULL);
  CHECK (shim_nl_next_ack (buf, len, &off, &ack) == 1 && ack.seq == 1 && ack.error == 0 && ack.extack == NULL);
  CHECK (shim_nl_next_ack (buf, len, &off, &ack) == 1 && ack.seq == 2 && ack.error == -17);
  CHECK (ack.extack && strcmp (ack.extack, "Address already assigned") == 0);
  CHECK (shim_nl_next_ack (buf, len, &off, &ack) == 1 && ack.seq == 3 && ack.error == -19 && ack.extack == NULL);
  CHECK (shim_nl_next_ack (buf, len, &off, &ack) == 0);

  /* Truncated, and not an ack at all.  */
  off = 0;
  CHECK (shim_nl_next_ack (buf, 10, &off, &ack) < 0);
  ((struct nlmsghdr *) buf)->nlmsg_type = RTM_NEWLINK;
  off = 0;
  CHECK (shim_nl_next_ack (buf, len, &off, &ack) < 0);
  return 0;
}

int
main (void)
{
  if (test_parse () != 0 || test_build () != 0 || test_acks () != 0)
    return 1;
  return 0;
}
