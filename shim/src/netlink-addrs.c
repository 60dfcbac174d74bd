/* shim/src/netlink-addrs.c — the link and address dumps `ip addr show`
   reads, sent from a socket made inside the container's network
   namespace, and their ADDRS text.  */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "netlink-addrs.h"
#include "netlink-msg.h"
#include "utils.h"

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
        n = recv (fd, buf, SHIM_NL_RECV_BYTES, MSG_TRUNC);
      while (n < 0 && errno == EINTR);
      if (UNLIKELY (n < 0))
        return shim_make_error (err, errno == EAGAIN ? ETIMEDOUT : errno, "netlink recv (%s dump)", what);
      if (UNLIKELY (n == 0 || n > SHIM_NL_RECV_BYTES))
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
  buf = malloc (SHIM_NL_RECV_BYTES);
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
