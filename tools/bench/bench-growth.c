/* bench-growth.c: does each fake and buffer grow linearly with its work?
 *
 *   ninja -C build tools/bench/bench-growth && build/tools/bench/bench-growth
 *
 * Each case does some work of size n, then 10n, in one run, and prints the
 * time ratio: about 10 for linear growth, 100 for quadratic. The target is
 * at most 13. Each figure is the median of five runs, in CPU time of this
 * process (not wall time: the machine may be shared). Asserts nothing
 * beyond the work being done right; figures are not tests.
 *
 * Sizes are chosen so that n and 10n stay on the same side of the C
 * library's switch to mmap'd memory (arrays past several MiB): across it,
 * first-touch page faults add a one-off step to any growing array, linear
 * or not (see docs/benchmarks.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <braid-fakes.h>

#define LINE_LENGTH 64
#define RUNS 5

static gint64
cpu_time_usec (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* n lines of LINE_LENGTH bytes, "\r\n"-terminated. */
static GByteArray *
make_lines (gsize n)
{
  GByteArray *lines = g_byte_array_sized_new (n * LINE_LENGTH);

  g_byte_array_set_size (lines, n * LINE_LENGTH);
  for (gsize i = 0; i < n; i++)
    {
      guint8 *line = lines->data + i * LINE_LENGTH;

      for (gsize j = 0; j < LINE_LENGTH - 2; j++)
        line[j] = (guint8) ('a' + (i + j) % 26);
      line[LINE_LENGTH - 2] = '\r';
      line[LINE_LENGTH - 1] = '\n';
    }
  return lines;
}

/* A line receiver that counts, and may pause itself after every line. */
G_DECLARE_FINAL_TYPE (CountLines, count_lines, COUNT, LINES, BraidLineReceiver)
struct _CountLines
{
  BraidLineReceiver parent_instance;
  gsize lines;
  gboolean pause_each_line;
};
G_DEFINE_FINAL_TYPE (CountLines, count_lines, BRAID_TYPE_LINE_RECEIVER)

static void
count_lines_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  CountLines *self = COUNT_LINES (receiver);

  g_assert (len == LINE_LENGTH - 2);
  self->lines++;
  if (self->pause_each_line)
    braid_producer_pause_producing (BRAID_PRODUCER (receiver));
}

static void
count_lines_class_init (CountLinesClass *klass)
{
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = count_lines_line_received;
}

static void
count_lines_init (CountLines *self)
{
}

/* Int-n and netstring receivers that count their frames. */
G_DECLARE_FINAL_TYPE (CountIntN, count_int_n, COUNT, INT_N, BraidIntNReceiver)
struct _CountIntN
{
  BraidIntNReceiver parent_instance;
  gsize frames;
};
G_DEFINE_FINAL_TYPE (CountIntN, count_int_n, BRAID_TYPE_INT_N_RECEIVER)

static void
count_int_n_string_received (BraidIntNReceiver *receiver, const guint8 *data, gsize len)
{
  COUNT_INT_N (receiver)->frames++;
}

static void
count_int_n_class_init (CountIntNClass *klass)
{
  BRAID_INT_N_RECEIVER_CLASS (klass)->string_received = count_int_n_string_received;
}

static void
count_int_n_init (CountIntN *self)
{
}

G_DECLARE_FINAL_TYPE (CountNetstrings, count_netstrings, COUNT, NETSTRINGS, BraidNetstringReceiver)
struct _CountNetstrings
{
  BraidNetstringReceiver parent_instance;
  gsize frames;
};
G_DEFINE_FINAL_TYPE (CountNetstrings, count_netstrings, BRAID_TYPE_NETSTRING_RECEIVER)

static void
count_netstrings_string_received (BraidNetstringReceiver *receiver, const guint8 *data, gsize len)
{
  COUNT_NETSTRINGS (receiver)->frames++;
}

static void
count_netstrings_class_init (CountNetstringsClass *klass)
{
  BRAID_NETSTRING_RECEIVER_CLASS (klass)->string_received = count_netstrings_string_received;
}

static void
count_netstrings_init (CountNetstrings *self)
{
}

/* The cases: each does work of size n. */

/* n lines written to the loopback at once, delivered @chunk bytes at a time. */
static void
loopback_lines (gsize n, gsize chunk)
{
  g_autoptr (CountLines) server = g_object_new (count_lines_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  g_autoptr (GByteArray) lines = make_lines (n);

  braid_loopback_set_chunk_size (loopback, chunk);
  braid_transport_write (braid_loopback_get_client_transport (loopback), lines->data, lines->len);
  braid_loopback_flush (loopback);
  g_assert (server->lines == n);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

static void
loopback_chunk_7 (gsize n)
{
  loopback_lines (n, 7);
}

static void
loopback_chunk_1 (gsize n)
{
  loopback_lines (n, 1);
}

static void
loopback_chunk_1500 (gsize n)
{
  loopback_lines (n, 1500);
}

/* n writes of a line to a string transport, then one read of it all. */
static void
string_transport_writes (gsize n)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GByteArray) line = make_lines (1);
  gsize len = 0;

  for (gsize i = 0; i < n; i++)
    braid_transport_write (BRAID_TRANSPORT (transport), line->data, line->len);
  braid_string_transport_peek (transport, &len);
  g_assert (len == n * LINE_LENGTH);
}

/* Feeds @stream to @protocol @chunk bytes at a time. */
static void
feed (BraidProtocol *protocol, const GByteArray *stream, gsize chunk)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  for (gsize pos = 0; pos < stream->len; pos += chunk)
    braid_protocol_data_received (protocol, stream->data + pos, MIN (chunk, stream->len - pos));
}

/* n lines fed to a line receiver one byte at a time. */
static void
line_receiver_chunk_1 (gsize n)
{
  g_autoptr (CountLines) receiver = g_object_new (count_lines_get_type (), NULL);
  g_autoptr (GByteArray) lines = make_lines (n);

  feed (BRAID_PROTOCOL (receiver), lines, 1);
  g_assert (receiver->lines == n);
}

/* n lines in one chunk to a line receiver that pauses after each line and
 * is resumed: the bytes held while it is paused. */
static void
line_receiver_pause_each_line (gsize n)
{
  g_autoptr (CountLines) receiver = g_object_new (count_lines_get_type (), NULL);
  g_autoptr (GByteArray) lines = make_lines (n);

  receiver->pause_each_line = TRUE;
  feed (BRAID_PROTOCOL (receiver), lines, lines->len);
  while (receiver->lines < n)
    braid_producer_resume_producing (BRAID_PRODUCER (receiver));
}

/* n 60-byte frames with a 32-bit length prefix, fed one byte at a time. */
static void
int_n_receiver_chunk_1 (gsize n)
{
  g_autoptr (CountIntN) receiver = g_object_new (count_int_n_get_type (), NULL);
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  guint8 frame[64] = { 0, 0, 0, 60 };

  braid_int_n_receiver_set_prefix_bits (BRAID_INT_N_RECEIVER (receiver), 32);
  memset (frame + 4, 'x', 60);
  for (gsize i = 0; i < n; i++)
    g_byte_array_append (stream, frame, sizeof frame);
  feed (BRAID_PROTOCOL (receiver), stream, 1);
  g_assert (receiver->frames == n);
}

/* n netstrings of 60 bytes, fed one byte at a time. */
static void
netstring_receiver_chunk_1 (gsize n)
{
  g_autoptr (CountNetstrings) receiver = g_object_new (count_netstrings_get_type (), NULL);
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  guint8 frame[64];

  memcpy (frame, "60:", 3);
  memset (frame + 3, 'x', 60);
  frame[63] = ',';
  for (gsize i = 0; i < n; i++)
    g_byte_array_append (stream, frame, sizeof frame);
  feed (BRAID_PROTOCOL (receiver), stream, 1);
  g_assert (receiver->frames == n);
}

static void
count_call (gpointer data)
{
  (*(gsize *) data)++;
}

/* n timers at scattered deadlines on the fake clock, then all run. */
static void
fake_clock_timers (gsize n)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  gsize calls = 0;

  for (gsize i = 0; i < n; i++)
    braid_clock_call_later (BRAID_CLOCK (clock), (gdouble) ((i * 7919) % n), count_call, &calls,
                            NULL);
  braid_fake_clock_advance (clock, (gdouble) n);
  g_assert (calls == n);
}

static void
count_link (BraidResult *result, gpointer data)
{
  (*(gsize *) data)++;
}

/* n callbacks on one deferred, then fired. */
static void
deferred_links (gsize n)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  gsize calls = 0;

  for (gsize i = 0; i < n; i++)
    braid_deferred_add_callback (d, count_link, &calls, NULL);
  braid_deferred_callback (d, NULL, NULL);
  g_assert (calls == n);
}

typedef struct
{
  const char *name;
  void (*run) (gsize n);
  gsize n;
} Case;

static const Case cases[] = {
  { "loopback, one write, chunk 7 (lines)", loopback_chunk_7, 2000 },
  { "loopback, one write, chunk 1 (lines)", loopback_chunk_1, 2000 },
  { "loopback, one write, chunk 1500 (lines)", loopback_chunk_1500, 20000 },
  { "string transport, 64 B writes", string_transport_writes, 10000 },
  { "line receiver, chunk 1 (lines)", line_receiver_chunk_1, 2000 },
  { "line receiver, paused each line (lines)", line_receiver_pause_each_line, 2000 },
  { "int-n receiver, chunk 1 (frames)", int_n_receiver_chunk_1, 2000 },
  { "netstring receiver, chunk 1 (frames)", netstring_receiver_chunk_1, 2000 },
  { "fake clock, timers", fake_clock_timers, 10000 },
  { "deferred, callbacks on one deferred", deferred_links, 10000 },
};

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median_seconds (void (*run) (gsize n), gsize n)
{
  gdouble times[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      gint64 start = cpu_time_usec ();

      run (n);
      times[i] = (cpu_time_usec () - start) / (gdouble) G_USEC_PER_SEC;
    }
  qsort (times, RUNS, sizeof times[0], compare_doubles);
  return times[RUNS / 2];
}

int
main (int argc, char **argv)
{
  gboolean all_linear = TRUE;

  printf ("| case | n | time(n) | time(10n) | ratio |\n");
  printf ("|------|--:|--------:|----------:|------:|\n");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gdouble small = median_seconds (cases[i].run, cases[i].n);
      gdouble large = median_seconds (cases[i].run, cases[i].n * 10);
      gdouble ratio = large / MAX (small, 1e-9);

      printf ("| %s | %" G_GSIZE_FORMAT " | %.2f ms | %.2f ms | %.1fx%s |\n", cases[i].name,
              cases[i].n, small * 1e3, large * 1e3, ratio, ratio <= 13 ? "" : " (over 13x)");
      fflush (stdout);
      all_linear &= ratio <= 13;
    }
  printf ("\nTarget: at most 13x the time for 10x the work: %s\n",
          all_linear ? "met by every case" : "NOT met by every case");
  return 0;
}
