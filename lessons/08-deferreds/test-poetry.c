/* test-poetry.c: lesson 08's tests, all on a fake clock: seconds of
 * "waiting for the network" pass in microseconds. */
#include <braid-fakes.h>

#include "poetry.h"

/* The seeds' first two examples (deferred/callback.py, deferred/errback.py),
 * with a GString standing in for the screen. */

static void
my_callback (BraidResult *result, gpointer screen)
{
  g_string_append_printf (screen, "%s\n", (const char *) braid_result_get_value (result));
}

static void
my_errback (BraidResult *result, gpointer screen)
{
  g_string_append_printf (screen, "error: %s\n", braid_result_get_error (result)->message);
  braid_result_set_value (result, NULL, NULL);   /* handled */
}

static void
test_seeds_callback (void)
{
  g_autoptr (GString) screen = g_string_new (NULL);
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_add_callback (d, my_callback, screen, NULL);
  braid_deferred_callback (d, "Triggering callback.", NULL);
  g_assert_cmpstr (screen->str, ==, "Triggering callback.\n");
}

static void
test_seeds_errback (void)
{
  g_autoptr (GString) screen = g_string_new (NULL);
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_add_errback (d, my_errback, screen, NULL);
  braid_deferred_errback (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                  "Triggering errback."));
  g_assert_cmpstr (screen->str, ==, "error: Triggering errback.\n");
}

/* The slow poetry service. */

static void
test_fetch_answers_later (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "the-tyger");

  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY - 0.1);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0.1);
  g_assert_cmpstr (braid_assert_success_result (d), ==,
                   "Tyger Tyger, burning bright,\nIn the forests of the night;\n");
}

static void
test_callbacks_transform_the_poem (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "ozymandias");

  braid_deferred_add_callback (d, poetry_keep_first_line, NULL, NULL);
  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  g_assert_cmpstr (braid_assert_success_result (d), ==,
                   "I met a traveller from an antique land,");
}

static void
test_unknown_poem_fails_later (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "beowulf");
  g_autoptr (GError) error = NULL;

  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no poem called \"beowulf\"");
}

static void
test_empty_title_fails_at_once (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "");
  g_autoptr (GError) error = NULL;

  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_cancel_stops_the_delivery (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "ozymandias");
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_fetch_by_author_chains_lookup_and_fetch (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_by_author (BRAID_CLOCK (clock), "Shelley");

  braid_fake_clock_advance (clock, POETRY_LOOKUP_DELAY);
  /* The title is known; the chain now waits on the fetch. */
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  braid_deferred_add_callback (d, poetry_keep_first_line, NULL, NULL);
  g_assert_cmpstr (braid_assert_success_result (d), ==,
                   "I met a traveller from an antique land,");
}

static void
test_fetch_by_unknown_author_fails_after_the_lookup (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_by_author (BRAID_CLOCK (clock), "Nobody");
  g_autoptr (GError) error = NULL;

  braid_fake_clock_advance (clock, POETRY_LOOKUP_DELAY);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no poet called \"Nobody\"");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_cancel_while_chained_cancels_the_fetch (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch_by_author (BRAID_CLOCK (clock), "Blake");
  g_autoptr (GError) error = NULL;

  braid_fake_clock_advance (clock, POETRY_LOOKUP_DELAY);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);   /* the fetch */
  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timeout_gives_up_on_a_slow_poem (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "the-waste-land");
  g_autoptr (GError) error = NULL;

  braid_deferred_add_timeout (d, 3, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, 2.9);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0.1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  /* The delivery was cancelled with the deferred: nothing is left. */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timeout_is_cancelled_when_the_poem_arrives (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = poetry_fetch (BRAID_CLOCK (clock), "the-tyger");

  braid_deferred_add_timeout (d, 3, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, POETRY_FETCH_DELAY);
  g_assert_nonnull (braid_assert_success_result (d));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 08: deferreds, on a fake clock");

  braid_test_add_func ("/lesson-08/seeds/callback", test_seeds_callback);
  braid_test_add_func ("/lesson-08/seeds/errback", test_seeds_errback);
  braid_test_add_func ("/lesson-08/fetch/answers-later", test_fetch_answers_later);
  braid_test_add_func ("/lesson-08/fetch/callbacks-transform", test_callbacks_transform_the_poem);
  braid_test_add_func ("/lesson-08/fetch/unknown-fails-later", test_unknown_poem_fails_later);
  braid_test_add_func ("/lesson-08/fetch/empty-title-fails-at-once", test_empty_title_fails_at_once);
  braid_test_add_func ("/lesson-08/fetch/cancel", test_cancel_stops_the_delivery);
  braid_test_add_func ("/lesson-08/chain/by-author", test_fetch_by_author_chains_lookup_and_fetch);
  braid_test_add_func ("/lesson-08/chain/unknown-author", test_fetch_by_unknown_author_fails_after_the_lookup);
  braid_test_add_func ("/lesson-08/chain/cancel-cancels-the-fetch", test_cancel_while_chained_cancels_the_fetch);
  braid_test_add_func ("/lesson-08/timeout/gives-up", test_timeout_gives_up_on_a_slow_poem);
  braid_test_add_func ("/lesson-08/timeout/cancelled-on-arrival", test_timeout_is_cancelled_when_the_poem_arrives);

  return g_test_run ();
}
