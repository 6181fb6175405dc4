/* braid-client-factory.c: a factory that is also told how connecting went. */
#include "config.h"

#include "core/braid-client-factory.h"
#include "core/braid-connector.h"
#include "core/braid-factory.h"
#include "core/braid-protocol.h"

/**
 * BraidClientFactory:
 *
 * A [class@Braid.Factory] for outgoing connections: Twisted's
 * `ClientFactory`.
 *
 * Besides building the protocol once connected, a client factory hears
 * about the connection attempt itself, through a [iface@Braid.Connector]:
 * `started_connecting` when it begins, `client_connection_failed` if no
 * connection could be made, `client_connection_lost` when an established
 * connection ends. The seeds' echo client stops the reactor in both of the
 * last two; a reconnecting client calls [method@Braid.Connector.connect].
 */
G_DEFINE_TYPE (BraidClientFactory, braid_client_factory, BRAID_TYPE_FACTORY)

static void
braid_client_factory_class_init (BraidClientFactoryClass *klass)
{
}

static void
braid_client_factory_init (BraidClientFactory *self)
{
}

/**
 * braid_client_factory_new:
 * @protocol_type: a subclass of [class@Braid.Protocol]
 *
 * Creates a client factory that builds @protocol_type objects and ignores
 * the connection events.
 *
 * Returns: (transfer full): the new factory
 */
BraidClientFactory *
braid_client_factory_new (GType protocol_type)
{
  g_return_val_if_fail (g_type_is_a (protocol_type, BRAID_TYPE_PROTOCOL), NULL);

  return g_object_new (BRAID_TYPE_CLIENT_FACTORY, "protocol-type", protocol_type, NULL);
}

/**
 * braid_client_factory_started_connecting: (virtual started_connecting)
 * @self: a client factory
 * @connector: the connector making the attempt
 *
 * Called when a connection attempt starts.
 */
void
braid_client_factory_started_connecting (BraidClientFactory *self,
                                         BraidConnector     *connector)
{
  BraidClientFactoryClass *klass;

  g_return_if_fail (BRAID_IS_CLIENT_FACTORY (self));
  klass = BRAID_CLIENT_FACTORY_GET_CLASS (self);
  if (klass->started_connecting != NULL)
    klass->started_connecting (self, connector);
}

/**
 * braid_client_factory_client_connection_failed: (virtual client_connection_failed)
 * @self: a client factory
 * @connector: the connector that failed
 * @reason: why (`G_IO_ERROR_CONNECTION_REFUSED`, `G_IO_ERROR_TIMED_OUT`,
 *   a resolver error...)
 *
 * Called when a connection attempt fails.
 */
void
braid_client_factory_client_connection_failed (BraidClientFactory *self,
                                               BraidConnector     *connector,
                                               const GError       *reason)
{
  BraidClientFactoryClass *klass;

  g_return_if_fail (BRAID_IS_CLIENT_FACTORY (self));
  g_return_if_fail (reason != NULL);
  klass = BRAID_CLIENT_FACTORY_GET_CLASS (self);
  if (klass->client_connection_failed != NULL)
    klass->client_connection_failed (self, connector, reason);
}

/**
 * braid_client_factory_client_connection_lost: (virtual client_connection_lost)
 * @self: a client factory
 * @connector: the connector whose connection ended
 * @reason: how it ended (see [func@Braid.error_is_clean_close])
 *
 * Called when an established connection ends, after the protocol's
 * `connection_lost`.
 */
void
braid_client_factory_client_connection_lost (BraidClientFactory *self,
                                             BraidConnector     *connector,
                                             const GError       *reason)
{
  BraidClientFactoryClass *klass;

  g_return_if_fail (BRAID_IS_CLIENT_FACTORY (self));
  g_return_if_fail (reason != NULL);
  klass = BRAID_CLIENT_FACTORY_GET_CLASS (self);
  if (klass->client_connection_lost != NULL)
    klass->client_connection_lost (self, connector, reason);
}
