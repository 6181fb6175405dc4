/* test-cache-server.c: BraidCacheServerFactory, memcached's text protocol,
 * on a string transport and a fake clock. The expected lines are what
 * memcached 1.6 answers to the same bytes. */
#include <string.h>

#include <braid.h>
#include <braid-fakes.h>

typedef struct
{
  BraidFakeClock *clock;
  BraidCacheStore *store;
  BraidCacheServerFactory *factory;
  BraidProtocol *protocol;
  BraidStringTransport *transport;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->clock = braid_fake_clock_new ();
  f->store = braid_cache_store_new (BRAID_CLOCK (f->clock), 1024 * 1024);
  braid_cache_store_set_unix_time (f->store, 1700000000);
  f->factory = braid_cache_server_factory_new (f->store);
  f->protocol = braid_factory_build_protocol (BRAID_FACTORY (f->factory), NULL);
  f->transport = braid_string_transport_new ();
  braid_protocol_make_connection (f->protocol, BRAID_TRANSPORT (f->transport));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (braid_protocol_is_connected (f->protocol))
    braid_test_lose_connection (f->protocol, TRUE);
  g_clear_object (&f->protocol);
  g_clear_object (&f->transport);
  g_clear_object (&f->factory);
  g_clear_object (&f->store);
  g_clear_object (&f->clock);
}

static void
send_bytes (Fixture *f, const void *data, gsize len)
{
  braid_protocol_data_received (f->protocol, data, len);
}

/* Sends @request in one read and checks the connection answers @reply.
 * (bytewise() sends a request one byte at a time; the fuzz target
 * compares whole and cut streams on every input.) */
static void
exchange_full (Fixture *f, const char *request, const char *reply, const char *file, int line)
{
  braid_test_receive (f->protocol, request);
  braid_assert_transport_wrote_full (f->transport, reply, file, line, "whole");
}

#define exchange(f, request, reply) exchange_full ((f), (request), (reply), __FILE__, __LINE__)

static void
bytewise (Fixture *f, const char *request, const char *reply)
{
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (BRAID_FACTORY (f->factory), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  gsize len = strlen (request);

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  for (gsize i = 0; i < len; i++)
    braid_protocol_data_received (protocol, (const guint8 *) request + i, 1);
  braid_assert_transport_wrote (transport, reply);
  if (braid_protocol_is_connected (protocol))
    braid_test_lose_connection (protocol, TRUE);
}

static void
test_set_get (Fixture *f, gconstpointer data)
{
  exchange (f, "set k 5 0 3\r\nabc\r\n", "STORED\r\n");
  exchange (f, "get k\r\n", "VALUE k 5 3\r\nabc\r\nEND\r\n");
  exchange (f, "get nothere\r\n", "END\r\n");
  exchange (f, "get k nothere k\r\n", "VALUE k 5 3\r\nabc\r\nVALUE k 5 3\r\nabc\r\nEND\r\n");
  exchange (f, "get  k\n", "VALUE k 5 3\r\nabc\r\nEND\r\n");
  exchange (f, "set e 0 0 0\r\n\r\nget e\r\n", "STORED\r\nVALUE e 0 0\r\n\r\nEND\r\n");
  exchange (f, "set f 4294967295 0 1\r\nx\r\nget f\r\n", "STORED\r\nVALUE f 4294967295 1\r\nx\r\nEND\r\n");
  exchange (f, "set k 0 0 01\r\nx\r\nset k 0 0  1\r\ny\r\nget k\r\n",
            "STORED\r\nSTORED\r\nVALUE k 0 1\r\ny\r\nEND\r\n");
}

static void
test_binary_value (Fixture *f, gconstpointer data)
{
  const guint8 request[] = "set b 0 0 6\r\n\0\r\n\n\r\xff\r\nget b\r\n";
  const guint8 reply[] = "STORED\r\nVALUE b 0 6\r\n\0\r\n\n\r\xff\r\nEND\r\n";
  gsize len;
  const char *got;

  send_bytes (f, request, sizeof request - 1);
  got = braid_string_transport_peek (f->transport, &len);
  g_assert_cmpmem (got, len, reply, sizeof reply - 1);
}

static void
test_cut_anywhere (Fixture *f, gconstpointer data)
{
  bytewise (f, "set k 1 0 5\r\nhello\r\nget k\r\ngets k\r\ndelete k\r\nget k\r\n",
            "STORED\r\nVALUE k 1 5\r\nhello\r\nEND\r\nVALUE k 1 5 1\r\nhello\r\nEND\r\nDELETED\r\nEND\r\n");
  bytewise (f, "set big 0 0 20000 noreply\r\n", "");
}

static void
test_large_value_in_pieces (Fixture *f, gconstpointer data)
{
  gsize size = 500000;
  g_autofree char *value = g_malloc (size);
  g_autofree char *line = g_strdup_printf ("set big 0 0 %" G_GSIZE_FORMAT "\r\n", size);
  const guint8 *got;
  gsize len;

  memset (value, 'v', size);
  send_bytes (f, line, strlen (line));
  for (gsize i = 0; i < size; i += 4096)
    send_bytes (f, value + i, MIN (4096, size - i));
  exchange (f, "\r\n", "STORED\r\n");
  got = braid_cache_store_lookup (f->store, "big", 3, &len, NULL, NULL);
  g_assert_cmpmem (got, len, value, size);
}

static void
test_gets_cas (Fixture *f, gconstpointer data)
{
  exchange (f, "set k 0 0 1\r\nx\r\ngets k\r\n", "STORED\r\nVALUE k 0 1 1\r\nx\r\nEND\r\n");
  exchange (f, "cas k 0 0 1 999\r\ny\r\n", "EXISTS\r\n");
  exchange (f, "cas k 0 0 1 1\r\ny\r\n", "STORED\r\n");
  exchange (f, "cas k 0 0 1 1\r\nz\r\n", "EXISTS\r\n");
  exchange (f, "cas nope 0 0 1 1\r\ny\r\n", "NOT_FOUND\r\n");
  exchange (f, "gets k\r\n", "VALUE k 0 1 2\r\ny\r\nEND\r\n");
  exchange (f, "cas k 0 0 1 2 noreply\r\nw\r\nget k\r\n", "VALUE k 0 1\r\nw\r\nEND\r\n");
  exchange (f, "cas k 0 0 1\r\nx\r\n", "ERROR\r\nERROR\r\n");
  exchange (f, "cas k 0 0 1 abc\r\n", "CLIENT_ERROR bad command line format\r\n");
}

static void
test_add_replace_append_prepend (Fixture *f, gconstpointer data)
{
  exchange (f, "append nope 0 0 1\r\nx\r\nprepend nope 0 0 1\r\nx\r\nreplace nope 0 0 1\r\nx\r\n",
            "NOT_STORED\r\nNOT_STORED\r\nNOT_STORED\r\n");
  exchange (f, "add k 7 0 2\r\nbb\r\nadd k 0 0 1\r\nx\r\n", "STORED\r\nNOT_STORED\r\n");
  exchange (f, "append k 9 0 1\r\nc\r\nprepend k 9 0 1\r\na\r\nget k\r\n",
            "STORED\r\nSTORED\r\nVALUE k 7 4\r\nabbc\r\nEND\r\n");
  exchange (f, "replace k 3 0 1\r\nr\r\nget k\r\n", "STORED\r\nVALUE k 3 1\r\nr\r\nEND\r\n");
  exchange (f, "add n 0 0 1 noreply\r\n1\r\nreplace n 0 0 1 noreply\r\n2\r\n"
               "append n 0 0 1 noreply\r\n3\r\nprepend n 0 0 1 noreply\r\n0\r\nget n\r\n",
            "VALUE n 0 3\r\n023\r\nEND\r\n");
}

static void
test_delete (Fixture *f, gconstpointer data)
{
  exchange (f, "set k 0 0 1\r\nx\r\ndelete k\r\ndelete k\r\n", "STORED\r\nDELETED\r\nNOT_FOUND\r\n");
  exchange (f, "delete k 5\r\n",
            "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
  exchange (f, "delete k 0\r\ndelete k noreply\r\ndelete k 0 noreply\r\n", "NOT_FOUND\r\n");
  exchange (f, "delete k 5 noreply\r\n", "");
  exchange (f, "delete\r\ndelete a b c d\r\n", "ERROR\r\nERROR\r\n");
}

static void
test_incr_decr (Fixture *f, gconstpointer data)
{
  exchange (f, "set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\n", "STORED\r\n15\r\n0\r\n");
  exchange (f, "incr n abc\r\nincr n -1\r\nincr n 18446744073709551616\r\n",
            "CLIENT_ERROR invalid numeric delta argument\r\n"
            "CLIENT_ERROR invalid numeric delta argument\r\n"
            "CLIENT_ERROR invalid numeric delta argument\r\n");
  exchange (f, "incr n 18446744073709551615\r\n", "18446744073709551615\r\n");
  exchange (f, "set n 0 0 20\r\n18446744073709551615\r\nincr n 2\r\n", "STORED\r\n1\r\n");
  exchange (f, "set t 0 0 1\r\nx\r\nincr t 1\r\nincr nothere 1\r\ndecr nothere 1\r\n",
            "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nNOT_FOUND\r\nNOT_FOUND\r\n");
  /* Shorter results are padded with spaces to the old length, longer ones grow. */
  exchange (f, "set n 0 0 2\r\n99\r\nincr n 1\r\nget n\r\ndecr n 91\r\nget n\r\n",
            "STORED\r\n100\r\nVALUE n 0 3\r\n100\r\nEND\r\n9\r\nVALUE n 0 3\r\n9  \r\nEND\r\n");
  exchange (f, "set n 0 0 3\r\n 12\r\nincr n 1\r\nget n\r\n", "STORED\r\n13\r\nVALUE n 0 3\r\n13 \r\nEND\r\n");
  exchange (f, "set n 0 0 3\r\n12a\r\nincr n 1\r\nset n 0 0 0\r\n\r\nincr n 1\r\n",
            "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
            "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  exchange (f, "set n 0 0 1\r\n1\r\nincr n 1 noreply\r\ndecr n 1 noreply\r\nincr n 1 2\r\n",
            "STORED\r\n2\r\n");
  exchange (f, "incr n\r\n", "ERROR\r\n");
  {
    g_autofree char *long_key = g_strnfill (251, 'k');
    g_autofree char *incr_long = g_strdup_printf ("incr %s 1\r\n", long_key);
    g_autofree char *touch_long = g_strdup_printf ("touch %s 1\r\n", long_key);
    g_autofree char *delete_long = g_strdup_printf ("delete %s\r\n", long_key);

    exchange (f, incr_long, "CLIENT_ERROR bad command line format\r\n");
    exchange (f, touch_long, "CLIENT_ERROR bad command line format\r\n");
    exchange (f, delete_long, "CLIENT_ERROR bad command line format\r\n");
  }
}

static void
test_touch_and_expiry (Fixture *f, gconstpointer data)
{
  exchange (f, "touch k 10\r\n", "NOT_FOUND\r\n");
  exchange (f, "set k 0 10 1\r\nx\r\n", "STORED\r\n");
  braid_fake_clock_advance (f->clock, 9.5);
  exchange (f, "get k\r\n", "VALUE k 0 1\r\nx\r\nEND\r\n");
  braid_fake_clock_advance (f->clock, 0.5);
  exchange (f, "get k\r\n", "END\r\n");

  exchange (f, "set k 0 10 1\r\nx\r\ntouch k 100\r\n", "STORED\r\nTOUCHED\r\n");
  braid_fake_clock_advance (f->clock, 50);
  exchange (f, "get k\r\n", "VALUE k 0 1\r\nx\r\nEND\r\n");
  exchange (f, "touch k abc\r\ntouch k\r\n", "CLIENT_ERROR invalid exptime argument\r\nERROR\r\n");
  exchange (f, "touch k -1 noreply\r\nget k\r\n", "END\r\n");

  /* Negative: expired at once, though stored. */
  exchange (f, "set k 0 -1 1\r\nx\r\nget k\r\n", "STORED\r\nEND\r\n");
}

static void
test_absolute_exptime (Fixture *f, gconstpointer data)
{
  gint64 now = braid_cache_store_get_unix_time (f->store);
  g_autofree char *soon = g_strdup_printf ("set a 0 %" G_GINT64_FORMAT " 1\r\nx\r\n", now + 100);
  g_autofree char *past = g_strdup_printf ("set p 0 %" G_GINT64_FORMAT " 1\r\nx\r\n", now - 100);

  /* Over 30 days is a unix time; exactly 30 days is still relative. */
  exchange (f, soon, "STORED\r\n");
  exchange (f, past, "STORED\r\n");
  exchange (f, "set r 0 2592000 1\r\nx\r\n", "STORED\r\n");
  exchange (f, "get a p r\r\n", "VALUE a 0 1\r\nx\r\nVALUE r 0 1\r\nx\r\nEND\r\n");
  braid_fake_clock_advance (f->clock, 100);
  exchange (f, "get a r\r\n", "VALUE r 0 1\r\nx\r\nEND\r\n");
  braid_fake_clock_advance (f->clock, 2592000);
  exchange (f, "get r\r\n", "END\r\n");
}

static void
test_flush_all (Fixture *f, gconstpointer data)
{
  exchange (f, "set a 0 0 1\r\nx\r\nflush_all\r\nget a\r\n", "STORED\r\nOK\r\nEND\r\n");
  exchange (f, "flush_all abc\r\n", "CLIENT_ERROR invalid exptime argument\r\n");
  exchange (f, "set a 0 0 1\r\nx\r\nflush_all 10\r\nget a\r\n", "STORED\r\nOK\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  braid_fake_clock_advance (f->clock, 10);
  exchange (f, "get a\r\n", "END\r\n");
  /* A later flush_all replaces a pending one. */
  exchange (f, "set a 0 0 1\r\nx\r\nflush_all 10\r\nflush_all 20 noreply\r\n", "STORED\r\nOK\r\n");
  braid_fake_clock_advance (f->clock, 15);
  exchange (f, "get a\r\n", "VALUE a 0 1\r\nx\r\nEND\r\n");
  braid_fake_clock_advance (f->clock, 5);
  exchange (f, "get a\r\n", "END\r\n");
  exchange (f, "flush_all noreply\r\nflush_all 0\r\nflush_all 10 20\r\nflush_all 0 noreply\r\n", "OK\r\nOK\r\n");
  exchange (f, "flush_all 1 2 3\r\n", "ERROR\r\n");
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *long_key = g_strnfill (251, 'k');
  g_autofree char *max_key = g_strnfill (250, 'k');
  g_autofree char *set_long = g_strdup_printf ("set %s 0 0 1\r\nx\r\n", long_key);
  g_autofree char *get_long = g_strdup_printf ("get %s\r\n", long_key);
  g_autofree char *set_max = g_strdup_printf ("set %s 0 0 1\r\nx\r\n", max_key);

  exchange (f, "bogus\r\n\r\nSET k 0 0 1\r\n", "ERROR\r\nERROR\r\nERROR\r\n");
  exchange (f, "set k 0 0 1\r\nab\r\nget k\r\n", "CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n");
  exchange (f, "set k 0 0 -1\r\n", "CLIENT_ERROR bad command line format\r\n");
  exchange (f, "set k abc 0 1\r\nx\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  exchange (f, "set k 4294967296 0 1\r\nx\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  exchange (f, "set k 0 0 1x\r\nx\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  exchange (f, "set k 0 0 1 2 3 4\r\nx\r\n", "ERROR\r\nERROR\r\n");
  exchange (f, "set k 0 0\r\ngets\r\nget\r\nincr\r\nverbosity\r\n",
            "ERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
  exchange (f, set_long, "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  exchange (f, get_long, "CLIENT_ERROR bad command line format\r\n");
  exchange (f, set_max, "STORED\r\n");
  exchange (f, "set k\x01 0 0 1\r\nx\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  exchange (f, "set k 0 0 1 noreply\r\nxy\r\nset k abc 0 1 noreply\r\n", "ERROR\r\n");
  g_assert_true (braid_protocol_is_connected (f->protocol));
}

static void
test_too_large (Fixture *f, gconstpointer data)
{
  gsize size = 2 * 1024 * 1024;
  g_autofree char *value = g_malloc (size);
  g_autofree char *line = g_strdup_printf ("set k 0 0 %" G_GSIZE_FORMAT "\r\n", size);

  memset (value, 'v', size);
  exchange (f, "set k 0 0 1\r\nx\r\n", "STORED\r\n");
  send_bytes (f, line, strlen (line));
  /* Refused at once, the data discarded as it arrives, and the old value
   * gone (as memcached: a reader must not see it). */
  braid_assert_transport_wrote (f->transport, "SERVER_ERROR object too large for cache\r\n");
  for (gsize i = 0; i < size; i += 65536)
    send_bytes (f, value + i, MIN (65536, size - i));
  exchange (f, "\r\nget k\r\n", "END\r\n");
  {
    BraidCacheStats stats;

    /* The old value went without counting a delete nobody sent. */
    braid_cache_store_get_stats (f->store, &stats);
    g_assert_cmpuint (stats.delete_hits, ==, 0);
    g_assert_cmpuint (stats.delete_misses, ==, 0);
  }

  /* Just under the limit is fine; larger than the store's memory is not. */
  braid_cache_store_set_max_item_size (f->store, 4 * 1024 * 1024);
  send_bytes (f, line, strlen (line));
  send_bytes (f, value, size);
  exchange (f, "\r\n", "SERVER_ERROR object too large for cache\r\n");
  exchange (f, "set k 0 0 1 noreply\r\nx\r\n", "");
  braid_cache_store_set_max_item_size (f->store, 200);
  {
    g_autofree char *value_150 = g_strnfill (150, 'v');
    g_autofree char *absent = g_strdup_printf ("set absent 0 0 150\r\n%s\r\nget absent\r\n", value_150);

    /* Refused on a key that holds nothing: nothing to drop. */
    exchange (f, absent, "SERVER_ERROR object too large for cache\r\nEND\r\n");
  }
  exchange (f, "append k 0 0 150\r\n", "SERVER_ERROR object too large for cache\r\n");
}

static void
test_line_too_long (Fixture *f, gconstpointer data)
{
  g_autofree char *junk = g_strnfill (BRAID_CACHE_MAX_LINE_LENGTH + 1, 'x');

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*closing the connection*command line too long*");
  exchange (f, "version\r\n", "VERSION " BRAID_CACHE_SERVER_VERSION "\r\n");
  send_bytes (f, junk, strlen (junk));
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (f->transport));
  exchange (f, "version\r\n", "");
}

static void
test_line_too_long_whole (Fixture *f, gconstpointer data)
{
  g_autofree char *junk = g_strnfill (BRAID_CACHE_MAX_LINE_LENGTH + 1, 'x');
  g_autofree char *request = g_strdup_printf ("%s\r\nversion\r\n", junk);

  /* Refused even when its end of line came in the same read. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*closing the connection*command line too long*");
  exchange (f, request, "");
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (f->transport));
}

static void
test_long_get_line (Fixture *f, gconstpointer data)
{
  GString *line = g_string_new ("get");

  for (int i = 0; i < 2000; i++)
    g_string_append (line, " a");
  /* Cut: a long get line is waited for, not refused. */
  send_bytes (f, line->str, line->len);
  g_assert_false (braid_string_transport_get_aborted (f->transport));
  exchange (f, "\r\n", "END\r\n");
  g_string_free (line, TRUE);
}

static void
test_quit (Fixture *f, gconstpointer data)
{
  exchange (f, "version x\r\nquit x\r\nversion\r\n", "VERSION " BRAID_CACHE_SERVER_VERSION "\r\n");
  g_assert_true (braid_string_transport_get_disconnecting (f->transport));
  exchange (f, "version\r\n", "");
}

static void
test_misc (Fixture *f, gconstpointer data)
{
  exchange (f, "verbosity 1\r\nverbosity 1 noreply\r\nversion\r\n",
            "OK\r\nVERSION " BRAID_CACHE_SERVER_VERSION "\r\n");
  exchange (f, "stats foo\r\nstats items\r\nstats slabs\r\n", "ERROR\r\nEND\r\nEND\r\n");
  exchange (f, "stats reset\r\n", "RESET\r\n");
  /* noreply is for the commands that change something. */
  exchange (f, "version noreply\r\ncount noreply\r\n", "VERSION " BRAID_CACHE_SERVER_VERSION "\r\nERROR\r\n");
}

static gboolean
has_line (const char *text, const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\r\n%s\r\n", line);

  return strstr (text, needle) != NULL;
}

static void
test_stats (Fixture *f, gconstpointer data)
{
  const char *text;
  gsize len;

  exchange (f, "set a 0 0 1\r\nx\r\nget a b\r\ndelete b\r\n",
            "STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\nNOT_FOUND\r\n");
  braid_fake_clock_advance (f->clock, 42);
  braid_test_receive (f->protocol, "stats\r\n");
  text = braid_string_transport_peek (f->transport, &len);
  g_assert_true (g_str_has_prefix (text, "STAT pid "));
  g_assert_true (g_str_has_suffix (text, "\r\nEND\r\n"));
  g_assert_true (has_line (text, "STAT uptime 42"));
  g_assert_true (has_line (text, "STAT time 1700000042"));
  g_assert_true (has_line (text, "STAT get_hits 1"));
  g_assert_true (has_line (text, "STAT get_misses 1"));
  g_assert_true (has_line (text, "STAT delete_misses 1"));
  g_assert_true (has_line (text, "STAT curr_items 1"));
  g_assert_true (has_line (text, "STAT curr_connections 1"));
  g_assert_true (has_line (text, "STAT limit_maxbytes 1048576"));
  g_assert_true (has_line (text, "STAT bytes 98"));
  braid_string_transport_clear (f->transport);

  braid_test_receive (f->protocol, "stats settings\r\n");
  text = braid_string_transport_peek (f->transport, &len);
  g_assert_true (g_str_has_prefix (text, "STAT maxbytes 1048576\r\n"));
  g_assert_true (has_line (text, "STAT item_size_max 1048576"));
  braid_string_transport_clear (f->transport);
}

static void
test_pycached_commands (Fixture *f, gconstpointer data)
{
  exchange (f, "count\r\nitems\r\n", "COUNT 0\r\nEND\r\n");
  exchange (f, "set a 1 0 1\r\nx\r\nset b 2 0 2\r\nyy\r\ncount\r\nitems\r\n",
            "STORED\r\nSTORED\r\nCOUNT 2\r\nVALUE b 2 2\r\nyy\r\nVALUE a 1 1\r\nx\r\nEND\r\n");
  braid_fake_clock_advance (f->clock, 7);
  exchange (f, "status\r\n", "STATUS uptime 7\r\n");
  exchange (f, "clear\r\ncount\r\n", "OK\r\nCOUNT 0\r\n");
  exchange (f, "count x\r\n", "ERROR\r\n");
}

static void
test_one_write_per_read (Fixture *f, gconstpointer data)
{
  /* Many commands in one read: one reply buffer, written once. */
  GString *request = g_string_new ("set k 0 0 1\r\nx\r\n");
  GString *reply = g_string_new ("STORED\r\n");

  for (int i = 0; i < 1000; i++)
    {
      g_string_append (request, "get k\r\n");
      g_string_append (reply, "VALUE k 0 1\r\nx\r\nEND\r\n");
    }
  exchange (f, request->str, reply->str);
  g_string_free (request, TRUE);
  g_string_free (reply, TRUE);
}

static void
test_connections_counted (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (braid_cache_server_factory_get_connections (f->factory), ==, 1);
  g_assert_true (braid_cache_server_factory_get_store (f->factory) == f->store);
  braid_test_lose_connection (f->protocol, TRUE);
  g_assert_cmpuint (braid_cache_server_factory_get_connections (f->factory), ==, 0);
}

static void
test_partial_then_lost (Fixture *f, gconstpointer data)
{
  /* A command cut by the connection's end is dropped with the connection. */
  send_bytes (f, "set k 0 0 10\r\nabc", 17);
  braid_test_lose_connection (f->protocol, FALSE);
  g_assert_cmpuint (braid_cache_store_get_count (f->store), ==, 0);
}

#define ADD(path, func) \
  g_test_add ("/cache-server/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("set-get", test_set_get);
  ADD ("binary-value", test_binary_value);
  ADD ("cut-anywhere", test_cut_anywhere);
  ADD ("large-value-in-pieces", test_large_value_in_pieces);
  ADD ("gets-cas", test_gets_cas);
  ADD ("add-replace-append-prepend", test_add_replace_append_prepend);
  ADD ("delete", test_delete);
  ADD ("incr-decr", test_incr_decr);
  ADD ("touch-and-expiry", test_touch_and_expiry);
  ADD ("absolute-exptime", test_absolute_exptime);
  ADD ("flush-all", test_flush_all);
  ADD ("errors", test_errors);
  ADD ("too-large", test_too_large);
  ADD ("line-too-long", test_line_too_long);
  ADD ("line-too-long-whole", test_line_too_long_whole);
  ADD ("long-get-line", test_long_get_line);
  ADD ("quit", test_quit);
  ADD ("misc", test_misc);
  ADD ("stats", test_stats);
  ADD ("pycached-commands", test_pycached_commands);
  ADD ("one-write-per-read", test_one_write_per_read);
  ADD ("connections-counted", test_connections_counted);
  ADD ("partial-then-lost", test_partial_then_lost);
  return g_test_run ();
}
