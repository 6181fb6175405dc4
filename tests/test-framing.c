/* test-framing.c: the framing core every receiver shares. The framing
 * contract of docs/framing.md, one table row per rule, run against every
 * receiver at every chunk size, on a string transport and through a
 * loopback; and the input rules when the receiver has no transport at all
 * (pausing, resuming and stopping only change what the receiver delivers,
 * rejecting bad input names no peer). */
#include <string.h>
#include <braid-fakes.h>

#include "framing-recorders.h"

typedef enum { LINES, INT_N, NETSTRING } Kind;

typedef struct
{
  const char *name;       /* the test path's last part */
  Kind kind;
  guint option;           /* LINES: 1 for a "\n" delimiter; INT_N: prefix bits */
  gsize max_length;
  gboolean keep_open;     /* the too-long vfunc is overridden and does not close */
  const char *input;
  gsize input_len;        /* 0: strlen (input) */
  const char *frames;     /* what the protocol receives */
  gint error_code;        /* -1: stays open; else the G_IO_ERROR code it closes with */
  guint exceeded_calls;   /* calls of the too-long vfunc */
} ContractRow;

#define OPEN -1
#define TOO_LARGE G_IO_ERROR_MESSAGE_TOO_LARGE
#define INVALID G_IO_ERROR_INVALID_DATA

/* Binary inputs spell their length out, because they hold NUL bytes. */
#define BIN(s) s, sizeof (s) - 1

static const ContractRow rows[] = {
  /* Lines: delimiter "\r\n" (or "\n"), max_length 5. */
  { "lines/split", LINES, 0, 5, FALSE, "abc\r\ndef\r\n", 0, "[abc][def]", OPEN, 0 },
  { "lines/empty-line", LINES, 0, 5, FALSE, "\r\n\r\n", 0, "[][]", OPEN, 0 },
  { "lines/exactly-max", LINES, 0, 5, FALSE, "12345\r\n", 0, "[12345]", OPEN, 0 },
  { "lines/cr-inside-line", LINES, 0, 5, FALSE, "a\rb\r\n", 0, "[a\\rb]", OPEN, 0 },
  { "lines/incomplete-kept", LINES, 0, 5, FALSE, "abc\r\nde", 0, "[abc]", OPEN, 0 },
  { "lines/newline-delimiter", LINES, 1, 5, FALSE, "a\r\nb\n", 0, "[a\\r][b]", OPEN, 0 },
  { "lines/max-plus-one", LINES, 0, 5, FALSE, "123456\r\n", 0, "", TOO_LARGE, 1 },
  { "lines/no-delimiter", LINES, 0, 5, FALSE, "1234567890", 0, "", TOO_LARGE, 1 },
  { "lines/no-more-after-bad", LINES, 0, 5, FALSE, "ab\r\n1234567\r\ncd\r\n", 0, "[ab]", TOO_LARGE, 1 },
  { "lines/override-skips-line", LINES, 0, 5, TRUE, "ab\r\n1234567890\r\ncd\r\n", 0, "[ab][cd]", OPEN, 1 },

  /* Length prefixes: max_length 5. */
  { "int32/frames", INT_N, 32, 5, FALSE, BIN ("\0\0\0\3abc\0\0\0\0"), "[abc][]", OPEN, 0 },
  { "int32/exactly-max", INT_N, 32, 5, FALSE, BIN ("\0\0\0\00512345"), "[12345]", OPEN, 0 },
  { "int32/incomplete-kept", INT_N, 32, 5, FALSE, BIN ("\0\0\0\5ab"), "", OPEN, 0 },
  { "int32/prefix-alone-too-large", INT_N, 32, 5, FALSE, BIN ("\0\0\0\6"), "", TOO_LARGE, 1 },
  { "int32/huge-prefix", INT_N, 32, 5, FALSE, BIN ("\xff\xff\xff\xff" "abc"), "", TOO_LARGE, 1 },
  { "int32/no-more-after-bad", INT_N, 32, 5, FALSE, BIN ("\0\0\0\1a\0\0\0\7abcdefg\0\0\0\1b"), "[a]", TOO_LARGE, 1 },
  { "int32/override-skips-payload", INT_N, 32, 5, TRUE, BIN ("\0\0\0\2ab\0\0\0\7xxxxxxx\0\0\0\1c"), "[ab][c]", OPEN, 1 },
  { "int16/frames", INT_N, 16, 5, FALSE, BIN ("\0\3abc\0\1d"), "[abc][d]", OPEN, 0 },
  { "int16/too-large", INT_N, 16, 5, FALSE, BIN ("\1\0"), "", TOO_LARGE, 1 },
  { "int8/frames", INT_N, 8, 5, FALSE, BIN ("\3abc\0"), "[abc][]", OPEN, 0 },
  { "int8/too-large", INT_N, 8, 5, FALSE, BIN ("\6"), "", TOO_LARGE, 1 },

  /* Netstrings: max_length 5. */
  { "netstring/frames", NETSTRING, 0, 5, FALSE, "3:abc,0:,", 0, "[abc][]", OPEN, 0 },
  { "netstring/exactly-max", NETSTRING, 0, 5, FALSE, "5:12345,", 0, "[12345]", OPEN, 0 },
  { "netstring/incomplete-kept", NETSTRING, 0, 5, FALSE, "3:abc,3:x", 0, "[abc]", OPEN, 0 },
  { "netstring/length-too-large", NETSTRING, 0, 5, FALSE, "6", 0, "", TOO_LARGE, 0 },
  { "netstring/digits-too-many", NETSTRING, 0, 5, FALSE, "99999999999999999999999:", 0, "", TOO_LARGE, 0 },
  { "netstring/non-digit", NETSTRING, 0, 5, FALSE, "a:", 0, "", INVALID, 0 },
  { "netstring/negative", NETSTRING, 0, 5, FALSE, "-1:", 0, "", INVALID, 0 },
  { "netstring/leading-zero", NETSTRING, 0, 5, FALSE, "01:a,", 0, "", INVALID, 0 },
  { "netstring/no-digits", NETSTRING, 0, 5, FALSE, ":abc,", 0, "", INVALID, 0 },
  { "netstring/missing-comma", NETSTRING, 0, 5, FALSE, "3:abcX", 0, "", INVALID, 0 },
  { "netstring/no-more-after-bad", NETSTRING, 0, 5, FALSE, "1:a,x1:b,", 0, "[a]", INVALID, 0 },
};

static const gsize chunk_sizes[] = { 1, 2, 3, 7, 0 };

static BraidProtocol *
make_receiver (const ContractRow *row)
{
  BraidProtocol *protocol = NULL;
  Record *record;

  switch (row->kind)
    {
    case LINES:
      protocol = g_object_new (TYPE_REC_LINES, "max-length", (guint64) row->max_length, NULL);
      if (row->option == 1)
        braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (protocol), "\n");
      break;
    case INT_N:
      protocol = g_object_new (TYPE_REC_INT_N, "max-length", (guint64) row->max_length,
                               "prefix-bits", row->option, NULL);
      break;
    case NETSTRING:
      protocol = g_object_new (TYPE_REC_NETSTRING, NULL);
      braid_netstring_receiver_set_max_length (BRAID_NETSTRING_RECEIVER (protocol), row->max_length);
      break;
    default:
      g_assert_not_reached ();
    }
  record = record_of (protocol);
  record->keep_open = row->keep_open;
  return protocol;
}

static gsize
input_length (const ContractRow *row)
{
  return row->input_len != 0 ? row->input_len : strlen (row->input);
}

/* What the protocol must have seen once the connection ended. */
static void
check_outcome (const ContractRow *row, BraidProtocol *protocol, gsize chunk)
{
  Record *record = record_of (protocol);
  g_autofree char *frames = record_frames_string (record);

  g_test_message ("row %s, chunk size %" G_GSIZE_FORMAT, row->name, chunk);
  g_assert_cmpstr (frames, ==, row->frames);
  g_assert_cmpuint (record->exceeded_calls, ==, row->exceeded_calls);
  g_assert_nonnull (record->lost_reason);
  if (row->error_code == OPEN)
    g_assert_true (braid_error_is_clean_close (record->lost_reason));
  else
    g_assert_error (record->lost_reason, G_IO_ERROR, row->error_code);
}

static void
expect_close_log (const ContractRow *row)
{
  if (row->error_code != OPEN)
    g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*closing the connection from*");
}

/* Through a string transport, the test feeding the chunks itself. */
static void
run_row_on_string_transport (gconstpointer data)
{
  const ContractRow *row = data;

  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      g_autoptr (BraidProtocol) protocol = make_receiver (row);
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
      g_autoptr (GError) closed = NULL;

      braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
      expect_close_log (row);
      feed_in_chunks (protocol, row->input, input_length (row), chunk_sizes[c]);
      g_test_assert_expected_messages ();

      /* Bad input aborts; good input leaves the connection alone. */
      g_assert_cmpint (braid_string_transport_get_aborted (transport), ==, row->error_code != OPEN);
      if (braid_string_transport_get_aborted (transport))
        closed = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "aborted");
      else
        closed = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE, "done");
      braid_protocol_connection_lost (protocol, closed);
      check_outcome (row, protocol, chunk_sizes[c]);
      braid_assert_no_leftovers ();
    }
}

/* Through a BraidLoopback: a plain client protocol writes the input, the
 * loopback delivers it in chunks and delivers the close. */
static void
run_row_on_loopback (gconstpointer data)
{
  const ContractRow *row = data;

  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      g_autoptr (BraidProtocol) server = make_receiver (row);
      g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
      g_autoptr (BraidLoopback) loopback = braid_loopback_new (server, client);

      braid_loopback_set_chunk_size (loopback, chunk_sizes[c]);
      braid_transport_write (braid_loopback_get_client_transport (loopback),
                             (const guint8 *) row->input, input_length (row));
      expect_close_log (row);
      braid_loopback_flush (loopback);
      g_test_assert_expected_messages ();

      /* Bad input closed the connection; good input left it open. */
      g_assert_cmpint (braid_loopback_is_open (loopback), ==, row->error_code == OPEN);
      if (braid_loopback_is_open (loopback))
        {
          braid_loopback_close (loopback);
          braid_loopback_flush (loopback);
        }
      check_outcome (row, server, chunk_sizes[c]);
      braid_assert_no_leftovers ();
    }
}

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

/* On the first frame only: more bytes arrive from inside the callback (a
 * nested data_received), then the receiver pauses. */
static void
receive_then_pause_once (BraidProtocol *protocol, Record *record)
{
  if (record->hook_data != NULL)
    return;
  record->hook_data = GINT_TO_POINTER (TRUE);
  receive_text (BRAID_LINE_RECEIVER (protocol), "x\r\n");
  braid_producer_pause_producing (BRAID_PRODUCER (protocol));
}

static void
test_bytes_from_inside_a_held_frame_come_after_the_rest (void)
{
  g_autoptr (RecLines) lines = g_object_new (TYPE_REC_LINES, NULL);
  g_autofree char *first = NULL;
  g_autofree char *all = NULL;

  g_test_summary ("Held lines delivered on resume: bytes received from inside one of them, "
                  "before it pauses, are queued after the lines still held");
  braid_producer_pause_producing (BRAID_PRODUCER (lines));
  receive_text (BRAID_LINE_RECEIVER (lines), "a\r\nb\r\nc\r\n");
  lines->record.on_frame = receive_then_pause_once;
  braid_producer_resume_producing (BRAID_PRODUCER (lines));
  first = frames_of (BRAID_LINE_RECEIVER (lines));
  g_assert_cmpstr (first, ==, "[a]");
  braid_producer_resume_producing (BRAID_PRODUCER (lines));
  all = frames_of (BRAID_LINE_RECEIVER (lines));
  g_assert_cmpstr (all, ==, "[a][b][c][x]");
}

/* a framing receiver paused after every frame, over
 * a large buffer: every frame arrives once, in order, including bytes that
 * arrive while it is paused. (Its cost per frame is measured by
 * tools/bench/bench-growth.) */
G_DECLARE_FINAL_TYPE (PausingLines, pausing_lines, TEST, PAUSING_LINES, BraidLineReceiver)
struct _PausingLines
{
  BraidLineReceiver parent_instance;
  GPtrArray *lines;
};
G_DEFINE_FINAL_TYPE (PausingLines, pausing_lines, BRAID_TYPE_LINE_RECEIVER)

static void
pausing_lines_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  PausingLines *self = TEST_PAUSING_LINES (receiver);

  g_ptr_array_add (self->lines, g_strndup (line, len));
  braid_producer_pause_producing (BRAID_PRODUCER (receiver));
}

static void
pausing_lines_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_PAUSING_LINES (object)->lines);
  G_OBJECT_CLASS (pausing_lines_parent_class)->finalize (object);
}

static void
pausing_lines_class_init (PausingLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pausing_lines_finalize;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = pausing_lines_line_received;
}

static void
pausing_lines_init (PausingLines *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_free);
}

static GString *
numbered_lines (guint from, guint to)
{
  GString *text = g_string_new (NULL);

  for (guint i = from; i < to; i++)
    g_string_append_printf (text, "line %05u\r\n", i);
  return text;
}

static void
resume_until (PausingLines *receiver, guint n_lines)
{
  /* Each resume delivers one line (the receiver pauses again at once). */
  for (guint rounds = 0; receiver->lines->len < n_lines; rounds++)
    {
      g_assert_cmpuint (rounds, <, n_lines);
      braid_producer_resume_producing (BRAID_PRODUCER (receiver));
    }
}

static void
assert_numbered (PausingLines *receiver, guint n_lines)
{
  g_assert_cmpuint (receiver->lines->len, ==, n_lines);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autofree char *expected = g_strdup_printf ("line %05u", i);

      g_assert_cmpstr (g_ptr_array_index (receiver->lines, i), ==, expected);
    }
}

static void
test_paused_after_every_line_of_a_large_chunk (void)
{
  g_autoptr (PausingLines) receiver = g_object_new (pausing_lines_get_type (), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GString) text = numbered_lines (0, 20000);

  braid_protocol_make_connection (BRAID_PROTOCOL (receiver), BRAID_TRANSPORT (transport));
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) text->str, text->len);
  g_assert_cmpuint (receiver->lines->len, ==, 1);
  resume_until (receiver, 20000);
  assert_numbered (receiver, 20000);
}

static void
test_bytes_arriving_while_paused_come_after (void)
{
  g_autoptr (PausingLines) receiver = g_object_new (pausing_lines_get_type (), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GString) first = numbered_lines (0, 1000);
  g_autoptr (GString) second = numbered_lines (1000, 2000);
  gsize cut = 7;   /* the first chunk ends in the middle of line 1000 */

  braid_protocol_make_connection (BRAID_PROTOCOL (receiver), BRAID_TRANSPORT (transport));
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) first->str, first->len);
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) second->str, cut);
  resume_until (receiver, 500);
  /* The rest arrives while half of the first chunk is still held. */
  braid_protocol_data_received (BRAID_PROTOCOL (receiver), (const guint8 *) second->str + cut,
                                second->len - cut);
  resume_until (receiver, 2000);
  assert_numbered (receiver, 2000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Every row of the framing contract (docs/framing.md): each receiver, "
                  "good and bad input, at chunk sizes 1, 2, 3, 7 and whole; the input "
                  "rules without a transport");

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/framing/contract/string-transport/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], run_row_on_string_transport);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/framing/contract/loopback/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], run_row_on_loopback);
    }
  braid_test_add_func ("/framing/no-transport/pause-resume", test_pause_and_resume_without_transport);
  braid_test_add_func ("/framing/no-transport/stop", test_stop_without_transport_drops_the_rest);
  braid_test_add_func ("/framing/no-transport/reject", test_reject_without_transport_names_no_peer);
  braid_test_add_func ("/framing/resume/paused-again", test_resume_leaves_the_transport_paused_if_a_line_pauses_again);
  braid_test_add_func ("/framing/resume/bytes-from-inside-a-held-frame",
                       test_bytes_from_inside_a_held_frame_come_after_the_rest);


  braid_test_add_func ("/framing/paused/every-line-of-a-large-chunk",
                       test_paused_after_every_line_of_a_large_chunk);
  braid_test_add_func ("/framing/paused/bytes-arriving-while-paused",
                       test_bytes_arriving_while_paused_come_after);

  return g_test_run ();
}
