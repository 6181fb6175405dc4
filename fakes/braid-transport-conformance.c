/* braid-transport-conformance.c: what every stream transport must do. */
#include "config.h"

#include <string.h>

#include "braid-fakes.h"

/**
 * braid_transport_conformance_add:
 * @factory: (transfer none): how to make connections of the transport;
 *   must live until the tests have run (a static is usual)
 *
 * Registers the conformance kit's cases for one stream transport, as GTest
 * cases `/transport-conformance/CASE/NAME`: every Braid stream transport,
 * real or fake, must pass them all, so a fake that differs from the real
 * thing is caught (Trio's `check_two_way_stream` is the model). The cases:
 *
 * - `bytes-in-order`: 200 000 bytes each way, written in pieces of
 *   varying size, arrive intact and in order however they are chunked;
 * - `lose-connection-flushes`: what was written before `lose_connection`
 *   arrives, then both sides get `connection_lost` exactly once, clean;
 * - `abort-drops`: after `abort_connection`, both sides get
 *   `connection_lost` exactly once, unclean (the peer's is clean on a
 *   transport with %BRAID_CONFORMANCE_NO_RESET);
 * - `half-close`: `lose_write_connection` gives a half-closing peer
 *   `read_connection_lost`; it still answers; then both close cleanly;
 * - `write-after-close`: once the connection is lost, writes, closes
 *   and aborts on either side are ignored (nothing arrives, nothing is
 *   called twice) and `is_disconnecting` is %TRUE. (Writes made between
 *   `lose_connection` and the close are not checked: Twisted and the
 *   loopback deliver them, Braid's socket transport, closing at once
 *   when its buffer is empty, does not.)
 * - `producer-pause-resume`: with the peer not reading, a streaming
 *   producer is paused once the buffer is full, and resumed once the peer
 *   reads again; nothing written is lost;
 * - `host-and-peer`: the client's peer is the server's host, and for IP
 *   transports the server's peer is the client's host.
 */

/* ---------------------------------------------------------------------- */
/* The protocols and the producer the cases use.                           */

typedef struct {
  GString *received;
  guint made;
  guint lost;
  guint read_lost;
  GError *reason;
} ConfState;

#define CONF_TYPE_PROTOCOL (conf_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (ConfProtocol, conf_protocol, CONF, PROTOCOL, BraidProtocol)
struct _ConfProtocolClass { BraidProtocolClass parent_class; };

typedef struct { ConfState state; } ConfProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (ConfProtocol, conf_protocol, BRAID_TYPE_PROTOCOL)

static ConfState *
conf_state (gpointer protocol)
{
  ConfProtocolPrivate *priv = conf_protocol_get_instance_private (CONF_PROTOCOL (protocol));

  return &priv->state;
}

static void
conf_connection_made (BraidProtocol *protocol)
{
  conf_state (protocol)->made++;
}

static void
conf_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  g_string_append_len (conf_state (protocol)->received, (const char *) data, len);
}

static void
conf_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  ConfState *state = conf_state (protocol);

  state->lost++;
  g_clear_error (&state->reason);
  state->reason = g_error_copy (reason);
}

static void
conf_protocol_finalize (GObject *object)
{
  ConfState *state = conf_state (object);

  g_string_free (state->received, TRUE);
  g_clear_error (&state->reason);
  G_OBJECT_CLASS (conf_protocol_parent_class)->finalize (object);
}

static void
conf_protocol_class_init (ConfProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = conf_protocol_finalize;
  protocol_class->connection_made = conf_connection_made;
  protocol_class->data_received = conf_data_received;
  protocol_class->connection_lost = conf_connection_lost;
}

static void
conf_protocol_init (ConfProtocol *self)
{
  conf_state (self)->received = g_string_new (NULL);
}

#define CONF_TYPE_HALF_PROTOCOL (conf_half_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ConfHalfProtocol, conf_half_protocol, CONF, HALF_PROTOCOL, ConfProtocol)
struct _ConfHalfProtocol { ConfProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (ConfHalfProtocol, conf_half_protocol, CONF_TYPE_PROTOCOL)

static void
conf_read_connection_lost (BraidProtocol *protocol)
{
  conf_state (protocol)->read_lost++;
}

static void
conf_half_protocol_class_init (ConfHalfProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->read_connection_lost = conf_read_connection_lost;
}

static void
conf_half_protocol_init (ConfHalfProtocol *self)
{
}

#define CONF_TYPE_PRODUCER (conf_producer_get_type ())
G_DECLARE_FINAL_TYPE (ConfProducer, conf_producer, CONF, PRODUCER, GObject)
struct _ConfProducer
{
  GObject parent_instance;
  gboolean paused;
  guint pauses;
  guint resumes;
};

static void conf_producer_iface_init (BraidProducerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (ConfProducer, conf_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, conf_producer_iface_init))

static void
conf_producer_pause (BraidProducer *producer)
{
  CONF_PRODUCER (producer)->paused = TRUE;
  CONF_PRODUCER (producer)->pauses++;
}

static void
conf_producer_resume (BraidProducer *producer)
{
  CONF_PRODUCER (producer)->paused = FALSE;
  CONF_PRODUCER (producer)->resumes++;
}

static void
conf_producer_stop (BraidProducer *producer)
{
}

static void
conf_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = conf_producer_pause;
  iface->resume_producing = conf_producer_resume;
  iface->stop_producing = conf_producer_stop;
}

static void
conf_producer_class_init (ConfProducerClass *klass)
{
}

static void
conf_producer_init (ConfProducer *self)
{
}

/* ---------------------------------------------------------------------- */
/* The one-shot factory.                                                   */

#define CONF_TYPE_FACTORY (conf_factory_get_type ())
G_DECLARE_FINAL_TYPE (ConfFactory, conf_factory, CONF, FACTORY, BraidClientFactory)
struct _ConfFactory
{
  BraidClientFactory parent_instance;
  BraidProtocol *protocol;   /* handed out once */
};
G_DEFINE_FINAL_TYPE (ConfFactory, conf_factory, BRAID_TYPE_CLIENT_FACTORY)

static BraidProtocol *
conf_factory_build_protocol (BraidFactory *factory, GSocketAddress *address)
{
  ConfFactory *self = CONF_FACTORY (factory);

  return self->protocol != NULL ? g_steal_pointer (&self->protocol) : NULL;
}

static void
conf_factory_finalize (GObject *object)
{
  g_clear_object (&CONF_FACTORY (object)->protocol);
  G_OBJECT_CLASS (conf_factory_parent_class)->finalize (object);
}

static void
conf_factory_class_init (ConfFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = conf_factory_finalize;
  BRAID_FACTORY_CLASS (klass)->build_protocol = conf_factory_build_protocol;
}

static void
conf_factory_init (ConfFactory *self)
{
}

/**
 * braid_conformance_factory_new:
 * @protocol: the protocol to hand out
 *
 * Makes a client factory (usable as a server factory too) whose first
 * `build_protocol` returns @protocol and every later one %NULL: a pair
 * factory's `open` listens and connects with two of them, so the real
 * reactor builds the protocols the case made.
 *
 * Returns: (transfer full): the factory
 */
BraidClientFactory *
braid_conformance_factory_new (BraidProtocol *protocol)
{
  ConfFactory *self;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (protocol), NULL);
  self = g_object_new (CONF_TYPE_FACTORY, "protocol-type", G_OBJECT_TYPE (protocol), NULL);
  self->protocol = g_object_ref (protocol);
  return BRAID_CLIENT_FACTORY (self);
}

/* ---------------------------------------------------------------------- */
/* The cases.                                                              */

#define CASE_SECONDS 10.0

typedef struct {
  const BraidTransportPairFactory *factory;
  gpointer pair;
  BraidProtocol *server;
  BraidProtocol *client;
  ConfState *s;
  ConfState *c;
  gsize want_server;
  gsize want_client;
  ConfProducer *producer;
} Case;

static void
case_open (Case *k, const BraidTransportPairFactory *factory, gboolean server_half_close)
{
  k->factory = factory;
  k->server = g_object_new (server_half_close ? CONF_TYPE_HALF_PROTOCOL : CONF_TYPE_PROTOCOL, NULL);
  k->client = g_object_new (CONF_TYPE_PROTOCOL, NULL);
  k->s = conf_state (k->server);
  k->c = conf_state (k->client);
  k->pair = factory->open (k->server, k->client, factory->user_data);
  g_assert_nonnull (k->pair);
  g_assert_cmpuint (k->s->made, ==, 1);
  g_assert_cmpuint (k->c->made, ==, 1);
}

static void
case_close (Case *k)
{
  k->factory->close (k->pair);
  g_clear_object (&k->server);
  g_clear_object (&k->client);
  g_clear_object (&k->producer);
}

static gboolean
case_run (Case *k, BraidConformanceDone done, gdouble seconds)
{
  return k->factory->run_until (k->pair, done, k, seconds);
}

static BraidTransport *
server_transport (Case *k)
{
  return braid_protocol_get_transport (k->server);
}

static BraidTransport *
client_transport (Case *k)
{
  return braid_protocol_get_transport (k->client);
}

static gboolean
both_received (gpointer data)
{
  Case *k = data;

  return k->s->received->len >= k->want_server && k->c->received->len >= k->want_client;
}

static gboolean
both_lost (gpointer data)
{
  Case *k = data;

  return k->s->lost > 0 && k->c->lost > 0;
}

static gboolean
nothing (gpointer data)
{
  return FALSE;
}

static GString *
pattern (gsize len, guint salt)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    g_string_append_c (out, (char) ((i * 7 + salt + i / 251) & 0xff));
  return out;
}

/* Writes @data in pieces of 1, 2, 3, ... 4096, 1, 2, ... bytes. */
static void
write_in_pieces (BraidTransport *transport, GString *data)
{
  gsize piece = 1;

  for (gsize at = 0; at < data->len; at += piece, piece = piece % 4096 + 1)
    braid_transport_write (transport, (const guint8 *) data->str + at,
                           MIN (piece, data->len - at));
}

static void
case_bytes_in_order (gconstpointer data)
{
  Case k = { 0 };
  g_autoptr (GString) up = pattern (200000, 1);
  g_autoptr (GString) down = pattern (200000, 2);

  case_open (&k, data, FALSE);
  write_in_pieces (client_transport (&k), up);
  write_in_pieces (server_transport (&k), down);
  k.want_server = up->len;
  k.want_client = down->len;
  g_assert_true (case_run (&k, both_received, CASE_SECONDS));
  g_assert_cmpuint (k.s->received->len, ==, up->len);
  g_assert_true (memcmp (k.s->received->str, up->str, up->len) == 0);
  g_assert_cmpuint (k.c->received->len, ==, down->len);
  g_assert_true (memcmp (k.c->received->str, down->str, down->len) == 0);
  g_assert_cmpuint (k.s->lost + k.c->lost, ==, 0);
  case_close (&k);
}

static void
case_lose_connection_flushes (gconstpointer data)
{
  Case k = { 0 };
  g_autoptr (GString) up = pattern (20000, 3);

  case_open (&k, data, FALSE);
  write_in_pieces (client_transport (&k), up);
  braid_transport_lose_connection (client_transport (&k));
  braid_transport_lose_connection (client_transport (&k));
  g_assert_true (case_run (&k, both_lost, CASE_SECONDS));
  g_assert_cmpuint (k.s->received->len, ==, up->len);
  g_assert_true (memcmp (k.s->received->str, up->str, up->len) == 0);
  case_run (&k, nothing, 0.05);
  g_assert_cmpuint (k.s->lost, ==, 1);
  g_assert_cmpuint (k.c->lost, ==, 1);
  g_assert_true (braid_error_is_clean_close (k.s->reason));
  g_assert_true (braid_error_is_clean_close (k.c->reason));
  case_close (&k);
}

static void
case_abort_drops (gconstpointer data)
{
  Case k = { 0 };

  case_open (&k, data, FALSE);
  braid_transport_abort_connection (client_transport (&k));
  braid_transport_abort_connection (client_transport (&k));
  g_assert_true (case_run (&k, both_lost, CASE_SECONDS));
  case_run (&k, nothing, 0.05);
  g_assert_cmpuint (k.s->lost, ==, 1);
  g_assert_cmpuint (k.c->lost, ==, 1);
  g_assert_false (braid_error_is_clean_close (k.c->reason));
  if (!(k.factory->flags & BRAID_CONFORMANCE_NO_RESET))
    g_assert_false (braid_error_is_clean_close (k.s->reason));
  case_close (&k);
}

static gboolean
server_read_lost (gpointer data)
{
  Case *k = data;

  return k->s->read_lost > 0 && k->s->received->len >= k->want_server;
}

static void
case_half_close (gconstpointer data)
{
  Case k = { 0 };

  case_open (&k, data, TRUE);
  braid_transport_write_string (client_transport (&k), "request");
  braid_transport_lose_write_connection (client_transport (&k));
  k.want_server = 7;
  g_assert_true (case_run (&k, server_read_lost, CASE_SECONDS));
  g_assert_cmpstr (k.s->received->str, ==, "request");
  g_assert_cmpuint (k.s->lost, ==, 0);
  g_assert_cmpuint (k.c->lost, ==, 0);
  braid_transport_write_string (server_transport (&k), "response");
  braid_transport_lose_connection (server_transport (&k));
  g_assert_true (case_run (&k, both_lost, CASE_SECONDS));
  g_assert_cmpstr (k.c->received->str, ==, "response");
  g_assert_cmpuint (k.s->read_lost, ==, 1);
  g_assert_true (braid_error_is_clean_close (k.s->reason));
  g_assert_true (braid_error_is_clean_close (k.c->reason));
  case_close (&k);
}

static void
case_write_after_close (gconstpointer data)
{
  Case k = { 0 };

  case_open (&k, data, FALSE);
  g_assert_false (braid_transport_is_disconnecting (client_transport (&k)));
  braid_transport_write_string (client_transport (&k), "before");
  braid_transport_lose_connection (client_transport (&k));
  g_assert_true (braid_transport_is_disconnecting (client_transport (&k)));
  g_assert_true (case_run (&k, both_lost, CASE_SECONDS));
  g_assert_cmpstr (k.s->received->str, ==, "before");
  /* Closed: writes, closes and aborts on either side are ignored. */
  braid_transport_write_string (client_transport (&k), "after");
  braid_transport_write_string (server_transport (&k), "after");
  braid_transport_lose_connection (client_transport (&k));
  braid_transport_abort_connection (server_transport (&k));
  g_assert_true (braid_transport_is_disconnecting (client_transport (&k)));
  g_assert_true (braid_transport_is_disconnecting (server_transport (&k)));
  case_run (&k, nothing, 0.05);
  g_assert_cmpstr (k.s->received->str, ==, "before");
  g_assert_cmpstr (k.c->received->str, ==, "");
  g_assert_cmpuint (k.s->lost, ==, 1);
  g_assert_cmpuint (k.c->lost, ==, 1);
  case_close (&k);
}

static gboolean
producer_paused (gpointer data)
{
  return ((Case *) data)->producer->paused;
}

static gboolean
producer_resumed_and_all_read (gpointer data)
{
  Case *k = data;

  return !k->producer->paused && k->s->received->len >= k->want_server;
}

static void
case_producer_pause_resume (gconstpointer data)
{
  Case k = { 0 };
  g_autoptr (GString) block = pattern (64 * 1024, 4);
  gsize written = 0;

  case_open (&k, data, FALSE);
  k.producer = g_object_new (CONF_TYPE_PRODUCER, NULL);
  braid_producer_pause_producing (BRAID_PRODUCER (server_transport (&k)));
  braid_transport_register_producer (client_transport (&k), BRAID_PRODUCER (k.producer), TRUE);
  while (!k.producer->paused && written < 256 * 1024 * 1024)
    {
      braid_transport_write (client_transport (&k), (const guint8 *) block->str, block->len);
      written += block->len;
      case_run (&k, producer_paused, 0);
    }
  g_assert_true (k.producer->paused);
  g_assert_cmpuint (k.producer->pauses, ==, 1);
  braid_producer_resume_producing (BRAID_PRODUCER (server_transport (&k)));
  k.want_server = written;
  g_assert_true (case_run (&k, producer_resumed_and_all_read, CASE_SECONDS));
  g_assert_cmpuint (k.producer->resumes, ==, 1);
  g_assert_cmpuint (k.s->received->len, ==, written);
  braid_transport_unregister_producer (client_transport (&k));
  case_close (&k);
}

static char *
address_string (GSocketAddress *address)
{
  g_assert_nonnull (address);
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static void
case_host_and_peer (gconstpointer data)
{
  Case k = { 0 };
  g_autofree char *client_peer = NULL, *server_host = NULL;
  GSocketAddress *client_host, *server_peer;

  case_open (&k, data, FALSE);
  client_peer = address_string (braid_transport_get_peer (client_transport (&k)));
  server_host = address_string (braid_transport_get_host (server_transport (&k)));
  g_assert_cmpstr (client_peer, ==, server_host);
  client_host = braid_transport_get_host (client_transport (&k));
  server_peer = braid_transport_get_peer (server_transport (&k));
  g_assert_nonnull (client_host);
  g_assert_nonnull (server_peer);
  if (G_IS_INET_SOCKET_ADDRESS (client_host))
    {
      g_autofree char *a = address_string (client_host);
      g_autofree char *b = address_string (server_peer);

      g_assert_cmpstr (a, ==, b);
    }
  case_close (&k);
}

void
braid_transport_conformance_add (const BraidTransportPairFactory *factory)
{
  struct { const char *name; GTestDataFunc func; BraidConformanceFlags skip_if; } cases[] = {
    { "bytes-in-order", case_bytes_in_order, 0 },
    { "lose-connection-flushes", case_lose_connection_flushes, 0 },
    { "abort-drops", case_abort_drops, 0 },
    { "half-close", case_half_close, BRAID_CONFORMANCE_NO_HALF_CLOSE },
    { "write-after-close", case_write_after_close, 0 },
    { "producer-pause-resume", case_producer_pause_resume, BRAID_CONFORMANCE_NO_BACKPRESSURE },
    { "host-and-peer", case_host_and_peer, 0 },
  };

  g_return_if_fail (factory != NULL && factory->name != NULL);
  g_return_if_fail (factory->open != NULL && factory->run_until != NULL && factory->close != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;

      if (factory->flags & cases[i].skip_if)
        continue;
      path = g_strdup_printf ("/transport-conformance/%s/%s", cases[i].name, factory->name);
      g_test_add_data_func (path, factory, cases[i].func);
    }
}
