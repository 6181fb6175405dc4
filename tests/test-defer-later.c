/* test-defer-later.c: braid_defer_later, on the fake clock. */
#include <braid-fakes.h>

static void
say_hello (BraidResult *result, gpointer user_data)
{
  g_assert_null (braid_result_get_value (result));
  braid_result_set_value (result, g_strdup (user_data), g_free);
}

static void
fail_it (BraidResult *result, gpointer user_data)
{
  braid_result_take_error (result, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
}

static void
test_fires_after_the_delay_with_funcs_result (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_defer_later (BRAID_CLOCK (clock), 2, say_hello, "hello", NULL);

  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 1.9);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0.1);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "hello");
}

static void
test_without_func_fires_with_null (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_defer_later (BRAID_CLOCK (clock), 0, NULL, NULL, NULL);

  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0);
  g_assert_null (braid_assert_success_result (d));
}

static void
test_func_error_fails_the_deferred (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_defer_later (BRAID_CLOCK (clock), 1, fail_it, NULL, NULL);

  braid_fake_clock_advance (clock, 1);
  g_error_free (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_cancel_cancels_the_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint destroyed = 0;
  g_autoptr (BraidDeferred) d = braid_defer_later (BRAID_CLOCK (clock), 5, say_hello, &destroyed, count_destroy);

  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_deferred_cancel (d);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  g_error_free (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_cancel_after_firing_does_nothing (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_defer_later (BRAID_CLOCK (clock), 1, say_hello, "hi", NULL);

  braid_fake_clock_advance (clock, 1);
  braid_deferred_cancel (d);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "hi");
}

static void
test_dropping_the_deferred_leaves_the_call_to_fire (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidDeferred *d = braid_defer_later (BRAID_CLOCK (clock), 1, NULL, NULL, NULL);

  /* The pending call holds the deferred: dropping ours is safe. */
  braid_deferred_unref (d);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

/* ---- braid_defer_later with no callback -------------------------------- */

static void
count_destroy_data (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_defer_later_without_callback_fires_null (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_defer_later (BRAID_CLOCK (clock), 2, NULL, NULL, NULL);

  braid_fake_clock_advance (clock, 1.5);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0.5);
  g_assert_null (braid_assert_success_result (d));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_defer_later_without_callback_releases_the_data_at_once (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = NULL;
  guint released = 0;

  d = braid_defer_later (BRAID_CLOCK (clock), 1, NULL, &released, count_destroy_data);
  /* With no callback the data has no use: released now, not at the fire. */
  g_assert_cmpuint (released, ==, 1);
  braid_fake_clock_advance (clock, 1);
  g_assert_null (braid_assert_success_result (d));
  g_assert_cmpuint (released, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braid_defer_later: a deferred fired by the clock, cancelled with its call");

  braid_test_add_func ("/defer-later/fires-after-delay", test_fires_after_the_delay_with_funcs_result);
  braid_test_add_func ("/defer-later/no-func", test_without_func_fires_with_null);
  braid_test_add_func ("/defer-later/func-error", test_func_error_fails_the_deferred);
  braid_test_add_func ("/defer-later/cancel-cancels-call", test_cancel_cancels_the_call);
  braid_test_add_func ("/defer-later/cancel-after-firing", test_cancel_after_firing_does_nothing);
  braid_test_add_func ("/defer-later/dropped-deferred", test_dropping_the_deferred_leaves_the_call_to_fire);
  braid_test_add_func ("/defer-later/no-callback", test_defer_later_without_callback_fires_null);
  braid_test_add_func ("/defer-later/no-callback-with-data", test_defer_later_without_callback_releases_the_data_at_once);

  return g_test_run ();
}
