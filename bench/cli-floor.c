/* bench/cli-floor.c — the floor bench/cli.ts measures `nanomega -e` against: the least a client can
   do for one command. Connect to SOCKET, send one cli.exec call frame for COMMAND, read until the
   reply's newline, write the raw reply, exit. No JSON parsing, no output rendering.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  static char buf[1 << 20];
  char req[4096];
  int fd, n;

  if (argc != 3)
    return 2;
  snprintf (addr.sun_path, sizeof (addr.sun_path), "%s", argv[1]);
  n = snprintf (req, sizeof (req), "{\"type\":\"call\",\"id\":1,\"method\":\"cli.exec\",\"args\":[\"%s\"]}\n", argv[2]);
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0 || write (fd, req, n) != n)
    return 1;
  for (;;)
    {
      ssize_t r = read (fd, buf, sizeof (buf));
      if (r <= 0)
        return 1;
      fwrite (buf, 1, r, stdout);
      if (memchr (buf, '\n', r))
        return 0;
    }
}
