#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_CONNECTOR (braid_connector_get_type ())
G_DECLARE_INTERFACE (BraidConnector, braid_connector, BRAID, CONNECTOR, GObject)

/**
 * BraidConnector:
 *
 * An outgoing connection attempt and its connection, as
 * [method@Braid.Reactor.connect_tcp] returns it: Twisted's `IConnector`.
 */

/**
 * BraidConnectorInterface:
 * @g_iface: the parent interface
 * @connect: start a new attempt (after a failure or a loss)
 * @stop_connecting: abandon the attempt under way
 * @disconnect: stop connecting, or close the established connection
 * @get_destination: where the connector connects to
 * @get_reactor: the reactor that made the connector (%NULL once it is
 *   destroyed)
 *
 * The virtual methods of [iface@Braid.Connector].
 */
struct _BraidConnectorInterface
{
  GTypeInterface g_iface;

  void                (*connect)         (BraidConnector *self);
  void                (*stop_connecting) (BraidConnector *self);
  void                (*disconnect)      (BraidConnector *self);
  GSocketConnectable *(*get_destination) (BraidConnector *self);
  BraidReactor       *(*get_reactor)     (BraidConnector *self);

  /*< private >*/
  gpointer padding[3];
};

void                braid_connector_connect         (BraidConnector *self);
void                braid_connector_stop_connecting (BraidConnector *self);
void                braid_connector_disconnect      (BraidConnector *self);
GSocketConnectable *braid_connector_get_destination (BraidConnector *self);
BraidReactor       *braid_connector_get_reactor     (BraidConnector *self);

G_END_DECLS
