/* check-reconnect.c: the check of lesson 14's exercise, reconnecting
 * with backoff and resending what was not acknowledged. */
#include <braid-fakes.h>

#include "lossy-chat.h"

static void
test_backoff_doubles_up_to_a_ceiling (void)
{
  g_assert_cmpfloat_with_epsilon (lossy_client_backoff (1), 0.1, 1e-9);
  g_assert_cmpfloat_with_epsilon (lossy_client_backoff (2), 0.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (lossy_client_backoff (3), 0.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (lossy_client_backoff (6), 3.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (lossy_client_backoff (7), LOSSY_CHAT_MAX_DELAY, 1e-9);
  g_assert_cmpfloat_with_epsilon (lossy_client_backoff (1000), LOSSY_CHAT_MAX_DELAY, 1e-9);
}

/* The lesson's own scenario: carol cut off for three seconds. */
static void
test_partition_heals (void)
{
  g_autoptr (GError) error = NULL;
  LossyChatRun run = { .seed = 1, .messages = 10 };

  lossy_chat_run (&run, &error);
  g_assert_no_error (error);
}

static gboolean
one_seed (guint32 seed, gpointer data, GError **error)
{
  LossyChatRun run = { .seed = seed, .messages = 10, .random_faults = TRUE };

  return lossy_chat_run (&run, error);
}

/* 200 seeds of random partitions; a failure names its seed and the
 * command that replays it alone. */
static void
test_exactly_once_in_order_under_200_seeds (void)
{
  g_autoptr (GError) error = NULL;

  braid_sim_run_seeds (one_seed, NULL, 1, 200, &error);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reconnect/backoff", test_backoff_doubles_up_to_a_ceiling);
  g_test_add_func ("/reconnect/partition-heals", test_partition_heals);
  g_test_add_func ("/reconnect/exactly-once-200-seeds", test_exactly_once_in_order_under_200_seeds);
  return g_test_run ();
}
