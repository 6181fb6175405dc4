/* braid-cache-status.c: a cache's status over HTTP -- the seeds' PyCached
 * ran its cache and an HTTP status service in one process; this is the web
 * side, a resource tree over a BraidCacheStore. */
#include "config.h"

#include <string.h>

#include "cache/braid-cache-status.h"
#include "web/braid-request.h"

/**
 * BraidCacheStatusResource:
 *
 * The root of a small web site that shows a [class@Braid.CacheStore]'s
 * counters ([method@Braid.CacheStore.get_stats]): put it under a
 * [class@Braid.Site] beside the cache's own service, in the same process,
 * and both see the same store. It is made with
 * [ctor@Braid.CacheStatusResource.new], which it needs its store from.
 *
 * - `GET /status` answers `application/json`: one object with every
 *   counter of [struct@Braid.CacheStats] under its memcached name
 *   (`uptime`, in seconds on the store's clock, `entries`, `bytes`,
 *   `limit`, `hits`, `misses`, `evictions`, `expired`, `total_items`,
 *   `cmd_get`, `cmd_set`…);
 * - `GET /` answers a small HTML page with the same figures and the title
 *   ([method@Braid.CacheStatusResource.set_title]), escaped;
 * - `HEAD` as `GET` without the body; any other method is 405 with an
 *   `Allow` header, and any other path 404, as every [class@Braid.Resource].
 *
 * The counters are read when the request is rendered: a reply is never
 * stale, and nothing runs between requests. Both replies say
 * `Cache-Control: no-cache`.
 *
 * ```c
 * store = braid_cache_store_new (BRAID_CLOCK (reactor), 64 * 1024 * 1024);
 * status = braid_cache_status_resource_new (store);
 * site = braid_site_new (BRAID_RESOURCE (status));
 * ```
 *
 * `braidd`'s `cache-status` plugin serves it beside a `cache` service from
 * one config file (docs/cache.md).
 */
struct _BraidCacheStatusResource
{
  BraidResource parent_instance;

  BraidCacheStore *store;     /* set by _new, the one constructor */
  char *title;
};

G_DEFINE_FINAL_TYPE (BraidCacheStatusResource, braid_cache_status_resource, BRAID_TYPE_RESOURCE)

/* The counters, in the order both pages show them. */
#define FIELD(name) { #name, G_STRUCT_OFFSET (BraidCacheStats, name) }
static const struct
{
  const char *name;
  glong offset;
} counters[] = {
  FIELD (entries), FIELD (bytes), FIELD (limit), FIELD (hits), FIELD (misses),
  FIELD (evictions), FIELD (expired), FIELD (total_items), FIELD (cmd_get), FIELD (cmd_set),
  FIELD (cmd_touch), FIELD (touch_hits), FIELD (touch_misses), FIELD (delete_hits),
  FIELD (delete_misses), FIELD (incr_hits), FIELD (incr_misses), FIELD (decr_hits),
  FIELD (decr_misses), FIELD (cas_hits), FIELD (cas_misses), FIELD (cas_badval),
};
#undef FIELD

static guint64
counter (const BraidCacheStats *stats, guint i)
{
  return G_STRUCT_MEMBER (guint64, stats, counters[i].offset);
}

static char *
format_uptime (gdouble uptime)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* A clock that went back (a fake one, set by hand) is no negative age. */
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.3f", MAX (uptime, 0.0)));
}

/**
 * braid_cache_status_json:
 * @stats: a store's counters
 *
 * Writes @stats as the JSON object `GET /status` answers:
 * `{"uptime": 12.500, "entries": 3, ...}`, on one line, with every field
 * of [struct@Braid.CacheStats] under its own name.
 *
 * Returns: (transfer full): the JSON text, without a trailing newline
 */
char *
braid_cache_status_json (const BraidCacheStats *stats)
{
  GString *out;
  g_autofree char *uptime = NULL;

  g_return_val_if_fail (stats != NULL, NULL);

  uptime = format_uptime (stats->uptime);
  out = g_string_new ("{\"uptime\": ");
  g_string_append (out, uptime);
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    g_string_append_printf (out, ", \"%s\": %" G_GUINT64_FORMAT, counters[i].name, counter (stats, i));
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static GBytes *
render_json (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  BraidCacheStore *store = user_data;
  BraidCacheStats stats;
  char *json;

  braid_cache_store_get_stats (store, &stats);
  json = braid_cache_status_json (&stats);
  braid_request_set_header (request, "Content-Type", "application/json");
  braid_request_set_header (request, "Cache-Control", "no-cache");
  return g_bytes_new_take (json, strlen (json));
}

static GBytes *
render_html (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  BraidCacheStatusResource *self = BRAID_CACHE_STATUS_RESOURCE (resource);
  BraidCacheStore *store = user_data;
  g_autofree char *title = g_markup_escape_text (self->title, -1);
  g_autofree char *uptime = NULL;
  BraidCacheStats stats;
  GString *page;
  gsize len;

  braid_cache_store_get_stats (store, &stats);
  uptime = format_uptime (stats.uptime);
  page = g_string_new (NULL);
  g_string_append_printf (page,
                          "<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
                          "    <title>%s</title>\n  </head>\n  <body>\n    <h1>%s</h1>\n"
                          "    <table>\n      <tr><th>uptime</th><td>%s s</td></tr>\n",
                          title, title, uptime);
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    g_string_append_printf (page, "      <tr><th>%s</th><td>%" G_GUINT64_FORMAT "</td></tr>\n",
                            counters[i].name, counter (&stats, i));
  g_string_append (page, "    </table>\n    <p><a href=\"/status\">/status</a> as JSON</p>\n"
                         "  </body>\n</html>\n");
  braid_request_set_header (request, "Content-Type", "text/html; charset=utf-8");
  braid_request_set_header (request, "Cache-Control", "no-cache");
  len = page->len;
  return g_bytes_new_take (g_string_free (page, FALSE), len);
}

static void
braid_cache_status_resource_finalize (GObject *object)
{
  BraidCacheStatusResource *self = BRAID_CACHE_STATUS_RESOURCE (object);

  g_object_unref (self->store);
  g_free (self->title);
  G_OBJECT_CLASS (braid_cache_status_resource_parent_class)->finalize (object);
}

static void
braid_cache_status_resource_class_init (BraidCacheStatusResourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_cache_status_resource_finalize;
}

static void
braid_cache_status_resource_init (BraidCacheStatusResource *self)
{
  self->title = g_strdup ("Braid cache");
}

/**
 * braid_cache_status_resource_new:
 * @store: the store to show
 *
 * Makes the root of a status site over @store: `/` is the HTML page,
 * `/status` the JSON object.
 *
 * Returns: (transfer full): the resource
 */
BraidCacheStatusResource *
braid_cache_status_resource_new (BraidCacheStore *store)
{
  BraidCacheStatusResource *self;
  g_autoptr (BraidResource) json = NULL;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (store), NULL);

  self = g_object_new (BRAID_TYPE_CACHE_STATUS_RESOURCE, NULL);
  self->store = g_object_ref (store);
  braid_resource_set_render_func (BRAID_RESOURCE (self), "GET", render_html, store, NULL);
  /* `/` is the segment "" under the root: the root itself (no cycle). */
  braid_resource_put_child (BRAID_RESOURCE (self), "", BRAID_RESOURCE (self));
  json = braid_resource_new ();
  braid_resource_set_render_func (json, "GET", render_json, g_object_ref (store), g_object_unref);
  braid_resource_put_child (BRAID_RESOURCE (self), "status", json);
  return self;
}

/**
 * braid_cache_status_resource_get_store:
 * @self: a status resource
 *
 * Gets the store @self shows.
 *
 * Returns: (transfer none): the store
 */
BraidCacheStore *
braid_cache_status_resource_get_store (BraidCacheStatusResource *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STATUS_RESOURCE (self), NULL);
  return self->store;
}

/**
 * braid_cache_status_resource_set_title:
 * @self: a status resource
 * @title: the HTML page's title and heading (text, not markup)
 *
 * Names the page, as `braidd`'s `cache-status` plugin does with the
 * cache service's name; the default is `Braid cache`. It is escaped.
 */
void
braid_cache_status_resource_set_title (BraidCacheStatusResource *self, const char *title)
{
  g_return_if_fail (BRAID_IS_CACHE_STATUS_RESOURCE (self));
  g_return_if_fail (title != NULL);

  g_free (self->title);
  self->title = g_strdup (title);
}

/**
 * braid_cache_status_resource_get_title:
 * @self: a status resource
 *
 * Gets the HTML page's title.
 *
 * Returns: (transfer none): the title
 */
const char *
braid_cache_status_resource_get_title (BraidCacheStatusResource *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STATUS_RESOURCE (self), NULL);
  return self->title;
}
