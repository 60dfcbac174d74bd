/* shim/src/netlink.c — rtnetlink requests for the container side of its
   NICs: what `ip link set X up` and `ip addr add A dev X` send, built here
   and sent from the child, which is already in the container's network
   namespace with all its capabilities; and the link and address dumps
   `ip addr show` reads, for the monitor's ADDRS answer.  */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "netlink.h"
#include "utils.h"

/* Requests per send.  The kernel answers each with an ack queued on our
   socket; an ack skb's truesize is ~1 KiB against the default 208 KiB
   receive buffer, so a few dozen per round trip never overflow it.  */
#define NL_CHUNK 64
#define NL_RECV_BYTES 65536

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

/* What request SEQ was, for the error message.  */
struct nl_op
{
  const char *ifname;
  const struct shim_nic *addr; /* NULL: bring up.  */
};

static int
op_error (const struct nl_op *op, int error, const char *extack, shim_error_t *err)
{
  const char *sep = extack ? ": " : "", *ext = extack ? extack : "";

  if (op->addr)
    return shim_make_error (err, -error, "add address `%s` to `%s`%s%s", op->addr->addr, op->ifname, sep, ext);
  return shim_make_error (err, -error, "bring up `%s`%s%s", op->ifname, sep, ext);
}

/* Send requests FIRST..FIRST+COUNT-1 (starting at byte OFF) and check
   every ack.  */
static int
transact (int fd, const struct shim_nl_req *r, size_t off, size_t bytes, uint32_t first, uint32_t count,
          const struct nl_op *ops, shim_error_t *err)
{
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  cleanup_free char *buf = malloc (NL_RECV_BYTES);
  uint32_t acked = 0;
  ssize_t n;

  if (buf == NULL)
    return shim_make_error (err, ENOMEM, "netlink");
  do
    n = sendto (fd, r->buf + off, bytes, 0, (struct sockaddr *) &kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (UNLIKELY (n < 0))
    return shim_make_error (err, errno, "netlink send (%s)", ops[first - 1].ifname);
  while (acked < count)
    {
      struct shim_nl_ack ack;
      size_t at = 0;
      int k;

      do
        n = recv (fd, buf, NL_RECV_BYTES, 0);
      while (n < 0 && errno == EINTR);
      if (UNLIKELY (n < 0))
        return shim_make_error (err, errno, "netlink recv (%s)", ops[first - 1].ifname);
      while ((k = shim_nl_next_ack (buf, (size_t) n, &at, &ack)) == 1)
        {
          if (ack.seq < first || ack.seq >= first + count)
            return shim_make_error (err, 0, "netlink: ack for unknown request %u", ack.seq);
          if (ack.error != 0)
            return op_error (&ops[ack.seq - 1], ack.error, ack.extack, err);
          acked++;
        }
      if (k < 0)
        return shim_make_error (err, 0, "netlink: malformed reply to request %u", first);
    }
  return 0;
}

static int
send_all (const struct shim_nl_req *r, const struct nl_op *ops, shim_error_t *err)
{
  cleanup_close int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  const int one = 1;
  size_t off = 0;
  uint32_t seq = 1;

  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "socket NETLINK_ROUTE");
  /* Acks echo only the request's header, and carry the kernel's reason;
     both are optional (Linux 4.3 and 4.12).  */
  setsockopt (fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt (fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  while (seq <= r->n)
    {
      size_t end = off;
      uint32_t count = 0;
      while (count < NL_CHUNK && seq + count <= r->n)
        {
          end += NLMSG_ALIGN (((const struct nlmsghdr *) (r->buf + end))->nlmsg_len);
          count++;
        }
      if (transact (fd, r, off, end - off, seq, count, ops, err) < 0)
        return -1;
      off = end;
      seq += count;
    }
  return 0;
}

int
shim_netlink_setup (const struct shim_nics *nics, shim_error_t *err)
{
  struct shim_nl_req r = { 0 };
  cleanup_free struct nl_op *ops = calloc (1 + 2 * nics->n, sizeof *ops);
  int ret = -1;

  if (ops == NULL)
    return shim_make_error (err, ENOMEM, "netlink");
  /* lo is index 1 in every network namespace (LOOPBACK_IFINDEX,
     include/net/net_namespace.h): no lookup.  */
  if (shim_nl_link_up (&r, 1) < 0)
    goto oom;
  ops[0].ifname = "lo";
  for (size_t i = 0; i < nics->n; i++)
    {
      const struct shim_nic *nic = &nics->items[i];
      unsigned idx = if_nametoindex (nic->ifname);
      int seq;

      if (UNLIKELY (idx == 0))
        {
          shim_make_error (err, errno, "interface `%s`", nic->ifname);
          goto out;
        }
      if ((seq = shim_nl_link_up (&r, (int) idx)) < 0)
        goto oom;
      ops[seq - 1].ifname = nic->ifname;
      if (nic->family == 0)
        continue;
      if ((seq = shim_nl_addr_add (&r, (int) idx, nic)) < 0)
        goto oom;
      ops[seq - 1] = (struct nl_op) { .ifname = nic->ifname, .addr = nic };
    }
  ret = send_all (&r, ops, err);
  goto out;

oom:
  shim_make_error (err, ENOMEM, "netlink request");
out:
  shim_nl_req_free (&r);
  return ret;
}

/* ---- reading: RTM_GETLINK and RTM_GETADDR dumps ---------------------- */

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

/* Appends to a bounded buffer; FULL once something did not fit.  */
struct text
{
  char *buf;
  size_t len, cap;
  bool full;
};

static void
put (struct text *t, const char *s, size_t n)
{
  if (t->full || n > t->cap - t->len)
    {
      t->full = true;
      return;
    }
  memcpy (t->buf + t->len, s, n);
  t->len += n;
}

static void
put_addrs (struct text *t, const struct shim_nl_ifaces *ifs, int index, int family)
{
  bool first = true;

  for (size_t i = 0; i < ifs->naddrs; i++)
    {
      const struct shim_nl_addr *a = &ifs->addrs[i];
      char s[INET6_ADDRSTRLEN + 8];
      size_t n;

      if (a->index != index || a->family != family)
        continue;
      if (inet_ntop (family, a->bytes, s + 1, INET6_ADDRSTRLEN) == NULL)
        continue;
      s[0] = ',';
      n = strlen (s);
      n += (size_t) snprintf (s + n, sizeof s - n, "/%u", a->prefix);
      put (t, first ? s + 1 : s, first ? n - 1 : n);
      first = false;
    }
}

size_t
shim_nl_format_ifaces (const struct shim_nl_ifaces *ifs, char *buf, size_t cap)
{
  struct text t = { .buf = buf, .cap = cap };

  for (size_t i = 0; i < ifs->nlinks; i++)
    {
      const struct shim_nl_link *l = &ifs->links[i];
      size_t line = t.len;
      char mac[3 * sizeof l->mac + 1];

      for (size_t j = 0; j < l->maclen; j++)
        snprintf (mac + 3 * j, 4, "%02x:", l->mac[j]);
      put (&t, l->name, strlen (l->name));
      put (&t, "\t", 1);
      put (&t, mac, l->maclen ? 3 * l->maclen - 1 : 0);
      put (&t, "\t", 1);
      put_addrs (&t, ifs, l->index, AF_INET);
      put (&t, "\t", 1);
      put_addrs (&t, ifs, l->index, AF_INET6);
      put (&t, "\n", 1);
      if (t.full)
        return line;
    }
  return t.len;
}

void
shim_nl_ifaces_free (struct shim_nl_ifaces *ifs)
{
  free (ifs->links);
  free (ifs->addrs);
  memset (ifs, 0, sizeof *ifs);
}

/* Send the dump request of R at OFF and read its reply into IFS.  */
static int
dump (int fd, const struct shim_nl_req *r, size_t off, const char *what, char *buf, long long deadline,
      struct shim_nl_ifaces *ifs, shim_error_t *err)
{
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  const struct nlmsghdr *h = (const struct nlmsghdr *) (r->buf + off);
  ssize_t n;

  do
    n = sendto (fd, h, h->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (UNLIKELY (n < 0))
    return shim_make_error (err, errno, "netlink send (%s dump)", what);
  for (;;)
    {
      int k;

      do
        n = recv (fd, buf, NL_RECV_BYTES, MSG_TRUNC);
      while (n < 0 && errno == EINTR);
      if (UNLIKELY (n < 0))
        return shim_make_error (err, errno == EAGAIN ? ETIMEDOUT : errno, "netlink recv (%s dump)", what);
      if (UNLIKELY (n == 0 || n > NL_RECV_BYTES))
        return shim_make_error (err, EMSGSIZE, "netlink recv (%s dump): %zd bytes", what, n);
      k = shim_nl_parse_dump (buf, (size_t) n, h->nlmsg_seq, ifs);
      if (k == 1)
        return 0;
      if (k < 0)
        return shim_make_error (err, -k, "netlink %s dump", what);
      if (UNLIKELY (shim_now_ms () > deadline))
        return shim_make_error (err, ETIMEDOUT, "netlink %s dump: over %d ms", what, SHIM_NL_DUMP_MS);
    }
}

/* A NETLINK_ROUTE socket in the network namespace NSFD.  */
static int
socket_in (int nsfd, int selfns, shim_error_t *err)
{
  int fd, saved;

  if (UNLIKELY (setns (nsfd, CLONE_NEWNET) < 0))
    return shim_make_error (err, errno, "setns to the container's network namespace");
  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  saved = errno;
  if (UNLIKELY (setns (selfns, CLONE_NEWNET) < 0))
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      return shim_make_error (err, saved, "setns back to the monitor's network namespace");
    }
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, saved, "socket NETLINK_ROUTE");
  return fd;
}

int
shim_netlink_addrs (int nsfd, int selfns, char **out, size_t *len, shim_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  struct shim_nl_req r = { 0 };
  struct shim_nl_ifaces ifs = { 0 };
  /* Each recv waits at most this long; the whole query SHIM_NL_DUMP_MS.  */
  struct timeval tv = { .tv_sec = 0, .tv_usec = SHIM_NL_DUMP_MS * 1000 };
  long long deadline = shim_now_ms () + SHIM_NL_DUMP_MS;
  char *text;
  int ret = -1;

  *out = NULL;
  *len = 0;
  if (UNLIKELY (nsfd < 0 || selfns < 0))
    return shim_make_error (err, ENOENT, "no network namespace to read");
  fd = socket_in (nsfd, selfns, err);
  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  buf = malloc (NL_RECV_BYTES);
  if (buf == NULL || shim_nl_dump_req (&r, RTM_GETLINK) < 0 || shim_nl_dump_req (&r, RTM_GETADDR) < 0)
    {
      shim_make_error (err, ENOMEM, "netlink");
      goto out;
    }
  /* One dump at a time per socket (a second one is EBUSY).  */
  if (dump (fd, &r, 0, "link", buf, deadline, &ifs, err) < 0
      || dump (fd, &r, NLMSG_ALIGN (((const struct nlmsghdr *) r.buf)->nlmsg_len), "address", buf, deadline, &ifs,
               err)
             < 0)
    goto out;
  text = malloc (SHIM_NL_ADDRS_MAX);
  if (text == NULL)
    {
      shim_make_error (err, ENOMEM, "netlink");
      goto out;
    }
  *len = shim_nl_format_ifaces (&ifs, text, SHIM_NL_ADDRS_MAX);
  *out = text;
  ret = 0;
out:
  shim_nl_req_free (&r);
  shim_nl_ifaces_free (&ifs);
  return ret;
}
