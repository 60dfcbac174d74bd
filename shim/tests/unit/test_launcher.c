/* Launcher request lines: "<token> <dir>" and "<token> <len> <dir>".  */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "launcher.h"

static int
parse (const char *line, struct shim_launch_request *req, shim_error_t *err)
{
  shim_error_release (err);
  return shim_launcher_parse (line, strlen (line), req, err);
}

int
main (void)
{
  struct shim_launch_request req;
  shim_error_t err = NULL;
  char long_dir[PATH_MAX + 8];

  CHECK (parse ("17 /var/lib/nanomega/3", &req, &err) == 0);
  CHECK (strcmp (req.token, "17") == 0 && strcmp (req.dir, "/var/lib/nanomega/3") == 0);
  CHECK (parse ("1 /dir with space", &req, &err) == 0 && strcmp (req.dir, "/dir with space") == 0);
  CHECK (parse ("9999999999999999999 /a", &req, &err) == 0 && strcmp (req.token, "9999999999999999999") == 0);

  CHECK (req.boot_len == 0);
  CHECK (parse ("17 523 /var/lib/nanomega/3", &req, &err) == 0 && req.boot_len == 523);
  CHECK (strcmp (req.token, "17") == 0 && strcmp (req.dir, "/var/lib/nanomega/3") == 0);
  CHECK (parse ("17 9 /dir with space 7", &req, &err) == 0 && req.boot_len == 9
         && strcmp (req.dir, "/dir with space 7") == 0);
  CHECK (parse ("17 0 /a", &req, &err) < 0 && strstr (err->msg, "out of range"));
  CHECK (parse ("17 2097152 /a", &req, &err) < 0 && strstr (err->msg, "out of range"));
  CHECK (parse ("17 12x /a", &req, &err) < 0 && strstr (err->msg, "bootstrap length"));
  CHECK (parse ("17 12", &req, &err) < 0 && strstr (err->msg, "bootstrap length"));
  CHECK (parse ("17 12 rel", &req, &err) < 0 && strstr (err->msg, "absolute"));
  CHECK (parse ("17", &req, &err) < 0 && strstr (err->msg, "<token> <dir>"));
  CHECK (parse (" /a", &req, &err) < 0 && strstr (err->msg, "token"));
  CHECK (parse ("1x /a", &req, &err) < 0 && strstr (err->msg, "token"));
  CHECK (parse ("-1 /a", &req, &err) < 0 && strstr (err->msg, "token"));
  CHECK (parse ("99999999999999999999 /a", &req, &err) < 0 && strstr (err->msg, "token"));
  CHECK (parse ("1 ", &req, &err) < 0 && strstr (err->msg, "absolute"));
  CHECK (parse ("1 rel/dir", &req, &err) < 0 && strstr (err->msg, "absolute"));
  CHECK (shim_launcher_parse ("1 /a\0b", 6, &req, &err) < 0 && strstr (err->msg, "NUL"));

  memset (long_dir, 'x', sizeof long_dir);
  memcpy (long_dir, "1 /", 3);
  long_dir[sizeof long_dir - 1] = '\0';
  CHECK (parse (long_dir, &req, &err) < 0 && err->status == ENAMETOOLONG);

  shim_error_release (&err);
  puts ("test_launcher: ok");
  return 0;
}
