/* lesson-options.c: parses `--port N` and `--help` for every lesson program. */
#include "lesson-options.h"

/* Parses the lesson's command line. *port holds the default on entry and
 * the chosen port on return. extra_entries (NULL-terminated, may be NULL)
 * adds a lesson's own options. */
gboolean
lesson_parse_options (int           *argc,
                      char        ***argv,
                      const char    *summary,
                      guint16       *port,
                      GOptionEntry  *extra_entries,
                      GError       **error)
{
  int chosen_port = *port;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &chosen_port,
      "The TCP port to use", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (extra_entries != NULL)
    g_option_context_add_main_entries (context, extra_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (chosen_port < 0 || chosen_port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--port must be between 0 and 65535, not %d", chosen_port);
      return FALSE;
    }
  *port = (guint16) chosen_port;
  return TRUE;
}
