/* braid-loopback.c: a server and a client protocol talking in memory. */
#include "config.h"

#include "braid-fakes.h"

/**
 * BraidLoopback:
 *
 * Two protocols connected to each other in memory: Twisted's `iosim`
 * (`connectedServerAndClient`), public and documented.
 *
 * A loopback gives each protocol a transport of its own. What one side
 * writes waits in that side's buffer until the test *pumps*; a pump hands
 * what is buffered to the other side's `data_received`. Nothing moves by
 * itself, so a test decides exactly when the bytes arrive:
 *
 * ```c
 * g_autoptr (BraidLoopback) loopback = braid_loopback_new (server, client);
 *
 * braid_transport_write_string (braid_loopback_get_client_transport (loopback), "hello\r\n");
 * braid_loopback_flush (loopback);        // the server got it, and its answer came back
 * ...
 * braid_loopback_close (loopback);        // both sides get connection_lost
 * ```
 *
 * The lifecycle, in order:
 *
 * 1. [ctor@Braid.Loopback.new_full] calls the server's `make_connection`, then
 *    the client's. The server's transport has host 127.0.0.1:8000 and peer
 *    127.0.0.1:54321; the client's the reverse.
 * 2. [method@Braid.Loopback.pump_once] delivers what each side had
 *    buffered when the pump started (the server's bytes first), split into
 *    pieces of at most the chunk size ([method@Braid.Loopback.set_chunk_size];
 *    0, the default, means "all at once"). Chunk size 1 proves that a
 *    protocol copes with a message split at every byte. A side whose
 *    protocol paused its transport (braid_producer_pause_producing()) gets
 *    nothing until it resumes. [method@Braid.Loopback.flush] pumps until a
 *    pump moves nothing, and fails the test after
 *    %BRAID_LOOPBACK_MAX_PUMPS pumps, naming the likely cause, instead of
 *    spinning forever.
 * 3. A close happens in a pump too, once the bytes in flight are delivered:
 *    `lose_connection` on either side closes the connection cleanly
 *    (both protocols get `connection_lost` with %BRAID_ERROR_CONNECTION_DONE)
 *    at the first pump that moves no data once that side's buffer is empty.
 *    As on a real TCP transport, a side that asked to close stops reading
 *    at once (what its peer sends after that is dropped), while what it
 *    wrote, before or after asking, is still delivered. `abort_connection`
 *    drops every undelivered byte, both ways, and both sides get
 *    %BRAID_ERROR_CONNECTION_LOST at the next pump. The server hears of a
 *    close first, then the client.
 *    `lose_write_connection` (half-close) gives the peer
 *    `read_connection_lost` once the buffer is delivered, if the peer's
 *    protocol supports half-close; otherwise the peer closes the connection,
 *    as a real transport would. When both sides have half-closed, the
 *    connection is closed cleanly. After the close, writes do nothing.
 *
 * Producers: a producer registered on a transport is told
 * `stop_producing` when the connection closes. A non-streaming (pull)
 * producer is asked to `resume_producing` at each pump that finds its
 * side's buffer empty. With a backpressure limit
 * ([method@Braid.Loopback.set_backpressure_limit]), a streaming producer is
 * paused as soon as its side's undelivered bytes exceed the limit, and
 * resumed once a pump brings them back to the limit or below. The server
 * side, with no producer registered, is not delivered to while its own
 * undelivered bytes exceed the limit, as a server's socket transport past
 * its high-water mark stops reading: an echo server cannot make its buffer
 * grow without bound. The client side keeps reading, as on a socket.
 *
 * Write buffer limit: as on a socket, a write made while a side has more
 * undelivered bytes than its transport's
 * [method@Braid.Transport.get_write_buffer_limit] (the peer is "not
 * reading": the test has not pumped) aborts the connection; both sides
 * get %BRAID_ERROR_PEER_NOT_READING at the next pump.
 *
 * A loopback is watched by the test-hygiene check: one still open when a
 * test ends, or destroyed while open, fails the test and names the place
 * where it was created. Close it with [method@Braid.Loopback.close] (or have
 * a protocol close it, then flush).
 *
 * Protocols may write, close, pause or resume from inside any event; the
 * pump holds references to everything it is using while it delivers. Only
 * pumping from inside a pump is refused.
 */

/* ---------------------------------------------------------------------- */
/* The transport each side sees.                                           */

#define BRAID_TYPE_LOOPBACK_TRANSPORT (braid_loopback_transport_get_type ())
G_DECLARE_FINAL_TYPE (BraidLoopbackTransport, braid_loopback_transport,
                      BRAID, LOOPBACK_TRANSPORT, GObject)

struct _BraidLoopbackTransport
{
  GObject parent_instance;

  BraidLoopback *loopback;   /* not owned; NULL once the loopback is gone */
  BraidProtocol *protocol;   /* owned while the connection is open */
  const char *side;          /* "server" or "client", for messages */
  GByteArray *outgoing;      /* written; bytes from outgoing_start on are
                              * not yet delivered to the peer */
  gsize outgoing_start;      /* delivered bytes still at the front */
  GSocketAddress *host;
  GSocketAddress *peer;

  gboolean disconnecting;    /* lose_connection (or abort) was asked */
  gboolean aborted;
  GError *abort_reason;      /* why, if not by abort_connection */
  gboolean write_closed;     /* lose_write_connection was asked */
  gboolean write_close_delivered;
  gboolean reading_paused;   /* the protocol paused its transport */
  gboolean closed;           /* connection_lost was delivered */

  BraidProducer *producer;
  gboolean producer_streaming;
  gboolean producer_paused;  /* paused by backpressure */
};

/* The bytes written and not yet delivered. Delivery moves outgoing_start
 * forward instead of removing bytes from the front of the array (which
 * would move everything behind them, for every chunk: quadratic in what is
 * buffered). The delivered front is dropped once it is at least half of
 * the array, so each byte is moved at most about once. */
static inline gsize
outgoing_pending (BraidLoopbackTransport *end)
{
  return end->outgoing->len - end->outgoing_start;
}

static void
outgoing_clear (BraidLoopbackTransport *end)
{
  g_byte_array_set_size (end->outgoing, 0);
  end->outgoing_start = 0;
}

static void
outgoing_consume (BraidLoopbackTransport *end, gsize n)
{
  end->outgoing_start += n;
  if (end->outgoing_start == end->outgoing->len)
    outgoing_clear (end);
  else if (end->outgoing_start >= end->outgoing->len / 2)
    {
      g_byte_array_remove_range (end->outgoing, 0, end->outgoing_start);
      end->outgoing_start = 0;
    }
}

static void braid_loopback_transport_transport_iface_init (BraidTransportInterface *iface);
static void braid_loopback_transport_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidLoopbackTransport, braid_loopback_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_loopback_transport_producer_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_loopback_transport_transport_iface_init))

struct _BraidLoopback
{
  GObject parent_instance;

  BraidLoopbackTransport *server;
  BraidLoopbackTransport *client;
  const char *creator;        /* interned */
  gsize chunk_size;           /* 0: deliver everything at once */
  gsize backpressure_limit;   /* 0: no backpressure */
  gboolean open;
  gboolean pumping;
};

G_DEFINE_FINAL_TYPE (BraidLoopback, braid_loopback, G_TYPE_OBJECT)

static void update_backpressure (BraidLoopbackTransport *end);
static void braid_loopback_transport_abort_connection (BraidTransport *transport);

static gboolean
can_write (BraidLoopbackTransport *self)
{
  return self->loopback != NULL && !self->closed && !self->aborted && !self->write_closed;
}

static void
braid_loopback_transport_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  BraidLoopbackTransport *self = BRAID_LOOPBACK_TRANSPORT (transport);

  GError *too_much;

  if (!can_write (self))
    return;
  /* As a socket transport: a write while more than the write buffer limit
   * waits means the peer is not reading (it has not been pumped), and the
   * connection is aborted. */
  too_much = braid_transport_check_write_buffer (transport, self->outgoing->len);
  if (too_much != NULL)
    {
      self->abort_reason = too_much;
      braid_loopback_transport_abort_connection (transport);
      return;
    }
  g_byte_array_append (self->outgoing, data, len);
  update_backpressure (self);
}

static void
braid_loopback_transport_write_sequence (BraidTransport      *transport,
                                         const GOutputVector *vectors,
                                         gsize                n_vectors)
{
  for (gsize i = 0; i < n_vectors; i++)
    if (vectors[i].size > 0)
      braid_loopback_transport_write (transport, vectors[i].buffer, vectors[i].size);
}

static void
braid_loopback_transport_lose_connection (BraidTransport *transport)
{
  BRAID_LOOPBACK_TRANSPORT (transport)->disconnecting = TRUE;
}

static void
braid_loopback_transport_abort_connection (BraidTransport *transport)
{
  BraidLoopbackTransport *self = BRAID_LOOPBACK_TRANSPORT (transport);

  if (self->closed)
    return;
  self->aborted = TRUE;
  self->disconnecting = TRUE;
  /* An abort drops what this side has not sent yet, at once. */
  outgoing_clear (self);
}

static void
braid_loopback_transport_lose_write_connection (BraidTransport *transport)
{
  BRAID_LOOPBACK_TRANSPORT (transport)->write_closed = TRUE;
}

static GSocketAddress *
braid_loopback_transport_get_peer (BraidTransport *transport)
{
  return BRAID_LOOPBACK_TRANSPORT (transport)->peer;
}

static GSocketAddress *
braid_loopback_transport_get_host (BraidTransport *transport)
{
  return BRAID_LOOPBACK_TRANSPORT (transport)->host;
}

static void
braid_loopback_transport_register_producer (BraidTransport *transport,
                                            BraidProducer  *producer,
                                            gboolean        streaming)
{
  BraidLoopbackTransport *self = BRAID_LOOPBACK_TRANSPORT (transport);

  if (self->producer != NULL)
    {
      g_critical ("A producer (%s) is already registered on this transport; "
                  "unregister it first", G_OBJECT_TYPE_NAME (self->producer));
      return;
    }
  if (self->closed)
    {
      /* Nothing will ever be consumed: tell the producer at once. */
      braid_producer_stop_producing (producer);
      return;
    }
  self->producer = g_object_ref (producer);
  self->producer_streaming = streaming;
  self->producer_paused = FALSE;
  update_backpressure (self);
}

static void
braid_loopback_transport_unregister_producer (BraidTransport *transport)
{
  BraidLoopbackTransport *self = BRAID_LOOPBACK_TRANSPORT (transport);

  g_clear_object (&self->producer);
  self->producer_streaming = FALSE;
  self->producer_paused = FALSE;
}

static gboolean
braid_loopback_transport_is_disconnecting (BraidTransport *transport)
{
  BraidLoopbackTransport *self = BRAID_LOOPBACK_TRANSPORT (transport);

  return self->disconnecting || self->closed;
}

static void
braid_loopback_transport_transport_iface_init (BraidTransportInterface *iface)
{
  iface->write = braid_loopback_transport_write;
  iface->write_sequence = braid_loopback_transport_write_sequence;
  iface->lose_connection = braid_loopback_transport_lose_connection;
  iface->abort_connection = braid_loopback_transport_abort_connection;
  iface->lose_write_connection = braid_loopback_transport_lose_write_connection;
  iface->get_peer = braid_loopback_transport_get_peer;
  iface->get_host = braid_loopback_transport_get_host;
  iface->register_producer = braid_loopback_transport_register_producer;
  iface->unregister_producer = braid_loopback_transport_unregister_producer;
  iface->is_disconnecting = braid_loopback_transport_is_disconnecting;
}

/* The transport as a producer: its protocol pausing it means "stop reading". */
static void
braid_loopback_transport_pause_producing (BraidProducer *producer)
{
  BRAID_LOOPBACK_TRANSPORT (producer)->reading_paused = TRUE;
}

static void
braid_loopback_transport_resume_producing (BraidProducer *producer)
{
  BRAID_LOOPBACK_TRANSPORT (producer)->reading_paused = FALSE;
}

static void
braid_loopback_transport_stop_producing (BraidProducer *producer)
{
  /* As in Twisted, stopping a transport's production closes it. */
  braid_loopback_transport_lose_connection (BRAID_TRANSPORT (producer));
}

static void
braid_loopback_transport_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_loopback_transport_pause_producing;
  iface->resume_producing = braid_loopback_transport_resume_producing;
  iface->stop_producing = braid_loopback_transport_stop_producing;
}

static void
braid_loopback_transport_finalize (GObject *object)
{
  BraidLoopbackTransport *self = BRAID_LOOPBACK_TRANSPORT (object);

  g_byte_array_unref (self->outgoing);
  g_clear_error (&self->abort_reason);
  g_clear_object (&self->protocol);
  g_clear_object (&self->producer);
  /* Set by loopback_transport_new, the only constructor, and never cleared. */
  g_object_unref (self->host);
  g_object_unref (self->peer);
  G_OBJECT_CLASS (braid_loopback_transport_parent_class)->finalize (object);
}

static void
braid_loopback_transport_class_init (BraidLoopbackTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_loopback_transport_finalize;
}

static void
braid_loopback_transport_init (BraidLoopbackTransport *self)
{
  self->outgoing = g_byte_array_new ();
}

static BraidLoopbackTransport *
loopback_transport_new (BraidLoopback *loopback,
                        BraidProtocol *protocol,
                        const char    *side,
                        guint16        host_port,
                        guint16        peer_port)
{
  BraidLoopbackTransport *self = g_object_new (BRAID_TYPE_LOOPBACK_TRANSPORT, NULL);

  self->loopback = loopback;
  self->protocol = g_object_ref (protocol);
  self->side = side;
  self->host = g_inet_socket_address_new_from_string ("127.0.0.1", host_port);
  self->peer = g_inet_socket_address_new_from_string ("127.0.0.1", peer_port);
  return self;
}

/* Pauses a streaming producer while its side has more undelivered bytes
 * than the limit, and resumes it once they are back at the limit or below.
 * Only producers this function paused are resumed by it. */
static void
update_backpressure (BraidLoopbackTransport *end)
{
  g_autoptr (BraidProducer) producer = NULL;
  gsize limit;

  if (end->loopback == NULL || end->producer == NULL || !end->producer_streaming)
    return;
  limit = end->loopback->backpressure_limit;
  producer = g_object_ref (end->producer);
  if (limit > 0 && outgoing_pending (end) > limit && !end->producer_paused)
    {
      end->producer_paused = TRUE;
      braid_producer_pause_producing (producer);
    }
  else if ((limit == 0 || outgoing_pending (end) <= limit) && end->producer_paused)
    {
      end->producer_paused = FALSE;
      braid_producer_resume_producing (producer);
    }
}

/* ---------------------------------------------------------------------- */
/* The loopback.                                                           */

static BraidLoopbackTransport *
peer_of (BraidLoopback *self, BraidLoopbackTransport *end)
{
  return end == self->server ? self->client : self->server;
}

static char *
describe_open_loopback (GObject *object)
{
  BraidLoopback *self = BRAID_LOOPBACK (object);

  if (!self->open)
    return NULL;
  return g_strdup_printf ("a loopback created at %s is still open (server %s, client %s): "
                          "close it with braid_loopback_close()",
                          self->creator,
                          G_OBJECT_TYPE_NAME (self->server->protocol),
                          G_OBJECT_TYPE_NAME (self->client->protocol));
}

static void
detach_end (BraidLoopbackTransport *end)
{
  /* Breaks the protocol <-> transport cycle of a loopback destroyed while
   * open; later writes by the protocol go nowhere. */
  end->loopback = NULL;
  end->closed = TRUE;
  g_clear_object (&end->protocol);
  g_clear_object (&end->producer);
  outgoing_clear (end);
}

static void
braid_loopback_dispose (GObject *object)
{
  BraidLoopback *self = BRAID_LOOPBACK (object);

  if (self->open)
    {
      g_autofree char *leftover =
        g_strdup_printf ("a loopback created at %s was destroyed while its connection "
                         "was still open: close it with braid_loopback_close()",
                         self->creator);

      self->open = FALSE;
      braid_hygiene_report_leftover (leftover);
    }
  if (self->server != NULL)
    detach_end (self->server);
  if (self->client != NULL)
    detach_end (self->client);
  g_clear_object (&self->server);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (braid_loopback_parent_class)->dispose (object);
}

static void
braid_loopback_class_init (BraidLoopbackClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_loopback_dispose;
}

static void
braid_loopback_init (BraidLoopback *self)
{
}

/**
 * braid_loopback_new_full:
 * @server: the server side's protocol, not yet connected
 * @client: the client side's protocol, not yet connected
 * @creator: (nullable): where the loopback is made, as `"file.c:123"`; the
 *   braid_loopback_new() macro fills it in
 *
 * Connects @server and @client in memory: calls the server's
 * `make_connection`, then the client's. Bytes written in `connection_made`
 * wait for the first pump.
 *
 * Returns: (transfer full): the loopback, open
 */
BraidLoopback *
braid_loopback_new_full (BraidProtocol *server, BraidProtocol *client, const char *creator)
{
  BraidLoopback *self;
  g_autoptr (BraidLoopbackTransport) server_end = NULL;
  g_autoptr (BraidLoopbackTransport) client_end = NULL;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (server), NULL);
  g_return_val_if_fail (BRAID_IS_PROTOCOL (client), NULL);
  g_return_val_if_fail (server != client, NULL);

  self = g_object_new (BRAID_TYPE_LOOPBACK, NULL);
  self->creator = creator != NULL ? g_intern_string (creator) : "(unknown)";
  self->server = loopback_transport_new (self, server, "server", 8000, 54321);
  self->client = loopback_transport_new (self, client, "client", 54321, 8000);
  self->open = TRUE;
  braid_hygiene_watch (G_OBJECT (self), describe_open_loopback);

  /* Local references: a protocol may close (and a test may drop) things
   * from inside connection_made. */
  server_end = g_object_ref (self->server);
  client_end = g_object_ref (self->client);
  braid_protocol_make_connection (server, BRAID_TRANSPORT (server_end));
  braid_protocol_make_connection (client, BRAID_TRANSPORT (client_end));
  return self;
}

/**
 * braid_loopback_set_chunk_size:
 * @self: a loopback
 * @chunk_size: the most bytes handed to one `data_received`; 0 for no limit
 *
 * Makes the pump split what it delivers into pieces of @chunk_size bytes
 * (the last one may be shorter). Run a protocol's tests at several sizes
 * down to 1: a protocol that only works when a message arrives whole has a
 * bug that TCP will find one day.
 */
void
braid_loopback_set_chunk_size (BraidLoopback *self, gsize chunk_size)
{
  g_return_if_fail (BRAID_IS_LOOPBACK (self));
  self->chunk_size = chunk_size;
}

/**
 * braid_loopback_set_backpressure_limit:
 * @self: a loopback
 * @limit: how many undelivered bytes a side may hold before its streaming
 *   producer is paused; 0 turns backpressure off (the default)
 *
 * Simulates a slow network: a streaming producer registered on a transport
 * is paused while that side has more than @limit bytes waiting to be
 * delivered, and resumed by the pump that brings them back to @limit or
 * below.
 */
void
braid_loopback_set_backpressure_limit (BraidLoopback *self, gsize limit)
{
  g_return_if_fail (BRAID_IS_LOOPBACK (self));
  self->backpressure_limit = limit;
  update_backpressure (self->server);
  update_backpressure (self->client);
}

/* @end is the server side, has no producer and more undelivered bytes than
 * the backpressure limit: like a server's socket transport past its
 * high-water mark, it reads nothing more until they drain. */
static gboolean
reading_held (BraidLoopback *self, BraidLoopbackTransport *end)
{
  return end == self->server && end->producer == NULL && self->backpressure_limit > 0
         && outgoing_pending (end) > self->backpressure_limit;
}

/* Delivers at most @budget bytes of @from's buffer to @to's protocol, chunk
 * by chunk. Each chunk is copied out of the buffer before it is delivered:
 * the receiving protocol may write, abort (which empties the buffer) or
 * close from inside data_received. */
static gboolean
deliver (BraidLoopback *self, BraidLoopbackTransport *from, BraidLoopbackTransport *to, gsize budget)
{
  g_autoptr (BraidProtocol) receiver = NULL;
  gboolean moved = FALSE;

  if (to->protocol == NULL)
    return FALSE;
  receiver = g_object_ref (to->protocol);
  while (budget > 0 && outgoing_pending (from) > 0
         && self->open && !to->reading_paused && !reading_held (self, to)
         && !to->disconnecting && !from->aborted)
    {
      gsize n = MIN (budget, outgoing_pending (from));
      g_autofree guint8 *chunk = NULL;

      if (self->chunk_size > 0)
        n = MIN (n, self->chunk_size);
      chunk = g_memdup2 (from->outgoing->data + from->outgoing_start, n);
      outgoing_consume (from, n);
      budget -= n;
      moved = TRUE;
      braid_protocol_data_received (receiver, chunk, n);
    }
  update_backpressure (from);
  return moved;
}

/* Ends the connection: each side, server first, has its producer stopped
 * and gets connection_lost with @reason. */
static void
close_connection (BraidLoopback *self, const GError *reason)
{
  BraidLoopbackTransport *ends[] = { self->server, self->client };

  self->open = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      ends[i]->closed = TRUE;
      ends[i]->disconnecting = TRUE;
      outgoing_clear (ends[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      g_autoptr (BraidLoopbackTransport) end = g_object_ref (ends[i]);
      g_autoptr (BraidProducer) producer = g_steal_pointer (&end->producer);
      g_autoptr (BraidProtocol) protocol = g_steal_pointer (&end->protocol);

      if (producer != NULL)
        braid_producer_stop_producing (producer);
      if (protocol != NULL)
        braid_protocol_connection_lost (protocol, reason);
    }
}

static void
close_aborted (BraidLoopback *self)
{
  g_autoptr (GError) reason = NULL;
  const char *side = self->server->aborted ? self->server->side : self->client->side;

  BraidLoopbackTransport *aborting = self->server->aborted ? self->server : self->client;

  if (aborting->abort_reason != NULL)
    reason = g_error_copy (aborting->abort_reason);
  else
    reason = g_error_new (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                          "The connection was aborted by the %s side", side);
  close_connection (self, reason);
}

static void
close_cleanly (BraidLoopback *self, const char *side)
{
  g_autoptr (GError) reason = NULL;

  reason = g_error_new (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                        "The connection was closed cleanly by the %s side", side);
  close_connection (self, reason);
}

/* A non-streaming producer writes one more piece each time its side's
 * buffer has drained. */
static void
ask_pull_producer (BraidLoopbackTransport *end)
{
  g_autoptr (BraidProducer) producer = NULL;

  if (end->producer == NULL || end->producer_streaming || outgoing_pending (end) > 0
      || end->disconnecting || end->write_closed)
    return;
  producer = g_object_ref (end->producer);
  braid_producer_resume_producing (producer);
}

/* Half-close: once @end's bytes are delivered, its peer hears that nothing
 * more will come; a peer that cannot half-close closes instead. */
static gboolean
deliver_half_close (BraidLoopback *self, BraidLoopbackTransport *end)
{
  BraidLoopbackTransport *peer = peer_of (self, end);
  g_autoptr (BraidProtocol) receiver = NULL;

  if (!end->write_closed || end->write_close_delivered || outgoing_pending (end) > 0
      || peer->protocol == NULL)
    return FALSE;
  end->write_close_delivered = TRUE;
  receiver = g_object_ref (peer->protocol);
  if (braid_protocol_supports_half_close (receiver))
    braid_protocol_read_connection_lost (receiver);
  else
    peer->disconnecting = TRUE;
  return TRUE;
}

static gboolean
pump_closes (BraidLoopback *self)
{
  if (deliver_half_close (self, self->server))
    return TRUE;
  if (self->open && deliver_half_close (self, self->client))
    return TRUE;
  if (!self->open)
    return FALSE;
  if (self->server->write_close_delivered && self->client->write_close_delivered)
    {
      close_cleanly (self, "server");
      return TRUE;
    }
  if (self->server->disconnecting && outgoing_pending (self->server) == 0)
    {
      close_cleanly (self, "server");
      return TRUE;
    }
  if (self->client->disconnecting && outgoing_pending (self->client) == 0)
    {
      close_cleanly (self, "client");
      return TRUE;
    }
  return FALSE;
}

/**
 * braid_loopback_pump_once:
 * @self: a loopback
 *
 * Moves data once each way: delivers to the client what the server had
 * buffered when the pump started, then to the server what the client had
 * buffered (bytes written in reply wait for the next pump). A pump that
 * moves no data delivers a pending half-close or close instead.
 *
 * Returns: %TRUE if anything moved (bytes, a half-close or a close)
 */
gboolean
braid_loopback_pump_once (BraidLoopback *self)
{
  g_autoptr (BraidLoopback) hold = NULL;
  gsize server_budget, client_budget;
  gboolean moved = FALSE;

  g_return_val_if_fail (BRAID_IS_LOOPBACK (self), FALSE);
  g_return_val_if_fail (!self->pumping, FALSE);

  if (!self->open)
    return FALSE;
  hold = g_object_ref (self);
  self->pumping = TRUE;

  if (self->server->aborted || self->client->aborted)
    {
      close_aborted (self);
      self->pumping = FALSE;
      return TRUE;
    }

  ask_pull_producer (self->server);
  ask_pull_producer (self->client);
  server_budget = outgoing_pending (self->server);
  client_budget = outgoing_pending (self->client);
  moved |= deliver (self, self->server, self->client, server_budget);
  moved |= deliver (self, self->client, self->server, client_budget);

  if (self->open && (self->server->aborted || self->client->aborted))
    {
      close_aborted (self);
      moved = TRUE;
    }
  else if (!moved && self->open)
    moved = pump_closes (self);

  self->pumping = FALSE;
  return moved;
}

/**
 * braid_loopback_flush:
 * @self: a loopback
 *
 * Pumps until a pump moves nothing: every byte written has been delivered,
 * every answer too, and a close asked for has happened. If data still
 * moves after %BRAID_LOOPBACK_MAX_PUMPS pumps, the two protocols are taken
 * to be answering each other forever, and the test fails with a message
 * naming the loopback's creator.
 */
void
braid_loopback_flush (BraidLoopback *self)
{
  g_return_if_fail (BRAID_IS_LOOPBACK (self));
  g_return_if_fail (!self->pumping);

  for (guint pumps = 0; braid_loopback_pump_once (self); pumps++)
    if (pumps + 1 >= BRAID_LOOPBACK_MAX_PUMPS)
      {
        g_autofree char *message =
          g_strdup_printf ("the loopback created at %s is still moving data after %u "
                           "pumps: a protocol that answers every message with a "
                           "message, or a producer that never stops?",
                           self->creator, (guint) BRAID_LOOPBACK_MAX_PUMPS);

        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
        return;
      }
}

/**
 * braid_loopback_close:
 * @self: a loopback
 *
 * Flushes, so that the bytes in flight are delivered, then closes both
 * sides cleanly (`lose_connection`) and flushes again: both protocols get
 * `connection_lost`. Closing a closed loopback does nothing.
 */
void
braid_loopback_close (BraidLoopback *self)
{
  g_return_if_fail (BRAID_IS_LOOPBACK (self));

  if (!self->open)
    return;
  braid_loopback_flush (self);
  if (!self->open)
    return;
  braid_transport_lose_connection (BRAID_TRANSPORT (self->server));
  braid_transport_lose_connection (BRAID_TRANSPORT (self->client));
  braid_loopback_flush (self);
}

/**
 * braid_loopback_is_open:
 * @self: a loopback
 *
 * Tells whether the connection is still open.
 *
 * Returns: %TRUE until both sides got `connection_lost`
 */
gboolean
braid_loopback_is_open (BraidLoopback *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPBACK (self), FALSE);
  return self->open;
}

/**
 * braid_loopback_get_server_transport:
 * @self: a loopback
 *
 * Gets the transport of the server side.
 *
 * Returns: (transfer none): the server protocol's transport (writing to it
 *   sends to the client)
 */
BraidTransport *
braid_loopback_get_server_transport (BraidLoopback *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPBACK (self), NULL);
  return BRAID_TRANSPORT (self->server);
}

/**
 * braid_loopback_get_client_transport:
 * @self: a loopback
 *
 * Gets the transport of the client side.
 *
 * Returns: (transfer none): the client protocol's transport (writing to it
 *   sends to the server)
 */
BraidTransport *
braid_loopback_get_client_transport (BraidLoopback *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPBACK (self), NULL);
  return BRAID_TRANSPORT (self->client);
}

/**
 * braid_loopback_get_pending_bytes:
 * @self: a loopback
 * @from: one of @self's two transports
 *
 * Counts the bytes written to one side and not yet delivered to the other.
 *
 * Returns: how many bytes written to @from have not been delivered yet
 */
gsize
braid_loopback_get_pending_bytes (BraidLoopback *self, BraidTransport *from)
{
  g_return_val_if_fail (BRAID_IS_LOOPBACK (self), 0);
  g_return_val_if_fail (from == BRAID_TRANSPORT (self->server)
                        || from == BRAID_TRANSPORT (self->client), 0);
  return outgoing_pending (BRAID_LOOPBACK_TRANSPORT (from));
}

/**
 * braid_loopback_get_creator:
 * @self: a loopback
 *
 * Tells where in the source the loopback was made, so a leftover names its
 * creator.
 *
 * Returns: where the loopback was made, as `"file.c:123"`
 */
const char *
braid_loopback_get_creator (BraidLoopback *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPBACK (self), NULL);
  return self->creator;
}
