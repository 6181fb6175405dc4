/* braid-framing.c: the input rules the framing receivers share (see
 * braid-framing-private.h). */
#include "config.h"

#include "framing/braid-framing-private.h"
#include "core/braid-producer.h"

void
braid_framing_input_init (BraidFramingInput *in)
{
  in->held = g_byte_array_new ();
  in->held_start = 0;
  in->spare = g_byte_array_new ();
  in->cur = NULL;
  in->cur_len = in->cur_pos = 0;
  in->busy = in->paused = in->stopped = FALSE;
}

void
braid_framing_input_clear (BraidFramingInput *in)
{
  g_clear_pointer (&in->held, g_byte_array_unref);
  g_clear_pointer (&in->spare, g_byte_array_unref);
}

/* Drops the parsed bytes at the front of held, so that held->data starts
 * with the first byte not parsed. */
void
braid_framing_input_compact (BraidFramingInput *in)
{
  if (in->held_start > 0)
    g_byte_array_remove_range (in->held, 0, in->held_start);
  in->held_start = 0;
}

static void
held_clear (BraidFramingInput *in)
{
  g_byte_array_set_size (in->held, 0);
  in->held_start = 0;
}

/* Parses one chunk, and returns how much of its end the parser left (it
 * paused), for the caller to hold. */
static gsize
feed_chunk (BraidFramingInput *in,
            BraidProtocol     *protocol,
            BraidFramingFeed   feed,
            const guint8      *data,
            gsize              len)
{
  gsize left;

  /* Looked up once per chunk, not once per frame: the parsers ask after
   * every frame whether the transport is closing. */
  in->transport = braid_protocol_get_transport (protocol);
  in->is_disconnecting = in->transport != NULL
    ? BRAID_TRANSPORT_GET_IFACE (in->transport)->is_disconnecting : NULL;
  in->busy = TRUE;
  in->cur = data;
  in->cur_len = len;
  in->cur_pos = 0;
  if (!braid_framing_should_stop (in, protocol))
    feed (protocol);
  in->busy = FALSE;
  in->transport = NULL;

  if (in->stopped)
    held_clear (in);
  left = in->stopped ? 0 : in->cur_len - in->cur_pos;
  in->cur = NULL;
  in->cur_len = in->cur_pos = 0;
  return left;
}

void
braid_framing_input_drain (BraidFramingInput *in,
                           BraidProtocol     *protocol,
                           BraidFramingFeed   feed)
{
  /* A feed that is running drains the queue itself when it returns. */
  if (in->busy)
    return;

  /* Hold a reference: a callback may drop the last one held by others
   * (a connection_lost handler, say) while we still parse. */
  g_object_ref (protocol);
  while (!in->paused && !in->stopped && braid_framing_held_length (in) > 0)
    {
      GByteArray *chunk = in->held;
      gsize start = in->held_start;
      gsize left;

      in->held = in->spare;
      in->held_start = 0;
      in->spare = NULL;
      left = feed_chunk (in, protocol, feed, chunk->data + start, chunk->len - start);
      if (left > 0 && in->held->len == 0)
        {
          /* Paused with nothing queued meanwhile: the rest stays where it
           * is, and the parsed front is skipped, not copied away. */
          in->spare = in->held;
          in->held = chunk;
          in->held_start = chunk->len - left;
          continue;
        }
      if (left > 0)   /* ahead of what was queued during the feed */
        g_byte_array_prepend (in->held, chunk->data + chunk->len - left, left);
      g_byte_array_set_size (chunk, 0);
      in->spare = chunk;
    }
  g_object_unref (protocol);
}

void
braid_framing_input_receive (BraidFramingInput *in,
                             BraidProtocol     *protocol,
                             BraidFramingFeed   feed,
                             const guint8      *data,
                             gsize              len)
{
  if (in->stopped || len == 0)
    {
      braid_framing_input_drain (in, protocol, feed);
      return;
    }

  /* The common case parses the caller's buffer in place: nothing is
   * copied unless a frame is cut by the end of the chunk. */
  if (!in->busy && !in->paused && braid_framing_held_length (in) == 0)
    {
      gsize left;

      g_object_ref (protocol);
      held_clear (in);
      left = feed_chunk (in, protocol, feed, data, len);
      if (left > 0)   /* the caller's buffer: keep a copy of the rest */
        g_byte_array_prepend (in->held, data + len - left, left);
      braid_framing_input_drain (in, protocol, feed);
      g_object_unref (protocol);
      return;
    }

  if (braid_framing_held_length (in) + len > BRAID_FRAMING_MAX_HELD)
    {
      braid_framing_reject (in, protocol, G_IO_ERROR_MESSAGE_TOO_LARGE,
                            "more than %d bytes arrived while the receiver was paused",
                            BRAID_FRAMING_MAX_HELD);
      return;
    }
  g_byte_array_append (in->held, data, len);
  braid_framing_input_drain (in, protocol, feed);
}

/* Puts bytes back in front of everything not parsed yet: what
 * set_line_mode's "extra" and set_raw_mode's leftover line need. */
void
braid_framing_input_prepend (BraidFramingInput *in, const guint8 *data, gsize len)
{
  if (len == 0 || in->stopped)
    return;
  braid_framing_input_compact (in);
  if (in->busy)
    {
      /* The rest of the running chunk comes after these bytes: move it
       * into the held queue behind them. */
      g_byte_array_prepend (in->held, in->cur + in->cur_pos, in->cur_len - in->cur_pos);
      in->cur_pos = in->cur_len;
    }
  g_byte_array_prepend (in->held, data, len);
}

/* Whether the parser must stop delivering: the transport is closing, or the
 * receiver closed it. Once true, it stays true. Asked during a feed, which
 * looked the transport up (a receiver with no transport never stops). */
gboolean
braid_framing_should_stop (BraidFramingInput *in, BraidProtocol *protocol)
{
  if (!in->stopped && in->transport != NULL && in->is_disconnecting (in->transport))
    in->stopped = TRUE;
  return in->stopped;
}

void
braid_framing_pause (BraidFramingInput *in, BraidProtocol *protocol)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  in->paused = TRUE;
  /* A closing or stopped transport reads nothing more, and refuses to be
   * paused or resumed. */
  if (transport != NULL && BRAID_IS_PRODUCER (transport) && !in->stopped
      && !braid_transport_is_disconnecting (transport))
    braid_producer_pause_producing (BRAID_PRODUCER (transport));
}

void
braid_framing_resume (BraidFramingInput *in,
                      BraidProtocol     *protocol,
                      BraidFramingFeed   feed)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  in->paused = FALSE;
  /* Deliver what was held back before the transport reads anything new,
   * so frames keep their order. */
  braid_framing_input_drain (in, protocol, feed);
  if (!in->paused && transport != NULL && BRAID_IS_PRODUCER (transport) && !in->stopped
      && !braid_transport_is_disconnecting (transport))
    braid_producer_resume_producing (BRAID_PRODUCER (transport));
}

void
braid_framing_stop (BraidFramingInput *in, BraidProtocol *protocol)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  in->paused = TRUE;
  in->stopped = TRUE;
  held_clear (in);
  if (transport != NULL && BRAID_IS_PRODUCER (transport))
    braid_producer_stop_producing (BRAID_PRODUCER (transport));
}

/* Bad input: log why, close the connection with that reason (the protocol's
 * connection_lost receives it), and drop everything that follows. */
void
braid_framing_reject (BraidFramingInput *in,
                      BraidProtocol     *protocol,
                      gint               code,
                      const char        *format,
                      ...)
{
  g_autoptr (GError) reason = NULL;
  g_autofree char *message = NULL;
  g_autofree char *peer = NULL;
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (transport != NULL && braid_transport_get_peer (transport) != NULL)
    peer = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (braid_transport_get_peer (transport)));
  g_message ("%s: closing the connection from %s: %s",
             braid_protocol_get_log_prefix (protocol), peer != NULL ? peer : "(unknown peer)",
             message);

  in->stopped = TRUE;
  held_clear (in);
  reason = g_error_new_literal (G_IO_ERROR, code, message);
  braid_protocol_abort_with_reason (protocol, reason);
}

BraidTransport *
braid_framing_transport_to_send (BraidProtocol *protocol, const char *function)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  if (transport == NULL)
    g_critical ("%s: the %s has no transport to send on: call "
                "braid_protocol_make_connection first (a test gives it a "
                "BraidStringTransport; a reactor connects it for real)",
                function, G_OBJECT_TYPE_NAME (protocol));
  return transport;
}
