/* motd-plugin.c: a braidd plugin, `motd`, with an option of its own:
 * `braidd motd --message "Closed for lunch"`. (The reference solution.) */
#include <gmodule.h>

#include "braidd-plugin.h"
#include "motd.h"

/* braidd reads this table for --help, the command line and the config
 * file; arg_data stays NULL: the value arrives in make_service's @options. */
static const GOptionEntry motd_options[] = {
  { "message", 'm', 0, G_OPTION_ARG_STRING, NULL, "Send TEXT to each client, then close", "TEXT" },
  { NULL }
};

static BraidService *
motd_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                   GHashTable *options, GError **error)
{
  const char *message = braidd_plugin_get_option (options, "message", MOTD_DEFAULT_MESSAGE);
  g_autoptr (MotdFactory) factory = motd_factory_new (message);

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
