/* braid-connector.c: the interface of an outgoing connection attempt. */
#include "config.h"

#include "core/braid-connector.h"
#include "core/braid-reactor.h"

G_DEFINE_INTERFACE (BraidConnector, braid_connector, G_TYPE_OBJECT)

static void
braid_connector_default_init (BraidConnectorInterface *iface)
{
}

/**
 * braid_connector_connect:
 * @self: a connector
 *
 * Starts a new connection attempt with the same destination and factory;
 * the factory's `started_connecting` runs again. Typically called from
 * `client_connection_failed` or `client_connection_lost` to retry.
 */
void
braid_connector_connect (BraidConnector *self)
{
  g_return_if_fail (BRAID_IS_CONNECTOR (self));
  BRAID_CONNECTOR_GET_IFACE (self)->connect (self);
}

/**
 * braid_connector_stop_connecting:
 * @self: a connector
 *
 * Abandons the attempt under way; the factory's `client_connection_failed`
 * runs with `G_IO_ERROR_CANCELLED`. Does nothing once connected.
 */
void
braid_connector_stop_connecting (BraidConnector *self)
{
  g_return_if_fail (BRAID_IS_CONNECTOR (self));
  BRAID_CONNECTOR_GET_IFACE (self)->stop_connecting (self);
}

/**
 * braid_connector_disconnect:
 * @self: a connector
 *
 * Stops connecting, or closes the established connection cleanly.
 */
void
braid_connector_disconnect (BraidConnector *self)
{
  g_return_if_fail (BRAID_IS_CONNECTOR (self));
  BRAID_CONNECTOR_GET_IFACE (self)->disconnect (self);
}

/**
 * braid_connector_get_destination:
 * @self: a connector
 *
 * Gets the address @self connects to.
 *
 * Returns: (transfer none): where @self connects to
 */
GSocketConnectable *
braid_connector_get_destination (BraidConnector *self)
{
  g_return_val_if_fail (BRAID_IS_CONNECTOR (self), NULL);
  return BRAID_CONNECTOR_GET_IFACE (self)->get_destination (self);
}

/**
 * braid_connector_get_reactor:
 * @self: a connector
 *
 * The reactor whose [method@Braid.Reactor.connect_tcp] (or `connect_unix`)
 * made @self. A client factory's `client_connection_failed` and
 * `client_connection_lost` get the connector, so a one-shot client can stop
 * the reactor from there without keeping a pointer to it:
 *
 * ```c
 * braid_reactor_stop (braid_connector_get_reactor (connector));
 * ```
 *
 * Returns: (transfer none) (nullable): the reactor, or %NULL once that
 *   reactor has been destroyed (never from within the factory's callbacks,
 *   which the reactor runs)
 */
BraidReactor *
braid_connector_get_reactor (BraidConnector *self)
{
  g_return_val_if_fail (BRAID_IS_CONNECTOR (self), NULL);
  return BRAID_CONNECTOR_GET_IFACE (self)->get_reactor (self);
}
