/* shim/src/caps.c — drop to the default capability set: Docker's 14 plus
   NET_ADMIN.  NET_ADMIN is bounded by the container's own network
   namespace (every netlink and ioctl it allows checks ns_capable on the
   namespace that owns the object), so `ip addr/route`, dhclient, sysctl
   net.* and iptables/nft work there and nowhere else.  minimega's set also
   has DAC_READ_SEARCH (open_by_handle_at: reads any host file by handle)
   and AUDIT_CONTROL; both stay out.  */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "utils.h"

static const char *const cap_names[] = {
  "CHOWN",           "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",      "FSETID",
  "KILL",            "SETGID",       "SETUID",          "SETPCAP",     "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",     "NET_RAW",     "IPC_LOCK",
  "IPC_OWNER",       "SYS_MODULE",   "SYS_RAWIO",       "SYS_CHROOT",  "SYS_PTRACE",
  "SYS_PACCT",       "SYS_ADMIN",    "SYS_BOOT",        "SYS_NICE",    "SYS_RESOURCE",
  "SYS_TIME",        "SYS_TTY_CONFIG", "MKNOD",         "LEASE",       "AUDIT_WRITE",
  "AUDIT_CONTROL",   "SETFCAP",      "MAC_OVERRIDE",    "MAC_ADMIN",   "SYSLOG",
  "WAKE_ALARM",      "BLOCK_SUSPEND", "AUDIT_READ",     "PERFMON",     "BPF",
  "CHECKPOINT_RESTORE",
};

uint64_t
shim_caps_default (void)
{
  static const int def[] = { 0 /* CHOWN */,     1 /* DAC_OVERRIDE */, 3 /* FOWNER */,
                             4 /* FSETID */,    5 /* KILL */,         6 /* SETGID */,
                             7 /* SETUID */,    8 /* SETPCAP */,      10 /* NET_BIND_SERVICE */,
                             12 /* NET_ADMIN */, 13 /* NET_RAW */,  18 /* SYS_CHROOT */,  27 /* MKNOD */,
                             29 /* AUDIT_WRITE */, 31 /* SETFCAP */ };
  uint64_t m = 0;
  for (size_t i = 0; i < sizeof def / sizeof def[0]; i++)
    m |= 1ULL << def[i];
  return m;
}

int
shim_cap_from_name (const char *name)
{
  if (strncasecmp (name, "CAP_", 4) == 0)
    name += 4;
  for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (strcasecmp (name, cap_names[i]) == 0)
      return (int) i;
  return -1;
}

/* The kernel's highest capability, asked of the kernel itself: PR_CAPBSET_READ
   answers EINVAL past cap_last_cap (what libcap does).  Never read from
   /proc/sys/kernel/cap_last_cap: this runs after pivot_root, where /proc
   is the container's and a volume may cover /proc/sys/kernel.  */
int
shim_caps_last (shim_error_t *err)
{
  int last = -1;

  for (int c = 0; c < 64; c++)
    {
      if (prctl (PR_CAPBSET_READ, c, 0, 0, 0) >= 0)
        last = c;
      else if (errno == EINVAL)
        break;
      else
        return shim_make_error (err, errno, "prctl PR_CAPBSET_READ %d", c);
    }
  if (UNLIKELY (last < 0))
    return shim_make_error (err, 0, "no capability known to the kernel");
  return last;
}

int
shim_caps_drop (const struct shim_config *cfg, shim_error_t *err)
{
  uint64_t keep = shim_caps_default ();
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];
  int last = 0;

  for (size_t i = 0; i < cfg->caps.n; i++)
    {
      int c = shim_cap_from_name (cfg->caps.items[i]);
      if (c < 0)
        return shim_make_error (err, 0, "unknown capability `%s`", cfg->caps.items[i]);
      keep |= 1ULL << c;
    }
  last = shim_caps_last (err);
  if (last < 0)
    return -1;

  for (int c = 0; c <= last; c++)
    if (!(keep & (1ULL << c)) && UNLIKELY (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0))
      return shim_make_error (err, errno, "prctl PR_CAPBSET_DROP %d", c);

  if (UNLIKELY (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL))
    return shim_make_error (err, errno, "prctl PR_CAP_AMBIENT_CLEAR_ALL");

  memset (data, 0, sizeof data);
  data[0].effective = data[0].permitted = (uint32_t) keep;
  data[1].effective = data[1].permitted = (uint32_t) (keep >> 32);
  if (UNLIKELY (syscall (SYS_capset, &hdr, data) < 0))
    return shim_make_error (err, errno, "capset");
  return 0;
}
