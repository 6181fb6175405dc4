/* test-counting.c: lesson 02's counting echo, tested with no socket. */
#include <string.h>

#include <braid-fakes.h>

#include "counting.h"
#include "recording-protocol.h"
#include "test-helpers.h"

static void
test_first_client_hears_it_is_alone (void)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  Client alice;

  client_connect (&alice, factory);
  braid_assert_transport_wrote (alice.transport,
                                "Hello. We are 1 connection using this protocol.\n");
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 1);
  client_clear (&alice);
}

static void
test_each_new_client_hears_the_count (void)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  Client alice, bob;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  braid_assert_transport_wrote (bob.transport,
                                "Hello. We are 2 connections using this protocol.\n");
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 2);
  client_clear (&alice);
  client_clear (&bob);
}

static void
test_leaving_clients_are_counted_out (void)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  Client alice, bob, carol;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  client_leave (&alice);
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 1);

  client_connect (&carol, factory);
  braid_assert_transport_wrote (carol.transport,
                                "Hello. We are 2 connections using this protocol.\n");

  client_leave (&bob);
  client_leave (&carol);
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 0);
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
}

/* An unclean end (a reset, a crash of the client) counts out just the same. */
static void
test_lost_connection_is_counted_out (void)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  Client alice;

  client_connect (&alice, factory);
  braid_test_lose_connection (alice.protocol, FALSE);
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 0);
  client_clear (&alice);
}

static void
test_echoes_after_the_greeting (void)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  Client alice;

  client_connect (&alice, factory);
  braid_string_transport_clear (alice.transport);
  braid_protocol_data_received (alice.protocol, (const guint8 *) "ping\n", 5);
  braid_assert_transport_wrote (alice.transport, "ping\n");
  g_assert_false (braid_string_transport_get_disconnecting (alice.transport));
  client_clear (&alice);
}

/* Two factories are two servers: each counts only its own clients. */
static void
test_each_factory_counts_its_own (void)
{
  g_autoptr (CountingFactory) first = counting_factory_new ();
  g_autoptr (CountingFactory) second = counting_factory_new ();
  Client alice, bob;

  client_connect (&alice, first);
  client_connect (&bob, second);
  braid_assert_transport_wrote (bob.transport,
                                "Hello. We are 1 connection using this protocol.\n");
  g_assert_cmpuint (counting_factory_get_num_protocols (first), ==, 1);
  g_assert_cmpuint (counting_factory_get_num_protocols (second), ==, 1);
  client_clear (&alice);
  client_clear (&bob);
}

/* Three clients on one server, through loopbacks: each conversation has
 * its own pair of transports, and the one factory sees them all. */
static void
test_clients_through_loopbacks (void)
{
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  BraidProtocol *servers[3];
  RecordingProtocol *clients[3];
  BraidLoopback *loopbacks[3];

  for (guint i = 0; i < 3; i++)
    {
      servers[i] = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
      clients[i] = recording_protocol_new (NULL);
      loopbacks[i] = braid_loopback_new (servers[i], BRAID_PROTOCOL (clients[i]));
      braid_loopback_set_chunk_size (loopbacks[i], 1);
      braid_loopback_flush (loopbacks[i]);
    }
  g_assert_cmpstr (recording_protocol_get_received (clients[0]), ==,
                   "Hello. We are 1 connection using this protocol.\n");
  g_assert_cmpstr (recording_protocol_get_received (clients[2]), ==,
                   "Hello. We are 3 connections using this protocol.\n");

  /* The second client hangs up: its server protocol is told, and counts out. */
  braid_transport_lose_connection (braid_loopback_get_client_transport (loopbacks[1]));
  braid_loopback_flush (loopbacks[1]);
  g_assert_false (braid_loopback_is_open (loopbacks[1]));
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 2);

  /* The others still echo. */
  recording_protocol_clear (clients[2]);
  recording_protocol_say (clients[2], "still here\n");
  braid_loopback_flush (loopbacks[2]);
  g_assert_cmpstr (recording_protocol_get_received (clients[2]), ==, "still here\n");

  for (guint i = 0; i < 3; i++)
    {
      if (braid_loopback_is_open (loopbacks[i]))
        braid_loopback_close (loopbacks[i]);
      g_object_unref (loopbacks[i]);
      g_object_unref (clients[i]);
      g_object_unref (servers[i]);
    }
  g_assert_cmpuint (counting_factory_get_num_protocols (factory), ==, 0);
}

static void
test_server_listens_with_a_counting_factory (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *record;

  g_assert_nonnull (counting_server_listen (BRAID_REACTOR (reactor), 8000, &error));
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (COUNTING_IS_FACTORY (record->factory));
  g_assert_cmpuint (counting_factory_get_num_protocols (COUNTING_FACTORY (record->factory)), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 02: the factory counts the connections; each client hears the count.");

  braid_test_add_func ("/lesson-02/counting/first-client", test_first_client_hears_it_is_alone);
  braid_test_add_func ("/lesson-02/counting/each-new-client", test_each_new_client_hears_the_count);
  braid_test_add_func ("/lesson-02/counting/leaving-clients", test_leaving_clients_are_counted_out);
  braid_test_add_func ("/lesson-02/counting/lost-connection", test_lost_connection_is_counted_out);
  braid_test_add_func ("/lesson-02/counting/echoes", test_echoes_after_the_greeting);
  braid_test_add_func ("/lesson-02/counting/per-factory", test_each_factory_counts_its_own);
  braid_test_add_func ("/lesson-02/counting/loopbacks", test_clients_through_loopbacks);
  braid_test_add_func ("/lesson-02/counting-server/listens", test_server_listens_with_a_counting_factory);

  return g_test_run ();
}
