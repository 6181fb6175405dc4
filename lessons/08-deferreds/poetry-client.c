/* poetry-client.c: lesson 08's program. Asks the slow poetry service for a
 * poet's best-known poem, waits for it without blocking, prints it (or what
 * went wrong), and stops.
 *
 *   poetry-client --author Shelley
 *   poetry-client --author Eliot --timeout 3     (too slow: times out)
 *   poetry-client --author Nobody                (not found)
 */
#include <stdio.h>

#include <braid.h>

#include "lesson-options.h"
#include "poetry.h"

static void
print_poem (BraidResult *result, gpointer user_data)
{
  printf ("%s", (const char *) braid_result_get_value (result));
}

static void
print_failure (BraidResult *result, gpointer user_data)
{
  const GError *error = braid_result_get_error (result);

  fprintf (stderr, "no poem today: %s\n", error->message);
  *(int *) user_data = 1;
  braid_result_set_value (result, NULL, NULL);   /* handled */
}

static void
stop_reactor (BraidResult *result, gpointer reactor)
{
  braid_reactor_stop (reactor);
}

int
main (int argc, char **argv)
{
  guint16 port = 8000;   /* lesson 08 opens no port; --port is accepted as everywhere */
  char *author = NULL;
  gdouble timeout = 5;
  int status = 0;
  GOptionEntry entries[] = {
    { "author", 'a', 0, G_OPTION_ARG_STRING, &author, "The poet (Shelley, Blake, Eliot)", "NAME" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds to wait at most", "S" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidReactor) reactor = NULL;
  g_autoptr (BraidDeferred) poem = NULL;

  if (!lesson_parse_options (&argc, &argv, "Fetches a poem from the slow poetry service.",
                             &port, entries, &error))
    return braid_exit_with_error (error);

  reactor = braid_glib_reactor_new (NULL);
  poem = poetry_fetch_by_author (BRAID_CLOCK (reactor), author ? author : "Shelley");
  braid_deferred_add_timeout (poem, timeout, BRAID_CLOCK (reactor));
  braid_deferred_add_callbacks (poem, print_poem, print_failure, &status, NULL);
  braid_deferred_add_both (poem, stop_reactor, reactor, NULL);

  braid_reactor_run (reactor);
  g_free (author);
  return status;
}
