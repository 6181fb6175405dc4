/* clock-conformance.c: the behaviour every BraidClock shares.
 *
 * See clock-conformance.h for the harness. Times are written in units
 * (U(n) = n * time_scale) so that a real clock runs the suite in about a
 * second and a fake one in no time. */
#include <string.h>

#include "clock-conformance.h"

typedef void (*ConformanceTest) (const ClockConformanceHarness *harness);

typedef struct
{
  const ClockConformanceHarness *harness;
  ConformanceTest test;
} ConformanceCase;

/* A test's clock and what its calls record. */
typedef struct
{
  const ClockConformanceHarness *harness;
  BraidClock *clock;
  GString *order;           /* one letter per call, in firing order */
  GArray *deadlines;        /* each call's own deadline, in firing order */
  GArray *fired_at;         /* seconds() seen by each call */
  gboolean inside_a_call;
  gboolean nested_call;     /* a call ran inside another call */
} Fixture;

typedef struct
{
  Fixture *fixture;
  char letter;
  BraidDelayedCall *call;   /* not owned: set once scheduled */
  BraidDelayedCall *victim; /* not owned: a call to cancel, or NULL */
  gboolean rearm;           /* schedule a zero-delay follower */
  gboolean *freed;          /* set by the destroy notify, or NULL */
} Mark;

static gdouble
U (Fixture *fixture, gdouble units)
{
  return units * fixture->harness->time_scale;
}

static void
fixture_init (Fixture *fixture, const ClockConformanceHarness *harness)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->harness = harness;
  fixture->clock = harness->new_clock ();
  fixture->order = g_string_new (NULL);
  fixture->deadlines = g_array_new (FALSE, FALSE, sizeof (gdouble));
  fixture->fired_at = g_array_new (FALSE, FALSE, sizeof (gdouble));
}

static void
fixture_clear (Fixture *fixture)
{
  fixture->harness->free_clock (fixture->clock);
  g_string_free (fixture->order, TRUE);
  g_array_unref (fixture->deadlines);
  g_array_unref (fixture->fired_at);
}

static void
advance (Fixture *fixture, gdouble units)
{
  fixture->harness->advance (fixture->clock, U (fixture, units));
}

static void schedule_follower (Fixture *fixture);

static void
mark_fired (gpointer data)
{
  Mark *mark = data;
  Fixture *fixture = mark->fixture;
  gdouble now = braid_clock_seconds (fixture->clock);
  gdouble deadline = braid_delayed_call_get_time (mark->call);

  if (fixture->inside_a_call)
    fixture->nested_call = TRUE;
  fixture->inside_a_call = TRUE;

  /* While it runs, a call already counts as called. */
  g_assert_true (braid_delayed_call_called (mark->call));
  g_assert_false (braid_delayed_call_active (mark->call));

  g_string_append_c (fixture->order, mark->letter);
  g_array_append_val (fixture->deadlines, deadline);
  g_array_append_val (fixture->fired_at, now);
  if (mark->victim != NULL)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (braid_delayed_call_cancel (mark->victim, &error));
      g_assert_no_error (error);
    }
  if (mark->rearm)
    schedule_follower (fixture);
  fixture->inside_a_call = FALSE;
}

static void
mark_free (gpointer data)
{
  Mark *mark = data;

  if (mark->freed != NULL)
    *mark->freed = TRUE;
  g_free (mark);
}

static Mark *
schedule (Fixture *fixture, gdouble units, char letter)
{
  Mark *mark = g_new0 (Mark, 1);

  mark->fixture = fixture;
  mark->letter = letter;
  mark->call = braid_clock_call_later (fixture->clock, U (fixture, units), mark_fired,
                                       mark, mark_free);
  g_assert_nonnull (mark->call);
  return mark;
}

static void
schedule_follower (Fixture *fixture)
{
  schedule (fixture, 0, 'z');
}

/* ---------------------------------------------------------------------- */

static void
test_calls_fire_in_deadline_order (const ClockConformanceHarness *harness)
{
  Fixture f;

  fixture_init (&f, harness);
  schedule (&f, 3, 'c');
  schedule (&f, 1, 'a');
  schedule (&f, 2, 'b');
  advance (&f, 4);
  g_assert_cmpstr (f.order->str, ==, "abc");
  fixture_clear (&f);
}

static void
test_equal_delays_fire_in_scheduling_order (const ClockConformanceHarness *harness)
{
  Fixture f;

  fixture_init (&f, harness);
  schedule (&f, 1, 'a');
  schedule (&f, 1, 'b');
  schedule (&f, 1, 'c');
  schedule (&f, 1, 'd');
  advance (&f, 2);
  g_assert_cmpstr (f.order->str, ==, "abcd");
  fixture_clear (&f);
}

static void
test_many_random_delays_fire_in_deadline_order (const ClockConformanceHarness *harness)
{
  Fixture f;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);

  fixture_init (&f, harness);
  for (guint i = 0; i < 200; i++)
    schedule (&f, g_rand_int_range (rand, 0, 6), 'x');
  advance (&f, 6);
  g_assert_cmpuint (f.order->len, ==, 200);
  for (guint i = 1; i < f.deadlines->len; i++)
    g_assert_cmpfloat (g_array_index (f.deadlines, gdouble, i - 1), <=,
                       g_array_index (f.deadlines, gdouble, i));
  fixture_clear (&f);
}

static void
test_a_call_never_fires_early (const ClockConformanceHarness *harness)
{
  Fixture f;

  fixture_init (&f, harness);
  schedule (&f, 50, 'a');
  advance (&f, 1);
  g_assert_cmpstr (f.order->str, ==, "");
  advance (&f, 50);
  g_assert_cmpstr (f.order->str, ==, "a");
  /* It saw a time at or after its deadline. */
  g_assert_cmpfloat (g_array_index (f.fired_at, gdouble, 0), >=,
                     g_array_index (f.deadlines, gdouble, 0));
  fixture_clear (&f);
}

static void
test_zero_delay_fires_on_advance_zero (const ClockConformanceHarness *harness)
{
  Fixture f;
  gboolean freed = FALSE;
  Mark *mark;

  fixture_init (&f, harness);
  mark = schedule (&f, 0, 'a');
  mark->freed = &freed;
  g_assert_cmpstr (f.order->str, ==, "");   /* never inside call_later */
  advance (&f, 0);
  g_assert_cmpstr (f.order->str, ==, "a");
  g_assert_true (freed);                    /* destroy notify ran after the call */
  fixture_clear (&f);
}

static void
test_seconds_is_monotonic_and_advances (const ClockConformanceHarness *harness)
{
  Fixture f;
  gdouble before, after;

  fixture_init (&f, harness);
  before = braid_clock_seconds (f.clock);
  g_assert_cmpfloat (braid_clock_seconds (f.clock), >=, before);
  advance (&f, 2);
  after = braid_clock_seconds (f.clock);
  g_assert_cmpfloat (after - before, >=, U (&f, 2) - 1e-9);
  fixture_clear (&f);
}

static void
test_get_time_is_now_plus_delay (const ClockConformanceHarness *harness)
{
  Fixture f;
  gdouble before, after, due;
  g_autoptr (GError) error = NULL;
  Mark *mark;

  fixture_init (&f, harness);
  before = braid_clock_seconds (f.clock);
  mark = schedule (&f, 10, 'a');
  after = braid_clock_seconds (f.clock);
  due = braid_delayed_call_get_time (mark->call);
  g_assert_cmpfloat (due, >=, before + U (&f, 10) - 1e-9);
  g_assert_cmpfloat (due, <=, after + U (&f, 10) + 1e-9);
  g_assert_true (braid_delayed_call_active (mark->call));
  g_assert_true (braid_delayed_call_cancel (mark->call, &error));
  fixture_clear (&f);
}

static void
test_cancel_prevents_the_call (const ClockConformanceHarness *harness)
{
  Fixture f;
  gboolean freed = FALSE;
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDelayedCall) call = NULL;
  Mark *mark;

  fixture_init (&f, harness);
  mark = schedule (&f, 1, 'a');
  mark->freed = &freed;
  call = braid_delayed_call_ref (mark->call);
  schedule (&f, 1, 'b');

  g_assert_true (braid_delayed_call_cancel (call, &error));
  g_assert_no_error (error);
  g_assert_true (freed);                    /* its data is freed at once */
  g_assert_false (braid_delayed_call_active (call));
  g_assert_true (braid_delayed_call_cancelled (call));
  g_assert_false (braid_delayed_call_called (call));

  /* Cancelling twice is an error, as in Twisted. */
  g_assert_false (braid_delayed_call_cancel (call, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CANCELLED);
  g_clear_error (&error);
  g_assert_false (braid_delayed_call_reset (call, U (&f, 1), &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CANCELLED);
  g_clear_error (&error);
  g_assert_false (braid_delayed_call_delay (call, U (&f, 1), &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CANCELLED);

  advance (&f, 2);
  g_assert_cmpstr (f.order->str, ==, "b");
  fixture_clear (&f);
}

static void
test_a_called_call_cannot_be_cancelled_or_moved (const ClockConformanceHarness *harness)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDelayedCall) call = NULL;

  fixture_init (&f, harness);
  call = braid_delayed_call_ref (schedule (&f, 1, 'a')->call);
  advance (&f, 2);
  g_assert_cmpstr (f.order->str, ==, "a");
  g_assert_true (braid_delayed_call_called (call));
  g_assert_false (braid_delayed_call_cancelled (call));

  g_assert_false (braid_delayed_call_cancel (call, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
  g_clear_error (&error);
  g_assert_false (braid_delayed_call_reset (call, U (&f, 1), &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
  g_clear_error (&error);
  g_assert_false (braid_delayed_call_delay (call, U (&f, 1), &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED);
  fixture_clear (&f);
}

static void
test_reset_moves_a_call_later_and_earlier (const ClockConformanceHarness *harness)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  Mark *late, *early;
  gdouble first_time;

  fixture_init (&f, harness);
  late = schedule (&f, 1, 'L');
  early = schedule (&f, 50, 'E');
  first_time = braid_delayed_call_get_time (late->call);

  g_assert_true (braid_delayed_call_reset (late->call, U (&f, 60), &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (braid_delayed_call_get_time (late->call), >=, first_time + U (&f, 59) - 1e-9);
  g_assert_true (braid_delayed_call_reset (early->call, U (&f, 2), &error));
  g_assert_no_error (error);

  advance (&f, 5);
  g_assert_cmpstr (f.order->str, ==, "E");
  advance (&f, 60);
  g_assert_cmpstr (f.order->str, ==, "EL");
  fixture_clear (&f);
}

static void
test_delay_pushes_a_call_back (const ClockConformanceHarness *harness)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  Mark *a;
  gdouble first_time;

  fixture_init (&f, harness);
  a = schedule (&f, 1, 'a');
  schedule (&f, 3, 'b');
  first_time = braid_delayed_call_get_time (a->call);

  g_assert_true (braid_delayed_call_delay (a->call, U (&f, 4), &error));
  g_assert_no_error (error);
  /* delay adds to the deadline itself, not to "now". */
  g_assert_cmpfloat (braid_delayed_call_get_time (a->call), ==, first_time + U (&f, 4));
  advance (&f, 7);
  g_assert_cmpstr (f.order->str, ==, "ba");
  fixture_clear (&f);
}

static void
test_zero_delay_call_from_a_call_does_not_nest (const ClockConformanceHarness *harness)
{
  Fixture f;
  Mark *mark;

  fixture_init (&f, harness);
  mark = schedule (&f, 1, 'a');
  mark->rearm = TRUE;
  advance (&f, 2);
  /* The follower may run in this advance (real clock) or the next (fake
   * clock), but never inside the call that scheduled it. */
  advance (&f, 1);
  g_assert_cmpstr (f.order->str, ==, "az");
  g_assert_false (f.nested_call);
  fixture_clear (&f);
}

static void
test_a_call_can_cancel_another_due_call (const ClockConformanceHarness *harness)
{
  Fixture f;
  g_autoptr (BraidDelayedCall) victim = NULL;
  gboolean victim_freed = FALSE;
  Mark *killer, *target;

  fixture_init (&f, harness);
  killer = schedule (&f, 1, 'k');
  target = schedule (&f, 1, 'v');
  target->freed = &victim_freed;
  victim = braid_delayed_call_ref (target->call);
  killer->victim = victim;

  advance (&f, 3);
  g_assert_cmpstr (f.order->str, ==, "k");
  g_assert_true (braid_delayed_call_cancelled (victim));
  g_assert_true (victim_freed);
  fixture_clear (&f);
}

static void
test_creator_is_recorded (const ClockConformanceHarness *harness)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  BraidDelayedCall *named, *anonymous;

  fixture_init (&f, harness);
  named = braid_clock_call_later (f.clock, U (&f, 1), (BraidCallFunc) g_free, NULL, NULL);
  g_assert_nonnull (strstr (braid_delayed_call_get_creator (named), "clock-conformance.c:"));
  anonymous = braid_clock_call_later_full (f.clock, U (&f, 1), (BraidCallFunc) g_free,
                                           NULL, NULL, NULL);
  g_assert_cmpstr (braid_delayed_call_get_creator (anonymous), ==, "(unknown)");
  g_assert_true (braid_delayed_call_cancel (named, &error));
  g_assert_true (braid_delayed_call_cancel (anonymous, &error));
  fixture_clear (&f);
}

static void
test_negative_delay_is_refused (const ClockConformanceHarness *harness)
{
  Fixture f;

  fixture_init (&f, harness);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*delay >= 0*");
  g_assert_null (braid_clock_call_later (f.clock, -U (&f, 1), (BraidCallFunc) g_free, NULL, NULL));
  g_test_assert_expected_messages ();
  fixture_clear (&f);
}

/* ---------------------------------------------------------------------- */

static void
run_case (gconstpointer data)
{
  const ConformanceCase *test_case = data;

  test_case->test (test_case->harness);
  braid_assert_no_leftovers ();
}

static void
add (const char *prefix, const char *name, const ClockConformanceHarness *harness,
     ConformanceTest test)
{
  ConformanceCase *test_case = g_new0 (ConformanceCase, 1);
  g_autofree char *path = g_strconcat (prefix, name, NULL);

  test_case->harness = harness;
  test_case->test = test;
  g_test_add_data_func_full (path, test_case, run_case, g_free);
}

void
clock_conformance_add_tests (const char *prefix, const ClockConformanceHarness *harness)
{
  g_return_if_fail (prefix != NULL);
  g_return_if_fail (harness != NULL && harness->new_clock != NULL
                    && harness->advance != NULL && harness->free_clock != NULL
                    && harness->time_scale > 0);

  add (prefix, "/order/deadline", harness, test_calls_fire_in_deadline_order);
  add (prefix, "/order/equal-delays", harness, test_equal_delays_fire_in_scheduling_order);
  add (prefix, "/order/many-random", harness, test_many_random_delays_fire_in_deadline_order);
  add (prefix, "/order/never-early", harness, test_a_call_never_fires_early);
  add (prefix, "/order/zero-delay", harness, test_zero_delay_fires_on_advance_zero);
  add (prefix, "/seconds/monotonic", harness, test_seconds_is_monotonic_and_advances);
  add (prefix, "/get-time", harness, test_get_time_is_now_plus_delay);
  add (prefix, "/cancel/prevents-call", harness, test_cancel_prevents_the_call);
  add (prefix, "/cancel/after-call", harness, test_a_called_call_cannot_be_cancelled_or_moved);
  add (prefix, "/reset/later-and-earlier", harness, test_reset_moves_a_call_later_and_earlier);
  add (prefix, "/reset/delay", harness, test_delay_pushes_a_call_back);
  add (prefix, "/reentrancy/zero-delay-does-not-nest", harness, test_zero_delay_call_from_a_call_does_not_nest);
  add (prefix, "/reentrancy/cancel-another", harness, test_a_call_can_cancel_another_due_call);
  add (prefix, "/creator", harness, test_creator_is_recorded);
  add (prefix, "/negative-delay", harness, test_negative_delay_is_refused);
}
