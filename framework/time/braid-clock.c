/* braid-clock.c: the interface of anything that tells time and runs calls later. */
#include "config.h"

#include "time/braid-delayed-call-private.h"

/**
 * BraidClock:
 *
 * Something that tells the time and runs functions later: Twisted's
 * `IReactorTime`.
 *
 * The real reactor (`BraidGLibReactor`) is a clock on the monotonic
 * system time; `BraidFakeClock` (in libbraid-fakes) is a clock whose time
 * moves only when a test says so. Code that needs time takes a `BraidClock`
 * and never asks the system directly, so its tests run in microseconds.
 *
 * Rules every clock follows, because they are implemented once here and in
 * [struct@Braid.TimerQueue]:
 *
 * - calls fire in order of their due time; calls due at the same time fire
 *   in the order they were scheduled (or last moved);
 * - a call scheduled while the clock is firing calls never runs in that same
 *   batch, even with a zero delay: a call that re-arms itself cannot starve
 *   the rest of the program;
 * - a negative delay is a programming error.
 */
G_DEFINE_INTERFACE (BraidClock, braid_clock, G_TYPE_OBJECT)

static void
braid_clock_default_init (BraidClockInterface *iface)
{
}

/**
 * braid_clock_seconds:
 * @self: a clock
 *
 * Tells the clock's current time.
 *
 * Returns: the clock's current time, in seconds (from an arbitrary origin)
 */
gdouble
braid_clock_seconds (BraidClock *self)
{
  g_return_val_if_fail (BRAID_IS_CLOCK (self), 0);
  return BRAID_CLOCK_GET_IFACE (self)->seconds (self);
}

/**
 * braid_clock_get_timer_queue: (skip)
 * @self: a clock
 *
 * Gets the queue in which @self keeps its pending calls; for clock
 * implementations.
 *
 * Returns: (transfer none): the queue holding the clock's pending calls
 */
BraidTimerQueue *
braid_clock_get_timer_queue (BraidClock *self)
{
  g_return_val_if_fail (BRAID_IS_CLOCK (self), NULL);
  return BRAID_CLOCK_GET_IFACE (self)->get_timer_queue (self);
}

/**
 * braid_clock_call_later_full:
 * @self: a clock
 * @delay: seconds from now, zero or more
 * @func: (scope notified) (closure user_data) (destroy destroy): what to call
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data once the call is called or cancelled
 * @creator: (nullable): where the call is made from, as `"file.c:123"`
 *   (`G_STRLOC`); the braid_clock_call_later() macro fills it in
 *
 * Schedules @func to run @delay seconds from now: Twisted's `callLater`.
 *
 * ```c
 * braid_clock_call_later (clock, 1.5, print_time, NULL, NULL);
 * ```
 *
 * The clock owns the pending call. A caller that wants to keep it (in a
 * `g_autoptr (BraidDelayedCall)`, say) takes a reference of its own with
 * braid_delayed_call_ref(); dropping the clock's reference instead is caught: the
 * call logs a critical naming where it was scheduled, and stays pending.
 *
 * Returns: (transfer none): the pending call, owned by the clock until it
 *   is called or cancelled; braid_delayed_call_ref() it to keep it longer
 */
BraidDelayedCall *
braid_clock_call_later_full (BraidClock     *self,
                             gdouble         delay,
                             BraidCallFunc   func,
                             gpointer        user_data,
                             GDestroyNotify  destroy,
                             const char     *creator)
{
  BraidClockInterface *iface;
  BraidDelayedCall *call;
  gdouble now;

  g_return_val_if_fail (BRAID_IS_CLOCK (self), NULL);
  g_return_val_if_fail (delay >= 0, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  /* One interface lookup, not one per vfunc: a program may schedule
   * millions of calls (tools/bench/bench-fake-clock). */
  iface = BRAID_CLOCK_GET_IFACE (self);
  now = iface->seconds (self);
  call = braid_delayed_call_new_internal (self, now, now + delay,
                                          func, user_data, destroy, creator);
  /* The queue takes over the new call's only reference. */
  braid_timer_queue_add (iface->get_timer_queue (self), call);
  return call;
}
