/* chatty.c: lesson 03's exercise, solved: a client with several things
 * to say, one at a time, each after the echo of the one before. */
#include <string.h>

#include "../exercise/chatty.h"

struct _ChattyProtocol
{
  BraidProtocol parent_instance;

  GStrv messages;     /* what to say, NULL-terminated */
  guint current;      /* the index of the message being echoed */
  GString *heard;     /* everything received */

  /* How much of the current message's echo has arrived. The echo may come
   * in any number of pieces, so the protocol counts rather than expecting
   * one data_received per message. */
  gsize echoed;
};

G_DEFINE_FINAL_TYPE (ChattyProtocol, chatty_protocol, BRAID_TYPE_PROTOCOL)

static void
chatty_protocol_connection_made (BraidProtocol *protocol)
{
  ChattyProtocol *self = CHATTY_PROTOCOL (protocol);
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  if (self->messages[0] == NULL)
    {
      braid_transport_lose_connection (transport);
      return;
    }
  braid_transport_write_string (transport, self->messages[0]);
}

static void
chatty_protocol_data_received (BraidProtocol *protocol,
                               const guint8  *data,
                               gsize          len)
{
  ChattyProtocol *self = CHATTY_PROTOCOL (protocol);
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  g_string_append_len (self->heard, (const char *) data, len);
  if (self->messages[self->current] == NULL)
    return;   /* all said and echoed: what comes now is not ours to count */

  self->echoed += len;
  if (self->echoed < strlen (self->messages[self->current]))
    return;   /* the echo is not complete yet: wait for more */

  self->current++;
  self->echoed = 0;
  if (self->messages[self->current] == NULL)
    braid_transport_lose_connection (transport);
  else
    braid_transport_write_string (transport, self->messages[self->current]);
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
