/* fuzz-common.h: what the framing fuzz targets share.
 *
 * Each target reads a few settings from the first bytes of the input
 * (chunk size, max_length, delimiter or prefix size), feeds the rest to a
 * receiver connected to a BraidStringTransport, once whole and once in
 * chunks, and checks invariants that hold for any input:
 *
 * - no frame longer than max_length is delivered;
 * - the frames, encoded again, are a prefix of the input (nothing
 *   invented, nothing reordered, nothing skipped unless announced);
 * - the split does not matter: whole and chunked feeding deliver the same
 *   frames and close (or not) alike;
 * - a receiver that closes does so with an abort, and delivers nothing
 *   after.
 *
 * A violated invariant aborts, which libFuzzer reports as a crash. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include <braid-fakes.h>

#define FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
        abort (); \
      } \
  } G_STMT_END

/* The receivers log the reason of every close: too noisy at millions of
 * executions a second. */
static void
fuzz_drop_log (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

static inline void
fuzz_quiet_logs (void)
{
  static gboolean done;

  if (!done)
    {
      g_log_set_handler ("Braid", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_DEBUG, fuzz_drop_log, NULL);
      done = TRUE;
    }
}

static inline void
fuzz_feed (BraidProtocol *protocol, const guint8 *data, gsize len, gsize chunk)
{
  if (chunk == 0)
    chunk = MAX (len, 1);
  for (gsize pos = 0; pos < len; pos += chunk)
    braid_protocol_data_received (protocol, data + pos, MIN (chunk, len - pos));
}

/* Two runs agree: same frames in the same order. */
static inline void
fuzz_check_same_frames (GPtrArray *a, GPtrArray *b)
{
  FUZZ_CHECK (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    FUZZ_CHECK (g_bytes_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}
