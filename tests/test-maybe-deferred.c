/* test-maybe-deferred.c: braid_maybe_deferred(), Twisted's maybeDeferred. */
#include <string.h>

#include <braid-fakes.h>

static void
answer_a_value (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, g_strdup (data), g_free);
}

static void
answer_an_error (BraidResult *result, gpointer data)
{
  braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no %s", (const char *) data);
}

static void
answer_later (BraidResult *result, gpointer inner)
{
  braid_result_chain (result, braid_deferred_ref (inner));
}

static void
answer_nothing (BraidResult *result, gpointer data)
{
  guint *calls = data;

  (*calls)++;
}

static void
test_value_becomes_a_fired_deferred (void)
{
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_a_value, "poem");

  g_assert_cmpstr (braid_assert_success_result (d), ==, "poem");
}

static void
test_error_becomes_a_failed_deferred (void)
{
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_an_error, "poem");
  g_autoptr (GError) error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpstr (error->message, ==, "no poem");
}

static void
test_deferred_answer_is_waited_for (void)
{
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_later, inner);

  braid_assert_no_result (d);
  braid_deferred_callback (inner, g_strdup ("late poem"), g_free);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "late poem");
}

static void
test_cancel_reaches_the_deferred_answer (void)
{
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_later, inner);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (d);
  g_assert_true (braid_deferred_is_called (inner));
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_function_runs_once_at_once (void)
{
  guint calls = 0;
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_nothing, &calls);

  g_assert_cmpuint (calls, ==, 1);
  g_assert_null (braid_assert_success_result (d));
}

static void
test_user_data_is_freed_after_the_call (void)
{
  g_autoptr (BraidDeferred) d =
    braid_maybe_deferred_full (answer_a_value, g_strdup ("owned"), g_free, G_STRLOC);

  /* The copy was freed (valgrind and ASan check it); the answer is ours. */
  g_assert_cmpstr (braid_assert_success_result (d), ==, "owned");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braid_maybe_deferred: a deferred whatever the function answers");

  braid_test_add_func ("/maybe-deferred/value", test_value_becomes_a_fired_deferred);
  braid_test_add_func ("/maybe-deferred/error", test_error_becomes_a_failed_deferred);
  braid_test_add_func ("/maybe-deferred/deferred", test_deferred_answer_is_waited_for);
  braid_test_add_func ("/maybe-deferred/cancel", test_cancel_reaches_the_deferred_answer);
  braid_test_add_func ("/maybe-deferred/runs-once-at-once", test_function_runs_once_at_once);
  braid_test_add_func ("/maybe-deferred/user-data-freed", test_user_data_is_freed_after_the_call);

  return g_test_run ();
}
