/* bench-deferred.c: how fast deferreds run their callbacks.
 *
 * Two figures, each the best of a few rounds:
 * - callbacks per second through chains of 100 callbacks (make a deferred,
 *   add 100 callbacks, fire it, drop it): Twisted 22.4 does 0.88 M/s on the
 *   reference machine, Braid's target is 26 M/s;
 * - deferreds made, given one callback, fired and freed per second.
 *
 * Usage: bench-deferred [--rounds N] [--chains N]
 */
#include <stdio.h>

#include <braid.h>

static void
add_one (BraidResult *result, gpointer user_data)
{
  braid_result_set_value (result, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (braid_result_get_value (result)) + 1),
                          NULL);
}

static guint64 sink;

static void
keep_value (BraidResult *result, gpointer user_data)
{
  sink += GPOINTER_TO_SIZE (braid_result_get_value (result));
}

#define CHAIN_LENGTH 100

static gdouble
run_chains (guint chains)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < chains; i++)
    {
      BraidDeferred *d = braid_deferred_new ();

      for (guint j = 0; j < CHAIN_LENGTH - 1; j++)
        braid_deferred_add_callback (d, add_one, NULL, NULL);
      braid_deferred_add_callback (d, keep_value, NULL, NULL);
      braid_deferred_callback (d, NULL, NULL);
      braid_deferred_unref (d);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

static gdouble
run_single (guint count)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < count; i++)
    {
      BraidDeferred *d = braid_deferred_new ();

      braid_deferred_add_callback (d, keep_value, NULL, NULL);
      braid_deferred_callback (d, GUINT_TO_POINTER (1), NULL);
      braid_deferred_unref (d);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int argc, char **argv)
{
  gint rounds = 5;
  gint chains = 200000;
  GOptionEntry entries[] = {
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds per figure (best is kept)", "N" },
    { "chains", 0, 0, G_OPTION_ARG_INT, &chains, "100-callback chains per round", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- deferred benchmark");
  g_autoptr (GError) error = NULL;
  gdouble best_chain = G_MAXDOUBLE, best_single = G_MAXDOUBLE;
  guint singles;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return braid_exit_with_error (error);
  if (rounds < 1 || chains < 1)
    {
      fprintf (stderr, "%s: --rounds and --chains must be at least 1\n", g_get_prgname ());
      return 1;
    }
  singles = (guint) chains * 10;

  run_chains (chains / 10 + 1);   /* warm up */
  for (gint r = 0; r < rounds; r++)
    {
      best_chain = MIN (best_chain, run_chains (chains));
      best_single = MIN (best_single, run_single (singles));
    }

  printf ("chains of %d callbacks: %d chains in %.3f s = %.1f M callbacks/s "
          "(Twisted 22.4: 0.88 M/s; target >= 26 M/s)\n",
          CHAIN_LENGTH, chains, best_chain,
          (gdouble) chains * CHAIN_LENGTH / best_chain / 1e6);
  printf ("deferreds made, fired and freed (one callback each): %u in %.3f s = %.1f M/s\n",
          singles, best_single, singles / best_single / 1e6);
  return sink == 0;   /* keeps the work from being optimised away */
}
