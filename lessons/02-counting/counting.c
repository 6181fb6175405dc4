/* counting.c: an echo that greets each client with the number connected. */
#include "counting.h"

/**
 * CountingFactory:
 *
 * Builds a [type@CountingProtocol] for each connection and counts the
 * connections that are open.
 *
 * The count lives here, not in the protocols: a protocol lives only as
 * long as its connection and knows nothing of the others, while the
 * factory outlives them all and every protocol can reach it with
 * braid_protocol_get_factory().
 */
struct _CountingFactory
{
  BraidFactory parent_instance;

  guint num_protocols;
};

G_DEFINE_FINAL_TYPE (CountingFactory, counting_factory, BRAID_TYPE_FACTORY)

static void
counting_factory_class_init (CountingFactoryClass *klass)
{
}

static void
counting_factory_init (CountingFactory *self)
{
}

/**
 * counting_factory_new:
 *
 * Returns: (transfer full): a factory of counting echo protocols, with no
 *   connection counted yet
 */
CountingFactory *
counting_factory_new (void)
{
  /* The default build_protocol makes a "protocol-type" object and tells it
   * its factory: nothing to override. */
  return g_object_new (COUNTING_TYPE_FACTORY,
                       "protocol-type", COUNTING_TYPE_PROTOCOL,
                       NULL);
}

/**
 * counting_factory_get_num_protocols:
 * @self: a counting factory
 *
 * Returns: how many of its protocols are connected now
 */
guint
counting_factory_get_num_protocols (CountingFactory *self)
{
  g_return_val_if_fail (COUNTING_IS_FACTORY (self), 0);
  return self->num_protocols;
}

/**
 * CountingProtocol:
 *
 * Greets its client with the number of open connections (its own
 * included), then echoes. It counts itself in when the connection is made
 * and out when it is lost, in its [type@CountingFactory].
 */
struct _CountingProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (CountingProtocol, counting_protocol, BRAID_TYPE_PROTOCOL)

static CountingFactory *
counting_protocol_get_counter (BraidProtocol *protocol)
{
  return COUNTING_FACTORY (braid_protocol_get_factory (protocol));
}

static void
counting_protocol_connection_made (BraidProtocol *protocol)
{
  CountingFactory *factory = counting_protocol_get_counter (protocol);
  g_autofree char *greeting = NULL;

  factory->num_protocols++;
  greeting = g_strdup_printf ("Hello. We are %u connection%s using this protocol.\n",
                              factory->num_protocols,
                              factory->num_protocols == 1 ? "" : "s");
  braid_transport_write_string (braid_protocol_get_transport (protocol), greeting);
}

static void
counting_protocol_data_received (BraidProtocol *protocol,
                                 const guint8  *data,
                                 gsize          len)
{
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

/* Called once per connection, however it ends (the client closed, the
 * network failed, the server closed it), so the count cannot drift. */
static void
counting_protocol_connection_lost (BraidProtocol *protocol,
                                   const GError  *reason)
{
  counting_protocol_get_counter (protocol)->num_protocols--;
}

static void
counting_protocol_class_init (CountingProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  protocol_class->connection_made = counting_protocol_connection_made;
  protocol_class->data_received = counting_protocol_data_received;
  protocol_class->connection_lost = counting_protocol_connection_lost;
}

static void
counting_protocol_init (CountingProtocol *self)
{
}

/**
 * counting_server_listen:
 * @reactor: the reactor to listen with
 * @port: the TCP port, or 0 to let the system choose one
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1:@port with a new [type@CountingFactory].
 *
 * Returns: (transfer none) (nullable): the listening port, owned by
 *   @reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
counting_server_listen (BraidReactor *reactor, guint16 port, GError **error)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();

  return braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (factory),
                                   "127.0.0.1", error);
}
