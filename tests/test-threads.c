/* test-threads.c: the reactor's thread calls on the memory reactor, which
 * runs call_in_thread at once and delivers call_from_thread at the next
 * advance. No thread is started. */
#include <braid-fakes.h>

static void
count_call (gpointer data)
{
  (*(int *) data)++;
}

static void
test_call_in_thread_runs_at_once (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  int calls = 0;
  int destroyed = 0;

  braid_reactor_call_in_thread (BRAID_REACTOR (reactor), count_call, &calls, NULL);
  g_assert_cmpint (calls, ==, 1);
  braid_reactor_call_in_thread (BRAID_REACTOR (reactor), count_call, &destroyed, count_call);
  g_assert_cmpint (destroyed, ==, 2);   /* the call, then its destroy */
}

static void
test_pool_size_is_recorded (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();

  g_assert_cmpuint (braid_reactor_get_thread_pool_size (BRAID_REACTOR (reactor)), ==,
                    BRAID_DEFAULT_THREAD_POOL_SIZE);
  braid_reactor_suggest_thread_pool_size (BRAID_REACTOR (reactor), 3);
  g_assert_cmpuint (braid_reactor_get_thread_pool_size (BRAID_REACTOR (reactor)), ==, 3);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*size >= 1*");
  braid_reactor_suggest_thread_pool_size (BRAID_REACTOR (reactor), 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_reactor_get_thread_pool_size (BRAID_REACTOR (reactor)), ==, 3);
}

static gpointer
double_it (gpointer data, GError **error)
{
  int n = GPOINTER_TO_INT (data);

  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "negative: %d", n);
      return NULL;
    }
  return g_strdup_printf ("%d", 2 * n);
}

static void
test_defer_to_thread_fires_at_the_next_advance (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidDeferred) d = braid_reactor_defer_to_thread (BRAID_REACTOR (reactor), double_it,
                                                               GINT_TO_POINTER (21), NULL, g_free);

  /* As from a real pool: the result comes from the loop, never at once. */
  braid_assert_no_result (d);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "42");
}

static void
test_defer_to_thread_error (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidDeferred) d = braid_reactor_defer_to_thread (BRAID_REACTOR (reactor), double_it,
                                                               GINT_TO_POINTER (-1), NULL, g_free);
  g_autoptr (GError) error = NULL;

  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "negative: -1");
}

static gpointer
make_value (gpointer data, GError **error)
{
  return data;
}

static void
test_cancelled_defer_to_thread_frees_the_value (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  int value_freed = 0;
  int data_freed = 0;
  g_autoptr (BraidDeferred) d = braid_reactor_defer_to_thread (BRAID_REACTOR (reactor), make_value,
                                                               &data_freed, count_call,
                                                               count_call);

  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  /* make_value returned &data_freed: the value_destroy and the
   * user_data_destroy both count on it. */
  g_assert_cmpint (data_freed, ==, 2);
  g_assert_cmpint (value_freed, ==, 0);
}

/* A reactor dropped before the result is delivered frees it. */
static void
test_undelivered_result_is_freed_with_the_reactor (void)
{
  BraidMemoryReactor *reactor = braid_memory_reactor_new ();
  int freed = 0;
  g_autoptr (BraidDeferred) d = braid_reactor_defer_to_thread (BRAID_REACTOR (reactor), make_value,
                                                               &freed, NULL, count_call);

  g_object_unref (reactor);
  g_assert_cmpint (freed, ==, 1);
  braid_assert_no_result (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  braid_test_add_func ("/threads/call-in-thread-runs-at-once", test_call_in_thread_runs_at_once);
  braid_test_add_func ("/threads/pool-size-is-recorded", test_pool_size_is_recorded);
  braid_test_add_func ("/threads/defer-to-thread-fires-at-the-next-advance",
                   test_defer_to_thread_fires_at_the_next_advance);
  braid_test_add_func ("/threads/defer-to-thread-error", test_defer_to_thread_error);
  braid_test_add_func ("/threads/cancelled-defer-to-thread-frees-the-value",
                   test_cancelled_defer_to_thread_frees_the_value);
  /* Leaves the hand-back undelivered on purpose: no hygiene check. */
  g_test_add_func ("/threads/undelivered-result-is-freed-with-the-reactor",
                   test_undelivered_result_is_freed_with_the_reactor);
  return g_test_run ();
}
