/* braid-recording-protocol.c: the other end of a conversation, in tests. */
#include "config.h"

#include "braid-recording-protocol.h"

/**
 * BraidRecordingProtocol:
 *
 * A protocol that records what it hears, for the far end of a test
 * conversation: connect a protocol under test to it through a
 * [class@Braid.Loopback], then check what it received
 * ([method@Braid.RecordingProtocol.peek]) and why the connection ended
 * ([method@Braid.RecordingProtocol.get_reason]).
 *
 * ```c
 * g_autoptr (BraidRecordingProtocol) client = braid_recording_protocol_new ();
 * g_autoptr (BraidLoopback) loopback =
 *   braid_loopback_new (server, BRAID_PROTOCOL (client));
 *
 * braid_transport_write_string (braid_loopback_get_client_transport (loopback), "hi\n");
 * braid_loopback_flush (loopback);
 * g_assert_cmpstr (braid_recording_protocol_peek (client, NULL), ==, "HI\n");
 * ```
 *
 * It can say something first: [method@Braid.RecordingProtocol.set_greeting]
 * is written as soon as the connection is made. To say more, write to its
 * transport ([method@Braid.Protocol.get_transport]).
 */
struct _BraidRecordingProtocol
{
  BraidProtocol parent_instance;

  char *greeting;
  GString *received;
  GError *reason;
};

G_DEFINE_FINAL_TYPE (BraidRecordingProtocol, braid_recording_protocol, BRAID_TYPE_PROTOCOL)

static void
braid_recording_protocol_connection_made (BraidProtocol *protocol)
{
  BraidRecordingProtocol *self = BRAID_RECORDING_PROTOCOL (protocol);

  if (self->greeting != NULL)
    braid_transport_write_string (braid_protocol_get_transport (protocol), self->greeting);
}

static void
braid_recording_protocol_data_received (BraidProtocol *protocol,
                                        const guint8  *data,
                                        gsize          len)
{
  g_string_append_len (BRAID_RECORDING_PROTOCOL (protocol)->received, (const char *) data, len);
}

static void
braid_recording_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  BraidRecordingProtocol *self = BRAID_RECORDING_PROTOCOL (protocol);

  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
}

static void
braid_recording_protocol_finalize (GObject *object)
{
  BraidRecordingProtocol *self = BRAID_RECORDING_PROTOCOL (object);

  g_free (self->greeting);
  g_string_free (self->received, TRUE);
  g_clear_error (&self->reason);
  G_OBJECT_CLASS (braid_recording_protocol_parent_class)->finalize (object);
}

static void
braid_recording_protocol_class_init (BraidRecordingProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = braid_recording_protocol_finalize;
  protocol_class->connection_made = braid_recording_protocol_connection_made;
  protocol_class->data_received = braid_recording_protocol_data_received;
  protocol_class->connection_lost = braid_recording_protocol_connection_lost;
}

static void
braid_recording_protocol_init (BraidRecordingProtocol *self)
{
  self->received = g_string_new (NULL);
}

/**
 * braid_recording_protocol_new:
 *
 * Creates a protocol that records every byte it receives and how its
 * connection ended.
 *
 * Returns: (transfer full): the new protocol
 */
BraidRecordingProtocol *
braid_recording_protocol_new (void)
{
  return g_object_new (BRAID_TYPE_RECORDING_PROTOCOL, NULL);
}

/**
 * braid_recording_protocol_set_greeting:
 * @self: a recording protocol, not connected yet
 * @greeting: (nullable): what to write as soon as the connection is made
 *
 * Makes the protocol speak first, as a client that sends a request on
 * connecting does.
 */
void
braid_recording_protocol_set_greeting (BraidRecordingProtocol *self, const char *greeting)
{
  g_return_if_fail (BRAID_IS_RECORDING_PROTOCOL (self));

  g_free (self->greeting);
  self->greeting = g_strdup (greeting);
}

/**
 * braid_recording_protocol_get_received:
 * @self: a recording protocol
 *
 * Gets a copy of every byte received since it was created or last cleared.
 *
 * Returns: (transfer full): the bytes received
 */
GBytes *
braid_recording_protocol_get_received (BraidRecordingProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_RECORDING_PROTOCOL (self), NULL);

  return g_bytes_new (self->received->str, self->received->len);
}

/**
 * braid_recording_protocol_peek:
 * @self: a recording protocol
 * @len: (out) (optional): where to store how many bytes were received
 *
 * Looks at what was received, without copying: convenient with
 * g_assert_cmpstr() when the bytes are text.
 *
 * Returns: (transfer none): the bytes received, followed by a NUL; valid
 *   until more arrive or the record is cleared
 */
const char *
braid_recording_protocol_peek (BraidRecordingProtocol *self, gsize *len)
{
  g_return_val_if_fail (BRAID_IS_RECORDING_PROTOCOL (self), NULL);

  if (len != NULL)
    *len = self->received->len;
  return self->received->str;
}

/**
 * braid_recording_protocol_clear:
 * @self: a recording protocol
 *
 * Forgets what was received, so the next check sees only what comes next.
 */
void
braid_recording_protocol_clear (BraidRecordingProtocol *self)
{
  g_return_if_fail (BRAID_IS_RECORDING_PROTOCOL (self));

  g_string_truncate (self->received, 0);
}

/**
 * braid_recording_protocol_get_reason:
 * @self: a recording protocol
 *
 * Tells why the connection ended, as `connection_lost` was told
 * (braid_error_is_clean_close() tells a clean close from a failure).
 *
 * Returns: (transfer none) (nullable): the reason, or %NULL while the
 *   connection is open or before it was made
 */
const GError *
braid_recording_protocol_get_reason (BraidRecordingProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_RECORDING_PROTOCOL (self), NULL);

  return self->reason;
}
