/* braidd-plugin.h: what a braidd plugin exports.
 *
 * A plugin is a GModule (a shared library) in one of the directories
 * braidd searches: $BRAID_PLUGIN_PATH (colon-separated), then
 * $libdir/braid-1/plugins, then the build tree when braidd runs from it.
 * It exports one symbol, BRAIDD_PLUGIN_SYMBOL, a BraiddPlugin:
 *
 *   G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
 *     .abi = BRAIDD_PLUGIN_ABI,
 *     .name = "echo",
 *     .description = "Sends back what each client sends",
 *     .default_endpoint = "tcp:8000:interface=127.0.0.1",
 *     .options = echo_options,
 *     .make_service = echo_make_service,
 *   };
 */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* The version of this structure; braidd refuses a plugin built for another. */
#define BRAIDD_PLUGIN_ABI 1

/* The name of the symbol braidd looks up in each module. */
#define BRAIDD_PLUGIN_SYMBOL "braidd_plugin"

/* Makes the plugin's service. @endpoint is where to listen (from --port,
 * --endpoint, the config file, or the plugin's default); @options maps each
 * option the user gave (long name, without "--") to its text, already
 * checked against its GOptionArg ("true" for a G_OPTION_ARG_NONE flag).
 * Returns the service (braidd names it), or NULL with @error set. */
typedef BraidService *(*BraiddMakeServiceFunc) (BraidReactor         *reactor,
                                                BraidServerEndpoint  *endpoint,
                                                GHashTable           *options,
                                                GError              **error);

typedef struct
{
  guint abi;                      /* BRAIDD_PLUGIN_ABI */
  const char *name;               /* the command: `braidd NAME` */
  const char *description;        /* one line, for `braidd --help` */
  const char *default_endpoint;   /* without --port or --endpoint */
  /* The plugin's own options, ending with a zeroed entry; NULL for none.
   * braidd reads long_name, short_name, flags, arg (NONE, STRING, INT,
   * DOUBLE or FILENAME), description and arg_description; arg_data must be
   * NULL: values arrive in make_service's @options, so one plugin can make
   * several services with different options (--config). */
  const GOptionEntry *options;
  BraiddMakeServiceFunc make_service;
} BraiddPlugin;

/* The text of option @name, or @fallback when it was not given. */
static inline const char *
braidd_plugin_get_option (GHashTable *options, const char *name, const char *fallback)
{
  const char *value = g_hash_table_lookup (options, name);

  return value != NULL ? value : fallback;
}

/* Whether flag @name was given. */
static inline gboolean
braidd_plugin_get_flag (GHashTable *options, const char *name)
{
  return g_strcmp0 (g_hash_table_lookup (options, name), "true") == 0;
}

G_END_DECLS
