#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_CLOCK (braid_clock_get_type ())
G_DECLARE_INTERFACE (BraidClock, braid_clock, BRAID, CLOCK, GObject)

/**
 * BraidClockInterface:
 * @g_iface: the parent interface
 * @seconds: returns the clock's current time, in seconds
 * @get_timer_queue: returns the queue in which the clock keeps its pending
 *   delayed calls; the clock fires them when their time comes
 *
 * The virtual methods of [iface@Braid.Clock].
 *
 * An implementation only tells the time and owns a [struct@Braid.TimerQueue];
 * [method@Braid.Clock.call_later_full] and [struct@Braid.DelayedCall] are written
 * once on top of those two, so every clock (the real reactor, the fake clock)
 * orders, cancels and resets calls in exactly the same way.
 */
struct _BraidClockInterface
{
  GTypeInterface g_iface;

  gdouble           (*seconds)         (BraidClock *self);
  BraidTimerQueue * (*get_timer_queue) (BraidClock *self);

  /*< private >*/
  gpointer padding[8];
};

gdouble           braid_clock_seconds         (BraidClock *self);

BraidDelayedCall *braid_clock_call_later_full (BraidClock     *self,
                                               gdouble         delay,
                                               BraidCallFunc   func,
                                               gpointer        user_data,
                                               GDestroyNotify  destroy,
                                               const char     *creator);

/**
 * braid_clock_call_later:
 * @self: a clock
 * @delay: seconds from now, zero or more
 * @func: what to call
 * @user_data: (closure func): passed to @func
 * @destroy: (nullable): frees @user_data once the call is called or cancelled
 *
 * Schedules @func to be called @delay seconds from now; records the place
 * in the source where it was called, so a leftover timer names its creator.
 * See [method@Braid.Clock.call_later_full].
 *
 * The clock owns the call until it is called or cancelled: do not unref
 * it, nor hold it in a `g_autoptr (BraidDelayedCall)`, without taking a
 * reference of your own first
 * (`braid_delayed_call_ref (braid_clock_call_later (…))`).
 *
 * Returns: (transfer none): the delayed call, owned by the clock
 */
#define braid_clock_call_later(self, delay, func, user_data, destroy) \
  braid_clock_call_later_full ((self), (delay), (func), (user_data), (destroy), G_STRLOC)

BraidTimerQueue  *braid_clock_get_timer_queue (BraidClock *self);

G_END_DECLS
