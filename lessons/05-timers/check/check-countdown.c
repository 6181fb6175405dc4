/* check-countdown.c: the check of lesson 05's exercise, on the fake clock. */
#include <braid-fakes.h>

#include "countdown.h"

static void
count_done (gpointer data)
{
  (*(guint *) data)++;
}

/* One number per second, the first after one second (not at once), then
 * "liftoff!" and the done callback, once. */
static void
test_counts_down_one_per_second (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (BraidLoopingCall) call = NULL;
  guint done = 0;

  call = countdown_start (BRAID_CLOCK (clock), 3, out, count_done, &done);
  braid_fake_clock_advance (clock, 0.9);
  g_assert_cmpstr (out->str, ==, "");
  braid_fake_clock_advance (clock, 0.1);
  g_assert_cmpstr (out->str, ==, "3\n");
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (out->str, ==, "3\n2\n");
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (out->str, ==, "3\n2\n1\n");
  g_assert_cmpuint (done, ==, 0);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (out->str, ==, "3\n2\n1\nliftoff!\n");
  g_assert_cmpuint (done, ==, 1);
}

/* After liftoff the looping call stops: nothing more is printed and no
 * timer is left on the clock. */
static void
test_stops_for_good (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (BraidLoopingCall) call = NULL;
  guint done = 0;

  call = countdown_start (BRAID_CLOCK (clock), 1, out, count_done, &done);
  braid_fake_clock_advance (clock, 60);
  g_assert_cmpstr (out->str, ==, "1\nliftoff!\n");
  g_assert_cmpuint (done, ==, 1);
  g_assert_false (braid_looping_call_is_running (call));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 05 exercise: a countdown with BraidLoopingCall");
  braid_test_add_func ("/lesson05/exercise/counts-down", test_counts_down_one_per_second);
  braid_test_add_func ("/lesson05/exercise/stops-for-good", test_stops_for_good);
  return g_test_run ();
}
