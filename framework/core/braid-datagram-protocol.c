/* braid-datagram-protocol.c: the base class of every datagram (UDP) protocol. */
#include "config.h"

#include "core/braid-datagram-protocol.h"
#include "core/braid-datagram-transport.h"

/**
 * BraidDatagramProtocol:
 *
 * What a program does with datagrams: Twisted's `DatagramProtocol`.
 *
 * There is no connection: one protocol object serves a whole UDP port and
 * hears every datagram, each with the address it came from. Its events:
 *
 * 1. `start_protocol ()`: the protocol was given its port
 *    ([method@Braid.Reactor.listen_udp] calls
 *    [method@Braid.DatagramProtocol.make_connection]); it may write from now;
 * 2. `datagram_received (data, len, address)`: one whole datagram, any
 *    number of times;
 * 3. `connection_refused ()`: on a connected port only, when a datagram
 *    sent to the peer came back refused (an ICMP "port unreachable");
 * 4. `stop_protocol ()`: the port stopped listening; the transport is gone.
 *
 * As in Twisted, one protocol may serve several ports: `start_protocol`
 * runs when the first one starts and `stop_protocol` when the last one
 * stops. [method@Braid.DatagramProtocol.get_transport] is the last port
 * given.
 *
 * ```c
 * static void
 * echo_datagram_received (BraidDatagramProtocol *protocol, const guint8 *data,
 *                         gsize len, GSocketAddress *address)
 * {
 *   braid_datagram_transport_write (braid_datagram_protocol_get_transport (protocol),
 *                                   data, len, address, NULL);
 * }
 * ```
 */

typedef struct
{
  BraidDatagramTransport *transport;
  guint ports;   /* Twisted's numPorts */
} BraidDatagramProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidDatagramProtocol, braid_datagram_protocol, G_TYPE_OBJECT)

static void
braid_datagram_protocol_dispose (GObject *object)
{
  BraidDatagramProtocolPrivate *priv =
    braid_datagram_protocol_get_instance_private (BRAID_DATAGRAM_PROTOCOL (object));

  g_clear_object (&priv->transport);
  G_OBJECT_CLASS (braid_datagram_protocol_parent_class)->dispose (object);
}

static void
braid_datagram_protocol_class_init (BraidDatagramProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_datagram_protocol_dispose;
}

static void
braid_datagram_protocol_init (BraidDatagramProtocol *self)
{
}

/**
 * braid_datagram_protocol_make_connection:
 * @self: a datagram protocol
 * @transport: the port @self now serves
 *
 * Gives @self its port and starts it (see
 * [method@Braid.DatagramProtocol.do_start]): what
 * [method@Braid.Reactor.listen_udp] calls, and what a test calls to attach
 * a `BraidFakeDatagramTransport`. The protocol holds a reference to
 * @transport until its last port stops.
 */
void
braid_datagram_protocol_make_connection (BraidDatagramProtocol  *self,
                                         BraidDatagramTransport *transport)
{
  BraidDatagramProtocolPrivate *priv;

  g_return_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (self));
  g_return_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (transport));

  priv = braid_datagram_protocol_get_instance_private (self);
  g_set_object (&priv->transport, transport);
  braid_datagram_protocol_do_start (self);
}

/**
 * braid_datagram_protocol_do_start:
 * @self: a datagram protocol
 *
 * Counts one more port serving @self, and calls `start_protocol` when it
 * is the first: Twisted's `doStart`. Ports call it; programs do not.
 */
void
braid_datagram_protocol_do_start (BraidDatagramProtocol *self)
{
  BraidDatagramProtocolPrivate *priv;
  BraidDatagramProtocolClass *klass;

  g_return_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (self));
  priv = braid_datagram_protocol_get_instance_private (self);
  klass = BRAID_DATAGRAM_PROTOCOL_GET_CLASS (self);
  if (priv->ports++ == 0 && klass->start_protocol != NULL)
    klass->start_protocol (self);
}

/**
 * braid_datagram_protocol_do_stop:
 * @self: a datagram protocol
 *
 * Counts one port fewer, and when none is left calls `stop_protocol` and
 * drops the transport: Twisted's `doStop`. Stopping more times than
 * started is a programming error (a critical).
 */
void
braid_datagram_protocol_do_stop (BraidDatagramProtocol *self)
{
  BraidDatagramProtocolPrivate *priv;
  BraidDatagramProtocolClass *klass;

  g_return_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (self));
  priv = braid_datagram_protocol_get_instance_private (self);
  g_return_if_fail (priv->ports > 0);
  if (--priv->ports > 0)
    return;
  g_object_ref (self);
  klass = BRAID_DATAGRAM_PROTOCOL_GET_CLASS (self);
  if (klass->stop_protocol != NULL)
    klass->stop_protocol (self);
  g_clear_object (&priv->transport);
  g_object_unref (self);
}

/**
 * braid_datagram_protocol_datagram_received: (virtual datagram_received)
 * @self: a datagram protocol
 * @data: (array length=len): the datagram
 * @len: its length (0 is a valid, empty datagram)
 * @address: where it came from
 *
 * Delivers one datagram. @data belongs to the caller and is valid only
 * during the call: copy what you keep.
 */
void
braid_datagram_protocol_datagram_received (BraidDatagramProtocol *self,
                                           const guint8          *data,
                                           gsize                  len,
                                           GSocketAddress        *address)
{
  BraidDatagramProtocolClass *klass;

  g_return_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (self));
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (G_IS_SOCKET_ADDRESS (address));
  klass = BRAID_DATAGRAM_PROTOCOL_GET_CLASS (self);
  if (klass->datagram_received != NULL)
    klass->datagram_received (self, data, len, address);
}

/**
 * braid_datagram_protocol_connection_refused: (virtual connection_refused)
 * @self: a datagram protocol
 *
 * Tells a protocol on a connected port that its peer refused a datagram.
 * UDP says nothing more: the datagram is lost, the port stays open.
 */
void
braid_datagram_protocol_connection_refused (BraidDatagramProtocol *self)
{
  BraidDatagramProtocolClass *klass;

  g_return_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (self));
  klass = BRAID_DATAGRAM_PROTOCOL_GET_CLASS (self);
  if (klass->connection_refused != NULL)
    klass->connection_refused (self);
}

/**
 * braid_datagram_protocol_get_transport:
 * @self: a datagram protocol
 *
 * Gets the port @self writes on.
 *
 * Returns: (transfer none) (nullable): the transport, or %NULL before
 *   the protocol started or after its last port stopped
 */
BraidDatagramTransport *
braid_datagram_protocol_get_transport (BraidDatagramProtocol *self)
{
  BraidDatagramProtocolPrivate *priv;

  g_return_val_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (self), NULL);
  priv = braid_datagram_protocol_get_instance_private (self);
  return priv->transport;
}
