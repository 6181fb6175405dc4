/* test-greeters.c: lesson 04's Hello and Bonjour protocols, with no socket. */
#include <string.h>

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
receive (BraidProtocol *protocol, const char *text)
{
  braid_protocol_data_received (protocol, (const guint8 *) text, strlen (text));
}

static void
test_hello_greets_in_english (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) hello = connect_protocol (HELLO_TYPE_PROTOCOL, transport);

  braid_assert_transport_wrote (transport, "");
  receive (hello, "world\n");
  braid_assert_transport_wrote (transport, "Hello, world\n");
}

static void
test_bonjour_greets_in_french (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) bonjour = connect_protocol (BONJOUR_TYPE_PROTOCOL, transport);

  receive (bonjour, "le monde\n");
  braid_assert_transport_wrote (transport, "Bonjour, le monde\n");
}

/* The seed's protocols greet each *piece* of data: if TCP splits "world"
 * in two, the client hears two greetings. Lesson 07's lines fix that. */
static void
test_each_piece_is_greeted (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) hello = connect_protocol (HELLO_TYPE_PROTOCOL, transport);

  receive (hello, "wor");
  receive (hello, "ld\n");
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

  receive (hello, "Ann\n");
  receive (bonjour, "Anne\n");
  braid_assert_transport_wrote (first, "Hello, Ann\n");
  braid_assert_transport_wrote (second, "Bonjour, Anne\n");
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

  return g_test_run ();
}
