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
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp.h"
#include "sysnr.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Always EPERM.  A name libseccomp knows but an architecture lacks (stime
   on x86_64) is skipped for that architecture; a name libseccomp does not
   know at all is denied by number from sysnr.c, and a name known to
   neither is an error: the filter never loads with a hole in it.  */
static const char *const denied[] = {
  /* namespaces (clone is filtered on its flags below) */
  "unshare", "setns",
  /* mounts */
  "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "open_tree_attr", "fsopen", "fsconfig",
  "fsmount", "fspick", "mount_setattr",
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

/* What libseccomp cannot say, in a small classic-BPF filter stacked on top
   of the main one (the kernel runs both; the stricter answer wins), one
   section per architecture:

   - personality(2) only with the values Docker allows: PER_LINUX 0x0,
     UNAME26 0x8, PER_LINUX32 0x20000, PER_LINUX32|UNAME26 0x20008 and the
     0xffffffff query (libseccomp has one comparison per argument and rule,
     so "not one of these" needs raw BPF);
   - socket(AF_VSOCK, ...) → EAFNOSUPPORT, as in Docker's profile: vsock is
     not isolated by the network namespace, so it would reach hypervisor
     and local-VM services past the container's NICs, and creating one
     autoloads the vsock modules.  i386's multiplexed socketcall(2) passes
     the domain in memory, which no filter can read (Docker lets it through
     too); its direct socket(2) is filtered;
   - denied calls libseccomp does not know (newer than its release), by
     number from sysnr.c: EPERM;
   - any number above the highest sysnr.c knows: ENOSYS, so a system call
     added to a later kernel is never allowed by default — libc then falls
     back as it does on an older kernel.  On x86_64 the x32 range
     (__X32_SYSCALL_BIT) is cut the same way, keeping its legacy 512-547.

   Every other call, and every other architecture, is left to the main
   filter (which kills foreign architectures).  */
#define EXTRA_MAX_INSNS 256
#define EXTRA_MAX_DENY 16

enum extra_label
{
  L_NEXT = 0, /* fall through.  */
  L_ALLOW,
  L_EPERM,
  L_ENOSYS,
  L_EAFNOSUPPORT,
  L_PERSONALITY,
  L_SOCKET,
  L_X32,
  L_COUNT
};

struct extra_asm
{
  struct sock_filter insns[EXTRA_MAX_INSNS];
  unsigned char jt[EXTRA_MAX_INSNS], jf[EXTRA_MAX_INSNS];
  int at[L_COUNT];
  size_t n;
  bool overflow;
};

struct extra_arch
{
  uint32_t bit; /* SHIM_X32_BIT for x32, else 0.  */
  uint32_t max, personality, socket;
  const uint32_t *deny;
  size_t n_deny;
};

static void
emit (struct extra_asm *a, struct sock_filter insn, enum extra_label jt, enum extra_label jf)
{
  if (a->n == EXTRA_MAX_INSNS)
    {
      a->overflow = true;
      return;
    }
  a->jt[a->n] = (unsigned char) jt;
  a->jf[a->n] = (unsigned char) jf;
  a->insns[a->n++] = insn;
}

static void
label (struct extra_asm *a, enum extra_label l)
{
  a->at[l] = (int) a->n;
}

#define LD_ABS(field) (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, field))
#define RET(v) (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, (v))
#define JMP(op, k) (struct sock_filter) BPF_JUMP (BPF_JMP | (op) | BPF_K, (k), 0, 0)

/* The number checks of one ABI; nr is loaded.  */
static void
emit_abi (struct extra_asm *a, const struct extra_arch *x)
{
  if (x->bit)
    {
      emit (a, JMP (BPF_JGT, x->bit | SHIM_X32_LEGACY_LAST), L_ENOSYS, L_NEXT);
      emit (a, JMP (BPF_JGE, x->bit | SHIM_X32_LEGACY_FIRST), L_ALLOW, L_NEXT);
    }
  emit (a, JMP (BPF_JGT, x->bit | x->max), L_ENOSYS, L_NEXT);
  for (size_t i = 0; i < x->n_deny; i++)
    emit (a, JMP (BPF_JEQ, x->bit | x->deny[i]), L_EPERM, L_NEXT);
  emit (a, JMP (BPF_JEQ, x->bit | x->personality), L_PERSONALITY, L_NEXT);
  emit (a, JMP (BPF_JEQ, x->bit | x->socket), L_SOCKET, L_NEXT);
  emit (a, RET (SECCOMP_RET_ALLOW), L_NEXT, L_NEXT);
}

/* One architecture's section: ABIS[0] and, for x86_64, ABIS[1] = x32.  */
static void
emit_section (struct extra_asm *a, const struct extra_arch *native, const struct extra_arch *x32)
{
  emit (a, LD_ABS (nr), L_NEXT, L_NEXT);
  if (x32)
    emit (a, JMP (BPF_JGE, SHIM_X32_BIT), L_X32, L_NEXT);
  emit_abi (a, native);
  if (x32)
    {
      label (a, L_X32);
      emit_abi (a, x32);
    }
  label (a, L_PERSONALITY);
  /* Little endian: the low 32 bits of the argument come first.  */
  emit (a, LD_ABS (args[0]), L_NEXT, L_NEXT);
  emit (a, JMP (BPF_JEQ, 0x0), L_ALLOW, L_NEXT);
  emit (a, JMP (BPF_JEQ, 0x8), L_ALLOW, L_NEXT);
  emit (a, JMP (BPF_JEQ, 0x20000), L_ALLOW, L_NEXT);
  emit (a, JMP (BPF_JEQ, 0x20008), L_ALLOW, L_NEXT);
  emit (a, JMP (BPF_JEQ, 0xffffffff), L_ALLOW, L_EPERM);
  label (a, L_SOCKET);
  emit (a, LD_ABS (args[0]), L_NEXT, L_NEXT);
  emit (a, JMP (BPF_JEQ, AF_VSOCK), L_EAFNOSUPPORT, L_ALLOW);
  label (a, L_ALLOW);
  emit (a, RET (SECCOMP_RET_ALLOW), L_NEXT, L_NEXT);
  label (a, L_EPERM);
  emit (a, RET (SECCOMP_RET_ERRNO | EPERM), L_NEXT, L_NEXT);
  label (a, L_ENOSYS);
  emit (a, RET (SECCOMP_RET_ERRNO | ENOSYS), L_NEXT, L_NEXT);
  label (a, L_EAFNOSUPPORT);
  emit (a, RET (SECCOMP_RET_ERRNO | EAFNOSUPPORT), L_NEXT, L_NEXT);
}

/* Resolve the labels of a section into jump offsets, appending it to OUT.  */
static int
link_section (struct sock_filter *out, size_t *n_out, size_t cap, const struct extra_asm *a, shim_error_t *err)
{
  if (a->overflow || *n_out + a->n > cap)
    return shim_make_error (err, 0, "seccomp: extra filter too long");
  for (size_t i = 0; i < a->n; i++)
    {
      struct sock_filter f = a->insns[i];
      if (BPF_CLASS (f.code) == BPF_JMP)
        {
          int t = a->jt[i] ? a->at[a->jt[i]] - (int) i - 1 : 0;
          int e = a->jf[i] ? a->at[a->jf[i]] - (int) i - 1 : 0;
          if (t < 0 || t > 255 || e < 0 || e > 255)
            return shim_make_error (err, 0, "seccomp: extra filter jump out of range");
          f.jt = (unsigned char) t;
          f.jf = (unsigned char) e;
        }
      out[(*n_out)++] = f;
    }
  return 0;
}

/* Numbers of denied calls libseccomp did not know, per architecture.  */
struct unknown_denied
{
  uint32_t x86_64[EXTRA_MAX_DENY], i386[EXTRA_MAX_DENY];
  size_t n_x86_64, n_i386;
};

static struct sock_filter extra_insns[EXTRA_MAX_INSNS];
static struct sock_fprog extra_prog;

static int
build_extra (const struct unknown_denied *u, shim_error_t *err)
{
  struct extra_arch x86_64 = { .max = SHIM_SYSNR_MAX_X86_64, .personality = 135, .socket = 41,
                               .deny = u->x86_64, .n_deny = u->n_x86_64 };
  struct extra_arch x32 = x86_64;
  struct extra_arch i386 = { .max = SHIM_SYSNR_MAX_I386, .personality = 136, .socket = 359,
                             .deny = u->i386, .n_deny = u->n_i386 };
  struct extra_asm s64 = { .n = 0 }, s32 = { .n = 0 };
  size_t n = 0;

  x32.bit = SHIM_X32_BIT;
  emit_section (&s64, &x86_64, &x32);
  emit_section (&s32, &i386, NULL);
  if (s64.overflow || s32.overflow || 4 + s64.n + s32.n > EXTRA_MAX_INSNS || s64.n > 255)
    return shim_make_error (err, 0, "seccomp: extra filter too long");
  extra_insns[n++] = LD_ABS (arch);
  extra_insns[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 2, 0);
  extra_insns[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, (unsigned char) (1 + s64.n), 0);
  extra_insns[n++] = RET (SECCOMP_RET_ALLOW);
  if (link_section (extra_insns, &n, EXTRA_MAX_INSNS, &s64, err) < 0
      || link_section (extra_insns, &n, EXTRA_MAX_INSNS, &s32, err) < 0)
    return -1;
  extra_prog.filter = extra_insns;
  extra_prog.len = (unsigned short) n;
  return 0;
}
#undef LD_ABS
#undef RET
#undef JMP

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
deny (scmp_filter_ctx ctx, const char *name, uint32_t action, struct unknown_denied *u, shim_error_t *err)
{
  int nr = seccomp_syscall_resolve_name (name);
  const struct shim_sysnr *known;
  int ret;

  if (nr == __NR_SCMP_ERROR)
    {
      /* Newer than this libseccomp: by number, in the extra filter.  */
      known = shim_sysnr_lookup (name);
      if (known == NULL)
        return shim_make_error (err, 0, "seccomp: system call `%s` is unknown to libseccomp %u.%u.%u and to sysnr.c",
                                name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
      if (action != SCMP_ACT_ERRNO (EPERM) || u->n_x86_64 == EXTRA_MAX_DENY || u->n_i386 == EXTRA_MAX_DENY)
        return shim_make_error (err, 0, "seccomp: cannot deny `%s` by number", name);
      if (known->x86_64 >= 0)
        u->x86_64[u->n_x86_64++] = (uint32_t) known->x86_64;
      if (known->i386 >= 0)
        u->i386[u->n_i386++] = (uint32_t) known->i386;
      return 0;
    }
  ret = seccomp_rule_add (ctx, action, nr, 0);
  if (UNLIKELY (ret < 0))
    return shim_make_error (err, -ret, "seccomp rule `%s`", name);
  return 0;
}

int
shim_seccomp_check_names (const char *const *names, size_t n, shim_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (seccomp_syscall_resolve_name (names[i]) == __NR_SCMP_ERROR && shim_sysnr_lookup (names[i]) == NULL)
      return shim_make_error (err, 0, "seccomp: system call `%s` is unknown to libseccomp %u.%u.%u and to sysnr.c",
                              names[i], SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
  return 0;
}

static int
add_rules (scmp_filter_ctx ctx, struct unknown_denied *u, shim_error_t *err)
{
  int ret;

  for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
    if (deny (ctx, denied[i], SCMP_ACT_ERRNO (EPERM), u, err) < 0)
      return -1;
  if (kernel_before_4_8 () && deny (ctx, "ptrace", SCMP_ACT_ERRNO (EPERM), u, err) < 0)
    return -1;
  /* clone3 passes its flags in memory, which a filter cannot read: make
     libc fall back to clone, whose flags we can check.  */
  if (deny (ctx, "clone3", SCMP_ACT_ERRNO (ENOSYS), u, err) < 0)
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
  struct unknown_denied unknown = { .n_x86_64 = 0 };
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
  /* A binary tree of syscall numbers instead of a chain: the kernel runs
     the filter once per syscall number and ABI when it loads it (the
     action cache of seccomp_cache_prepare), so the path length is paid at
     every container's load, ~0.1 ms with the chain.  */
  ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (UNLIKELY (ret < 0))
    return shim_make_error (err, -ret, "seccomp_attr_set SCMP_FLTATR_CTL_OPTIMIZE");
  if (add_rules (ctx, &unknown, err) < 0)
    return -1;
  if (build_extra (&unknown, err) < 0)
    return -1;
  return export_prog (ctx, err);
}

const struct sock_fprog *
shim_seccomp_program (void)
{
  return main_prog.filter != NULL ? &main_prog : NULL;
}

const struct sock_fprog *
shim_seccomp_extra_program (void)
{
  return extra_prog.filter != NULL ? &extra_prog : NULL;
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
  if (UNLIKELY (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &extra_prog, 0, 0) < 0))
    return shim_make_error (err, errno, "prctl PR_SET_SECCOMP (extra filter)");
  return 0;
}
