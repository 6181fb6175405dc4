/* test-netstring-receiver.c: BraidNetstringReceiver. */
#include "framing-recorders.h"

static RecNetstring *
connect_receiver (BraidStringTransport **transport)
{
  RecNetstring *receiver = g_object_new (TYPE_REC_NETSTRING, NULL);

  *transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (receiver), BRAID_TRANSPORT (*transport));
  return receiver;
}

static void
test_send_string (void)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (RecNetstring) receiver = connect_receiver (&transport);
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (braid_netstring_receiver_get_max_length (BRAID_NETSTRING_RECEIVER (receiver)), ==, 16384);
  g_assert_true (braid_netstring_receiver_send_string (BRAID_NETSTRING_RECEIVER (receiver),
                                                       (const guint8 *) "hello world!", 12, &error));
  g_assert_no_error (error);
  g_assert_true (braid_netstring_receiver_send_string (BRAID_NETSTRING_RECEIVER (receiver),
                                                       (const guint8 *) "", 0, &error));
  braid_assert_transport_wrote (transport, "12:hello world!,0:,");

  braid_netstring_receiver_set_max_length (BRAID_NETSTRING_RECEIVER (receiver), 3);
  g_assert_false (braid_netstring_receiver_send_string (BRAID_NETSTRING_RECEIVER (receiver),
                                                        (const guint8 *) "abcd", 4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  braid_assert_transport_wrote (transport, "");
}

static void
test_binary_payload_round_trip (void)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (RecNetstring) receiver = connect_receiver (&transport);
  GBytes *frame;

  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "4:a\0,b,", 7);
  g_assert_cmpuint (receiver->record.frames->len, ==, 1);
  frame = g_ptr_array_index (receiver->record.frames, 0);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), "a\0,b", 4);
}

static void
test_logs_a_clear_reason (void)
{
  const struct { const char *input; const char *log; gint code; } cases[] = {
    { "x", "*byte 'x' where a digit or ':' of a netstring length was expected", G_IO_ERROR_INVALID_DATA },
    { "\x01", "*byte 0x01 where*", G_IO_ERROR_INVALID_DATA },
    { "007:", "*leading zero in a netstring length", G_IO_ERROR_INVALID_DATA },
    { ":", "*netstring with no length before ':'", G_IO_ERROR_INVALID_DATA },
    { "1:a;", "*byte ';' where ',' (the end of a netstring) was expected", G_IO_ERROR_INVALID_DATA },
    { "16385", "*netstring of at least 16385 bytes announced; the limit is 16384", G_IO_ERROR_MESSAGE_TOO_LARGE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BraidStringTransport) transport = NULL;
      g_autoptr (RecNetstring) receiver = connect_receiver (&transport);
      g_autoptr (GError) aborted = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "x");

      g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, cases[i].log);
      braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) cases[i].input,
                                    strlen (cases[i].input));
      g_test_assert_expected_messages ();
      g_assert_true (braid_string_transport_get_aborted (transport));
      braid_protocol_connection_lost (BRAID_PROTOCOL (receiver), aborted);
      g_assert_error (receiver->record.lost_reason, G_IO_ERROR, cases[i].code);
    }
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
  g_autoptr (RecNetstring) receiver = connect_receiver (&transport);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  receiver->record.on_frame = pause_on_first;
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "1:a,1:b,", 8);
  before = record_frames_string (&receiver->record);
  g_assert_cmpstr (before, ==, "[a]");
  braid_producer_resume_producing (BRAID_PRODUCER (receiver));
  after = record_frames_string (&receiver->record);
  g_assert_cmpstr (after, ==, "[a][b]");
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, BRAID_PRODUCER_STATE_PRODUCING);
  braid_producer_stop_producing (BRAID_PRODUCER (receiver));
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) "1:c,", 4);
  g_assert_cmpuint (receiver->record.frames->len, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidNetstringReceiver: netstrings, malformed input, flow control");

  braid_test_add_func ("/netstring-receiver/send-string", test_send_string);
  braid_test_add_func ("/netstring-receiver/binary-payload", test_binary_payload_round_trip);
  braid_test_add_func ("/netstring-receiver/logs-clear-reason", test_logs_a_clear_reason);
  braid_test_add_func ("/netstring-receiver/flow/pause-resume-stop", test_pause_and_resume);
  return g_test_run ();
}
