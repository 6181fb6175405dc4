/* braid-maybe-deferred.c: always a deferred, whatever a function answers. */
#include "config.h"

#include "deferred/braid-deferred.h"
#include "deferred/braid-maybe-deferred.h"
#include "deferred/braid-result.h"

/**
 * braid_maybe_deferred_full:
 * @func: (scope notified) (closure user_data) (destroy destroy): fills in the
 *   result it is given: sets a value, fails it, or hands it a deferred
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data once @func has run
 * @created_at: where the deferred is made (the braid_maybe_deferred() macro
 *   passes `G_STRLOC`)
 *
 * Calls @func now, once, and gives its answer back as a deferred, whatever
 * kind of answer it was: Twisted's `maybeDeferred`. Code that calls a
 * user-supplied function which may answer at once or later then handles
 * both the same way.
 *
 * @func is a [callback@Braid.Callback]: it receives a result holding a
 * %NULL value and answers the way any callback does:
 *
 * - braid_result_set_value(): the deferred has that value;
 * - braid_result_fail() or braid_result_take_error(): the deferred has that
 *   error (C has no exceptions: this is the "raised" case);
 * - braid_result_chain(): the deferred waits for the inner deferred and
 *   takes its result; cancelling it cancels the inner one;
 * - nothing: the deferred has a %NULL value.
 *
 * Unlike Twisted, when @func hands back a deferred, the deferred returned
 * is not that same deferred but one waiting on it (C has no way to return
 * "either a value or a deferred" from one function without this wrapper):
 * it fires with the inner deferred's result, and the inner deferred's own
 * later callbacks see %NULL, as with any chained deferred.
 *
 * Returns: (transfer full): a deferred holding @func's answer, or waiting
 *   for it
 */
BraidDeferred *
braid_maybe_deferred_full (BraidCallback   func,
                           gpointer        user_data,
                           GDestroyNotify  destroy,
                           const char     *created_at)
{
  BraidDeferred *deferred;

  g_return_val_if_fail (func != NULL, NULL);

  /* A deferred fired with NULL, and @func as its first link: the link runs
   * at once, and the chain does the rest (a value, an error, or waiting on
   * a deferred @func chained). */
  deferred = braid_succeed_full (NULL, NULL, created_at);
  braid_deferred_add_callback (deferred, func, user_data, destroy);
  return deferred;
}
