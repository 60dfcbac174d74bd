/* shim/delay/delayline.c — nanomega-delay: a fixed-delay line for `qos add … delay` on kernels
   built without sch_netem.

   Usage: nanomega-delay NETNS QUEUE DELAY_US [PID]

   Joins the network namespace NETNS (a container's /proc/<pid>/ns/net), binds netfilter queue
   QUEUE there and accepts every queued packet DELAY_US microseconds after it was queued.  The
   engine steers a NIC's incoming packets into the queue with an iptables NFQUEUE rule (with
   --queue-bypass, so packets flow undelayed whenever no delay line is bound).  Only packet ids
   cross to user space (NFQNL_COPY_META): the packets themselves wait in the kernel's queue.

   The delay is constant, so packets leave in the order they came: one VERDICT_BATCH ("accept
   every id up to N") releases all that are due, and a notification lost to ENOBUFS is released by
   the next batch.  Exits on SIGTERM/SIGINT after releasing what it holds, and by itself when
   process PID (the container's init) exits, so it never keeps a dead container's namespace.
   Prints "ready" on stdout once the queue is bound.  */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Packets the kernel may hold in the queue (netem's default limit is 1000; a 100 ms delay at
   1 Gbit/s holds ~8500 full frames).  The ring below is larger, so it never overflows.  */
#define QUEUE_MAXLEN 16384
#define RING_SIZE 32768
/* Socket receive buffer: bursts of notifications must not be lost while verdicts go out.  */
#define RCVBUF_BYTES (8 * 1024 * 1024)
/* Longest delay accepted: one hour, like any sane link emulation.  */
#define MAX_DELAY_US (3600ULL * 1000 * 1000)

struct pending
{
  uint32_t id;
  uint64_t due_ns;
};

static struct pending ring[RING_SIZE];
static size_t head, count;
static uint32_t last_seen;
static int have_seen;

static int
fail (int err, const char *fmt, ...)
{
  va_list ap;
  fputs ("nanomega-delay: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  if (err)
    fprintf (stderr, ": %s", strerror (err));
  fputc ('\n', stderr);
  return -1;
}

static uint64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* Appends attribute TYPE with LEN bytes of DATA to the message in BUF.  */
static void
put_attr (char *buf, uint16_t type, const void *data, uint16_t len)
{
  struct nlmsghdr *nlh = (struct nlmsghdr *) buf;
  struct nlattr *a = (struct nlattr *) (buf + NLMSG_ALIGN (nlh->nlmsg_len));
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + len;
  memcpy ((char *) a + NLA_HDRLEN, data, len);
  nlh->nlmsg_len = NLMSG_ALIGN (nlh->nlmsg_len) + NLA_ALIGN (a->nla_len);
}

static void
start_msg (char *buf, uint16_t type, uint16_t queue, uint16_t flags)
{
  struct nlmsghdr *nlh = (struct nlmsghdr *) buf;
  struct nfgenmsg *nfg;
  memset (buf, 0, NLMSG_SPACE (sizeof (struct nfgenmsg)));
  nlh->nlmsg_len = NLMSG_LENGTH (sizeof (struct nfgenmsg));
  nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nfg = NLMSG_DATA (nlh);
  nfg->nfgen_family = AF_UNSPEC;
  nfg->version = NFNETLINK_V0;
  nfg->res_id = htobe16 (queue);
}

/* Sends one request and waits for its acknowledgement (the kernel's errno, if any).  */
static int
request (int fd, char *buf)
{
  struct nlmsghdr *nlh = (struct nlmsghdr *) buf;
  char reply[8192];
  ssize_t n;

  nlh->nlmsg_flags |= NLM_F_ACK;
  if (send (fd, buf, nlh->nlmsg_len, 0) < 0)
    return -errno;
  for (;;)
    {
      n = recv (fd, reply, sizeof reply, 0);
      if (n < 0)
        return errno == EINTR ? -EINTR : -errno;
      for (struct nlmsghdr *r = (struct nlmsghdr *) reply; NLMSG_OK (r, (size_t) n); r = NLMSG_NEXT (r, n))
        if (r->nlmsg_type == NLMSG_ERROR)
          return ((struct nlmsgerr *) NLMSG_DATA (r))->error;
    }
}

static int
bind_queue (int fd, uint16_t queue)
{
  char buf[256];
  struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
  struct nfqnl_msg_config_params params = { .copy_range = htobe32 (0), .copy_mode = NFQNL_COPY_META };
  uint32_t maxlen = htobe32 (QUEUE_MAXLEN);
  /* GSO packets are queued whole: nothing here looks at the payload.  */
  uint32_t flags = htobe32 (NFQA_CFG_F_GSO);
  int rc;

  start_msg (buf, NFQNL_MSG_CONFIG, queue, 0);
  put_attr (buf, NFQA_CFG_CMD, &cmd, sizeof cmd);
  if ((rc = request (fd, buf)) < 0)
    return fail (-rc, "bind queue %u", queue);
  start_msg (buf, NFQNL_MSG_CONFIG, queue, 0);
  put_attr (buf, NFQA_CFG_PARAMS, &params, sizeof params);
  put_attr (buf, NFQA_CFG_QUEUE_MAXLEN, &maxlen, sizeof maxlen);
  put_attr (buf, NFQA_CFG_MASK, &flags, sizeof flags);
  put_attr (buf, NFQA_CFG_FLAGS, &flags, sizeof flags);
  if ((rc = request (fd, buf)) < 0)
    return fail (-rc, "configure queue %u", queue);
  return 0;
}

/* Accepts every queued packet with an id up to ID (ids grow, and packets wait in order).  */
static int
accept_up_to (int fd, uint16_t queue, uint32_t id)
{
  char buf[128];
  struct nfqnl_msg_verdict_hdr vh = { .verdict = htobe32 (NF_ACCEPT), .id = htobe32 (id) };
  start_msg (buf, NFQNL_MSG_VERDICT_BATCH, queue, 0);
  put_attr (buf, NFQA_VERDICT_HDR, &vh, sizeof vh);
  if (send (fd, buf, ((struct nlmsghdr *) buf)->nlmsg_len, 0) < 0)
    return fail (errno, "verdict");
  return 0;
}

/* Queues every packet notification in BUF for release at NOW + DELAY.  */
static void
take_packets (char *buf, ssize_t n, uint64_t due)
{
  for (struct nlmsghdr *nlh = (struct nlmsghdr *) buf; NLMSG_OK (nlh, (size_t) n); nlh = NLMSG_NEXT (nlh, n))
    {
      ssize_t alen;
      struct nlattr *a;
      if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET || (nlh->nlmsg_type >> 8) != NFNL_SUBSYS_QUEUE)
        continue;
      a = (struct nlattr *) ((char *) NLMSG_DATA (nlh) + NLMSG_ALIGN (sizeof (struct nfgenmsg)));
      alen = (ssize_t) nlh->nlmsg_len - NLMSG_LENGTH (sizeof (struct nfgenmsg));
      for (; alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen;
           alen -= NLA_ALIGN (a->nla_len), a = (struct nlattr *) ((char *) a + NLA_ALIGN (a->nla_len)))
        {
          struct nfqnl_msg_packet_hdr *ph;
          if ((a->nla_type & NLA_TYPE_MASK) != NFQA_PACKET_HDR || a->nla_len < NLA_HDRLEN + sizeof *ph)
            continue;
          ph = (struct nfqnl_msg_packet_hdr *) ((char *) a + NLA_HDRLEN);
          last_seen = be32toh (ph->packet_id);
          have_seen = 1;
          if (count < RING_SIZE)
            {
              ring[(head + count) % RING_SIZE] = (struct pending) { .id = last_seen, .due_ns = due };
              count++;
            }
        }
    }
}

static int
arm (int tfd)
{
  struct itimerspec its = { 0 };
  if (count > 0)
    {
      uint64_t due = ring[head].due_ns;
      its.it_value.tv_sec = (time_t) (due / 1000000000ULL);
      its.it_value.tv_nsec = (long) (due % 1000000000ULL);
      if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1;
    }
  if (timerfd_settime (tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
    return fail (errno, "timerfd_settime");
  return 0;
}

static int
parse_u64 (const char *s, uint64_t max, uint64_t *out)
{
  char *end;
  unsigned long long v;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || *s == '-' || v > max)
    return -1;
  *out = v;
  return 0;
}

static int
run (int argc, char **argv)
{
  uint64_t queue, delay_us, pid = 0;
  int nsfd, fd, tfd, sfd, pfd = -1, rcvbuf = RCVBUF_BYTES;
  sigset_t sigs;
  static char buf[256 * 1024];

  if (argc < 4 || argc > 5 || parse_u64 (argv[2], 65535, &queue) < 0 || parse_u64 (argv[3], MAX_DELAY_US, &delay_us) < 0
      || (argc == 5 && (parse_u64 (argv[4], 0x7fffffff, &pid) < 0 || pid == 0)))
    return fail (0, "usage: nanomega-delay NETNS QUEUE(0-65535) DELAY_US(<= 1 h) [PID]");

  /* The container's init, watched before joining its namespace: pidfd_open needs no namespace.  */
  if (pid > 0 && (pfd = (int) syscall (SYS_pidfd_open, (pid_t) pid, 0)) < 0)
    return fail (errno, "pidfd_open %llu", (unsigned long long) pid);
  nsfd = open (argv[1], O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return fail (errno, "open `%s`", argv[1]);
  if (setns (nsfd, CLONE_NEWNET) < 0)
    return fail (errno, "setns `%s`", argv[1]);
  close (nsfd);

  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0)
    return fail (errno, "socket NETLINK_NETFILTER");
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  /* Lost notifications are harmless (see the top); do not let them end the loop.  */
  {
    int one = 1;
    setsockopt (fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  }
  if (bind_queue (fd, (uint16_t) queue) < 0)
    return -1;

  sigemptyset (&sigs);
  sigaddset (&sigs, SIGTERM);
  sigaddset (&sigs, SIGINT);
  sigaddset (&sigs, SIGHUP);
  if (sigprocmask (SIG_BLOCK, &sigs, NULL) < 0 || (sfd = signalfd (-1, &sigs, SFD_CLOEXEC)) < 0)
    return fail (errno, "signalfd");
  tfd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0)
    return fail (errno, "timerfd_create");

  printf ("ready\n");
  fflush (stdout);
  /* The engine stops reading once it has seen "ready": from here on we are silent.  */
  {
    int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2 (null, STDIN_FILENO) < 0 || dup2 (null, STDOUT_FILENO) < 0 || dup2 (null, STDERR_FILENO) < 0)
      return fail (errno, "redirect to /dev/null");
    if (null > STDERR_FILENO)
      close (null);
  }

  for (;;)
    {
      struct pollfd p[4] = { { fd, POLLIN, 0 }, { tfd, POLLIN, 0 }, { sfd, POLLIN, 0 }, { pfd, POLLIN, 0 } };
      if (poll (p, pfd >= 0 ? 4 : 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return fail (errno, "poll");
        }
      if (p[2].revents || (pfd >= 0 && p[3].revents))
        break;
      if (p[0].revents & POLLIN)
        {
          ssize_t n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
          if (n > 0)
            {
              int was_empty = count == 0;
              take_packets (buf, n, now_ns () + delay_us * 1000ULL);
              if (was_empty && arm (tfd) < 0)
                return -1;
            }
          else if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ENOBUFS)
            return fail (errno, "recv");
        }
      if (p[1].revents & POLLIN)
        {
          uint64_t expirations, now = now_ns ();
          uint32_t last = 0;
          int any = 0;
          if (read (tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
            return fail (errno, "read timerfd");
          while (count > 0 && ring[head].due_ns <= now)
            {
              last = ring[head].id;
              any = 1;
              head = (head + 1) % RING_SIZE;
              count--;
            }
          if (any && accept_up_to (fd, (uint16_t) queue, last) < 0)
            return -1;
          if (arm (tfd) < 0)
            return -1;
        }
    }
  /* Leaving: whatever still waits goes now rather than being dropped with the queue.  */
  if (have_seen)
    accept_up_to (fd, (uint16_t) queue, last_seen);
  return 0;
}

int
main (int argc, char **argv)
{
  return run (argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
