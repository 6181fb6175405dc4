/* braidd-cache.c: the `cache` plugin of braidd -- a memcached-compatible
 * cache (memcached's text protocol, LRU, bounded in memory):
 *
 *   braidd cache --port 11211 --memory 64
 */
#include <gmodule.h>

#include "braidd-plugin.h"

static BraidService *
cache_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                    GHashTable *options, GError **error)
{
  const char *memory = braidd_plugin_get_option (options, "memory", "64");
  const char *item_size = braidd_plugin_get_option (options, "max-item-size", "1024");
  g_autoptr (BraidCacheStore) store = NULL;
  g_autoptr (BraidCacheServerFactory) factory = NULL;
  guint64 megabytes;
  guint64 kilobytes;

  if (!g_ascii_string_to_unsigned (memory, 10, 1, 1024 * 1024, &megabytes, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--memory: expected megabytes from 1 to 1048576, got “%s”", memory);
      return NULL;
    }
  if (!g_ascii_string_to_unsigned (item_size, 10, 1, 1024 * 1024, &kilobytes, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--max-item-size: expected kilobytes from 1 to 1048576, got “%s”", item_size);
      return NULL;
    }
  store = braid_cache_store_new (BRAID_CLOCK (reactor), megabytes * 1024 * 1024);
  braid_cache_store_set_max_item_size (store, kilobytes * 1024);
  factory = braid_cache_server_factory_new (store);
  return BRAID_SERVICE (braid_stream_server_service_new (reactor, endpoint, BRAID_FACTORY (factory)));
}

static const GOptionEntry cache_options[] = {
  { "memory", 'm', 0, G_OPTION_ARG_INT, NULL, "Memory for items, in megabytes (default 64)", "MB" },
  { "max-item-size", 'I', 0, G_OPTION_ARG_INT, NULL, "Largest item, in kilobytes (default 1024)", "KB" },
  { NULL }
};

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "cache",
  .description = "A memcached-compatible cache (text protocol, LRU, bounded memory)",
  .default_endpoint = "tcp:11211:interface=127.0.0.1",
  .options = cache_options,
  .make_service = cache_make_service,
};
