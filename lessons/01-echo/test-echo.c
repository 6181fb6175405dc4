/* test-echo.c: lesson 01's echo protocol, tested with no socket. */
#include <braid-fakes.h>

#include "echo.h"
#include "recording-protocol.h"
#include "test-helpers.h"

static void
test_echo_returns_what_it_receives (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_protocol (ECHO_TYPE_PROTOCOL, transport);

  braid_test_receive (echo, "hello");
  braid_assert_transport_wrote (transport, "hello");
}

static void
test_echo_says_nothing_first (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_protocol (ECHO_TYPE_PROTOCOL, transport);

  g_assert_true (braid_protocol_get_transport (echo) == BRAID_TRANSPORT (transport));
  braid_assert_transport_wrote (transport, "");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

/* Nothing waits for "a whole message": each piece goes back at once. */
static void
test_echo_answers_each_piece_at_once (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_protocol (ECHO_TYPE_PROTOCOL, transport);

  braid_test_receive (echo, "hel");
  braid_assert_transport_wrote (transport, "hel");
  braid_test_receive (echo, "lo\r\n");
  braid_assert_transport_wrote (transport, "lo\r\n");
}

/* The bytes are not a C string: a NUL or any other byte goes back too. */
static void
test_echo_returns_any_byte (void)
{
  static const guint8 bytes[] = { 'a', 0, 0xff, '\n', 0x80 };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) echo = connect_protocol (ECHO_TYPE_PROTOCOL, transport);
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
  g_autoptr (BraidProtocol) echo = connect_protocol (ECHO_TYPE_PROTOCOL, transport);

  braid_test_receive (echo, "quit\n");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
  g_assert_true (braid_protocol_is_connected (echo));
}

/* The program's wiring, checked on a memory reactor: it records the
 * listen_tcp call instead of opening a socket. */
static void
test_server_listens_on_the_port_asked (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidProtocol) protocol = NULL;
  BraidListeningPort *port;
  BraidTcpServerRecord *record;

  port = echo_server_listen (BRAID_REACTOR (reactor), 8000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (port);

  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 1);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_true (record->listening_port == port);
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  protocol = braid_factory_build_protocol (record->factory, NULL);
  g_assert_true (ECHO_IS_PROTOCOL (protocol));
}

/* A port already taken is an error the program can print, not a crash. */
static void
test_server_reports_a_port_in_use (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (echo_server_listen (BRAID_REACTOR (reactor), 8000, &error));
  g_assert_null (echo_server_listen (BRAID_REACTOR (reactor), 8000, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
}

/* A whole conversation through a loopback: a client says something, the
 * pump carries it to the echo and the echo back, @chunk_size bytes at a
 * time (0: all at once). */
static void
converse (gsize chunk_size)
{
  static const char words[] = "hello, world\r\nand again\r\n";
  g_autoptr (BraidFactory) factory = braid_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (BraidProtocol) echo = braid_factory_build_protocol (factory, NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new (words);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (echo, BRAID_PROTOCOL (client));

  braid_loopback_set_chunk_size (loopback, chunk_size);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (recording_protocol_get_received (client), ==, words);

  braid_loopback_close (loopback);
  g_assert_true (braid_error_is_clean_close (recording_protocol_get_reason (client)));
}

static void
test_echo_through_a_loopback (void)
{
  converse (0);
}

static void
test_echo_through_a_loopback_byte_by_byte (void)
{
  converse (1);
}

/* The same echo over TLS: the echo behind a TLS server, the recording
 * client behind a TLS client that trusts the test CA, through the loopback
 * one byte at a time. The echo's code does not change. */
static void
test_echo_over_tls_through_a_loopback (void)
{
  static const char words[] = "hello, world\r\nand again\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidTlsOptions) server_options =
    braid_tls_options_new_server (TLS_FIXTURES "/server.pem", TLS_FIXTURES "/server-key.pem", &error);
  g_autoptr (BraidTlsOptions) client_options = braid_tls_options_new_client ("localhost");
  g_autoptr (BraidFactory) echo_factory = braid_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (BraidTlsFactory) tls_factory = NULL;
  g_autoptr (BraidProtocol) server = NULL;
  g_autoptr (RecordingProtocol) client = recording_protocol_new (words);
  g_autoptr (BraidTlsProtocol) tls_client = NULL;
  g_autoptr (BraidLoopback) loopback = NULL;

  g_assert_no_error (error);
  g_assert_true (braid_tls_options_set_trust_roots (client_options, TLS_FIXTURES "/ca.pem", &error));
  tls_factory = braid_tls_factory_new (server_options, echo_factory);
  server = braid_factory_build_protocol (BRAID_FACTORY (tls_factory), NULL);
  tls_client = braid_tls_protocol_new (client_options, BRAID_PROTOCOL (client));
  loopback = braid_loopback_new (server, BRAID_PROTOCOL (tls_client));

  braid_loopback_set_chunk_size (loopback, 1);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (recording_protocol_get_received (client), ==, words);
  g_assert_true (braid_tls_protocol_is_handshake_done (tls_client));

  /* The client closes: close_notify both ways, a clean close. */
  braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (client)));
  braid_loopback_flush (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_true (braid_error_is_clean_close (recording_protocol_get_reason (client)));
}

static void
test_tls_server_listens_with_a_tls_factory (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidTlsOptions) options =
    braid_tls_options_new_server (TLS_FIXTURES "/server.pem", TLS_FIXTURES "/server-key.pem", &error);
  BraidTcpServerRecord *record;

  g_assert_nonnull (echo_tls_server_listen (BRAID_REACTOR (reactor), 8443, options, &error));
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_cmpuint (record->port, ==, 8443);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (BRAID_IS_TLS_FACTORY (record->factory));
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
  braid_test_add_func ("/lesson-01/echo/loopback/whole", test_echo_through_a_loopback);
  braid_test_add_func ("/lesson-01/echo/loopback/byte-by-byte", test_echo_through_a_loopback_byte_by_byte);
  braid_test_add_func ("/lesson-01/echo/tls/loopback-byte-by-byte", test_echo_over_tls_through_a_loopback);
  braid_test_add_func ("/lesson-01/echo-server/tls-listens", test_tls_server_listens_with_a_tls_factory);
  braid_test_add_func ("/lesson-01/echo-server/listens", test_server_listens_on_the_port_asked);
  braid_test_add_func ("/lesson-01/echo-server/port-in-use", test_server_reports_a_port_in_use);

  return g_test_run ();
}
