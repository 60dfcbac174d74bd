/* shim/client/entry.c — the native client as the `nanomega` program itself (see entry.h).

   The Debian package's /usr/bin/nanomega used to be a shell launcher that found its directory with
   readlink and dirname, then ran bin/nanomega, a second shell, which ran this client: five program
   start-ups before a `nanomega -e` request went out.  Each start-up of a glibc program costs a few
   tenths of a millisecond, more on a virtual machine, where each of the 43 CPUID instructions of
   glibc's start-up exits to the hypervisor; the round trip itself takes about one millisecond.  Now
   /usr/bin/nanomega is this client, and it runs the TypeScript program for what it does not answer
   itself.  A checkout's bin/nanomega is a symlink to it too (it was a shell launcher, one program
   start-up more, and through a symlink on PATH a `readlink` besides).  */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entry.h"
#include "utils.h"

/* Below the program's root, as in the repository and in the package.  */
static const char PROGRAM[] = "/bin/nanomega.js";
static const char RUNTIME_DIR[] = "/node/bin";

bool
nm_entry_is_native (int argc, char **argv)
{
  int i;

  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--base") == 0 || strcmp (a, "--freezer") == 0 || strcmp (a, "--web") == 0)
        i++; /* and its value.  */
      else if (strncmp (a, "--", 2) == 0 && strchr (a + 2, '=') != NULL)
        continue;
      else
        return strcmp (a, "-e") == 0 || strcmp (a, "attach") == 0;
    }
  return false;
}

/* PATH without its last LEVELS components ("" for "/"), or NULL when it has fewer.  */
static char *
path_up (const char *path, int levels)
{
  char *s = strdup (path);
  char *slash;

  for (; s != NULL && levels > 0; levels--)
    {
      slash = strrchr (s, '/');
      if (slash == NULL)
        {
          free (s);
          return NULL;
        }
      *slash = '\0';
    }
  return s;
}

char *
nm_entry_program_root (const char *exe)
{
  /* <root>/nanomega, then <root>/shim/build/nanomega-client.  */
  static const int levels[] = { 1, 3 };
  size_t i;

  for (i = 0; i < sizeof levels / sizeof levels[0]; i++)
    {
      cleanup_free char *program = NULL;
      char *root = path_up (exe, levels[i]);
      if (root == NULL)
        continue;
      if (asprintf (&program, "%s%s", root, PROGRAM) >= 0 && access (program, R_OK) == 0)
        return root;
      free (root);
    }
  return NULL;
}

int
nm_entry_exec_program (char **argv, shim_error_t *err)
{
  char exe[PATH_MAX];
  cleanup_free char *root = NULL;
  cleanup_free char *program = NULL;
  cleanup_free char *runtime = NULL;
  cleanup_free char *node = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char **args = NULL;
  const char *old_path;
  ssize_t n;
  int argc;

  n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (UNLIKELY (n < 0))
    return shim_make_error (err, errno, "readlink `/proc/self/exe`");
  exe[n] = '\0';
  root = nm_entry_program_root (exe);
  if (root == NULL)
    return shim_make_error (err, 0, "no bin/nanomega.js beside `%s` or two directories above it", exe);

  for (argc = 0; argv[argc] != NULL; argc++)
    ;
  args = calloc (argc + 2, sizeof *args);
  if (UNLIKELY (args == NULL || asprintf (&program, "%s%s", root, PROGRAM) < 0
                || asprintf (&runtime, "%s%s", root, RUNTIME_DIR) < 0 || asprintf (&node, "%s/node", runtime) < 0))
    return shim_make_error (err, ENOMEM, "run the TypeScript program");
  args[0] = (char *)"node";
  args[1] = program;
  /* execve allows an empty argv: then there are no words to pass on.  */
  if (argc > 1)
    memcpy (args + 2, argv + 1, (argc - 1) * sizeof *args);

  if (access (node, X_OK) == 0)
    {
      /* The packaged runtime, first on PATH too: the program's own children find the same node.  */
      old_path = getenv ("PATH");
      if (UNLIKELY ((old_path && *old_path ? asprintf (&path, "%s:%s", runtime, old_path) : asprintf (&path, "%s", runtime)) < 0))
        return shim_make_error (err, ENOMEM, "run the TypeScript program");
      if (UNLIKELY (setenv ("PATH", path, 1) < 0))
        return shim_make_error (err, errno, "setenv PATH");
      execv (node, args);
      return shim_make_error (err, errno, "execv `%s`", node);
    }
  execvp ("node", args);
  return shim_make_error (err, errno, "execvp `node` for `%s`", program);
}
