/* braidd-chat.c: the `chat` plugin of braidd -- lesson 10's chat server
 * (choose a name, then talk; "/bomb N" arms the bomb). */
#include <gmodule.h>

#include "braidd-plugin.h"
#include "chat.h"

static BraidService *
chat_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                   GHashTable *options, GError **error)
{
  /* The reactor is the chat's clock too: the bomb ticks on it. */
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (reactor));

  return BRAID_SERVICE (braid_stream_server_service_new (reactor, endpoint, BRAID_FACTORY (factory)));
}

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "chat",
  .description = "Lesson 10's chat: choose a name, then talk to everyone connected",
  .default_endpoint = "tcp:8010:interface=127.0.0.1",
  .options = NULL,
  .make_service = chat_make_service,
};
