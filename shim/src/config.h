/* shim/src/config.h — the BOOTSTRAP payload, parsed.  */
#ifndef SHIM_CONFIG_H
#define SHIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct shim_volume
{
  bool readonly;
  char *src; /* host path.  */
  char *dst; /* absolute path inside the container.  */
};

struct shim_list
{
  char **items;
  size_t n;
};

struct shim_config
{
  char *id, *name, *dir, *rootfs, *hostname, *uuid, *preinit;
  /* cwd=<absolute path inside the container>: init's working directory
     (an image's WorkingDir); NULL: /.  */
  char *cwd;
  /* devcgroup=<cgroup2 dir>: attach the eBPF device filter (ebpf.c) there;
     absent when the v1 devices cgroup carries the policy.  */
  char *devcgroup;
  /* freeze=<cgroup2 dir> or freezer=<v1 freezer dir>: once the child is
     READY, the monitor freezes that cgroup (cgroup.freeze / freezer.state)
     and reports READY "frozen" (freeze.h); absent: the engine freezes.  */
  char *freeze_dir;
  bool freeze_v1;
  bool snapshot;
  /* seccomp=0: no seccomp filter and no no_new_privs (default 1).  */
  bool unconfined;
  /* tun=1: create /dev/net/tun (the devices cgroup must allow 10:200).  */
  bool tun;
  /* unattended=1: the engine sends neither CONTINUE nor EXEC (a container
     without NICs): the monitor relays an empty CONTINUE to the child at
     MOUNTED and, once it froze the cgroup at READY, EXEC (init execs on
     thaw).  Needs freeze=/freezer=.  */
  bool unattended;
  /* autoexec=1: the engine sends CONTINUE (the NICs) but no EXEC: once the
     monitor froze the cgroup at READY it hands init EXEC itself, as
     unattended does.  Needs freeze=/freezer=.  */
  bool autoexec;
  struct shim_list init, env, cgroups, caps;
  struct shim_volume *volumes;
  size_t n_volumes;
  unsigned fifos;
  unsigned cols, rows;
  size_t scrollback;
  /* disksize=<bytes>: the tmpfs size of the writable layer (layer.h);
     0: upper and work in the instance dir.  */
  uint64_t disk_size;
};

#define SHIM_MAX_FIFOS 1024

/* Append a copy of V (the list stays NULL-terminated, argv style).  */
int shim_list_push (struct shim_list *l, const char *v);
void shim_list_free (struct shim_list *l);
/* Call FN for each "key=value\0" pair of LEN bytes of BUF; WHAT names the
   message in errors.  */
int shim_each_pair (const char *what, const char *buf, size_t len,
                    int (*fn) (void *data, const char *key, const char *v, shim_error_t *err), void *data,
                    shim_error_t *err);

/* Parse LEN bytes of "key=value\0" pairs into CFG (zeroed first).  */
int shim_config_parse (struct shim_config *cfg, const char *buf, size_t len, shim_error_t *err);
void shim_config_free (struct shim_config *cfg);

/* One container NIC of the CONTINUE payload: nic=<ifname>|<address>.  */
struct shim_nic
{
  char ifname[16]; /* IFNAMSIZ.  */
  char *addr;      /* as given ("10.1.0.1/24"), for messages; "" for none.  */
  int family;      /* AF_INET, AF_INET6, or 0 when there is no address.  */
  unsigned char bytes[16];
  unsigned prefix; /* /32 or /128 when the address has none.  */
};

struct shim_nics
{
  struct shim_nic *items;
  size_t n;
};

/* More NICs per container than any bridge setup uses; bounds the netlink
   request and the CONTINUE payload.  */
#define SHIM_MAX_NICS 256

/* Parse the CONTINUE payload (LEN bytes of "key=value\0"; empty: no NICs)
   into NICS (zeroed first).  */
int shim_nics_parse (struct shim_nics *nics, const char *buf, size_t len, shim_error_t *err);
void shim_nics_free (struct shim_nics *nics);

#endif
