/* motd-plugin.c: a braidd plugin, `motd`, with an option of its own:
 * `braidd motd --message "Closed for lunch"`.
 *
 * YOUR EXERCISE. The plugin below already works: it sends every client
 * MOTD_DEFAULT_MESSAGE. Give it its option:
 *
 * 1. Declare `--message TEXT` (short `-m`) in motd_options: a string,
 *    with a description and "TEXT" as its arg_description. Leave arg_data
 *    NULL: braidd hands the value to make_service.
 * 2. In motd_make_service, send the message the user gave, or
 *    MOTD_DEFAULT_MESSAGE when they gave none.
 *
 * The check (check/check-motd.c) calls your braidd_plugin.make_service
 * on the memory reactor, as braidd would; then it has braidd itself load
 * your file, built as a real module, and list its option. */
#include <gmodule.h>

#include "braidd-plugin.h"
#include "motd.h"

static const GOptionEntry motd_options[] = {
  /* EXERCISE: declare the --message TEXT option here. */
  { NULL }
};

static BraidService *
motd_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                   GHashTable *options, GError **error)
{
  /* EXERCISE: use the --message the user gave (in @options), if any. */
  g_autoptr (MotdFactory) factory = motd_factory_new (MOTD_DEFAULT_MESSAGE);

  return BRAID_SERVICE (braid_stream_server_service_new (reactor, endpoint, BRAID_FACTORY (factory)));
}

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "motd",
  .description = "Sends each client a message of the day, then closes",
  .default_endpoint = "tcp:8017:interface=127.0.0.1",
  .options = motd_options,
  .make_service = motd_make_service,
};
