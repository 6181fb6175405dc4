/* braid-string-transport.c: a transport that records what is written to it. */
#include "config.h"

#include <string.h>

#include "braid-fakes.h"

/**
 * BraidStringTransport:
 *
 * A [iface@Braid.Transport] that sends nothing anywhere: it records the
 * bytes a protocol writes and what the protocol asked of it. Twisted's
 * `StringTransport`.
 *
 * A test connects a protocol to it, feeds the protocol bytes, and checks
 * what came out:
 *
 * ```c
 * g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
 * braid_protocol_make_connection (echo, BRAID_TRANSPORT (transport));
 * braid_protocol_data_received (echo, (const guint8 *) "hello", 5);
 * braid_assert_transport_wrote (transport, "hello");
 * ```
 *
 * Closing is only recorded: [method@Braid.StringTransport.get_disconnecting]
 * and [method@Braid.StringTransport.get_aborted] say what the protocol did,
 * and the test decides whether to call `connection_lost`. (To see a whole
 * conversation with real closes, use `BraidLoopback`.) Writes after an abort
 * are dropped, as on a real connection.
 *
 * The bytes written and not yet cleared
 * ([method@Braid.StringTransport.clear]) count as the bytes the peer has
 * not read: a write made while more than the transport's write buffer
 * limit waits ([method@Braid.Transport.set_write_buffer_limit]) aborts the
 * connection, as on a socket transport.
 *
 * The transport is a producer too: a protocol that pauses it (to stop
 * reading) is visible through
 * [method@Braid.StringTransport.get_producer_state].
 *
 * It is as strict as the socket transport: unregistering when no producer
 * is registered, and pausing or resuming a transport that is disconnecting
 * or was stopped, log a critical naming the misuse and change nothing.
 *
 * The default peer is 127.0.0.1:54321 and the default host 127.0.0.1:8000.
 */
struct _BraidStringTransport
{
  GObject parent_instance;

  GByteArray *written;       /* always followed by a NUL, not counted */
  gboolean disconnecting;
  gboolean aborted;
  gboolean write_closed;
  BraidProducer *producer;
  gboolean producer_streaming;
  BraidProducerState producer_state;
  GSocketAddress *peer;
  GSocketAddress *host;
};

static void braid_string_transport_transport_iface_init (BraidTransportInterface *iface);
static void braid_string_transport_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidStringTransport, braid_string_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_string_transport_producer_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_string_transport_transport_iface_init))

static void
append (BraidStringTransport *self, const guint8 *data, gsize len)
{
  /* Drop the NUL terminator, append, put it back: peek() can then hand out
   * the buffer as a C string. */
  g_byte_array_set_size (self->written, self->written->len - 1);
  g_byte_array_append (self->written, data, len);
  g_byte_array_append (self->written, (const guint8 *) "", 1);
}

static void braid_string_transport_abort_connection (BraidTransport *transport);

static void
braid_string_transport_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (transport);

  g_autoptr (GError) too_much = NULL;

  if (self->aborted)
    return;
  /* As a socket transport: what the test has not cleared is what the peer
   * has not read, and a write while more than the write buffer limit waits
   * aborts the connection (the error is logged; get_aborted() tells). */
  too_much = braid_transport_check_write_buffer (transport, self->written->len - 1);
  if (too_much != NULL)
    {
      braid_string_transport_abort_connection (transport);
      return;
    }
  append (self, data, len);
}

static void
braid_string_transport_write_sequence (BraidTransport      *transport,
                                       const GOutputVector *vectors,
                                       gsize                n_vectors)
{
  for (gsize i = 0; i < n_vectors; i++)
    braid_string_transport_write (transport, vectors[i].buffer, vectors[i].size);
}

static void
stop_producer (BraidStringTransport *self)
{
  if (self->producer != NULL)
    braid_producer_stop_producing (self->producer);
}

static void
braid_string_transport_lose_connection (BraidTransport *transport)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (transport);

  if (self->disconnecting)
    return;
  self->disconnecting = TRUE;
  stop_producer (self);
}

static void
braid_string_transport_abort_connection (BraidTransport *transport)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (transport);

  self->aborted = TRUE;
  braid_string_transport_lose_connection (transport);
}

static void
braid_string_transport_lose_write_connection (BraidTransport *transport)
{
  BRAID_STRING_TRANSPORT (transport)->write_closed = TRUE;
}

static GSocketAddress *
braid_string_transport_get_peer_address (BraidTransport *transport)
{
  return BRAID_STRING_TRANSPORT (transport)->peer;
}

static GSocketAddress *
braid_string_transport_get_host_address (BraidTransport *transport)
{
  return BRAID_STRING_TRANSPORT (transport)->host;
}

static void
braid_string_transport_register_producer (BraidTransport *transport,
                                          BraidProducer  *producer,
                                          gboolean        streaming)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (transport);

  if (self->producer != NULL)
    {
      g_critical ("A producer (%s) is already registered on this transport; "
                  "unregister it first", G_OBJECT_TYPE_NAME (self->producer));
      return;
    }
  self->producer = g_object_ref (producer);
  self->producer_streaming = streaming;
  if (self->disconnecting)
    braid_producer_stop_producing (producer);
}

static void
braid_string_transport_unregister_producer (BraidTransport *transport)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (transport);

  /* As strict as the socket transport (and Twisted's StringTransport). */
  if (self->producer == NULL)
    {
      g_critical ("braid_transport_unregister_producer: no producer is registered");
      return;
    }
  g_clear_object (&self->producer);
  self->producer_streaming = FALSE;
}

static gboolean
braid_string_transport_is_disconnecting (BraidTransport *transport)
{
  return BRAID_STRING_TRANSPORT (transport)->disconnecting;
}

static void
braid_string_transport_transport_iface_init (BraidTransportInterface *iface)
{
  iface->write = braid_string_transport_write;
  iface->write_sequence = braid_string_transport_write_sequence;
  iface->lose_connection = braid_string_transport_lose_connection;
  iface->abort_connection = braid_string_transport_abort_connection;
  iface->lose_write_connection = braid_string_transport_lose_write_connection;
  iface->get_peer = braid_string_transport_get_peer_address;
  iface->get_host = braid_string_transport_get_host_address;
  iface->register_producer = braid_string_transport_register_producer;
  iface->unregister_producer = braid_string_transport_unregister_producer;
  iface->is_disconnecting = braid_string_transport_is_disconnecting;
}

/* Pausing or resuming a transport that is closing, or that was told to
 * stop, is a programming error: the socket transport refuses it the same
 * way (Twisted's StringTransport raises RuntimeError). */
static gboolean
check_can_produce (BraidStringTransport *self, const char *what)
{
  if (self->disconnecting || self->producer_state == BRAID_PRODUCER_STATE_STOPPED)
    {
      g_critical ("%s: the transport is disconnecting or was stopped", what);
      return FALSE;
    }
  return TRUE;
}

static void
braid_string_transport_pause_producing (BraidProducer *producer)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (producer);

  if (check_can_produce (self, "braid_producer_pause_producing"))
    self->producer_state = BRAID_PRODUCER_STATE_PAUSED;
}

static void
braid_string_transport_resume_producing (BraidProducer *producer)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (producer);

  if (check_can_produce (self, "braid_producer_resume_producing"))
    self->producer_state = BRAID_PRODUCER_STATE_PRODUCING;
}

static void
braid_string_transport_stop_producing (BraidProducer *producer)
{
  BRAID_STRING_TRANSPORT (producer)->producer_state = BRAID_PRODUCER_STATE_STOPPED;
}

static void
braid_string_transport_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_string_transport_pause_producing;
  iface->resume_producing = braid_string_transport_resume_producing;
  iface->stop_producing = braid_string_transport_stop_producing;
}

static void
braid_string_transport_finalize (GObject *object)
{
  BraidStringTransport *self = BRAID_STRING_TRANSPORT (object);

  g_byte_array_unref (self->written);
  g_clear_object (&self->producer);
  /* Set in init; set_peer/set_host replace them but refuse NULL. */
  g_object_unref (self->peer);
  g_object_unref (self->host);
  G_OBJECT_CLASS (braid_string_transport_parent_class)->finalize (object);
}

static void
braid_string_transport_class_init (BraidStringTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_string_transport_finalize;
}

static void
braid_string_transport_init (BraidStringTransport *self)
{
  self->written = g_byte_array_new ();
  g_byte_array_append (self->written, (const guint8 *) "", 1);
  self->peer = g_inet_socket_address_new_from_string ("127.0.0.1", 54321);
  self->host = g_inet_socket_address_new_from_string ("127.0.0.1", 8000);
}

/**
 * braid_string_transport_new:
 *
 * Creates a transport that records what a protocol writes, for tests; its
 * peer is 127.0.0.1:54321 and its host 127.0.0.1:8000 until set.
 *
 * Returns: (transfer full): a new, empty string transport
 */
BraidStringTransport *
braid_string_transport_new (void)
{
  return g_object_new (BRAID_TYPE_STRING_TRANSPORT, NULL);
}

/**
 * braid_string_transport_get_value:
 * @self: a string transport
 *
 * Gets everything written to @self since the last
 * [method@Braid.StringTransport.clear].
 *
 * Returns: (transfer full): a copy of the bytes written since the last clear
 */
GBytes *
braid_string_transport_get_value (BraidStringTransport *self)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), NULL);
  return g_bytes_new (self->written->data, self->written->len - 1);
}

/**
 * braid_string_transport_peek:
 * @self: a string transport
 * @len: (out) (optional): where to store how many bytes were written
 *
 * Looks at the bytes written since the last clear without copying them.
 * They are followed by a NUL byte, so text protocols can compare them as a
 * string.
 *
 * Returns: (transfer none): the bytes, valid until the next write or clear
 */
const char *
braid_string_transport_peek (BraidStringTransport *self, gsize *len)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), NULL);
  if (len != NULL)
    *len = self->written->len - 1;
  return (const char *) self->written->data;
}

/**
 * braid_string_transport_clear:
 * @self: a string transport
 *
 * Forgets the bytes written so far.
 */
void
braid_string_transport_clear (BraidStringTransport *self)
{
  g_return_if_fail (BRAID_IS_STRING_TRANSPORT (self));
  g_byte_array_set_size (self->written, 0);
  g_byte_array_append (self->written, (const guint8 *) "", 1);
}

/**
 * braid_string_transport_get_disconnecting:
 * @self: a string transport
 *
 * Tells whether the protocol asked to close the connection (lose or abort).
 *
 * Returns: %TRUE once the protocol called `lose_connection` or
 *   `abort_connection`
 */
gboolean
braid_string_transport_get_disconnecting (BraidStringTransport *self)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), FALSE);
  return self->disconnecting;
}

/**
 * braid_string_transport_get_aborted:
 * @self: a string transport
 *
 * Tells whether the protocol aborted the connection.
 *
 * Returns: %TRUE once the protocol called `abort_connection`
 */
gboolean
braid_string_transport_get_aborted (BraidStringTransport *self)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), FALSE);
  return self->aborted;
}

/**
 * braid_string_transport_get_write_closed:
 * @self: a string transport
 *
 * Tells whether the protocol half-closed the connection.
 *
 * Returns: %TRUE once the protocol called `lose_write_connection`
 */
gboolean
braid_string_transport_get_write_closed (BraidStringTransport *self)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), FALSE);
  return self->write_closed;
}

/**
 * braid_string_transport_get_producer:
 * @self: a string transport
 * @streaming: (out) (optional): whether the producer was registered as streaming
 *
 * Gets the producer the protocol registered on @self, if any.
 *
 * Returns: (transfer none) (nullable): the registered producer
 */
BraidProducer *
braid_string_transport_get_producer (BraidStringTransport *self, gboolean *streaming)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), NULL);
  if (streaming != NULL)
    *streaming = self->producer_streaming;
  return self->producer;
}

/**
 * braid_string_transport_get_producer_state:
 * @self: a string transport
 *
 * Tells what the protocol asked of @self as a producer: pause, resume or stop
 * reading.
 *
 * Returns: whether the protocol paused or stopped reading from @self
 */
BraidProducerState
braid_string_transport_get_producer_state (BraidStringTransport *self)
{
  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (self), BRAID_PRODUCER_STATE_PRODUCING);
  return self->producer_state;
}

/**
 * braid_string_transport_set_peer:
 * @self: a string transport
 * @peer: the address [method@Braid.Transport.get_peer] will return
 *
 * Pretends the other end is at @peer.
 */
void
braid_string_transport_set_peer (BraidStringTransport *self, GSocketAddress *peer)
{
  g_return_if_fail (BRAID_IS_STRING_TRANSPORT (self));
  g_return_if_fail (G_IS_SOCKET_ADDRESS (peer));
  g_set_object (&self->peer, peer);
}

/**
 * braid_string_transport_set_host:
 * @self: a string transport
 * @host: the address [method@Braid.Transport.get_host] will return
 *
 * Pretends this end is at @host.
 */
void
braid_string_transport_set_host (BraidStringTransport *self, GSocketAddress *host)
{
  g_return_if_fail (BRAID_IS_STRING_TRANSPORT (self));
  g_return_if_fail (G_IS_SOCKET_ADDRESS (host));
  g_set_object (&self->host, host);
}
