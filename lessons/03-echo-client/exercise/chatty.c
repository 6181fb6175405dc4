/* chatty.c: lesson 03's exercise, a client with several things to say.
 *
 * A ChattyProtocol is given a list of messages, such as
 * { "one", "two", "three", NULL }. Talking to an echo server it must:
 *
 * - send the first message as soon as it is connected;
 * - send the next message only once the echo of the previous one has come
 *   back *whole* (TCP may deliver "three" as "th" then "ree");
 * - close the connection (cleanly: braid_transport_lose_connection) once
 *   the echo of the last message is back; with no message at all, close
 *   at once.
 *
 * Today it sends the first message and then nothing more. Everything it
 * hears is kept in `heard` (the check reads it). A message is never empty.
 *
 * Check your work with `tools/start check 03` (by hand:
 * `ninja -C build lessons/check-03-echo-client && build/lessons/check-03-echo-client`).
 * Stuck? `tools/start hint 03`. */
#include <string.h>

#include "chatty.h"

struct _ChattyProtocol
{
  BraidProtocol parent_instance;

  GStrv messages;     /* what to say, NULL-terminated */
  guint current;      /* the index of the message being echoed */
  GString *heard;     /* everything received */

  /* EXERCISE: you may need to remember more here. */
};

G_DEFINE_FINAL_TYPE (ChattyProtocol, chatty_protocol, BRAID_TYPE_PROTOCOL)

static void
chatty_protocol_connection_made (BraidProtocol *protocol)
{
  ChattyProtocol *self = CHATTY_PROTOCOL (protocol);
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  /* EXERCISE: with nothing to say, close the connection at once. */
  braid_transport_write_string (transport, self->messages[0]);
}

static void
chatty_protocol_data_received (BraidProtocol *protocol,
                               const guint8  *data,
                               gsize          len)
{
  ChattyProtocol *self = CHATTY_PROTOCOL (protocol);

  g_string_append_len (self->heard, (const char *) data, len);

  /* EXERCISE: once the echo of the current message is complete, send the
   * next message, or close the connection after the last one. */
}

static void
chatty_protocol_finalize (GObject *object)
{
  ChattyProtocol *self = CHATTY_PROTOCOL (object);

  g_strfreev (self->messages);
  g_string_free (self->heard, TRUE);
  G_OBJECT_CLASS (chatty_protocol_parent_class)->finalize (object);
}

static void
chatty_protocol_class_init (ChattyProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = chatty_protocol_finalize;
  protocol_class->connection_made = chatty_protocol_connection_made;
  protocol_class->data_received = chatty_protocol_data_received;
}

static void
chatty_protocol_init (ChattyProtocol *self)
{
  self->heard = g_string_new (NULL);
}

/**
 * chatty_protocol_new:
 * @messages: (array zero-terminated=1): what to say, in order
 *
 * Returns: (transfer full): a new chatty protocol
 */
ChattyProtocol *
chatty_protocol_new (const char * const *messages)
{
  ChattyProtocol *self = g_object_new (CHATTY_TYPE_PROTOCOL, NULL);

  self->messages = g_strdupv ((GStrv) messages);
  return self;
}

/**
 * chatty_protocol_get_heard:
 * @self: a chatty protocol
 *
 * Returns: (transfer none): everything received so far
 */
const char *
chatty_protocol_get_heard (ChattyProtocol *self)
{
  g_return_val_if_fail (CHATTY_IS_PROTOCOL (self), NULL);
  return self->heard->str;
}
