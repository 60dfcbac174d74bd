/* The CONTINUE NIC list and the rtnetlink requests built from it: message
   layout as `ip link set up` / `ip addr add` send it, and ack parsing
   (plain, error, error with an extended-ack message).  The ADDRS side:
   dump requests, the dump parser on hand-built replies (links, addresses,
   DONE, errors, malformed, limits), the reply text and its bound, and (as
   root) a live dump of this process's own network namespace.  */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "netlink-addrs.h"
#include "netlink-dump.h"
#include "netlink-msg.h"

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

/* ---- dumps -------------------------------------------------------------- */

/* Start a message of TYPE for SEQ at BUF+OFF with a zeroed fixed part of
   HDR bytes; returns the header (nlmsg_len covers the fixed part).  */
static struct nlmsghdr *
msg (char *buf, size_t off, uint16_t type, uint32_t seq, size_t hdr)
{
  struct nlmsghdr *h = (struct nlmsghdr *) (buf + off);

  memset (h, 0, NLMSG_SPACE (hdr));
  h->nlmsg_len = (uint32_t) NLMSG_LENGTH (hdr);
  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_MULTI;
  h->nlmsg_seq = seq;
  return h;
}

static void
attr (struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
  struct rtattr *a = (struct rtattr *) ((char *) h + NLMSG_ALIGN (h->nlmsg_len));

  memset (a, 0, RTA_SPACE (len));
  a->rta_type = type;
  a->rta_len = (uint16_t) RTA_LENGTH (len);
  memcpy (RTA_DATA (a), data, len);
  h->nlmsg_len = (uint32_t) (NLMSG_ALIGN (h->nlmsg_len) + RTA_SPACE (len));
}

static size_t
end (const struct nlmsghdr *h, const char *buf)
{
  return (size_t) ((const char *) h - buf) + NLMSG_ALIGN (h->nlmsg_len);
}

static size_t
put_link (char *buf, size_t off, uint32_t seq, int index, const char *name, const char *mac, size_t maclen)
{
  struct nlmsghdr *h = msg (buf, off, RTM_NEWLINK, seq, sizeof (struct ifinfomsg));
  struct ifinfomsg *ifi = NLMSG_DATA (h);
  uint32_t mtu = 1500;

  ifi->ifi_index = index;
  ifi->ifi_flags = IFF_UP;
  attr (h, IFLA_MTU, &mtu, sizeof mtu); /* ignored, as most of a real one is.  */
  attr (h, IFLA_IFNAME, name, strlen (name) + 1);
  if (mac)
    attr (h, IFLA_ADDRESS, mac, maclen);
  return end (h, buf);
}

/* An RTM_NEWADDR as the kernel sends it: IFA_ADDRESS, and IFA_LOCAL for
   IPv4 (LOCAL, when not NULL, differs from ADDR on a point-to-point link).  */
static size_t
put_addr (char *buf, size_t off, uint32_t seq, int index, int family, const char *addr, const char *local,
          unsigned prefix)
{
  struct nlmsghdr *h = msg (buf, off, RTM_NEWADDR, seq, sizeof (struct ifaddrmsg));
  struct ifaddrmsg *ifa = NLMSG_DATA (h);
  unsigned char a[16], l[16];
  size_t len = family == AF_INET ? 4 : 16;

  ifa->ifa_family = (uint8_t) family;
  ifa->ifa_prefixlen = (uint8_t) prefix;
  ifa->ifa_index = (uint32_t) index;
  inet_pton (family, addr, a);
  inet_pton (family, local ? local : addr, l);
  attr (h, IFA_ADDRESS, a, len);
  if (family == AF_INET)
    attr (h, IFA_LOCAL, l, len);
  return end (h, buf);
}

static size_t
put_done (char *buf, size_t off, uint32_t seq, int error)
{
  struct nlmsghdr *h = msg (buf, off, NLMSG_DONE, seq, sizeof (int));
  *(int *) NLMSG_DATA (h) = error;
  return end (h, buf);
}

static int
test_dump_req (void)
{
  struct shim_nl_req r = { 0 };
  const struct nlmsghdr *h;

  CHECK (shim_nl_dump_req (&r, RTM_GETLINK) == 1);
  CHECK (shim_nl_dump_req (&r, RTM_GETADDR) == 2);
  CHECK (shim_nl_dump_req (&r, RTM_NEWLINK) == -1 && r.n == 2);
  h = (const struct nlmsghdr *) r.buf;
  CHECK (h->nlmsg_type == RTM_GETLINK && h->nlmsg_seq == 1 && h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK (h->nlmsg_len == NLMSG_LENGTH (sizeof (struct ifinfomsg)));
  CHECK (((const struct ifinfomsg *) NLMSG_DATA (h))->ifi_family == AF_UNSPEC);
  h = (const struct nlmsghdr *) (r.buf + NLMSG_ALIGN (h->nlmsg_len));
  CHECK (h->nlmsg_type == RTM_GETADDR && h->nlmsg_seq == 2 && h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK (h->nlmsg_len == NLMSG_LENGTH (sizeof (struct ifaddrmsg)));
  shim_nl_req_free (&r);
  return 0;
}

static int
test_dump_parse (void)
{
  static char buf[8192];
  char text[1024];
  struct shim_nl_ifaces ifs = { 0 };
  size_t len = 0, n;

  /* The link dump, split over two recvs, with a stray message for
     another request in between.  */
  len = put_link (buf, len, 1, 1, "lo", "\0\0\0\0\0\0", 6);
  len = put_link (buf, len, 9, 5, "stray", NULL, 0);
  len = put_link (buf, len, 1, 2, "veth0", "\x02\x6d\xe7\x00\x00\x0b", 6);
  CHECK (shim_nl_parse_dump (buf, len, 1, &ifs) == 0 && ifs.nlinks == 2);
  len = put_link (buf, 0, 1, 3, "tun0", NULL, 0);
  len = put_done (buf, len, 1, 0);
  CHECK (shim_nl_parse_dump (buf, len, 1, &ifs) == 1 && ifs.nlinks == 3);
  CHECK (ifs.links[0].index == 1 && strcmp (ifs.links[0].name, "lo") == 0 && ifs.links[0].maclen == 6);
  CHECK (ifs.links[1].index == 2 && strcmp (ifs.links[1].name, "veth0") == 0 && ifs.links[1].mac[1] == 0x6d);
  CHECK (ifs.links[2].maclen == 0);

  /* The address dump: IPv4 first, then IPv6, as the kernel walks them.  */
  len = put_addr (buf, 0, 2, 1, AF_INET, "127.0.0.1", NULL, 8);
  len = put_addr (buf, len, 2, 2, AF_INET, "10.199.7.1", NULL, 24);
  len = put_addr (buf, len, 2, 2, AF_INET, "10.199.7.77", NULL, 24);
  len = put_addr (buf, len, 2, 3, AF_INET, "10.0.0.2", "10.0.0.1", 32); /* peer 10.0.0.2.  */
  len = put_addr (buf, len, 2, 1, AF_INET6, "::1", NULL, 128);
  len = put_addr (buf, len, 2, 2, AF_INET6, "fd00::2", NULL, 64);
  len = put_addr (buf, len, 2, 2, AF_INET6, "fe80::6d:e7ff:fe00:b", NULL, 64);
  len = put_done (buf, len, 2, 0);
  CHECK (shim_nl_parse_dump (buf, len, 2, &ifs) == 1 && ifs.naddrs == 7 && !ifs.truncated);
  CHECK (ifs.addrs[3].index == 3 && memcmp (ifs.addrs[3].bytes, "\x0a\x00\x00\x01", 4) == 0);

  n = shim_nl_format_ifaces (&ifs, text, sizeof text);
  static const char want[] = "lo\t00:00:00:00:00:00\t127.0.0.1/8\t::1/128\n"
                             "veth0\t02:6d:e7:00:00:0b\t10.199.7.1/24,10.199.7.77/24\t"
                             "fd00::2/64,fe80::6d:e7ff:fe00:b/64\n"
                             "tun0\t\t10.0.0.1/32\t\n";
  CHECK (n == sizeof want - 1 && memcmp (text, want, n) == 0);

  /* Bounded: only whole lines.  */
  CHECK (shim_nl_format_ifaces (&ifs, text, 50) == strlen ("lo\t00:00:00:00:00:00\t127.0.0.1/8\t::1/128\n"));
  CHECK (shim_nl_format_ifaces (&ifs, text, 10) == 0);

  /* Errors: an NLMSG_ERROR, a DONE carrying one, a malformed length, an
     attribute overrunning its message.  */
  len = put_ack (buf, 0, 2, -EPERM, NULL);
  CHECK (shim_nl_parse_dump (buf, len, 2, &ifs) == -EPERM);
  len = put_done (buf, 0, 2, -EINTR);
  CHECK (shim_nl_parse_dump (buf, len, 2, &ifs) == -EINTR);
  len = put_link (buf, 0, 1, 4, "eth9", NULL, 0);
  CHECK (shim_nl_parse_dump (buf, len - 4, 1, &ifs) == -EBADMSG);
  ((struct rtattr *) ((char *) buf + NLMSG_LENGTH (NLMSG_ALIGN (sizeof (struct ifinfomsg)))))->rta_len = 500;
  CHECK (shim_nl_parse_dump (buf, len, 1, &ifs) == -EBADMSG);
  CHECK (shim_nl_parse_dump (buf, 3, 1, &ifs) == -EBADMSG);
  CHECK (ifs.nlinks == 3 && ifs.naddrs == 7);
  shim_nl_ifaces_free (&ifs);
  CHECK (ifs.links == NULL && ifs.nlinks == 0);

  /* Limits: what is past them is counted as left out, not kept.  */
  for (int i = 0; i < SHIM_NL_MAX_LINKS + 3; i++)
    {
      char name[IFNAMSIZ];
      snprintf (name, sizeof name, "d%d", i);
      len = put_link (buf, 0, 1, i + 1, name, NULL, 0);
      CHECK (shim_nl_parse_dump (buf, len, 1, &ifs) == 0);
    }
  CHECK (ifs.nlinks == SHIM_NL_MAX_LINKS && ifs.truncated);
  CHECK (strcmp (ifs.links[SHIM_NL_MAX_LINKS - 1].name, "d255") == 0);
  shim_nl_ifaces_free (&ifs);
  return 0;
}

/* As root: the live dump of our own network namespace has lo with
   127.0.0.1/8 (in a fresh namespace, lo is down and has none).  */
static int
test_live (void)
{
  int ns = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  shim_error_t err = NULL;
  char *text = NULL;
  size_t len = 0;
  int r;

  CHECK (ns >= 0);
  CHECK (shim_netlink_addrs (-1, ns, &text, &len, &err) < 0 && err->status == ENOENT);
  shim_error_release (&err);
  if (geteuid () != 0)
    {
      close (ns);
      fprintf (stderr, "test_netlink: not root, the live rtnetlink dump was not tried\n");
      return 77;
    }
  r = shim_netlink_addrs (ns, ns, &text, &len, &err);
  if (r < 0)
    fprintf (stderr, "shim_netlink_addrs: %s\n", err->msg);
  CHECK (r == 0 && text != NULL && len > 0 && memchr (text, '\0', len) == NULL && text[len - 1] == '\n');
  CHECK (len >= 4 && memcmp (text, "lo\t", 3) == 0);
  CHECK (memmem (text, len, "\t127.0.0.1/8", 12) != NULL);
  free (text);
  close (ns);
  return 0;
}

int
main (void)
{
  int live;

  if (test_parse () != 0 || test_build () != 0 || test_acks () != 0 || test_dump_req () != 0
      || test_dump_parse () != 0)
    return 1;
  /* The parsers passed; a 77 here says the live half was skipped, and the runner counts it.  */
  live = test_live ();
  return live;
}
