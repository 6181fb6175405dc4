/* test-framing-edges.c: the shared framing input rules when the receiver
 * has no transport at all — pausing, resuming and stopping only change what
 * the receiver delivers, and rejecting bad input names no peer. */
#include <string.h>

#include <braid-fakes.h>

#include "framing-recorders.h"

static char *
frames_of (BraidLineReceiver *lines)
{
  return record_frames_string (record_of (BRAID_PROTOCOL (lines)));
}

static void
receive_text (BraidLineReceiver *lines, const char *text)
{
  braid_protocol_data_received (BRAID_PROTOCOL (lines), (const guint8 *) text, strlen (text));
}

static void
test_pause_and_resume_without_transport (void)
{
  g_autoptr (BraidLineReceiver) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autofree char *while_paused = NULL;
  g_autofree char *after_resume = NULL;

  g_assert_null (braid_protocol_get_transport (BRAID_PROTOCOL (lines)));
  braid_producer_pause_producing (BRAID_PRODUCER (lines));
  receive_text (lines, "a\r\nb\r\n");
  while_paused = frames_of (lines);
  g_assert_cmpstr (while_paused, ==, "");

  braid_producer_resume_producing (BRAID_PRODUCER (lines));
  after_resume = frames_of (lines);
  g_assert_cmpstr (after_resume, ==, "[a][b]");
}

static void
test_stop_without_transport_drops_the_rest (void)
{
  g_autoptr (BraidLineReceiver) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autofree char *frames = NULL;

  receive_text (lines, "a\r\nhalf");
  braid_producer_stop_producing (BRAID_PRODUCER (lines));
  receive_text (lines, " line\r\nc\r\n");
  /* Nothing more arrives, even an empty chunk or a switch back to line
   * mode with extra bytes. */
  braid_protocol_data_received (BRAID_PROTOCOL (lines), (const guint8 *) "", 0);
  braid_line_receiver_set_line_mode (lines, (const guint8 *) "d\r\n", 3);
  frames = frames_of (lines);
  g_assert_cmpstr (frames, ==, "[a]");
}

static void
test_reject_without_transport_names_no_peer (void)
{
  g_autoptr (BraidLineReceiver) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autofree char *frames = NULL;

  braid_line_receiver_set_max_length (lines, 4);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "RecLines: closing the connection from (unknown peer): "
                         "line longer than 4 bytes*");
  receive_text (lines, "ok\r\ntoo long\r\nafter\r\n");
  g_test_assert_expected_messages ();

  /* The rejected input and everything after it are dropped. */
  receive_text (lines, "more\r\n");
  frames = frames_of (lines);
  g_assert_cmpstr (frames, ==, "[ok]");
  g_assert_cmpuint (record_of (BRAID_PROTOCOL (lines))->exceeded_calls, ==, 1);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (void) object;
  (void) pspec;
  (*(guint *) data)++;
}

static void
test_setting_the_same_value_does_not_notify (void)
{
  g_autoptr (BraidLineReceiver) lines = g_object_new (TYPE_REC_LINES, NULL);
  guint delimiter_notes = 0;
  guint max_length_notes = 0;

  g_signal_connect (lines, "notify::delimiter", G_CALLBACK (count_notify), &delimiter_notes);
  g_signal_connect (lines, "notify::max-length", G_CALLBACK (count_notify), &max_length_notes);
  braid_line_receiver_set_delimiter (lines, "\n");
  braid_line_receiver_set_delimiter (lines, "\n");
  braid_line_receiver_set_max_length (lines, 64);
  braid_line_receiver_set_max_length (lines, 64);
  g_assert_cmpuint (delimiter_notes, ==, 1);
  g_assert_cmpuint (max_length_notes, ==, 1);
  g_assert_cmpstr (braid_line_receiver_get_delimiter (lines), ==, "\n");
  g_assert_cmpuint (braid_line_receiver_get_max_length (lines), ==, 64);
}

static void
pause_on_each_line (BraidProtocol *protocol, Record *record)
{
  (void) record;
  braid_producer_pause_producing (BRAID_PRODUCER (protocol));
}

static void
test_resume_leaves_the_transport_paused_if_a_line_pauses_again (void)
{
  g_autoptr (RecLines) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  braid_protocol_make_connection (BRAID_PROTOCOL (lines), BRAID_TRANSPORT (transport));
  lines->record.on_frame = pause_on_each_line;
  receive_text (BRAID_LINE_RECEIVER (lines), "a\r\nb\r\n");
  first = frames_of (BRAID_LINE_RECEIVER (lines));
  g_assert_cmpstr (first, ==, "[a]");
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);

  /* Resuming delivers the held line, which pauses again: the transport is
   * not told to resume. */
  braid_producer_resume_producing (BRAID_PRODUCER (lines));
  second = frames_of (BRAID_LINE_RECEIVER (lines));
  g_assert_cmpstr (second, ==, "[a][b]");
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  braid_test_lose_connection (BRAID_PROTOCOL (lines), TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The framing input rules for a receiver with no transport");

  braid_test_add_func ("/framing-edges/no-transport/pause-resume", test_pause_and_resume_without_transport);
  braid_test_add_func ("/framing-edges/no-transport/stop", test_stop_without_transport_drops_the_rest);
  braid_test_add_func ("/framing-edges/no-transport/reject", test_reject_without_transport_names_no_peer);

  braid_test_add_func ("/framing-edges/line-receiver/same-value-no-notify", test_setting_the_same_value_does_not_notify);
  braid_test_add_func ("/framing-edges/resume/paused-again", test_resume_leaves_the_transport_paused_if_a_line_pauses_again);

  return g_test_run ();
}
