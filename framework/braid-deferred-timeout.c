/* braid-deferred-timeout.c: cancelling a deferred that takes too long.
 *
 * The only part of deferreds that needs a clock, so it sits apart from the
 * chain (braid-deferred.c), which knows nothing of time. It uses only the
 * public API of deferreds and clocks. */
#include "config.h"

#include "braid.h"

/* add_timeout: the timer, and the link that turns its cancellation into a
 * timeout. Shared by the delayed call and the deferred's chain. */
typedef struct
{
  BraidDeferred *deferred;   /* held until the timer fires or is cancelled */
  BraidDelayedCall *call;    /* held until freed */
  gboolean timed_out;
} Timeout;

static void
timeout_release (gpointer data)
{
  Timeout *timeout = data;

  g_clear_object (&timeout->call);
}

static void
timeout_timer_done (gpointer data)
{
  Timeout *timeout = data;

  g_clear_pointer (&timeout->deferred, braid_deferred_unref);
  g_rc_box_release_full (timeout, timeout_release);
}

static void
timeout_expired (gpointer data)
{
  Timeout *timeout = data;

  timeout->timed_out = TRUE;
  braid_deferred_cancel (timeout->deferred);
}

static void
timeout_settle (BraidResult *result, gpointer data)
{
  Timeout *timeout = data;

  if (timeout->timed_out)
    {
      if (braid_result_check (result, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "The deferred timed out");
    }
  else if (braid_delayed_call_active (timeout->call))
    braid_delayed_call_cancel (timeout->call, NULL);
}

static void
timeout_link_done (gpointer data)
{
  g_rc_box_release_full (data, timeout_release);
}

/**
 * braid_deferred_add_timeout:
 * @self: a deferred
 * @seconds: how long to wait, zero or more
 * @clock: the clock that measures it (the reactor, or a fake clock in tests)
 *
 * Cancels @self if it has not fired @seconds from now, and turns the
 * cancellation into %G_IO_ERROR_TIMED_OUT: Twisted's `addTimeout`.
 *
 * The timeout is a link of the chain, added now: links added before it see
 * %G_IO_ERROR_CANCELLED, links after it see %G_IO_ERROR_TIMED_OUT. If @self
 * fires first, the link cancels the timer, so nothing is left on @clock. If
 * both are due at the same instant, whichever the clock runs first wins:
 * the clock runs equal deadlines in the order they were scheduled.
 */
void
braid_deferred_add_timeout (BraidDeferred *self, gdouble seconds, BraidClock *clock)
{
  Timeout *timeout;

  g_return_if_fail (self != NULL);
  g_return_if_fail (BRAID_IS_CLOCK (clock));
  g_return_if_fail (seconds >= 0);

  if (braid_deferred_is_called (self))
    return;   /* nothing left to time out */

  timeout = g_rc_box_new0 (Timeout);
  timeout->deferred = braid_deferred_ref (self);
  timeout->call = g_object_ref (braid_clock_call_later_full (clock, seconds, timeout_expired,
                                                             timeout, timeout_timer_done,
                                                             braid_deferred_get_created_at (self)));
  braid_deferred_add_both (self, timeout_settle, g_rc_box_acquire (timeout),
                           timeout_link_done);
}
