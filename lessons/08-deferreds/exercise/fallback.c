/* fallback.c: lesson 08's exercise, a fetch that always has a poem.
 *
 * poetry_fetch_or_fallback() fetches the poem called @title, like
 * poetry_fetch(), but a reader who asked for a poem should get one:
 *
 * - if the fetch takes longer than @timeout seconds, give up on it and
 *   fire with POETRY_FALLBACK_POEM instead, at that moment;
 * - if there is no such poem (G_IO_ERROR_NOT_FOUND), fire with
 *   POETRY_FALLBACK_POEM too;
 * - any other error (an empty title gives G_IO_ERROR_INVALID_ARGUMENT) is a
 *   real problem: let it through, unchanged.
 *
 * The value you fire with must be a string the deferred owns (the
 * callbacks after yours may free or replace it).
 *
 * Check your work with `tools/start check 08` (by hand:
 * `ninja -C build lessons/check-08-deferreds && build/lessons/check-08-deferreds`).
 * Stuck? `tools/start hint 08`. */
#include "fallback.h"

/* EXERCISE: write the errback that replaces a "not found" or a "timed out"
 * error by POETRY_FALLBACK_POEM, and leaves every other error alone. */

BraidDeferred *
poetry_fetch_or_fallback (BraidClock *clock, const char *title, gdouble timeout)
{
  BraidDeferred *poem = poetry_fetch (clock, title);

  /* EXERCISE: give the fetch a timeout of @timeout seconds on @clock, then
   * add your errback to the chain. */
  return poem;
}
