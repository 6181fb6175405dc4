/* test-error.c: the BRAID_ERROR domain and its helpers. */
#include <stdlib.h>

#include <braid-fakes.h>

static void
test_domain_is_registered (void)
{
  g_assert_cmpuint (BRAID_ERROR, !=, 0);
  g_assert_cmpstr (g_quark_to_string (BRAID_ERROR), ==, "braid-error-quark");
}

static void
test_clean_close_is_only_connection_done (void)
{
  g_autoptr (GError) done = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE, "done");
  g_autoptr (GError) lost = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "lost");
  g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "closed");
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");

  g_assert_true (braid_error_is_clean_close (done));
  g_assert_false (braid_error_is_clean_close (lost));
  g_assert_false (braid_error_is_clean_close (closed));
  g_assert_false (braid_error_is_clean_close (refused));
  g_assert_false (braid_error_is_clean_close (NULL));
}

static void
test_exit_with_error_prints_and_returns_1 (void)
{
  if (g_test_subprocess ())
    {
      GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                                           "Port 8000 is already in use");
      int status = braid_exit_with_error (error);

      /* Freed before exit(), which skips g_autoptr cleanups: LeakSanitizer
       * would report the error as leaked (and fail the test). */
      g_error_free (error);
      exit (status);
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("*test-error: Port 8000 is already in use\n");
}

static void
test_exit_with_null_error_is_a_programming_error (void)
{
  int status;

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*error != NULL*");
  status = braid_exit_with_error (NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (status, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BRAID_ERROR: the domain, clean-close detection, exit_with_error.");

  braid_test_add_func ("/error/domain", test_domain_is_registered);
  braid_test_add_func ("/error/clean-close", test_clean_close_is_only_connection_done);
  braid_test_add_func ("/error/exit-with-error/prints", test_exit_with_error_prints_and_returns_1);
  braid_test_add_func ("/error/exit-with-error/null", test_exit_with_null_error_is_a_programming_error);

  return g_test_run ();
}
