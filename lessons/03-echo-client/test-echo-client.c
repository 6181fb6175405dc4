/* test-echo-client.c: lesson 03's echo client, tested with no socket.
 *
 * A memory reactor stands in for the real one: it records the program's
 * connect_tcp call (host, port, factory, and a connector), and remembers
 * being stopped. The test then plays the network's part: it builds the
 * client's protocol from the recorded factory, connects it to a string
 * transport, and tells the factory how the connection went. */
#include <braid-fakes.h>

#include "echo-client.h"
#include "echo.h"

typedef struct
{
  BraidMemoryReactor *reactor;
  EchoClientFactory *factory;
  BraidConnector *connector;          /* the memory reactor's, recorded */
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer message)
{
  fixture->reactor = braid_memory_reactor_new ();
  fixture->factory = echo_client_factory_new (message != NULL ? message : "hello");
  braid_reactor_connect_tcp (BRAID_REACTOR (fixture->reactor), "127.0.0.1", 8000,
                             BRAID_CLIENT_FACTORY (fixture->factory));
  braid_reactor_run (BRAID_REACTOR (fixture->reactor));

  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (fixture->reactor)->len, ==, 1);
  fixture->connector = braid_memory_reactor_get_tcp_client (fixture->reactor, 0)->connector;
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer message)
{
  g_clear_object (&fixture->protocol);
  g_clear_object (&fixture->transport);
  g_clear_object (&fixture->factory);
  g_clear_object (&fixture->reactor);
  braid_assert_no_leftovers ();
}

/* What the reactor does once the TCP connection is up. */
static void
connect_protocol (Fixture *fixture)
{
  fixture->transport = braid_string_transport_new ();
  fixture->protocol = braid_factory_build_protocol (BRAID_FACTORY (fixture->factory), NULL);
  braid_protocol_make_connection (fixture->protocol, BRAID_TRANSPORT (fixture->transport));
}

/* What the reactor does when the connection ends: the protocol hears it,
 * then the client factory. */
static void
connection_ends (Fixture *fixture, gboolean clean)
{
  g_autoptr (GError) reason = braid_test_new_close_reason (clean);

  braid_test_lose_connection (fixture->protocol, clean);
  braid_client_factory_client_connection_lost (BRAID_CLIENT_FACTORY (fixture->factory),
                                               fixture->connector, reason);
}

static void
test_connects_where_asked (Fixture *fixture, gconstpointer message)
{
  BraidTcpClientRecord *record = braid_memory_reactor_get_tcp_client (fixture->reactor, 0);

  g_assert_cmpstr (record->host, ==, "127.0.0.1");
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_true (record->factory == BRAID_CLIENT_FACTORY (fixture->factory));
}

static void
test_sends_its_message_when_connected (Fixture *fixture, gconstpointer message)
{
  connect_protocol (fixture);
  braid_assert_transport_wrote (fixture->transport, "hello");
  g_assert_false (braid_string_transport_get_disconnecting (fixture->transport));
}

static void
test_waits_for_the_whole_echo_then_hangs_up (Fixture *fixture, gconstpointer message)
{
  connect_protocol (fixture);
  braid_test_receive (fixture->protocol, "hel");
  g_assert_false (braid_string_transport_get_disconnecting (fixture->transport));
  braid_test_receive (fixture->protocol, "lo");
  g_assert_true (braid_string_transport_get_disconnecting (fixture->transport));
  g_assert_false (braid_string_transport_get_aborted (fixture->transport));
  g_assert_cmpstr (echo_client_factory_get_reply (fixture->factory), ==, "hello");
}

static void
test_clean_close_after_echo_succeeds (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) error = NULL;

  connect_protocol (fixture);
  braid_test_receive (fixture->protocol, "hello");
  connection_ends (fixture, TRUE);
  g_assert_true (braid_memory_reactor_get_has_stopped (fixture->reactor));
  g_assert_true (echo_client_factory_succeeded (fixture->factory, &error));
  g_assert_no_error (error);
}

static void
test_failed_connection_stops_the_reactor (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                    "Connection refused");
  g_autoptr (GError) error = NULL;

  braid_client_factory_client_connection_failed (BRAID_CLIENT_FACTORY (fixture->factory),
                                                 fixture->connector, refused);
  g_assert_true (braid_memory_reactor_get_has_stopped (fixture->reactor));
  g_assert_false (echo_client_factory_succeeded (fixture->factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_lost_connection_is_a_failure (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) error = NULL;

  connect_protocol (fixture);
  connection_ends (fixture, FALSE);
  g_assert_true (braid_memory_reactor_get_has_stopped (fixture->reactor));
  g_assert_false (echo_client_factory_succeeded (fixture->factory, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
}

static void
test_server_closing_early_is_a_failure (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) error = NULL;

  connect_protocol (fixture);
  braid_test_receive (fixture->protocol, "hel");
  connection_ends (fixture, TRUE);
  g_assert_false (echo_client_factory_succeeded (fixture->factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

static void
test_a_different_answer_is_a_failure (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) error = NULL;

  connect_protocol (fixture);
  braid_test_receive (fixture->protocol, "HELLO");
  g_assert_true (braid_string_transport_get_disconnecting (fixture->transport));
  connection_ends (fixture, TRUE);
  g_assert_false (echo_client_factory_succeeded (fixture->factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_not_over_until_the_connection_ends (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) error = NULL;

  connect_protocol (fixture);
  braid_test_receive (fixture->protocol, "hello");
  g_assert_false (braid_memory_reactor_get_has_stopped (fixture->reactor));
  g_assert_false (echo_client_factory_succeeded (fixture->factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  connection_ends (fixture, TRUE);
}

/* The reactor may already be stopping (Ctrl-C) when the connection ends:
 * the factory stops it again, which does nothing. */
static void
test_does_not_stop_a_stopped_reactor (Fixture *fixture, gconstpointer message)
{
  g_autoptr (GError) error = NULL;

  connect_protocol (fixture);
  braid_test_receive (fixture->protocol, "hello");
  braid_reactor_stop (BRAID_REACTOR (fixture->reactor));
  connection_ends (fixture, TRUE);
  g_assert_false (braid_reactor_is_running (BRAID_REACTOR (fixture->reactor)));
  g_assert_true (echo_client_factory_succeeded (fixture->factory, &error));
}

/* The client against lesson 01's real echo protocol, through a loopback:
 * @chunk_size bytes at a time, so the echo arrives in pieces. */
static void
talk_to_echo_server (Fixture *fixture, gsize chunk_size)
{
  g_autoptr (BraidFactory) server_factory = braid_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (BraidProtocol) server = braid_factory_build_protocol (server_factory, NULL);
  g_autoptr (BraidLoopback) loopback = NULL;

  fixture->protocol = braid_factory_build_protocol (BRAID_FACTORY (fixture->factory), NULL);
  loopback = braid_loopback_new (server, fixture->protocol);
  braid_loopback_set_chunk_size (loopback, chunk_size);
  braid_loopback_flush (loopback);

  g_assert_cmpstr (echo_client_factory_get_reply (fixture->factory), ==, "Hello, world!");
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_false (braid_protocol_is_connected (fixture->protocol));
}

static void
test_talks_to_the_echo_server (Fixture *fixture, gconstpointer message)
{
  talk_to_echo_server (fixture, 0);
}

static void
test_talks_to_the_echo_server_byte_by_byte (Fixture *fixture, gconstpointer message)
{
  talk_to_echo_server (fixture, 1);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 03: the echo client says its message, waits for the whole echo, "
                  "hangs up, and stops the reactor however the connection ends.");

  ADD ("/lesson-03/echo-client/connects-where-asked", test_connects_where_asked);
  ADD ("/lesson-03/echo-client/sends-when-connected", test_sends_its_message_when_connected);
  ADD ("/lesson-03/echo-client/waits-for-whole-echo", test_waits_for_the_whole_echo_then_hangs_up);
  ADD ("/lesson-03/echo-client/clean-close-succeeds", test_clean_close_after_echo_succeeds);
  ADD ("/lesson-03/echo-client/failed-stops-reactor", test_failed_connection_stops_the_reactor);
  ADD ("/lesson-03/echo-client/lost-is-failure", test_lost_connection_is_a_failure);
  ADD ("/lesson-03/echo-client/early-close-is-failure", test_server_closing_early_is_a_failure);
  ADD ("/lesson-03/echo-client/different-answer-is-failure", test_a_different_answer_is_a_failure);
  ADD ("/lesson-03/echo-client/not-over-until-end", test_not_over_until_the_connection_ends);
  ADD ("/lesson-03/echo-client/stopped-reactor", test_does_not_stop_a_stopped_reactor);
  g_test_add ("/lesson-03/echo-client/loopback/whole", Fixture, "Hello, world!",
              fixture_set_up, test_talks_to_the_echo_server, fixture_tear_down);
  g_test_add ("/lesson-03/echo-client/loopback/byte-by-byte", Fixture, "Hello, world!",
              fixture_set_up, test_talks_to_the_echo_server_byte_by_byte, fixture_tear_down);

  return g_test_run ();
}
