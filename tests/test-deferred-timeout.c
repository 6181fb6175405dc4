/* test-deferred-timeout.c: braid_deferred_add_timeout_full(), the
 * on_timeout_cancel hook of Twisted's addTimeout. (The plain timeout's tests
 * are in test-deferred.c.) */
#include <string.h>

#include <braid-fakes.h>

typedef struct
{
  guint calls;
  gboolean saw_cancelled;
  gboolean freed;
} Hook;

static void
hook_answers_a_default (BraidResult *result, gpointer data)
{
  Hook *hook = data;

  hook->calls++;
  hook->saw_cancelled = braid_result_check (result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_result_set_value (result, g_strdup ("default"), g_free);
}

static void
hook_freed (gpointer data)
{
  Hook *hook = data;

  hook->freed = TRUE;
}

static void
test_hook_decides_what_a_timeout_means (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  Hook hook = { 0 };

  braid_deferred_add_timeout_full (d, 5, BRAID_CLOCK (clock), hook_answers_a_default, &hook,
                                   hook_freed);
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpuint (hook.calls, ==, 1);
  g_assert_true (hook.saw_cancelled);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "default");
  g_assert_true (hook.freed);
}

static void
test_hook_does_not_run_when_fired_in_time (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  Hook hook = { 0 };

  braid_deferred_add_timeout_full (d, 5, BRAID_CLOCK (clock), hook_answers_a_default, &hook,
                                   hook_freed);
  braid_deferred_callback (d, "in time", NULL);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "in time");
  g_assert_cmpuint (hook.calls, ==, 0);
  g_assert_true (hook.freed);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_hook_does_not_run_when_cancelled_otherwise (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;
  Hook hook = { 0 };

  braid_deferred_add_timeout_full (d, 5, BRAID_CLOCK (clock), hook_answers_a_default, &hook,
                                   hook_freed);
  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (hook.calls, ==, 0);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (hook.calls, ==, 0);
  g_assert_true (hook.freed);
}

static void
test_no_hook_gives_timed_out (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_timeout_full (d, 1, BRAID_CLOCK (clock), NULL, NULL, NULL);
  braid_fake_clock_advance (clock, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_hook_data_freed_at_once_on_a_fired_deferred (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_succeed ("done", NULL);
  Hook hook = { 0 };

  braid_deferred_add_timeout_full (d, 5, BRAID_CLOCK (clock), hook_answers_a_default, &hook,
                                   hook_freed);
  g_assert_true (hook.freed);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "done");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braid_deferred_add_timeout_full: what a timeout means, decided by a hook");

  braid_test_add_func ("/deferred-timeout/hook/decides", test_hook_decides_what_a_timeout_means);
  braid_test_add_func ("/deferred-timeout/hook/not-when-in-time", test_hook_does_not_run_when_fired_in_time);
  braid_test_add_func ("/deferred-timeout/hook/not-when-cancelled",
                       test_hook_does_not_run_when_cancelled_otherwise);
  braid_test_add_func ("/deferred-timeout/hook/none-gives-timed-out", test_no_hook_gives_timed_out);
  braid_test_add_func ("/deferred-timeout/hook/already-fired",
                       test_hook_data_freed_at_once_on_a_fired_deferred);

  return g_test_run ();
}
