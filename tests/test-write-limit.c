/* test-write-limit.c: a transport holds at most its write buffer limit for
 * a peer that does not read, then aborts (braid-write-limit.c), on the
 * fakes. The socket transport's side is in test-write-limit-tcp.c. */
#include "test-protocols.h"

static RecordingState *
state_of (RecordingProtocol *protocol)
{
  return recording_protocol_state (protocol);
}

static void
test_default_and_setter (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidTransport *as_transport = BRAID_TRANSPORT (transport);

  g_test_summary ("Every transport starts with the documented default limit; the "
                  "setter changes it, and 0 means no limit");
  g_assert_cmpuint (braid_transport_get_write_buffer_limit (as_transport), ==,
                    BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT);
  g_assert_cmpuint (BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT, >=, 1024 * 1024);
  braid_transport_set_write_buffer_limit (as_transport, 100);
  g_assert_cmpuint (braid_transport_get_write_buffer_limit (as_transport), ==, 100);
  braid_transport_set_write_buffer_limit (as_transport, 0);
  g_assert_cmpuint (braid_transport_get_write_buffer_limit (as_transport), ==, 0);
}

static void
test_check_names_the_peer_and_the_bytes (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GError) error = NULL;

  g_test_summary ("Past the limit, the check logs the peer's address and returns "
                  "BRAID_ERROR_PEER_NOT_READING, \"peer is not reading: N bytes buffered\"");
  braid_transport_set_write_buffer_limit (BRAID_TRANSPORT (transport), 10);
  g_assert_null (braid_transport_check_write_buffer (BRAID_TRANSPORT (transport), 10));

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "Closing the connection to 127.0.0.1:54321: peer is not reading: "
                         "11 bytes buffered*");
  error = braid_transport_check_write_buffer (BRAID_TRANSPORT (transport), 11);
  g_test_assert_expected_messages ();
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING);
  g_assert_cmpstr (error->message, ==, "peer is not reading: 11 bytes buffered");
  g_assert_false (braid_error_is_clean_close (error));
}

static void
test_string_transport_aborts_past_the_limit (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidTransport *as_transport = BRAID_TRANSPORT (transport);

  g_test_summary ("The string transport counts what the test has not cleared as unread; "
                  "a write made while more than the limit waits aborts, and is dropped");
  braid_transport_set_write_buffer_limit (as_transport, 8);
  braid_transport_write_string (as_transport, "12345678");
  braid_transport_write_string (as_transport, "9");   /* 8 waited: not more than the limit */
  g_assert_false (braid_string_transport_get_aborted (transport));

  /* The peer "reads": clearing makes room again. */
  braid_string_transport_clear (transport);
  braid_transport_write_string (as_transport, "123456789");
  g_assert_false (braid_string_transport_get_aborted (transport));

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*peer is not reading: 9 bytes buffered*");
  braid_transport_write_string (as_transport, "dropped");
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (transport));
  g_assert_true (braid_transport_is_disconnecting (as_transport));
  braid_assert_transport_wrote (transport, "123456789");
}

static void
test_string_transport_without_limit (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidTransport *as_transport = BRAID_TRANSPORT (transport);
  g_autofree guint8 *big = g_malloc0 (BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT + 1);

  g_test_summary ("The default limit applies with no setter call (one large write is "
                  "taken, the next one is not); a limit of 0 lets the buffer grow as "
                  "Twisted's does");
  braid_transport_set_write_buffer_limit (as_transport, 0);
  braid_transport_write (as_transport, big, BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT + 1);
  braid_transport_write (as_transport, big, BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT + 1);
  g_assert_false (braid_string_transport_get_aborted (transport));

  {
    g_autoptr (BraidStringTransport) defaulted = braid_string_transport_new ();

    braid_transport_write (BRAID_TRANSPORT (defaulted), big,
                           BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT + 1);
    g_assert_false (braid_string_transport_get_aborted (defaulted));
    g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*peer is not reading*");
    braid_transport_write_string (BRAID_TRANSPORT (defaulted), "more");
    g_test_assert_expected_messages ();
    g_assert_true (braid_string_transport_get_aborted (defaulted));
  }
}

static void
test_loopback_aborts_a_side_that_is_not_pumped (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  g_test_summary ("On the loopback, a side that writes while more than its limit waits "
                  "undelivered aborts; both protocols get BRAID_ERROR_PEER_NOT_READING at the "
                  "next pump, and nothing more is written");
  braid_transport_set_write_buffer_limit (server_transport, 6);
  braid_transport_write_string (server_transport, "hello ");
  braid_transport_write_string (server_transport, "world");
  g_assert_false (braid_transport_is_disconnecting (server_transport));

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "Closing the connection to 127.0.0.1:54321: peer is not reading: "
                         "11 bytes buffered*");
  braid_transport_write_string (server_transport, "!");
  g_test_assert_expected_messages ();
  g_assert_true (braid_transport_is_disconnecting (server_transport));
  braid_transport_write_string (server_transport, "dropped");
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback, server_transport), ==, 0);

  braid_loopback_flush (loopback);
  g_assert_error (state_of (server)->reason, BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING);
  g_assert_error (state_of (client)->reason, BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING);
  g_assert_cmpstr (state_of (client)->reason->message, ==, "peer is not reading: 11 bytes buffered");
  g_assert_cmpstr (state_of (client)->received->str, ==, "");
}

static void
test_loopback_pumping_keeps_a_reader_connected (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server),
                                                           BRAID_PROTOCOL (client));
  BraidTransport *server_transport = braid_loopback_get_server_transport (loopback);

  g_test_summary ("A peer that reads (the test pumps) never hits the limit, however much "
                  "goes through in total");
  braid_transport_set_write_buffer_limit (server_transport, 6);
  for (int i = 0; i < 100; i++)
    {
      braid_transport_write_string (server_transport, "abcdef");
      braid_loopback_flush (loopback);
    }
  g_assert_false (braid_transport_is_disconnecting (server_transport));
  g_assert_cmpuint (state_of (client)->received->len, ==, 600);
  braid_loopback_close (loopback);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/write-limit/default-and-setter", test_default_and_setter);
  braid_test_add_func ("/write-limit/check-names-the-peer-and-the-bytes",
                       test_check_names_the_peer_and_the_bytes);
  braid_test_add_func ("/write-limit/string-transport/aborts-past-the-limit",
                       test_string_transport_aborts_past_the_limit);
  braid_test_add_func ("/write-limit/string-transport/default-and-none",
                       test_string_transport_without_limit);
  braid_test_add_func ("/write-limit/loopback/aborts-a-side-that-is-not-pumped",
                       test_loopback_aborts_a_side_that_is_not_pumped);
  braid_test_add_func ("/write-limit/loopback/a-reader-stays-connected",
                       test_loopback_pumping_keeps_a_reader_connected);

  return g_test_run ();
}
