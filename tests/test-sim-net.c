/* test-sim-net.c: BraidSimNet: nodes, links and their rules, crash and
 * restart, the guards, determinism and the journal. */
#include "test-protocols.h"
#include "datagram-recorder.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* ---------------------------------------------------------------------- */
/* A client factory that keeps what it builds and hears.                   */

#define CAPTURE_TYPE_FACTORY (capture_factory_get_type ())
G_DECLARE_FINAL_TYPE (CaptureFactory, capture_factory, CAPTURE, FACTORY, BraidClientFactory)

struct _CaptureFactory
{
  BraidClientFactory parent_instance;

  const char *name;
  GPtrArray *built;        /* of RecordingProtocol* */
  gboolean half_close;
  gboolean echo;
  guint failed;
  guint lost;
  GError *failure;
  GError *loss;
};

G_DEFINE_FINAL_TYPE (CaptureFactory, capture_factory, BRAID_TYPE_CLIENT_FACTORY)

static BraidProtocol *
capture_build_protocol (BraidFactory *factory, GSocketAddress *address)
{
  CaptureFactory *self = CAPTURE_FACTORY (factory);
  RecordingProtocol *protocol = self->half_close ? half_close_protocol_new (self->name, NULL)
                                                 : recording_protocol_new (self->name, NULL);

  recording_protocol_state (protocol)->echo = self->echo;
  braid_protocol_set_factory (BRAID_PROTOCOL (protocol), factory);
  g_ptr_array_add (self->built, g_object_ref (protocol));
  return BRAID_PROTOCOL (protocol);
}

static void
capture_failed (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  CaptureFactory *self = CAPTURE_FACTORY (factory);

  self->failed++;
  g_clear_error (&self->failure);
  self->failure = g_error_copy (reason);
}

static void
capture_lost (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  CaptureFactory *self = CAPTURE_FACTORY (factory);

  self->lost++;
  g_clear_error (&self->loss);
  self->loss = g_error_copy (reason);
}

static void
capture_factory_finalize (GObject *object)
{
  CaptureFactory *self = CAPTURE_FACTORY (object);

  g_ptr_array_unref (self->built);
  g_clear_error (&self->failure);
  g_clear_error (&self->loss);
  G_OBJECT_CLASS (capture_factory_parent_class)->finalize (object);
}

static void
capture_factory_class_init (CaptureFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = capture_factory_finalize;
  BRAID_FACTORY_CLASS (klass)->build_protocol = capture_build_protocol;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = capture_failed;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_lost = capture_lost;
}

static void
capture_factory_init (CaptureFactory *self)
{
  self->built = g_ptr_array_new_with_free_func (g_object_unref);
}

static CaptureFactory *
capture_factory_new (const char *name)
{
  CaptureFactory *self = g_object_new (CAPTURE_TYPE_FACTORY,
                                       "protocol-type", RECORDING_TYPE_PROTOCOL, NULL);

  self->name = name;
  return self;
}

/* The protocols hold their factory and the factory holds them: break the
 * cycle, then drop the factory. */
static void
capture_release (CaptureFactory **factory)
{
  if (*factory != NULL)
    g_ptr_array_set_size ((*factory)->built, 0);
  g_clear_object (factory);
}

static RecordingProtocol *
built (CaptureFactory *factory, guint index)
{
  g_assert_cmpuint (factory->built->len, >, index);
  return g_ptr_array_index (factory->built, index);
}

static RecordingState *
state_of (CaptureFactory *factory, guint index)
{
  return recording_protocol_state (built (factory, index));
}

static BraidTransport *
transport_of (CaptureFactory *factory, guint index)
{
  return braid_protocol_get_transport (BRAID_PROTOCOL (built (factory, index)));
}

/* A server node, a client node, a server listening on 8000 and a client
 * connected to it (run until connected). */
typedef struct {
  BraidSimNet *net;
  BraidSimNode *server;
  BraidSimNode *client;
  CaptureFactory *server_factory;
  CaptureFactory *client_factory;
  BraidConnector *connector;
} Pair;

static void
pair_setup (Pair *pair, guint32 seed, gdouble latency, gdouble jitter)
{
  g_autoptr (GError) error = NULL;

  pair->net = braid_sim_net_new (seed);
  braid_sim_link_set_latency (braid_sim_net_get_default_link (pair->net), latency, jitter);
  pair->server = braid_sim_net_add_node (pair->net, "server", "10.0.0.1");
  pair->client = braid_sim_net_add_node (pair->net, "client", "10.0.0.2");
  pair->server_factory = capture_factory_new ("server");
  pair->client_factory = capture_factory_new ("client");
  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (pair->server), 8000,
                                              BRAID_FACTORY (pair->server_factory), NULL, &error));
  g_assert_no_error (error);
}

static gboolean
client_connected (gpointer data)
{
  Pair *pair = data;

  return pair->client_factory->built->len > 0;
}

static void
pair_connect (Pair *pair)
{
  g_autoptr (GError) error = NULL;

  pair->connector = braid_reactor_connect_tcp (BRAID_REACTOR (pair->client), "10.0.0.1", 8000,
                                               BRAID_CLIENT_FACTORY (pair->client_factory));
  g_assert_true (braid_sim_net_run_until (pair->net, client_connected, pair, 10, &error));
  g_assert_no_error (error);
}

static void
pair_clear (Pair *pair)
{
  g_clear_object (&pair->net);
  capture_release (&pair->server_factory);
  capture_release (&pair->client_factory);
}

static void
client_write (Pair *pair, const char *text)
{
  braid_transport_write_string (transport_of (pair->client_factory, 0), text);
}

static void
run_all (BraidSimNet *net)
{
  while (braid_sim_net_step (net))
    ;
}

/* ---------------------------------------------------------------------- */
/* Connections and latency.                                                */

static void
test_connect_and_deliver (void)
{
  Pair pair = { 0 };
  BraidClock *clock;
  g_autofree char *peer = NULL;

  pair_setup (&pair, 1, 0.020, 0);
  pair_connect (&pair);
  clock = BRAID_CLOCK (pair.client);
  /* SYN there, SYN-ACK back: one round trip. */
  g_assert_cmpfloat_with_epsilon (braid_clock_seconds (clock), 0.040, 1e-9);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->made_count, ==, 1);
  g_assert_cmpuint (state_of (pair.client_factory, 0)->made_count, ==, 1);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.server), ==, 1);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.client), ==, 1);

  client_write (&pair, "hello");
  g_assert_true (braid_sim_net_step (pair.net));
  g_assert_cmpstr (state_of (pair.server_factory, 0)->received->str, ==, "hello");
  g_assert_cmpfloat_with_epsilon (braid_clock_seconds (BRAID_CLOCK (pair.net)), 0.060, 1e-9);
  g_assert_false (braid_sim_net_step (pair.net));

  /* Addresses: the nodes', the server's port, an ephemeral client port. */
  peer = g_socket_connectable_to_string (
    G_SOCKET_CONNECTABLE (braid_transport_get_peer (transport_of (pair.client_factory, 0))));
  g_assert_cmpstr (peer, ==, "10.0.0.1:8000");
  g_assert_cmpstr (braid_sim_node_get_name (pair.client), ==, "client");
  g_assert_cmpstr (braid_sim_node_get_address (pair.client), ==, "10.0.0.2");
  g_assert_true (braid_sim_node_get_net (pair.client) == pair.net);
  g_assert_true (braid_sim_net_get_node (pair.net, "10.0.0.1") == pair.server);
  g_assert_true (braid_sim_net_get_node (pair.net, "server") == pair.server);
  g_assert_null (braid_sim_net_get_node (pair.net, "nobody"));
  g_assert_true (braid_connector_get_reactor (pair.connector) == BRAID_REACTOR (pair.client));
  g_assert_nonnull (braid_connector_get_destination (pair.connector));
  g_assert_cmpuint (braid_sim_net_get_seed (pair.net), ==, 1);
  pair_clear (&pair);
}

static void
test_connect_by_name (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0, 0);
  pair.connector = braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "server", 8000,
                                              BRAID_CLIENT_FACTORY (pair.client_factory));
  g_assert_true (braid_sim_net_run_until (pair.net, client_connected, &pair, 1, &error));
  g_assert_no_error (error);
  pair_clear (&pair);
}

/* The journal names a node by its name however it was reached: a
 * connection by address, or a failed one, draws no lane of its own. */
static void
test_journal_names_the_node_not_the_address (void)
{
  Pair pair = { 0 };
  g_autoptr (BraidClientFactory) refused = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  const char *journal;

  pair_setup (&pair, 1, 0.001, 0);
  pair_connect (&pair);   /* by address, 10.0.0.1 */
  braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.0.0.1", 9999, refused);
  braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.9.9.9", 80, refused);
  run_all (pair.net);
  journal = braid_sim_net_get_journal (pair.net);
  g_assert_nonnull (strstr (journal, "\"event\":\"connect\",\"node\":\"client\",\"peer\":\"server\""));
  g_assert_nonnull (strstr (journal, "\"event\":\"refused\",\"node\":\"client\",\"peer\":\"server\""));
  /* An address no node has is written as given. */
  g_assert_nonnull (strstr (journal, "\"peer\":\"10.9.9.9\""));
  g_assert_null (strstr (journal, "\"peer\":\"10.0.0.1\""));
  pair_clear (&pair);
}

static void
test_jitter_keeps_order (void)
{
  Pair pair = { 0 };
  GString *expected = g_string_new (NULL);

  pair_setup (&pair, 7, 0.050, 0.045);
  pair_connect (&pair);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *piece = g_strdup_printf ("%u,", i);

      g_string_append (expected, piece);
      client_write (&pair, piece);
      braid_sim_net_run_for (pair.net, 0.001);
    }
  run_all (pair.net);
  g_assert_cmpstr (state_of (pair.server_factory, 0)->received->str, ==, expected->str);
  g_string_free (expected, TRUE);
  pair_clear (&pair);
}

static void
test_jitter_varies_delay (void)
{
  Pair pair = { 0 };
  gdouble first, second;

  pair_setup (&pair, 3, 0.050, 0.040);
  pair_connect (&pair);
  client_write (&pair, "a");
  first = braid_clock_seconds (BRAID_CLOCK (pair.net));
  run_all (pair.net);
  first = braid_clock_seconds (BRAID_CLOCK (pair.net)) - first;
  client_write (&pair, "b");
  second = braid_clock_seconds (BRAID_CLOCK (pair.net));
  run_all (pair.net);
  second = braid_clock_seconds (BRAID_CLOCK (pair.net)) - second;
  g_assert_cmpfloat (first, >=, 0.010);
  g_assert_cmpfloat (first, <=, 0.090);
  g_assert_cmpfloat (second, >=, 0.010);
  g_assert_cmpfloat (second, <=, 0.090);
  g_assert_cmpfloat (first, !=, second);
  pair_clear (&pair);
}

static void
test_bandwidth (void)
{
  Pair pair = { 0 };
  char block[500];
  RecordingState *server;
  gdouble start;

  pair_setup (&pair, 1, 0, 0);
  pair_connect (&pair);
  braid_sim_link_set_bandwidth (braid_sim_net_get_link (pair.net, "client", "server"), 1000);
  memset (block, 'x', sizeof block);
  server = state_of (pair.server_factory, 0);
  start = braid_clock_seconds (BRAID_CLOCK (pair.net));
  braid_transport_write (transport_of (pair.client_factory, 0), (guint8 *) block, sizeof block);
  braid_transport_write (transport_of (pair.client_factory, 0), (guint8 *) block, sizeof block);
  braid_sim_net_run_for (pair.net, 0.499);
  g_assert_cmpuint (server->received->len, ==, 0);
  braid_sim_net_run_for (pair.net, 0.001);
  g_assert_cmpuint (server->received->len, ==, 500);
  run_all (pair.net);
  g_assert_cmpuint (server->received->len, ==, 1000);
  g_assert_cmpfloat_with_epsilon (braid_clock_seconds (BRAID_CLOCK (pair.net)) - start, 1.0, 1e-9);
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Partitions and hold.                                                    */

static void
test_partition_stalls_then_delivers (void)
{
  Pair pair = { 0 };
  RecordingState *server;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  braid_sim_net_partition (pair.net, "client", "server", TRUE, TRUE);
  g_assert_true (braid_sim_link_get_partitioned (braid_sim_net_get_link (pair.net, "server", "client")));
  client_write (&pair, "one ");
  client_write (&pair, "two");
  braid_sim_net_run_for (pair.net, 60);
  g_assert_cmpuint (server->received->len, ==, 0);
  g_assert_cmpuint (server->lost_count, ==, 0);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "\"event\":\"stall\""));

  braid_sim_net_partition (pair.net, "client", "server", TRUE, FALSE);
  braid_sim_net_run_for (pair.net, 0.0099);
  g_assert_cmpuint (server->received->len, ==, 0);
  braid_sim_net_run_for (pair.net, 0.0001);
  run_all (pair.net);
  g_assert_cmpstr (server->received->str, ==, "one two");
  pair_clear (&pair);
}

static void
test_partition_one_way (void)
{
  Pair pair = { 0 };

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  braid_sim_net_partition (pair.net, "client", "server", FALSE, TRUE);
  client_write (&pair, "lost for now");
  braid_transport_write_string (transport_of (pair.server_factory, 0), "gets through");
  braid_sim_net_run_for (pair.net, 1);
  g_assert_cmpstr (state_of (pair.client_factory, 0)->received->str, ==, "gets through");
  g_assert_cmpuint (state_of (pair.server_factory, 0)->received->len, ==, 0);
  braid_sim_net_partition (pair.net, "client", "server", FALSE, FALSE);
  run_all (pair.net);
  g_assert_cmpstr (state_of (pair.server_factory, 0)->received->str, ==, "lost for now");
  pair_clear (&pair);
}

static void
test_scheduled_partition (void)
{
  Pair pair = { 0 };
  RecordingState *server;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  braid_sim_net_schedule_partition (pair.net, "client", "server", TRUE, 1, 5);
  braid_sim_net_run_for (pair.net, 1.5);
  client_write (&pair, "during");
  braid_sim_net_run_for (pair.net, 4.4);
  g_assert_cmpuint (server->received->len, ==, 0);
  braid_sim_net_run_for (pair.net, 0.2);
  g_assert_cmpstr (server->received->str, ==, "during");
  g_assert_false (braid_sim_link_get_partitioned (braid_sim_net_get_link (pair.net, "client", "server")));
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "\"event\":\"heal\""));

  /* For ever: never healed. */
  braid_sim_net_schedule_partition (pair.net, "client", "server", FALSE, 0, -1);
  braid_sim_net_run_for (pair.net, 1000);
  g_assert_true (braid_sim_link_get_partitioned (braid_sim_net_get_link (pair.net, "client", "server")));
  pair_clear (&pair);
}

static void
test_hold_and_release (void)
{
  Pair pair = { 0 };
  BraidSimLink *link;
  RecordingState *server;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  link = braid_sim_net_get_link (pair.net, "client", "server");
  braid_sim_link_hold (link);
  braid_sim_link_hold (link);
  g_assert_true (braid_sim_link_get_held (link));
  client_write (&pair, "held");
  braid_sim_net_run_for (pair.net, 3600);
  g_assert_cmpuint (server->received->len, ==, 0);
  braid_sim_link_release (link);
  braid_sim_link_release (link);
  g_assert_false (braid_sim_link_get_held (link));
  run_all (pair.net);
  g_assert_cmpstr (server->received->str, ==, "held");
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "\"event\":\"release\""));
  pair_clear (&pair);
}

static void
test_hold_and_partition_together (void)
{
  Pair pair = { 0 };
  BraidSimLink *link;
  RecordingState *server;

  pair_setup (&pair, 1, 0, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  link = braid_sim_net_get_link (pair.net, "client", "server");
  braid_sim_link_hold (link);
  braid_sim_link_set_partitioned (link, TRUE);
  client_write (&pair, "x");
  run_all (pair.net);
  /* Released, still cut; healed, still held: nothing crosses. */
  braid_sim_link_release (link);
  run_all (pair.net);
  g_assert_cmpuint (server->received->len, ==, 0);
  braid_sim_link_hold (link);
  braid_sim_link_set_partitioned (link, FALSE);
  run_all (pair.net);
  g_assert_cmpuint (server->received->len, ==, 0);
  braid_sim_link_release (link);
  run_all (pair.net);
  g_assert_cmpstr (server->received->str, ==, "x");
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Connection attempts that fail.                                          */

static gboolean
client_failed (gpointer data)
{
  return ((Pair *) data)->client_factory->failed > 0;
}

static void
test_connect_refused (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0.010, 0);
  braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.0.0.1", 9999,
                             BRAID_CLIENT_FACTORY (pair.client_factory));
  g_assert_true (braid_sim_net_run_until (pair.net, client_failed, &pair, 10, &error));
  g_assert_no_error (error);
  g_assert_error (pair.client_factory->failure, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpfloat_with_epsilon (braid_clock_seconds (BRAID_CLOCK (pair.net)), 0.020, 1e-9);
  run_all (pair.net);
  pair_clear (&pair);
}

static void
test_connect_times_out_across_partition (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0.010, 0);
  braid_sim_net_partition (pair.net, "client", "server", TRUE, TRUE);
  braid_reactor_connect_tcp_full (BRAID_REACTOR (pair.client), "10.0.0.1", 8000,
                                  BRAID_CLIENT_FACTORY (pair.client_factory), 5, NULL);
  g_assert_true (braid_sim_net_run_until (pair.net, client_failed, &pair, 10, &error));
  g_assert_no_error (error);
  g_assert_error (pair.client_factory->failure, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpfloat_with_epsilon (braid_clock_seconds (BRAID_CLOCK (pair.net)), 5, 1e-9);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.server), ==, 0);
  pair_clear (&pair);
}

static void
test_refusal_lost_on_the_way_back (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0.010, 0);
  braid_sim_net_partition (pair.net, "server", "client", FALSE, TRUE);
  braid_reactor_connect_tcp_full (BRAID_REACTOR (pair.client), "10.0.0.1", 9999,
                                  BRAID_CLIENT_FACTORY (pair.client_factory), 2, NULL);
  g_assert_true (braid_sim_net_run_until (pair.net, client_failed, &pair, 10, &error));
  g_assert_error (pair.client_factory->failure, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  pair_clear (&pair);
}

static void
test_syn_ack_after_timeout_is_reset (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  /* The SYN-ACK comes back after the client gave up: the server's end is
   * reset, the client never hears of it. */
  pair_setup (&pair, 1, 1.0, 0);
  braid_reactor_connect_tcp_full (BRAID_REACTOR (pair.client), "10.0.0.1", 8000,
                                  BRAID_CLIENT_FACTORY (pair.client_factory), 1.5, NULL);
  g_assert_true (braid_sim_net_run_until (pair.net, client_failed, &pair, 10, &error));
  g_assert_error (pair.client_factory->failure, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  run_all (pair.net);
  g_assert_cmpuint (pair.client_factory->built->len, ==, 0);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->lost_count, ==, 1);
  g_assert_error (state_of (pair.server_factory, 0)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  pair_clear (&pair);
}

static void
test_unknown_host (void)
{
  Pair pair = { 0 };

  pair_setup (&pair, 1, 0.010, 0);
  braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.9.9.9", 8000,
                             BRAID_CLIENT_FACTORY (pair.client_factory));
  g_assert_cmpuint (pair.client_factory->failed, ==, 0);   /* never from inside the call */
  run_all (pair.net);
  g_assert_error (pair.client_factory->failure, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  pair_clear (&pair);
}

static void
test_stop_connecting_and_reconnect (void)
{
  Pair pair = { 0 };
  BraidConnector *connector;
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0.010, 0);
  connector = braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.0.0.1", 8000,
                                         BRAID_CLIENT_FACTORY (pair.client_factory));
  braid_connector_stop_connecting (connector);
  run_all (pair.net);
  g_assert_error (pair.client_factory->failure, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (pair.client_factory->built->len, ==, 0);

  braid_connector_connect (connector);
  g_assert_true (braid_sim_net_run_until (pair.net, client_connected, &pair, 1, &error));
  g_assert_no_error (error);
  /* disconnect() on a connected connector closes the connection. */
  braid_connector_disconnect (connector);
  run_all (pair.net);
  g_assert_cmpuint (pair.client_factory->lost, ==, 1);
  g_assert_error (pair.client_factory->loss, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);

  /* disconnect() while connecting stops the attempt. */
  braid_connector_connect (connector);
  braid_connector_disconnect (connector);
  run_all (pair.net);
  g_assert_cmpuint (pair.client_factory->failed, ==, 2);
  pair_clear (&pair);
}

static void
test_connector_misuse (void)
{
  Pair pair = { 0 };
  BraidConnector *connector;

  pair_setup (&pair, 1, 0.010, 0);
  connector = braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.0.0.1", 8000,
                                         BRAID_CLIENT_FACTORY (pair.client_factory));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*busy*");
  braid_connector_connect (connector);
  g_test_assert_expected_messages ();
  run_all (pair.net);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*not connecting*");
  braid_connector_stop_connecting (connector);
  g_test_assert_expected_messages ();
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Closing.                                                                */

static void
test_lose_connection_flushes_then_closes (void)
{
  Pair pair = { 0 };
  RecordingState *server, *client;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  client = state_of (pair.client_factory, 0);
  client_write (&pair, "last words");
  braid_transport_lose_connection (transport_of (pair.client_factory, 0));
  g_assert_true (braid_transport_is_disconnecting (transport_of (pair.client_factory, 0)));
  client_write (&pair, "ignored");
  run_all (pair.net);
  g_assert_cmpstr (server->received->str, ==, "last words");
  g_assert_cmpuint (server->lost_count, ==, 1);
  g_assert_cmpuint (client->lost_count, ==, 1);
  g_assert_error (server->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (client->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (pair.client_factory->loss, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.server), ==, 0);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.client), ==, 0);
  pair_clear (&pair);
}

static void
test_abort_drops_and_resets (void)
{
  Pair pair = { 0 };
  RecordingState *server, *client;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  client = state_of (pair.client_factory, 0);
  client_write (&pair, "never arrives");
  braid_transport_abort_connection (transport_of (pair.client_factory, 0));
  braid_transport_abort_connection (transport_of (pair.client_factory, 0));
  run_all (pair.net);
  g_assert_cmpuint (server->received->len, ==, 0);
  g_assert_cmpuint (server->lost_count, ==, 1);
  g_assert_cmpuint (client->lost_count, ==, 1);
  g_assert_error (server->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_error (client->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  pair_clear (&pair);
}

static void
test_half_close (void)
{
  Pair pair = { 0 };
  RecordingState *server, *client;

  pair_setup (&pair, 1, 0.010, 0);
  pair.server_factory->half_close = TRUE;
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  client = state_of (pair.client_factory, 0);
  client_write (&pair, "request");
  braid_transport_lose_write_connection (transport_of (pair.client_factory, 0));
  client_write (&pair, "ignored");
  run_all (pair.net);
  g_assert_cmpstr (server->received->str, ==, "request");
  g_assert_cmpuint (server->read_lost_count, ==, 1);
  g_assert_cmpuint (server->lost_count, ==, 0);
  /* The server answers, then closes: the client reads it all. */
  braid_transport_write_string (transport_of (pair.server_factory, 0), "response");
  braid_transport_lose_connection (transport_of (pair.server_factory, 0));
  run_all (pair.net);
  g_assert_cmpstr (client->received->str, ==, "response");
  g_assert_cmpuint (client->lost_count, ==, 1);
  g_assert_cmpuint (server->lost_count, ==, 1);
  g_assert_error (client->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  pair_clear (&pair);
}

static void
test_half_close_both_ways (void)
{
  Pair pair = { 0 };

  pair_setup (&pair, 1, 0.010, 0);
  pair.server_factory->half_close = TRUE;
  pair.client_factory->half_close = TRUE;
  pair_connect (&pair);
  braid_transport_lose_write_connection (transport_of (pair.client_factory, 0));
  run_all (pair.net);
  braid_transport_lose_write_connection (transport_of (pair.server_factory, 0));
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->lost_count, ==, 1);
  g_assert_cmpuint (state_of (pair.client_factory, 0)->lost_count, ==, 1);
  g_assert_error (state_of (pair.client_factory, 0)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  pair_clear (&pair);
}

static void
test_data_to_a_closed_end_resets_the_sender (void)
{
  Pair pair = { 0 };
  RecordingState *server;

  pair_setup (&pair, 1, 0.010, 0);
  pair.server_factory->half_close = TRUE;
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  /* The client closes; the half-closing server keeps writing to it. */
  braid_transport_lose_connection (transport_of (pair.client_factory, 0));
  braid_sim_net_run_for (pair.net, 0.005);
  braid_transport_write_string (transport_of (pair.server_factory, 0), "too late");
  run_all (pair.net);
  g_assert_cmpuint (server->lost_count, ==, 1);
  g_assert_error (server->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "\"event\":\"drop\""));
  pair_clear (&pair);
}


static void
test_write_sequence_and_repeated_closes (void)
{
  Pair pair = { 0 };
  BraidTransport *transport;
  GOutputVector pieces[] = { { "one ", 4 }, { "", 0 }, { "two", 3 } };

  pair_setup (&pair, 1, 0.010, 0);
  pair.server_factory->half_close = TRUE;
  pair_connect (&pair);
  transport = transport_of (pair.client_factory, 0);
  braid_transport_write_sequence (transport, pieces, G_N_ELEMENTS (pieces));
  braid_transport_write (transport, (const guint8 *) "", 0);
  braid_transport_lose_write_connection (transport);
  braid_transport_lose_write_connection (transport);
  run_all (pair.net);
  g_assert_cmpstr (state_of (pair.server_factory, 0)->received->str, ==, "one two");
  g_assert_cmpuint (state_of (pair.server_factory, 0)->data_calls, ==, 1);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->read_lost_count, ==, 1);
  /* The server half-closes too: both ends are done, cleanly. */
  braid_transport_lose_write_connection (transport_of (pair.server_factory, 0));
  run_all (pair.net);
  g_assert_error (state_of (pair.client_factory, 0)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (state_of (pair.server_factory, 0)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  /* Closed: everything is ignored. */
  braid_transport_lose_write_connection (transport);
  braid_transport_lose_connection (transport);
  braid_transport_abort_connection (transport);
  braid_transport_write_string (transport, "late");
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.client_factory, 0)->lost_count, ==, 1);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.client), ==, 0);
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Flow control.                                                           */

static void
test_paused_reader_holds_delivery (void)
{
  Pair pair = { 0 };
  BraidTransport *server_transport;
  RecordingState *server;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  server_transport = transport_of (pair.server_factory, 0);
  braid_producer_pause_producing (BRAID_PRODUCER (server_transport));
  client_write (&pair, "wait");
  braid_sim_net_run_for (pair.net, 10);
  g_assert_cmpuint (server->received->len, ==, 0);
  g_autofree char *table = braid_sim_net_describe_pending (pair.net);
  g_assert_nonnull (strstr (table, "paused reading"));
  braid_producer_resume_producing (BRAID_PRODUCER (server_transport));
  run_all (pair.net);
  g_assert_cmpstr (server->received->str, ==, "wait");
  pair_clear (&pair);
}

static void
test_streaming_producer_backpressure (void)
{
  Pair pair = { 0 };
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *transport;
  g_autofree guint8 *block = g_malloc0 (80 * 1024);

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  transport = transport_of (pair.client_factory, 0);
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
  g_test_assert_expected_messages ();
  braid_transport_write (transport, block, 80 * 1024);
  g_assert_cmpuint (producer->pauses, ==, 1);
  run_all (pair.net);
  g_assert_cmpuint (producer->resumes, ==, 1);
  braid_transport_lose_connection (transport);
  run_all (pair.net);
  g_assert_cmpuint (producer->stops, ==, 1);
  /* Registering on a closed transport stops the producer at once. */
  braid_transport_unregister_producer (transport);
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
  g_assert_cmpuint (producer->stops, ==, 2);
  pair_clear (&pair);
}

static void
test_pull_producer (void)
{
  Pair pair = { 0 };
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *transport;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  transport = transport_of (pair.client_factory, 0);
  producer->target = transport;
  producer->piece = "ab";
  producer->pieces_left = 3;
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), FALSE);
  run_all (pair.net);
  g_assert_cmpstr (state_of (pair.server_factory, 0)->received->str, ==, "ababab");
  pair_clear (&pair);
}

static void
test_write_buffer_limit_aborts (void)
{
  Pair pair = { 0 };
  BraidTransport *transport;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  transport = transport_of (pair.client_factory, 0);
  braid_transport_set_write_buffer_limit (transport, 10);
  braid_sim_net_partition (pair.net, "client", "server", FALSE, TRUE);
  braid_transport_write_string (transport, "0123456789ab");
  braid_transport_write_string (transport, "more");
  run_all (pair.net);
  g_assert_error (state_of (pair.client_factory, 0)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  braid_sim_net_partition (pair.net, "client", "server", FALSE, FALSE);
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->lost_count, ==, 1);
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Crash and restart.                                                      */

static void
never (gpointer data)
{
  g_assert_not_reached ();
}

static void
start_server (BraidSimNode *node, gpointer data)
{
  Pair *pair = data;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (node), 8000,
                                              BRAID_FACTORY (pair->server_factory), NULL, &error));
  g_assert_no_error (error);
}

static void
test_crash_resets_peers_and_drops_timers (void)
{
  Pair pair = { 0 };
  RecordingState *server, *client;
  g_autoptr (GError) error = NULL;
  guint triggers_fired = 0;

  pair_setup (&pair, 1, 0.010, 0);
  braid_sim_node_set_start_func (pair.server, start_server, &pair, NULL);
  pair_connect (&pair);
  server = state_of (pair.server_factory, 0);
  client = state_of (pair.client_factory, 0);
  braid_clock_call_later (BRAID_CLOCK (pair.server), 5, never, NULL, NULL);
  braid_reactor_add_system_event_trigger (BRAID_REACTOR (pair.server), BRAID_TRIGGER_BEFORE,
                                          "shutdown", (BraidCallFunc) never, NULL, NULL);
  g_assert_cmpuint (braid_sim_node_get_timer_count (pair.server), ==, 1);
  braid_transport_write_string (transport_of (pair.server_factory, 0), "in flight");

  braid_sim_node_crash (pair.server);
  braid_sim_node_crash (pair.server);
  g_assert_false (braid_sim_node_is_up (pair.server));
  g_assert_cmpuint (braid_sim_node_get_timer_count (pair.server), ==, 0);
  g_assert_cmpuint (braid_sim_node_get_connection_count (pair.server), ==, 0);
  run_all (pair.net);
  /* The process died: its protocol heard nothing; the peer got a reset
   * and nothing of what was in flight. */
  g_assert_cmpuint (server->lost_count, ==, 0);
  g_assert_cmpuint (client->lost_count, ==, 1);
  g_assert_error (client->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (client->received->len, ==, 0);

  /* Down: connections are refused. */
  braid_connector_connect (pair.connector);
  run_all (pair.net);
  g_assert_error (pair.client_factory->failure, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_null (braid_reactor_listen_tcp (BRAID_REACTOR (pair.server), 8001,
                                           BRAID_FACTORY (pair.server_factory), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);

  /* Restarted: the start function listens again. */
  braid_sim_node_restart (pair.server);
  braid_sim_node_restart (pair.server);
  g_assert_true (braid_sim_node_is_up (pair.server));
  braid_connector_connect (pair.connector);
  run_all (pair.net);
  g_assert_cmpuint (pair.client_factory->built->len, ==, 2);
  g_assert_cmpuint (state_of (pair.client_factory, 1)->made_count, ==, 1);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "\"event\":\"crash\""));
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "\"event\":\"restart\""));
  (void) triggers_fired;
  pair_clear (&pair);
}

static void
test_crash_during_partition_resets_after_heal (void)
{
  Pair pair = { 0 };
  RecordingState *client;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  client = state_of (pair.client_factory, 0);
  braid_sim_net_partition (pair.net, "client", "server", TRUE, TRUE);
  braid_sim_node_crash (pair.server);
  braid_sim_net_run_for (pair.net, 100);
  g_assert_cmpuint (client->lost_count, ==, 0);
  braid_sim_net_partition (pair.net, "client", "server", TRUE, FALSE);
  run_all (pair.net);
  g_assert_cmpuint (client->lost_count, ==, 1);
  pair_clear (&pair);
}

static void
test_crash_while_connecting (void)
{
  Pair pair = { 0 };

  pair_setup (&pair, 1, 0.010, 0);
  braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "10.0.0.1", 8000,
                             BRAID_CLIENT_FACTORY (pair.client_factory));
  braid_sim_net_run_for (pair.net, 0.015);    /* accepted; SYN-ACK on its way */
  braid_sim_node_crash (pair.client);
  run_all (pair.net);
  g_assert_cmpuint (pair.client_factory->built->len, ==, 0);
  g_assert_cmpuint (pair.client_factory->failed, ==, 0);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->lost_count, ==, 1);
  g_assert_cmpuint (braid_sim_node_get_timer_count (pair.client), ==, 0);
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* The guards.                                                             */

static gboolean
never_true (gpointer data)
{
  return FALSE;
}

static void
test_guard_nothing_left (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 42, 0.010, 0);
  pair_connect (&pair);
  braid_sim_net_partition (pair.net, "client", "server", FALSE, TRUE);
  client_write (&pair, "stuck");
  g_assert_false (braid_sim_net_run_until (pair.net, never_true, NULL, 100, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "seed 42"));
  g_assert_nonnull (strstr (error->message, "nothing is left to happen"));
  g_assert_nonnull (strstr (error->message, "node server (10.0.0.1): up, 1 port(s), 1 connection(s)"));
  g_assert_nonnull (strstr (error->message, "conn 1 to server: open, 5 byte(s) in 1 segment(s) in "
                                            "flight (stalled on the link)"));
  g_assert_nonnull (strstr (error->message, "listening on port 8000"));
  pair_clear (&pair);
}

static void
tick (gpointer data)
{
  BraidSimNode *node = data;

  braid_clock_call_later (BRAID_CLOCK (node), 1, tick, node, NULL);
}

static void
test_guard_budget (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0, 0);
  tick (pair.client);
  g_assert_false (braid_sim_net_run_until (pair.net, never_true, NULL, 30.5, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "budget of 30.5 s ran out"));
  g_assert_nonnull (strstr (error->message, "timer due at 31.000000 s, scheduled at"));
  g_assert_nonnull (strstr (error->message, "test-sim-net.c"));
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (pair.net)), ==, 30.5);
  braid_sim_node_crash (pair.client);
  pair_clear (&pair);
}

static void
spin (gpointer data)
{
  BraidSimNode *node = data;

  braid_clock_call_later (BRAID_CLOCK (node), 0, spin, node, NULL);
}

static void
test_guard_time_stands_still (void)
{
  Pair pair = { 0 };
  g_autoptr (GError) error = NULL;

  pair_setup (&pair, 1, 0, 0);
  braid_sim_net_set_max_steps_at_one_time (pair.net, 1000);
  spin (pair.client);
  g_assert_false (braid_sim_net_run_until (pair.net, never_true, NULL, 1, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "1000 events ran at 0.000000 s without time moving"));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*without time moving*");
  braid_sim_net_run_for (pair.net, 1);
  g_test_assert_expected_messages ();
  braid_sim_node_crash (pair.client);
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Determinism and the journal.                                            */

static void
count (gpointer data)
{
  (*(guint *) data)++;
}

/* Three clients with jitter, one echo server, a partition and a crash:
 * every random choice comes from the seed. */
static char *
scenario_journal (guint32 seed)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (seed);
  CaptureFactory *server_factory = capture_factory_new ("server");
  CaptureFactory *client_factory = capture_factory_new ("client");
  g_autoptr (GError) error = NULL;
  BraidSimNode *server;
  guint ticks = 0;
  char *journal;

  braid_sim_link_set_latency (braid_sim_net_get_default_link (net), 0.020, 0.015);
  server = braid_sim_net_add_node (net, "server", "10.0.0.1");
  server_factory->echo = TRUE;
  braid_reactor_listen_tcp (BRAID_REACTOR (server), 7, BRAID_FACTORY (server_factory), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("client-%u", i);
      g_autofree char *address = g_strdup_printf ("10.0.0.%u", i + 2);
      BraidSimNode *client = braid_sim_net_add_node (net, name, address);

      braid_reactor_connect_tcp (BRAID_REACTOR (client), "10.0.0.1", 7,
                                 BRAID_CLIENT_FACTORY (client_factory));
      braid_clock_call_later (BRAID_CLOCK (client), 0.5 + i, count, &ticks, NULL);
    }
  braid_sim_net_run_for (net, 1);
  for (guint i = 0; i < client_factory->built->len; i++)
    for (guint j = 0; j < 5; j++)
      braid_transport_write_string (transport_of (client_factory, i), "ping\n");
  braid_sim_net_schedule_partition (net, "client-1", "server", TRUE, 0.01, 2);
  braid_sim_net_run_for (net, 1);
  braid_sim_net_note (net, "server", "crash \"now\"");
  braid_sim_node_crash (server);
  braid_sim_net_run_for (net, 10);
  journal = g_strdup (braid_sim_net_get_journal (net));
  g_clear_object (&net);
  capture_release (&server_factory);
  capture_release (&client_factory);
  return journal;
}

static void
test_same_seed_same_journal (void)
{
  g_autofree char *first = scenario_journal (1234);
  g_autofree char *second = scenario_journal (1234);

  g_assert_cmpuint (strlen (first), >, 1000);
  g_assert_cmpstr (first, ==, second);
}

static void
test_different_seed_different_journal (void)
{
  g_autofree char *first = scenario_journal (1234);
  g_autofree char *second = scenario_journal (1235);

  g_assert_cmpstr (first, !=, second);
}

static void
test_journal_lines (void)
{
  g_autofree char *journal = scenario_journal (5);
  g_auto (GStrv) lines = g_strsplit (journal, "\n", -1);
  const char *events[] = { "node", "listen", "connect", "accept", "connected", "send",
                           "deliver", "partition", "stall", "heal", "crash", "reset",
                           "note", "timer" };
  guint64 seq = 0;

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autofree char *prefix = NULL;

      g_assert_true (g_str_has_prefix (lines[i], "{\"t\":"));
      g_assert_true (g_str_has_suffix (lines[i], "}"));
      prefix = g_strdup_printf (",\"seq\":%" G_GUINT64_FORMAT ",", seq++);
      g_assert_nonnull (strstr (lines[i], prefix));
    }
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autofree char *needle = g_strdup_printf ("\"event\":\"%s\"", events[i]);

      if (strstr (journal, needle) == NULL)
        g_error ("no %s event in the journal", events[i]);
    }
  g_assert_nonnull (strstr (journal, "\"detail\":\"crash \\\"now\\\"\""));
}

static void
test_journal_off_and_written (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  int fd;

  braid_sim_net_add_node (net, "a", "10.0.0.1");
  fd = g_file_open_tmp ("sim-journal-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (braid_sim_net_write_journal (net, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, braid_sim_net_get_journal (net));
  g_unlink (path);
  braid_sim_net_set_journal_enabled (net, FALSE);
  braid_sim_net_add_node (net, "b", "10.0.0.2");
  g_assert_cmpstr (contents, ==, braid_sim_net_get_journal (net));
  g_assert_false (braid_sim_net_write_journal (net, "/nonexistent/dir/journal", &error));
  g_assert_nonnull (error);
}

static void
test_random_double_is_seeded (void)
{
  g_autoptr (BraidSimNet) a = braid_sim_net_new (9);
  g_autoptr (BraidSimNet) b = braid_sim_net_new (9);

  for (guint i = 0; i < 10; i++)
    {
      gdouble x = braid_sim_net_random_double (a);

      g_assert_cmpfloat (x, ==, braid_sim_net_random_double (b));
      g_assert_cmpfloat (x, >=, 0);
      g_assert_cmpfloat (x, <, 1);
    }
}

/* ---------------------------------------------------------------------- */
/* The node as a reactor.                                                  */

/* During shutdown the node no longer counts as running: stop was asked. */
static void
note_running (gpointer data)
{
  g_assert_false (braid_reactor_is_running (data));
}

static void
test_node_reactor (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);
  BraidSimNode *node = braid_sim_net_add_node (net, "a", "10.0.0.1");
  BraidReactor *reactor = BRAID_REACTOR (node);
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  CaptureFactory *client_factory = capture_factory_new ("client");
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port, *any;
  guint started = 0, stopped = 0, from_thread = 0, removed = 0;
  guint id;

  braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_AFTER, "startup", count, &started, NULL);
  braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_BEFORE, "shutdown", count, &stopped, NULL);
  id = braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_BEFORE, "shutdown", count, &removed, NULL);
  braid_reactor_remove_system_event_trigger (reactor, id);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no pending trigger*");
  braid_reactor_remove_system_event_trigger (reactor, id);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*not been run*");
  braid_reactor_stop (reactor);
  g_test_assert_expected_messages ();
  braid_reactor_run (reactor);
  g_assert_true (braid_reactor_is_running (reactor));
  g_assert_cmpuint (started, ==, 1);
  braid_reactor_call_when_running (reactor, count, &started, NULL);
  g_assert_cmpuint (started, ==, 2);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*ran already*");
  braid_reactor_run (reactor);
  g_test_assert_expected_messages ();
  braid_reactor_call_from_thread (reactor, count, &from_thread, NULL);
  g_assert_cmpuint (from_thread, ==, 0);
  g_assert_true (braid_sim_net_step (net));
  g_assert_cmpuint (from_thread, ==, 1);

  port = braid_reactor_listen_tcp (reactor, 80, factory, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_listening_port_get_port (port), ==, 80);
  g_assert_null (braid_reactor_listen_tcp (reactor, 80, factory, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  any = braid_reactor_listen_tcp (reactor, 0, factory, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_listening_port_get_port (any), >=, 49152);
  g_assert_cmpuint (braid_factory_get_num_users (factory), ==, 2);
  braid_listening_port_stop_listening (port);
  braid_listening_port_stop_listening (port);
  g_assert_cmpuint (braid_factory_get_num_users (factory), ==, 1);
  g_assert_nonnull (braid_reactor_listen_tcp (reactor, 80, factory, NULL, &error));
  g_assert_no_error (error);

  g_assert_null (braid_reactor_listen_unix (reactor, "/tmp/x.sock", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  braid_reactor_connect_unix (reactor, "/tmp/x.sock", BRAID_CLIENT_FACTORY (client_factory), 5);
  run_all (net);
  g_assert_error (client_factory->failure, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_DURING, "shutdown",
                                          note_running, reactor, NULL);
  braid_reactor_stop (reactor);
  braid_reactor_stop (reactor);
  g_assert_false (braid_reactor_is_running (reactor));
  g_assert_cmpuint (stopped, ==, 1);
  g_assert_cmpuint (removed, ==, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*ran already*");
  braid_reactor_run (reactor);   /* a node runs once, as a reactor does */
  g_test_assert_expected_messages ();

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already called*");
  g_assert_null (braid_sim_net_add_node (net, "a", "10.0.0.9"));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no node is called*");
  g_assert_null (braid_sim_net_get_link (net, "a", "zz"));
  g_test_assert_expected_messages ();
  g_clear_object (&net);
  capture_release (&client_factory);
}

static void
test_net_outlives_nothing (void)
{
  /* Dropping a net with connections open, data in flight and timers
   * pending frees everything without calling anyone. */
  Pair pair = { 0 };

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  client_write (&pair, "in flight");
  braid_clock_call_later (BRAID_CLOCK (pair.server), 5, never, NULL, NULL);
  g_object_ref (pair.connector);
  pair_clear (&pair);
  g_assert_null (braid_connector_get_reactor (pair.connector));
  g_object_unref (pair.connector);
}


/* Every public function refuses a wrong argument with a critical, and
 * does nothing. */
#define REFUSED(call)                                                          \
  G_STMT_START {                                                              \
    g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*");               \
    call;                                                                     \
    g_test_assert_expected_messages ();                                       \
  } G_STMT_END

static gboolean
always (gpointer data)
{
  return TRUE;
}

static void
test_misuse_is_refused (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);
  BraidSimLink *link = braid_sim_net_get_default_link (net);
  GError *error = NULL;

  braid_sim_net_add_node (net, "a", "10.0.0.1");
  REFUSED (braid_sim_net_get_seed (NULL));
  REFUSED (braid_sim_net_add_node (NULL, "b", "10.0.0.2"));
  REFUSED (braid_sim_net_add_node (net, NULL, "10.0.0.2"));
  REFUSED (braid_sim_net_add_node (net, "b", "not an address"));
  REFUSED (braid_sim_net_get_node (NULL, "a"));
  REFUSED (braid_sim_net_get_node (net, NULL));
  REFUSED (braid_sim_net_get_default_link (NULL));
  REFUSED (braid_sim_net_get_link (NULL, "a", "a"));
  REFUSED (braid_sim_net_partition (NULL, "a", "a", TRUE, TRUE));
  REFUSED (braid_sim_net_partition (net, "a", "zz", TRUE, TRUE));
  REFUSED (braid_sim_net_schedule_partition (NULL, "a", "a", TRUE, 0, 1));
  REFUSED (braid_sim_net_schedule_partition (net, "a", "a", TRUE, -1, 1));
  REFUSED (braid_sim_net_schedule_partition (net, "a", "zz", TRUE, 0, 1));
  REFUSED (braid_sim_net_random_double (NULL));
  REFUSED (braid_sim_net_step (NULL));
  REFUSED (braid_sim_net_run_for (NULL, 1));
  REFUSED (braid_sim_net_run_for (net, -1));
  REFUSED (braid_sim_net_run_until (NULL, always, NULL, 1, NULL));
  REFUSED (braid_sim_net_run_until (net, NULL, NULL, 1, NULL));
  REFUSED (braid_sim_net_run_until (net, always, NULL, -1, NULL));
  REFUSED (braid_sim_net_set_max_steps_at_one_time (NULL, 1));
  REFUSED (braid_sim_net_set_max_steps_at_one_time (net, 0));
  REFUSED (braid_sim_net_get_event_count (NULL));
  REFUSED (braid_sim_net_describe_pending (NULL));
  REFUSED (braid_sim_net_set_journal_enabled (NULL, TRUE));
  REFUSED (braid_sim_net_get_journal (NULL));
  REFUSED (braid_sim_net_write_journal (NULL, "x", NULL));
  REFUSED (braid_sim_net_write_journal (net, NULL, NULL));
  REFUSED (braid_sim_net_note (NULL, "a", "b"));
  REFUSED (braid_sim_net_note (net, NULL, "b"));
  REFUSED (braid_sim_node_get_name (NULL));
  REFUSED (braid_sim_node_get_address (NULL));
  REFUSED (braid_sim_node_get_net (NULL));
  REFUSED (braid_sim_node_is_up (NULL));
  REFUSED (braid_sim_node_get_connection_count (NULL));
  REFUSED (braid_sim_node_get_timer_count (NULL));
  REFUSED (braid_sim_node_set_start_func (NULL, NULL, NULL, NULL));
  REFUSED (braid_sim_node_crash (NULL));
  REFUSED (braid_sim_node_restart (NULL));
  REFUSED (braid_sim_link_set_latency (NULL, 0, 0));
  REFUSED (braid_sim_link_set_latency (link, -1, 0));
  REFUSED (braid_sim_link_set_bandwidth (NULL, 0));
  REFUSED (braid_sim_link_set_bandwidth (link, -1));
  REFUSED (braid_sim_link_set_partitioned (NULL, TRUE));
  REFUSED (braid_sim_link_get_partitioned (NULL));
  REFUSED (braid_sim_link_hold (NULL));
  REFUSED (braid_sim_link_release (NULL));
  REFUSED (braid_sim_link_get_held (NULL));
  REFUSED (braid_sim_link_set_loss (NULL, 0));
  REFUSED (braid_sim_link_set_loss (link, 1.5));
  REFUSED (braid_sim_link_set_duplication (NULL, 0));
  REFUSED (braid_sim_link_set_duplication (link, -0.1));
  REFUSED (braid_sim_link_set_reordering (NULL, 0, 0));
  REFUSED (braid_sim_link_set_reordering (link, 2, 0));
  REFUSED (braid_sim_link_set_reordering (link, 0.5, -1));
  REFUSED (braid_sim_link_set_corruption (NULL, 0));
  REFUSED (braid_sim_link_set_corruption (link, -1));
  REFUSED (braid_sim_run_seeds (NULL, NULL, 1, 1, NULL));
  REFUSED (braid_sim_check_determinism (NULL, NULL, 1, NULL));
  REFUSED (braid_conformance_factory_new (NULL));
  REFUSED (braid_transport_conformance_add (NULL));
  g_assert_null (error);
  g_assert_cmpuint (braid_sim_net_get_event_count (net), ==, 0);
}

/* ---------------------------------------------------------------------- */
/* UDP and the datagram faults.                                            */

typedef struct {
  BraidSimNet *net;
  DgRecorder *server;        /* on 10.0.0.1:53 */
  DgRecorder *client;        /* on 10.0.0.2, a port of its own */
  BraidDatagramTransport *server_port;
  BraidDatagramTransport *client_port;
  GSocketAddress *server_address;
} Udp;

static void
udp_setup (Udp *udp, guint32 seed, gdouble latency, gdouble jitter)
{
  g_autoptr (GError) error = NULL;
  BraidSimNode *server, *client;

  udp->net = braid_sim_net_new (seed);
  braid_sim_link_set_latency (braid_sim_net_get_default_link (udp->net), latency, jitter);
  server = braid_sim_net_add_node (udp->net, "server", "10.0.0.1");
  client = braid_sim_net_add_node (udp->net, "client", "10.0.0.2");
  udp->server = dg_recorder_new ();
  udp->client = dg_recorder_new ();
  udp->server_port = braid_reactor_listen_udp (BRAID_REACTOR (server), 53,
                                               BRAID_DATAGRAM_PROTOCOL (udp->server), NULL, 0,
                                               &error);
  g_assert_no_error (error);
  udp->client_port = braid_reactor_listen_udp (BRAID_REACTOR (client), 0,
                                               BRAID_DATAGRAM_PROTOCOL (udp->client), NULL, 0,
                                               &error);
  g_assert_no_error (error);
  udp->server_address = dg_address ("10.0.0.1", 53);
}

static void
udp_clear (Udp *udp)
{
  g_clear_object (&udp->net);
  g_clear_object (&udp->server);
  g_clear_object (&udp->client);
  g_clear_object (&udp->server_address);
}

/* The client sends "0", "1", ... one every millisecond. */
static void
udp_send_numbers (Udp *udp, guint count)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", i);
      g_autoptr (GError) error = NULL;

      g_assert_true (braid_datagram_transport_write (udp->client_port, (const guint8 *) text,
                                                     strlen (text), udp->server_address,
                                                     &error));
      g_assert_no_error (error);
      braid_sim_net_run_for (udp->net, 0.001);
    }
  run_all (udp->net);
}

static char *
datagram_text (DgRecorder *recorder, guint index)
{
  gsize len;
  const char *data = g_bytes_get_data (g_ptr_array_index (recorder->datagrams, index), &len);

  return g_strndup (data, len);
}

static gboolean
arrived_in_order (DgRecorder *recorder)
{
  for (guint i = 0; i < recorder->datagrams->len; i++)
    {
      g_autofree char *text = datagram_text (recorder, i);
      g_autofree char *expected = g_strdup_printf ("%u", i);

      if (g_strcmp0 (text, expected) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_udp_delivers_with_latency (void)
{
  Udp udp = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) expected = dg_address ("10.0.0.2", 49152);

  udp_setup (&udp, 1, 0.010, 0);
  g_assert_cmpuint (udp.server->started, ==, 1);
  udp.server->echo = TRUE;
  g_assert_true (braid_datagram_transport_write (udp.client_port, (const guint8 *) "ping", 4,
                                                 udp.server_address, &error));
  braid_sim_net_run_for (udp.net, 0.009);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 0);
  braid_sim_net_run_for (udp.net, 0.002);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 1);
  g_assert_true (braid_socket_address_equal (g_ptr_array_index (udp.server->senders, 0), expected));
  /* The echo comes back one latency later, from the server's port. */
  braid_sim_net_run_for (udp.net, 0.010);
  g_assert_cmpuint (udp.client->datagrams->len, ==, 1);
  g_assert_true (braid_socket_address_equal (g_ptr_array_index (udp.client->senders, 0),
                                             udp.server_address));
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net),
                            "\"event\":\"deliver\",\"node\":\"server\",\"peer\":\"client\""));
  udp_clear (&udp);
}

static guint
udp_count_lost (guint32 seed, gdouble loss)
{
  Udp udp = { 0 };
  guint received;

  udp_setup (&udp, seed, 0.005, 0);
  braid_sim_link_set_loss (braid_sim_net_get_default_link (udp.net), loss);
  udp_send_numbers (&udp, 400);
  received = udp.server->datagrams->len;
  if (loss > 0)
    g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "\"detail\":\"loss\""));
  udp_clear (&udp);
  return 400 - received;
}

static void
test_udp_loss (void)
{
  guint lost = udp_count_lost (3, 0.25);

  g_assert_cmpuint (udp_count_lost (3, 0), ==, 0);
  g_assert_cmpuint (lost, >, 60);
  g_assert_cmpuint (lost, <, 140);
  g_assert_cmpuint (udp_count_lost (3, 0.25), ==, lost);   /* the seed decides */
  g_assert_cmpuint (udp_count_lost (3, 1), ==, 400);
}

static void
test_udp_duplication (void)
{
  Udp udp = { 0 };

  udp_setup (&udp, 4, 0.005, 0);
  braid_sim_link_set_duplication (braid_sim_net_get_default_link (udp.net), 1);
  udp_send_numbers (&udp, 10);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 20);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *first = datagram_text (udp.server, 2 * i);
      g_autofree char *second = datagram_text (udp.server, 2 * i + 1);
      g_autofree char *expected = g_strdup_printf ("%u", i);

      g_assert_cmpstr (first, ==, expected);
      g_assert_cmpstr (second, ==, expected);
    }
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "udp, duplicated"));
  udp_clear (&udp);
}

static void
test_udp_reordering (void)
{
  Udp udp = { 0 };

  /* No jitter, no reordering: datagrams arrive as sent. */
  udp_setup (&udp, 5, 0.010, 0);
  udp_send_numbers (&udp, 50);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 50);
  g_assert_true (arrived_in_order (udp.server));
  udp_clear (&udp);

  udp_setup (&udp, 5, 0.010, 0);
  braid_sim_link_set_reordering (braid_sim_net_get_default_link (udp.net), 0.3, 0.020);
  udp_send_numbers (&udp, 50);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 50);   /* late, not lost */
  g_assert_false (arrived_in_order (udp.server));
  udp_clear (&udp);
}

static void
test_udp_corruption (void)
{
  Udp udp = { 0 };
  g_autoptr (GError) error = NULL;
  guint8 sent[64], flipped = 0;
  const guint8 *received;
  gsize len;

  udp_setup (&udp, 6, 0.001, 0);
  braid_sim_link_set_corruption (braid_sim_net_get_default_link (udp.net), 1);
  memset (sent, 0x55, sizeof sent);
  g_assert_true (braid_datagram_transport_write (udp.client_port, sent, sizeof sent,
                                                 udp.server_address, &error));
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 1);
  received = g_bytes_get_data (g_ptr_array_index (udp.server->datagrams, 0), &len);
  g_assert_cmpuint (len, ==, sizeof sent);
  for (gsize i = 0; i < len; i++)
    for (guint8 diff = received[i] ^ sent[i]; diff != 0; diff &= diff - 1)
      flipped++;
  g_assert_cmpuint (flipped, ==, 1);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "udp, corrupted"));
  /* An empty datagram has no bit to flip. */
  g_assert_true (braid_datagram_transport_write (udp.client_port, NULL, 0, udp.server_address,
                                                 &error));
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (udp.server->datagrams, 1)), ==, 0);
  udp_clear (&udp);
}

static void
test_udp_partition_loses_and_hold_keeps (void)
{
  Udp udp = { 0 };
  BraidSimLink *link;

  udp_setup (&udp, 7, 0.005, 0);
  braid_sim_net_partition (udp.net, "client", "server", FALSE, TRUE);
  udp_send_numbers (&udp, 3);
  braid_sim_net_partition (udp.net, "client", "server", FALSE, FALSE);
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 0);   /* lost, not stalled */
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "\"detail\":\"partition\""));

  link = braid_sim_net_get_link (udp.net, "client", "server");
  braid_sim_link_hold (link);
  udp_send_numbers (&udp, 3);
  braid_sim_net_run_for (udp.net, 1);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 0);
  braid_sim_link_release (link);
  braid_sim_net_run_for (udp.net, 0.004);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 0);   /* one latency after release */
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 3);
  g_assert_true (arrived_in_order (udp.server));

  /* Held, then cut: what was held waits for the heal. */
  braid_sim_link_hold (link);
  udp_send_numbers (&udp, 2);
  braid_sim_link_set_partitioned (link, TRUE);
  braid_sim_link_release (link);
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 3);
  braid_sim_link_set_partitioned (link, FALSE);
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 5);

  /* Held with loss: the loss rule applies on release. */
  braid_sim_link_set_loss (link, 1);
  braid_sim_link_hold (link);
  udp_send_numbers (&udp, 2);
  braid_sim_link_release (link);
  run_all (udp.net);
  g_assert_cmpuint (udp.server->datagrams->len, ==, 5);
  /* A link still holding datagrams when the net goes frees them. */
  braid_sim_link_set_loss (link, 0);
  braid_sim_link_hold (link);
  udp_send_numbers (&udp, 1);
  udp_clear (&udp);
}

static void
test_udp_ports_and_their_errors (void)
{
  Udp udp = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) closed = dg_address ("10.0.0.1", 54);
  g_autoptr (GSocketAddress) nowhere = dg_address ("10.9.9.9", 53);
  g_autoptr (DgRecorder) other = dg_recorder_new ();
  BraidSimNode *server;
  BraidDatagramTransport *port;

  udp_setup (&udp, 8, 0.001, 0);
  server = braid_sim_net_get_node (udp.net, "server");
  /* To a port nobody listens on, or an address no node has: lost. */
  g_assert_true (braid_datagram_transport_write (udp.client_port, (const guint8 *) "x", 1,
                                                 closed, &error));
  g_assert_true (braid_datagram_transport_write (udp.client_port, (const guint8 *) "x", 1,
                                                 nowhere, &error));
  g_assert_no_error (error);
  run_all (udp.net);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "port unreachable"));
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "no node has the address"));

  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (server), 53,
                                           BRAID_DATAGRAM_PROTOCOL (other), NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (server), 55,
                                           BRAID_DATAGRAM_PROTOCOL (other), "eth0", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A small packet size cuts what arrives; a connected port hears only its peer. */
  port = braid_reactor_listen_udp (BRAID_REACTOR (server), 0, BRAID_DATAGRAM_PROTOCOL (other),
                                   "10.0.0.1", 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_datagram_transport_get_max_packet_size (port), ==, 4);
  g_assert_true (braid_datagram_transport_write (udp.client_port, (const guint8 *) "abcdefgh", 8,
                                                 braid_datagram_transport_get_host (port), &error));
  run_all (udp.net);
  g_assert_cmpuint (other->datagrams->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (other->datagrams, 0)), ==, 4);
  g_assert_true (braid_datagram_transport_connect (port, nowhere, &error));
  g_assert_true (braid_datagram_transport_write (udp.client_port, (const guint8 *) "y", 1,
                                                 braid_datagram_transport_get_host (port), &error));
  run_all (udp.net);
  g_assert_cmpuint (other->datagrams->len, ==, 1);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (udp.net), "connected to another peer"));
  g_assert_false (braid_datagram_transport_join_group (port, "239.1.2.3", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* Stopping tells the protocol; a crash does not, and closes every port. */
  braid_listening_port_stop_listening (BRAID_LISTENING_PORT (port));
  braid_listening_port_stop_listening (BRAID_LISTENING_PORT (port));
  g_assert_cmpuint (other->stopped, ==, 1);
  braid_sim_node_crash (server);
  g_assert_false (braid_datagram_transport_is_listening (udp.server_port));
  g_assert_cmpuint (udp.server->stopped, ==, 0);
  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (server), 53,
                                           BRAID_DATAGRAM_PROTOCOL (other), NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  /* What was on its way to the crashed node is lost there. */
  g_assert_true (braid_datagram_transport_write (udp.client_port, (const guint8 *) "z", 1,
                                                 udp.server_address, &error));
  run_all (udp.net);
  braid_sim_node_restart (server);
  g_assert_nonnull (braid_reactor_listen_udp (BRAID_REACTOR (server), 53,
                                              BRAID_DATAGRAM_PROTOCOL (other), NULL, 0, &error));
  g_assert_no_error (error);
  udp_clear (&udp);
}

/* The same checks as the real UDP port and the fake one. */
static void
test_udp_strictness (void)
{
  Udp udp = { 0 };

  udp_setup (&udp, 9, 0.001, 0);
  dg_check_strictness (udp.client_port, udp.server_address);
  udp_clear (&udp);
}

/* ---------------------------------------------------------------------- */
/* Corners of the event loop and of the write path.                        */

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

/* A call scheduled on the net's own clock runs after the network events
 * due at the same time, and before the nodes' timers. */
static void
test_net_clock_calls_run_in_order (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);
  BraidSimNode *node = braid_sim_net_add_node (net, "a", "10.0.0.1");
  guint on_net = 0, on_node = 0;

  braid_clock_call_later (BRAID_CLOCK (node), 1, count_call, &on_node, NULL);
  braid_clock_call_later (BRAID_CLOCK (net), 1, count_call, &on_net, NULL);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (net)), ==, 0);
  g_assert_true (braid_sim_net_step (net));
  g_assert_cmpuint (on_net, ==, 1);
  g_assert_cmpuint (on_node, ==, 0);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (net)), ==, 1);
  g_assert_true (braid_sim_net_step (net));
  g_assert_cmpuint (on_node, ==, 1);
  g_assert_false (braid_sim_net_step (net));
}

/* A protocol that, on its first data, crashes its own node, or steps the
 * net from inside the delivery. */
typedef struct {
  BraidSimNet *net;
  BraidSimNode *node;
  gboolean crash;
  guint steps;
} Reentry;

static void
reentrant_data (RecordingProtocol *protocol, const guint8 *data, gsize len, gpointer user_data)
{
  Reentry **slot = user_data, *reentry = *slot;

  if (reentry == NULL)
    return;
  if (reentry->crash)
    braid_sim_node_crash (reentry->node);
  for (guint i = 0; i < reentry->steps; i++)
    braid_sim_net_step (reentry->net);
  *slot = NULL;
}

static void
test_callbacks_may_crash_or_step (void)
{
  Pair pair = { 0 };
  Reentry crash = { 0 }, step = { 0 };
  Reentry *reentry;
  RecordingState *state;

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  /* The server crashes itself from its own data_received: the protocol
   * that runs is dropped only once the delivery is over. */
  crash.net = pair.net;
  crash.node = pair.server;
  crash.crash = TRUE;
  reentry = &crash;
  state = recording_protocol_state (built (pair.server_factory, 0));
  state->on_data = reentrant_data;
  state->on_data_user_data = &reentry;
  client_write (&pair, "boom");
  run_all (pair.net);
  g_assert_null (reentry);
  g_assert_false (braid_sim_node_is_up (pair.server));
  g_assert_cmpuint (state_of (pair.client_factory, 0)->lost_count, ==, 1);
  pair_clear (&pair);

  /* A delivery that steps the net runs the next events inside it. */
  pair_setup (&pair, 2, 0.010, 0);
  pair_connect (&pair);
  step.net = pair.net;
  step.steps = 3;
  reentry = &step;
  state = recording_protocol_state (built (pair.server_factory, 0));
  state->on_data = reentrant_data;
  state->on_data_user_data = &reentry;
  client_write (&pair, "a");
  client_write (&pair, "b");
  client_write (&pair, "c");
  run_all (pair.net);
  g_assert_cmpstr (state_of (pair.server_factory, 0)->received->str, ==, "abc");
  pair_clear (&pair);
}

/* Big writes, a burst of small ones, empty ones, FINs on a slow link. */
static void
test_writes_of_every_size (void)
{
  Pair pair = { 0 };
  g_autofree char *big = g_strnfill (300, 'b');
  GOutputVector none[1] = { { "", 0 } };

  pair_setup (&pair, 3, 0.010, 0.020);   /* jitter above latency: never below 0 */
  braid_sim_link_set_bandwidth (braid_sim_net_get_default_link (pair.net), 1e6);
  pair_connect (&pair);
  client_write (&pair, big);
  for (guint i = 0; i < 5000; i++)
    client_write (&pair, "x");
  braid_transport_write_sequence (transport_of (pair.client_factory, 0), none, 1);
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->received->len, ==, 5300);
  braid_transport_lose_connection (transport_of (pair.client_factory, 0));
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.server_factory, 0)->lost_count, ==, 1);
  pair_clear (&pair);
}

/* With no limit set, the default one (4 MiB) applies. */
static void
test_default_write_limit (void)
{
  Pair pair = { 0 };
  g_autofree char *chunk = g_strnfill (1024 * 1024, 'z');

  pair_setup (&pair, 4, 0.010, 0);
  pair_connect (&pair);
  braid_sim_net_partition (pair.net, "client", "server", FALSE, TRUE);
  for (guint i = 0; i < 6; i++)
    client_write (&pair, chunk);
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.client_factory, 0)->lost_count, ==, 1);
  g_assert_nonnull (strstr (braid_sim_net_get_journal (pair.net), "peer is not reading"));
  pair_clear (&pair);
}

/* The pending table names every state a connection end can be in. */
static void
test_pending_table_states (void)
{
  Pair pair = { 0 };
  g_autoptr (BraidClientFactory) slow = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autofree char *table = NULL;

  pair_setup (&pair, 5, 0.010, 0);
  pair.client_factory->half_close = TRUE;
  pair.server_factory->half_close = TRUE;
  pair_connect (&pair);
  braid_transport_lose_write_connection (transport_of (pair.client_factory, 0));
  braid_reactor_connect_tcp (BRAID_REACTOR (pair.client), "server", 8000, slow);
  braid_clock_call_later (BRAID_CLOCK (pair.client), 5, count_call, &pair, NULL);
  braid_sim_net_run_for (pair.net, 0.015);
  table = braid_sim_net_describe_pending (pair.net);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "half-closed"));
  g_assert_nonnull (strstr (table, "connecting"));
  g_assert_nonnull (strstr (table, "timer due at 5.020000 s"));
  g_clear_pointer (&table, g_free);
  /* The server closes: "closing" until its close runs, then "closed"
   * while its FIN is still on the way. */
  braid_transport_lose_connection (transport_of (pair.server_factory, 0));
  table = braid_sim_net_describe_pending (pair.net);
  g_assert_nonnull (strstr (table, "closing"));
  g_clear_pointer (&table, g_free);
  braid_sim_net_run_for (pair.net, 0.001);
  table = braid_sim_net_describe_pending (pair.net);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "closed"));
  g_assert_false (braid_sim_net_run_until (pair.net, never_true, NULL, 1, NULL));
  pair_clear (&pair);
}

static void
test_journal_escapes_text (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);

  braid_sim_net_note (net, "a\"b", "line\nbreak\\");
  g_assert_nonnull (strstr (braid_sim_net_get_journal (net),
                            "\"node\":\"a\\\"b\",\"detail\":\"line\\u000abreak\\\\\""));
}

static void
test_ports_chosen_past_those_taken (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);
  BraidSimNode *node = braid_sim_net_add_node (net, "a", "10.0.0.1");
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (DgRecorder) first = dg_recorder_new ();
  g_autoptr (DgRecorder) second = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  BraidListeningPort *tcp;
  BraidDatagramTransport *udp;

  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (node), 49152, factory, NULL, &error));
  tcp = braid_reactor_listen_tcp (BRAID_REACTOR (node), 0, factory, NULL, &error);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (
                      braid_listening_port_get_host (tcp))), ==, 49153);
  g_assert_nonnull (braid_reactor_listen_udp (BRAID_REACTOR (node), 49152,
                                              BRAID_DATAGRAM_PROTOCOL (first), NULL, 0, &error));
  udp = braid_reactor_listen_udp (BRAID_REACTOR (node), 0, BRAID_DATAGRAM_PROTOCOL (second),
                                  NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (
                      braid_datagram_transport_get_host (udp))), ==, 49153);
}

static void
test_unknown_nodes_are_refused (void)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (1);

  braid_sim_net_add_node (net, "a", "10.0.0.1");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no node is called zz*");
  g_assert_null (braid_sim_net_get_link (net, "zz", "a"));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already called or has the address*");
  g_assert_null (braid_sim_net_add_node (net, "b", "10.0.0.1"));
  g_test_assert_expected_messages ();
}

/* Faults drawn but not taken, and datagrams a connected port hears. */
static void
test_udp_faults_drawn_from_the_seed (void)
{
  Udp udp = { 0 };
  g_autoptr (GError) error = NULL;
  BraidSimLink *link;

  udp_setup (&udp, 10, 0.005, 0);
  link = braid_sim_net_get_default_link (udp.net);
  braid_sim_link_set_duplication (link, 0.5);
  braid_sim_link_set_corruption (link, 0.5);
  braid_sim_link_set_reordering (link, 0.5, 0.001);
  braid_sim_link_set_loss (link, 0.5);
  g_assert_true (braid_datagram_transport_connect (udp.server_port,
                                                   braid_datagram_transport_get_host (udp.client_port),
                                                   &error));
  g_assert_true (braid_datagram_transport_write (udp.client_port, NULL, 0, udp.server_address,
                                                 &error));
  udp_send_numbers (&udp, 100);
  g_assert_cmpuint (udp.server->datagrams->len, >, 20);
  g_assert_cmpuint (udp.server->datagrams->len, <, 100);
  link = braid_sim_net_get_link (udp.net, "client", "server");
  braid_sim_link_hold (link);
  udp_send_numbers (&udp, 20);
  braid_sim_link_release (link);
  run_all (udp.net);
  udp_clear (&udp);
}

/* A net without nodes runs its own clock's calls; a net disposed twice
 * (as GObject allows) is still freed once. */
static void
test_net_without_nodes_and_disposed_twice (void)
{
  BraidSimNet *net = braid_sim_net_new (1);
  guint fired = 0;

  g_assert_false (braid_sim_net_step (net));
  braid_clock_call_later (BRAID_CLOCK (net), 2, count_call, &fired, NULL);
  braid_sim_net_run_for (net, 5);
  g_assert_cmpuint (fired, ==, 1);
  g_object_run_dispose (G_OBJECT (net));
  g_object_unref (net);
}

/* A node kept past its net reads time 0 and is down: it opens no port
 * and makes no connection. */
static void
test_node_outlives_its_net (void)
{
  BraidSimNet *net = braid_sim_net_new (1);
  g_autoptr (BraidSimNode) node = g_object_ref (braid_sim_net_add_node (net, "a", "10.0.0.1"));
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (DgRecorder) recorder = dg_recorder_new ();
  g_autoptr (GError) error = NULL;

  g_autoptr (BraidConnector) connector =
    g_object_ref (braid_reactor_connect_tcp (BRAID_REACTOR (node), "10.0.0.9", 80, client));

  braid_sim_net_run_for (net, 3);
  g_object_unref (net);
  g_assert_null (braid_sim_node_get_net (node));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*node is down*");
  braid_connector_connect (connector);
  g_test_assert_expected_messages ();
  braid_connector_disconnect (connector);   /* idle: nothing to do */
  g_assert_false (braid_sim_node_is_up (node));
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (node)), ==, 0);
  g_assert_null (braid_reactor_listen_tcp (BRAID_REACTOR (node), 80, factory, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (node), 53,
                                           BRAID_DATAGRAM_PROTOCOL (recorder), NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  REFUSED (braid_reactor_connect_tcp (BRAID_REACTOR (node), "10.0.0.1", 80, client));
}

/* The connector's own calls: disconnect when connected closes the
 * connection; connect when the node is down is refused. */
static void
test_connector_disconnect_and_down_node (void)
{
  Pair pair = { 0 };

  pair_setup (&pair, 1, 0.010, 0);
  pair_connect (&pair);
  braid_connector_disconnect (pair.connector);
  run_all (pair.net);
  g_assert_cmpuint (state_of (pair.client_factory, 0)->lost_count, ==, 1);
  g_assert_cmpuint (pair.client_factory->lost, ==, 1);
  braid_sim_node_crash (pair.client);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*node is down*");
  braid_connector_connect (pair.connector);
  g_test_assert_expected_messages ();
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* The event queue: a calendar whose buckets follow the traffic.           */

/* @n client connections to the pair's server, all made. */
static void
pair_connect_many (Pair *pair, guint n)
{
  for (guint i = 0; i < n; i++)
    pair->connector = braid_reactor_connect_tcp (BRAID_REACTOR (pair->client), "10.0.0.1", 8000,
                                                 BRAID_CLIENT_FACTORY (pair->client_factory));
  while (pair->client_factory->built->len < n)
    g_assert_true (braid_sim_net_step (pair->net));
  g_assert_cmpuint (pair->server_factory->built->len, ==, n);
}

/* What the server's ends heard, for test_event_order_at_any_latency. */
typedef struct {
  BraidSimNet *net;
  gdouble latency;
  gdouble jitter;
  GString *arrivals;       /* "client.line," in the order heard */
  gint last[64];           /* the last line heard from each client */
  guint n;
} Hearing;

/* A line is "CLIENT.LINE SENT\n", SENT the time it was written (%a: exact):
 * it took the latency, within the jitter (a delivery run late, after a
 * later one, would show here, the clock being already past it), and each
 * client's lines arrive in the order written. */
static void
hear (RecordingProtocol *protocol, const guint8 *data, gsize len, gpointer user_data)
{
  Hearing *hearing = user_data;
  g_autofree char *line = g_strndup ((const char *) data, len);
  gdouble took = braid_clock_seconds (BRAID_CLOCK (hearing->net));
  guint client, k;
  char *sent;

  g_assert_cmpint (sscanf (line, "%u.%u", &client, &k), ==, 2);
  sent = strchr (line, ' ');
  g_assert_nonnull (sent);
  took -= g_ascii_strtod (sent + 1, NULL);
  g_assert_cmpfloat (took, >=, MAX (0, hearing->latency - hearing->jitter) * (1 - 1e-9));
  g_assert_cmpfloat (took, <=, (hearing->latency + hearing->jitter) * (1 + 1e-9));
  g_assert_cmpint ((gint) k, >, hearing->last[client]);
  hearing->last[client] = (gint) k;
  g_string_append_printf (hearing->arrivals, "%u.%u,", client, k);
  hearing->n++;
}

/* The network's events run in (time, sequence) order, each at its time,
 * whether the links take no time, a microsecond, 20 ms or ten seconds (at
 * no latency, thousands of events run at one instant): the queue's
 * buckets adapt to the traffic (a burst on 64 connections grows the ring,
 * a trickle afterwards shrinks it), events beyond the ring wait in its
 * overflow, and a partition scheduled at the end of time waits there too.
 * With no jitter, every line arrives in the order written, across all the
 * connections; with jitter, each within its bounds, each connection in
 * order. */
static void
test_event_order_at_any_latency (void)
{
  const gdouble latencies[] = { 0, 1e-6, 0.020, 10.0 };

  for (guint l = 0; l < G_N_ELEMENTS (latencies); l++)
    for (guint jittered = 0; jittered < 2; jittered++)
      {
        const guint n = 64, burst = 80, trickle = 2 * 4096 / 3;
        g_autoptr (GString) sent = g_string_new (NULL);
        g_autoptr (GString) arrivals = g_string_new (NULL);
        Hearing hearing = { NULL, latencies[l], jittered ? latencies[l] / 4 : 0, arrivals };
        Pair pair = { 0 };

        pair_setup (&pair, 7 + l, hearing.latency, hearing.jitter);
        hearing.net = pair.net;
        for (guint i = 0; i < n; i++)
          hearing.last[i] = -1;
        braid_sim_net_set_journal_enabled (pair.net, FALSE);
        braid_sim_net_schedule_partition (pair.net, "client", "server", TRUE, 1e300, 1);
        pair_connect_many (&pair, n);
        for (guint i = 0; i < n; i++)
          {
            state_of (pair.server_factory, i)->on_data = hear;
            state_of (pair.server_factory, i)->on_data_user_data = &hearing;
          }
        for (guint k = 0; k < burst + trickle; k++)
          for (guint i = 0; i < n; i++)
            {
              char line[64];

              /* A burst: a line on each connection at once, 80 times;
               * then a trickle: one line at a time, a third of a latency
               * apart. */
              if (k >= burst && i != k % n)
                continue;
              g_snprintf (line, sizeof line, "%u.%u %a\n", i, k,
                          braid_clock_seconds (BRAID_CLOCK (pair.net)));
              braid_transport_write_string (transport_of (pair.client_factory, i), line);
              g_string_append_printf (sent, "%u.%u,", i, k);
              if (k >= burst)
                braid_sim_net_run_for (pair.net, hearing.latency / 3);
              else if (i == n - 1 && k == burst - 1)
                braid_sim_net_run_for (pair.net, 3 * hearing.latency + 1e-3);
            }
        braid_sim_net_run_for (pair.net, 3 * hearing.latency);
        g_assert_cmpuint (hearing.n, ==, burst * n + trickle);
        if (hearing.jitter == 0)
          g_assert_cmpstr (arrivals->str, ==, sent->str);
        /* Only the partition at the end of time is left, and its heal. */
        {
          g_autofree char *pending = braid_sim_net_describe_pending (pair.net);

          g_assert_nonnull (strstr (pending, "network: 2 event(s)"));
        }
        pair_clear (&pair);
      }
}

typedef struct {
  gdouble due;
  guint index;
  char *text;
} Expected;

static void
log_arrival (RecordingProtocol *protocol, const guint8 *data, gsize len, gpointer user_data)
{
  g_string_append_len (user_data, (const char *) data, len);
}

static gint
expected_compare (gconstpointer a, gconstpointer b)
{
  const Expected *x = a, *y = b;

  if (x->due != y->due)
    return x->due < y->due ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static void
expected_clear (gpointer data)
{
  g_free (((Expected *) data)->text);
}

/* 48 clients, each on a link of its own latency, write lines at times
 * that do not line up with the latencies: a line sent later on a faster
 * link overtakes one sent earlier on a slower one, so the queue gets its
 * events out of time order, and the server must hear every line in the
 * exact order of the times it is due (computed here, apart from the net:
 * the time it was written plus its link's latency). */
static void
test_events_run_in_time_order (void)
{
  enum { N = 48, ROUNDS = 200 };
  g_autoptr (BraidSimNet) net = braid_sim_net_new (5);
  g_autoptr (GString) arrivals = g_string_new (NULL);
  g_autoptr (GString) wanted = g_string_new (NULL);
  g_autoptr (GArray) expected = g_array_new (FALSE, FALSE, sizeof (Expected));
  g_autoptr (GError) error = NULL;
  CaptureFactory *server_factory = capture_factory_new ("server");
  CaptureFactory *client_factory = capture_factory_new ("client");
  BraidSimNode *server = braid_sim_net_add_node (net, "server", "10.0.0.1");
  gdouble latency[N];

  g_array_set_clear_func (expected, expected_clear);
  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (server), 8000,
                                              BRAID_FACTORY (server_factory), NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", i);
      g_autofree char *address = g_strdup_printf ("10.0.1.%u", i);
      BraidSimNode *node = braid_sim_net_add_node (net, name, address);

      latency[i] = 0.005 + fmod (i * 0.0070313, 0.030);
      braid_sim_link_set_latency (braid_sim_net_get_link (net, name, "server"), latency[i], 0);
      braid_reactor_connect_tcp (BRAID_REACTOR (node), "10.0.0.1", 8000,
                                 BRAID_CLIENT_FACTORY (client_factory));
      while (client_factory->built->len < i + 1)
        g_assert_true (braid_sim_net_step (net));
    }
  for (guint i = 0; i < N; i++)
    {
      state_of (server_factory, i)->on_data = log_arrival;
      state_of (server_factory, i)->on_data_user_data = arrivals;
    }
  for (guint r = 0; r < ROUNDS; r++)
    {
      for (guint i = 0; i < N; i++)
        if ((i * 7 + r * 3) % 5 < 3)
          {
            Expected line = { braid_clock_seconds (BRAID_CLOCK (net)) + latency[i], expected->len,
                              g_strdup_printf ("%u.%u\n", i, r) };

            braid_transport_write_string (transport_of (client_factory, i), line.text);
            g_array_append_val (expected, line);
          }
      braid_sim_net_run_for (net, 0.0013);
    }
  run_all (net);
  g_array_sort (expected, expected_compare);
  for (guint k = 0; k < expected->len; k++)
    g_string_append (wanted, g_array_index (expected, Expected, k).text);
  g_assert_cmpuint (expected->len, >, 4096);
  g_assert_cmpstr (arrivals->str, ==, wanted->str);
  g_clear_object (&net);
  capture_release (&server_factory);
  capture_release (&client_factory);
}

/* Deliveries far ahead (in the queue's overflow, beyond its buckets) are
 * taken out from the middle when their node crashes: the peers get their
 * resets and nothing of what was in flight. */
static void
test_crash_with_deliveries_far_ahead (void)
{
  const guint n = 16;
  Pair pair = { 0 };

  pair_setup (&pair, 3, 10.0, 2.0);
  pair_connect_many (&pair, n);
  for (guint i = 0; i < n; i++)
    braid_transport_write_string (transport_of (pair.client_factory, i), "far");
  braid_sim_net_run_for (pair.net, 1);
  braid_sim_node_crash (pair.client);
  run_all (pair.net);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (state_of (pair.server_factory, i)->lost_count, ==, 1);
      g_assert_cmpuint (state_of (pair.server_factory, i)->received->len, ==, 0);
    }
  pair_clear (&pair);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim-net/connect-and-deliver", test_connect_and_deliver);
  g_test_add_func ("/sim-net/connect-by-name", test_connect_by_name);
  g_test_add_func ("/sim-net/journal-names-the-node-not-the-address",
                   test_journal_names_the_node_not_the_address);
  g_test_add_func ("/sim-net/jitter-keeps-order", test_jitter_keeps_order);
  g_test_add_func ("/sim-net/jitter-varies-delay", test_jitter_varies_delay);
  g_test_add_func ("/sim-net/bandwidth", test_bandwidth);
  g_test_add_func ("/sim-net/partition-stalls-then-delivers", test_partition_stalls_then_delivers);
  g_test_add_func ("/sim-net/partition-one-way", test_partition_one_way);
  g_test_add_func ("/sim-net/scheduled-partition", test_scheduled_partition);
  g_test_add_func ("/sim-net/hold-and-release", test_hold_and_release);
  g_test_add_func ("/sim-net/hold-and-partition-together", test_hold_and_partition_together);
  g_test_add_func ("/sim-net/connect-refused", test_connect_refused);
  g_test_add_func ("/sim-net/connect-times-out-across-partition",
                   test_connect_times_out_across_partition);
  g_test_add_func ("/sim-net/refusal-lost-on-the-way-back", test_refusal_lost_on_the_way_back);
  g_test_add_func ("/sim-net/syn-ack-after-timeout-is-reset", test_syn_ack_after_timeout_is_reset);
  g_test_add_func ("/sim-net/unknown-host", test_unknown_host);
  g_test_add_func ("/sim-net/stop-connecting-and-reconnect", test_stop_connecting_and_reconnect);
  g_test_add_func ("/sim-net/connector-misuse", test_connector_misuse);
  g_test_add_func ("/sim-net/lose-connection-flushes-then-closes",
                   test_lose_connection_flushes_then_closes);
  g_test_add_func ("/sim-net/abort-drops-and-resets", test_abort_drops_and_resets);
  g_test_add_func ("/sim-net/half-close", test_half_close);
  g_test_add_func ("/sim-net/half-close-both-ways", test_half_close_both_ways);
  g_test_add_func ("/sim-net/data-to-a-closed-end-resets-the-sender",
                   test_data_to_a_closed_end_resets_the_sender);
  g_test_add_func ("/sim-net/write-sequence-and-repeated-closes",
                   test_write_sequence_and_repeated_closes);
  g_test_add_func ("/sim-net/paused-reader-holds-delivery", test_paused_reader_holds_delivery);
  g_test_add_func ("/sim-net/streaming-producer-backpressure", test_streaming_producer_backpressure);
  g_test_add_func ("/sim-net/pull-producer", test_pull_producer);
  g_test_add_func ("/sim-net/write-buffer-limit-aborts", test_write_buffer_limit_aborts);
  g_test_add_func ("/sim-net/crash-resets-peers-and-drops-timers",
                   test_crash_resets_peers_and_drops_timers);
  g_test_add_func ("/sim-net/crash-during-partition-resets-after-heal",
                   test_crash_during_partition_resets_after_heal);
  g_test_add_func ("/sim-net/crash-while-connecting", test_crash_while_connecting);
  g_test_add_func ("/sim-net/guard-nothing-left", test_guard_nothing_left);
  g_test_add_func ("/sim-net/guard-budget", test_guard_budget);
  g_test_add_func ("/sim-net/guard-time-stands-still", test_guard_time_stands_still);
  g_test_add_func ("/sim-net/same-seed-same-journal", test_same_seed_same_journal);
  g_test_add_func ("/sim-net/different-seed-different-journal",
                   test_different_seed_different_journal);
  g_test_add_func ("/sim-net/journal-lines", test_journal_lines);
  g_test_add_func ("/sim-net/journal-off-and-written", test_journal_off_and_written);
  g_test_add_func ("/sim-net/random-double-is-seeded", test_random_double_is_seeded);
  g_test_add_func ("/sim-net/node-reactor", test_node_reactor);
  g_test_add_func ("/sim-net/net-outlives-nothing", test_net_outlives_nothing);
  g_test_add_func ("/sim-net/misuse-is-refused", test_misuse_is_refused);
  g_test_add_func ("/sim-net/udp-delivers-with-latency", test_udp_delivers_with_latency);
  g_test_add_func ("/sim-net/udp-loss", test_udp_loss);
  g_test_add_func ("/sim-net/udp-duplication", test_udp_duplication);
  g_test_add_func ("/sim-net/udp-reordering", test_udp_reordering);
  g_test_add_func ("/sim-net/udp-corruption", test_udp_corruption);
  g_test_add_func ("/sim-net/udp-partition-loses-and-hold-keeps",
                   test_udp_partition_loses_and_hold_keeps);
  g_test_add_func ("/sim-net/udp-ports-and-their-errors", test_udp_ports_and_their_errors);
  g_test_add_func ("/sim-net/udp-strictness", test_udp_strictness);
  g_test_add_func ("/sim-net/udp-faults-drawn-from-the-seed", test_udp_faults_drawn_from_the_seed);
  g_test_add_func ("/sim-net/net-clock-calls-run-in-order", test_net_clock_calls_run_in_order);
  g_test_add_func ("/sim-net/callbacks-may-crash-or-step", test_callbacks_may_crash_or_step);
  g_test_add_func ("/sim-net/event-order-at-any-latency", test_event_order_at_any_latency);
  g_test_add_func ("/sim-net/events-run-in-time-order", test_events_run_in_time_order);
  g_test_add_func ("/sim-net/crash-with-deliveries-far-ahead", test_crash_with_deliveries_far_ahead);
  g_test_add_func ("/sim-net/writes-of-every-size", test_writes_of_every_size);
  g_test_add_func ("/sim-net/default-write-limit", test_default_write_limit);
  g_test_add_func ("/sim-net/pending-table-states", test_pending_table_states);
  g_test_add_func ("/sim-net/journal-escapes-text", test_journal_escapes_text);
  g_test_add_func ("/sim-net/ports-chosen-past-those-taken", test_ports_chosen_past_those_taken);
  g_test_add_func ("/sim-net/unknown-nodes-are-refused", test_unknown_nodes_are_refused);
  g_test_add_func ("/sim-net/net-without-nodes-and-disposed-twice",
                   test_net_without_nodes_and_disposed_twice);
  g_test_add_func ("/sim-net/node-outlives-its-net", test_node_outlives_its_net);
  g_test_add_func ("/sim-net/connector-disconnect-and-down-node",
                   test_connector_disconnect_and_down_node);
  return g_test_run ();
}
