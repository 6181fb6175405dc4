/* example-hygiene.c: docs/testing.md, "The hygiene check".
 *
 * A test added with braid_test_add_func() fails if it leaves a delayed call
 * pending on a fake clock (or a loopback open, or a deferred with an
 * unhandled error), and the failure names the line that created the
 * leftover. Here a test "forgets" a timer; it runs in a subprocess so that
 * this example can check the failure and its message. */
#include <braid-fakes.h>

static void
do_nothing (gpointer data)
{
}

static void
forgets_a_timer (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  braid_clock_call_later (BRAID_CLOCK (clock), 30, do_nothing, NULL, NULL);
}

static void
test_a_forgotten_timer_fails_the_test (void)
{
  g_test_trap_subprocess ("/docs/hygiene/subprocess/forgets-a-timer", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*example-hygiene.c:*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("docs/testing.md: the hygiene check names a leftover's creator.");
  braid_test_add_func ("/docs/hygiene/forgotten-timer-fails", test_a_forgotten_timer_fails_the_test);
  braid_test_add_func ("/docs/hygiene/subprocess/forgets-a-timer", forgets_a_timer);
  return g_test_run ();
}
