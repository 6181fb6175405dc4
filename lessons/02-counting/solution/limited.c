/* limited.c: lesson 02's exercise, solved: an echo server that refuses
 * politely beyond its maximum of clients. */
#include "../exercise/limited.h"

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

  /* Whether this connection was counted in, so that only a counted one
   * is counted out: the factory's count must match what is connected. */
  gboolean counted;
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
  LimitedProtocol *self = LIMITED_PROTOCOL (protocol);
  g_autofree char *welcome = NULL;

  if (factory->num_clients >= factory->max_clients)
    {
      g_autofree char *sorry =
        g_strdup_printf ("Sorry, the server is full (%u clients at most). Try again later.\n",
                         factory->max_clients);

      /* lose_connection sends what was written before closing, so the
       * apology arrives; build_protocol returning NULL would close with
       * no word of explanation. */
      braid_transport_write_string (transport, sorry);
      braid_transport_lose_connection (transport);
      return;
    }

  self->counted = TRUE;
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
  if (!LIMITED_PROTOCOL (protocol)->counted)
    return;
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

static void
limited_protocol_connection_lost (BraidProtocol *protocol,
                                  const GError  *reason)
{
  if (LIMITED_PROTOCOL (protocol)->counted)
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
