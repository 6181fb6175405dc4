/* check-greeter.c: the check of lesson 04's exercise (exercise/greeter.c). */
#include <braid-fakes.h>

#include "greeter.h"

/* Connects a protocol of @factory to a fresh string transport, says @text
 * to it, and returns what it answered. */
static char *
answer_of (BraidFactory *factory, const char *text)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (factory, NULL);
  g_autoptr (GBytes) written = NULL;

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_test_receive (protocol, text);
  written = braid_string_transport_get_value (transport);
  return g_strndup (g_bytes_get_data (written, NULL), g_bytes_get_size (written));
}

/* Each protocol greets with its own factory's greeting: the state shared
 * by the connections of one server lives in the factory. */
static void
test_greets_with_the_factory_greeting (void)
{
  g_autoptr (GreeterFactory) hello = greeter_factory_new ("Hello");
  g_autoptr (GreeterFactory) bonjour = greeter_factory_new ("Bonjour");
  g_autoptr (GreeterFactory) ciao = greeter_factory_new ("Ciao");
  g_autofree char *from_hello = answer_of (BRAID_FACTORY (hello), "world\n");
  g_autofree char *from_bonjour = answer_of (BRAID_FACTORY (bonjour), "le monde\n");
  g_autofree char *from_ciao = answer_of (BRAID_FACTORY (ciao), "mondo\n");

  g_assert_cmpstr (from_hello, ==, "Hello, world\n");
  g_assert_cmpstr (from_bonjour, ==, "Bonjour, le monde\n");
  g_assert_cmpstr (from_ciao, ==, "Ciao, mondo\n");
}

/* Checks the @index-th recorded server: its port, its address, and that
 * its factory greets with @greeting. */
static void
assert_server (BraidMemoryReactor *reactor, guint index, guint16 port, const char *greeting)
{
  GPtrArray *servers = braid_memory_reactor_get_tcp_servers (reactor);
  BraidTcpServerRecord *record;
  g_autofree char *answer = NULL;
  g_autofree char *expected = g_strdup_printf ("%s, amigo\n", greeting);

  g_assert_cmpuint (index, <, servers->len);
  record = g_ptr_array_index (servers, index);
  g_assert_cmpuint (record->port, ==, port);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  answer = answer_of (record->factory, "amigo\n");
  g_assert_cmpstr (answer, ==, expected);
}

/* Three servers on one reactor, on the port asked for and the two after
 * it, each on 127.0.0.1 with its own greeting. */
static void
test_three_servers_on_consecutive_ports (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (three_servers_listen (BRAID_REACTOR (reactor), 1234, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 3);
  assert_server (reactor, 0, 1234, "Hello");
  assert_server (reactor, 1, 1235, "Bonjour");
  assert_server (reactor, 2, 1236, "Hola");
}

/* Port 0 means "any free port" for each server, not 0, 1 and 2. */
static void
test_port_zero_lets_the_system_choose_each (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (three_servers_listen (BRAID_REACTOR (reactor), 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 3);
  assert_server (reactor, 0, 0, "Hello");
  assert_server (reactor, 1, 0, "Bonjour");
  assert_server (reactor, 2, 0, "Hola");
}

/* All or nothing: with the Hola port taken, no greeter may stay open. */
static void
test_a_taken_port_closes_the_others (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GreeterFactory) squatter = greeter_factory_new ("Occupied");
  g_autoptr (GError) error = NULL;
  GPtrArray *servers = braid_memory_reactor_get_tcp_servers (reactor);

  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 1236,
                                              BRAID_FACTORY (squatter), "127.0.0.1", &error));
  g_assert_false (three_servers_listen (BRAID_REACTOR (reactor), 1234, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);

  /* The squatter, then Hello and Bonjour, which must listen no more. */
  g_assert_cmpuint (servers->len, >=, 3);
  for (guint i = 1; i < servers->len; i++)
    {
      BraidTcpServerRecord *record = g_ptr_array_index (servers, i);

      g_assert_false (braid_fake_listening_port_get_listening (
        BRAID_FAKE_LISTENING_PORT (record->listening_port)));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 04's exercise: one greeter protocol configured by its factory; "
                  "three servers on one reactor.");

  braid_test_add_func ("/lesson-04/greeter/factory-greeting", test_greets_with_the_factory_greeting);
  braid_test_add_func ("/lesson-04/greeter/three-servers", test_three_servers_on_consecutive_ports);
  braid_test_add_func ("/lesson-04/greeter/port-zero", test_port_zero_lets_the_system_choose_each);
  braid_test_add_func ("/lesson-04/greeter/all-or-nothing", test_a_taken_port_closes_the_others);

  return g_test_run ();
}
