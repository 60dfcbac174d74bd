/* shim/client/attach.c — `nanomega attach`: the interactive minimega prompt over one connection.
   Line editing and history through libedit (BSD); the history file is plain lines, shared with the
   TypeScript prompt.  */
#include <editline/readline.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "exec-print.h"
#include "utils.h"

#define PROMPT "nanomega$ "
#define HISTORY_NAME ".nanomega_history"
/* Lines of history loaded at start.  */
#define HISTORY_KEEP 1000

static struct nm_conn *completion_conn;

static char *
history_path (void)
{
  const char *home = getenv ("HOME");
  char *p = NULL;

  if (home == NULL || *home == '\0')
    return NULL;
  if (asprintf (&p, "%s/%s", home, HISTORY_NAME) < 0)
    return NULL;
  return p;
}

/* Best-effort: history is a convenience; a missing or unreadable file starts empty.  */
static void
load_history (const char *path)
{
  cleanup_free char *line = NULL;
  char **ring;
  size_t cap = 0, n = 0, i;
  FILE *f = path ? fopen (path, "re") : NULL;
  ssize_t r;

  if (f == NULL)
    return;
  ring = calloc (HISTORY_KEEP, sizeof (char *));
  if (ring == NULL)
    {
      fclose (f);
      return;
    }
  while ((r = getline (&line, &cap, f)) >= 0)
    {
      if (r > 0 && line[r - 1] == '\n')
        line[--r] = '\0';
      if (r == 0)
        continue;
      free (ring[n % HISTORY_KEEP]);
      ring[n % HISTORY_KEEP] = strdup (line);
      n++;
    }
  fclose (f);
  for (i = n > HISTORY_KEEP ? n - HISTORY_KEEP : 0; i < n; i++)
    if (ring[i % HISTORY_KEEP])
      add_history (ring[i % HISTORY_KEEP]);
  for (i = 0; i < HISTORY_KEEP; i++)
    free (ring[i]);
  free (ring);
}

/* Best-effort: append one line.  */
static void
save_line (const char *path, const char *line)
{
  FILE *f = path ? fopen (path, "ae") : NULL;

  if (f == NULL)
    return;
  fprintf (f, "%s\n", line);
  fclose (f);
}

/* Tab completion: the daemon's suggestions for the line so far (cli.suggest), when it has them.  */
static char **
complete (const char *text, int start, int end)
{
  json_t *args, *value = NULL;
  shim_error_t err = NULL;
  char **matches;
  size_t i, n;
  json_t *s;
  cleanup_free char *upto = strndup (rl_line_buffer, (size_t)end);

  rl_attempted_completion_over = 1; /* never fall back to file names.  */
  if (upto == NULL || completion_conn == NULL)
    return NULL;
  args = json_pack ("[s]", upto);
  if (args == NULL || nm_call (completion_conn, NM_CALL_SUGGEST, args, &value, NULL, &err) < 0)
    {
      shim_error_release (&err);
      return NULL;
    }
  n = json_is_array (value) ? json_array_size (value) : 0;
  if (n == 0)
    {
      json_decref (value);
      return NULL;
    }
  /* matches[0] is the common replacement for TEXT; readline wants it first.  */
  matches = calloc (n + 2, sizeof (char *));
  if (matches == NULL)
    {
      json_decref (value);
      return NULL;
    }
  /* A suggestion is a whole line (minimega's shape): readline replaces only TEXT, from START on.  */
  json_array_foreach (value, i, s)
  {
    const char *line = json_string_value (s);
    size_t len;
    if (line == NULL || strlen (line) < (size_t)start || strncmp (line, rl_line_buffer, (size_t)start) != 0)
      line = "";
    else
      line += start;
    len = strlen (line);
    while (len > 0 && line[len - 1] == ' ')
      len--;
    matches[i + 1] = strndup (line, len);
  }
  if (n == 1)
    matches[0] = strdup (matches[1]);
  else
    {
      size_t common = strlen (matches[1]);
      for (i = 2; i <= n; i++)
        {
          size_t k = 0;
          while (k < common && matches[i][k] == matches[1][k])
            k++;
          common = k;
        }
      matches[0] = strndup (matches[1], common < strlen (text) ? strlen (text) : common);
    }
  json_decref (value);
  return matches;
}

/* One line: a prompt, the command, its output (errors as `E:` lines on stdout, like the prompt of
   minimega).  Returns -1 when the call failed (the connection may be gone).  */
static int
run_line (struct nm_conn *c, const char *line)
{
  shim_error_t err = NULL;
  size_t nerrors;

  if (nm_exec_print (c, line, stdout, stdout, &nerrors, &err) < 0)
    {
      cleanup_free char *msg = shim_error_text (err);
      printf ("E: %s\n", msg ? msg : "error");
      shim_error_release (&err);
      return -1;
    }
  return 0;
}

static const char *
trim (char *s, char **end)
{
  char *e;

  while (*s == ' ' || *s == '\t')
    s++;
  e = s + strlen (s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
    e--;
  *end = e;
  return s;
}

static int
is_quit (char *line)
{
  char *end;
  const char *t = trim (line, &end);
  size_t n = (size_t)(end - t);

  return (n == 4 && strncmp (t, "quit", 4) == 0) || (n == 4 && strncmp (t, "exit", 4) == 0);
}

static int
is_blank (char *line)
{
  char *end;
  return trim (line, &end) == end;
}

int
nm_attach (struct nm_conn *c, const char *base)
{
  cleanup_free char *hist = history_path ();
  cleanup_free char *sock = NULL;
  int tty = isatty (STDIN_FILENO);

  if (asprintf (&sock, "%s/%s", base, NM_SOCKET_NAME) < 0)
    sock = NULL;
  if (tty)
    {
      completion_conn = c;
      rl_readline_name = "nanomega";
      rl_attempted_completion_function = complete;
      load_history (hist);
    }
  for (;;)
    {
      char *line = NULL;
      int gone = 0;

      if (tty)
        line = readline (PROMPT);
      else
        {
          size_t cap = 0;
          ssize_t r;
          /* Like the TypeScript prompt without a terminal: the prompt is still written.  */
          fputs (PROMPT, stdout);
          fflush (stdout);
          r = getline (&line, &cap, stdin);
          if (r < 0)
            {
              free (line);
              line = NULL;
            }
          else if (r > 0 && line[r - 1] == '\n')
            line[r - 1] = '\0';
        }
      if (line == NULL || is_quit (line))
        {
          free (line);
          break;
        }
      if (!is_blank (line))
        {
          if (tty)
            add_history (line);
          save_line (hist, line);
          gone = run_line (c, line) < 0;
          fflush (stdout);
        }
      free (line);
      if (gone && (sock == NULL || access (sock, F_OK) < 0))
        break;
    }
  if (tty)
    putchar ('\n');
  return 0;
}
