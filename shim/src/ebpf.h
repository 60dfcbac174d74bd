/* shim/src/ebpf.h — the device policy as a BPF_PROG_TYPE_CGROUP_DEVICE
   program, for hosts where the devices controller is not on a v1 mount.  */
#ifndef SHIM_EBPF_H
#define SHIM_EBPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The allowlist in devices.allow syntax ("c 1:3 rwm", `*` for any number).
   Mirrors DEVICE_ALLOW and DEVICE_TUN in engine/cgroup/limits.ts exactly;
   test/security/devices-ebpf.test.ts compares the two.  Anything no rule
   allows is denied.  */
extern const char *const shim_device_allow[];
extern const size_t shim_device_allow_n;
extern const char shim_device_tun[];

#define SHIM_EBPF_MAX_INSNS 160

struct shim_ebpf_prog
{
  struct bpf_insn insns[SHIM_EBPF_MAX_INSNS];
  size_t n;
};

/* Build the program for the allowlist (plus tun when TUN) into PROG.
   It reads the bpf_cgroup_dev_ctx and returns 1 (allow) or 0 (deny).  */
int shim_ebpf_device_prog (struct shim_ebpf_prog *prog, bool tun, shim_error_t *err);

/* Load PROG with BPF_PROG_LOAD; returns the program fd or -1 (the
   verifier's log is in the error).  */
int shim_ebpf_load (const struct shim_ebpf_prog *prog, shim_error_t *err);

/* Build, load and attach (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) the device
   filter to CGROUP_DIR, a cgroup2 directory.  The attachment keeps the
   program alive until the cgroup is removed.  Needs CAP_SYS_ADMIN (and
   the bpf syscall): call before the capabilities are dropped and the
   seccomp filter is loaded.  */
int shim_ebpf_devices_attach (const char *cgroup_dir, bool tun, shim_error_t *err);

#endif
