/* Frames over a socketpair, and the incremental reader at every split.  */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"
#include "check.h"


int
main (void)
{
  shim_error_t err = NULL;
  int sp[2];
  uint32_t type, len;
  char *payload;

  CHECK (socketpair (AF_UNIX, SOCK_STREAM, 0, sp) == 0);
  CHECK (shim_sync_send (sp[0], SHIM_MSG_PID, "12 34", 5, &err) == 0);
  CHECK (shim_sync_send (sp[0], SHIM_MSG_READY, NULL, 0, &err) == 0);
  CHECK (shim_sync_recv (sp[1], &type, &payload, &len, &err) == 0);
  CHECK (type == SHIM_MSG_PID && len == 5 && strcmp (payload, "12 34") == 0);
  free (payload);
  CHECK (shim_sync_recv (sp[1], &type, &payload, &len, &err) == 0);
  CHECK (type == SHIM_MSG_READY && len == 0 && payload[0] == '\0');
  free (payload);

  shim_make_error (&err, 2, "init `%s`", "/init");
  shim_sync_send_error (sp[0], err);
  shim_error_release (&err);
  CHECK (shim_sync_recv (sp[1], &type, &payload, &len, &err) == 0);
  CHECK (type == SHIM_MSG_ERROR && strcmp (payload, "2") == 0);
  CHECK (strcmp (payload + 2, "init `/init`: No such file or directory") == 0);
  free (payload);

  close (sp[0]);
  CHECK (shim_sync_recv (sp[1], &type, &payload, &len, &err) < 0 && err && err->status == 0);
  shim_error_release (&err);
  close (sp[1]);

  {
    struct shim_frame_header h1 = { SHIM_MSG_HELLO, 11 }, h2 = { SHIM_MSG_EXEC, 0 };
    char buf[64];
    size_t n = 0;
    memcpy (buf, &h1, sizeof h1), n += sizeof h1;
    memcpy (buf + n, "1 2 running", 11), n += 11;
    memcpy (buf + n, &h2, sizeof h2), n += sizeof h2;
    for (size_t cut = 0; cut <= n; cut++)
      {
        struct shim_frame_reader r = { 0 };
        int got = 0;
        CHECK (shim_frame_reader_feed (&r, buf, cut) == 0);
        while (shim_frame_reader_next (&r, &type, &payload, &len) == 1)
          got++, free (payload);
        CHECK (shim_frame_reader_feed (&r, buf + cut, n - cut) == 0);
        while (shim_frame_reader_next (&r, &type, &payload, &len) == 1)
          got++, free (payload);
        CHECK (got == 2 && r.len == 0);
        shim_frame_reader_free (&r);
      }
    h1.len = SHIM_MAX_PAYLOAD + 1;
    struct shim_frame_reader r = { 0 };
    CHECK (shim_frame_reader_feed (&r, &h1, sizeof h1) == 0);
    CHECK (shim_frame_reader_next (&r, &type, &payload, &len) == -1);
    shim_frame_reader_free (&r);
  }
  return 0;
}
