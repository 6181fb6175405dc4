/* braidd-cache-status.c: the `cache-status` plugin of braidd -- the HTTP
 * status page of a `cache` service of the same process, as the seeds ran
 * PyCached: two services, one config file.
 *
 *   [service cache]
 *   plugin=cache
 *   port=11211
 *
 *   [service status]
 *   plugin=cache-status
 *   port=8080
 *   cache=cache
 *
 * The cache is found by its name when the services start, through their
 * parent collection (Twisted's IServiceCollection.getServiceNamed), so the
 * sections may come in any order. Then `/status` answers JSON and `/` a
 * small HTML page (BraidCacheStatusResource). */
#include <gmodule.h>

#include "braidd-plugin.h"

#define BRAIDD_TYPE_CACHE_STATUS_SERVICE (braidd_cache_status_service_get_type ())
G_DECLARE_FINAL_TYPE (BraiddCacheStatusService, braidd_cache_status_service,
                      BRAIDD, CACHE_STATUS_SERVICE, BraidMultiService)

/* A collection of one: the web site's stream server service, made at
 * start, once the cache it shows is found. */
struct _BraiddCacheStatusService
{
  BraidMultiService parent_instance;

  BraidReactor *reactor;
  BraidServerEndpoint *endpoint;
  char *cache_name;
  gboolean access_log;
  BraidStreamServerService *web;
};

G_DEFINE_FINAL_TYPE (BraiddCacheStatusService, braidd_cache_status_service, BRAID_TYPE_MULTI_SERVICE)

/* The store of the cache service named @name beside @self. */
static BraidCacheStore *
find_store (BraiddCacheStatusService *self, GError **error)
{
  BraidMultiService *parent = braid_service_get_parent (BRAID_SERVICE (self));
  BraidService *cache = parent != NULL ? braid_multi_service_get_service_named (parent, self->cache_name) : NULL;
  BraidFactory *factory;

  if (cache == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--cache: no service named '%s' in this process", self->cache_name);
      return NULL;
    }
  factory = BRAID_IS_STREAM_SERVER_SERVICE (cache)
            ? braid_stream_server_service_get_factory (BRAID_STREAM_SERVER_SERVICE (cache)) : NULL;
  if (!BRAID_IS_CACHE_SERVER_FACTORY (factory))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--cache: service '%s' is not a cache (plugin=cache)", self->cache_name);
      return NULL;
    }
  return braid_cache_server_factory_get_store (BRAID_CACHE_SERVER_FACTORY (factory));
}

static gboolean
braidd_cache_status_service_privileged_start_service (BraidService *service, GError **error)
{
  BraiddCacheStatusService *self = BRAIDD_CACHE_STATUS_SERVICE (service);

  if (self->web == NULL)
    {
      BraidCacheStore *store = find_store (self, error);
      g_autoptr (BraidCacheStatusResource) root = NULL;
      g_autoptr (BraidSite) site = NULL;

      if (store == NULL)
        return FALSE;
      root = braid_cache_status_resource_new (store);
      braid_cache_status_resource_set_title (root, self->cache_name);
      site = braid_site_new (BRAID_RESOURCE (root));
      braid_factory_set_clock (BRAID_FACTORY (site), BRAID_CLOCK (self->reactor));
      braid_site_set_access_log (site, self->access_log);
      self->web = braid_stream_server_service_new (self->reactor, self->endpoint, BRAID_FACTORY (site));
      braid_service_set_name (BRAID_SERVICE (self->web), "http");
      if (!braid_multi_service_add_service (BRAID_MULTI_SERVICE (self), BRAID_SERVICE (self->web), error))
        return FALSE;
    }
  return BRAID_SERVICE_CLASS (braidd_cache_status_service_parent_class)->privileged_start_service (service, error);
}

static void
braidd_cache_status_service_finalize (GObject *object)
{
  BraiddCacheStatusService *self = BRAIDD_CACHE_STATUS_SERVICE (object);

  g_clear_object (&self->web);
  g_clear_object (&self->endpoint);
  g_clear_object (&self->reactor);
  g_free (self->cache_name);
  G_OBJECT_CLASS (braidd_cache_status_service_parent_class)->finalize (object);
}

static void
braidd_cache_status_service_class_init (BraiddCacheStatusServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braidd_cache_status_service_finalize;
  BRAID_SERVICE_CLASS (klass)->privileged_start_service = braidd_cache_status_service_privileged_start_service;
}

static void
braidd_cache_status_service_init (BraiddCacheStatusService *self)
{
}

static BraidService *
cache_status_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                           GHashTable *options, GError **error)
{
  BraiddCacheStatusService *self;

  self = g_object_new (BRAIDD_TYPE_CACHE_STATUS_SERVICE, NULL);
  self->reactor = g_object_ref (reactor);
  self->endpoint = g_object_ref (endpoint);
  self->cache_name = g_strdup (braidd_plugin_get_option (options, "cache", "cache"));
  self->access_log = !braidd_plugin_get_flag (options, "no-access-log");
  return BRAID_SERVICE (self);
}

static const GOptionEntry cache_status_options[] = {
  { "cache", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Show the cache service named NAME in the same config (default: cache)", "NAME" },
  { "no-access-log", 0, 0, G_OPTION_ARG_NONE, NULL, "Do not log a line per request", NULL },
  { NULL }
};

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "cache-status",
  .description = "The HTTP status page of a cache service in the same process (/status: JSON)",
  .default_endpoint = "tcp:8080:interface=127.0.0.1",
  .options = cache_status_options,
  .make_service = cache_status_make_service,
};
