/* check-limited.c: the check of lesson 02's exercise (exercise/limited.c). */
#include <string.h>

#include <braid-fakes.h>

#include "limited.h"
#include "test-helpers.h"

#define SORRY "Sorry, the server is full (2 clients at most). Try again later.\n"

/* Up to the limit, each client is welcomed with its number, counted by the
 * factory (the count outlives each protocol). */
static void
test_clients_under_the_limit_are_welcomed (void)
{
  g_autoptr (LimitedFactory) factory = limited_factory_new (2);
  Client alice, bob;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  braid_assert_transport_wrote (alice.transport, "Welcome! You are client 1 of at most 2.\n");
  braid_assert_transport_wrote (bob.transport, "Welcome! You are client 2 of at most 2.\n");
  g_assert_false (braid_string_transport_get_disconnecting (bob.transport));
  g_assert_cmpuint (limited_factory_get_num_clients (factory), ==, 2);
  client_clear (&alice);
  client_clear (&bob);
}

/* One client too many gets the apology, then a clean hang-up
 * (lose_connection, not abort), and is not counted. */
static void
test_client_beyond_the_limit_is_refused_politely (void)
{
  g_autoptr (LimitedFactory) factory = limited_factory_new (2);
  Client alice, bob, carol;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  client_connect (&carol, factory);
  braid_assert_transport_wrote (carol.transport, SORRY);
  g_assert_true (braid_string_transport_get_disconnecting (carol.transport));
  g_assert_false (braid_string_transport_get_aborted (carol.transport));
  g_assert_cmpuint (limited_factory_get_num_clients (factory), ==, 2);
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
}

/* The apology says the factory's limit, not a number written in the code. */
static void
test_the_apology_names_the_real_limit (void)
{
  g_autoptr (LimitedFactory) factory = limited_factory_new (1);
  Client alice, bob;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  braid_assert_transport_wrote (bob.transport,
                                "Sorry, the server is full (1 clients at most). Try again later.\n");
  client_clear (&alice);
  client_clear (&bob);
}

/* A refused client is not served: what it sends is not echoed... */
static void
test_refused_client_is_not_echoed (void)
{
  g_autoptr (LimitedFactory) factory = limited_factory_new (2);
  Client alice, bob, carol;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  client_connect (&carol, factory);
  braid_string_transport_clear (carol.transport);
  braid_protocol_data_received (carol.protocol, (const guint8 *) "let me in\n", 10);
  braid_assert_transport_wrote (carol.transport, "");

  /* ... while a welcomed client still is. */
  braid_string_transport_clear (alice.transport);
  braid_protocol_data_received (alice.protocol, (const guint8 *) "ping\n", 5);
  braid_assert_transport_wrote (alice.transport, "ping\n");
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
}

/* The refused connection ends too, and its connection_lost must not count
 * out a client that was never counted in. */
static void
test_refused_client_leaving_does_not_change_the_count (void)
{
  g_autoptr (LimitedFactory) factory = limited_factory_new (2);
  Client alice, bob, carol, dave;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  client_connect (&carol, factory);
  client_leave (&carol);
  g_assert_cmpuint (limited_factory_get_num_clients (factory), ==, 2);

  client_connect (&dave, factory);
  braid_assert_transport_wrote (dave.transport, SORRY);
  g_assert_true (braid_string_transport_get_disconnecting (dave.transport));
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
  client_clear (&dave);
}

/* A client that leaves frees its place (connection_lost counts it out),
 * and the next client gets it. */
static void
test_a_place_freed_is_given_to_the_next_client (void)
{
  g_autoptr (LimitedFactory) factory = limited_factory_new (2);
  Client alice, bob, carol;

  client_connect (&alice, factory);
  client_connect (&bob, factory);
  client_leave (&alice);
  g_assert_cmpuint (limited_factory_get_num_clients (factory), ==, 1);

  client_connect (&carol, factory);
  braid_assert_transport_wrote (carol.transport, "Welcome! You are client 2 of at most 2.\n");
  g_assert_false (braid_string_transport_get_disconnecting (carol.transport));
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 02's exercise: refuse politely beyond the maximum of clients.");

  braid_test_add_func ("/lesson-02/limited/welcomed-under-limit", test_clients_under_the_limit_are_welcomed);
  braid_test_add_func ("/lesson-02/limited/refused-beyond-limit", test_client_beyond_the_limit_is_refused_politely);
  braid_test_add_func ("/lesson-02/limited/apology-names-limit", test_the_apology_names_the_real_limit);
  braid_test_add_func ("/lesson-02/limited/refused-not-echoed", test_refused_client_is_not_echoed);
  braid_test_add_func ("/lesson-02/limited/refused-leaving", test_refused_client_leaving_does_not_change_the_count);
  braid_test_add_func ("/lesson-02/limited/place-freed", test_a_place_freed_is_given_to_the_next_client);

  return g_test_run ();
}
