/* clock-conformance.h: one suite of clock behaviour, run against every BraidClock.
 *
 * The fake clock and the real reactor must agree on what a clock does
 * (ordering, cancel, reset, re-entrancy), or a protocol tested on the fake
 * would behave differently in production. So the behaviour is written once,
 * here, and each implementation runs it through a harness:
 *
 * ```c
 * static const ClockConformanceHarness fake_harness = {
 *   .new_clock = new_fake_clock,        // returns a new, empty clock
 *   .advance = advance_fake_clock,      // braid_fake_clock_advance()
 *   .free_clock = free_fake_clock,      // g_object_unref()
 *   .time_scale = 1.0,
 * };
 * clock_conformance_add_tests ("/clock-conformance/fake-clock", &fake_harness);
 * ```
 *
 * For a real reactor, `advance` runs the reactor's main context until the
 * time has passed and nothing due is left, with a safety bound:
 *
 * ```c
 * static void
 * advance_real_reactor (BraidClock *clock, gdouble seconds)
 * {
 *   BraidTimerQueue *queue = braid_clock_get_timer_queue (clock);
 *   gdouble target = braid_clock_seconds (clock) + seconds;
 *   gint64 give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
 *   gdouble next;
 *
 *   while (braid_clock_seconds (clock) < target
 *          || (braid_timer_queue_peek_time (queue, &next) && next <= target))
 *     {
 *       g_assert_cmpint (g_get_monotonic_time (), <, give_up);
 *       g_main_context_iteration (context_of (clock), TRUE);
 *     }
 * }
 * ```
 *
 * (Blocking in g_main_context_iteration() is fine as long as the reactor's
 * timer source wakes the loop when the earliest call is due; if nothing is
 * pending and the target is in the future, add a one-shot GLib timeout for
 * the remaining time first, or iterate without blocking.)
 *
 * The tests only assert what is true of both a fake clock and a real
 * monotonic clock: a real clock may fire a call late, never early; a test
 * that checks that something has *not* fired leaves a wide margin (tens of
 * units) between "now" and the deadline.
 */
#pragma once

#include <braid-fakes.h>

G_BEGIN_DECLS

/**
 * ClockConformanceHarness:
 * @new_clock: creates a new clock with no pending call. Called once per
 *   test.
 * @advance: lets @seconds of the clock's time pass and runs what falls
 *   due. It must return only once (1) `braid_clock_seconds()` has grown by
 *   at least @seconds since the call began, and (2) every call due at that
 *   moment (deadline not after it, scheduled before @advance began) has
 *   run. For a fake clock this is `braid_fake_clock_advance()`; for a real
 *   reactor, iterate its main context until both hold (with a safety
 *   timeout that fails the test). `advance (clock, 0)` runs what is due
 *   now. A call scheduled with a zero delay *by a call running inside
 *   @advance* may run in that advance (real clock) or wait for the next
 *   (fake clock): the tests accept either.
 * @free_clock: destroys a clock. The tests cancel or fire every call they
 *   make, so nothing is pending by then.
 * @time_scale: the length, in the clock's seconds, of one time unit of the
 *   tests. Use 1.0 for a fake clock (tests then advance by a few seconds of
 *   fake time) and something like 0.01 for a real clock, so the whole suite
 *   takes about a second of real time. Delays in the tests are at most 100
 *   units.
 *
 * How a [iface@Braid.Clock] implementation is driven by the conformance
 * suite.
 */
typedef struct
{
  BraidClock *(*new_clock)  (void);
  void        (*advance)    (BraidClock *clock,
                             gdouble     seconds);
  void        (*free_clock) (BraidClock *clock);
  gdouble     time_scale;
} ClockConformanceHarness;

/**
 * clock_conformance_add_tests:
 * @prefix: the GTest path under which the tests are added, such as
 *   `"/clock-conformance/fake-clock"`
 * @harness: (not nullable): how to drive the clock; must outlive the tests
 *   (a `static const` struct is the usual way)
 *
 * Adds the conformance tests for one clock implementation. Each test ends
 * with the hygiene check (braid_assert_no_leftovers()).
 */
void clock_conformance_add_tests (const char                    *prefix,
                                  const ClockConformanceHarness *harness);

G_END_DECLS
