/* i386 system calls from a 64-bit test process (int 0x80), for the checks that
   the seccomp filter covers that ABI too.  */
#ifndef SHIM_TESTS_I386_ABI_H
#define SHIM_TESTS_I386_ABI_H

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* One i386 system call: NR with up to three arguments; -errno on failure.  */
static inline long
int80 (long nr, long a, long b, long c)
{
  long ret;
  __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return ret;
}

/* Whether int 0x80 reaches the i386 system calls here, asked in a child: a
   kernel with the 32-bit ABI returns getpid (20) through it; one without it,
   or with it switched off (ia32_emulation=0, some hypervisors' guests),
   raises SIGSEGV instead, which would end the caller.  */
static inline int
i386_abi (void)
{
  pid_t pid = fork ();
  int st;

  if (pid == 0)
    _exit (int80 (20, 0, 0, 0) == getpid () ? 0 : 1);
  if (pid < 0 || waitpid (pid, &st, 0) != pid)
    return 0;
  return WIFEXITED (st) && WEXITSTATUS (st) == 0;
}

#endif
