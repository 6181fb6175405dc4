/* recording-protocol.c: a peer for the lessons' loopback tests. */
#include "recording-protocol.h"

/**
 * RecordingProtocol:
 *
 * A protocol that records what it hears. When connected it sends its
 * first words (if any); afterwards it appends every byte it receives to
 * a buffer and, when the connection ends, keeps the reason.
 */
struct _RecordingProtocol
{
  BraidProtocol parent_instance;

  char *first_words;
  GString *received;
  GError *reason;
};

G_DEFINE_FINAL_TYPE (RecordingProtocol, recording_protocol, BRAID_TYPE_PROTOCOL)

static void
recording_protocol_connection_made (BraidProtocol *protocol)
{
  RecordingProtocol *self = RECORDING_PROTOCOL (protocol);

  if (self->first_words != NULL)
    recording_protocol_say (self, self->first_words);
}

static void
recording_protocol_data_received (BraidProtocol *protocol,
                                  const guint8  *data,
                                  gsize          len)
{
  g_string_append_len (RECORDING_PROTOCOL (protocol)->received,
                       (const char *) data, len);
}

static void
recording_protocol_connection_lost (BraidProtocol *protocol,
                                    const GError  *reason)
{
  RecordingProtocol *self = RECORDING_PROTOCOL (protocol);

  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
}

static void
recording_protocol_finalize (GObject *object)
{
  RecordingProtocol *self = RECORDING_PROTOCOL (object);

  g_free (self->first_words);
  g_string_free (self->received, TRUE);
  g_clear_error (&self->reason);
  G_OBJECT_CLASS (recording_protocol_parent_class)->finalize (object);
}

static void
recording_protocol_class_init (RecordingProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = recording_protocol_finalize;
  protocol_class->connection_made = recording_protocol_connection_made;
  protocol_class->data_received = recording_protocol_data_received;
  protocol_class->connection_lost = recording_protocol_connection_lost;
}

static void
recording_protocol_init (RecordingProtocol *self)
{
  self->received = g_string_new (NULL);
}

/**
 * recording_protocol_new:
 * @first_words: (nullable): what to send as soon as the connection is made
 *
 * Returns: (transfer full): a new recording protocol
 */
RecordingProtocol *
recording_protocol_new (const char *first_words)
{
  RecordingProtocol *self = g_object_new (RECORDING_TYPE_PROTOCOL, NULL);

  self->first_words = g_strdup (first_words);
  return self;
}

/**
 * recording_protocol_get_received:
 * @self: a recording protocol
 *
 * Returns: (transfer none): every byte received since the last clear, as a
 *   NUL-terminated string
 */
const char *
recording_protocol_get_received (RecordingProtocol *self)
{
  g_return_val_if_fail (RECORDING_IS_PROTOCOL (self), NULL);
  return self->received->str;
}

/**
 * recording_protocol_clear:
 * @self: a recording protocol
 *
 * Forgets what was received, so the next check sees only what comes next.
 */
void
recording_protocol_clear (RecordingProtocol *self)
{
  g_return_if_fail (RECORDING_IS_PROTOCOL (self));
  g_string_truncate (self->received, 0);
}

/**
 * recording_protocol_get_reason:
 * @self: a recording protocol
 *
 * Returns: (transfer none) (nullable): why the connection ended, or %NULL
 *   while it is open
 */
const GError *
recording_protocol_get_reason (RecordingProtocol *self)
{
  g_return_val_if_fail (RECORDING_IS_PROTOCOL (self), NULL);
  return self->reason;
}

/**
 * recording_protocol_say:
 * @self: a connected recording protocol
 * @text: what to send
 *
 * Sends @text to the other end.
 */
void
recording_protocol_say (RecordingProtocol *self, const char *text)
{
  g_return_if_fail (RECORDING_IS_PROTOCOL (self));
  braid_transport_write_string (braid_protocol_get_transport (BRAID_PROTOCOL (self)),
                                text);
}
