/* braid-sim-seeds.c: a scenario under many seeds, and its replay. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "braid-fakes.h"

/**
 * braid_sim_replay_command:
 * @seed: the seed that failed
 *
 * Writes the one command that runs the current test again with @seed
 * only: `BRAID_SEED=SEED PROGRAM -p /test/path` (the program as it was
 * started, the path of the running GTest case).
 *
 * Returns: (transfer full): the command
 */
char *
braid_sim_replay_command (guint32 seed)
{
  const char *path = g_test_get_path ();
  const char *program = g_get_prgname ();

  return g_strdup_printf ("BRAID_SEED=%u %s -p %s", seed,
                          program != NULL ? program : "TEST-PROGRAM",
                          path != NULL && path[0] != '\0' ? path : "/TEST/PATH");
}

/**
 * braid_sim_run_seeds:
 * @scenario: (scope call): the scenario
 * @user_data: data for @scenario
 * @first_seed: the first seed to run
 * @n_seeds: how many seeds to run, from @first_seed on
 * @error: return location for the failures
 *
 * Runs @scenario under @n_seeds seeds (@first_seed, @first_seed + 1, …),
 * or, when the environment variable `BRAID_SEED` is set, under that seed
 * only: the replay of a failure. Every seed runs even after a failure.
 * The error lists the failing seeds, the first failure's message, and the
 * command that replays it ([func@Braid.sim_replay_command]); a test does
 * `g_assert_no_error` on it.
 *
 * Returns: %TRUE if every seed passed
 */
gboolean
braid_sim_run_seeds (BraidSimScenario scenario, gpointer user_data,
                     guint32 first_seed, guint n_seeds, GError **error)
{
  const char *only = g_getenv ("BRAID_SEED");
  g_autoptr (GString) failed = g_string_new (NULL);
  g_autoptr (GError) first_error = NULL;
  guint32 first_failed = 0;
  guint n_failed = 0;
  guint64 parsed;

  g_return_val_if_fail (scenario != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (only != NULL && only[0] != '\0')
    {
      if (!g_ascii_string_to_unsigned (only, 10, 0, G_MAXUINT32, &parsed, NULL))
        {
          g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED,
                       "BRAID_SEED=%s is not a seed (a number from 0 to %u)", only, G_MAXUINT32);
          return FALSE;
        }
      first_seed = (guint32) parsed;
      n_seeds = 1;
    }
  for (guint i = 0; i < n_seeds; i++)
    {
      guint32 seed = first_seed + i;
      g_autoptr (GError) local = NULL;

      if (scenario (seed, user_data, &local))
        continue;
      g_string_append_printf (failed, "%s%u", n_failed > 0 ? ", " : "", seed);
      if (n_failed++ == 0)
        {
          first_failed = seed;
          first_error = local != NULL ? g_steal_pointer (&local)
                                      : g_error_new_literal (BRAID_ERROR, BRAID_ERROR_FAILED,
                                                             "the scenario failed");
        }
    }
  if (n_failed == 0)
    return TRUE;
  {
    g_autofree char *replay = braid_sim_replay_command (first_failed);

    g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED,
                 "%u of %u seed(s) failed: %s\nseed %u: %s\nreplay it with: %s",
                 n_failed, n_seeds, failed->str, first_failed, first_error->message, replay);
  }
  return FALSE;
}

/**
 * braid_sim_check_determinism:
 * @func: (scope call): runs the scenario and returns its journal
 * @user_data: data for @func
 * @seed: the seed to run it with, twice
 * @error: return location for the first difference
 *
 * Runs the scenario twice with the same seed and compares the journals:
 * anything that reads the real clock, `g_random_*`, a hash table's order
 * or an address shows up as a difference. The error names the first line
 * that differs, with both versions.
 *
 * Returns: %TRUE if both runs wrote the same journal
 */
gboolean
braid_sim_check_determinism (BraidSimJournalFunc func, gpointer user_data, guint32 seed,
                             GError **error)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_auto (GStrv) a = NULL;
  g_auto (GStrv) b = NULL;
  guint line = 0;

  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  first = func (seed, user_data);
  second = func (seed, user_data);
  if (g_strcmp0 (first, second) == 0)
    return TRUE;
  a = g_strsplit (first != NULL ? first : "", "\n", -1);
  b = g_strsplit (second != NULL ? second : "", "\n", -1);
  while (a[line] != NULL && b[line] != NULL && strcmp (a[line], b[line]) == 0)
    line++;
  g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED,
               "seed %u is not deterministic: line %u of the journal differs\n"
               "first run:  %s\nsecond run: %s", seed, line + 1,
               a[line] != NULL ? a[line] : "(end of journal)",
               b[line] != NULL ? b[line] : "(end of journal)");
  return FALSE;
}
