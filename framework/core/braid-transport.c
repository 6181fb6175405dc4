/* braid-transport.c: one end of a connection, as a protocol sees it. */
#include "config.h"

#include <string.h>

#include "core/braid-producer.h"
#include "core/braid-transport.h"
#include "core/braid-type-cache-private.h"

/**
 * BraidTransport:
 *
 * One end of a connection: what a [class@Braid.Protocol] writes to.
 * Twisted's `ITransport` with `ITCPTransport`'s half-close.
 *
 * A transport is implemented by TCP and UNIX sockets in the real reactor, and
 * by `BraidStringTransport` and the loopback's transports in libbraid-fakes; a
 * protocol cannot tell them apart, which is what makes protocols testable
 * with no socket.
 *
 * Writing never blocks and never fails: bytes are buffered and sent when the
 * peer can take them. To know that a peer is not keeping up, register a
 * [iface@Braid.Producer]: the transport pauses it when its buffer is full.
 *
 * A transport is also a producer itself: pausing it stops reading from the
 * peer, so a protocol that cannot keep up with its input can say so.
 *
 * Closing comes in three kinds:
 * - [method@Braid.Transport.lose_connection] flushes, then closes; the
 *   protocol's `connection_lost` gets %BRAID_ERROR_CONNECTION_DONE;
 * - [method@Braid.Transport.abort_connection] closes at once and drops what
 *   was not sent; `connection_lost` gets %BRAID_ERROR_CONNECTION_LOST;
 * - [method@Braid.Transport.lose_write_connection] flushes, then closes only
 *   the sending direction; the protocol can still receive.
 */
G_DEFINE_INTERFACE (BraidTransport, braid_transport, BRAID_TYPE_PRODUCER)

static void
braid_transport_default_init (BraidTransportInterface *iface)
{
}

/**
 * braid_transport_write:
 * @self: a transport
 * @data: (array length=len): the bytes to send
 * @len: how many
 *
 * Sends @data to the peer, in order, as soon as it can take it. The bytes
 * are copied (or sent) before this returns, so @data can be reused at once.
 * Writing after the connection was closed does nothing.
 */
void
braid_transport_write (BraidTransport *self, const guint8 *data, gsize len)
{
  /* The interface from a cache of the classes written through, not
   * BRAID_IS_TRANSPORT() and then BRAID_TRANSPORT_GET_IFACE(): checking an
   * instance against an interface is GObject's slow path, and every
   * protocol's every write comes here (on bench-sim, 14 % of all
   * instructions went to the two, 6 % to g_type_interface_peek() alone).
   * A class without the interface has none, so the check is the same; the
   * cache answers only what GObject answered (braid-type-cache.c). */
  static BraidTypeCache cache;
  BraidTransportInterface *iface = braid_type_cache_lookup (&cache, self, braid_transport_get_type);

  g_return_if_fail (iface != NULL || BRAID_IS_TRANSPORT (self));
  g_return_if_fail (data != NULL || len == 0);

  if (len > 0)
    iface->write (self, data, len);
}

/**
 * braid_transport_write_string:
 * @self: a transport
 * @text: a NUL-terminated string; the NUL is not sent
 *
 * Sends the bytes of @text: a shortcut for text protocols.
 */
void
braid_transport_write_string (BraidTransport *self, const char *text)
{
  g_return_if_fail (text != NULL);
  braid_transport_write (self, (const guint8 *) text, strlen (text));
}

/**
 * braid_transport_write_sequence:
 * @self: a transport
 * @vectors: (array length=n_vectors): the pieces to send, in order
 * @n_vectors: how many pieces
 *
 * Sends several pieces as if they were one buffer, without first copying
 * them together (a socket transport uses one `writev`).
 */
void
braid_transport_write_sequence (BraidTransport      *self,
                                const GOutputVector *vectors,
                                gsize                n_vectors)
{
  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  g_return_if_fail (vectors != NULL || n_vectors == 0);

  if (n_vectors > 0)
    BRAID_TRANSPORT_GET_IFACE (self)->write_sequence (self, vectors, n_vectors);
}

/**
 * braid_transport_lose_connection:
 * @self: a transport
 *
 * Closes the connection once everything written so far has been sent (a
 * registered producer is stopped first). The protocol's `connection_lost`
 * follows with %BRAID_ERROR_CONNECTION_DONE.
 */
void
braid_transport_lose_connection (BraidTransport *self)
{
  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  BRAID_TRANSPORT_GET_IFACE (self)->lose_connection (self);
}

/**
 * braid_transport_abort_connection:
 * @self: a transport
 *
 * Closes the connection now, dropping what is still buffered. The
 * protocol's `connection_lost` follows with %BRAID_ERROR_CONNECTION_LOST.
 */
void
braid_transport_abort_connection (BraidTransport *self)
{
  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  BRAID_TRANSPORT_GET_IFACE (self)->abort_connection (self);
}

/**
 * braid_transport_lose_write_connection:
 * @self: a transport
 *
 * Half-closes the connection: flushes, then tells the peer this side will
 * send nothing more (TCP's `shutdown (SHUT_WR)`), while still receiving.
 * On a transport that cannot half-close, closes the whole connection as
 * [method@Braid.Transport.lose_connection] does.
 */
void
braid_transport_lose_write_connection (BraidTransport *self)
{
  BraidTransportInterface *iface;

  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  iface = BRAID_TRANSPORT_GET_IFACE (self);
  if (iface->lose_write_connection != NULL)
    iface->lose_write_connection (self);
  else
    iface->lose_connection (self);
}

/**
 * braid_transport_get_peer:
 * @self: a transport
 *
 * Gets the address of the other end of the connection.
 *
 * Returns: (transfer none) (nullable): the address of the other end
 */
GSocketAddress *
braid_transport_get_peer (BraidTransport *self)
{
  g_return_val_if_fail (BRAID_IS_TRANSPORT (self), NULL);
  return BRAID_TRANSPORT_GET_IFACE (self)->get_peer (self);
}

/**
 * braid_transport_get_host:
 * @self: a transport
 *
 * Gets the address of this end of the connection.
 *
 * Returns: (transfer none) (nullable): the address of this end
 */
GSocketAddress *
braid_transport_get_host (BraidTransport *self)
{
  g_return_val_if_fail (BRAID_IS_TRANSPORT (self), NULL);
  return BRAID_TRANSPORT_GET_IFACE (self)->get_host (self);
}

/**
 * braid_transport_register_producer:
 * @self: a transport
 * @producer: the producer that will write into @self
 * @streaming: %TRUE for a push producer (paused and resumed by the
 *   transport), %FALSE for a pull producer (asked for each piece)
 *
 * Attaches @producer to @self; only one producer may be registered at a
 * time. The transport keeps a reference until
 * [method@Braid.Transport.unregister_producer] or the connection ends.
 */
void
braid_transport_register_producer (BraidTransport *self,
                                   BraidProducer  *producer,
                                   gboolean        streaming)
{
  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  g_return_if_fail (BRAID_IS_PRODUCER (producer));
  BRAID_TRANSPORT_GET_IFACE (self)->register_producer (self, producer, streaming);
}

/**
 * braid_transport_unregister_producer:
 * @self: a transport
 *
 * Detaches the registered producer. Calling it when no producer is
 * registered is a programming error: the socket and string transports log
 * a critical and change nothing (Twisted's StringTransport raises).
 */
void
braid_transport_unregister_producer (BraidTransport *self)
{
  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  BRAID_TRANSPORT_GET_IFACE (self)->unregister_producer (self);
}

/**
 * braid_transport_is_disconnecting:
 * @self: a transport
 *
 * Tells whether the connection is closing or closed.
 *
 * Returns: %TRUE once a close was asked for (lose or abort) or the
 *   connection is gone; a protocol stops processing input then
 */
gboolean
braid_transport_is_disconnecting (BraidTransport *self)
{
  g_return_val_if_fail (BRAID_IS_TRANSPORT (self), TRUE);
  return BRAID_TRANSPORT_GET_IFACE (self)->is_disconnecting (self);
}
