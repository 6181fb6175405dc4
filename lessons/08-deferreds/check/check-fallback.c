/* check-fallback.c: the check of lesson 08's exercise (exercise/fallback.c),
 * on a fake clock. */
#include <braid-fakes.h>

#include "fallback.h"

/* A poem that arrives before the timeout is the result, and the timeout
 * is cancelled. */
static void
test_a_quick_poem_comes_through (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_or_fallback (BRAID_CLOCK (clock), "the-tyger", 5);

  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  g_assert_cmpstr (braid_assert_success_result (d), ==,
                   "Tyger Tyger, burning bright,\nIn the forests of the night;\n");
  /* Its timeout was cancelled when the poem arrived. */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

/* A poem that does not exist (a "not found" error) gives the fallback poem. */
static void
test_an_unknown_poem_gives_the_fallback (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_or_fallback (BRAID_CLOCK (clock), "beowulf", 5);

  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  g_assert_cmpstr (braid_assert_success_result (d), ==, POETRY_FALLBACK_POEM);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

/* A poem slower than the timeout gives the fallback at the timeout, not
 * before, and the slow fetch is cancelled. */
static void
test_a_slow_poem_gives_the_fallback_at_the_timeout (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_or_fallback (BRAID_CLOCK (clock), "the-waste-land", 3);

  braid_fake_clock_advance (clock, 2.9);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0.1);
  g_assert_cmpstr (braid_assert_success_result (d), ==, POETRY_FALLBACK_POEM);
  /* Giving up cancelled the slow fetch: no timer is left behind. */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

/* Only "not found" and the timeout are replaced: any other error goes on
 * down the chain. */
static void
test_other_errors_come_through (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_or_fallback (BRAID_CLOCK (clock), "", 5);
  g_autoptr (GError) error =
    braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  g_assert_cmpstr (error->message, ==, "a poem needs a title");
}

/* The fallback is the chain's own copy: a later callback may replace (and
 * free) it. */
static void
test_the_fallback_belongs_to_the_chain (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_or_fallback (BRAID_CLOCK (clock), "beowulf", 5);

  /* A later callback may replace (and so free) the value. */
  braid_deferred_add_callback (d, poetry_keep_first_line, NULL, NULL);
  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "Roses are red,");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 08 exercise: a fetch that always has a poem");

  braid_test_add_func ("/lesson-08/exercise/quick-poem", test_a_quick_poem_comes_through);
  braid_test_add_func ("/lesson-08/exercise/unknown-poem", test_an_unknown_poem_gives_the_fallback);
  braid_test_add_func ("/lesson-08/exercise/slow-poem", test_a_slow_poem_gives_the_fallback_at_the_timeout);
  braid_test_add_func ("/lesson-08/exercise/other-errors", test_other_errors_come_through);
  braid_test_add_func ("/lesson-08/exercise/fallback-owned", test_the_fallback_belongs_to_the_chain);

  return g_test_run ();
}
