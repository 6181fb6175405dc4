/* test-int-n-receiver.c: BraidIntNReceiver. */
#include "framing-recorders.h"

static RecIntN *
connect_receiver (BraidStringTransport **transport, guint bits)
{
  RecIntN *receiver = g_object_new (TYPE_REC_INT_N, "prefix-bits", bits, NULL);

  *transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (receiver), BRAID_TRANSPORT (*transport));
  return receiver;
}

static void
assert_wrote_bytes (BraidStringTransport *transport, const void *expected, gsize len)
{
  gsize got_len;
  const char *got = braid_string_transport_peek (transport, &got_len);

  g_assert_cmpmem (got, got_len, expected, len);
  braid_string_transport_clear (transport);
}

static void
test_defaults (void)
{
  g_autoptr (BraidIntNReceiver) receiver = g_object_new (TYPE_REC_INT_N, NULL);

  g_assert_cmpuint (braid_int_n_receiver_get_prefix_bits (receiver), ==, 32);
  g_assert_cmpuint (braid_int_n_receiver_get_max_length (receiver), ==, 16384);
  braid_int_n_receiver_set_prefix_bits (receiver, 16);
  braid_int_n_receiver_set_max_length (receiver, 100);
  g_assert_cmpuint (braid_int_n_receiver_get_prefix_bits (receiver), ==, 16);
  g_assert_cmpuint (braid_int_n_receiver_get_max_length (receiver), ==, 100);

  {
    guint bits = 0;
    guint64 max_length = 0;

    g_object_set (receiver, "prefix-bits", 8, "max-length", (guint64) 7, NULL);
    g_object_get (receiver, "prefix-bits", &bits, "max-length", &max_length, NULL);
    g_assert_cmpuint (bits, ==, 8);
    g_assert_cmpuint (max_length, ==, 7);
  }
}

static void
test_send_string_writes_big_endian_prefixes (void)
{
  const struct { guint bits; const char *expected; gsize len; } cases[] = {
    { 8, "\3abc", 4 },
    { 16, "\0\3abc", 5 },
    { 32, "\0\0\0\3abc", 7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BraidStringTransport) transport = NULL;
      g_autoptr (RecIntN) receiver = connect_receiver (&transport, cases[i].bits);
      g_autoptr (GError) error = NULL;

      g_assert_true (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (receiver),
                                                       (const guint8 *) "abc", 3, &error));
      g_assert_no_error (error);
      assert_wrote_bytes (transport, cases[i].expected, cases[i].len);
    }
}

static void
test_send_string_refuses_what_the_prefix_cannot_say (void)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (RecIntN) receiver = connect_receiver (&transport, 8);
  g_autofree guint8 *big = g_malloc0 (70000);
  g_autoptr (GError) error = NULL;
  gsize written;

  g_assert_true (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (receiver), big, 255, &error));
  g_assert_no_error (error);
  braid_string_transport_peek (transport, &written);
  g_assert_cmpuint (written, ==, 256);
  braid_string_transport_clear (transport);

  g_assert_false (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (receiver), big, 256, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  braid_int_n_receiver_set_prefix_bits (BRAID_INT_N_RECEIVER (receiver), 16);
  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (receiver), 100000);
  g_assert_false (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (receiver), big, 65536, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  /* max_length applies to sending too. */
  braid_int_n_receiver_set_prefix_bits (BRAID_INT_N_RECEIVER (receiver), 32);
  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (receiver), 10);
  g_assert_false (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (receiver), big, 11, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);

  braid_string_transport_peek (transport, &written);
  g_assert_cmpuint (written, ==, 0);
}

static void
test_round_trip_at_every_chunk_size (void)
{
  const gsize chunks[] = { 1, 2, 3, 7, 0 };

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autoptr (BraidStringTransport) out = NULL;
      g_autoptr (RecIntN) sender = connect_receiver (&out, 16);
      g_autoptr (BraidStringTransport) in = NULL;
      g_autoptr (RecIntN) receiver = connect_receiver (&in, 16);
      g_autofree char *got = NULL;
      const char *data;
      gsize len;

      g_assert_true (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (sender), (const guint8 *) "hello", 5, NULL));
      g_assert_true (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (sender), (const guint8 *) "", 0, NULL));
      g_assert_true (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (sender), (const guint8 *) "world", 5, NULL));
      data = braid_string_transport_peek (out, &len);
      feed_in_chunks (BRAID_PROTOCOL (receiver), data, len, chunks[c]);
      got = record_frames_string (&receiver->record);
      g_assert_cmpstr (got, ==, "[hello][][world]");
    }
}

static void
test_limit_checked_on_the_prefix_alone (void)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (RecIntN) receiver = connect_receiver (&transport, 32);
  g_autoptr (GError) aborted = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "x");

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "*frame of 16385 bytes announced; the limit is 16384");
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "\0\0\x40\x01", 4);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (receiver->record.exceeded_length, ==, 16385);
  g_assert_true (braid_string_transport_get_aborted (transport));
  braid_protocol_connection_lost (BRAID_PROTOCOL (receiver), aborted);
  g_assert_error (receiver->record.lost_reason, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
}

static void
pause_on_first (BraidProtocol *protocol, Record *record)
{
  if (record->frames->len == 1)
    braid_producer_pause_producing (BRAID_PRODUCER (protocol));
}

static void
test_pause_and_resume (void)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (RecIntN) receiver = connect_receiver (&transport, 8);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  receiver->record.on_frame = pause_on_first;
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "\1a\1b\1c", 6);
  before = record_frames_string (&receiver->record);
  g_assert_cmpstr (before, ==, "[a]");
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_PAUSED);
  braid_producer_resume_producing (BRAID_PRODUCER (receiver));
  after = record_frames_string (&receiver->record);
  g_assert_cmpstr (after, ==, "[a][b][c]");
  braid_producer_stop_producing (BRAID_PRODUCER (receiver));
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "\1d", 2);
  g_assert_cmpuint (receiver->record.frames->len, ==, 3);
}

static void
lose_on_first (BraidProtocol *protocol, Record *record)
{
  braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
test_no_strings_once_disconnecting (void)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (RecIntN) receiver = connect_receiver (&transport, 8);

  receiver->record.on_frame = lose_on_first;
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "\1a\1b\1c", 6);
  g_assert_cmpuint (receiver->record.frames->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidIntNReceiver: 8/16/32-bit prefixes, limits, flow control");

  braid_test_add_func ("/int-n-receiver/defaults", test_defaults);
  braid_test_add_func ("/int-n-receiver/send/big-endian-prefixes", test_send_string_writes_big_endian_prefixes);
  braid_test_add_func ("/int-n-receiver/send/refuses-too-long", test_send_string_refuses_what_the_prefix_cannot_say);
  braid_test_add_func ("/int-n-receiver/round-trip-chunked", test_round_trip_at_every_chunk_size);
  braid_test_add_func ("/int-n-receiver/limit-on-prefix-alone", test_limit_checked_on_the_prefix_alone);
  braid_test_add_func ("/int-n-receiver/flow/pause-resume-stop", test_pause_and_resume);
  braid_test_add_func ("/int-n-receiver/flow/stops-when-disconnecting", test_no_strings_once_disconnecting);
  return g_test_run ();
}
