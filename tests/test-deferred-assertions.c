/* test-deferred-assertions.c: braid_assert_success_result(),
 * braid_assert_failure_result() and braid_assert_no_result(), passing and
 * failing. */
#include <string.h>

#include <braid-fakes.h>

static GError *
new_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, message);
}

static void
test_success_result_returns_the_value (void)
{
  g_autoptr (BraidDeferred) d = braid_succeed (g_strdup ("v"), g_free);

  g_assert_cmpstr (braid_assert_success_result (d), ==, "v");
  /* It does not consume the value. */
  g_assert_cmpstr (braid_assert_success_result (d), ==, "v");
}

static void
test_failure_result_returns_and_handles_the_error (void)
{
  g_autoptr (BraidDeferred) d = braid_fail (new_error ("missing"));
  g_autoptr (GError) error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpstr (error->message, ==, "missing");
  /* The chain carries on with NULL: no unhandled error at the unref. */
  g_assert_null (braid_assert_success_result (d));
}

static void
test_no_result_passes_on_unfired_paused_and_waiting (void)
{
  g_autoptr (BraidDeferred) unfired = braid_deferred_new ();
  g_autoptr (BraidDeferred) paused = braid_deferred_new ();

  braid_assert_no_result (unfired);
  braid_deferred_pause (paused);
  braid_deferred_callback (paused, NULL, NULL);
  braid_assert_no_result (paused);
  braid_deferred_unpause (paused);
}

/* The failing cases run in a subprocess, which must fail with a message
 * saying what the deferred held instead. */

static void
test_success_result_fails_on_no_result (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      braid_assert_success_result (d);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected a value, but the deferred created at "
                             "*test-deferred-assertions.c:* has not fired*");
}

static void
test_success_result_fails_on_an_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_fail (new_error ("nope"));

      braid_assert_success_result (d);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected a value*failed: nope (g-io-error-quark, 1)*");
}

static void
test_success_result_fails_while_paused (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      braid_deferred_pause (d);
      braid_deferred_callback (d, NULL, NULL);
      braid_assert_success_result (d);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*fired at *, but is paused or waiting*");
}

static void
test_failure_result_fails_on_a_value (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

      braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected an error g-io-error-quark 1, but *has a value*");
}

static void
test_failure_result_fails_on_another_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow"));

      braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected an error g-io-error-quark 1*failed with "
                             "g-io-error-quark 24: slow*");
}

static void
test_failure_result_fails_on_no_result (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected an error*has not fired*");
}

static void
test_no_result_fails_on_a_value (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

      braid_assert_no_result (d);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected no result, but the deferred created at*has a value*");
}

static void
test_no_result_fails_on_an_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_fail (new_error ("early"));

      braid_assert_no_result (d);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*expected no result*failed at*early*");
}

/* Runs the current test in a child where assertions only mark the test as
 * failed; the child says on stderr what the assertion returned. */
static void
expect_child_failure (const char *stderr_pattern)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (stderr_pattern);
}

static void
say_returned (gconstpointer result)
{
  g_printerr ("assertion returned %s\n", result == NULL ? "NULL" : "a pointer");
}

static void
test_success_message_when_unfired (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_success_result (d));
      return;
    }
  expect_child_failure ("*expected a value, but the deferred created at "
                        "*test-deferred-assertions.c:* has not fired*assertion returned NULL*");
}

static void
test_success_message_when_paused (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      g_test_set_nonfatal_assertions ();
      braid_deferred_pause (d);
      braid_deferred_callback (d, NULL, NULL);
      say_returned (braid_assert_success_result (d));
      braid_deferred_unpause (d);
      return;
    }
  expect_child_failure ("*expected a value, but the deferred created at *fired at "
                        "*test-deferred-assertions.c:*, but is paused or waiting on another "
                        "deferred*assertion returned NULL*");
}

static void
test_success_message_on_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
      g_autoptr (GError) handled = NULL;

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_success_result (d));
      /* The failed assertion left the error in place: handle it here. */
      handled = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_printerr ("still held: %s\n", handled->message);
      return;
    }
  expect_child_failure ("*expected a value, but the deferred created at *failed: gone "
                        "(g-io-error-quark, 1)*assertion returned NULL*still held: gone*");
}

static void
test_failure_message_when_unfired (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      return;
    }
  expect_child_failure ("*expected an error g-io-error-quark 24, but the deferred created "
                        "at *has not fired*assertion returned NULL*");
}

static void
test_failure_message_on_value (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_succeed (g_strdup ("v"), g_free);

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      return;
    }
  expect_child_failure ("*expected an error g-io-error-quark 24, but the deferred created "
                        "at *has a value (0x*)*assertion returned NULL*");
}

static void
test_failure_message_on_other_error_keeps_it (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
      g_autoptr (GError) handled = NULL;

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      handled = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_printerr ("still held: %s\n", handled->message);
      return;
    }
  expect_child_failure ("*expected an error g-io-error-quark 24, but the deferred created "
                        "at *failed with g-io-error-quark 1: gone*assertion returned NULL*"
                        "still held: gone*");
}

static void
test_no_result_message_on_value (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

      g_test_set_nonfatal_assertions ();
      braid_assert_no_result (d);
      return;
    }
  expect_child_failure ("*expected no result, but the deferred created at "
                        "*test-deferred-assertions.c:* has a value (*), fired at *");
}

static void
test_no_result_message_on_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
      g_autoptr (GError) handled = NULL;

      g_test_set_nonfatal_assertions ();
      braid_assert_no_result (d);
      handled = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_printerr ("still held: %s\n", handled->message);
      return;
    }
  expect_child_failure ("*expected no result, but the deferred created at *failed at "
                        "*: gone (g-io-error-quark, 1)*still held: gone*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Assertions on deferreds for GTest (Twisted's successResultOf & co)");

  braid_test_add_func ("/deferred-assertions/success/returns-value", test_success_result_returns_the_value);
  braid_test_add_func ("/deferred-assertions/success/fails-on-no-result", test_success_result_fails_on_no_result);
  braid_test_add_func ("/deferred-assertions/success/fails-on-error", test_success_result_fails_on_an_error);
  braid_test_add_func ("/deferred-assertions/success/fails-while-paused", test_success_result_fails_while_paused);
  braid_test_add_func ("/deferred-assertions/failure/returns-error", test_failure_result_returns_and_handles_the_error);
  braid_test_add_func ("/deferred-assertions/failure/fails-on-value", test_failure_result_fails_on_a_value);
  braid_test_add_func ("/deferred-assertions/failure/fails-on-other-error", test_failure_result_fails_on_another_error);
  braid_test_add_func ("/deferred-assertions/failure/fails-on-no-result", test_failure_result_fails_on_no_result);
  braid_test_add_func ("/deferred-assertions/no-result/passes", test_no_result_passes_on_unfired_paused_and_waiting);
  braid_test_add_func ("/deferred-assertions/no-result/fails-on-value", test_no_result_fails_on_a_value);
  braid_test_add_func ("/deferred-assertions/no-result/fails-on-error", test_no_result_fails_on_an_error);

  braid_test_add_func ("/deferred-assertions/success/unfired", test_success_message_when_unfired);
  braid_test_add_func ("/deferred-assertions/success/paused", test_success_message_when_paused);
  braid_test_add_func ("/deferred-assertions/success/error", test_success_message_on_error);
  braid_test_add_func ("/deferred-assertions/failure/unfired", test_failure_message_when_unfired);
  braid_test_add_func ("/deferred-assertions/failure/value", test_failure_message_on_value);
  braid_test_add_func ("/deferred-assertions/failure/other-error", test_failure_message_on_other_error_keeps_it);
  braid_test_add_func ("/deferred-assertions/no-result/value", test_no_result_message_on_value);
  braid_test_add_func ("/deferred-assertions/no-result/error", test_no_result_message_on_error);

  return g_test_run ();
}
