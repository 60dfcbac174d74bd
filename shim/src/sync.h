/* shim/src/sync.h — framing for the sync socket and the control socket.  */
#ifndef SHIM_SYNC_H
#define SHIM_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "protocol.h"

/* Send one frame (blocking; EINTR and short writes retried, no SIGPIPE).  */
int shim_sync_send (int fd, uint32_t type, const void *payload, size_t len, shim_error_t *err);
/* Receive one frame (blocking).  *PAYLOAD is NUL-terminated (one extra byte)
   and must be freed.  End of stream is an error with status 0.  */
int shim_sync_recv (int fd, uint32_t *type, char **payload, uint32_t *len, shim_error_t *err);
/* Send SHIM_MSG_ERROR with "<errno>\0<message>".  Best effort.  */
void shim_sync_send_error (int fd, shim_error_t err);

/* Incremental reader for non-blocking fds.  */
struct shim_frame_reader
{
  char *buf;
  size_t len, cap;
};

/* Read what is available from FD.  Returns bytes read, 0 on EOF, -1 on
   error (errno set; EAGAIN means nothing to read).  */
ssize_t shim_frame_reader_fill (struct shim_frame_reader *r, int fd);
/* Feed bytes directly (tests).  */
int shim_frame_reader_feed (struct shim_frame_reader *r, const void *buf, size_t len);
/* Pop one complete frame: 1 = got one (*PAYLOAD malloc'd, NUL-terminated),
   0 = need more bytes, -1 = oversized frame (protocol error).  */
int shim_frame_reader_next (struct shim_frame_reader *r, uint32_t *type, char **payload, uint32_t *len);
void shim_frame_reader_free (struct shim_frame_reader *r);

#endif
