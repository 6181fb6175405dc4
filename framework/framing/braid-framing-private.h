/* braid-framing-private.h: what the three framing receivers share.
 *
 * Each receiver (lines, length prefixes, netstrings) parses in its own way,
 * but they all follow one set of rules about *when* they parse, written
 * once here:
 *
 * - Bytes are parsed in place, straight from the buffer data_received was
 *   given; only an incomplete frame is copied, and that copy is bounded by
 *   the receiver's max_length.
 * - A receiver paused as a producer stops delivering at once, even in the
 *   middle of a chunk holding many frames; the unparsed rest is held and
 *   parsed on resume.
 * - Bytes that arrive while a frame is being delivered (a callback that
 *   feeds data back in) are queued behind the current chunk, never parsed
 *   in the middle of it.
 * - Once the transport is disconnecting, or the receiver closed the
 *   connection for bad input, nothing more is delivered and input is
 *   dropped.
 */
#pragma once

#include "core/braid-protocol.h"
#include "core/braid-transport.h"

G_BEGIN_DECLS

/* The most a receiver holds back while paused before it decides the
 * transport is not honouring the pause (a paused transport stops reading,
 * so it has handed over at most one read). */
#define BRAID_FRAMING_MAX_HELD (1024 * 1024)

typedef struct
{
  GByteArray *held;       /* received; from held_start on, not parsed yet */
  gsize held_start;       /* parsed bytes still at the front of held: a
                           * receiver paused after each frame then costs
                           * nothing per frame, not a copy of the rest */
  GByteArray *spare;      /* an empty array, swapped with held to drain it */
  const guint8 *cur;      /* the chunk being parsed, during a feed */
  gsize cur_len;
  gsize cur_pos;          /* how much of it the parser has consumed */
  BraidTransport *transport;  /* during a feed: the protocol's transport */
  gboolean (*is_disconnecting) (BraidTransport *transport);
  gboolean busy;          /* a feed is running: new input is queued */
  gboolean paused;
  gboolean stopped;       /* closing or broken: drop all input */
} BraidFramingInput;

/* Parses in->cur from in->cur_pos, advancing in->cur_pos, and returns when
 * the chunk is consumed, or when in->paused or in->stopped is set. */
typedef void (*BraidFramingFeed) (gpointer receiver);

/* The bytes held and not parsed yet. */
static inline gsize
braid_framing_held_length (const BraidFramingInput *in)
{
  return in->held->len - in->held_start;
}

void     braid_framing_input_init    (BraidFramingInput *in);
void     braid_framing_input_compact (BraidFramingInput *in);
void     braid_framing_input_clear   (BraidFramingInput *in);
void     braid_framing_input_receive (BraidFramingInput *in,
                                      BraidProtocol     *protocol,
                                      BraidFramingFeed   feed,
                                      const guint8      *data,
                                      gsize              len);
void     braid_framing_input_drain   (BraidFramingInput *in,
                                      BraidProtocol     *protocol,
                                      BraidFramingFeed   feed);
void     braid_framing_input_prepend (BraidFramingInput *in,
                                      const guint8      *data,
                                      gsize              len);
gboolean braid_framing_should_stop   (BraidFramingInput *in,
                                      BraidProtocol     *protocol);

void     braid_framing_pause         (BraidFramingInput *in,
                                      BraidProtocol     *protocol);
void     braid_framing_resume        (BraidFramingInput *in,
                                      BraidProtocol     *protocol,
                                      BraidFramingFeed   feed);
void     braid_framing_stop          (BraidFramingInput *in,
                                      BraidProtocol     *protocol);

void     braid_framing_reject        (BraidFramingInput *in,
                                      BraidProtocol     *protocol,
                                      gint               code,
                                      const char        *format,
                                      ...) G_GNUC_PRINTF (4, 5);

/* The transport @protocol sends on, or NULL after a g_critical that names
 * @function and says what to do: a receiver sends only once connected. */
BraidTransport *braid_framing_transport_to_send (BraidProtocol *protocol,
                                                 const char    *function);

G_END_DECLS
