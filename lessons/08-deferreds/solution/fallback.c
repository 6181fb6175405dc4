/* fallback.c: lesson 08's exercise, solved: a fetch that always has a poem. */
#include "../exercise/fallback.h"

/* Replaces the two errors we expect by the fallback poem. Any other error
 * is left as it is, so it goes on to the caller's errbacks. */
static void
use_fallback_poem (BraidResult *result, gpointer user_data)
{
  if (!braid_result_check (result, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
      && !braid_result_check (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return;
  braid_result_set_value (result, g_strdup (POETRY_FALLBACK_POEM), g_free);
}

BraidDeferred *
poetry_fetch_or_fallback (BraidClock *clock, const char *title, gdouble timeout)
{
  BraidDeferred *poem = poetry_fetch (clock, title);

  /* The timeout comes first, so that the errback sees G_IO_ERROR_TIMED_OUT
   * (links added before a timeout see G_IO_ERROR_CANCELLED). */
  braid_deferred_add_timeout (poem, timeout, clock);
  braid_deferred_add_errback (poem, use_fallback_poem, NULL, NULL);
  return poem;
}
