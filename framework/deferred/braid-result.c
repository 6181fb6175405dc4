/* braid-result.c: the value or error a deferred's callbacks work on. */
#include "config.h"

#include "braid-error.h"
#include "deferred/braid-deferred-private.h"
#include "deferred/braid-deferred.h"
#include "deferred/braid-result.h"

/**
 * BraidResult:
 *
 * The result a deferred's callbacks work on: a value (with the function that
 * frees it) or a `GError`. A callback receives the deferred's own result and
 * changes it in place; the result is only valid during the callback.
 * Results also stand alone, as the entries of a deferred list's value
 * (see braid_deferred_list_new()).
 */

/* ---------------------------------------------------------------------- */
/* Results */

/**
 * braid_result_new_value: (skip)
 * @value: (nullable) (transfer full): the value
 * @destroy: (nullable): frees @value
 *
 * Makes a stand-alone result holding a value (deferred lists use them for
 * their entries).
 *
 * Returns: (transfer full): the result; free it with braid_result_free()
 */
BraidResult *
braid_result_new_value (gpointer value, GDestroyNotify destroy)
{
  BraidResult *result = g_new0 (BraidResult, 1);

  result->value = value;
  result->destroy = destroy;
  result->index = -1;
  return result;
}

/**
 * braid_result_new_error: (skip)
 * @error: (transfer full): the error
 *
 * Makes a stand-alone result holding an error.
 *
 * Returns: (transfer full): the result; free it with braid_result_free()
 */
BraidResult *
braid_result_new_error (GError *error)
{
  BraidResult *result = g_new0 (BraidResult, 1);

  g_return_val_if_fail (error != NULL, result);

  result->error = error;
  result->index = -1;
  return result;
}

/**
 * braid_result_free:
 * @result: (nullable): a stand-alone result
 *
 * Frees a result made by braid_result_new_value() or
 * braid_result_new_error(), with its value or error. Never free the result
 * a callback receives: its deferred owns it.
 */
void
braid_result_free (BraidResult *result)
{
  if (result == NULL)
    return;
  g_return_if_fail (result->owner == NULL);

  result_clear (result);
  g_free (result);
}

/**
 * braid_result_is_error:
 * @result: a result
 *
 * Tells whether @result holds an error.
 *
 * Returns: %TRUE if @result holds an error, %FALSE if it holds a value
 */
gboolean
braid_result_is_error (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);

  return result->error != NULL;
}

/**
 * braid_result_get_value:
 * @result: a result
 *
 * Gets the value @result holds.
 *
 * Returns: (transfer none) (nullable): the value, still owned by @result;
 *   %NULL if @result is an error
 */
gpointer
braid_result_get_value (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->value;
}

/**
 * braid_result_get_error:
 * @result: a result
 *
 * Gets the error @result holds.
 *
 * Returns: (transfer none) (nullable): the error, still owned by @result;
 *   %NULL if @result is a value
 */
const GError *
braid_result_get_error (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->error;
}

/**
 * braid_result_get_index:
 * @result: a result
 *
 * Tells which member of a deferred list (or of braid_gather_results())
 * this result came from: the first error of braid_gather_results() or of a
 * list with %BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK, the first value of a
 * list with %BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK, or an entry of a
 * list's array. The index stays while the result is passed on unchanged,
 * and goes back to -1 when a callback replaces it.
 *
 * Returns: the member's position in the list, or -1
 */
gint
braid_result_get_index (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, -1);

  return result->index;
}

/**
 * braid_result_steal_value:
 * @result: a result holding a value
 *
 * Takes the value out of @result, which is left holding %NULL. You become
 * responsible for freeing the value (with the function it was given with).
 *
 * Returns: (transfer full) (nullable): the value
 */
gpointer
braid_result_steal_value (BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (result->error == NULL, NULL);

  result->destroy = NULL;
  return g_steal_pointer (&result->value);
}

/**
 * braid_result_steal_error:
 * @result: a result holding an error
 *
 * Takes the error out of @result, which is left holding a %NULL value: the
 * error is handled, and now yours to free.
 *
 * Returns: (transfer full): the error
 */
GError *
braid_result_steal_error (BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (result->error != NULL, NULL);

  return g_steal_pointer (&result->error);
}

/**
 * braid_result_set_value:
 * @result: a result
 * @value: (nullable) (transfer full): the new value
 * @destroy: (nullable): frees @value
 *
 * Replaces the result with @value: what a callback does to transform the
 * value, and what an errback does to recover from an error. The old value
 * is freed; an old error is handled.
 */
void
braid_result_set_value (BraidResult *result, gpointer value, GDestroyNotify destroy)
{
  g_return_if_fail (result != NULL);

  result_clear (result);
  result->value = value;
  result->destroy = destroy;
}

/**
 * braid_result_take_error:
 * @result: a result
 * @error: (transfer full): the new error
 *
 * Replaces the result with @error: the chain switches to its errbacks.
 */
void
braid_result_take_error (BraidResult *result, GError *error)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (error != NULL);

  result_clear (result);
  result->error = error;
}

/**
 * braid_result_fail:
 * @result: a result
 * @domain: the error domain
 * @code: the error code
 * @format: printf()-style message
 * @...: the message's arguments
 *
 * Replaces the result with a new error, as g_set_error() makes it.
 */
void
braid_result_fail (BraidResult *result,
                   GQuark       domain,
                   gint         code,
                   const char  *format,
                   ...)
{
  va_list args;
  GError *error;

  g_return_if_fail (result != NULL);
  g_return_if_fail (format != NULL);

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  braid_result_take_error (result, error);
}

/**
 * braid_result_chain:
 * @result: the result a callback received
 * @inner: (transfer full): a deferred to wait for
 *
 * Makes the chain wait for @inner: when the callback returns, the chain
 * pauses until @inner fires, and @inner's result (value or error) becomes
 * this chain's result. If @inner has a result already, the chain takes it
 * at once. Either way @inner's own later callbacks see %NULL: the result
 * moved here.
 *
 * Takes your reference to @inner, so that
 * `braid_result_chain (result, fetch_user (name))` does not leak. The chain
 * does not keep @inner alive: whoever will fire it does.
 *
 * A deferred can never wait on itself, directly or through others waiting
 * on it: that would hang. Chaining a deferred to itself (its callback hands
 * it its own deferred) or closing a cycle is a programming error: Braid
 * logs a critical message naming the deferreds, and the result becomes a
 * %BRAID_ERROR_FAILED error, which goes down the chain to its errbacks.
 * (Twisted only warns when a callback returns its own deferred, and the
 * chain then holds the deferred as its value; a C chain has no such value.)
 */
void
braid_result_chain (BraidResult *result, BraidDeferred *inner)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (result->owner != NULL);
  g_return_if_fail (inner != NULL);

  if (G_UNLIKELY (inner == result->owner))
    {
      g_critical ("BraidDeferred created at %s would wait on itself: a callback chained "
                  "it to itself", inner->created_at);
      braid_deferred_unref (inner);
      braid_result_fail (result, BRAID_ERROR, BRAID_ERROR_FAILED,
                         "A deferred was chained to itself (created at %s)",
                         result->owner->created_at);
      return;
    }

  result_clear (result);
  result->chained = inner;
}

/**
 * braid_result_check:
 * @result: a result
 * @domain: an error domain
 * @code: an error code
 *
 * Tells whether @result is the error @domain / @code (Twisted's
 * `failure.check`), without changing it.
 *
 * Returns: %TRUE if @result is that error
 */
gboolean
braid_result_check (const BraidResult *result, GQuark domain, gint code)
{
  g_return_val_if_fail (result != NULL, FALSE);

  return result->error != NULL && g_error_matches (result->error, domain, code);
}

/**
 * braid_result_trap:
 * @result: the result an errback received
 * @domain: the error domain the errback handles
 * @code: the error code the errback handles
 *
 * Handles one kind of error (Twisted's `failure.trap`): if @result is
 * @domain / @code, the error is cleared (the result becomes a %NULL value,
 * which the errback may replace) and %TRUE is returned. Any other error is
 * left as it is, so it goes on down the chain to the next errback:
 *
 * ```c
 * static void
 * use_cached_copy (BraidResult *result, gpointer cache)
 * {
 *   if (!braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
 *     return;   // not ours: let it through
 *   braid_result_set_value (result, g_strdup (cache), g_free);
 * }
 * ```
 *
 * Returns: %TRUE if the error was @domain / @code and is now handled
 */
gboolean
braid_result_trap (BraidResult *result, GQuark domain, gint code)
{
  g_return_val_if_fail (result != NULL, FALSE);

  if (!braid_result_check (result, domain, code))
    return FALSE;
  result_clear (result);
  return TRUE;
}

/* For deferred lists: where the result came from. */
void
braid_result_set_index_internal (BraidResult *result, gint index)
{
  result->index = index;
}
