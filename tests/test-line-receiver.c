/* test-line-receiver.c: BraidLineReceiver. */
#include "framing-recorders.h"

static const gsize chunk_sizes[] = { 1, 2, 3, 7, 0 };

typedef struct
{
  RecLines *lines;
  BraidStringTransport *transport;
} Fixture;

static void
fixture_connect (Fixture *fixture)
{
  fixture->lines = g_object_new (TYPE_REC_LINES, NULL);
  fixture->transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (fixture->lines),
                                  BRAID_TRANSPORT (fixture->transport));
}

static void
fixture_clear (Fixture *fixture)
{
  g_clear_object (&fixture->lines);
  g_clear_object (&fixture->transport);
}

static void
feed (Fixture *fixture, const char *text)
{
  braid_test_receive (BRAID_PROTOCOL (fixture->lines), text);
}

static char *
frames (Fixture *fixture)
{
  return record_frames_string (&fixture->lines->record);
}

#define assert_frames(fixture, expected) \
  G_STMT_START { \
    g_autofree char *got_ = frames (fixture); \
    g_assert_cmpstr (got_, ==, (expected)); \
  } G_STMT_END

static void
test_defaults (void)
{
  g_autoptr (BraidLineReceiver) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autofree char *delimiter = NULL;
  guint64 max_length = 0;

  g_assert_cmpstr (braid_line_receiver_get_delimiter (lines), ==, "\r\n");
  g_assert_cmpuint (braid_line_receiver_get_max_length (lines), ==, 16384);
  g_assert_true (braid_line_receiver_is_line_mode (lines));
  g_object_get (lines, "delimiter", &delimiter, "max-length", &max_length, NULL);
  g_assert_cmpstr (delimiter, ==, "\r\n");
  g_assert_cmpuint (max_length, ==, BRAID_DEFAULT_MAX_FRAME_LENGTH);
  braid_line_receiver_set_max_length (lines, 10);
  g_assert_cmpuint (braid_line_receiver_get_max_length (lines), ==, 10);
  g_object_set (lines, "delimiter", "\n", NULL);
  g_assert_cmpstr (braid_line_receiver_get_delimiter (lines), ==, "\n");
}

/* Skipping an over-long line whose delimiter is long and arrives split:
 * the receiver keeps only the few bytes that may start the delimiter. */
static void
test_skipping_with_a_split_long_delimiter (void)
{
  const char *input = "abcdefghij\r\n\r\nok\r\n\r\n";

  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      Fixture f = { 0 };

      fixture_connect (&f);
      f.lines->record.keep_open = TRUE;
      braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (f.lines), "\r\n\r\n");
      braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (f.lines), 3);
      feed_in_chunks (BRAID_PROTOCOL (f.lines), input, strlen (input), chunk_sizes[c]);
      assert_frames (&f, "[ok]");
      g_assert_cmpuint (f.lines->record.exceeded_calls, ==, 1);
      fixture_clear (&f);
    }
}

/* A new delimiter while skipping an over-long line ends the skipping. */
static void
test_new_delimiter_ends_skipping (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  f.lines->record.keep_open = TRUE;
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (f.lines), 3);
  feed (&f, "abcdefgh");
  g_assert_cmpuint (f.lines->record.exceeded_calls, ==, 1);
  braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (f.lines), "\n");
  feed (&f, "xy\n");
  assert_frames (&f, "[xy]");
  fixture_clear (&f);
}

static void
test_send_line_appends_the_delimiter (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (f.lines), "hello");
  braid_assert_transport_wrote (f.transport, "hello\r\n");
  braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (f.lines), "\n");
  braid_line_receiver_send_line_len (BRAID_LINE_RECEIVER (f.lines), "abcdef", 3);
  braid_assert_transport_wrote (f.transport, "abc\n");
  fixture_clear (&f);
}

static void
test_binary_line_keeps_its_length (void)
{
  Fixture f = { 0 };
  GBytes *line;

  fixture_connect (&f);
  braid_protocol_data_received (BRAID_PROTOCOL (f.lines), (const guint8 *) "a\0b\r\n", 5);
  g_assert_cmpuint (f.lines->record.frames->len, ==, 1);
  line = g_ptr_array_index (f.lines->record.frames, 0);
  g_assert_cmpmem (g_bytes_get_data (line, NULL), g_bytes_get_size (line), "a\0b", 3);
  fixture_clear (&f);
}

/* A four-byte delimiter whose start also appears inside the line: the
 * earliest complete delimiter wins, however the bytes are split. */
static void
test_long_delimiter_split_anywhere (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      Fixture f = { 0 };
      const char *input = "a\r\n\r\r\n\r\nb\r\n\r\n";

      fixture_connect (&f);
      braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (f.lines), "\r\n\r\n");
      feed_in_chunks (BRAID_PROTOCOL (f.lines), input, strlen (input), chunk_sizes[c]);
      assert_frames (&f, "[a\\r\\n\\r][b]");
      fixture_clear (&f);
    }
}

static void
test_changing_the_delimiter_reparses_the_buffer (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  feed (&f, "a\nb");
  assert_frames (&f, "");
  braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (f.lines), "\n");
  assert_frames (&f, "[a]");
  feed (&f, "c\n");
  assert_frames (&f, "[a][bc]");
  fixture_clear (&f);
}

static void
test_exceeded_reports_length (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (f.lines), 4);
  f.lines->record.keep_open = TRUE;
  feed (&f, "abc");
  feed (&f, "def");
  g_assert_cmpuint (f.lines->record.exceeded_calls, ==, 1);
  g_assert_cmpuint (f.lines->record.exceeded_length, ==, 6);
  /* The rest of the over-long line is skipped, however long, without
   * another call; the next line is delivered. */
  for (guint i = 0; i < 1000; i++)
    feed (&f, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  feed (&f, "\r");
  feed (&f, "\nok\r\n");
  g_assert_cmpuint (f.lines->record.exceeded_calls, ==, 1);
  assert_frames (&f, "[ok]");
  g_assert_false (braid_string_transport_get_disconnecting (f.transport));
  fixture_clear (&f);
}

static void
test_default_exceeded_logs_and_closes (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) aborted = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "x");

  fixture_connect (&f);
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (f.lines), 4);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "RecLines: closing the connection from 127.0.0.1:54321: "
                         "line longer than 4 bytes*");
  feed (&f, "abcdefgh");
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (f.transport));
  /* Nothing more is parsed, not even a valid line. */
  feed (&f, "\r\nok\r\n");
  assert_frames (&f, "");
  braid_protocol_connection_lost (BRAID_PROTOCOL (f.lines), aborted);
  g_assert_error (f.lines->record.lost_reason, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (f.lines->record.lost_reason->message, "line longer than 4 bytes"));
  fixture_clear (&f);
}

/* Raw mode: an "HTTP-like" exchange, "LEN n" then n bytes of body, then
 * lines again. */
static void
switch_to_raw_on_len (BraidProtocol *protocol, Record *record)
{
  GBytes *last = g_ptr_array_index (record->frames, record->frames->len - 1);

  if (g_bytes_get_size (last) > 4 && memcmp (g_bytes_get_data (last, NULL), "LEN ", 4) == 0)
    braid_line_receiver_set_raw_mode (BRAID_LINE_RECEIVER (protocol));
}

G_DECLARE_FINAL_TYPE (BodyLines, body_lines, BODY, LINES, BraidLineReceiver)
struct _BodyLines
{
  BraidLineReceiver parent_instance;
  GString *lines;
  GString *body;
  gsize body_wanted;
};
G_DEFINE_FINAL_TYPE (BodyLines, body_lines, BRAID_TYPE_LINE_RECEIVER)

static void
body_lines_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  BodyLines *self = BODY_LINES (receiver);

  g_string_append_printf (self->lines, "[%s]", line);
  if (g_str_has_prefix (line, "LEN "))
    {
      self->body_wanted = g_ascii_strtoull (line + 4, NULL, 10);
      braid_line_receiver_set_raw_mode (receiver);
    }
}

static void
body_lines_raw_data_received (BraidLineReceiver *receiver, const guint8 *data, gsize len)
{
  BodyLines *self = BODY_LINES (receiver);
  gsize take = MIN (len, self->body_wanted - self->body->len);

  g_string_append_len (self->body, (const char *) data, take);
  if (self->body->len == self->body_wanted)
    braid_line_receiver_set_line_mode (receiver, data + take, len - take);
}

static void
body_lines_finalize (GObject *object)
{
  g_string_free (BODY_LINES (object)->lines, TRUE);
  g_string_free (BODY_LINES (object)->body, TRUE);
  G_OBJECT_CLASS (body_lines_parent_class)->finalize (object);
}

static void
body_lines_class_init (BodyLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = body_lines_finalize;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = body_lines_line_received;
  BRAID_LINE_RECEIVER_CLASS (klass)->raw_data_received = body_lines_raw_data_received;
}

static void
body_lines_init (BodyLines *self)
{
  self->lines = g_string_new (NULL);
  self->body = g_string_new (NULL);
}

static void
test_raw_mode_and_back_with_extra (void)
{
  const char *input = "GET\r\nLEN 5\r\nab\r\ncafter\r\nend\r\n";

  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      g_autoptr (BodyLines) body = g_object_new (body_lines_get_type (), NULL);
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

      braid_protocol_make_connection (BRAID_PROTOCOL (body), BRAID_TRANSPORT (transport));
      feed_in_chunks (BRAID_PROTOCOL (body), input, strlen (input), chunk_sizes[c]);
      g_assert_cmpstr (body->lines->str, ==, "[GET][LEN 5][after][end]");
      g_assert_cmpstr (body->body->str, ==, "ab\r\nc");
      g_assert_true (braid_line_receiver_is_line_mode (BRAID_LINE_RECEIVER (body)));
    }
}

static void
test_raw_mode_gets_the_rest_of_the_chunk (void)
{
  Fixture f = { 0 };
  g_autofree char *raw = NULL;

  fixture_connect (&f);
  f.lines->record.on_frame = switch_to_raw_on_len;
  feed (&f, "hi\r\nLEN 3\r\nxyz\r\n");
  assert_frames (&f, "[hi][LEN 3]");
  raw = record_raw_string (&f.lines->record);
  g_assert_cmpstr (raw, ==, "[xyz\\r\\n]");
  fixture_clear (&f);
}

static void
test_raw_mode_delivers_the_unfinished_line (void)
{
  Fixture f = { 0 };
  g_autofree char *raw = NULL;

  fixture_connect (&f);
  feed (&f, "a\r\npart");
  braid_line_receiver_set_raw_mode (BRAID_LINE_RECEIVER (f.lines));
  feed (&f, "more");
  raw = record_raw_string (&f.lines->record);
  g_assert_cmpstr (raw, ==, "[part][more]");
  assert_frames (&f, "[a]");
  fixture_clear (&f);
}

static void
clear_on_first_line (BraidProtocol *protocol, Record *record)
{
  GBytes **cleared = record->hook_data;

  if (record->frames->len == 1)
    *cleared = braid_line_receiver_clear_line_buffer (BRAID_LINE_RECEIVER (protocol));
}

static void
test_clear_line_buffer_from_line_received (void)
{
  Fixture f = { 0 };
  g_autoptr (GBytes) cleared = NULL;

  fixture_connect (&f);
  f.lines->record.on_frame = clear_on_first_line;
  f.lines->record.hook_data = &cleared;
  feed (&f, "a\r\nb\r\nc");
  assert_frames (&f, "[a]");
  g_assert_cmpmem (g_bytes_get_data (cleared, NULL), g_bytes_get_size (cleared), "b\r\nc", 4);
  feed (&f, "d\r\n");
  assert_frames (&f, "[a][d]");
  fixture_clear (&f);
}

static void
test_clear_line_buffer_returns_the_partial_line (void)
{
  Fixture f = { 0 };
  g_autoptr (GBytes) cleared = NULL;

  fixture_connect (&f);
  feed (&f, "x\r\nhalf");
  cleared = braid_line_receiver_clear_line_buffer (BRAID_LINE_RECEIVER (f.lines));
  g_assert_cmpmem (g_bytes_get_data (cleared, NULL), g_bytes_get_size (cleared), "half", 4);
  feed (&f, "new\r\n");
  assert_frames (&f, "[x][new]");
  fixture_clear (&f);
}

static void
lose_on_quit (BraidProtocol *protocol, Record *record)
{
  GBytes *last = g_ptr_array_index (record->frames, record->frames->len - 1);

  if (g_bytes_get_size (last) == 4 && memcmp (g_bytes_get_data (last, NULL), "quit", 4) == 0)
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
test_no_lines_once_disconnecting (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  f.lines->record.on_frame = lose_on_quit;
  feed (&f, "a\r\nquit\r\nb\r\nc\r\n");
  assert_frames (&f, "[a][quit]");
  feed (&f, "d\r\n");
  assert_frames (&f, "[a][quit]");
  fixture_clear (&f);
}

static void
pause_on_first_line (BraidProtocol *protocol, Record *record)
{
  if (record->frames->len == 1)
    braid_producer_pause_producing (BRAID_PRODUCER (protocol));
}

static void
test_pause_holds_lines_until_resume (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  f.lines->record.on_frame = pause_on_first_line;
  feed (&f, "a\r\nb\r\nc");
  assert_frames (&f, "[a]");
  g_assert_cmpint (braid_string_transport_get_producer_state (f.transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  feed (&f, "\r\nd\r\n");
  assert_frames (&f, "[a]");
  braid_producer_resume_producing (BRAID_PRODUCER (f.lines));
  assert_frames (&f, "[a][b][c][d]");
  g_assert_cmpint (braid_string_transport_get_producer_state (f.transport), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  fixture_clear (&f);
}

/* Through the loopback: pausing the receiver pauses its transport, so the
 * loopback delivers nothing more until the receiver resumes. */
static void
test_pause_through_the_loopback (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      g_autoptr (RecLines) lines = g_object_new (TYPE_REC_LINES, NULL);
      g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
      g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (lines), client);
      BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);
      g_autofree char *paused = NULL;
      g_autofree char *resumed = NULL;

      braid_loopback_set_chunk_size (loopback, chunk_sizes[c]);
      lines->record.on_frame = pause_on_first_line;
      braid_transport_write_string (client_transport, "a\r\nb\r\nc\r\n");
      braid_loopback_flush (loopback);
      paused = record_frames_string (&lines->record);
      g_assert_cmpstr (paused, ==, "[a]");
      braid_transport_write_string (client_transport, "d\r\n");
      braid_loopback_flush (loopback);
      g_assert_cmpuint (lines->record.frames->len, ==, 1);
      braid_producer_resume_producing (BRAID_PRODUCER (lines));
      braid_loopback_flush (loopback);
      resumed = record_frames_string (&lines->record);
      g_assert_cmpstr (resumed, ==, "[a][b][c][d]");
      braid_loopback_close (loopback);
      braid_loopback_flush (loopback);
      g_assert_true (braid_error_is_clean_close (lines->record.lost_reason));
    }
}

static void
test_stop_producing_delivers_nothing_more (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  feed (&f, "a\r\n");
  braid_producer_stop_producing (BRAID_PRODUCER (f.lines));
  feed (&f, "b\r\n");
  braid_producer_resume_producing (BRAID_PRODUCER (f.lines));
  assert_frames (&f, "[a]");
  g_assert_cmpint (braid_string_transport_get_producer_state (f.transport), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
  fixture_clear (&f);
}

static void
test_paused_receiver_refuses_unbounded_input (void)
{
  Fixture f = { 0 };
  g_autofree guint8 *block = g_malloc0 (64 * 1024);

  fixture_connect (&f);
  braid_producer_pause_producing (BRAID_PRODUCER (f.lines));
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*arrived while the receiver was paused*");
  for (guint i = 0; i < 17; i++)
    braid_protocol_data_received (BRAID_PROTOCOL (f.lines), block, 64 * 1024);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (f.transport));
  fixture_clear (&f);
}

static void
feed_back_on_a (BraidProtocol *protocol, Record *record)
{
  GBytes *last = g_ptr_array_index (record->frames, record->frames->len - 1);

  if (g_bytes_get_size (last) == 1 && *(const char *) g_bytes_get_data (last, NULL) == 'a')
    braid_protocol_data_received (protocol, (const guint8 *) "x\r\n", 3);
}

static void
test_reentrant_data_is_queued_behind_the_chunk (void)
{
  Fixture f = { 0 };

  fixture_connect (&f);
  f.lines->record.on_frame = feed_back_on_a;
  feed (&f, "a\r\nb\r\n");
  assert_frames (&f, "[a][b][x]");
  fixture_clear (&f);
}

static void
test_works_without_a_transport (void)
{
  g_autoptr (RecLines) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autofree char *got = NULL;

  braid_protocol_data_received (BRAID_PROTOCOL (lines), (const guint8 *) "a\r\nb\r\n", 6);
  got = record_frames_string (&lines->record);
  g_assert_cmpstr (got, ==, "[a][b]");
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidLineReceiver: lines, delimiters, raw mode, limits, flow control");

  braid_test_add_func ("/line-receiver/defaults", test_defaults);
  braid_test_add_func ("/line-receiver/send-line", test_send_line_appends_the_delimiter);
  braid_test_add_func ("/line-receiver/binary-line", test_binary_line_keeps_its_length);
  braid_test_add_func ("/line-receiver/delimiter/long-split-anywhere", test_long_delimiter_split_anywhere);
  braid_test_add_func ("/line-receiver/delimiter/change-reparses", test_changing_the_delimiter_reparses_the_buffer);
  braid_test_add_func ("/line-receiver/exceeded/reports-length-and-skips", test_exceeded_reports_length);
  braid_test_add_func ("/line-receiver/exceeded/default-logs-and-closes", test_default_exceeded_logs_and_closes);
  braid_test_add_func ("/line-receiver/exceeded/skip-with-split-long-delimiter", test_skipping_with_a_split_long_delimiter);
  braid_test_add_func ("/line-receiver/exceeded/new-delimiter-ends-skipping", test_new_delimiter_ends_skipping);
  braid_test_add_func ("/line-receiver/raw/and-back-with-extra", test_raw_mode_and_back_with_extra);
  braid_test_add_func ("/line-receiver/raw/rest-of-chunk", test_raw_mode_gets_the_rest_of_the_chunk);
  braid_test_add_func ("/line-receiver/raw/unfinished-line", test_raw_mode_delivers_the_unfinished_line);
  braid_test_add_func ("/line-receiver/clear/from-line-received", test_clear_line_buffer_from_line_received);
  braid_test_add_func ("/line-receiver/clear/partial-line", test_clear_line_buffer_returns_the_partial_line);
  braid_test_add_func ("/line-receiver/flow/stops-when-disconnecting", test_no_lines_once_disconnecting);
  braid_test_add_func ("/line-receiver/flow/pause-holds-lines", test_pause_holds_lines_until_resume);
  braid_test_add_func ("/line-receiver/flow/pause-through-loopback", test_pause_through_the_loopback);
  braid_test_add_func ("/line-receiver/flow/stop-producing", test_stop_producing_delivers_nothing_more);
  braid_test_add_func ("/line-receiver/flow/paused-input-bounded", test_paused_receiver_refuses_unbounded_input);
  braid_test_add_func ("/line-receiver/flow/reentrant-data-queued", test_reentrant_data_is_queued_behind_the_chunk);
  braid_test_add_func ("/line-receiver/without-transport", test_works_without_a_transport);
  braid_test_add_func ("/line-receiver/same-value-no-notify", test_setting_the_same_value_does_not_notify);

  return g_test_run ();
}
