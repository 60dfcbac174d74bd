/* shim/src/ebpf.c — the eBPF device filter (see ebpf.h).

   On a cgroup v2 host there is no devices.allow: the kernel asks every
   BPF_CGROUP_DEVICE program attached to the cgroup (and its ancestors)
   whether a task may mknod or open a device node.  The program gets a
   struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
   where access_type is (access << 16) | type, and returns 1 to allow.

   The program, written out by hand (no libbpf, no clang):

     r2 = ctx->access_type & 0xffff      type: BPF_DEVCG_DEV_BLOCK/CHAR
     r3 = ctx->access_type >> 16         access: MKNOD | READ | WRITE
     r4 = ctx->major
     r5 = ctx->minor
     for each rule:
       if r2 != rule.type goto next
       if (r3 & ~rule.access) != 0 goto next    (omitted for rwm)
       if r4 != rule.major goto next            (omitted for `*`)
       if r5 != rule.minor goto next            (omitted for `*`)
       return 1
     next:
     return 0  */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ebpf.h"
#include "utils.h"

const char *const shim_device_allow[] = {
  "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
  "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm",
};
const size_t shim_device_allow_n = sizeof shim_device_allow / sizeof shim_device_allow[0];
const char shim_device_tun[] = "c 10:200 rwm";

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

struct dev_rule
{
  int type;   /* BPF_DEVCG_DEV_BLOCK or BPF_DEVCG_DEV_CHAR.  */
  int access; /* BPF_DEVCG_ACC_* bits.  */
  long major, minor; /* -1: any.  */
};

static int
parse_number (const char **s, long *out)
{
  long n = 0;

  if (**s == '*')
    {
      (*s)++;
      *out = -1;
      return 0;
    }
  if (**s < '0' || **s > '9')
    return -1;
  for (; **s >= '0' && **s <= '9'; (*s)++)
    {
      n = n * 10 + (**s - '0');
      if (n > 0xfffff) /* MINORBITS is 20; majors are 12 bits.  */
        return -1;
    }
  *out = n;
  return 0;
}

/* "c 1:3 rwm" → RULE.  Type `a` is not supported: the policy never needs it.  */
static int
parse_rule (const char *text, struct dev_rule *r, shim_error_t *err)
{
  const char *s = text;

  memset (r, 0, sizeof *r);
  if (s[0] == 'c' || s[0] == 'b')
    r->type = s[0] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
  else
    return shim_make_error (err, 0, "device rule `%s`: type must be c or b", text);
  s++;
  if (*s++ != ' ' || parse_number (&s, &r->major) < 0 || *s++ != ':' || parse_number (&s, &r->minor) < 0
      || *s++ != ' ' || *s == '\0')
    return shim_make_error (err, 0, "device rule `%s`: want `<c|b> <major|*>:<minor|*> <rwm>`", text);
  for (; *s; s++)
    switch (*s)
      {
      case 'r':
        r->access |= BPF_DEVCG_ACC_READ;
        break;
      case 'w':
        r->access |= BPF_DEVCG_ACC_WRITE;
        break;
      case 'm':
        r->access |= BPF_DEVCG_ACC_MKNOD;
        break;
      default:
        return shim_make_error (err, 0, "device rule `%s`: bad access `%c`", text, *s);
      }
  return 0;
}

static int
emit (struct shim_ebpf_prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm, shim_error_t *err)
{
  if (UNLIKELY (p->n >= SHIM_EBPF_MAX_INSNS))
    return shim_make_error (err, 0, "device filter: more than %d instructions", SHIM_EBPF_MAX_INSNS);
  p->insns[p->n] = (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return (int) p->n++;
}

/* Conditional jump to the end of the current rule; patched by emit_rule.  */
#define JNE_IMM(reg, imm) emit (p, BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm, err)

static int
emit_rule (struct shim_ebpf_prog *p, const struct dev_rule *r, shim_error_t *err)
{
  int jumps[4], nj = 0;

  if ((jumps[nj++] = JNE_IMM (BPF_REG_2, r->type)) < 0)
    return -1;
  if (r->access != ACC_ALL)
    {
      /* r1 = r3 & ~access: any requested access the rule does not grant.  */
      if (emit (p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0, err) < 0
          || emit (p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, ~r->access, err) < 0
          || (jumps[nj++] = JNE_IMM (BPF_REG_1, 0)) < 0)
        return -1;
    }
  if (r->major >= 0 && (jumps[nj++] = JNE_IMM (BPF_REG_4, (int32_t) r->major)) < 0)
    return -1;
  if (r->minor >= 0 && (jumps[nj++] = JNE_IMM (BPF_REG_5, (int32_t) r->minor)) < 0)
    return -1;
  if (emit (p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1, err) < 0
      || emit (p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0, err) < 0)
    return -1;
  for (int i = 0; i < nj; i++)
    p->insns[jumps[i]].off = (int16_t) (p->n - (size_t) jumps[i] - 1);
  return 0;
}

int
shim_ebpf_device_prog (struct shim_ebpf_prog *p, bool tun, shim_error_t *err)
{
  struct dev_rule r;

  memset (p, 0, sizeof *p);
  /* r2 = type, r3 = access, r4 = major, r5 = minor.  */
  if (emit (p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0, err) < 0
      || emit (p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff, err) < 0
      || emit (p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0, err) < 0
      || emit (p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16, err) < 0
      || emit (p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0, err) < 0
      || emit (p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0, err) < 0)
    return -1;
  for (size_t i = 0; i < shim_device_allow_n; i++)
    if (parse_rule (shim_device_allow[i], &r, err) < 0 || emit_rule (p, &r, err) < 0)
      return -1;
  if (tun && (parse_rule (shim_device_tun, &r, err) < 0 || emit_rule (p, &r, err) < 0))
    return -1;
  /* Nothing matched: deny.  */
  if (emit (p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0, err) < 0
      || emit (p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0, err) < 0)
    return -1;
  return 0;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (__NR_bpf, cmd, attr, sizeof *attr);
}

int
shim_ebpf_load (const struct shim_ebpf_prog *prog, shim_error_t *err)
{
  const size_t log_size = 64 * 1024;
  cleanup_free char *log = NULL;
  union bpf_attr attr;
  const char *tail;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) prog->insns;
  attr.insn_cnt = (uint32_t) prog->n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  if (errno != EINVAL && errno != EACCES)
    return shim_make_error (err, errno, "bpf BPF_PROG_LOAD device filter");

  /* Rejected by the verifier: load again with its log for the message.  */
  log = calloc (1, log_size);
  if (log == NULL)
    return shim_make_error (err, ENOMEM, "bpf BPF_PROG_LOAD device filter");
  attr.log_level = 1;
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = (uint32_t) log_size;
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  log[log_size - 1] = '\0';
  tail = strlen (log) > 300 ? log + strlen (log) - 300 : log;
  return shim_make_error (err, errno, "bpf BPF_PROG_LOAD device filter (verifier: %s)", tail);
}

int
shim_ebpf_devices_attach (const char *cgroup_dir, bool tun, shim_error_t *err)
{
  struct shim_ebpf_prog prog;
  cleanup_close int dirfd = -1;
  cleanup_close int progfd = -1;
  union bpf_attr attr;
  struct statfs sfs;

  if (shim_ebpf_device_prog (&prog, tun, err) < 0)
    return -1;
  dirfd = open (cgroup_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (UNLIKELY (dirfd < 0))
    return shim_make_error (err, errno, "open device cgroup `%s`", cgroup_dir);
  if (UNLIKELY (fstatfs (dirfd, &sfs) < 0))
    return shim_make_error (err, errno, "fstatfs device cgroup `%s`", cgroup_dir);
  if (UNLIKELY (sfs.f_type != CGROUP2_SUPER_MAGIC))
    return shim_make_error (err, 0, "device cgroup `%s` is not a cgroup2 directory", cgroup_dir);

  progfd = shim_ebpf_load (&prog, err);
  if (progfd < 0)
    return -1;

  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) dirfd;
  attr.attach_bpf_fd = (uint32_t) progfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  /* Composes with programs on ancestors (systemd attaches its own with
     ALLOW_MULTI): a device is usable only if every one of them allows it.  */
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (UNLIKELY (sys_bpf (BPF_PROG_ATTACH, &attr) < 0))
    return shim_make_error (err, errno, "bpf BPF_PROG_ATTACH device filter to `%s`", cgroup_dir);
  /* progfd closes here; the attachment holds the program.  */
  return 0;
}
