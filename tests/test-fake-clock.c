/* test-fake-clock.c: BraidFakeClock, and the delayed calls it makes. */
#include <string.h>

#include <braid-fakes.h>

/* Records the clock time each time it is called. */
typedef struct
{
  BraidClock *clock;
  GArray *times;     /* of gdouble */
  GString *order;    /* one letter per call */
} Recorder;

static void
recorder_init (Recorder *recorder, BraidFakeClock *clock)
{
  recorder->clock = BRAID_CLOCK (clock);
  recorder->times = g_array_new (FALSE, FALSE, sizeof (gdouble));
  recorder->order = g_string_new (NULL);
}

static void
recorder_clear (Recorder *recorder)
{
  g_array_unref (recorder->times);
  g_string_free (recorder->order, TRUE);
}

typedef struct
{
  Recorder *recorder;
  char letter;
} Mark;

static void
record_mark (gpointer data)
{
  Mark *mark = data;
  gdouble now = braid_clock_seconds (mark->recorder->clock);

  g_array_append_val (mark->recorder->times, now);
  g_string_append_c (mark->recorder->order, mark->letter);
}

static void
schedule (Recorder *recorder, gdouble delay, char letter)
{
  Mark *mark = g_new0 (Mark, 1);

  mark->recorder = recorder;
  mark->letter = letter;
  braid_clock_call_later (recorder->clock, delay, record_mark, mark, g_free);
}

static void
test_time_starts_at_zero_and_moves_only_by_advance (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 0);
  braid_fake_clock_advance (clock, 1.5);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 1.5);
  braid_fake_clock_advance (clock, 0);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 1.5);
}

static void
test_calls_fire_in_deadline_order (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;

  recorder_init (&recorder, clock);
  schedule (&recorder, 3, 'c');
  schedule (&recorder, 1, 'a');
  schedule (&recorder, 2, 'b');
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpstr (recorder.order->str, ==, "abc");
  recorder_clear (&recorder);
}

static void
test_equal_deadlines_fire_in_scheduling_order (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  const char letters[] = "abcdefghij";

  recorder_init (&recorder, clock);
  for (guint i = 0; i < 10; i++)
    schedule (&recorder, 5, letters[i]);
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpstr (recorder.order->str, ==, letters);
  recorder_clear (&recorder);
}

static void
test_each_call_sees_its_own_deadline (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;

  recorder_init (&recorder, clock);
  schedule (&recorder, 1, 'a');
  schedule (&recorder, 2.5, 'b');
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (recorder.times->len, ==, 2);
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 0), ==, 1);
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 1), ==, 2.5);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 10);
  recorder_clear (&recorder);
}

static void
test_call_is_not_early (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;

  recorder_init (&recorder, clock);
  schedule (&recorder, 2, 'a');
  braid_fake_clock_advance (clock, 1.999);
  g_assert_cmpstr (recorder.order->str, ==, "");
  braid_fake_clock_advance (clock, 0.001);
  g_assert_cmpstr (recorder.order->str, ==, "a");
  recorder_clear (&recorder);
}

/* A call that schedules another call inside the same advance. */
typedef struct
{
  Recorder *recorder;
  gdouble next_delay;
  guint remaining;
} Rearm;

static void
rearm_fire (gpointer data)
{
  Rearm *rearm = data;
  Mark mark = { rearm->recorder, 'r' };

  record_mark (&mark);
  if (rearm->remaining-- > 0)
    braid_clock_call_later (rearm->recorder->clock, rearm->next_delay, rearm_fire, rearm, NULL);
}

static void
test_call_scheduled_by_a_call_fires_within_the_same_advance (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  Rearm rearm;

  recorder_init (&recorder, clock);
  rearm = (Rearm) { &recorder, 1, 3 };
  braid_clock_call_later (BRAID_CLOCK (clock), 1, rearm_fire, &rearm, NULL);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpstr (recorder.order->str, ==, "rrrr");
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 3), ==, 4);
  recorder_clear (&recorder);
}

static void
test_zero_delay_rearm_waits_for_next_advance (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  Rearm rearm;

  recorder_init (&recorder, clock);
  rearm = (Rearm) { &recorder, 0, G_MAXUINT };
  braid_clock_call_later (BRAID_CLOCK (clock), 0, rearm_fire, &rearm, NULL);
  braid_fake_clock_advance (clock, 0);
  g_assert_cmpstr (recorder.order->str, ==, "r");
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (recorder.order->str, ==, "rr");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);

  /* Stop the loop so the test leaves nothing behind. */
  rearm.remaining = 0;
  braid_fake_clock_advance (clock, 0);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  recorder_clear (&recorder);
}

static void
test_zero_delay_rearm_does_not_block_later_calls (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  Rearm rearm;

  recorder_init (&recorder, clock);
  rearm = (Rearm) { &recorder, 0, 1 };
  braid_clock_call_later (BRAID_CLOCK (clock), 1, rearm_fire, &rearm, NULL);
  schedule (&recorder, 2, 'b');
  braid_fake_clock_advance (clock, 5);
  /* The zero-delay re-arm waits, but the call due at 2 s is not held up. */
  g_assert_cmpstr (recorder.order->str, ==, "rb");
  braid_fake_clock_advance (clock, 0);
  g_assert_cmpstr (recorder.order->str, ==, "rbr");
  recorder_clear (&recorder);
}

static void
test_pump_advances_step_by_step (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  const gdouble steps[] = { 1, 1, 1 };

  recorder_init (&recorder, clock);
  schedule (&recorder, 1, 'a');
  schedule (&recorder, 3, 'c');
  braid_fake_clock_pump (clock, steps, G_N_ELEMENTS (steps));
  g_assert_cmpstr (recorder.order->str, ==, "ac");
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 3);
  recorder_clear (&recorder);
}

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_cancel_prevents_the_call_and_frees_data (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GError) error = NULL;
  guint calls = 0;
  BraidDelayedCall *call;

  call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  braid_delayed_call_ref (call);
  g_assert_true (braid_delayed_call_active (call));
  g_assert_true (braid_delayed_call_cancel (call, &error));
  g_assert_no_error (error);
  g_assert_true (braid_delayed_call_cancelled (call));
  g_assert_false (braid_delayed_call_active (call));
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (calls, ==, 0);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_delayed_call_unref (call);
}

static void
test_cancel_twice_is_an_error (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GError) error = NULL;
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));

  g_assert_true (braid_delayed_call_cancel (call, NULL));
  g_assert_false (braid_delayed_call_cancel (call, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CANCELLED);
  g_assert_nonnull (strstr (error->message, "test-fake-clock.c"));
}

static void
test_cancel_after_call_is_an_error (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GError) error = NULL;
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));

  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_true (braid_delayed_call_called (call));
  g_assert_false (braid_delayed_call_cancel (call, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
}

static void
test_reset_moves_the_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  BraidDelayedCall *call;
  Mark mark;

  recorder_init (&recorder, clock);
  mark = (Mark) { &recorder, 'a' };
  call = braid_clock_call_later (BRAID_CLOCK (clock), 2, record_mark, &mark, NULL);
  braid_fake_clock_advance (clock, 1);
  g_assert_true (braid_delayed_call_reset (call, 5, NULL));
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 6);
  braid_fake_clock_advance (clock, 4.5);
  g_assert_cmpstr (recorder.order->str, ==, "");
  braid_fake_clock_advance (clock, 0.5);
  g_assert_cmpstr (recorder.order->str, ==, "a");
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 0), ==, 6);
  recorder_clear (&recorder);
}

static void
test_reset_earlier_and_delay (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  BraidDelayedCall *call;
  Mark mark;

  recorder_init (&recorder, clock);
  mark = (Mark) { &recorder, 'a' };
  schedule (&recorder, 3, 'b');
  call = braid_clock_call_later (BRAID_CLOCK (clock), 10, record_mark, &mark, NULL);
  g_assert_true (braid_delayed_call_reset (call, 1, NULL));
  g_assert_true (braid_delayed_call_delay (call, 1, NULL));
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 2);
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpstr (recorder.order->str, ==, "ab");
  recorder_clear (&recorder);
}

static void
test_reset_after_call_is_an_error (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GError) error = NULL;
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 0, count_call, &calls, NULL));

  braid_fake_clock_advance (clock, 0);
  g_assert_false (braid_delayed_call_reset (call, 1, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
  g_clear_error (&error);
  g_assert_false (braid_delayed_call_delay (call, 1, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
}

static void
test_negative_delay_is_a_programming_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
      guint calls = 0;

      braid_clock_call_later (BRAID_CLOCK (clock), -1, count_call, &calls, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*delay >= 0*");
}

static void
test_negative_advance_is_a_programming_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

      braid_fake_clock_advance (clock, -0.5);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*seconds >= 0*");
}

static void
test_get_delayed_calls_lists_pending_in_order (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GPtrArray) calls = NULL;
  guint count = 0;

  braid_clock_call_later (BRAID_CLOCK (clock), 3, count_call, &count, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &count, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &count, NULL);
  calls = braid_fake_clock_get_delayed_calls (clock);
  g_assert_cmpuint (calls->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (braid_delayed_call_get_time (g_ptr_array_index (calls, i)), ==, i + 1);
  g_assert_nonnull (strstr (braid_delayed_call_get_creator (g_ptr_array_index (calls, 0)),
                            "test-fake-clock.c:"));
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpuint (count, ==, 3);
}

static void
test_destroying_the_clock_cancels_pending_calls (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));
  g_autofree char *leftovers = NULL;

  g_object_unref (clock);
  g_assert_true (braid_delayed_call_cancelled (call));
  g_assert_cmpuint (calls, ==, 0);
  /* ... and the hygiene check names the call that was left behind. */
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (leftovers);
  g_assert_nonnull (strstr (leftovers, "test-fake-clock.c:"));
}

static void
test_many_timers_fire_in_order (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Recorder recorder;
  GRand *rand = g_rand_new_with_seed (42);

  recorder_init (&recorder, clock);
  for (guint i = 0; i < 10000; i++)
    schedule (&recorder, g_rand_double_range (rand, 0, 100), 'x');
  braid_fake_clock_advance (clock, 100);
  g_assert_cmpuint (recorder.times->len, ==, 10000);
  for (guint i = 1; i < recorder.times->len; i++)
    g_assert_cmpfloat (g_array_index (recorder.times, gdouble, i - 1), <=,
                       g_array_index (recorder.times, gdouble, i));
  g_rand_free (rand);
  recorder_clear (&recorder);
}

static void
test_cancel_from_the_middle_of_many (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GPtrArray) calls = g_ptr_array_new ();
  guint fired = 0;

  for (guint i = 0; i < 1000; i++)
    g_ptr_array_add (calls, braid_clock_call_later (BRAID_CLOCK (clock), (i * 7919) % 1000,
                                                    count_call, &fired, NULL));
  /* Cancel every third call; the heap must stay ordered. */
  for (guint i = 0; i < 1000; i += 3)
    g_assert_true (braid_delayed_call_cancel (g_ptr_array_index (calls, i), NULL));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 666);
  braid_fake_clock_advance (clock, 1000);
  g_assert_cmpuint (fired, ==, 666);
}

static void
noop (gpointer user_data)
{
  (void) user_data;
}

static void
test_clock_disposed_with_calls_reports_each_once (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_auto (GStrv) lines = NULL;

  braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 2, noop, NULL, NULL);
  g_object_run_dispose (G_OBJECT (clock));

  /* Dispose cancelled both calls and reported each as a leftover. */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  first = braid_hygiene_collect ();
  g_assert_nonnull (first);
  lines = g_strsplit (first, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_nonnull (strstr (lines[0], "is still pending (due at 1 s on a BraidFakeClock)"));
  g_assert_nonnull (strstr (lines[1], "is still pending (due at 2 s on a BraidFakeClock)"));

  /* The disposed clock, still alive, has nothing more to report. */
  second = braid_hygiene_collect ();
  g_assert_null (second);

  /* Finalizing runs dispose a second time, which finds nothing to clear. */
  g_object_unref (clock);
  braid_assert_no_leftovers ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidFakeClock: deterministic time, ordering, cancel, reset, re-entrancy.");

  braid_test_add_func ("/fake-clock/starts-at-zero", test_time_starts_at_zero_and_moves_only_by_advance);
  braid_test_add_func ("/fake-clock/order/deadline", test_calls_fire_in_deadline_order);
  braid_test_add_func ("/fake-clock/order/equal-deadlines", test_equal_deadlines_fire_in_scheduling_order);
  braid_test_add_func ("/fake-clock/order/own-deadline", test_each_call_sees_its_own_deadline);
  braid_test_add_func ("/fake-clock/order/not-early", test_call_is_not_early);
  braid_test_add_func ("/fake-clock/reentrancy/same-advance", test_call_scheduled_by_a_call_fires_within_the_same_advance);
  braid_test_add_func ("/fake-clock/reentrancy/zero-delay-waits", test_zero_delay_rearm_waits_for_next_advance);
  braid_test_add_func ("/fake-clock/reentrancy/zero-delay-does-not-block", test_zero_delay_rearm_does_not_block_later_calls);
  braid_test_add_func ("/fake-clock/pump", test_pump_advances_step_by_step);
  braid_test_add_func ("/fake-clock/cancel/prevents-call", test_cancel_prevents_the_call_and_frees_data);
  braid_test_add_func ("/fake-clock/cancel/twice", test_cancel_twice_is_an_error);
  braid_test_add_func ("/fake-clock/cancel/after-call", test_cancel_after_call_is_an_error);
  braid_test_add_func ("/fake-clock/cancel/middle-of-many", test_cancel_from_the_middle_of_many);
  braid_test_add_func ("/fake-clock/reset/later", test_reset_moves_the_call);
  braid_test_add_func ("/fake-clock/reset/earlier-and-delay", test_reset_earlier_and_delay);
  braid_test_add_func ("/fake-clock/reset/after-call", test_reset_after_call_is_an_error);
  braid_test_add_func ("/fake-clock/negative-delay", test_negative_delay_is_a_programming_error);
  braid_test_add_func ("/fake-clock/negative-advance", test_negative_advance_is_a_programming_error);
  braid_test_add_func ("/fake-clock/get-delayed-calls", test_get_delayed_calls_lists_pending_in_order);
  braid_test_add_func ("/fake-clock/destroy-cancels", test_destroying_the_clock_cancels_pending_calls);
  braid_test_add_func ("/fake-clock/many-timers", test_many_timers_fire_in_order);

  braid_test_add_func ("/fake-clock/disposed-with-calls", test_clock_disposed_with_calls_reports_each_once);

  return g_test_run ();
}
