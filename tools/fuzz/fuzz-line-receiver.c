/* fuzz-line-receiver.c: libFuzzer target for BraidLineReceiver. */
#define _GNU_SOURCE /* memmem */
#include "fuzz-common.h"

G_DECLARE_FINAL_TYPE (FuzzLines, fuzz_lines, FUZZ, LINES, BraidLineReceiver)
struct _FuzzLines
{
  BraidLineReceiver parent_instance;
  GPtrArray *frames;
  gboolean keep_open;
  guint exceeded;
};
G_DEFINE_FINAL_TYPE (FuzzLines, fuzz_lines, BRAID_TYPE_LINE_RECEIVER)

static void
fuzz_lines_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  FUZZ_CHECK (line[len] == '\0');
  g_ptr_array_add (FUZZ_LINES (receiver)->frames, g_bytes_new (line, len));
}

static void
fuzz_lines_line_length_exceeded (BraidLineReceiver *receiver, gsize length)
{
  FuzzLines *self = FUZZ_LINES (receiver);

  FUZZ_CHECK (length > braid_line_receiver_get_max_length (receiver));
  self->exceeded++;
  if (!self->keep_open)
    BRAID_LINE_RECEIVER_CLASS (fuzz_lines_parent_class)->line_length_exceeded (receiver, length);
}

static void
fuzz_lines_finalize (GObject *object)
{
  g_ptr_array_unref (FUZZ_LINES (object)->frames);
  G_OBJECT_CLASS (fuzz_lines_parent_class)->finalize (object);
}

static void
fuzz_lines_class_init (FuzzLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fuzz_lines_finalize;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = fuzz_lines_line_received;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_length_exceeded = fuzz_lines_line_length_exceeded;
}

static void
fuzz_lines_init (FuzzLines *self)
{
  self->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static const char *const delimiters[] = { "\r\n", "\n", "\r\n\r\n", "abab" };

typedef struct
{
  FuzzLines *lines;
  BraidStringTransport *transport;
} Run;

static Run
run (const guint8 *data, gsize len, gsize chunk, const char *delimiter, gsize max_length,
     gboolean keep_open)
{
  Run r;

  r.lines = g_object_new (fuzz_lines_get_type (), NULL);
  r.lines->keep_open = keep_open;
  braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (r.lines), delimiter);
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (r.lines), max_length);
  r.transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (r.lines), BRAID_TRANSPORT (r.transport));
  fuzz_feed (BRAID_PROTOCOL (r.lines), data, len, chunk);
  return r;
}

static void
run_clear (Run *r)
{
  g_object_unref (r->lines);
  g_object_unref (r->transport);
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const char *delimiter;
  gsize max_length, chunk, dlen;
  gboolean keep_open;
  Run whole, chunked;

  if (size < 3)
    return 0;
  fuzz_quiet_logs ();
  chunk = (data[0] & 0x07) + 1;
  keep_open = (data[0] & 0x08) != 0;
  delimiter = delimiters[(data[0] >> 4) % G_N_ELEMENTS (delimiters)];
  max_length = data[1] % 64 + 1;
  data += 2;
  size -= 2;
  dlen = strlen (delimiter);

  whole = run (data, size, 0, delimiter, max_length, keep_open);
  chunked = run (data, size, chunk, delimiter, max_length, keep_open);

  fuzz_check_same_frames (whole.lines->frames, chunked.lines->frames);
  FUZZ_CHECK (whole.lines->exceeded == chunked.lines->exceeded);
  FUZZ_CHECK (braid_string_transport_get_aborted (whole.transport)
              == braid_string_transport_get_aborted (chunked.transport));
  FUZZ_CHECK (braid_string_transport_get_aborted (whole.transport)
              == (!keep_open && whole.lines->exceeded > 0));

  /* No line is too long or holds the delimiter. Without skipped lines,
   * the lines and their delimiters are exactly the start of the input. */
  {
    gsize pos = 0;

    for (guint i = 0; i < whole.lines->frames->len; i++)
      {
        gsize len;
        const guint8 *line = g_bytes_get_data (g_ptr_array_index (whole.lines->frames, i), &len);

        FUZZ_CHECK (len <= max_length);
        FUZZ_CHECK (len < dlen || memmem (line, len, delimiter, dlen) == NULL);
        if (whole.lines->exceeded == 0)
          {
            FUZZ_CHECK (pos + len + dlen <= size);
            FUZZ_CHECK (len == 0 || memcmp (data + pos, line, len) == 0);
            FUZZ_CHECK (memcmp (data + pos + len, delimiter, dlen) == 0);
            pos += len + dlen;
          }
      }
    /* ... and what is left of the input holds no complete line. */
    if (whole.lines->exceeded == 0)
      {
        FUZZ_CHECK (size - pos < dlen || memmem (data + pos, size - pos, delimiter, dlen) == NULL);
        FUZZ_CHECK (size - pos <= max_length + dlen - 1);
      }
  }

  run_clear (&whole);
  run_clear (&chunked);
  return 0;
}
