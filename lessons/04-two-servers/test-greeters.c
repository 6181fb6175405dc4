/* test-greeters.c: lesson 04's Hello and Bonjour protocols, with no socket. */
#include <braid-fakes.h>

#include "greeters.h"

static BraidProtocol *
connect_protocol (GType protocol_type, BraidStringTransport *transport)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (protocol_type);
  BraidProtocol *protocol = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  return protocol;
}

static void
test_hello_greets_in_english (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) hello = connect_protocol (HELLO_TYPE_PROTOCOL, transport);

  braid_assert_transport_wrote (transport, "");
  braid_test_receive (hello, "world\n");
  braid_assert_transport_wrote (transport, "Hello, world\n");
}

static void
test_bonjour_greets_in_french (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) bonjour = connect_protocol (BONJOUR_TYPE_PROTOCOL, transport);

  braid_test_receive (bonjour, "le monde\n");
  braid_assert_transport_wrote (transport, "Bonjour, le monde\n");
}

/* The seed's protocols greet each *piece* of data: if TCP splits "world"
 * in two, the client hears two greetings. Lesson 07's lines fix that. */
static void
test_each_piece_is_greeted (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) hello = connect_protocol (HELLO_TYPE_PROTOCOL, transport);

  braid_test_receive (hello, "wor");
  braid_test_receive (hello, "ld\n");
  braid_assert_transport_wrote (transport, "Hello, worHello, ld\n");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

/* Two connections, two protocols: nothing is shared between them. */
static void
test_two_connections_do_not_mix (void)
{
  g_autoptr (BraidStringTransport) first = braid_string_transport_new ();
  g_autoptr (BraidStringTransport) second = braid_string_transport_new ();
  g_autoptr (BraidProtocol) hello = connect_protocol (HELLO_TYPE_PROTOCOL, first);
  g_autoptr (BraidProtocol) bonjour = connect_protocol (BONJOUR_TYPE_PROTOCOL, second);

  braid_test_receive (hello, "Ann\n");
  braid_test_receive (bonjour, "Anne\n");
  braid_assert_transport_wrote (first, "Hello, Ann\n");
  braid_assert_transport_wrote (second, "Bonjour, Anne\n");
}

/* Both servers on one reactor: two listen_tcp calls, two factories. */
static void
test_two_servers_listen_on_one_reactor (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidProtocol) hello_protocol = NULL;
  g_autoptr (BraidProtocol) bonjour_protocol = NULL;
  BraidListeningPort *hello = NULL, *bonjour = NULL;
  BraidTcpServerRecord *first, *second;

  g_assert_true (two_servers_listen (BRAID_REACTOR (reactor), 1234, 1235,
                                     &hello, &bonjour, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 2);

  first = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_assert_cmpuint (first->port, ==, 1234);
  g_assert_cmpstr (first->interface, ==, "127.0.0.1");
  g_assert_true (first->listening_port == hello);
  hello_protocol = braid_factory_build_protocol (first->factory, NULL);
  g_assert_true (HELLO_IS_PROTOCOL (hello_protocol));

  second = braid_memory_reactor_get_tcp_server (reactor, 1);
  g_assert_cmpuint (second->port, ==, 1235);
  g_assert_cmpstr (second->interface, ==, "127.0.0.1");
  g_assert_true (second->listening_port == bonjour);
  bonjour_protocol = braid_factory_build_protocol (second->factory, NULL);
  g_assert_true (BONJOUR_IS_PROTOCOL (bonjour_protocol));
}

/* All or nothing: if the Bonjour port is taken, the Hello server that
 * already listens is closed again, and the error says why. */
static void
test_second_port_taken_closes_the_first (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) squatter = braid_factory_new (HELLO_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *hello = NULL, *bonjour = NULL;
  BraidTcpServerRecord *hello_record;

  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 1235, squatter,
                                              "127.0.0.1", &error));
  g_assert_false (two_servers_listen (BRAID_REACTOR (reactor), 1234, 1235,
                                      &hello, &bonjour, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_null (hello);
  g_assert_null (bonjour);

  /* Records: the squatter, then the Hello server, stopped again. */
  hello_record = braid_memory_reactor_get_tcp_server (reactor, 1);
  g_assert_cmpuint (hello_record->port, ==, 1234);
  g_assert_false (braid_fake_listening_port_get_listening (
    BRAID_FAKE_LISTENING_PORT (hello_record->listening_port)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 04: two greeting protocols, two servers on one reactor.");

  braid_test_add_func ("/lesson-04/greeters/hello", test_hello_greets_in_english);
  braid_test_add_func ("/lesson-04/greeters/bonjour", test_bonjour_greets_in_french);
  braid_test_add_func ("/lesson-04/greeters/each-piece", test_each_piece_is_greeted);
  braid_test_add_func ("/lesson-04/greeters/do-not-mix", test_two_connections_do_not_mix);
  braid_test_add_func ("/lesson-04/two-servers/listen", test_two_servers_listen_on_one_reactor);
  braid_test_add_func ("/lesson-04/two-servers/all-or-nothing", test_second_port_taken_closes_the_first);

  return g_test_run ();
}
