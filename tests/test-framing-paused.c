/* test-framing-paused.c: a framing receiver paused after every frame, over
 * a large buffer: every frame arrives once, in order, including bytes that
 * arrive while it is paused. (Its cost per frame is measured by
 * tools/bench/bench-growth.) */
#include <string.h>

#include <braid-fakes.h>

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
  g_test_summary ("Framing receivers paused after every frame: each frame once, in order");

  braid_test_add_func ("/framing-paused/every-line-of-a-large-chunk",
                       test_paused_after_every_line_of_a_large_chunk);
  braid_test_add_func ("/framing-paused/bytes-arriving-while-paused",
                       test_bytes_arriving_while_paused_come_after);

  return g_test_run ();
}
