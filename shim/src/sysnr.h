/* shim/src/sysnr.h — x86 system call numbers the shim knows on its own,
   independently of the libseccomp it was built with.  */
#ifndef SHIM_SYSNR_H
#define SHIM_SYSNR_H

struct shim_sysnr
{
  const char *name;
  int x86_64; /* also x32 with __X32_SYSCALL_BIT; -1: not on x86_64.  */
  int i386;   /* -1: not on i386.  */
};

/* The highest number in the table, per architecture: the seccomp filter
   answers ENOSYS above it (a call the shim has never heard of is never
   allowed by default).  */
#define SHIM_SYSNR_MAX_X86_64 469
#define SHIM_SYSNR_MAX_I386 469
/* x32 system calls are the x86_64 numbers with this bit, plus the legacy
   x32-only range 512-547.  */
#define SHIM_X32_BIT 0x40000000u
#define SHIM_X32_LEGACY_FIRST 512
#define SHIM_X32_LEGACY_LAST 547

/* The entry for NAME, or NULL.  */
const struct shim_sysnr *shim_sysnr_lookup (const char *name);

#endif
