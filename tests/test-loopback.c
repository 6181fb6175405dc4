/* test-loopback.c: BraidLoopback, two protocols talking in memory. */
#include <string.h>
#include <braid-fakes.h>

#include "test-protocols.h"

#define MESSAGE "The quick brown fox jumps over the lazy dog, twice: 0123456789"

static RecordingState *
state_of (RecordingProtocol *protocol)
{
  return recording_protocol_state (protocol);
}

static void
assert_address (GSocketAddress *address, const char *ip, guint16 port)
{
  g_autofree char *text = NULL;

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (address));
  text = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  g_assert_cmpstr (text, ==, ip);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)), ==, port);
}

static void
test_connects_server_first_with_addresses (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", log);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", log);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);

  g_assert_cmpstr (log->str, ==, "server:made;client:made;");
  g_assert_true (braid_loopback_is_open (loopback));
  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (server)) == server_transport);
  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (client)) == client_transport);
  assert_address (braid_transport_get_host (server_transport), "127.0.0.1", 8000);
  assert_address (braid_transport_get_peer (server_transport), "127.0.0.1", 54321);
  assert_address (braid_transport_get_host (client_transport), "127.0.0.1", 54321);
  assert_address (braid_transport_get_peer (client_transport), "127.0.0.1", 8000);
  g_assert_nonnull (strstr (braid_loopback_get_creator (loopback), "test-loopback.c:"));
  g_assert_false (braid_transport_is_disconnecting (server_transport));

  braid_loopback_close (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
}

static void
test_pump_once_moves_one_round (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);

  state_of (server)->echo = TRUE;
  g_assert_false (braid_loopback_pump_once (loopback));

  braid_transport_write_string (client_transport, "ping");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback, client_transport), ==, 4);
  g_assert_cmpstr (state_of (server)->received->str, ==, "");

  /* First pump: the server gets it and echoes; the echo waits. */
  g_assert_true (braid_loopback_pump_once (loopback));
  g_assert_cmpstr (state_of (server)->received->str, ==, "ping");
  g_assert_cmpstr (state_of (client)->received->str, ==, "");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback, client_transport), ==, 0);

  g_assert_true (braid_loopback_pump_once (loopback));
  g_assert_cmpstr (state_of (client)->received->str, ==, "ping");
  g_assert_false (braid_loopback_pump_once (loopback));

  braid_loopback_close (loopback);
}

static void
run_echo_at_chunk_size (gsize chunk_size)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  gsize len = strlen (MESSAGE);
  gsize expected_calls = chunk_size == 0 ? 1 : (len + chunk_size - 1) / chunk_size;

  braid_loopback_set_chunk_size (loopback, chunk_size);
  state_of (server)->echo = TRUE;
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), MESSAGE);
  braid_loopback_flush (loopback);

  g_assert_cmpstr (state_of (server)->received->str, ==, MESSAGE);
  g_assert_cmpstr (state_of (client)->received->str, ==, MESSAGE);
  g_assert_cmpuint (state_of (server)->data_calls, ==, expected_calls);
  g_assert_cmpuint (state_of (client)->data_calls, ==, expected_calls);
  g_assert_cmpuint (state_of (server)->largest_chunk, ==, chunk_size == 0 ? len : chunk_size);
  braid_loopback_close (loopback);
}

static void
test_chunk_size_1 (void)
{
  run_echo_at_chunk_size (1);
}

static void
test_chunk_size_2 (void)
{
  run_echo_at_chunk_size (2);
}

static void
test_chunk_size_3 (void)
{
  run_echo_at_chunk_size (3);
}

static void
test_chunk_size_7 (void)
{
  run_echo_at_chunk_size (7);
}

static void
test_chunk_size_whole (void)
{
  run_echo_at_chunk_size (0);
}

static void
test_write_sequence_arrives_in_order (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  GOutputVector vectors[] = { { "one ", 4 }, { "", 0 }, { "two", 3 } };

  braid_transport_write_sequence (braid_loopback_get_server_transport (loopback), vectors, 3);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (client)->received->str, ==, "one two");
  braid_loopback_close (loopback);
}

static void
test_lose_connection_is_clean_on_both_sides_after_data (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", log);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", log);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  braid_loopback_set_chunk_size (loopback, 1);
  braid_transport_write_string (server_transport, "bye");
  braid_transport_lose_connection (server_transport);
  g_assert_true (braid_transport_is_disconnecting (server_transport));
  g_assert_true (braid_loopback_is_open (loopback));
  /* Until the close happens, what the closing side writes still goes out. */
  braid_transport_write_string (server_transport, " now");

  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (client)->received->str, ==, "bye now");
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (state_of (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (state_of (server)->lost_count, ==, 1);
  g_assert_cmpuint (state_of (client)->lost_count, ==, 1);
  g_assert_false (braid_protocol_is_connected (BRAID_PROTOCOL (client)));
  g_assert_cmpstr (log->str, ==, "server:made;client:made;server:lost-clean;client:lost-clean;");

  /* After the close: writes do nothing, pumps move nothing, close is a no-op. */
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "late");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback,
                      braid_loopback_get_client_transport (loopback)), ==, 0);
  g_assert_false (braid_loopback_pump_once (loopback));
  braid_loopback_close (loopback);
  g_assert_cmpuint (state_of (server)->lost_count, ==, 1);
  g_assert_cmpstr (state_of (server)->received->str, ==, "");
}

static void
test_client_close_is_clean_too (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  braid_transport_lose_connection (braid_loopback_get_client_transport (loopback));
  braid_loopback_flush (loopback);
  g_assert_error (state_of (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_nonnull (strstr (state_of (server)->reason->message, "client"));
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
}

static void
test_abort_drops_bytes_and_is_unclean (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);

  braid_transport_write_string (braid_loopback_get_server_transport (loopback), "to client");
  braid_transport_write_string (client_transport, "never arrives");
  braid_transport_abort_connection (client_transport);
  g_assert_true (braid_transport_is_disconnecting (client_transport));
  braid_transport_write_string (client_transport, "after abort");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback, client_transport), ==, 0);

  g_assert_true (braid_loopback_pump_once (loopback));
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_cmpstr (state_of (server)->received->str, ==, "");
  g_assert_cmpstr (state_of (client)->received->str, ==, "");
  g_assert_error (state_of (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (state_of (server)->reason->message, "aborted by the client"));
  g_assert_false (braid_error_is_clean_close (state_of (client)->reason));
}

/* The server answers, then closes, from inside data_received. */
static void
reply_and_close (RecordingProtocol *self, const guint8 *data, gsize len, gpointer user_data)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  braid_transport_write_string (transport, "goodbye");
  braid_transport_lose_connection (transport);
}

static void
test_close_from_data_received_delivers_reply_first (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  state_of (server)->on_data = reply_and_close;
  braid_loopback_set_chunk_size (loopback, 2);
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "quit");
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (client)->received->str, ==, "goodbye");
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  /* A side that asked to close reads no more: the second chunk was dropped. */
  g_assert_cmpstr (state_of (server)->received->str, ==, "qu");
  g_assert_false (braid_loopback_is_open (loopback));
}

/* Aborts the *sender's* side (the peer) from inside data_received: the
 * buffer being delivered is emptied under the pump's feet. */
static void
abort_peer (RecordingProtocol *self, const guint8 *data, gsize len, gpointer user_data)
{
  BraidLoopback *loopback = user_data;

  braid_transport_abort_connection (braid_loopback_get_client_transport (loopback));
}

static void
test_abort_from_data_received_stops_delivery (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  state_of (server)->on_data = abort_peer;
  state_of (server)->on_data_user_data = loopback;
  braid_loopback_set_chunk_size (loopback, 1);
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "abcdef");
  g_assert_true (braid_loopback_pump_once (loopback));
  g_assert_cmpstr (state_of (server)->received->str, ==, "a");
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (state_of (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
}

/* Drops the test's last reference to the other protocol mid-delivery. */
static void
drop_client (RecordingProtocol *self, const guint8 *data, gsize len, gpointer user_data)
{
  RecordingProtocol **client = user_data;

  g_clear_object (client);
}

static void
test_protocols_survive_being_dropped_while_delivering (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  RecordingProtocol *client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  state_of (server)->echo = TRUE;
  state_of (server)->on_data = drop_client;
  state_of (server)->on_data_user_data = &client;
  braid_loopback_set_chunk_size (loopback, 1);
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "xyz");
  braid_loopback_flush (loopback);
  g_assert_null (client);
  g_assert_cmpstr (state_of (server)->received->str, ==, "xyz");
  braid_loopback_close (loopback);
  g_assert_cmpuint (state_of (server)->lost_count, ==, 1);
}

static void
test_half_close_reaches_a_half_close_protocol (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (RecordingProtocol) server = half_close_protocol_new ("server", log);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", log);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  braid_transport_write_string (client_transport, "request");
  braid_transport_lose_write_connection (client_transport);
  braid_transport_write_string (client_transport, "dropped: written after half-close");
  braid_loopback_flush (loopback);

  g_assert_cmpstr (state_of (server)->received->str, ==, "request");
  g_assert_cmpuint (state_of (server)->read_lost_count, ==, 1);
  g_assert_true (braid_loopback_is_open (loopback));

  /* The server can still answer, then close. */
  braid_transport_write_string (server_transport, "response");
  braid_transport_lose_connection (server_transport);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (client)->received->str, ==, "response");
  g_assert_cmpstr (log->str, ==,
                   "server:made;client:made;server:read-lost;server:lost-clean;client:lost-clean;");
}

static void
test_half_close_closes_a_protocol_without_support (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  g_assert_false (braid_protocol_supports_half_close (BRAID_PROTOCOL (server)));
  braid_transport_lose_write_connection (braid_loopback_get_client_transport (loopback));
  braid_loopback_flush (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (state_of (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
}

static void
test_half_close_both_ways_closes (void)
{
  g_autoptr (RecordingProtocol) server = half_close_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = half_close_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  braid_transport_lose_write_connection (braid_loopback_get_server_transport (loopback));
  braid_transport_lose_write_connection (braid_loopback_get_client_transport (loopback));
  braid_loopback_flush (loopback);
  g_assert_cmpuint (state_of (server)->read_lost_count, ==, 1);
  g_assert_cmpuint (state_of (client)->read_lost_count, ==, 1);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
}

static void
test_paused_transport_receives_nothing_until_resumed (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);

  braid_producer_pause_producing (BRAID_PRODUCER (server_transport));
  braid_transport_write_string (client_transport, "wait");
  braid_transport_write_string (server_transport, "still sends");
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (server)->received->str, ==, "");
  g_assert_cmpstr (state_of (client)->received->str, ==, "still sends");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback, client_transport), ==, 4);

  braid_producer_resume_producing (BRAID_PRODUCER (server_transport));
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (server)->received->str, ==, "wait");
  braid_loopback_close (loopback);
}

/* Pauses its own transport after the first chunk. */
static void
pause_self (RecordingProtocol *self, const guint8 *data, gsize len, gpointer user_data)
{
  braid_producer_pause_producing (BRAID_PRODUCER (braid_protocol_get_transport (BRAID_PROTOCOL (self))));
}

static void
test_pause_from_data_received_stops_mid_delivery (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  state_of (server)->on_data = pause_self;
  braid_loopback_set_chunk_size (loopback, 3);
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "abcdefgh");
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (server)->received->str, ==, "abc");
  state_of (server)->on_data = NULL;
  braid_producer_resume_producing (BRAID_PRODUCER (braid_loopback_get_server_transport (loopback)));
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (server)->received->str, ==, "abcdefgh");
  braid_loopback_close (loopback);
}

static void
test_stop_producing_a_transport_closes_it (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  braid_producer_stop_producing (BRAID_PRODUCER (braid_loopback_get_server_transport (loopback)));
  braid_loopback_flush (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
}

/* An echo server with no producer stops reading while more than the backpressure
 * limit waits for a peer that does not read, as a socket transport past its
 * high-water mark does; nothing is lost once the peer reads again. */
static void
test_backpressure_holds_reading_without_a_producer (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                            BRAID_PROTOCOL (client));
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);
  g_autofree char *data = g_strnfill (10000, 'x');

  g_test_summary ("The server side, with no producer, is not delivered to while its own "
                  "undelivered bytes exceed the backpressure limit; the client side keeps "
                  "reading, so a client that sends more than the limit cannot deadlock");
  recording_protocol_state (server)->echo = TRUE;
  braid_loopback_set_chunk_size (loopback, 100);
  braid_loopback_set_backpressure_limit (loopback, 1000);
  braid_producer_pause_producing (BRAID_PRODUCER (client_transport));
  braid_transport_write_string (client_transport, data);
  braid_loopback_flush (loopback);
  /* Eleven chunks of 100 put the echo past 1000 bytes: it reads no more. */
  g_assert_cmpuint (recording_protocol_state (server)->received->len, ==, 1100);

  braid_producer_resume_producing (BRAID_PRODUCER (client_transport));
  braid_loopback_flush (loopback);
  g_assert_cmpuint (recording_protocol_state (server)->received->len, ==, 10000);
  g_assert_cmpuint (recording_protocol_state (client)->received->len, ==, 10000);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

static void
test_backpressure_pauses_and_resumes_a_streaming_producer (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  braid_loopback_set_backpressure_limit (loopback, 8);
  braid_transport_register_producer (server_transport, BRAID_PRODUCER (producer), TRUE);
  braid_transport_write_string (server_transport, "12345678");
  g_assert_cmpuint (producer->pauses, ==, 0);     /* at the limit: fine */
  braid_transport_write_string (server_transport, "9");
  g_assert_cmpuint (producer->pauses, ==, 1);     /* over it: paused at once */
  braid_transport_write_string (server_transport, "more");
  g_assert_cmpuint (producer->pauses, ==, 1);     /* paused once, not again */
  g_assert_cmpuint (producer->resumes, ==, 0);

  /* With chunk size 10, one pump leaves 3 bytes: resumed. */
  braid_loopback_set_chunk_size (loopback, 10);
  braid_loopback_pump_once (loopback);
  g_assert_cmpuint (producer->resumes, ==, 1);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (client)->received->str, ==, "123456789more");

  braid_loopback_close (loopback);
  g_assert_cmpuint (producer->stops, ==, 1);
}

static void
test_lowering_the_limit_pauses_and_turning_it_off_resumes (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);

  /* No limit: never paused. */
  braid_transport_register_producer (client_transport, BRAID_PRODUCER (producer), TRUE);
  braid_transport_write_string (client_transport, "a long enough message");
  g_assert_cmpuint (producer->pauses, ==, 0);
  braid_loopback_set_backpressure_limit (loopback, 4);
  g_assert_cmpuint (producer->pauses, ==, 1);
  braid_loopback_set_backpressure_limit (loopback, 0);
  g_assert_cmpuint (producer->resumes, ==, 1);

  braid_transport_unregister_producer (client_transport);
  braid_loopback_close (loopback);
  g_assert_cmpuint (producer->stops, ==, 0);  /* unregistered before the close */
}

static void
test_pull_producer_is_resumed_when_drained (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  producer->target = server_transport;
  producer->piece = "chunk;";
  producer->pieces_left = 3;
  braid_transport_register_producer (server_transport, BRAID_PRODUCER (producer), FALSE);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (state_of (client)->received->str, ==, "chunk;chunk;chunk;");
  g_assert_cmpuint (producer->resumes, ==, 3);
  g_assert_cmpuint (producer->pauses, ==, 0);
  braid_loopback_close (loopback);
  g_assert_cmpuint (producer->stops, ==, 0);  /* it unregistered itself */
}

static void
test_producer_registration_rules (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) first = counting_producer_new ();
  g_autoptr (CountingProducer) second = counting_producer_new ();
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  braid_transport_register_producer (server_transport, BRAID_PRODUCER (first), TRUE);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (server_transport, BRAID_PRODUCER (second), TRUE);
  g_test_assert_expected_messages ();

  braid_loopback_close (loopback);
  g_assert_cmpuint (first->stops, ==, 1);
  g_assert_cmpuint (second->stops, ==, 0);

  /* Registering on a closed transport stops the producer at once. */
  braid_transport_register_producer (server_transport, BRAID_PRODUCER (second), TRUE);
  g_assert_cmpuint (second->stops, ==, 1);
}

/* Answers every message with a message: a conversation that never ends. */
static void
ping_pong (RecordingProtocol *self, const guint8 *data, gsize len, gpointer user_data)
{
  braid_transport_write_string (braid_protocol_get_transport (BRAID_PROTOCOL (self)), "again");
}

static void
endless_conversation (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  state_of (server)->on_data = ping_pong;
  state_of (client)->on_data = ping_pong;
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "start");
  braid_loopback_flush (loopback);
}

static void
test_flush_gives_up_loudly_on_an_endless_conversation (void)
{
  if (g_test_subprocess ())
    {
      endless_conversation ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*test-loopback.c:*still moving data after 10000 pumps*"
                             "answers every message with a message*");
}

static gboolean reentrant_pump_result = TRUE;

static void
pump_from_inside (RecordingProtocol *self, const guint8 *data, gsize len, gpointer user_data)
{
  reentrant_pump_result = braid_loopback_pump_once (user_data);
}

static void
test_pumping_from_inside_a_pump_is_refused (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));

  state_of (server)->on_data = pump_from_inside;
  state_of (server)->on_data_user_data = loopback;
  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "x");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*!self->pumping*");
  braid_loopback_flush (loopback);
  g_test_assert_expected_messages ();
  g_assert_false (reentrant_pump_result);
  g_assert_cmpstr (state_of (server)->received->str, ==, "x");
  braid_loopback_close (loopback);
}

static void
test_destroyed_open_loopback_is_reported (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  BraidLoopback *loopback = braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  BraidTransport *server_transport = g_object_ref (braid_loopback_get_server_transport (loopback));
  g_autofree char *leftovers = NULL;

  g_object_unref (loopback);
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (leftovers);
  g_assert_nonnull (strstr (leftovers, "destroyed while its connection was still open"));
  g_assert_nonnull (strstr (leftovers, "test-loopback.c:"));

  /* The protocols' transports outlive the loopback; writing to them is harmless. */
  braid_transport_write_string (server_transport, "into the void");
  g_assert_true (braid_transport_is_disconnecting (server_transport));
  g_object_unref (server_transport);
}

static void
test_new_full_creator_and_misuse (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = NULL;
  BraidLoopback *same;

  loopback = braid_loopback_new_full (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client), NULL);
  g_assert_cmpstr (braid_loopback_get_creator (loopback), ==, "(unknown)");
  braid_loopback_close (loopback);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*server != client*");
  same = braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (server));
  g_test_assert_expected_messages ();
  g_assert_null (same);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*from == *");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback, NULL), ==, 0);
  g_test_assert_expected_messages ();
}

static void
test_loopback_close_is_final (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  BraidLoopback *loopback = braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  BraidTransport *server_end = braid_loopback_get_server_transport (loopback);
  GWeakRef weak;

  g_weak_ref_init (&weak, loopback);
  braid_transport_write (braid_loopback_get_client_transport (loopback), (const guint8 *) "hi", 2);
  braid_loopback_close (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_cmpstr (recording_protocol_state (server)->received->str, ==, "hi");
  g_assert_cmpuint (recording_protocol_state (server)->lost_count, ==, 1);
  g_assert_cmpuint (recording_protocol_state (client)->lost_count, ==, 1);

  /* Closing again, or aborting an end that is already closed, changes
   * nothing: no second connection_lost. */
  braid_loopback_close (loopback);
  g_object_ref (server_end);
  braid_transport_abort_connection (server_end);
  braid_loopback_flush (loopback);
  g_assert_cmpuint (recording_protocol_state (server)->lost_count, ==, 1);
  g_assert_cmpuint (recording_protocol_state (client)->lost_count, ==, 1);

  /* Disposing twice (run_dispose, then the last unref) is harmless. */
  g_object_run_dispose (G_OBJECT (loopback));
  g_object_unref (loopback);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  g_object_unref (server_end);
}

static void
test_loopback_unregister_twice (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback =
    braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *end = braid_loopback_get_server_transport (loopback);

  braid_transport_register_producer (end, BRAID_PRODUCER (producer), TRUE);
  g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 2);
  braid_transport_unregister_producer (end);
  braid_transport_unregister_producer (end);
  g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 1);
  braid_loopback_close (loopback);
  /* The producer, no longer registered, is not told to stop. */
  g_assert_cmpuint (producer->stops, ==, 0);
}

static void
test_loopback_server_half_close_to_plain_client (void)
{
  g_autoptr (RecordingProtocol) server = half_close_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback =
    braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));

  /* The client cannot half-close: hearing the server's half-close, it
   * closes the whole connection. */
  braid_transport_write_string (braid_loopback_get_server_transport (loopback), "bye");
  braid_transport_lose_write_connection (braid_loopback_get_server_transport (loopback));
  braid_loopback_flush (loopback);
  g_assert_cmpstr (recording_protocol_state (client)->received->str, ==, "bye");
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (recording_protocol_state (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (recording_protocol_state (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (recording_protocol_state (server)->read_lost_count, ==, 0);
}

static void
test_loopback_pull_producer_not_asked_after_half_close (void)
{
  g_autoptr (RecordingProtocol) server = half_close_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = half_close_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback =
    braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *end = braid_loopback_get_client_transport (loopback);
  guint resumes_before;

  braid_transport_register_producer (end, BRAID_PRODUCER (producer), FALSE);
  resumes_before = producer->resumes;
  braid_transport_lose_write_connection (end);
  braid_loopback_flush (loopback);
  /* Nothing more may be written on a half-closed side: the pull producer
   * is not asked for another piece. */
  g_assert_cmpuint (producer->resumes, ==, resumes_before);
  g_assert_cmpuint (recording_protocol_state (server)->read_lost_count, ==, 1);
  g_assert_true (braid_loopback_is_open (loopback));
  braid_transport_unregister_producer (end);
  braid_loopback_close (loopback);
}

/* BraidLoopback delivering a large buffer in tiny
 * chunks, byte for byte right, including while the sender keeps writing
 * into the buffer being delivered. (Its speed is measured by
 * tools/bench/bench-lines and bench-growth, not here.) */
/* The byte at position @i of the stream the client sends. */
static guint8
pattern_byte (gsize i)
{
  return (guint8) ((i * 7 + i / 251) % 251);
}

static void
append_pattern (GByteArray *array, gsize from, gsize len)
{
  for (gsize i = from; i < from + len; i++)
    {
      guint8 byte = pattern_byte (i);

      g_byte_array_append (array, &byte, 1);
    }
}

G_DECLARE_FINAL_TYPE (Collector, collector, TEST, COLLECTOR, BraidProtocol)
struct _Collector
{
  BraidProtocol parent_instance;
  GByteArray *received;
  BraidTransport *writer;   /* not owned: the client's transport, to write more */
  gsize written;            /* bytes the client has written so far */
  gsize limit;              /* write more, 1500 at a time, up to this */
  gsize next_write_at;      /* received bytes at which to write more */
};
G_DEFINE_FINAL_TYPE (Collector, collector, BRAID_TYPE_PROTOCOL)

static void
collector_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  Collector *self = TEST_COLLECTOR (protocol);

  g_byte_array_append (self->received, data, len);
  /* Every 1000 bytes, the sender writes 1500 more while the loopback is
   * still delivering what it wrote before. */
  while (self->writer != NULL && self->received->len >= self->next_write_at
         && self->written < self->limit)
    {
      g_autoptr (GByteArray) more = g_byte_array_new ();

      append_pattern (more, self->written, 1500);
      self->written += 1500;
      self->next_write_at += 1000;
      braid_transport_write (self->writer, more->data, more->len);
    }
}

static void
collector_finalize (GObject *object)
{
  g_byte_array_unref (TEST_COLLECTOR (object)->received);
  G_OBJECT_CLASS (collector_parent_class)->finalize (object);
}

static void
collector_class_init (CollectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = collector_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = collector_data_received;
}

static void
collector_init (Collector *self)
{
  self->received = g_byte_array_new ();
}

static void
assert_pattern (GByteArray *received, gsize len)
{
  g_assert_cmpuint (received->len, ==, len);
  for (gsize i = 0; i < len; i++)
    if (received->data[i] != pattern_byte (i))
      g_error ("byte %" G_GSIZE_FORMAT " is %u, expected %u", i, received->data[i],
               pattern_byte (i));
}

static void
test_large_write_delivered_one_byte_at_a_time (void)
{
  const gsize size = 512 * 1024;
  g_autoptr (Collector) server = g_object_new (collector_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  g_autoptr (GByteArray) stream = g_byte_array_new ();

  append_pattern (stream, 0, size);
  braid_loopback_set_chunk_size (loopback, 1);
  braid_transport_write (braid_loopback_get_client_transport (loopback), stream->data, size);
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback,
                                                      braid_loopback_get_client_transport (loopback)),
                    ==, size);
  braid_loopback_flush (loopback);
  assert_pattern (server->received, size);
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback,
                                                      braid_loopback_get_client_transport (loopback)),
                    ==, 0);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

static void
test_writes_during_delivery_keep_their_order (void)
{
  g_autoptr (Collector) server = g_object_new (collector_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  g_autoptr (GByteArray) first = g_byte_array_new ();
  const gsize chunks[] = { 1, 7, 333 };

  server->writer = braid_loopback_get_client_transport (loopback);
  server->limit = 200 * 1000;
  server->next_write_at = 1000;
  append_pattern (first, 0, 10000);
  server->written = first->len;
  /* A chunk size that changes between rounds, so that chunks, writes and
   * the dropped front of the buffer never line up. */
  for (guint round = 0; round < G_N_ELEMENTS (chunks); round++)
    {
      braid_loopback_set_chunk_size (loopback, chunks[round]);
      if (round == 0)
        braid_transport_write (server->writer, first->data, first->len);
      braid_loopback_pump_once (loopback);
    }
  braid_loopback_flush (loopback);
  g_assert_cmpuint (server->written, >=, server->limit);
  assert_pattern (server->received, server->written);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidLoopback: in-memory connections, chunked delivery, closes, "
                  "half-close, pausing, backpressure, and a pump that gives up loudly.");

  braid_test_add_func ("/loopback/connect/server-first-and-addresses", test_connects_server_first_with_addresses);
  braid_test_add_func ("/loopback/pump/one-round-at-a-time", test_pump_once_moves_one_round);
  braid_test_add_func ("/loopback/chunks/size-1", test_chunk_size_1);
  braid_test_add_func ("/loopback/chunks/size-2", test_chunk_size_2);
  braid_test_add_func ("/loopback/chunks/size-3", test_chunk_size_3);
  braid_test_add_func ("/loopback/chunks/size-7", test_chunk_size_7);
  braid_test_add_func ("/loopback/chunks/whole", test_chunk_size_whole);
  braid_test_add_func ("/loopback/write-sequence", test_write_sequence_arrives_in_order);
  braid_test_add_func ("/loopback/close/clean-after-data", test_lose_connection_is_clean_on_both_sides_after_data);
  braid_test_add_func ("/loopback/close/clean-by-client", test_client_close_is_clean_too);
  braid_test_add_func ("/loopback/close/abort-is-unclean", test_abort_drops_bytes_and_is_unclean);
  braid_test_add_func ("/loopback/reentrancy/close-from-data-received", test_close_from_data_received_delivers_reply_first);
  braid_test_add_func ("/loopback/reentrancy/abort-from-data-received", test_abort_from_data_received_stops_delivery);
  braid_test_add_func ("/loopback/reentrancy/protocol-dropped", test_protocols_survive_being_dropped_while_delivering);
  braid_test_add_func ("/loopback/reentrancy/pump-inside-pump", test_pumping_from_inside_a_pump_is_refused);
  braid_test_add_func ("/loopback/half-close/supported", test_half_close_reaches_a_half_close_protocol);
  braid_test_add_func ("/loopback/half-close/unsupported-closes", test_half_close_closes_a_protocol_without_support);
  braid_test_add_func ("/loopback/half-close/both-ways", test_half_close_both_ways_closes);
  braid_test_add_func ("/loopback/pause/until-resumed", test_paused_transport_receives_nothing_until_resumed);
  braid_test_add_func ("/loopback/pause/mid-delivery", test_pause_from_data_received_stops_mid_delivery);
  braid_test_add_func ("/loopback/pause/stop-producing-closes", test_stop_producing_a_transport_closes_it);
  braid_test_add_func ("/loopback/backpressure/streaming", test_backpressure_pauses_and_resumes_a_streaming_producer);
  braid_test_add_func ("/loopback/backpressure/holds-reading-without-producer",
                       test_backpressure_holds_reading_without_a_producer);
  braid_test_add_func ("/loopback/backpressure/limit-changes", test_lowering_the_limit_pauses_and_turning_it_off_resumes);
  braid_test_add_func ("/loopback/producer/pull", test_pull_producer_is_resumed_when_drained);
  braid_test_add_func ("/loopback/producer/registration", test_producer_registration_rules);
  braid_test_add_func ("/loopback/flush/gives-up-loudly", test_flush_gives_up_loudly_on_an_endless_conversation);
  braid_test_add_func ("/loopback/hygiene/destroyed-open", test_destroyed_open_loopback_is_reported);
  braid_test_add_func ("/loopback/new-full", test_new_full_creator_and_misuse);

  braid_test_add_func ("/loopback/close-is-final", test_loopback_close_is_final);
  braid_test_add_func ("/loopback/unregister-twice", test_loopback_unregister_twice);
  braid_test_add_func ("/loopback/half-close-to-plain-client", test_loopback_server_half_close_to_plain_client);
  braid_test_add_func ("/loopback/pull-producer-after-half-close", test_loopback_pull_producer_not_asked_after_half_close);


  braid_test_add_func ("/loopback/large/one-byte-chunks", test_large_write_delivered_one_byte_at_a_time);
  braid_test_add_func ("/loopback/large/writes-during-delivery",
                       test_writes_during_delivery_keep_their_order);

  return g_test_run ();
}
