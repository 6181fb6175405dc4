/* test-counting.c: lesson 02's counting echo, tested with no socket. */
#include <string.h>

#include <braid-fakes.h>

#include "counting.h"

/* One client of the server: its protocol and the transport it writes to. */
typedef struct
{
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Client;

static void
client_connect (Client *client, CountingFactory *factory)
{
  client->transport = braid_string_transport_new ();
  client->protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  braid_protocol_make_connection (client->protocol, BRAID_TRANSPORT (client->transport));
}

/* What the reactor does when a client goes away: tell its protocol. */
static void
client_leave (Client *client)
{
  g_autoptr (GError) done = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                                 "the client closed the connection");

  braid_protocol_connection_lost (client->protocol, done);
}

static void
client_clear (Client *client)
{
  g_clear_object (&client->protocol);
  g_clear_object (&client->transport);
}

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
  g_autoptr (GError) lost = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                                 "connection reset by peer");
  Client alice;

  client_connect (&alice, factory);
  braid_protocol_connection_lost (alice.protocol, lost);
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

  return g_test_run ();
}
