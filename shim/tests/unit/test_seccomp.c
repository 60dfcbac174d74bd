/* The seccomp filter compiled once and inherited through fork, or compiled
   lazily by a process that never prepared it: either way the same calls
   fail the same way.  Unprivileged: no_new_privs makes loading allowed.  */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "check.h"
#include "seccomp.h"

#include "../i386-abi.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* A classic-BPF interpreter for the instructions a seccomp filter uses
   here (absolute 32-bit loads, K jumps, K returns): what the kernel would
   answer for one call, without loading anything.  */
static uint32_t
run_bpf (const struct sock_fprog *prog, uint32_t arch, uint32_t nr, uint64_t a0)
{
  struct seccomp_data d = { .nr = (int) nr, .arch = arch, .args = { a0 } };
  uint32_t acc = 0;

  for (unsigned pc = 0; pc < prog->len; pc++)
    {
      const struct sock_filter *f = &prog->filter[pc];
      switch (f->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          if (f->k + 4 > sizeof d)
            return 0xdeadbeef;
          memcpy (&acc, (const char *) &d + f->k, 4);
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          pc += acc == f->k ? f->jt : f->jf;
          break;
        case BPF_JMP | BPF_JGT | BPF_K:
          pc += acc > f->k ? f->jt : f->jf;
          break;
        case BPF_JMP | BPF_JGE | BPF_K:
          pc += acc >= f->k ? f->jt : f->jf;
          break;
        case BPF_RET | BPF_K:
          return f->k;
        default:
          return 0xdeadbeef; /* an instruction this test does not model.  */
        }
    }
  return 0xdeadbeef; /* fell off the end: the kernel rejects such a filter.  */
}

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define X32 0x40000000u

/* The extra filter, call by call, on every x86 ABI.  */
static int
extra_filter_answers (void)
{
  const struct sock_fprog *p = shim_seccomp_extra_program ();

  CHECK (p != NULL && p->len > 0);
  /* open_tree_attr (6.15) is unknown to libseccomp 2.5: denied by number.  */
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 467, 0) == ERRNO (EPERM));
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, X32 | 467, 0) == ERRNO (EPERM));
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 467, 0) == ERRNO (EPERM));
  /* Above the highest known number: ENOSYS on every ABI.  */
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 470, 0) == ERRNO (ENOSYS));
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 100000, 0) == ERRNO (ENOSYS));
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, X32 | 470, 0) == ERRNO (ENOSYS));
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, X32 | 548, 0) == ERRNO (ENOSYS));
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 470, 0) == ERRNO (ENOSYS));
  /* The highest known and the legacy x32 range pass to the main filter.  */
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 469, 0) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, X32 | 512, 0) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, X32 | 547, 0) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 469, 0) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 0, 0) == SECCOMP_RET_ALLOW);
  /* socket(AF_VSOCK) (x86_64 41, i386 359); other domains pass.  */
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 41, AF_VSOCK) == ERRNO (EAFNOSUPPORT));
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, X32 | 41, AF_VSOCK) == ERRNO (EAFNOSUPPORT));
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 359, AF_VSOCK) == ERRNO (EAFNOSUPPORT));
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 41, AF_INET) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 41, AF_UNIX) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 359, AF_INET6) == SECCOMP_RET_ALLOW);
  /* personality: Docker's values only (x86_64 135, i386 136).  */
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 135, 0xffffffff) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 135, 0x20008) == SECCOMP_RET_ALLOW);
  CHECK (run_bpf (p, AUDIT_ARCH_X86_64, 135, ADDR_NO_RANDOMIZE) == ERRNO (EPERM));
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 136, ADDR_NO_RANDOMIZE) == ERRNO (EPERM));
  CHECK (run_bpf (p, AUDIT_ARCH_I386, 136, 0) == SECCOMP_RET_ALLOW);
  /* Other architectures are the main filter's (it kills them).  */
  CHECK (run_bpf (p, AUDIT_ARCH_AARCH64, 467, 0) == SECCOMP_RET_ALLOW);
  return 0;
}

/* Fail closed: a denylist name neither libseccomp nor sysnr.c knows.  */
static int
unknown_names_refused (void)
{
  static const char *const good[] = { "mount", "open_tree_attr", "stime", "file_setattr" };
  static const char *const bad[] = { "mount", "open_tree_attr_v2" };
  shim_error_t err = NULL;

  CHECK (shim_seccomp_check_names (good, 4, &err) == 0);
  CHECK (shim_seccomp_check_names (bad, 2, &err) < 0);
  CHECK (err != NULL && strstr (err->msg, "open_tree_attr_v2") != NULL);
  shim_error_release (&err);
  return 0;
}

static int
filters_loaded (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  int n = -1;

  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "Seccomp_filters: %d", &n) == 1)
      break;
  if (f)
    fclose (f);
  return n;
}

/* Whether int 0x80 works here, asked once before any filter (i386-abi.h).  */
static int have_i386;

/* In a forked child: apply, then probe.  Exit status 0 = all held.  */
static int
confined_checks (void)
{
  struct shim_config cfg = { 0 };
  shim_error_t err = NULL;

  CHECK (shim_seccomp_apply (&cfg, &err) == 0);
  CHECK (prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
  CHECK (filters_loaded () == -1 || filters_loaded () == 2);
  CHECK (unshare (CLONE_NEWUTS) < 0 && errno == EPERM);
  /* Unfiltered, root would get ENOENT here, and mount nothing.  */
  CHECK (mount ("none", "/nonexistent-nanomega-test", "tmpfs", 0, NULL) < 0 && errno == EPERM);
  CHECK (syscall (SYS_keyctl, 0, 0, 0, 0, 0) < 0 && errno == EPERM);
  CHECK (syscall (SYS_clone3, NULL, 0) < 0 && errno == ENOSYS);
  CHECK (personality (0xffffffff) >= 0);
  CHECK (personality (ADDR_NO_RANDOMIZE) < 0 && errno == EPERM);
  CHECK (getpid () > 0);
  /* open_tree_attr: EPERM by number (unfiltered: EBADF).  */
  CHECK (syscall (467, -1, "", 0, NULL, 0) < 0 && errno == EPERM);
  /* Past the table: ENOSYS (the kernel says so too; the filter must not
     turn it into anything else).  */
  CHECK (syscall (470, 0, 0, 0, 0, 0) < 0 && errno == ENOSYS);
  /* vsock refused before the kernel sees it (this host may have vsock).  */
  CHECK (socket (AF_VSOCK, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT);
  {
    int fd = socket (AF_UNIX, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    close (fd);
  }
  /* The same through the i386 ABI, where the kernel has it (getpid is 20).  */
  if (have_i386)
    {
      CHECK (int80 (467, -1, 0, 0) == -EPERM);
      CHECK (int80 (470, 0, 0, 0) == -ENOSYS);
      CHECK (int80 (359, AF_VSOCK, SOCK_STREAM, 0) == -EAFNOSUPPORT);
    }
  return 0;
}

static int
in_child (int (*fn) (void))
{
  pid_t pid = fork ();
  int st;

  if (pid == 0)
    _exit (fn ());
  if (pid < 0 || waitpid (pid, &st, 0) != pid)
    return -1;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

static int
unconfined_checks (void)
{
  struct shim_config cfg = { .unconfined = true };
  shim_error_t err = NULL;

  CHECK (shim_seccomp_apply (&cfg, &err) == 0);
  CHECK (prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
  CHECK (prctl (PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
  return 0;
}

int
main (void)
{
  shim_error_t err = NULL;
  const struct sock_fprog *prog;

  have_i386 = i386_abi ();
  if (!have_i386)
    printf ("# no i386 system calls on this kernel: int 0x80 checks skipped\n");
  /* Lazily, in a process that never prepared (a spawned shim).  */
  CHECK (shim_seccomp_program () == NULL);
  CHECK (in_child (confined_checks) == 0);
  CHECK (in_child (unconfined_checks) == 0);
  CHECK (shim_seccomp_program () == NULL);

  /* Once, then inherited.  */
  CHECK (shim_seccomp_prepare (&err) == 0);
  prog = shim_seccomp_program ();
  CHECK (prog != NULL && prog->len > 10 && prog->filter != NULL);
  CHECK (shim_seccomp_prepare (&err) == 0 && shim_seccomp_program () == prog);
  CHECK (in_child (confined_checks) == 0);
  CHECK (in_child (unconfined_checks) == 0);
  CHECK (extra_filter_answers () == 0);
  CHECK (unknown_names_refused () == 0);
  return 0;
}
