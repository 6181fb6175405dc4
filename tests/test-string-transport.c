/* test-string-transport.c: BraidStringTransport, which records what is written. */
#include <string.h>

#include "test-protocols.h"

static void
test_value_peek_and_clear (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GBytes) value = NULL;
  gsize len = 99;

  g_assert_cmpstr (braid_string_transport_peek (transport, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);

  braid_transport_write (BRAID_TRANSPORT (transport), (const guint8 *) "abc", 3);
  braid_transport_write_string (BRAID_TRANSPORT (transport), "def");
  braid_transport_write (BRAID_TRANSPORT (transport), NULL, 0);
  g_assert_cmpstr (braid_string_transport_peek (transport, &len), ==, "abcdef");
  g_assert_cmpuint (len, ==, 6);
  g_assert_cmpstr (braid_string_transport_peek (transport, NULL), ==, "abcdef");

  value = braid_string_transport_get_value (transport);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), "abcdef", 6);

  braid_string_transport_clear (transport);
  g_assert_cmpstr (braid_string_transport_peek (transport, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  /* The copy taken before is unaffected. */
  g_assert_cmpuint (g_bytes_get_size (value), ==, 6);
}

static void
test_binary_data_is_kept_whole (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  const guint8 data[] = { 'a', 0, 'b', 0xff };
  gsize len;
  const char *written;

  braid_transport_write (BRAID_TRANSPORT (transport), data, sizeof data);
  written = braid_string_transport_peek (transport, &len);
  g_assert_cmpmem (written, len, data, sizeof data);
}

static void
test_write_sequence_concatenates (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  GOutputVector vectors[] = { { "HTTP/1.0 ", 9 }, { "200 OK", 6 }, { "\r\n", 2 } };

  braid_transport_write_sequence (BRAID_TRANSPORT (transport), vectors, G_N_ELEMENTS (vectors));
  braid_transport_write_sequence (BRAID_TRANSPORT (transport), NULL, 0);
  braid_assert_transport_wrote (transport, "HTTP/1.0 200 OK\r\n");
}

static void
test_lose_connection_is_recorded (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  g_assert_false (braid_string_transport_get_disconnecting (transport));
  g_assert_false (braid_transport_is_disconnecting (BRAID_TRANSPORT (transport)));
  braid_transport_lose_connection (BRAID_TRANSPORT (transport));
  braid_transport_lose_connection (BRAID_TRANSPORT (transport));
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (transport)));
  g_assert_false (braid_string_transport_get_aborted (transport));
  /* lose_connection flushes what was written: writes still count until the
   * test delivers connection_lost. */
  braid_transport_write_string (BRAID_TRANSPORT (transport), "last words");
  braid_assert_transport_wrote (transport, "last words");
}

static void
test_abort_drops_later_writes (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_transport_write_string (BRAID_TRANSPORT (transport), "before");
  braid_transport_abort_connection (BRAID_TRANSPORT (transport));
  braid_transport_write_string (BRAID_TRANSPORT (transport), "after");
  g_assert_true (braid_string_transport_get_aborted (transport));
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_assert_transport_wrote (transport, "before");
}

static void
test_half_close_is_recorded (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  g_assert_false (braid_string_transport_get_write_closed (transport));
  braid_transport_lose_write_connection (BRAID_TRANSPORT (transport));
  g_assert_true (braid_string_transport_get_write_closed (transport));
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

static void
test_producer_registration (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (CountingProducer) first = counting_producer_new ();
  g_autoptr (CountingProducer) second = counting_producer_new ();
  gboolean streaming = FALSE;

  g_assert_null (braid_string_transport_get_producer (transport, &streaming));
  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (first), TRUE);
  g_assert_true (braid_string_transport_get_producer (transport, &streaming) == BRAID_PRODUCER (first));
  g_assert_true (streaming);
  g_assert_true (braid_string_transport_get_producer (transport, NULL) == BRAID_PRODUCER (first));

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (second), FALSE);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_producer (transport, NULL) == BRAID_PRODUCER (first));

  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_assert_null (braid_string_transport_get_producer (transport, &streaming));
  g_assert_false (streaming);

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (second), FALSE);
  g_assert_true (braid_string_transport_get_producer (transport, &streaming) == BRAID_PRODUCER (second));
  g_assert_false (streaming);

  /* Closing stops the registered producer. */
  braid_transport_lose_connection (BRAID_TRANSPORT (transport));
  g_assert_cmpuint (second->stops, ==, 1);
  g_assert_cmpuint (first->stops, ==, 0);
}

static void
test_register_on_a_closing_transport_stops_at_once (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (CountingProducer) producer = counting_producer_new ();

  braid_transport_abort_connection (BRAID_TRANSPORT (transport));
  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (producer), TRUE);
  g_assert_cmpuint (producer->stops, ==, 1);
}

static void
test_producer_state_follows_the_protocol (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidProducer *as_producer = BRAID_PRODUCER (transport);

  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_PRODUCING);
  braid_producer_pause_producing (as_producer);
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_PAUSED);
  braid_producer_resume_producing (as_producer);
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_PRODUCING);
  braid_producer_stop_producing (as_producer);
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_STOPPED);
  /* Stopped is final: pausing or resuming it is refused, as in Twisted. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*pause_producing: the transport is disconnecting or was stopped*");
  braid_producer_pause_producing (as_producer);
  g_test_assert_expected_messages ();
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_STOPPED);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*resume_producing: the transport is disconnecting or was stopped*");
  braid_producer_resume_producing (as_producer);
  g_test_assert_expected_messages ();
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_STOPPED);
}

static void
assert_address (GSocketAddress *address, const char *expected)
{
  g_autofree char *text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

  g_assert_cmpstr (text, ==, expected);
}

static void
test_peer_and_host (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GSocketAddress) peer = g_inet_socket_address_new_from_string ("10.0.0.7", 4242);
  g_autoptr (GSocketAddress) host = g_inet_socket_address_new_from_string ("::1", 80);

  assert_address (braid_transport_get_peer (BRAID_TRANSPORT (transport)), "127.0.0.1:54321");
  assert_address (braid_transport_get_host (BRAID_TRANSPORT (transport)), "127.0.0.1:8000");
  braid_string_transport_set_peer (transport, peer);
  braid_string_transport_set_host (transport, host);
  g_assert_true (braid_transport_get_peer (BRAID_TRANSPORT (transport)) == peer);
  g_assert_true (braid_transport_get_host (BRAID_TRANSPORT (transport)) == host);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*G_IS_SOCKET_ADDRESS*");
  braid_string_transport_set_peer (transport, NULL);
  g_test_assert_expected_messages ();
  g_assert_true (braid_transport_get_peer (BRAID_TRANSPORT (transport)) == peer);
}

static void
test_assert_transport_wrote_clears_on_success (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_transport_write_string (BRAID_TRANSPORT (transport), "hello");
  braid_assert_transport_wrote (transport, "hello");
  braid_assert_transport_wrote (transport, "");
  braid_transport_write_string (BRAID_TRANSPORT (transport), "next");
  braid_assert_transport_wrote (transport, "next");
}

static void
test_assert_transport_wrote_fails_with_both_sides (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

      braid_transport_write_string (BRAID_TRANSPORT (transport), "abc\n");
      braid_assert_transport_wrote (transport, "xyz");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*test-string-transport.c:*"
                             "the transport got \"abc\\n\" (4 bytes), expected \"xyz\"*");
}

static void
test_assert_transport_wrote_keeps_data_when_nonfatal (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  if (g_test_subprocess ())
    {
      g_test_set_nonfatal_assertions ();
      braid_transport_write_string (BRAID_TRANSPORT (transport), "abc");
      braid_assert_transport_wrote (transport, "ab");
      /* A failed assertion leaves the data for the next one to inspect. */
      braid_assert_transport_wrote (transport, "abc");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected \"ab\"*");
  g_test_trap_assert_stderr_unmatched ("*expected \"abc\"*");
}

static void
test_string_transport_unregister_without_producer (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (CountingProducer) producer = counting_producer_new ();

  /* Refused with a critical, as on the socket transport. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer is registered*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_assert_expected_messages ();
  g_assert_null (braid_string_transport_get_producer (transport, NULL));

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (producer), FALSE);
  g_assert_true (braid_string_transport_get_producer (transport, NULL) == BRAID_PRODUCER (producer));
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer is registered*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_assert_expected_messages ();
  g_assert_null (braid_string_transport_get_producer (transport, NULL));
  g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidStringTransport: recording writes, closes, producers, "
                  "addresses, and braid_assert_transport_wrote.");

  braid_test_add_func ("/string-transport/value-peek-clear", test_value_peek_and_clear);
  braid_test_add_func ("/string-transport/binary", test_binary_data_is_kept_whole);
  braid_test_add_func ("/string-transport/write-sequence", test_write_sequence_concatenates);
  braid_test_add_func ("/string-transport/lose-connection", test_lose_connection_is_recorded);
  braid_test_add_func ("/string-transport/abort", test_abort_drops_later_writes);
  braid_test_add_func ("/string-transport/half-close", test_half_close_is_recorded);
  braid_test_add_func ("/string-transport/producer/registration", test_producer_registration);
  braid_test_add_func ("/string-transport/producer/closing", test_register_on_a_closing_transport_stops_at_once);
  braid_test_add_func ("/string-transport/producer/state", test_producer_state_follows_the_protocol);
  braid_test_add_func ("/string-transport/addresses", test_peer_and_host);
  braid_test_add_func ("/string-transport/assert-wrote/success", test_assert_transport_wrote_clears_on_success);
  braid_test_add_func ("/string-transport/assert-wrote/failure", test_assert_transport_wrote_fails_with_both_sides);
  braid_test_add_func ("/string-transport/assert-wrote/nonfatal", test_assert_transport_wrote_keeps_data_when_nonfatal);

  braid_test_add_func ("/string-transport/unregister-without-producer", test_string_transport_unregister_without_producer);

  return g_test_run ();
}
