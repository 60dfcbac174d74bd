/* shim/src/netlink.c — rtnetlink requests for the container side of its
   NICs: what `ip link set X up` and `ip addr add A dev X` send, built here
   (netlink-msg.c) and sent from the child, which is already in the
   container's network namespace with all its capabilities.  */
#include <errno.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "netlink-msg.h"
#include "netlink.h"
#include "utils.h"

/* Requests per send.  The kernel answers each with an ack queued on our
   socket; an ack skb's truesize is ~1 KiB against the default 208 KiB
   receive buffer, so a few dozen per round trip never overflow it.  */
#define NL_CHUNK 64

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
  cleanup_free char *buf = malloc (SHIM_NL_RECV_BYTES);
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
        n = recv (fd, buf, SHIM_NL_RECV_BYTES, 0);
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
