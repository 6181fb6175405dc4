/* test-deferred-edges.c: deferreds cancelled while a GIO operation or a
 * worker thread still runs, whatever the late result is (an error, a value
 * nobody frees, no value), and braid_defer_later() with no callback. */
#include <string.h>

#include <braid-fakes.h>

/* ---- GAsyncReadyCallback after cancel ---------------------------------- */

/* What the operation answers: an error, or a static string (nothing to
 * free), or NULL. */
typedef enum { ANSWER_ERROR, ANSWER_STATIC, ANSWER_NULL } Answer;

static const char static_value[] = "static";

static void
answer_async (Answer answer, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  if (answer == ANSWER_ERROR)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "late failure");
  else
    g_task_return_pointer (task, answer == ANSWER_STATIC ? (gpointer) static_value : NULL, NULL);
  g_object_unref (task);
}

static guint finish_calls;

static gpointer
counting_finish (GObject *source, GAsyncResult *result, GError **error)
{
  (void) source;
  finish_calls++;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
run_cancelled_async (Answer answer, GDestroyNotify value_destroy)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  finish_calls = 0;
  answer_async (answer, braid_deferred_async_ready,
                braid_deferred_async_data (d, counting_finish, value_destroy));
  braid_deferred_cancel (d);
  while (finish_calls == 0)
    g_main_context_iteration (NULL, TRUE);

  /* The late answer was finished once and dropped: the deferred still
   * holds the cancellation. */
  g_assert_cmpuint (finish_calls, ==, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_async_cancelled_then_error (void)
{
  run_cancelled_async (ANSWER_ERROR, g_free);
}

static void
test_async_cancelled_then_value_without_destroy (void)
{
  run_cancelled_async (ANSWER_STATIC, NULL);
}

static void
test_async_cancelled_then_null_value (void)
{
  run_cancelled_async (ANSWER_NULL, g_free);
}

/* ---- braid_defer_to_thread after cancel -------------------------------- */

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean go;
  Answer answer;
  gboolean released;   /* set by the user-data destroy notify */
} Gate;

static gpointer
answer_at_gate (gpointer data, GError **error)
{
  Gate *gate = data;

  g_mutex_lock (&gate->lock);
  while (!gate->go)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  if (gate->answer == ANSWER_ERROR)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "late failure");
      return NULL;
    }
  return gate->answer == ANSWER_STATIC ? (gpointer) static_value : NULL;
}

static void
release_gate (gpointer data)
{
  Gate *gate = data;

  gate->released = TRUE;
}

static void
run_cancelled_thread (Answer answer, GDestroyNotify value_destroy)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidDeferred) d = NULL;
  g_autoptr (GError) error = NULL;
  Gate gate = { .answer = answer };

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  g_main_context_push_thread_default (context);
  d = braid_defer_to_thread_full (answer_at_gate, &gate, release_gate, value_destroy, G_STRLOC);
  braid_deferred_cancel (d);

  g_mutex_lock (&gate.lock);
  gate.go = TRUE;
  g_cond_signal (&gate.cond);
  g_mutex_unlock (&gate.lock);
  while (!gate.released)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  /* The late answer was dropped in this thread; the cancellation stays. */
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

static void
test_thread_cancelled_then_error (void)
{
  run_cancelled_thread (ANSWER_ERROR, g_free);
}

static void
test_thread_cancelled_then_value_without_destroy (void)
{
  run_cancelled_thread (ANSWER_STATIC, NULL);
}

static void
test_thread_cancelled_then_null_value (void)
{
  run_cancelled_thread (ANSWER_NULL, g_free);
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

/* ---- where a deferred was created and fired, when nobody says --------- */

static guint destroyed_canceller_data;

static void
count_destroy (gpointer data)
{
  (void) data;
  destroyed_canceller_data++;
}

static void
never_cancel (BraidDeferred *deferred, gpointer data)
{
  (void) deferred;
  (void) data;
}

static void
test_unknown_creation_and_firing_places (void)
{
  BraidDeferred *d = braid_deferred_new_full (NULL, NULL, NULL, NULL);

  g_assert_cmpstr (braid_deferred_get_created_at (d), ==, "(unknown)");
  braid_deferred_callback_full (d, NULL, NULL, NULL);
  g_assert_cmpstr (braid_deferred_get_fired_at (d), ==, "(unknown)");

  /* Firing again is misuse: the critical names both places. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "BraidDeferred created at (unknown) was already called at "
                         "(unknown); fired again at (unknown)*");
  braid_deferred_callback_full (d, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (braid_assert_success_result (d));
  braid_deferred_unref (d);
}

static void
test_canceller_set_after_firing_is_dropped (void)
{
  g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

  destroyed_canceller_data = 0;
  /* Without a destroy notify there is nothing to release... */
  braid_deferred_set_canceller (d, never_cancel, &destroyed_canceller_data, NULL);
  g_assert_cmpuint (destroyed_canceller_data, ==, 0);
  /* ...with one, the data is released at once. */
  braid_deferred_set_canceller (d, never_cancel, &destroyed_canceller_data, count_destroy);
  g_assert_cmpuint (destroyed_canceller_data, ==, 1);
  g_assert_null (braid_assert_success_result (d));
}

static void
count_report (const char *report, gpointer data)
{
  (void) report;
  (*(guint *) data)++;
}

static void
test_observer_removed_only_with_its_own_data (void)
{
  guint reports = 0;
  guint other = 0;
  g_autofree char *leftovers = NULL;

  braid_deferred_add_unhandled_error_observer (count_report, &reports);
  /* Same function, other data: not this observer. */
  braid_deferred_remove_unhandled_error_observer (count_report, &other);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Unhandled error in BraidDeferred*");
  braid_deferred_unref (braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "seen")));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (reports, ==, 1);
  g_assert_cmpuint (other, ==, 0);
  braid_deferred_remove_unhandled_error_observer (count_report, &reports);
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (strstr (leftovers, "seen"));
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

static void
test_timeout_outlived_by_its_clock (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autofree char *leftovers = NULL;

  braid_deferred_add_timeout (d, 5, BRAID_CLOCK (clock));
  /* Destroying the clock cancels the timeout's call (and reports it). */
  g_object_unref (clock);
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (strstr (leftovers, "is still pending (due at 5 s"));

  /* The value that comes later goes through untouched. */
  braid_deferred_callback (d, g_strdup ("late but fine"), g_free);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "late but fine");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Deferreds cancelled while GIO or a thread still works; defer_later "
                  "with no callback");

  braid_test_add_func ("/deferred-edges/async/cancelled-then-error", test_async_cancelled_then_error);
  braid_test_add_func ("/deferred-edges/async/cancelled-then-unowned-value", test_async_cancelled_then_value_without_destroy);
  braid_test_add_func ("/deferred-edges/async/cancelled-then-null", test_async_cancelled_then_null_value);
  braid_test_add_func ("/deferred-edges/thread/cancelled-then-error", test_thread_cancelled_then_error);
  braid_test_add_func ("/deferred-edges/thread/cancelled-then-unowned-value", test_thread_cancelled_then_value_without_destroy);
  braid_test_add_func ("/deferred-edges/thread/cancelled-then-null", test_thread_cancelled_then_null_value);
  braid_test_add_func ("/deferred-edges/defer-later/no-callback", test_defer_later_without_callback_fires_null);

  braid_test_add_func ("/deferred-edges/defer-later/no-callback-with-data", test_defer_later_without_callback_releases_the_data_at_once);
  braid_test_add_func ("/deferred-edges/timeout/clock-gone", test_timeout_outlived_by_its_clock);
  braid_test_add_func ("/deferred-edges/places/unknown", test_unknown_creation_and_firing_places);
  braid_test_add_func ("/deferred-edges/canceller/after-firing", test_canceller_set_after_firing_is_dropped);
  braid_test_add_func ("/deferred-edges/observers/remove-own-data", test_observer_removed_only_with_its_own_data);

  return g_test_run ();
}
