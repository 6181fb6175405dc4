/* braidd-web.c: the `web` plugin of braidd -- serves a directory over HTTP,
 * as `twistd web --path DIR` does, with an access log line per request. */
#include <gmodule.h>

#include "braidd-plugin.h"

static BraidService *
web_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                  GHashTable *options, GError **error)
{
  const char *path = braidd_plugin_get_option (options, "path", ".");
  g_autoptr (BraidResource) root = NULL;
  g_autoptr (BraidSite) site = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "--path %s: not a directory", path);
      return NULL;
    }
  root = braid_file_resource_new (path);
  /* Small files are cached, checked against the disk once a second. */
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (root), BRAID_CLOCK (reactor));
  site = braid_site_new (root);
  braid_factory_set_clock (BRAID_FACTORY (site), BRAID_CLOCK (reactor));
  braid_site_set_access_log (site, !braidd_plugin_get_flag (options, "no-access-log"));
  return BRAID_SERVICE (braid_stream_server_service_new (reactor, endpoint, BRAID_FACTORY (site)));
}

static const GOptionEntry web_options[] = {
  { "path", 0, 0, G_OPTION_ARG_FILENAME, NULL, "Serve the files under DIR (default: .)", "DIR" },
  { "no-access-log", 0, 0, G_OPTION_ARG_NONE, NULL, "Do not log a line per request", NULL },
  { NULL }
};

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "web",
  .description = "Serves a directory over HTTP (twistd web --path)",
  .default_endpoint = "tcp:8080:interface=127.0.0.1",
  .options = web_options,
  .make_service = web_make_service,
};
