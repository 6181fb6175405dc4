/* echo-client.c: says one thing to an echo server, listens, hangs up. */
#include <string.h>

#include "echo-client.h"

/**
 * EchoClientFactory:
 *
 * Connects once, sends its message, waits for the whole echo, then stops
 * the reactor: on success, on failure to connect, or on a lost connection.
 *
 * A client factory hears about the connection itself, not only about the
 * protocol's data: `client_connection_failed` when no connection could be
 * made, `client_connection_lost` when it ended. Both mean this one-shot
 * client is done, so both stop the reactor, and braid_reactor_run() returns
 * to main(), which asks echo_client_factory_succeeded() how it went.
 *
 * The factory, not the protocol, keeps the reply and the outcome: the
 * protocol is gone with its connection, the factory is still there when
 * main() asks.
 */
struct _EchoClientFactory
{
  BraidClientFactory parent_instance;

  char *message;
  GString *reply;
  GError *failure;      /* why it went wrong; NULL while all is well */
  gboolean finished;    /* the connection ended or could not be made */
};

G_DEFINE_FINAL_TYPE (EchoClientFactory, echo_client_factory, BRAID_TYPE_CLIENT_FACTORY)

/**
 * EchoClientProtocol:
 *
 * Sends its factory's message as soon as it is connected, collects the
 * echo, and closes the connection once as many bytes came back as were
 * sent. TCP may deliver the echo in several pieces, so one
 * `data_received` is not "the answer": the protocol counts.
 */
struct _EchoClientProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoClientProtocol, echo_client_protocol, BRAID_TYPE_PROTOCOL)

static EchoClientFactory *
echo_client_protocol_get_client_factory (BraidProtocol *protocol)
{
  return ECHO_CLIENT_FACTORY (braid_protocol_get_factory (protocol));
}

static void
echo_client_protocol_connection_made (BraidProtocol *protocol)
{
  EchoClientFactory *factory = echo_client_protocol_get_client_factory (protocol);

  braid_transport_write_string (braid_protocol_get_transport (protocol),
                                factory->message);
}

static void
echo_client_protocol_data_received (BraidProtocol *protocol,
                                    const guint8  *data,
                                    gsize          len)
{
  EchoClientFactory *factory = echo_client_protocol_get_client_factory (protocol);

  g_string_append_len (factory->reply, (const char *) data, len);
  if (factory->reply->len >= strlen (factory->message))
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
echo_client_protocol_class_init (EchoClientProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  protocol_class->connection_made = echo_client_protocol_connection_made;
  protocol_class->data_received = echo_client_protocol_data_received;
}

static void
echo_client_protocol_init (EchoClientProtocol *self)
{
}

static void
echo_client_factory_finish (EchoClientFactory  *self,
                            BraidConnector     *connector,
                            const GError       *failure)
{
  self->finished = TRUE;
  if (failure != NULL && self->failure == NULL)
    self->failure = g_error_copy (failure);
  /* The connector knows the reactor that made it. On Ctrl-C that reactor
   * is already stopping; stopping it again does nothing. */
  braid_reactor_stop (braid_connector_get_reactor (connector));
}

static void
echo_client_factory_client_connection_failed (BraidClientFactory *factory,
                                              BraidConnector     *connector,
                                              const GError       *reason)
{
  echo_client_factory_finish (ECHO_CLIENT_FACTORY (factory), connector, reason);
}

/* A clean close is what we asked for once the echo is in; anything else
 * (reset, aborted) is a failure worth reporting. */
static void
echo_client_factory_client_connection_lost (BraidClientFactory *factory,
                                            BraidConnector     *connector,
                                            const GError       *reason)
{
  echo_client_factory_finish (ECHO_CLIENT_FACTORY (factory), connector,
                              braid_error_is_clean_close (reason) ? NULL : reason);
}

static void
echo_client_factory_finalize (GObject *object)
{
  EchoClientFactory *self = ECHO_CLIENT_FACTORY (object);

  g_free (self->message);
  g_string_free (self->reply, TRUE);
  g_clear_error (&self->failure);
  G_OBJECT_CLASS (echo_client_factory_parent_class)->finalize (object);
}

static void
echo_client_factory_class_init (EchoClientFactoryClass *klass)
{
  BraidClientFactoryClass *client_class = BRAID_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = echo_client_factory_finalize;
  client_class->client_connection_failed = echo_client_factory_client_connection_failed;
  client_class->client_connection_lost = echo_client_factory_client_connection_lost;
}

static void
echo_client_factory_init (EchoClientFactory *self)
{
  self->reply = g_string_new (NULL);
}

/**
 * echo_client_factory_new:
 * @message: what to send (not empty)
 *
 * Returns: (transfer full): a client factory for one echo exchange; it
 *   stops the reactor it connects with when the exchange is over
 */
EchoClientFactory *
echo_client_factory_new (const char *message)
{
  EchoClientFactory *self;

  g_return_val_if_fail (message != NULL && message[0] != '\0', NULL);

  self = g_object_new (ECHO_CLIENT_TYPE_FACTORY,
                       "protocol-type", ECHO_CLIENT_TYPE_PROTOCOL,
                       NULL);
  self->message = g_strdup (message);
  return self;
}

/**
 * echo_client_factory_get_reply:
 * @self: an echo client factory
 *
 * Returns: (transfer none): what the server sent back so far
 */
const char *
echo_client_factory_get_reply (EchoClientFactory *self)
{
  g_return_val_if_fail (ECHO_CLIENT_IS_FACTORY (self), NULL);
  return self->reply->str;
}

/**
 * echo_client_factory_succeeded:
 * @self: an echo client factory
 * @error: return location for a #GError
 *
 * Tells whether the exchange is over and went well: connected, the whole
 * message came back unchanged, and the connection closed cleanly.
 *
 * Returns: %TRUE if so; %FALSE with @error saying what went wrong
 *   (the connection failed or was lost, the server closed early or
 *   answered something else, or the exchange is not over)
 */
gboolean
echo_client_factory_succeeded (EchoClientFactory *self, GError **error)
{
  g_return_val_if_fail (ECHO_CLIENT_IS_FACTORY (self), FALSE);

  if (self->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      return FALSE;
    }
  if (!self->finished)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           "the exchange is not over yet");
      return FALSE;
    }
  if (self->reply->len < strlen (self->message))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "the server closed the connection after echoing %" G_GSIZE_FORMAT
                   " of %" G_GSIZE_FORMAT " bytes",
                   self->reply->len, strlen (self->message));
      return FALSE;
    }
  if (strcmp (self->reply->str, self->message) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the server answered \"%s\", not the echo of \"%s\"",
                   self->reply->str, self->message);
      return FALSE;
    }
  return TRUE;
}
