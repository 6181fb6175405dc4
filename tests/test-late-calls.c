/* test-late-calls.c: calls that run late. A fake clock that jumps, a call
 * that advances the fake clock itself, and a looping call on the real
 * clock whose function blocks for longer than its interval. */
#include <braid-fakes.h>

typedef struct
{
  BraidFakeClock *clock;
  GArray *seen;          /* the time each call saw */
  gdouble advance_by;    /* a call advances the clock by this much */
} Seen;

static void
note_time (gpointer data)
{
  Seen *seen = data;
  gdouble now = braid_clock_seconds (BRAID_CLOCK (seen->clock));

  g_array_append_val (seen->seen, now);
  if (seen->advance_by > 0)
    {
      gdouble by = seen->advance_by;

      seen->advance_by = 0;
      braid_fake_clock_advance (seen->clock, by);
    }
}

/* jump moves time first: every due call sees the new time, in deadline
 * order, and the clock ends at the new time. */
static void
test_jump_fires_due_calls_at_the_new_time (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Seen seen = { clock, g_array_new (FALSE, FALSE, sizeof (gdouble)), 0 };

  braid_clock_call_later (BRAID_CLOCK (clock), 1, note_time, &seen, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 2, note_time, &seen, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 5, note_time, &seen, NULL);
  braid_fake_clock_jump (clock, 3);
  g_assert_cmpuint (seen.seen->len, ==, 2);
  g_assert_cmpfloat (g_array_index (seen.seen, gdouble, 0), ==, 3);
  g_assert_cmpfloat (g_array_index (seen.seen, gdouble, 1), ==, 3);
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 3);
  braid_fake_clock_jump (clock, 2);
  g_assert_cmpuint (seen.seen->len, ==, 3);
  g_array_unref (seen.seen);
}

/* A call advances the clock while an advance runs: the inner advance
 * fires what falls due in its span, and the outer one goes on from the
 * later time (Twisted's test_callbackTimeSkips depends on it). */
static void
test_a_call_may_advance_the_clock (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Seen seen = { clock, g_array_new (FALSE, FALSE, sizeof (gdouble)), 0 };

  seen.advance_by = 5;
  braid_clock_call_later (BRAID_CLOCK (clock), 1, note_time, &seen, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 3, note_time, &seen, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 8, note_time, &seen, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 9, note_time, &seen, NULL);
  braid_fake_clock_advance (clock, 2);

  /* 1: advances to 6, firing 3 on the way; 8 and 9 wait. */
  g_assert_cmpuint (seen.seen->len, ==, 2);
  g_assert_cmpfloat (g_array_index (seen.seen, gdouble, 0), ==, 1);
  g_assert_cmpfloat (g_array_index (seen.seen, gdouble, 1), ==, 3);
  /* Time never goes back to the outer advance's end (2). */
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 6);
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpuint (seen.seen->len, ==, 4);
  g_array_unref (seen.seen);
}

/* On the real clock, a looping function that blocks for longer than its
 * interval is called once afterwards, told how many intervals passed. */
typedef struct
{
  GArray *counts;
  BraidReactor *reactor;
} Blocking;

static gboolean
block_once (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  Blocking *blocking = user_data;

  g_array_append_val (blocking->counts, intervals);
  if (blocking->counts->len == 1)
    g_usleep (G_USEC_PER_SEC / 4);   /* five intervals of 50 ms */
  if (blocking->counts->len == 2)
    {
      braid_looping_call_stop (call);
      braid_reactor_stop (blocking->reactor);
    }
  return TRUE;
}

static void
test_real_clock_counts_skipped_intervals (void)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  Blocking blocking = { g_array_new (FALSE, FALSE, sizeof (guint64)), reactor };
  g_autoptr (BraidLoopingCall) loop =
    braid_looping_call_new (BRAID_CLOCK (reactor), block_once, &blocking, NULL);

  braid_looping_call_start (loop, 0.05, TRUE);
  braid_reactor_run (reactor);
  g_assert_cmpuint (blocking.counts->len, ==, 2);
  g_assert_cmpuint (g_array_index (blocking.counts, guint64, 0), ==, 1);
  /* 250 ms at least went by: five intervals or more, counted once. */
  g_assert_cmpuint (g_array_index (blocking.counts, guint64, 1), >=, 5);
  g_array_unref (blocking.counts);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/late-calls/fake-clock/jump", test_jump_fires_due_calls_at_the_new_time);
  braid_test_add_func ("/late-calls/fake-clock/reentrant-advance", test_a_call_may_advance_the_clock);
  braid_test_add_func ("/late-calls/looping-call/real-clock-counts-skipped",
                       test_real_clock_counts_skipped_intervals);

  return g_test_run ();
}
