/* shim/src/sealed.c — see sealed.h.  */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sealed.h"
#include "utils.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say so, or vm.memfd_noexec may refuse the exec.  */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool
shim_exe_is_sealed (void)
{
  cleanup_close int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals;

  if (fd < 0)
    return false;
  seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & SEALS) == SEALS;
}

static int
copy_exe (int dst, shim_error_t *err)
{
  cleanup_close int src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  struct stat st;
  off_t off = 0;

  if (UNLIKELY (src < 0))
    return shim_make_error (err, errno, "open `/proc/self/exe`");
  if (UNLIKELY (fstat (src, &st) < 0))
    return shim_make_error (err, errno, "fstat `/proc/self/exe`");
  while (off < st.st_size)
    {
      ssize_t n = sendfile (dst, src, &off, (size_t)(st.st_size - off));
      if (n < 0 && errno == EINTR)
        continue;
      if (UNLIKELY (n <= 0))
        return shim_make_error (err, n < 0 ? errno : EIO, "copy `/proc/self/exe` to a memfd");
    }
  return 0;
}

int
shim_reexec_sealed (char **argv, shim_error_t *err)
{
  cleanup_close int fd = -1;

  if (shim_exe_is_sealed ())
    return 0;
  fd = memfd_create ("nanomega-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) /* before 6.3 */
    fd = memfd_create ("nanomega-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (UNLIKELY (fd < 0))
    return shim_make_error (err, errno, "memfd_create");
  if (copy_exe (fd, err) < 0)
    return -1;
  if (UNLIKELY (fcntl (fd, F_ADD_SEALS, SEALS) < 0))
    return shim_make_error (err, errno, "seal the memfd copy of the shim");
  /* An O_CLOEXEC fd works for a binary (not for a script): the kernel keeps
     the file open across its own exec.  */
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  return shim_make_error (err, errno, "execveat the sealed copy of the shim");
}
