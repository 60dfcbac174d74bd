/* shim/client/main.c — the native `nanomega -e` and `nanomega attach`.  This program is the
   `nanomega` users run: the checkout's bin/nanomega and the Debian package's /usr/bin/nanomega are
   symlinks to it, and it runs the TypeScript program for every other subcommand (entry.c).
   Output, `E:` lines and exit status are those of the TypeScript client: 0, or 1 when the command
   reported errors or the daemon could not be reached.  */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "entry.h"
#include "exec-print.h"
#include "utils.h"
#include "wire.h"

static const char USAGE[]
    = "usage: nanomega [--base DIR] -e COMMAND...   run one minimega command and print its output\n"
      "       nanomega [--base DIR] attach          interactive minimega prompt (history, line "
      "editing)\n";

/* What the TypeScript program prints for `-e --help` and `attach --help` (cli/commands/execute.ts
   and attach.ts; test/integration/cli.test.ts compares the two).  */
static const char EXEC_USAGE[] = "usage: nanomega -e COMMAND...\n"
                                 "  run one minimega command and print its output (errors as `E: msg` "
                                 "on stderr, exit status 1)\n";
static const char ATTACH_USAGE[] = "usage: nanomega attach\n"
                                   "  interactive minimega prompt (history, line editing)\n";

static bool
is_help (const char *a)
{
  return strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0;
}

static int
fail (const char *msg)
{
  fprintf (stderr, "nanomega: %s\n", msg);
  return 1;
}

static int
run_one (const char *base, int argc, char **argv)
{
  struct nm_conn c;
  shim_error_t err = NULL;
  cleanup_free char *line = NULL;
  size_t len = 0, i, n;
  char *p;

  for (i = 0; i < (size_t)argc; i++)
    len += strlen (argv[i]) + 1;
  line = malloc (len + 1);
  if (line == NULL)
    return fail ("out of memory");
  /* The words joined by single spaces, as the TypeScript client does.  */
  for (p = line, i = 0; i < (size_t)argc; i++)
    {
      if (i)
        *p++ = ' ';
      n = strlen (argv[i]);
      memcpy (p, argv[i], n);
      p += n;
    }
  *p = '\0';

  if (nm_connect (&c, base, &err) < 0 || nm_exec_print (&c, line, stdout, stderr, &n, &err) < 0)
    {
      cleanup_free char *msg = shim_error_text (err);
      shim_error_release (&err);
      nm_close (&c);
      return fail (msg ? msg : "error");
    }
  nm_close (&c);
  return n ? 1 : 0;
}

static int
attach (const char *base)
{
  struct nm_conn c;
  shim_error_t err = NULL;
  int rc;

  if (nm_connect (&c, base, &err) < 0)
    {
      cleanup_free char *msg = shim_error_text (err);
      shim_error_release (&err);
      return fail (msg ? msg : "error");
    }
  rc = nm_attach (&c, base);
  nm_close (&c);
  return rc;
}

int
main (int argc, char **argv)
{
  const char *base = getenv (NM_BASE_ENV);
  const char *cmd = NULL;
  int i;

  if (!nm_entry_is_native (argc, argv))
    {
      shim_error_t err = NULL;
      cleanup_free char *msg = NULL;
      nm_entry_exec_program (argv, &err);
      msg = shim_error_text (err);
      shim_error_release (&err);
      fail (msg ? msg : "error");
      return 127;
    }
  if (base == NULL || *base == '\0')
    base = NM_DEFAULT_BASE;
  /* --base before or after the subcommand; after -e every word is the command's.  */
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (cmd && strcmp (cmd, "-e") == 0)
        break;
      if (strcmp (a, "--base") == 0)
        {
          if (++i >= argc || argv[i][0] == '\0')
            return fail ("--base needs a value");
          base = argv[i];
        }
      else if (strncmp (a, "--base=", 7) == 0)
        {
          if (a[7] == '\0')
            return fail ("--base needs a value");
          base = a + 7;
        }
      else if (is_help (a))
        {
          fputs (cmd ? ATTACH_USAGE : USAGE, stdout);
          return 0;
        }
      else if (cmd == NULL && (strcmp (a, "-e") == 0 || strcmp (a, "attach") == 0))
        cmd = a;
      else
        {
          if (cmd)
            fprintf (stderr, "nanomega: %s: unknown option `%s` (see nanomega %s --help)\n", cmd, a, cmd);
          else
            fprintf (stderr, "nanomega: unknown option `%s`\n%s", a, USAGE);
          return 2;
        }
    }
  if (cmd == NULL)
    {
      fputs (USAGE, stderr);
      return 2;
    }
  if (strcmp (cmd, "-e") == 0)
    {
      if (i >= argc)
        return fail ("-e needs a command");
      /* A lone --help is the question, as in the TypeScript program; among other words it is text.  */
      if (argc - i == 1 && is_help (argv[i]))
        {
          fputs (EXEC_USAGE, stdout);
          return 0;
        }
      return run_one (base, argc - i, argv + i);
    }
  return attach (base);
}
