/* braid-deferred-timeout.c: cancelling a deferred that takes too long.
 *
 * The only part of deferreds that needs a clock, so it sits apart from the
 * chain (braid-deferred.c), which knows nothing of time. It uses only the
 * public API of deferreds and clocks. */
#include "config.h"

#include "deferred/braid-deferred.h"
#include "deferred/braid-result.h"
#include "time/braid-clock.h"
#include "time/braid-deferred-timeout.h"
#include "time/braid-delayed-call.h"

/* add_timeout: the timer, and the link that turns its cancellation into a
 * timeout. Shared by the delayed call and the deferred's chain. */
typedef struct
{
  BraidDeferred *deferred;   /* held until the timer fires or is cancelled */
  BraidDelayedCall *call;    /* held until freed */
  gboolean timed_out;
  BraidCallback on_timeout_cancel;   /* NULL: the default conversion */
  gpointer on_timeout_cancel_data;
  GDestroyNotify on_timeout_cancel_destroy;
} Timeout;

static void
timeout_release (gpointer data)
{
  Timeout *timeout = data;

  g_clear_pointer (&timeout->call, braid_delayed_call_unref);
  if (timeout->on_timeout_cancel_destroy != NULL)
    timeout->on_timeout_cancel_destroy (timeout->on_timeout_cancel_data);
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

  if (timeout->timed_out && timeout->on_timeout_cancel != NULL)
    timeout->on_timeout_cancel (result, timeout->on_timeout_cancel_data);
  else if (timeout->timed_out)
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
 *
 * To do something else when it times out, use
 * braid_deferred_add_timeout_full().
 */
void
braid_deferred_add_timeout (BraidDeferred *self, gdouble seconds, BraidClock *clock)
{
  braid_deferred_add_timeout_full (self, seconds, clock, NULL, NULL, NULL);
}

/**
 * braid_deferred_add_timeout_full:
 * @self: a deferred
 * @seconds: how long to wait, zero or more
 * @clock: the clock that measures it (the reactor, or a fake clock in tests)
 * @on_timeout_cancel: (nullable) (scope notified) (closure user_data)
 *   (destroy destroy): runs on the result if, and only if, @self timed out;
 *   %NULL turns %G_IO_ERROR_CANCELLED into %G_IO_ERROR_TIMED_OUT
 * @user_data: passed to @on_timeout_cancel
 * @destroy: (nullable): frees @user_data once the timeout is settled
 *   (@self fired, timed out, or was freed)
 *
 * braid_deferred_add_timeout() with a hook that decides what a timeout
 * means: Twisted's `addTimeout (timeout, clock, onTimeoutCancel)`.
 *
 * When @seconds pass first, @self is cancelled and @on_timeout_cancel runs
 * as a link of the chain, at the timeout's place, on whatever result the
 * cancellation left (usually %G_IO_ERROR_CANCELLED; a value if the
 * canceller answered with one). Like any callback, it may leave the result,
 * replace it with a value (a default answer, say) or with another error.
 * It does not run when @self fires in time, nor when @self is cancelled
 * some other way before the timeout.
 *
 * Twisted also passes the timeout's length to the hook; in C, put it in
 * @user_data if the hook needs it.
 */
void
braid_deferred_add_timeout_full (BraidDeferred  *self,
                                 gdouble         seconds,
                                 BraidClock     *clock,
                                 BraidCallback   on_timeout_cancel,
                                 gpointer        user_data,
                                 GDestroyNotify  destroy)
{
  Timeout *timeout;

  g_return_if_fail (self != NULL);
  g_return_if_fail (BRAID_IS_CLOCK (clock));
  g_return_if_fail (seconds >= 0);

  if (braid_deferred_is_called (self))
    {
      /* Nothing left to time out. */
      if (destroy != NULL)
        destroy (user_data);
      return;
    }

  timeout = g_rc_box_new0 (Timeout);
  timeout->deferred = braid_deferred_ref (self);
  timeout->on_timeout_cancel = on_timeout_cancel;
  timeout->on_timeout_cancel_data = user_data;
  timeout->on_timeout_cancel_destroy = destroy;
  timeout->call = braid_delayed_call_ref (braid_clock_call_later_full (clock, seconds, timeout_expired,
                                                                       timeout, timeout_timer_done,
                                                                       braid_deferred_get_created_at (self)));
  braid_deferred_add_both (self, timeout_settle, g_rc_box_acquire (timeout),
                           timeout_link_done);
}
