/* limited.c: lesson 02's exercise, an echo server with a maximum of clients.
 *
 * The factory is made with a maximum (limited_factory_new (2): two clients
 * at most). Today every client is welcomed, however many there are. Make
 * the server refuse politely when it is full:
 *
 * - a client that arrives while max_clients are connected hears
 *   "Sorry, the server is full (2 clients at most). Try again later.\n"
 *   (with the real maximum), and its connection is closed;
 * - a refused client is not counted, is not echoed, and its departure does
 *   not change the count either;
 * - once a welcomed client leaves, the next one is welcomed again.
 *
 * Check your work with `tools/start check 02` (by hand:
 * `ninja -C build lessons/check-02-counting && build/lessons/check-02-counting`).
 * Stuck? `tools/start hint 02`. */
#include "limited.h"

struct _LimitedFactory
{
  BraidFactory parent_instance;

  guint max_clients;
  guint num_clients;
};

G_DEFINE_FINAL_TYPE (LimitedFactory, limited_factory, BRAID_TYPE_FACTORY)

static void
limited_factory_class_init (LimitedFactoryClass *klass)
{
}

static void
limited_factory_init (LimitedFactory *self)
{
}

/**
 * limited_factory_new:
 * @max_clients: how many clients may be connected at once
 *
 * Returns: (transfer full): a factory of limited echo protocols
 */
LimitedFactory *
limited_factory_new (guint max_clients)
{
  LimitedFactory *self = g_object_new (LIMITED_TYPE_FACTORY,
                                       "protocol-type", LIMITED_TYPE_PROTOCOL,
                                       NULL);

  self->max_clients = max_clients;
  return self;
}

/**
 * limited_factory_get_num_clients:
 * @self: a limited factory
 *
 * Returns: how many welcomed clients are connected now
 */
guint
limited_factory_get_num_clients (LimitedFactory *self)
{
  g_return_val_if_fail (LIMITED_IS_FACTORY (self), 0);
  return self->num_clients;
}

struct _LimitedProtocol
{
  BraidProtocol parent_instance;

  /* EXERCISE: a protocol may need to remember something about its own
   * connection here. */
};

G_DEFINE_FINAL_TYPE (LimitedProtocol, limited_protocol, BRAID_TYPE_PROTOCOL)

static LimitedFactory *
limited_protocol_get_limited_factory (BraidProtocol *protocol)
{
  return LIMITED_FACTORY (braid_protocol_get_factory (protocol));
}

static void
limited_protocol_connection_made (BraidProtocol *protocol)
{
  LimitedFactory *factory = limited_protocol_get_limited_factory (protocol);
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  g_autofree char *welcome = NULL;

  /* EXERCISE: when the server is already full, apologise and close the
   * connection (braid_transport_lose_connection) instead of welcoming. */

  factory->num_clients++;
  welcome = g_strdup_printf ("Welcome! You are client %u of at most %u.\n",
                             factory->num_clients, factory->max_clients);
  braid_transport_write_string (transport, welcome);
}

static void
limited_protocol_data_received (BraidProtocol *protocol,
                                const guint8  *data,
                                gsize          len)
{
  /* EXERCISE: a refused client gets nothing but the apology. */
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

static void
limited_protocol_connection_lost (BraidProtocol *protocol,
                                  const GError  *reason)
{
  /* EXERCISE: only a client that was counted in may be counted out. */
  limited_protocol_get_limited_factory (protocol)->num_clients--;
}

static void
limited_protocol_class_init (LimitedProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  protocol_class->connection_made = limited_protocol_connection_made;
  protocol_class->data_received = limited_protocol_data_received;
  protocol_class->connection_lost = limited_protocol_connection_lost;
}

static void
limited_protocol_init (LimitedProtocol *self)
{
}
