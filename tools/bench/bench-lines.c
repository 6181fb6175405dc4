/* bench-lines.c: lines per second through BraidLineReceiver.
 *
 *   ninja -C build tools/bench/bench-lines && build/tools/bench/bench-lines [SECONDS]
 *
 * 64-byte lines (62 bytes + "\r\n") are fed to a line receiver that counts
 * them, in 1 MiB chunks ("whole") and in smaller chunks, first straight
 * into data_received (the parser alone), then through a BraidLoopback
 * (parser + the fake transport pair). Prints lines/s and MB/s; asserts
 * nothing (figures are not tests).
 *
 * Last, "one write": 1 MiB and 64 MiB written to the loopback at once and
 * delivered in chunks of 1, 7 and 1500 bytes and whole: the lines/s must not
 * depend on how much was written at once (a fake that removes each chunk
 * from the front of its buffer would fall by the size of the write). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <braid-fakes.h>

#define LINE_LENGTH 64
#define BUFFER_LINES 16384   /* 1 MiB of lines */

G_DECLARE_FINAL_TYPE (CountLines, count_lines, COUNT, LINES, BraidLineReceiver)
struct _CountLines
{
  BraidLineReceiver parent_instance;
  guint64 lines;
  guint64 bytes;
};
G_DEFINE_FINAL_TYPE (CountLines, count_lines, BRAID_TYPE_LINE_RECEIVER)

static void
count_lines_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  CountLines *self = COUNT_LINES (receiver);

  self->lines++;
  self->bytes += len;
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

static guint8 *
make_lines (gsize *len)
{
  gsize total = (gsize) LINE_LENGTH * BUFFER_LINES;
  guint8 *buffer = g_malloc (total);

  for (gsize i = 0; i < BUFFER_LINES; i++)
    {
      guint8 *line = buffer + i * LINE_LENGTH;

      for (gsize j = 0; j < LINE_LENGTH - 2; j++)
        line[j] = (guint8) ('a' + (i + j) % 26);
      line[LINE_LENGTH - 2] = '\r';
      line[LINE_LENGTH - 1] = '\n';
    }
  *len = total;
  return buffer;
}

static void
report (const char *what, gsize chunk, guint64 lines, gdouble elapsed)
{
  char chunk_name[32];

  if (chunk == 0)
    g_snprintf (chunk_name, sizeof chunk_name, "whole (1 MiB)");
  else
    g_snprintf (chunk_name, sizeof chunk_name, "%" G_GSIZE_FORMAT " B", chunk);
  printf ("%-10s chunk %-14s %8.2f M lines/s  %8.1f MB/s\n", what, chunk_name,
          lines / elapsed / 1e6, lines * (gdouble) LINE_LENGTH / elapsed / 1e6);
}

/* The parser alone: the benchmark calls data_received itself. */
static void
bench_direct (const guint8 *buffer, gsize len, gsize chunk, gdouble seconds)
{
  g_autoptr (CountLines) receiver = g_object_new (count_lines_get_type (), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  gsize step = chunk == 0 ? len : chunk;
  gint64 start, now;

  braid_protocol_make_connection (BRAID_PROTOCOL (receiver), BRAID_TRANSPORT (transport));
  start = now = g_get_monotonic_time ();
  while (now - start < seconds * G_USEC_PER_SEC)
    {
      for (gsize pos = 0; pos < len; pos += step)
        braid_protocol_data_received (BRAID_PROTOCOL (receiver), buffer + pos, MIN (step, len - pos));
      now = g_get_monotonic_time ();
    }
  if (receiver->bytes != receiver->lines * (LINE_LENGTH - 2))
    g_error ("lines of the wrong length were delivered");
  report ("direct", chunk, receiver->lines, (now - start) / (gdouble) G_USEC_PER_SEC);
}

/* Through the loopback: a client protocol writes, the loopback delivers. */
static void
bench_loopback (const guint8 *buffer, gsize len, gsize chunk, gdouble seconds)
{
  g_autoptr (CountLines) server = g_object_new (count_lines_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);
  gint64 start, now;

  if (chunk != 0)
    braid_loopback_set_chunk_size (loopback, chunk);
  /* Chunked runs write 64 KiB at a time: the loopback's own cost per
   * chunk grows with what is buffered, and a real socket's buffer is of
   * that order too. */
  gsize write_size = chunk == 0 ? len : 64 * 1024;

  start = now = g_get_monotonic_time ();
  while (now - start < seconds * G_USEC_PER_SEC)
    {
      for (gsize pos = 0; pos < len; pos += write_size)
        {
          braid_transport_write (client_transport, buffer + pos, MIN (write_size, len - pos));
          braid_loopback_flush (loopback);
        }
      now = g_get_monotonic_time ();
    }
  if (server->bytes != server->lines * (LINE_LENGTH - 2))
    g_error ("lines of the wrong length were delivered");
  report ("loopback", chunk, server->lines, (now - start) / (gdouble) G_USEC_PER_SEC);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

static gint64
cpu_time_usec (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* @total bytes of lines written to the loopback at once (the 1 MiB buffer,
 * again and again), then delivered in @chunk-byte pieces by one flush. */
static void
bench_loopback_one_write (const guint8 *buffer, gsize len, gsize total, gsize chunk)
{
  g_autoptr (CountLines) server = g_object_new (count_lines_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  BraidTransport *client_transport = braid_loopback_get_client_transport (loopback);
  char what[32];
  gint64 start;
  gdouble elapsed;

  if (chunk != 0)
    braid_loopback_set_chunk_size (loopback, chunk);
  /* The whole write waits in the loopback, far past the default limit. */
  braid_transport_set_write_buffer_limit (client_transport, 0);
  /* CPU time of this process, not wall time: one long run on a shared
   * machine would otherwise measure the neighbours too. */
  start = cpu_time_usec ();
  for (gsize written = 0; written < total; written += len)
    braid_transport_write (client_transport, buffer, len);
  braid_loopback_flush (loopback);
  elapsed = (cpu_time_usec () - start) / (gdouble) G_USEC_PER_SEC;
  if (server->lines * LINE_LENGTH != total)
    g_error ("%" G_GUINT64_FORMAT " lines delivered of %" G_GSIZE_FORMAT,
             server->lines, total / LINE_LENGTH);
  g_snprintf (what, sizeof what, "1x%" G_GSIZE_FORMAT "MiB", total >> 20);
  report (what, chunk, server->lines, elapsed);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

int
main (int argc, char **argv)
{
  gdouble seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 1.0;
  const gsize chunks[] = { 0, 4096, 1500, 7 };
  g_autofree guint8 *buffer = NULL;
  gsize len;

  if (seconds <= 0)
    {
      fprintf (stderr, "usage: %s [SECONDS per figure, default 1]\n", argv[0]);
      return 2;
    }
  buffer = make_lines (&len);
  printf ("BraidLineReceiver, %d-byte lines, %.1f s per figure\n", LINE_LENGTH, seconds);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    bench_direct (buffer, len, chunks[i], seconds);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    bench_loopback (buffer, len, chunks[i], seconds);
  {
    const gsize one_write_chunks[] = { 0, 1500, 7, 1 };
    const gsize one_write_sizes[] = { 1 << 20, 64 << 20 };

    for (guint i = 0; i < G_N_ELEMENTS (one_write_chunks); i++)
      for (guint j = 0; j < G_N_ELEMENTS (one_write_sizes); j++)
        bench_loopback_one_write (buffer, len, one_write_sizes[j], one_write_chunks[i]);
  }
  return 0;
}
