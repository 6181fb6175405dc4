/* test-deferred-race.c: braid_deferred_race(), Twisted's race. */
#include <string.h>

#include <braid-fakes.h>

static void
count_cancel (BraidDeferred *deferred, gpointer data)
{
  guint *cancels = data;

  (*cancels)++;
}

static void
record_index (BraidResult *result, gpointer data)
{
  gint *index = data;

  *index = braid_result_get_index (result);
}

static void
test_first_success_wins_and_the_rest_are_cancelled (void)
{
  guint cancels = 0;
  gint index = -2;
  g_autoptr (BraidDeferred) a = braid_deferred_new_with_canceller (count_cancel, &cancels, NULL);
  g_autoptr (BraidDeferred) b = braid_deferred_new ();
  g_autoptr (BraidDeferred) c = braid_deferred_new_with_canceller (count_cancel, &cancels, NULL);
  BraidDeferred *contestants[] = { a, b, c };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 3);

  braid_deferred_add_both (race, record_index, &index, NULL);
  braid_assert_no_result (race);
  braid_deferred_callback (b, g_strdup ("b wins"), g_free);
  g_assert_cmpstr (braid_assert_success_result (race), ==, "b wins");
  g_assert_cmpint (index, ==, 1);
  g_assert_cmpuint (cancels, ==, 2);
  /* The losers' cancellations were handled by the race, and the winner was
   * not cancelled: each carries on with a NULL value. */
  g_assert_null (braid_assert_success_result (a));
  g_assert_null (braid_assert_success_result (b));
  g_assert_null (braid_assert_success_result (c));
}

static void
test_a_failure_does_not_end_the_race (void)
{
  g_autoptr (BraidDeferred) a = braid_deferred_new ();
  g_autoptr (BraidDeferred) b = braid_deferred_new ();
  BraidDeferred *contestants[] = { a, b };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 2);

  braid_deferred_errback (a, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow"));
  braid_assert_no_result (race);
  g_assert_null (braid_assert_success_result (a));   /* handled by the race */
  braid_deferred_callback (b, "b", NULL);
  g_assert_cmpstr (braid_assert_success_result (race), ==, "b");
}

static void
test_all_failing_fails_with_every_error (void)
{
  g_autoptr (BraidDeferred) a = braid_deferred_new ();
  g_autoptr (BraidDeferred) b = braid_deferred_new ();
  BraidDeferred *contestants[] = { a, b };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 2);
  g_autoptr (GError) error = NULL;

  /* Out of order: the message still lists them by position. */
  braid_deferred_errback (b, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                  "refused"));
  braid_assert_no_result (race);
  braid_deferred_errback (a, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow"));
  error = braid_assert_failure_result (race, BRAID_ERROR, BRAID_ERROR_ALL_FAILED);
  g_assert_nonnull (strstr (error->message, "All 2 deferreds of the race failed"));
  g_assert_nonnull (strstr (error->message, "[0] slow (g-io-error-quark, 24)"));
  g_assert_nonnull (strstr (error->message, "[1] refused (g-io-error-quark, 39)"));
  g_assert_true (strstr (error->message, "[0]") < strstr (error->message, "[1]"));
}

static void
test_a_contestant_with_a_value_wins_at_once (void)
{
  g_autoptr (BraidDeferred) a = braid_succeed ("ready", NULL);
  g_autoptr (BraidDeferred) b = braid_deferred_new ();
  BraidDeferred *contestants[] = { a, b };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 2);

  g_assert_cmpstr (braid_assert_success_result (race), ==, "ready");
  /* b was cancelled before the race added its link, and the link still
   * handled the cancellation (no unhandled error is left: hygiene). */
  g_assert_null (braid_assert_success_result (b));
}

static void
test_cancelling_the_race_cancels_every_contestant (void)
{
  guint cancels = 0;
  g_autoptr (BraidDeferred) a = braid_deferred_new_with_canceller (count_cancel, &cancels, NULL);
  g_autoptr (BraidDeferred) b = braid_deferred_new_with_canceller (count_cancel, &cancels, NULL);
  BraidDeferred *contestants[] = { a, b };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 2);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (race);
  g_assert_cmpuint (cancels, ==, 2);
  /* As in Twisted: every contestant failed (cancelled), so the race fails
   * with all of their errors. */
  error = braid_assert_failure_result (race, BRAID_ERROR, BRAID_ERROR_ALL_FAILED);
  g_assert_nonnull (strstr (error->message, "[1] The deferred was cancelled"));
}

static void
test_empty_race_fails_at_once (void)
{
  g_autoptr (BraidDeferred) race = braid_deferred_race (NULL, 0);
  g_autoptr (GError) error = braid_assert_failure_result (race, BRAID_ERROR,
                                                          BRAID_ERROR_ALL_FAILED);
}

static void
answer_when_cancelled (BraidDeferred *deferred, gpointer data)
{
  braid_deferred_callback (deferred, g_strdup (data), g_free);
}

static void
test_late_success_is_dropped (void)
{
  g_autoptr (BraidDeferred) a = braid_deferred_new ();
  /* Its canceller answers with a value: a second success, after the win. */
  g_autoptr (BraidDeferred) b = braid_deferred_new_with_canceller (answer_when_cancelled,
                                                                   "late", NULL);
  BraidDeferred *contestants[] = { a, b };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 2);

  braid_deferred_callback (a, "first", NULL);
  g_assert_cmpstr (braid_assert_success_result (race), ==, "first");
  g_assert_null (braid_assert_success_result (b));
}

static void
test_race_outlives_dropped_contestants (void)
{
  BraidDeferred *a = braid_deferred_new ();
  BraidDeferred *b = braid_deferred_new ();
  BraidDeferred *contestants[] = { a, b };
  g_autoptr (BraidDeferred) race = braid_deferred_race (contestants, 2);

  /* Dropping an unfired contestant frees its link; the race just never
   * hears from it. The other can still win. */
  braid_deferred_unref (a);
  braid_deferred_callback (b, "b", NULL);
  g_assert_cmpstr (braid_assert_success_result (race), ==, "b");
  braid_deferred_unref (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braid_deferred_race: the first of several deferreds to succeed");

  braid_test_add_func ("/deferred-race/first-success-wins",
                       test_first_success_wins_and_the_rest_are_cancelled);
  braid_test_add_func ("/deferred-race/failure-does-not-end-it", test_a_failure_does_not_end_the_race);
  braid_test_add_func ("/deferred-race/all-fail", test_all_failing_fails_with_every_error);
  braid_test_add_func ("/deferred-race/value-wins-at-once", test_a_contestant_with_a_value_wins_at_once);
  braid_test_add_func ("/deferred-race/cancel", test_cancelling_the_race_cancels_every_contestant);
  braid_test_add_func ("/deferred-race/empty", test_empty_race_fails_at_once);
  braid_test_add_func ("/deferred-race/late-success-dropped", test_late_success_is_dropped);
  braid_test_add_func ("/deferred-race/dropped-contestant", test_race_outlives_dropped_contestants);

  return g_test_run ();
}
