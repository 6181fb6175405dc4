/* test-cache-status.c: BraidCacheStatusResource -- a cache's counters as
 * JSON (/status) and HTML (/), with the fake request on a fake clock. */
#include <string.h>

#include <braid.h>
#include <braid-fakes.h>

typedef struct
{
  BraidFakeClock *clock;
  BraidCacheStore *store;
  BraidCacheStatusResource *root;
} Status;

static void
status_open (Status *s, gsize limit)
{
  s->clock = braid_fake_clock_new ();
  braid_fake_clock_advance (s->clock, 1000);   /* the store's age is not the clock's */
  s->store = braid_cache_store_new (BRAID_CLOCK (s->clock), limit);
  s->root = braid_cache_status_resource_new (s->store);
}

static void
status_close (Status *s)
{
  g_clear_object (&s->root);
  g_clear_object (&s->store);
  g_clear_object (&s->clock);
}

/* Walks the tree from the root as a site does, then renders. */
static BraidFakeRequest *
request (Status *s, const char *method, const char *uri)
{
  BraidFakeRequest *request = braid_fake_request_new (method, uri);
  g_autoptr (BraidResource) found =
    braid_resource_get_child_for_request (BRAID_RESOURCE (s->root), BRAID_REQUEST (request));

  braid_fake_request_render (request, found);
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (request)));
  return request;
}

static char *
body_of (BraidFakeRequest *request)
{
  g_autoptr (GBytes) body = braid_fake_request_get_written (request);

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
get (Status *s, const char *uri, const char *content_type)
{
  g_autoptr (BraidFakeRequest) r = request (s, "GET", uri);

  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (r)), ==, 200);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (r), "Content-Type"), ==, content_type);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (r), "Cache-Control"), ==, "no-cache");
  return body_of (r);
}

static void
set (BraidCacheStore *store, const char *key, const char *value, gint64 exptime)
{
  g_assert_cmpint (braid_cache_store_store (store, BRAID_CACHE_MODE_SET, key, strlen (key), 0, exptime,
                                            (const guint8 *) value, strlen (value), 0),
                   ==, BRAID_CACHE_STORED);
}

static void
lookup (BraidCacheStore *store, const char *key)
{
  gsize len;

  braid_cache_store_lookup (store, key, strlen (key), &len, NULL, NULL);
}

static void
test_json_of_a_new_store (void)
{
  Status s;
  g_autofree char *json = NULL;

  status_open (&s, 1024 * 1024);
  json = get (&s, "/status", "application/json");
  g_assert_cmpstr (json, ==,
                   "{\"uptime\": 0.000, \"entries\": 0, \"bytes\": 0, \"limit\": 1048576, "
                   "\"hits\": 0, \"misses\": 0, \"evictions\": 0, \"expired\": 0, "
                   "\"total_items\": 0, \"cmd_get\": 0, \"cmd_set\": 0, \"cmd_touch\": 0, "
                   "\"touch_hits\": 0, \"touch_misses\": 0, \"delete_hits\": 0, "
                   "\"delete_misses\": 0, \"incr_hits\": 0, \"incr_misses\": 0, "
                   "\"decr_hits\": 0, \"decr_misses\": 0, \"cas_hits\": 0, \"cas_misses\": 0, "
                   "\"cas_badval\": 0}");
  status_close (&s);
}

/* The uptime is the store's age on its clock: it moves only with the clock. */
static void
test_uptime_follows_the_clock (void)
{
  Status s;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *later = NULL;

  status_open (&s, 1024 * 1024);
  braid_fake_clock_advance (s.clock, 90.25);
  first = get (&s, "/status", "application/json");
  g_assert_true (g_str_has_prefix (first, "{\"uptime\": 90.250, \"entries\": 0,"));
  again = get (&s, "/status", "application/json");
  g_assert_cmpstr (again, ==, first);
  braid_fake_clock_advance (s.clock, 3600);
  later = get (&s, "/status", "application/json");
  g_assert_true (g_str_has_prefix (later, "{\"uptime\": 3690.250,"));
  status_close (&s);
}

/* Each counter is read when the request comes: after sets, hits, misses,
 * an expiry and an eviction, the page shows them. */
static void
test_counters_after_traffic (void)
{
  Status s;
  g_autofree char *json = NULL;
  g_autofree char *expected = NULL;
  gsize item = BRAID_CACHE_ITEM_OVERHEAD + 5;   /* a 1-byte key, a 4-byte value */

  status_open (&s, 3 * item);
  set (s.store, "a", "aaaa", 0);
  set (s.store, "b", "bbbb", 10);
  set (s.store, "c", "cccc", 0);
  lookup (s.store, "a");
  lookup (s.store, "a");
  lookup (s.store, "zz");
  set (s.store, "d", "dddd", 0);     /* full: b, the least recently used, goes */
  braid_fake_clock_advance (s.clock, 11);
  g_assert_cmpint (braid_cache_store_delete (s.store, "nope", 4), ==, BRAID_CACHE_NOT_FOUND);
  json = get (&s, "/status", "application/json");
  expected = g_strdup_printf ("{\"uptime\": 11.000, \"entries\": 3, \"bytes\": %" G_GSIZE_FORMAT ", "
                              "\"limit\": %" G_GSIZE_FORMAT ", \"hits\": 2, \"misses\": 1, "
                              "\"evictions\": 1, \"expired\": 0, \"total_items\": 4, \"cmd_get\": 3, "
                              "\"cmd_set\": 4, \"cmd_touch\": 0, \"touch_hits\": 0, \"touch_misses\": 0, "
                              "\"delete_hits\": 0, \"delete_misses\": 1,",
                              3 * item, 3 * item);
  g_assert_true (g_str_has_prefix (json, expected));
  status_close (&s);
}

static void
test_html_page_shows_the_same_escaped (void)
{
  Status s;
  g_autofree char *page = NULL;
  g_autofree char *slash = NULL;

  status_open (&s, 1024 * 1024);
  g_assert_cmpstr (braid_cache_status_resource_get_title (s.root), ==, "Braid cache");
  g_assert_true (braid_cache_status_resource_get_store (s.root) == s.store);
  braid_cache_status_resource_set_title (s.root, "cache <main> & \"co\"");
  g_assert_cmpstr (braid_cache_status_resource_get_title (s.root), ==, "cache <main> & \"co\"");
  set (s.store, "k", "v", 0);
  lookup (s.store, "k");
  braid_fake_clock_advance (s.clock, 5.5);

  page = get (&s, "/", "text/html; charset=utf-8");
  g_assert_true (g_str_has_prefix (page, "<!DOCTYPE html>\n"));
  g_assert_nonnull (strstr (page, "<title>cache &lt;main&gt; &amp; &quot;co&quot;</title>"));
  g_assert_nonnull (strstr (page, "<h1>cache &lt;main&gt; &amp; &quot;co&quot;</h1>"));
  g_assert_null (strstr (page, "<main>"));
  g_assert_nonnull (strstr (page, "<tr><th>uptime</th><td>5.500 s</td></tr>"));
  g_assert_nonnull (strstr (page, "<tr><th>entries</th><td>1</td></tr>"));
  g_assert_nonnull (strstr (page, "<tr><th>limit</th><td>1048576</td></tr>"));
  g_assert_nonnull (strstr (page, "<tr><th>hits</th><td>1</td></tr>"));
  g_assert_nonnull (strstr (page, "<tr><th>misses</th><td>0</td></tr>"));
  g_assert_nonnull (strstr (page, "<tr><th>evictions</th><td>0</td></tr>"));
  g_assert_nonnull (strstr (page, "<tr><th>cas_badval</th><td>0</td></tr>"));
  g_assert_nonnull (strstr (page, "<a href=\"/status\">"));
  g_assert_true (g_str_has_suffix (page, "</html>\n"));

  /* An empty path is the page too, as "/" (a site never sends one). */
  slash = get (&s, "", "text/html; charset=utf-8");
  g_assert_cmpstr (slash, ==, page);
  status_close (&s);
}

/* HEAD as GET without a body; another method is 405, another path 404,
 * as every resource answers. */
static void
test_other_methods_and_paths (void)
{
  Status s;
  g_autoptr (BraidFakeRequest) head = NULL;
  g_autoptr (BraidFakeRequest) post = NULL;
  g_autoptr (BraidFakeRequest) delete = NULL;
  g_autoptr (BraidFakeRequest) missing = NULL;
  g_autoptr (BraidFakeRequest) below = NULL;

  status_open (&s, 1024 * 1024);
  head = request (&s, "HEAD", "/status");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (head)), ==, 200);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (head), "Content-Type"), ==,
                   "application/json");
  g_assert_cmpuint (braid_fake_request_get_write_count (head), ==, 0);

  post = request (&s, "POST", "/status");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (post)), ==, 405);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (post), "Allow"), ==, "GET, HEAD");
  delete = request (&s, "DELETE", "/");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (delete)), ==, 405);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (delete), "Allow"), ==, "GET, HEAD");

  missing = request (&s, "GET", "/stats");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (missing)), ==, 404);
  below = request (&s, "GET", "/status/more");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (below)), ==, 404);
  /* Nothing above counted as a cache lookup. */
  {
    BraidCacheStats stats;

    braid_cache_store_get_stats (s.store, &stats);
    g_assert_cmpuint (stats.cmd_get, ==, 0);
  }
  status_close (&s);
}

/* The resource keeps its store: dropping the caller's reference is safe. */
static void
test_resource_holds_its_store (void)
{
  Status s;
  g_autofree char *json = NULL;

  status_open (&s, 2048);
  set (s.store, "k", "v", 0);
  g_clear_object (&s.store);
  json = get (&s, "/status", "application/json");
  g_assert_true (g_str_has_prefix (json, "{\"uptime\": 0.000, \"entries\": 1,"));
  status_close (&s);
}

/* A clock set back by hand shows no negative age. */
static void
test_json_writer (void)
{
  BraidCacheStats stats = { 0 };
  g_autofree char *json = NULL;

  stats.uptime = -3;
  stats.hits = G_MAXUINT64;
  json = braid_cache_status_json (&stats);
  g_assert_true (g_str_has_prefix (json, "{\"uptime\": 0.000, \"entries\": 0, \"bytes\": 0, "
                                         "\"limit\": 0, \"hits\": 18446744073709551615, "));
  g_assert_true (g_str_has_suffix (json, "\"cas_badval\": 0}"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cache-status/json-of-a-new-store", test_json_of_a_new_store);
  g_test_add_func ("/cache-status/uptime-follows-the-clock", test_uptime_follows_the_clock);
  g_test_add_func ("/cache-status/counters-after-traffic", test_counters_after_traffic);
  g_test_add_func ("/cache-status/html-page-escaped", test_html_page_shows_the_same_escaped);
  g_test_add_func ("/cache-status/other-methods-and-paths", test_other_methods_and_paths);
  g_test_add_func ("/cache-status/resource-holds-its-store", test_resource_holds_its_store);
  g_test_add_func ("/cache-status/json-writer", test_json_writer);
  return g_test_run ();
}
