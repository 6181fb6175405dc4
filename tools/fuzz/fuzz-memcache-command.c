/* fuzz-memcache-command.c: libFuzzer target for the cache server's command
 * parser (BraidCacheServerFactory, memcached's text protocol).
 *
 * The first byte picks a chunk size and the store's memory limit; the rest
 * is fed to a server on a string transport and a fake clock, once whole and
 * once in chunks. Invariants: the way the stream is cut changes nothing
 * (same replies, same close, same items); every reply is made of
 * memcached's reply lines; the store never holds more than its limit. */
#include "fuzz-common.h"

typedef struct
{
  BraidFakeClock *clock;
  BraidCacheStore *store;
  BraidCacheServerFactory *factory;
  BraidProtocol *protocol;
  BraidStringTransport *transport;
} Run;

static Run
run (const guint8 *data, gsize len, gsize chunk, gsize limit)
{
  Run r;

  r.clock = braid_fake_clock_new ();
  r.store = braid_cache_store_new (BRAID_CLOCK (r.clock), limit);
  braid_cache_store_set_unix_time (r.store, 1700000000);
  braid_cache_store_set_max_item_size (r.store, 4096);
  r.factory = braid_cache_server_factory_new (r.store);
  r.protocol = braid_factory_build_protocol (BRAID_FACTORY (r.factory), NULL);
  r.transport = braid_string_transport_new ();
  braid_protocol_make_connection (r.protocol, BRAID_TRANSPORT (r.transport));
  fuzz_feed (r.protocol, data, len, chunk);
  return r;
}

static void
run_clear (Run *r)
{
  if (braid_protocol_is_connected (r->protocol))
    {
      g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "done");

      braid_protocol_connection_lost (r->protocol, reason);
    }
  g_object_unref (r->protocol);
  g_object_unref (r->transport);
  g_object_unref (r->factory);
  g_object_unref (r->store);
  g_object_unref (r->clock);
}

static const char *const replies[] = {
  "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "TOUCHED", "END", "OK", "ERROR",
  "RESET", "CLIENT_ERROR ", "SERVER_ERROR ", "VERSION ", "STAT ", "COUNT ", "STATUS ", "VALUE ",
};

/* Every reply is one of memcached's lines, a number (incr), or a VALUE
 * line followed by its data. */
static void
check_replies (const char *out, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      const char *end = memchr (out + pos, '\n', len - pos);
      gsize line_len;
      gboolean known = FALSE;

      FUZZ_CHECK (end != NULL && end > out + pos && end[-1] == '\r');
      line_len = end - (out + pos) - 1;
      for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
        if (line_len >= strlen (replies[i]) && memcmp (out + pos, replies[i], strlen (replies[i])) == 0)
          known = TRUE;
      if (!known)
        for (gsize i = 0; i < line_len; i++)
          FUZZ_CHECK (g_ascii_isdigit (out[pos + i]));
      if (line_len > 6 && memcmp (out + pos, "VALUE ", 6) == 0)
        {
          /* VALUE key flags bytes [cas]: skip the data block. */
          g_autofree char *line = g_strndup (out + pos, line_len);
          g_auto (GStrv) parts = g_strsplit (line, " ", -1);
          guint64 bytes;

          FUZZ_CHECK (g_strv_length (parts) == 4 || g_strv_length (parts) == 5);
          FUZZ_CHECK (g_ascii_string_to_unsigned (parts[3], 10, 0, G_MAXUINT32, &bytes, NULL));
          pos = end + 1 - out + bytes;
          FUZZ_CHECK (pos + 2 <= len && out[pos] == '\r' && out[pos + 1] == '\n');
          pos += 2;
          continue;
        }
      pos = end + 1 - out;
    }
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  gsize chunk;
  gsize limit;
  Run whole, chunked;
  gsize whole_len, chunked_len;
  const char *whole_out, *chunked_out;
  BraidCacheStats stats;

  if (size < 2)
    return 0;
  fuzz_quiet_logs ();
  chunk = (data[0] & 0x0f) + 1;
  limit = ((data[0] >> 4) + 1) * 1024;
  data++;
  size--;

  whole = run (data, size, 0, limit);
  chunked = run (data, size, chunk, limit);

  whole_out = braid_string_transport_peek (whole.transport, &whole_len);
  chunked_out = braid_string_transport_peek (chunked.transport, &chunked_len);
  FUZZ_CHECK (whole_len == chunked_len && memcmp (whole_out, chunked_out, whole_len) == 0);
  FUZZ_CHECK (braid_string_transport_get_aborted (whole.transport)
              == braid_string_transport_get_aborted (chunked.transport));
  FUZZ_CHECK (braid_string_transport_get_disconnecting (whole.transport)
              == braid_string_transport_get_disconnecting (chunked.transport));
  FUZZ_CHECK (braid_cache_store_get_count (whole.store) == braid_cache_store_get_count (chunked.store));
  check_replies (whole_out, whole_len);
  braid_cache_store_get_stats (whole.store, &stats);
  FUZZ_CHECK (stats.bytes <= limit);

  run_clear (&whole);
  run_clear (&chunked);
  return 0;
}
