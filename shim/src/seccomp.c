/* shim/src/seccomp.c — no_new_privs + a libseccomp filter (see seccomp.h).

   Docker's profile is an allowlist; this one is the equivalent deny list for
   a root container that already runs with Docker's 14 capabilities: every
   call Docker gates behind a capability we never grant, or forbids outright,
   fails with EPERM even if a capability is added later by name.  Filters are
   installed for x86_64, i386 and x32 alike (a 32-bit int 0x80 must not be a
   way around them); any other architecture is killed (libseccomp's default
   bad-arch action).

   libseccomp compiles the filter to classic BPF once per process
   (shim_seccomp_prepare, in the launcher before any fork); each container
   child only loads the inherited program.  */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Always EPERM.  Names unknown to an architecture are skipped for it.  */
static const char *const denied[] = {
  /* namespaces (clone is filtered on its flags below) */
  "unshare", "setns",
  /* mounts */
  "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
  "fspick", "mount_setattr",
  /* keyrings */
  "keyctl", "add_key", "request_key",
  /* bpf, perf, userfaultfd, io_uring (moby ≥ 25 blocks it too) */
  "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
  /* file handles */
  "open_by_handle_at",
  /* kexec, modules, reboot, swap */
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
  "get_kernel_syms", "query_module", "reboot", "swapon", "swapoff",
  /* clocks */
  "settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime", "clock_adjtime64",
  /* kernel log, accounting, quotas, obsolete interfaces */
  "syslog", "acct", "quotactl", "quotactl_fd", "nfsservctl", "lookup_dcookie", "uselib", "ustat", "sysfs",
  "_sysctl", "vhangup",
  /* raw I/O and vm86 */
  "iopl", "ioperm", "vm86", "vm86old",
};

/* Namespace flags a clone(2) may not carry.  */
static const unsigned long clone_ns_flags[] = {
  CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

/* personality(2) is allowed only with the values Docker allows: PER_LINUX
   0x0, UNAME26 0x8, PER_LINUX32 0x20000, PER_LINUX32|UNAME26 0x20008, and
   the 0xffffffff query.  libseccomp cannot say "not one of these" (one
   comparison per argument and rule), so this small classic-BPF filter is
   stacked on top: it only looks at personality (x86_64 135, x32
   135|0x40000000, i386 136) and leaves every other call, and every other
   architecture, to the main filter.  */
#define LD_NR BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr))
#define LD_ARCH BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch))
#define LD_A0_LO BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, args[0]))
#define ALLOW BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
static struct sock_filter personality_insns[] = {
  /* 0 */ LD_ARCH,
  /* 1 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 3, 0),
  /* 2 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 13),
  /* 3 */ LD_NR, /* i386 */
  /* 4 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 136, 4, 11),
  /* 5 */ LD_NR, /* x86_64 / x32 */
  /* 6 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 135, 2, 0),
  /* 7 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 135 | 0x40000000, 1, 0),
  /* 8 */ ALLOW,
  /* 9 */ LD_A0_LO, /* little endian: the low 32 bits come first.  */
  /* 10 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0x0, 5, 0),
  /* 11 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0x8, 4, 0),
  /* 12 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0x20000, 3, 0),
  /* 13 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0x20008, 2, 0),
  /* 14 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 1, 0),
  /* 15 */ BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  /* 16 */ ALLOW,
};
#undef LD_NR
#undef LD_ARCH
#undef LD_A0_LO
#undef ALLOW
static const struct sock_fprog personality_prog
    = { .len = sizeof personality_insns / sizeof personality_insns[0], .filter = personality_insns };

/* The main filter, compiled by libseccomp once per process (the launcher
   does it before forking any monitor; monitors and children inherit it).  */
static struct sock_fprog main_prog;

static void
cleanup_seccompp (scmp_filter_ctx *ctx)
{
  if (*ctx != NULL)
    seccomp_release (*ctx);
}
#define cleanup_seccomp __attribute__ ((cleanup (cleanup_seccompp)))

/* ptrace is allowed from Linux 4.8 on (seccomp is re-checked after a tracer
   changes a syscall); Docker blocks it below that.  */
static bool
kernel_before_4_8 (void)
{
  struct utsname u;
  int major = 0, minor = 0;

  if (uname (&u) < 0 || sscanf (u.release, "%d.%d", &major, &minor) != 2)
    return true;
  return major < 4 || (major == 4 && minor < 8);
}

static int
deny (scmp_filter_ctx ctx, const char *name, uint32_t action, shim_error_t *err)
{
  int nr = seccomp_syscall_resolve_name (name);
  int ret;

  if (nr == __NR_SCMP_ERROR)
    return 0; /* not a syscall on any of our architectures.  */
  ret = seccomp_rule_add (ctx, action, nr, 0);
  if (UNLIKELY (ret < 0))
    return shim_make_error (err, -ret, "seccomp rule `%s`", name);
  return 0;
}

static int
add_rules (scmp_filter_ctx ctx, shim_error_t *err)
{
  int ret;

  for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
    if (deny (ctx, denied[i], SCMP_ACT_ERRNO (EPERM), err) < 0)
      return -1;
  if (kernel_before_4_8 () && deny (ctx, "ptrace", SCMP_ACT_ERRNO (EPERM), err) < 0)
    return -1;
  /* clone3 passes its flags in memory, which a filter cannot read: make
     libc fall back to clone, whose flags we can check.  */
  if (deny (ctx, "clone3", SCMP_ACT_ERRNO (ENOSYS), err) < 0)
    return -1;

  for (size_t i = 0; i < sizeof clone_ns_flags / sizeof clone_ns_flags[0]; i++)
    {
      /* x86: flags are the first argument of clone.  */
      ret = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (clone), 1,
                              SCMP_A0 (SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]));
      if (UNLIKELY (ret < 0))
        return shim_make_error (err, -ret, "seccomp rule clone flag %#lx", clone_ns_flags[i]);
    }

  return 0;
}

/* Export CTX as classic BPF through a memfd (libseccomp 2.5 has no
   export to memory) into main_prog.  */
static int
export_prog (scmp_filter_ctx ctx, shim_error_t *err)
{
  cleanup_close int fd = memfd_create ("nanomega-seccomp", MFD_CLOEXEC);
  struct sock_filter *insns;
  struct stat st;
  int ret;

  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "memfd_create");
  ret = seccomp_export_bpf (ctx, fd);
  if (UNLIKELY (ret < 0))
    return shim_make_error (err, -ret, "seccomp_export_bpf");
  if (UNLIKELY (fstat (fd, &st) < 0))
    return shim_make_error (err, errno, "fstat seccomp memfd");
  if (UNLIKELY (st.st_size <= 0 || st.st_size % sizeof *insns != 0
                || (size_t) st.st_size / sizeof *insns > BPF_MAXINSNS))
    return shim_make_error (err, 0, "seccomp_export_bpf: %lld bytes of BPF", (long long) st.st_size);
  /* Its own mapping, not the heap: the launcher then trims libseccomp's freed
     heap, so forked monitors share this page instead of copying heap pages.  */
  insns = mmap (NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (UNLIKELY (insns == MAP_FAILED))
    return shim_make_error (err, errno, "mmap seccomp filter");
  if (UNLIKELY (pread (fd, insns, (size_t) st.st_size, 0) != st.st_size))
    {
      int e = errno;
      munmap (insns, (size_t) st.st_size);
      return shim_make_error (err, e, "read seccomp memfd");
    }
  main_prog.filter = insns;
  main_prog.len = (unsigned short) ((size_t) st.st_size / sizeof *insns);
  return 0;
}

int
shim_seccomp_prepare (shim_error_t *err)
{
  cleanup_seccomp scmp_filter_ctx ctx = NULL;
  int ret;

  if (main_prog.filter != NULL)
    return 0;
  ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (UNLIKELY (ctx == NULL))
    return shim_make_error (err, ENOMEM, "seccomp_init");
  if (seccomp_arch_native () == SCMP_ARCH_X86_64)
    {
      ret = seccomp_arch_add (ctx, SCMP_ARCH_X86);
      if (UNLIKELY (ret < 0 && ret != -EEXIST))
        return shim_make_error (err, -ret, "seccomp_arch_add x86");
      ret = seccomp_arch_add (ctx, SCMP_ARCH_X32);
      if (UNLIKELY (ret < 0 && ret != -EEXIST))
        return shim_make_error (err, -ret, "seccomp_arch_add x32");
    }
  if (add_rules (ctx, err) < 0)
    return -1;
  return export_prog (ctx, err);
}

const struct sock_fprog *
shim_seccomp_program (void)
{
  return main_prog.filter != NULL ? &main_prog : NULL;
}

int
shim_seccomp_apply (const struct shim_config *cfg, shim_error_t *err)
{
  if (cfg->unconfined)
    return 0;
  if (shim_seccomp_prepare (err) < 0)
    return -1;
  if (UNLIKELY (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0))
    return shim_make_error (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  /* What seccomp_load did: seccomp(SECCOMP_SET_MODE_FILTER, 0, prog), no
     flags; prctl is the same call.  */
  if (UNLIKELY (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &main_prog, 0, 0) < 0))
    return shim_make_error (err, errno, "prctl PR_SET_SECCOMP (main filter)");
  if (UNLIKELY (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &personality_prog, 0, 0) < 0))
    return shim_make_error (err, errno, "prctl PR_SET_SECCOMP (personality filter)");
  return 0;
}
