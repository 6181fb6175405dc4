/* braid-write-limit.c: how much a transport buffers for a peer that does
 * not read.
 *
 * Writing never blocks, so a protocol that writes faster than its peer
 * reads makes the transport buffer the difference. Unbounded, that buffer
 * is a way to take a server's memory: connect, send requests (or let
 * others broadcast to you), never read. Every transport therefore has a
 * hard limit, on by default; the limit is kept on the transport object
 * itself, so the transports (socket, loopback, string) share one setter
 * and one rule.
 */
#include "config.h"

#include "braid-error.h"
#include "core/braid-transport.h"
#include "core/braid-write-limit.h"

/* The limit of a transport that was given one; G_MAXSIZE means none. */
static GQuark
write_limit_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("braid-write-buffer-limit");
  return quark;
}

/**
 * braid_transport_set_write_buffer_limit:
 * @self: a transport
 * @limit: the most bytes to buffer for the peer, or 0 for no limit
 *
 * Sets how many written bytes @self may hold for a peer that is not
 * reading them. A write made while more than @limit bytes are still
 * waiting aborts the connection instead: the protocol's `connection_lost`
 * gets %BRAID_ERROR_PEER_NOT_READING, and the reason is logged with the
 * peer's address. The default is %BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT.
 *
 * The check is made before each write, on what is already waiting, so a
 * single large write (a file sent at once) to a peer that reads is never
 * refused, while a peer that keeps not reading is cut off: a transport
 * holds at most @limit bytes plus one write.
 *
 * The limit is the last line of defence, not flow control: a protocol that
 * sends a lot should register a streaming [iface@Braid.Producer], which the
 * transport pauses well before the limit (a socket transport at
 * %BRAID_SOCKET_TRANSPORT_HIGH_WATER), and a protocol that answers what it
 * reads (an echo, a proxy) can register the transport itself, so that it
 * stops reading from a peer that stops reading.
 *
 * Twisted has no such limit (its buffers grow without bound); Braid has
 * one because a peer that never reads must not be able to take a
 * server's memory. Pass 0 to get Twisted's behaviour back.
 */
void
braid_transport_set_write_buffer_limit (BraidTransport *self, gsize limit)
{
  g_return_if_fail (BRAID_IS_TRANSPORT (self));
  g_object_set_qdata (G_OBJECT (self), write_limit_quark (),
                      GSIZE_TO_POINTER (limit == 0 ? G_MAXSIZE : limit));
}

/**
 * braid_transport_get_write_buffer_limit:
 * @self: a transport
 *
 * Gets the limit set by [method@Braid.Transport.set_write_buffer_limit].
 *
 * Returns: the most bytes @self buffers for its peer, or 0 for no limit
 */
gsize
braid_transport_get_write_buffer_limit (BraidTransport *self)
{
  gpointer limit;

  g_return_val_if_fail (BRAID_IS_TRANSPORT (self), 0);
  limit = g_object_get_qdata (G_OBJECT (self), write_limit_quark ());
  if (limit == NULL)
    return BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT;
  return GPOINTER_TO_SIZE (limit) == G_MAXSIZE ? 0 : GPOINTER_TO_SIZE (limit);
}

/**
 * braid_transport_check_write_buffer:
 * @self: a transport
 * @buffered: how many written bytes it now holds for the peer
 *
 * For transport implementations, called at the start of every write with
 * the bytes still waiting from earlier writes: compares @buffered with
 * @self's limit. Past the limit, logs that the connection is being closed,
 * naming the peer, and returns the error the protocol's `connection_lost`
 * must get; the caller then aborts the connection with it and drops the
 * write.
 *
 * Returns: (transfer full) (nullable): %NULL while @buffered is within the
 *   limit; otherwise a %BRAID_ERROR_PEER_NOT_READING error whose message
 *   reads "peer is not reading: N bytes buffered"
 */
GError *
braid_transport_check_write_buffer (BraidTransport *self, gsize buffered)
{
  gsize limit;
  GSocketAddress *peer;
  g_autofree char *peer_name = NULL;

  g_return_val_if_fail (BRAID_IS_TRANSPORT (self), NULL);
  limit = braid_transport_get_write_buffer_limit (self);
  if (limit == 0 || buffered <= limit)
    return NULL;

  peer = braid_transport_get_peer (self);
  peer_name = peer != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (peer))
                           : g_strdup ("an unknown peer");
  g_message ("Closing the connection to %s: peer is not reading: %" G_GSIZE_FORMAT
             " bytes buffered (limit %" G_GSIZE_FORMAT ")", peer_name, buffered, limit);
  return g_error_new (BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING,
                      "peer is not reading: %" G_GSIZE_FORMAT " bytes buffered", buffered);
}
