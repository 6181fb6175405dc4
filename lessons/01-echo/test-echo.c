/* test-echo.c: lesson 01's echo protocol, tested with no socket. */
#include <string.h>

#include <braid-fakes.h>

#include "echo.h"

/* Builds an echo protocol the way the server does (through a factory) and
 * connects it to a string transport, which records what it writes. */
static BraidProtocol *
connect_echo (BraidStringTransport *transport)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (ECHO_TYPE_PROTOCOL);
  BraidProtocol *echo = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (echo, BRAID_TRANSPORT (transport));
  return echo;
}

static void
receive (BraidProtocol *protocol, const char *text)
{
  braid_protocol_data_received (protocol, (const guint8 *) text, strlen (text));
}

static void
test_echo_returns_what_it_receives (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_echo (transport);

  receive (echo, "hello");
  braid_assert_transport_wrote (transport, "hello");
}

static void
test_echo_says_nothing_first (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_echo (transport);

  braid_assert_transport_wrote (transport, "");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

/* Nothing waits for "a whole message": each piece goes back at once. */
static void
test_echo_answers_each_piece_at_once (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_echo (transport);

  receive (echo, "hel");
  braid_assert_transport_wrote (transport, "hel");
  receive (echo, "lo\r\n");
  braid_assert_transport_wrote (transport, "lo\r\n");
}

/* The bytes are not a C string: a NUL or any other byte goes back too. */
static void
test_echo_returns_any_byte (void)
{
  static const guint8 bytes[] = { 'a', 0, 0xff, '\n', 0x80 };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_echo (transport);
  g_autoptr (GBytes) written = NULL;

  braid_protocol_data_received (echo, bytes, sizeof bytes);
  written = braid_string_transport_get_value (transport);
  g_assert_cmpmem (g_bytes_get_data (written, NULL), g_bytes_get_size (written),
                   bytes, sizeof bytes);
}

static void
test_echo_keeps_the_connection_open (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_echo (transport);

  receive (echo, "quit\n");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
  g_assert_true (braid_protocol_is_connected (echo));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 01: the echo protocol sends back every byte it receives.");

  braid_test_add_func ("/lesson-01/echo/returns-what-it-receives", test_echo_returns_what_it_receives);
  braid_test_add_func ("/lesson-01/echo/says-nothing-first", test_echo_says_nothing_first);
  braid_test_add_func ("/lesson-01/echo/each-piece-at-once", test_echo_answers_each_piece_at_once);
  braid_test_add_func ("/lesson-01/echo/any-byte", test_echo_returns_any_byte);
  braid_test_add_func ("/lesson-01/echo/keeps-connection-open", test_echo_keeps_the_connection_open);

  return g_test_run ();
}
