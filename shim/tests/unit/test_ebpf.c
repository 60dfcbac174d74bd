/* The eBPF device filter: run the generated program in a tiny interpreter
   for every (type, access, major, minor) of interest and compare with the
   policy written out by hand; as root, the kernel's verifier accepts it.  */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ebpf.h"
#include "check.h"


/* Only the instructions ebpf.c emits; anything else is a failure (-1).  */
static int
run (const struct shim_ebpf_prog *p, uint32_t access_type, uint32_t major, uint32_t minor)
{
  const uint32_t ctx[3] = { access_type, major, minor };
  uint64_t r[11] = { 0 };
  int ctx_in_r1 = 1;

  for (size_t pc = 0, steps = 0; pc < p->n && steps < 10000; pc++, steps++)
    {
      const struct bpf_insn *i = &p->insns[pc];
      uint64_t *d = &r[i->dst_reg];

      switch (i->code)
        {
        case BPF_LDX | BPF_W | BPF_MEM:
          if (i->src_reg != BPF_REG_1 || !ctx_in_r1 || i->off < 0 || i->off > 8 || i->off % 4)
            return -1;
          *d = ctx[i->off / 4];
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          *d = (uint32_t) *d & (uint32_t) i->imm;
          break;
        case BPF_ALU | BPF_RSH | BPF_K:
          *d = (uint32_t) *d >> i->imm;
          break;
        case BPF_ALU | BPF_MOV | BPF_X:
          *d = (uint32_t) r[i->src_reg];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          *d = (uint64_t) (int64_t) i->imm;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (*d != (uint64_t) (int64_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) r[0];
        default:
          return -1;
        }
      if (i->dst_reg == BPF_REG_1)
        ctx_in_r1 = 0;
    }
  return -1;
}

/* DEVICE_ALLOW (engine/cgroup/limits.ts), by hand.  */
static int
policy (int type, int access, unsigned major, unsigned minor, int tun)
{
  if ((access & ~BPF_DEVCG_ACC_MKNOD) == 0)
    return 1; /* c *:* m, b *:* m */
  if (type != BPF_DEVCG_DEV_CHAR)
    return 0;
  if (major == 1)
    return minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9;
  if (major == 5)
    return minor == 0 || minor == 2; /* never 5:1, the host's system console.  */
  if (major == 136)
    return 1;
  return tun && major == 10 && minor == 200;
}

int
main (void)
{
  static const unsigned majors[] = { 0, 1, 2, 3, 4, 5, 7, 8, 10, 135, 136, 137, 189, 254, 4095 };
  static const unsigned minors[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 64, 200, 201, 1048575 };
  struct shim_ebpf_prog prog;
  shim_error_t err = NULL;
  size_t checked = 0;

  for (int tun = 0; tun <= 1; tun++)
    {
      CHECK (shim_ebpf_device_prog (&prog, tun, &err) == 0);
      CHECK (prog.n > 20 && prog.n < SHIM_EBPF_MAX_INSNS);
      for (int type = BPF_DEVCG_DEV_BLOCK; type <= BPF_DEVCG_DEV_CHAR; type++)
        for (int access = 0; access <= 7; access++)
          for (size_t a = 0; a < sizeof majors / sizeof majors[0]; a++)
            for (size_t b = 0; b < sizeof minors / sizeof minors[0]; b++)
              {
                int got = run (&prog, (uint32_t) (access << 16 | type), majors[a], minors[b]);
                int want = policy (type, access, majors[a], minors[b], tun);
                if (got != want)
                  {
                    fprintf (stderr, "tun=%d %c %u:%u access %d: program says %d, policy %d\n", tun,
                             type == BPF_DEVCG_DEV_CHAR ? 'c' : 'b', majors[a], minors[b], access, got, want);
                    return 1;
                  }
                checked++;
              }
      /* An unknown access bit does not pass as mknod.  */
      CHECK (run (&prog, (uint32_t) (0x8 | BPF_DEVCG_ACC_MKNOD) << 16 | BPF_DEVCG_DEV_CHAR, 4, 0) == 0);
    }
  CHECK (checked == 2 * 2 * 8 * 15 * 15);

  /* The host console 5:1 opens for no access but mknod.  */
  for (int tun = 0; tun <= 1; tun++)
    {
      CHECK (shim_ebpf_device_prog (&prog, tun, &err) == 0);
      CHECK (run (&prog, (uint32_t) BPF_DEVCG_ACC_READ << 16 | BPF_DEVCG_DEV_CHAR, 5, 1) == 0);
      CHECK (run (&prog, (uint32_t) BPF_DEVCG_ACC_WRITE << 16 | BPF_DEVCG_DEV_CHAR, 5, 1) == 0);
      CHECK (run (&prog, (uint32_t) BPF_DEVCG_ACC_MKNOD << 16 | BPF_DEVCG_DEV_CHAR, 5, 1) == 1);
    }

  /* The table is what limits.ts says (test/security/devices-ebpf.test.ts
     compares the text); spot-check its shape here.  */
  CHECK (shim_device_allow_n == 10 && strcmp (shim_device_allow[0], "c *:* m") == 0);
  CHECK (strcmp (shim_device_tun, "c 10:200 rwm") == 0);

  /* The bootstrap key.  */
  {
    static const char good[] = "dir=/a\0rootfs=/b\0init=/init\0devcgroup=/sys/fs/cgroup/nanomega/x\0";
    static const char rel[] = "dir=/a\0rootfs=/b\0init=/init\0devcgroup=nanomega/x\0";
    struct shim_config cfg = { 0 };
    CHECK (shim_config_parse (&cfg, good, sizeof good - 1, &err) == 0);
    CHECK (cfg.devcgroup && strcmp (cfg.devcgroup, "/sys/fs/cgroup/nanomega/x") == 0);
    shim_config_free (&cfg);
    CHECK (shim_config_parse (&cfg, rel, sizeof rel - 1, &err) < 0 && strstr (err->msg, "devcgroup"));
    shim_config_free (&cfg);
    shim_error_release (&err);
  }

  /* The kernel's verifier accepts both programs (needs root).  */
  if (geteuid () == 0)
    for (int tun = 0; tun <= 1; tun++)
      {
        int fd;
        CHECK (shim_ebpf_device_prog (&prog, tun, &err) == 0);
        fd = shim_ebpf_load (&prog, &err);
        if (fd < 0)
          fprintf (stderr, "%s\n", err->msg);
        CHECK (fd >= 0);
        close (fd);
      }
  else
    {
      /* Everything else passed; the verifier half needs root: a skip the runner counts.  */
      fprintf (stderr, "test_ebpf: not root, the kernel verifier load was not tried\n");
      return 77;
    }
  return 0;
}
