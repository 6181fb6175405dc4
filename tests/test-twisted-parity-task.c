/* test-twisted-parity-task.c: Twisted's twisted/test/test_task.py (Clock,
 * LoopingCall, deferLater), ported.
 *
 * Each test names the Twisted test it ports. Twisted's `task.Clock` is a
 * BraidFakeClock. Its `Clock.advance` moves time first and then fires what
 * is due, all calls seeing the new time: that is
 * braid_fake_clock_jump(); braid_fake_clock_advance() steps through each
 * deadline instead. Tests where the two give the same answer use advance;
 * tests of late calls use jump, and say so. A Twisted looping function
 * with arguments is a BraidLoopingFunc with user data; `withCount`'s count
 * is its @intervals argument, always given. */
#include <math.h>

#include <braid-fakes.h>

/* ---------------------------------------------------------------------- */
/* ClockTests */

typedef struct
{
  BraidClock *clock;
  GString *log;   /* "name@time " for each call */
} TimeLog;

typedef struct
{
  TimeLog *log;
  const char *name;
} LogTime;

static void
log_time (gpointer data)
{
  LogTime *entry = data;

  g_string_append_printf (entry->log->log, "%s@%g ", entry->name,
                          braid_clock_seconds (entry->log->clock));
}

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

/* twisted.test.test_task.ClockTests.testSeconds */
static void
test_seconds (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 0);
}

/* twisted.test.test_task.ClockTests.testCallLater */
static void
test_call_later (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);

  g_assert_nonnull (call);   /* IDelayedCall.providedBy (call) */
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 1);
  g_assert_true (braid_delayed_call_active (call));
  braid_delayed_call_cancel (call, NULL);
}

/* twisted.test.test_task.ClockTests.testCallLaterCancelled */
static void
test_call_later_cancelled (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1,
                                                                           count_call, &calls, NULL));

  g_assert_true (braid_delayed_call_cancel (call, NULL));
  g_assert_false (braid_delayed_call_active (call));
  braid_delayed_call_unref (call);
}

/* twisted.test.test_task.ClockTests.test_callLaterOrdering */
static void
test_call_later_ordering (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *one = braid_clock_call_later (BRAID_CLOCK (clock), 10, count_call, &calls, NULL);
  BraidDelayedCall *two = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);

  g_assert_true (one != two);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (calls, ==, 2);
}

/* twisted.test.test_task.ClockTests.testAdvance */
static void
test_advance (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 2,
                                                                           count_call, &calls, NULL));

  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 0);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_false (braid_delayed_call_active (call));
  braid_delayed_call_unref (call);
}

/* twisted.test.test_task.ClockTests.testAdvanceCancel */
typedef struct
{
  BraidDelayedCall *call;
  gboolean already_called;
} CancelInside;

static void
cancel_own_call (gpointer data)
{
  CancelInside *inside = data;
  g_autoptr (GError) error = NULL;

  g_assert_false (braid_delayed_call_cancel (inside->call, &error));
  inside->already_called = g_error_matches (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
}

static void
test_advance_cancel (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  CancelInside inside = { 0 };

  inside.call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1,
                                                                cancel_own_call, &inside, NULL));
  braid_fake_clock_advance (clock, 1);
  g_assert_true (inside.already_called);
  braid_delayed_call_unref (inside.call);
}

/* twisted.test.test_task.ClockTests.testCallLaterDelayed */
static void
test_call_later_delayed (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);

  g_assert_true (braid_delayed_call_delay (call, 1, NULL));
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 2);
  braid_fake_clock_advance (clock, 1.5);
  g_assert_cmpuint (calls, ==, 0);
  braid_fake_clock_advance (clock, 1.0);
  g_assert_cmpuint (calls, ==, 1);
}

/* twisted.test.test_task.ClockTests.testCallLaterResetLater */
static void
test_call_later_reset_later (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &calls, NULL);

  braid_fake_clock_advance (clock, 1);
  g_assert_true (braid_delayed_call_reset (call, 3, NULL));
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 4);
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (calls, ==, 0);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

/* twisted.test.test_task.ClockTests.testCallLaterResetSooner */
static void
test_call_later_reset_sooner (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 4, count_call, &calls, NULL);

  g_assert_true (braid_delayed_call_reset (call, 3, NULL));
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 3);
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpuint (calls, ==, 1);
}

/* twisted.test.test_task.ClockTests.test_getDelayedCalls */
static void
test_get_delayed_calls (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *one = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  BraidDelayedCall *two = braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &calls, NULL);
  g_autoptr (GPtrArray) pending = braid_fake_clock_get_delayed_calls (clock);

  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_true (g_ptr_array_find (pending, one, NULL));
  g_assert_true (g_ptr_array_find (pending, two, NULL));
  braid_fake_clock_advance (clock, 2);
}

/* twisted.test.test_task.ClockTests.test_getDelayedCallsEmpty */
static void
test_get_delayed_calls_empty (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GPtrArray) pending = braid_fake_clock_get_delayed_calls (clock);

  g_assert_cmpuint (pending->len, ==, 0);
}

/* twisted.test.test_task.ClockTests.test_providesIReactorTime */
static void
test_provides_ireactor_time (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  g_assert_true (BRAID_IS_CLOCK (clock));
}

/* twisted.test.test_task.ClockTests.test_callLaterKeepsCallsOrdered */
static void
test_call_later_keeps_calls_ordered (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  TimeLog log = { BRAID_CLOCK (clock), g_string_new (NULL) };
  LogTime a = { &log, "a" }, b = { &log, "b" };
  const gdouble steps[] = { 1, 1, 1 };
  BraidDelayedCall *call_a = braid_clock_call_later (log.clock, 1.0, log_time, &a, NULL);

  braid_delayed_call_reset (call_a, 3.0, NULL);
  braid_clock_call_later (log.clock, 2.0, log_time, &b, NULL);
  braid_fake_clock_pump (clock, steps, G_N_ELEMENTS (steps));
  g_assert_cmpstr (log.log->str, ==, "b@2 a@3 ");
  g_string_free (log.log, TRUE);
}

/* twisted.test.test_task.ClockTests.test_callLaterResetKeepsCallsOrdered */
static void
test_call_later_reset_keeps_calls_ordered (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  TimeLog log = { BRAID_CLOCK (clock), g_string_new (NULL) };
  LogTime a = { &log, "a" }, b = { &log, "b" };
  const gdouble steps[] = { 1, 1, 1 };
  BraidDelayedCall *call_a = braid_clock_call_later (log.clock, 1.0, log_time, &a, NULL);

  braid_clock_call_later (log.clock, 2.0, log_time, &b, NULL);
  braid_delayed_call_reset (call_a, 3.0, NULL);
  braid_fake_clock_pump (clock, steps, G_N_ELEMENTS (steps));
  g_assert_cmpstr (log.log->str, ==, "b@2 a@3 ");
  g_string_free (log.log, TRUE);
}

/* twisted.test.test_task.ClockTests.test_callLaterResetInsideCallKeepsCallsOrdered */
static void
reset_b_to_three (gpointer data)
{
  braid_delayed_call_reset (data, 3.0, NULL);
}

static void
test_call_later_reset_inside_call_keeps_calls_ordered (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  TimeLog log = { BRAID_CLOCK (clock), g_string_new (NULL) };
  LogTime b = { &log, "b" }, c = { &log, "c" };
  gdouble steps[10];
  BraidDelayedCall *call_b = braid_clock_call_later (log.clock, 2.0, log_time, &b, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    steps[i] = 0.5;
  braid_clock_call_later (log.clock, 1.0, reset_b_to_three, call_b, NULL);
  braid_clock_call_later (log.clock, 3.0, log_time, &c, NULL);
  braid_fake_clock_pump (clock, steps, G_N_ELEMENTS (steps));
  g_assert_cmpstr (log.log->str, ==, "c@3 b@4 ");
  g_string_free (log.log, TRUE);
}

/* ---------------------------------------------------------------------- */
/* LoopTests and ReactorLoopTests: LoopingCall on a fake clock */

typedef struct
{
  BraidFakeClock *clock;
  GArray *times;        /* gdouble: the clock's time at each call */
  GArray *counts;       /* guint64: the intervals argument of each call */
  gdouble call_duration; /* advance the clock by this inside each call */
  guint stop_after;     /* stop the loop at this call (0: never) */
  guint wait_on_call;   /* hand over `waited` at this call (0: never) */
  BraidDeferred *waited;
} Looper;

static void
looper_init (Looper *looper, BraidFakeClock *clock)
{
  *looper = (Looper) { 0 };
  looper->clock = clock;
  looper->times = g_array_new (FALSE, FALSE, sizeof (gdouble));
  looper->counts = g_array_new (FALSE, FALSE, sizeof (guint64));
}

static void
looper_clear (Looper *looper)
{
  g_array_unref (looper->times);
  g_array_unref (looper->counts);
}

static gboolean
looper_tick (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  Looper *looper = user_data;
  gdouble now = braid_clock_seconds (BRAID_CLOCK (looper->clock));

  g_array_append_val (looper->times, now);
  g_array_append_val (looper->counts, intervals);
  if (looper->call_duration > 0)
    braid_fake_clock_advance (looper->clock, looper->call_duration);
  if (looper->times->len == looper->wait_on_call)
    braid_looping_call_wait_for (call, looper->waited);
  if (looper->times->len == looper->stop_after)
    braid_looping_call_stop (call);
  return TRUE;
}

static void
assert_counts (Looper *looper, const guint64 *expected, guint n)
{
  g_assert_cmpuint (looper->counts->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (looper->counts, guint64, i), ==, expected[i]);
}

static void
assert_times (Looper *looper, const gdouble *expected, guint n)
{
  g_assert_cmpuint (looper->times->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (looper->times, gdouble, i), expected[i], 1e-9);
}

/* twisted.test.test_task.LoopTests.test_callbackTimeSkips: the function
 * advances the clock itself (a re-entrant advance). */
static void
test_callback_time_skips (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  looper.call_duration = 2;
  braid_looping_call_start (loop, 0.5, TRUE);
  assert_times (&looper, (gdouble[]) { 0 }, 1);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 2);

  /* 2 is the present, not the future: skipped. */
  braid_fake_clock_advance (clock, 0);
  assert_times (&looper, (gdouble[]) { 0 }, 1);

  looper.call_duration = 1;
  braid_fake_clock_advance (clock, 0.5);
  assert_times (&looper, (gdouble[]) { 0, 2.5 }, 2);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 3.5);

  braid_fake_clock_advance (clock, 0);
  assert_times (&looper, (gdouble[]) { 0, 2.5 }, 2);

  looper.call_duration = 0;
  braid_fake_clock_advance (clock, 0.5);
  assert_times (&looper, (gdouble[]) { 0, 2.5, 4 }, 3);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 4);

  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_reactorTimeSkips (Twisted's
 * Clock.advance is braid_fake_clock_jump). */
static void
test_reactor_time_skips (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0.5, TRUE);
  assert_times (&looper, (gdouble[]) { 0 }, 1);

  braid_fake_clock_jump (clock, 2);
  assert_times (&looper, (gdouble[]) { 0, 2 }, 2);
  braid_fake_clock_jump (clock, 1);
  assert_times (&looper, (gdouble[]) { 0, 2, 3 }, 3);
  braid_fake_clock_jump (clock, 0);
  assert_times (&looper, (gdouble[]) { 0, 2, 3 }, 3);

  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_reactorTimeCountSkips (jump) */
static void
test_reactor_time_count_skips (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  const gdouble interval = 0.5, realistic_delay = 0.01;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, interval, TRUE);
  assert_counts (&looper, (guint64[]) { 1 }, 1);

  braid_fake_clock_jump (clock, interval + realistic_delay);
  assert_counts (&looper, (guint64[]) { 1, 1 }, 2);

  braid_fake_clock_jump (clock, 3 * interval + realistic_delay);
  assert_counts (&looper, (guint64[]) { 1, 1, 3 }, 3);
  assert_times (&looper, (gdouble[]) { 0, interval + realistic_delay,
                                       4 * interval + 2 * realistic_delay }, 3);

  braid_fake_clock_jump (clock, 0);
  assert_counts (&looper, (guint64[]) { 1, 1, 3 }, 3);

  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* The same with braid_fake_clock_advance(), which steps through every
 * deadline: no tick is missed, so none is counted twice and the function
 * runs at each tick (Braid's own rule, not a Twisted test). */
static void
test_advance_steps_through_every_tick (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0.5, TRUE);
  braid_fake_clock_advance (clock, 2);
  assert_times (&looper, (gdouble[]) { 0, 0.5, 1, 1.5, 2 }, 5);
  assert_counts (&looper, (guint64[]) { 1, 1, 1, 1, 1 }, 5);
  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_countLengthyIntervalCounts (jump) */
static void
test_count_lengthy_interval_counts (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  const gdouble interval = 0.5, realistic_delay = 0.01;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, interval, TRUE);
  braid_fake_clock_jump (clock, interval + realistic_delay);
  braid_fake_clock_jump (clock, interval * 1.75);
  braid_fake_clock_jump (clock, interval * 0.25);
  assert_counts (&looper, (guint64[]) { 1, 1, 1, 1 }, 4);
  assert_times (&looper, (gdouble[]) { 0, interval + realistic_delay,
                                       2.75 * interval + realistic_delay,
                                       3.0 * interval + realistic_delay }, 4);
  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_withCountFloatingPointBoundary */
static void
test_with_count_floating_point_boundary (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  const guint count = 10;
  const gdouble timespan = 1.0, interval = timespan / count;
  gdouble sum = 0, epsilon;
  guint64 total = 0;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, interval, FALSE);
  for (guint i = 0; i < count; i++)
    {
      braid_fake_clock_jump (clock, interval);
      sum += interval;
    }
  epsilon = timespan - sum;
  braid_fake_clock_jump (clock, epsilon);
  g_assert_cmpfloat (fabs (epsilon), >, 0.0);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), >=, timespan);
  for (guint i = 0; i < looper.counts->len; i++)
    {
      g_assert_cmpuint (g_array_index (looper.counts, guint64, i), !=, 0);
      total += g_array_index (looper.counts, guint64, i);
    }
  g_assert_cmpuint (total, ==, count);
  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_withCountIntervalZero. Braid
 * deviates: a call re-armed with a zero delay during an advance waits for
 * the next advance (so a loop of interval 0 cannot make an advance spin
 * forever), where Twisted runs all five calls in one advance (0). */
static void
test_with_count_interval_zero (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  BraidDeferred *deferred;

  looper_init (&looper, clock);
  looper.stop_after = 5;
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0, FALSE);
  deferred = braid_looping_call_get_deferred (loop);
  for (guint i = 0; i < 5; i++)
    braid_fake_clock_advance (clock, 0);
  g_assert_true (braid_assert_success_result (deferred) == loop);
  assert_counts (&looper, (guint64[]) { 1, 1, 1, 1, 1 }, 5);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_withCountIntervalZeroDelay (one
 * advance (0) per zero-delay call, as above). */
static void
test_with_count_interval_zero_delay (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) waited = braid_deferred_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  looper.wait_on_call = 2;
  looper.waited = waited;
  looper.stop_after = 5;
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0, FALSE);

  braid_fake_clock_advance (clock, 0);
  braid_fake_clock_advance (clock, 0);
  assert_counts (&looper, (guint64[]) { 1, 1 }, 2);
  braid_fake_clock_advance (clock, 2);
  assert_counts (&looper, (guint64[]) { 1, 1 }, 2);

  braid_deferred_callback (waited, NULL, NULL);
  for (guint i = 0; i < 3; i++)
    braid_fake_clock_advance (clock, 0);
  assert_counts (&looper, (guint64[]) { 1, 1, 1, 1, 1 }, 5);
  g_assert_false (braid_looping_call_is_running (loop));
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.test_withCountIntervalZeroDelayThenNonZeroInterval
 * (jump; one more advance (0) for the zero-delay call, as above). */
static void
test_with_count_interval_zero_delay_then_non_zero_interval (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) waited = braid_deferred_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  looper.wait_on_call = 2;
  looper.waited = waited;
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0, FALSE);

  braid_fake_clock_jump (clock, 10);
  braid_fake_clock_jump (clock, 0);
  assert_counts (&looper, (guint64[]) { 1, 1 }, 2);

  braid_looping_call_set_interval (loop, 2);
  braid_deferred_callback (waited, NULL, NULL);

  braid_fake_clock_jump (clock, 7);
  assert_counts (&looper, (guint64[]) { 1, 1, 3 }, 3);
  braid_fake_clock_jump (clock, 2);
  assert_counts (&looper, (guint64[]) { 1, 1, 3, 1 }, 4);
  braid_fake_clock_jump (clock, 4);
  assert_counts (&looper, (guint64[]) { 1, 1, 3, 1, 2 }, 5);

  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.testBasicFunction */
static void
test_basic_function (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  const gdouble timings[] = { 0.05, 0.1, 0.1 };
  BraidDeferred *deferred;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0.1, TRUE);
  deferred = braid_deferred_ref (braid_looping_call_get_deferred (loop));
  braid_fake_clock_pump (clock, timings, G_N_ELEMENTS (timings));
  g_assert_cmpuint (looper.times->len, ==, 3);
  braid_looping_call_stop (loop);
  g_assert_true (braid_assert_success_result (deferred) == loop);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_deferred_unref (deferred);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.testDelayedStart */
static void
test_delayed_start (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  const gdouble timings[] = { 0.05, 0.1, 0.1 };
  BraidDeferred *deferred;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0.1, FALSE);
  deferred = braid_looping_call_get_deferred (loop);
  braid_fake_clock_pump (clock, timings, G_N_ELEMENTS (timings));
  g_assert_cmpuint (looper.times->len, ==, 2);
  braid_looping_call_stop (loop);
  g_assert_true (braid_assert_success_result (deferred) == loop);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.testBadDelay */
static void
test_bad_delay (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
      Looper looper;
      g_autoptr (BraidLoopingCall) loop = NULL;

      looper_init (&looper, clock);
      loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
      braid_looping_call_start (loop, -1, TRUE);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*interval >= 0*");
}

/* twisted.test.test_task.LoopTests._stoppingTest */
static void
stopping_test (gdouble delay)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, delay, FALSE);
  braid_looping_call_stop (loop);
  g_assert_cmpuint (looper.times->len, ==, 0);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  looper_clear (&looper);
}

/* twisted.test.test_task.LoopTests.testStopAtOnce */
static void
test_stop_at_once (void)
{
  stopping_test (0);
}

/* twisted.test.test_task.LoopTests.testStoppingBeforeDelayedStart */
static void
test_stopping_before_delayed_start (void)
{
  stopping_test (10);
}

/* twisted.test.test_task.LoopTests.test_reset */
static void
test_reset (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 2, FALSE);
  braid_fake_clock_advance (clock, 1);
  braid_looping_call_reset (loop);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (looper.times->len, ==, 0);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (looper.times->len, ==, 1);
  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

static gboolean
fail_with_bar (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  if (GPOINTER_TO_INT (user_data))
    braid_looping_call_stop (call);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "bar");
  return FALSE;
}

static void
run_failing_loop (gboolean stop_first)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidLoopingCall) loop =
    braid_looping_call_new (BRAID_CLOCK (clock), fail_with_bar, GINT_TO_POINTER (stop_first), NULL);
  g_autoptr (GError) error = NULL;

  braid_looping_call_start (loop, 0.1, TRUE);
  error = braid_assert_failure_result (braid_looping_call_get_deferred (loop),
                                       G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "bar");
  g_assert_false (braid_looping_call_is_running (loop));
}

/* twisted.test.test_task.ReactorLoopTests.testFailure */
static void
test_failure (void)
{
  run_failing_loop (FALSE);
}

/* twisted.test.test_task.ReactorLoopTests.testFailAndStop */
static void
test_fail_and_stop (void)
{
  run_failing_loop (TRUE);
}

/* twisted.test.test_task.ReactorLoopTests.testEveryIteration (on a fake
 * clock, one advance (0) per zero-delay call) */
static void
test_every_iteration (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;
  BraidDeferred *deferred;

  looper_init (&looper, clock);
  looper.stop_after = 6;
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0, TRUE);
  deferred = braid_looping_call_get_deferred (loop);
  for (guint i = 0; i < 10; i++)
    braid_fake_clock_advance (clock, 0);
  braid_assert_success_result (deferred);
  g_assert_cmpuint (looper.times->len, ==, 6);
  looper_clear (&looper);
}

/* twisted.test.test_task.ReactorLoopTests.testStopAtOnceLater (on a fake
 * clock) */
static void
stop_loop (gpointer data)
{
  braid_looping_call_stop (data);
}

static void
test_stop_at_once_later (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 1, FALSE);
  braid_clock_call_later (BRAID_CLOCK (clock), 0, stop_loop, loop, NULL);
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpuint (looper.times->len, ==, 0);
  looper_clear (&looper);
}

/* twisted.test.test_task.ReactorLoopTests.testWaitDeferred */
typedef struct
{
  BraidFakeClock *clock;
  BraidDeferred *deferred;
} WaitState;

static void
fire_waited (gpointer data)
{
  braid_deferred_callback (data, NULL, NULL);
}

static void
stop_when_fired (BraidResult *result, gpointer data)
{
  braid_looping_call_stop (data);
}

static gboolean
wait_a_second (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  WaitState *state = user_data;

  g_clear_pointer (&state->deferred, braid_deferred_unref);
  state->deferred = braid_deferred_new ();
  braid_deferred_add_callback (state->deferred, stop_when_fired, call, NULL);
  braid_clock_call_later (BRAID_CLOCK (state->clock), 1, fire_waited, state->deferred, NULL);
  braid_looping_call_wait_for (call, state->deferred);
  return TRUE;
}

static void
test_wait_deferred (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  WaitState state = { clock, NULL };
  g_autoptr (BraidLoopingCall) loop =
    braid_looping_call_new (BRAID_CLOCK (clock), wait_a_second, &state, NULL);
  const gdouble timings[] = { 0.2, 0.8 };

  braid_looping_call_start (loop, 0.2, TRUE);
  braid_fake_clock_pump (clock, timings, G_N_ELEMENTS (timings));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  g_assert_false (braid_looping_call_is_running (loop));
  braid_assert_success_result (braid_looping_call_get_deferred (loop));
  g_clear_pointer (&state.deferred, braid_deferred_unref);
}

/* twisted.test.test_task.ReactorLoopTests.testFailurePropagation */
static void
fail_waited (gpointer data)
{
  braid_deferred_errback (data, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "TestException"));
}

static gboolean
fail_later (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  WaitState *state = user_data;

  state->deferred = braid_deferred_new ();
  braid_clock_call_later (BRAID_CLOCK (state->clock), 0.3, fail_waited, state->deferred, NULL);
  braid_looping_call_wait_for (call, state->deferred);
  return TRUE;
}

static void
test_failure_propagation (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  WaitState state = { clock, NULL };
  g_autoptr (BraidLoopingCall) loop =
    braid_looping_call_new (BRAID_CLOCK (clock), fail_later, &state, NULL);
  const gdouble timings[] = { 0.3 };
  g_autoptr (GError) error = NULL;

  braid_looping_call_start (loop, 1, TRUE);
  braid_fake_clock_pump (clock, timings, G_N_ELEMENTS (timings));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  error = braid_assert_failure_result (braid_looping_call_get_deferred (loop),
                                       G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "TestException");
  g_clear_pointer (&state.deferred, braid_deferred_unref);
}

/* twisted.test.test_task.ReactorLoopTests.test_deferredWithCount (jump) */
static void
test_deferred_with_count (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) waited = braid_deferred_new ();
  Looper looper;
  g_autoptr (BraidLoopingCall) loop = NULL;

  looper_init (&looper, clock);
  looper.wait_on_call = 1;
  looper.waited = waited;
  loop = braid_looping_call_new (BRAID_CLOCK (clock), looper_tick, &looper, NULL);
  braid_looping_call_start (loop, 0.2, FALSE);
  g_assert_cmpuint (looper.counts->len, ==, 0);

  braid_fake_clock_jump (clock, 0.2);
  braid_fake_clock_jump (clock, 0.4);
  g_assert_cmpuint (looper.counts->len, ==, 1);

  braid_deferred_callback (waited, NULL, NULL);
  braid_fake_clock_jump (clock, 0.2);
  assert_counts (&looper, (guint64[]) { 1, 3 }, 2);

  braid_looping_call_stop (loop);
  looper_clear (&looper);
}

/* ---------------------------------------------------------------------- */
/* DeferLaterTests */

static void
return_flag (BraidResult *result, gpointer data)
{
  (*(guint *) data)++;
  braid_result_set_value (result, (gpointer) "flag", NULL);
}

/* twisted.test.test_task.DeferLaterTests.test_callback */
static void
test_defer_later_callback (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDeferred) deferred =
    braid_defer_later (BRAID_CLOCK (clock), 3, return_flag, &calls, NULL);

  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (calls, ==, 0);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpstr (braid_assert_success_result (deferred), ==, "flag");
}

static void
raise_test_exception (BraidResult *result, gpointer data)
{
  braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_FAILED, "TestException");
}

/* twisted.test.test_task.DeferLaterTests.test_errback */
static void
test_defer_later_errback (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) deferred =
    braid_defer_later (BRAID_CLOCK (clock), 1, raise_test_exception, NULL, NULL);
  g_autoptr (GError) error = NULL;

  braid_fake_clock_advance (clock, 1);
  error = braid_assert_failure_result (deferred, G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* twisted.test.test_task.DeferLaterTests.test_cancel */
static void
test_defer_later_cancel (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDeferred) deferred =
    braid_defer_later (BRAID_CLOCK (clock), 1, return_flag, &calls, NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (deferred);
  error = braid_assert_failure_result (deferred, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  g_assert_cmpuint (calls, ==, 0);
}

/* twisted.test.test_task.DeferLaterTests.test_noCallback */
static void
test_defer_later_no_callback (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) deferred =
    braid_defer_later (BRAID_CLOCK (clock), 2.0, NULL, NULL, NULL);

  braid_assert_no_result (deferred);
  braid_fake_clock_advance (clock, 2.0);
  g_assert_null (braid_assert_success_result (deferred));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(klass, name, func) \
  braid_test_add_func ("/twisted-parity/task/" klass "/" name, func)

  ADD ("ClockTests", "testSeconds", test_seconds);
  ADD ("ClockTests", "testCallLater", test_call_later);
  ADD ("ClockTests", "testCallLaterCancelled", test_call_later_cancelled);
  ADD ("ClockTests", "test_callLaterOrdering", test_call_later_ordering);
  ADD ("ClockTests", "testAdvance", test_advance);
  ADD ("ClockTests", "testAdvanceCancel", test_advance_cancel);
  ADD ("ClockTests", "testCallLaterDelayed", test_call_later_delayed);
  ADD ("ClockTests", "testCallLaterResetLater", test_call_later_reset_later);
  ADD ("ClockTests", "testCallLaterResetSooner", test_call_later_reset_sooner);
  ADD ("ClockTests", "test_getDelayedCalls", test_get_delayed_calls);
  ADD ("ClockTests", "test_getDelayedCallsEmpty", test_get_delayed_calls_empty);
  ADD ("ClockTests", "test_providesIReactorTime", test_provides_ireactor_time);
  ADD ("ClockTests", "test_callLaterKeepsCallsOrdered", test_call_later_keeps_calls_ordered);
  ADD ("ClockTests", "test_callLaterResetKeepsCallsOrdered", test_call_later_reset_keeps_calls_ordered);
  ADD ("ClockTests", "test_callLaterResetInsideCallKeepsCallsOrdered",
       test_call_later_reset_inside_call_keeps_calls_ordered);
  ADD ("LoopTests", "test_callbackTimeSkips", test_callback_time_skips);
  ADD ("LoopTests", "test_reactorTimeSkips", test_reactor_time_skips);
  ADD ("LoopTests", "test_reactorTimeCountSkips", test_reactor_time_count_skips);
  ADD ("LoopTests", "advance-steps-through-every-tick", test_advance_steps_through_every_tick);
  ADD ("LoopTests", "test_countLengthyIntervalCounts", test_count_lengthy_interval_counts);
  ADD ("LoopTests", "test_withCountFloatingPointBoundary", test_with_count_floating_point_boundary);
  ADD ("LoopTests", "test_withCountIntervalZero", test_with_count_interval_zero);
  ADD ("LoopTests", "test_withCountIntervalZeroDelay", test_with_count_interval_zero_delay);
  ADD ("LoopTests", "test_withCountIntervalZeroDelayThenNonZeroInterval",
       test_with_count_interval_zero_delay_then_non_zero_interval);
  ADD ("LoopTests", "testBasicFunction", test_basic_function);
  ADD ("LoopTests", "testDelayedStart", test_delayed_start);
  ADD ("LoopTests", "testBadDelay", test_bad_delay);
  ADD ("LoopTests", "testStopAtOnce", test_stop_at_once);
  ADD ("LoopTests", "testStoppingBeforeDelayedStart", test_stopping_before_delayed_start);
  ADD ("LoopTests", "test_reset", test_reset);
  ADD ("ReactorLoopTests", "testFailure", test_failure);
  ADD ("ReactorLoopTests", "testFailAndStop", test_fail_and_stop);
  ADD ("ReactorLoopTests", "testEveryIteration", test_every_iteration);
  ADD ("ReactorLoopTests", "testStopAtOnceLater", test_stop_at_once_later);
  ADD ("ReactorLoopTests", "testWaitDeferred", test_wait_deferred);
  ADD ("ReactorLoopTests", "testFailurePropagation", test_failure_propagation);
  ADD ("ReactorLoopTests", "test_deferredWithCount", test_deferred_with_count);
  ADD ("DeferLaterTests", "test_callback", test_defer_later_callback);
  ADD ("DeferLaterTests", "test_errback", test_defer_later_errback);
  ADD ("DeferLaterTests", "test_cancel", test_defer_later_cancel);
  ADD ("DeferLaterTests", "test_noCallback", test_defer_later_no_callback);

  return g_test_run ();
}
