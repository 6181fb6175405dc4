/* braid-defer-later.c: a deferred that fires later, on a clock. */
#include "config.h"

#include "deferred/braid-deferred.h"
#include "time/braid-clock.h"
#include "time/braid-defer-later.h"
#include "time/braid-delayed-call.h"

/* What the pending call and the deferred's canceller share. The pending
 * call owns it (and, through it, a reference to the deferred); the
 * canceller only borrows it, and runs only while the call is pending. */
typedef struct
{
  BraidDeferred *deferred;
  BraidDelayedCall *call;    /* owned by the clock while pending */
} Later;

static void
later_free (gpointer data)
{
  Later *later = data;

  braid_deferred_unref (later->deferred);
  g_free (later);
}

static void
later_fire (gpointer data)
{
  Later *later = data;

  later->call = NULL;
  braid_deferred_callback (later->deferred, NULL, NULL);
}

static void
later_cancel (BraidDeferred *deferred, gpointer data)
{
  Later *later = data;

  /* Cancelling the call frees @later: it must not be touched after. The
   * call is still pending: once it fires, the deferred has a result and
   * is no longer cancelled. */
  braid_delayed_call_cancel (g_steal_pointer (&later->call), NULL);
}

/**
 * braid_defer_later_full:
 * @clock: the clock that times the call
 * @delay: seconds from now, zero or more
 * @func: (nullable): the first callback of the deferred's chain; it
 *   receives a %NULL value and may set the deferred's result
 * @user_data: (closure func): passed to @func
 * @destroy: (nullable): frees @user_data
 * @created_at: where the deferred was made, for its diagnostics
 *
 * Twisted's `deferLater`: a deferred that fires @delay seconds from now
 * on @clock, its chain starting with @func (so the result is whatever
 * @func makes of it, or the error it sets).
 *
 * Cancelling the deferred before then cancels the pending call: nothing
 * is left on the clock, and the deferred fails with
 * `G_IO_ERROR_CANCELLED`.
 *
 * ```c
 * g_autoptr (BraidDeferred) d = braid_defer_later (clock, 2.0, say_hello, NULL, NULL);
 * braid_deferred_add_callback (d, print_result, NULL, NULL);
 * ```
 *
 * Returns: (transfer full): the deferred
 */
BraidDeferred *
braid_defer_later_full (BraidClock     *clock,
                        gdouble         delay,
                        BraidCallback   func,
                        gpointer        user_data,
                        GDestroyNotify  destroy,
                        const char     *created_at)
{
  Later *later;
  BraidDeferred *deferred;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (delay >= 0, NULL);

  later = g_new0 (Later, 1);
  deferred = braid_deferred_new_full (later_cancel, later, NULL, created_at);
  later->deferred = braid_deferred_ref (deferred);
  later->call = braid_clock_call_later_full (clock, delay, later_fire, later, later_free,
                                             created_at);
  if (func != NULL)
    braid_deferred_add_callback (deferred, func, user_data, destroy);
  else if (destroy != NULL)
    destroy (user_data);
  return deferred;
}
