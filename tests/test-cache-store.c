/* test-cache-store.c: BraidCacheStore -- LRU eviction, the memory bound and
 * what an item really costs, expiry on a fake clock, counters. */
#include <malloc.h>
#include <string.h>

#include <braid.h>
#include <braid-fakes.h>

static BraidCacheResult
set (BraidCacheStore *store, const char *key, const char *value, gint64 exptime)
{
  return braid_cache_store_store (store, BRAID_CACHE_MODE_SET, key, strlen (key), 0, exptime,
                                  (const guint8 *) value, strlen (value), 0);
}

static gboolean
has (BraidCacheStore *store, const char *key)
{
  gsize len;

  return braid_cache_store_lookup (store, key, strlen (key), &len, NULL, NULL) != NULL;
}

static void
test_lru_eviction (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  /* Room for exactly three items of a 1-byte key and a 4-byte value. */
  g_autoptr (BraidCacheStore) store = braid_cache_store_new (BRAID_CLOCK (clock),
                                                             3 * (BRAID_CACHE_ITEM_OVERHEAD + 5));
  BraidCacheStats stats;

  g_assert_cmpint (set (store, "a", "aaaa", 0), ==, BRAID_CACHE_STORED);
  g_assert_cmpint (set (store, "b", "bbbb", 0), ==, BRAID_CACHE_STORED);
  g_assert_cmpint (set (store, "c", "cccc", 0), ==, BRAID_CACHE_STORED);
  /* Reading a makes b the least recently used. */
  g_assert_true (has (store, "a"));
  g_assert_cmpint (set (store, "d", "dddd", 0), ==, BRAID_CACHE_STORED);
  g_assert_false (has (store, "b"));
  g_assert_true (has (store, "a"));
  g_assert_true (has (store, "c"));
  g_assert_true (has (store, "d"));
  braid_cache_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.evictions, ==, 1);
  g_assert_cmpuint (stats.entries, ==, 3);
  g_assert_cmpuint (stats.bytes, ==, 3 * (BRAID_CACHE_ITEM_OVERHEAD + 5));

  /* Touching bumps too: c was oldest, touched, so a goes next. */
  g_assert_cmpint (braid_cache_store_touch (store, "c", 1, 0), ==, BRAID_CACHE_TOUCHED);
  g_assert_cmpint (set (store, "e", "eeee", 0), ==, BRAID_CACHE_STORED);
  g_assert_true (has (store, "c"));
  g_assert_false (has (store, "a"));

  /* An item larger than the whole store is refused, nothing evicted. */
  g_assert_cmpint (set (store, "big", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", 0), ==, BRAID_CACHE_TOO_LARGE);
  g_assert_true (has (store, "c"));
}

static void
test_expired_items_go_first_and_count (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidCacheStore) store = braid_cache_store_new (BRAID_CLOCK (clock),
                                                             2 * (BRAID_CACHE_ITEM_OVERHEAD + 1));
  BraidCacheStats stats;

  set (store, "a", "", 1);
  set (store, "b", "", 0);
  braid_fake_clock_advance (clock, 2);
  set (store, "c", "", 0);   /* a is the oldest, and expired */
  braid_cache_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.evictions, ==, 0);
  g_assert_cmpuint (stats.expired, ==, 1);
  g_assert_true (has (store, "b"));
}

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* The per-item overhead the store counts is what an item really costs:
 * measured with the allocator's own figures over many items. */
static void
test_overhead_measured (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidCacheStore *store = braid_cache_store_new (BRAID_CLOCK (clock), G_MAXSIZE / 2);
  const guint n = 100000;
  char value[64];
  gsize before;
  gsize after;
  double per_item;
  BraidCacheStats stats;

  memset (value, 'v', sizeof value);
  before = heap_in_use ();
  for (guint i = 0; i < n; i++)
    {
      char key[32];
      gsize key_len = g_snprintf (key, sizeof key, "key:%08u", i);

      braid_cache_store_store (store, BRAID_CACHE_MODE_SET, key, key_len, 0, 0,
                               (const guint8 *) value, sizeof value, 0);
    }
  after = heap_in_use ();
  braid_cache_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.bytes, ==, n * (BRAID_CACHE_ITEM_OVERHEAD + 12 + 64));
  if (after <= before)
    {
      /* Under valgrind, whose malloc glibc's mallinfo2 does not see. */
      g_object_unref (store);
      g_test_skip ("the allocator does not report its figures (valgrind?)");
      return;
    }
  per_item = (double) (after - before) / n - 12 - 64;
  g_test_message ("measured per-item overhead: %.1f bytes (counted: %d)",
                  per_item, BRAID_CACHE_ITEM_OVERHEAD);
  /* The hash table doubles, so the true cost moves with the count; the
   * constant must be within the range it moves in, and not far above. */
  g_assert_cmpfloat (per_item, <=, BRAID_CACHE_ITEM_OVERHEAD * 1.25);
  g_assert_cmpfloat (per_item, >=, BRAID_CACHE_ITEM_OVERHEAD * 0.6);
  g_object_unref (store);
}

static void
test_memory_stays_bounded (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  gsize limit = 4 * 1024 * 1024;
  BraidCacheStore *store = braid_cache_store_new (BRAID_CLOCK (clock), limit);
  char value[1000];
  gsize before;
  gsize peak = 0;
  BraidCacheStats stats;

  memset (value, 'v', sizeof value);
  before = heap_in_use ();
  /* 16 MiB through a 4 MiB store. */
  for (guint i = 0; i < 16 * 1024; i++)
    {
      char key[32];
      gsize key_len = g_snprintf (key, sizeof key, "key:%u", i);

      braid_cache_store_store (store, BRAID_CACHE_MODE_SET, key, key_len, 0, 0,
                               (const guint8 *) value, sizeof value, 0);
      if (i % 1024 == 0)
        peak = MAX (peak, heap_in_use () - before);
    }
  braid_cache_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.bytes, <=, limit);
  g_assert_cmpuint (stats.evictions, >, 0);
  /* (Under valgrind the allocator's figures stay at 0.) */
  g_assert_cmpuint (peak, <=, limit * 1.1);
  g_object_unref (store);
}

static void
test_store_modes (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidCacheStore) store = braid_cache_store_new (BRAID_CLOCK (clock), 1 << 20);
  guint32 flags;
  guint64 cas;
  gsize len;
  const guint8 *value;

  g_assert_cmpint (braid_cache_store_store (store, BRAID_CACHE_MODE_SET, "k", 1, 42, 0,
                                            (const guint8 *) "v", 1, 0), ==, BRAID_CACHE_STORED);
  value = braid_cache_store_lookup (store, "k", 1, &len, &flags, &cas);
  g_assert_cmpmem (value, len, "v", 1);
  g_assert_cmpuint (flags, ==, 42);
  g_assert_cmpint (braid_cache_store_store (store, BRAID_CACHE_MODE_CAS, "k", 1, 1, 0,
                                            (const guint8 *) "w", 1, cas + 1), ==, BRAID_CACHE_EXISTS);
  g_assert_cmpint (braid_cache_store_store (store, BRAID_CACHE_MODE_CAS, "k", 1, 1, 0,
                                            (const guint8 *) "w", 1, cas), ==, BRAID_CACHE_STORED);
  g_assert_cmpint (braid_cache_store_delete (store, "k", 1), ==, BRAID_CACHE_DELETED);
  g_assert_cmpint (braid_cache_store_delete (store, "k", 1), ==, BRAID_CACHE_NOT_FOUND);
  g_assert_null (braid_cache_store_lookup (store, "k", 1, &len, NULL, NULL));
  g_assert_null (braid_cache_store_lookup (store, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
                                           251, &len, NULL, NULL));
}

static void
test_valid_key (void)
{
  g_autofree char *max = g_strnfill (250, 'k');

  g_assert_true (braid_cache_store_valid_key ("a", 1));
  g_assert_true (braid_cache_store_valid_key (max, 250));
  g_assert_false (braid_cache_store_valid_key (max, 0));
  g_assert_false (braid_cache_store_valid_key ("a b", 3));
  g_assert_false (braid_cache_store_valid_key ("a\nb", 3));
  g_assert_false (braid_cache_store_valid_key ("a\x7f", 2));
  g_assert_true (braid_cache_store_valid_key ("caf\xc3\xa9", 5));
}

static void
count_item (const char *key, const guint8 *value, gsize len, guint32 flags, gpointer user_data)
{
  g_string_append_printf (user_data, "%s=%.*s/%u ", key, (int) len, value, flags);
}

static void
test_foreach_skips_expired (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidCacheStore) store = braid_cache_store_new (BRAID_CLOCK (clock), 1 << 20);
  g_autoptr (GString) seen = g_string_new ("");

  set (store, "a", "1", 0);
  set (store, "b", "2", 5);
  set (store, "c", "3", 0);
  braid_fake_clock_advance (clock, 5);
  braid_cache_store_foreach (store, count_item, seen);
  g_assert_cmpstr (seen->str, ==, "c=3/0 a=1/0 ");
  g_assert_cmpuint (braid_cache_store_get_count (store), ==, 3);
}

static void
test_settings_and_stats (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidCacheStore) store = braid_cache_store_new (BRAID_CLOCK (clock), 12345);
  BraidCacheStats stats;
  guint64 value;
  gint64 now;

  g_assert_true (braid_cache_store_get_clock (store) == BRAID_CLOCK (clock));
  g_assert_cmpuint (braid_cache_store_get_memory_limit (store), ==, 12345);
  g_assert_cmpuint (braid_cache_store_get_max_item_size (store), ==, BRAID_CACHE_DEFAULT_MAX_ITEM_SIZE);
  now = braid_cache_store_get_unix_time (store);
  g_assert_cmpint (ABS (now - g_get_real_time () / G_USEC_PER_SEC), <=, 2);
  braid_cache_store_set_unix_time (store, 1000000000);
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpint (braid_cache_store_get_unix_time (store), ==, 1000000003);

  set (store, "n", "1", 0);
  g_assert_cmpint (braid_cache_store_incr (store, "n", 1, TRUE, 1, &value), ==, BRAID_CACHE_OK);
  g_assert_cmpint (braid_cache_store_incr (store, "n", 1, FALSE, 1, &value), ==, BRAID_CACHE_OK);
  g_assert_cmpint (braid_cache_store_incr (store, "x", 1, FALSE, 1, &value), ==, BRAID_CACHE_NOT_FOUND);
  g_assert_cmpint (braid_cache_store_touch (store, "x", 1, 0), ==, BRAID_CACHE_NOT_FOUND);
  braid_cache_store_get_stats (store, &stats);
  g_assert_cmpfloat (stats.uptime, ==, 3);
  g_assert_cmpuint (stats.incr_hits, ==, 1);
  g_assert_cmpuint (stats.decr_hits, ==, 1);
  g_assert_cmpuint (stats.decr_misses, ==, 1);
  g_assert_cmpuint (stats.touch_misses, ==, 1);
  g_assert_cmpuint (stats.cmd_touch, ==, 1);
  braid_cache_store_reset_stats (store);
  braid_cache_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.incr_hits, ==, 0);
  g_assert_cmpuint (stats.entries, ==, 1);
}

static void
test_pending_flush_dropped_with_store (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidCacheStore *store = braid_cache_store_new (BRAID_CLOCK (clock), 1 << 20);

  braid_cache_store_flush_all (store, 100);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  g_object_unref (store);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cache-store/lru-eviction", test_lru_eviction);
  g_test_add_func ("/cache-store/expired-items-go-first", test_expired_items_go_first_and_count);
  g_test_add_func ("/cache-store/overhead-measured", test_overhead_measured);
  g_test_add_func ("/cache-store/memory-stays-bounded", test_memory_stays_bounded);
  g_test_add_func ("/cache-store/store-modes", test_store_modes);
  g_test_add_func ("/cache-store/valid-key", test_valid_key);
  g_test_add_func ("/cache-store/foreach-skips-expired", test_foreach_skips_expired);
  g_test_add_func ("/cache-store/settings-and-stats", test_settings_and_stats);
  g_test_add_func ("/cache-store/pending-flush-dropped-with-store", test_pending_flush_dropped_with_store);
  return g_test_run ();
}
