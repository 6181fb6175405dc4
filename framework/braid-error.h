#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BRAID_ERROR:
 *
 * The error domain for what GIO's `G_IO_ERROR` has no code for.
 *
 * Braid reuses `G_IO_ERROR` wherever a code fits:
 *
 * | situation                          | domain        | code                                |
 * |------------------------------------|---------------|-------------------------------------|
 * | connection closed cleanly          | `BRAID_ERROR` | `BRAID_ERROR_CONNECTION_DONE`       |
 * | connection lost uncleanly / aborted| `BRAID_ERROR` | `BRAID_ERROR_CONNECTION_LOST`       |
 * | connection refused                 | `G_IO_ERROR`  | `G_IO_ERROR_CONNECTION_REFUSED`     |
 * | timeout                            | `G_IO_ERROR`  | `G_IO_ERROR_TIMED_OUT`              |
 * | cancelled                          | `G_IO_ERROR`  | `G_IO_ERROR_CANCELLED`              |
 * | already called                     | `BRAID_ERROR` | `BRAID_ERROR_ALREADY_CALLED`        |
 * | already cancelled                  | `BRAID_ERROR` | `BRAID_ERROR_ALREADY_CANCELLED`     |
 * | frame too long                     | `G_IO_ERROR`  | `G_IO_ERROR_MESSAGE_TOO_LARGE`      |
 * | malformed input                    | `G_IO_ERROR`  | `G_IO_ERROR_INVALID_DATA`           |
 * | deferred queue full                | `BRAID_ERROR` | `BRAID_ERROR_QUEUE_OVERFLOW`        |
 * | too many waiting on a queue        | `BRAID_ERROR` | `BRAID_ERROR_QUEUE_UNDERFLOW`       |
 * | peer not reading, buffer full      | `BRAID_ERROR` | `BRAID_ERROR_PEER_NOT_READING`      |
 * | every deferred of a race failed    | `BRAID_ERROR` | `BRAID_ERROR_ALL_FAILED`            |
 */
#define BRAID_ERROR (braid_error_quark ())

/**
 * BraidError:
 * @BRAID_ERROR_CONNECTION_DONE: the connection was closed cleanly (Twisted's
 *   `ConnectionDone`): every byte written was delivered.
 * @BRAID_ERROR_CONNECTION_LOST: the connection was lost in a non-clean
 *   fashion (Twisted's `ConnectionLost`): aborted, reset by the peer, or an
 *   I/O error. The message names the cause.
 * @BRAID_ERROR_ALREADY_CALLED: a delayed call or deferred was already called.
 * @BRAID_ERROR_ALREADY_CANCELLED: a delayed call was already cancelled.
 * @BRAID_ERROR_FAILED: any other failure; the message says what happened.
 * @BRAID_ERROR_QUEUE_OVERFLOW: a value was put into a full
 *   [class@Braid.DeferredQueue] (Twisted's `QueueOverflow`).
 * @BRAID_ERROR_QUEUE_UNDERFLOW: a [class@Braid.DeferredQueue] already has as
 *   many waiting gets as its backlog allows (Twisted's `QueueUnderflow`).
 * @BRAID_ERROR_PEER_NOT_READING: the connection was aborted because more
 *   bytes waited for the peer than the transport's write buffer limit
 *   ([method@Braid.Transport.set_write_buffer_limit]); the message reads
 *   "peer is not reading: N bytes buffered". Twisted has no such limit.
 * @BRAID_ERROR_ALL_FAILED: every deferred of a braid_deferred_race() failed
 *   (Twisted's `FailureGroup`); the message lists each error.
 *
 * Error codes of the %BRAID_ERROR domain.
 */
typedef enum {
  BRAID_ERROR_CONNECTION_DONE,
  BRAID_ERROR_CONNECTION_LOST,
  BRAID_ERROR_ALREADY_CALLED,
  BRAID_ERROR_ALREADY_CANCELLED,
  BRAID_ERROR_FAILED,
  BRAID_ERROR_QUEUE_OVERFLOW,
  BRAID_ERROR_QUEUE_UNDERFLOW,
  BRAID_ERROR_PEER_NOT_READING,
  BRAID_ERROR_ALL_FAILED,
} BraidError;

GQuark   braid_error_quark          (void);

gboolean braid_error_is_clean_close (const GError *reason);

int      braid_exit_with_error      (const GError *error);

G_END_DECLS
