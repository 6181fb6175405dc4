/* test-looping-call.c: BraidLoopingCall, on the fake clock and on a clock
 * that fires late. */
#include <braid-fakes.h>

typedef struct
{
  BraidClock *clock;
  GString *log;          /* "t=0 n=1;" per call */
  guint fail_at;         /* fail on this call (1-based); 0: never */
  gboolean fail_silently;
  guint stop_at;         /* stop from inside on this call; 0: never */
  guint reset_at;        /* reset from inside on this call; 0: never */
  guint calls;
  guint stopped_calls;
  GError *stopped_error;
} Loop;

static gboolean
loop_func (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  Loop *loop = user_data;

  loop->calls++;
  g_string_append_printf (loop->log, "t=%g n=%" G_GUINT64_FORMAT ";",
                          braid_clock_seconds (loop->clock), intervals);
  if (loop->calls == loop->stop_at)
    braid_looping_call_stop (call);
  if (loop->calls == loop->reset_at)
    braid_looping_call_reset (call);
  if (loop->calls == loop->fail_at)
    {
      if (!loop->fail_silently)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "broken");
      return FALSE;
    }
  return TRUE;
}

static void
loop_stopped (BraidLoopingCall *call, const GError *error, gpointer user_data)
{
  Loop *loop = user_data;

  loop->stopped_calls++;
  g_clear_error (&loop->stopped_error);
  if (error != NULL)
    loop->stopped_error = g_error_copy (error);
}

static BraidLoopingCall *
loop_new (Loop *loop, BraidClock *clock)
{
  BraidLoopingCall *call;

  memset (loop, 0, sizeof *loop);
  loop->clock = clock;
  loop->log = g_string_new (NULL);
  call = braid_looping_call_new (clock, loop_func, loop, NULL);
  braid_looping_call_set_stopped_func (call, loop_stopped, loop, NULL);
  return call;
}

static void
loop_clear (Loop *loop)
{
  g_string_free (loop->log, TRUE);
  g_clear_error (&loop->stopped_error);
}

static void
test_start_now_calls_at_once_then_every_interval (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  braid_looping_call_start (call, 1.0, TRUE);
  g_assert_true (braid_looping_call_is_running (call));
  g_assert_cmpfloat (braid_looping_call_get_interval (call), ==, 1.0);
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpstr (loop.log->str, ==, "t=0 n=1;t=1 n=1;t=2 n=1;t=3 n=1;");
  g_assert_cmpuint (braid_looping_call_get_call_count (call), ==, 4);
  braid_looping_call_stop (call);
  g_assert_false (braid_looping_call_is_running (call));
  g_assert_cmpuint (loop.stopped_calls, ==, 1);
  g_assert_null (loop.stopped_error);
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpuint (loop.calls, ==, 4);
  loop_clear (&loop);
}

static void
test_start_later_waits_one_interval (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  braid_fake_clock_advance (clock, 0.5);
  braid_looping_call_start (call, 2.0, FALSE);
  braid_fake_clock_advance (clock, 1.9);
  g_assert_cmpstr (loop.log->str, ==, "");
  braid_fake_clock_advance (clock, 0.1);
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpstr (loop.log->str, ==, "t=2.5 n=1;t=4.5 n=1;");
  braid_looping_call_stop (call);
  loop_clear (&loop);
}

static void
test_stop_from_inside (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  loop.stop_at = 3;
  braid_looping_call_start (call, 1.0, TRUE);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (loop.calls, ==, 3);
  g_assert_cmpuint (loop.stopped_calls, ==, 1);
  g_assert_false (braid_looping_call_is_running (call));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  loop_clear (&loop);
}

static void
test_failure_stops_with_the_error (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  loop.fail_at = 2;
  braid_looping_call_start (call, 1.0, TRUE);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (loop.calls, ==, 2);
  g_assert_cmpuint (loop.stopped_calls, ==, 1);
  g_assert_error (loop.stopped_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_false (braid_looping_call_is_running (call));

  /* A stopped loop starts again. A function that fails without saying
   * why still stops the loop, with a generic error. */
  loop.fail_at = 3;
  loop.fail_silently = TRUE;
  braid_looping_call_start (call, 1.0, FALSE);
  braid_fake_clock_advance (clock, 1);
  g_assert_error (loop.stopped_error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_cmpuint (loop.stopped_calls, ==, 2);
  loop_clear (&loop);
}

static void
test_reset_restarts_the_interval (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  braid_looping_call_start (call, 2.0, FALSE);
  braid_fake_clock_advance (clock, 1.5);
  braid_looping_call_reset (call);
  braid_fake_clock_advance (clock, 1.9);
  g_assert_cmpstr (loop.log->str, ==, "");
  braid_fake_clock_advance (clock, 0.1);
  g_assert_cmpstr (loop.log->str, ==, "t=3.5 n=1;");
  /* From inside the function, too: the next call is a full interval on. */
  loop.reset_at = 2;
  braid_fake_clock_advance (clock, 2);
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpstr (loop.log->str, ==, "t=3.5 n=1;t=5.5 n=1;t=7.5 n=1;");
  braid_looping_call_stop (call);
  loop_clear (&loop);
}

static void
test_zero_interval_calls_every_turn (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  braid_looping_call_start (call, 0, TRUE);
  braid_fake_clock_advance (clock, 0);
  braid_fake_clock_advance (clock, 0);
  g_assert_cmpstr (loop.log->str, ==, "t=0 n=1;t=0 n=1;t=0 n=1;");
  braid_looping_call_stop (call);
  loop_clear (&loop);
}

static void
test_deferred_fires_on_stop (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));
  BraidDeferred *d;

  braid_looping_call_start (call, 1.0, FALSE);
  d = braid_looping_call_get_deferred (call);
  g_assert_true (braid_looping_call_get_deferred (call) == d);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 2);
  braid_looping_call_stop (call);
  g_assert_true (braid_assert_success_result (d) == call);
  loop_clear (&loop);
}

static void
test_deferred_fails_with_the_error (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));
  g_autoptr (BraidDeferred) first = NULL;

  loop.fail_at = 2;
  braid_looping_call_start (call, 1.0, TRUE);
  first = braid_deferred_ref (braid_looping_call_get_deferred (call));
  braid_fake_clock_advance (clock, 1);
  g_error_free (braid_assert_failure_result (first, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE));

  /* A new run has a new deferred; asked for after the run ended, it comes
   * already fired. */
  loop.fail_at = 0;
  braid_looping_call_start (call, 1.0, FALSE);
  g_assert_true (braid_looping_call_get_deferred (call) != first);
  braid_looping_call_stop (call);
  g_assert_true (braid_assert_success_result (braid_looping_call_get_deferred (call)) == call);
  loop_clear (&loop);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static gboolean
return_true (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  return TRUE;
}

static void
test_user_data_is_freed (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidLoopingCall *call;
  guint destroyed = 0;

  call = braid_looping_call_new (BRAID_CLOCK (clock), return_true, &destroyed, count_destroy);
  braid_looping_call_set_stopped_func (call, NULL, &destroyed, count_destroy);
  /* Replacing the stopped function frees the old data at once. */
  braid_looping_call_set_stopped_func (call, NULL, &destroyed, count_destroy);
  g_assert_cmpuint (destroyed, ==, 1);
  g_object_unref (call);
  g_assert_cmpuint (destroyed, ==, 3);
}

static void
test_running_loop_keeps_itself_alive (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Loop loop;
  BraidLoopingCall *call = loop_new (&loop, BRAID_CLOCK (clock));
  GWeakRef weak;

  g_weak_ref_init (&weak, call);
  braid_looping_call_start (call, 1.0, FALSE);
  g_object_unref (call);
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (loop.calls, ==, 2);
  call = g_weak_ref_get (&weak);
  g_assert_nonnull (call);
  braid_looping_call_stop (call);
  g_object_unref (call);
  call = g_weak_ref_get (&weak);
  g_assert_null (call);
  g_weak_ref_clear (&weak);
  loop_clear (&loop);
}

/* A clock that fires late, as a busy real reactor does: `jump` moves the
 * time, then runs every call that is due, all seeing the new time. */
G_DECLARE_FINAL_TYPE (LateClock, late_clock, LATE, CLOCK, GObject)
struct _LateClock
{
  GObject parent_instance;
  gdouble now;
  BraidTimerQueue *queue;
};
static void late_clock_iface_init (BraidClockInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (LateClock, late_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CLOCK, late_clock_iface_init))

static gdouble
late_clock_seconds (BraidClock *clock)
{
  return LATE_CLOCK (clock)->now;
}

static BraidTimerQueue *
late_clock_get_timer_queue (BraidClock *clock)
{
  return LATE_CLOCK (clock)->queue;
}

static void
late_clock_iface_init (BraidClockInterface *iface)
{
  iface->seconds = late_clock_seconds;
  iface->get_timer_queue = late_clock_get_timer_queue;
}

static void
late_clock_finalize (GObject *object)
{
  braid_timer_queue_free (LATE_CLOCK (object)->queue);
  G_OBJECT_CLASS (late_clock_parent_class)->finalize (object);
}

static void
late_clock_class_init (LateClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = late_clock_finalize;
}

static void
late_clock_init (LateClock *self)
{
  self->queue = braid_timer_queue_new ();
}

static void
late_clock_jump (LateClock *self, gdouble to)
{
  guint64 before = braid_timer_queue_get_sequence (self->queue);
  BraidDelayedCall *call;

  self->now = to;
  while ((call = braid_timer_queue_pop_due (self->queue, to, before)) != NULL)
    {
      braid_delayed_call_run (call);
      braid_delayed_call_unref (call);
    }
}

static void
test_missed_ticks_are_skipped_and_counted (void)
{
  g_autoptr (LateClock) clock = g_object_new (late_clock_get_type (), NULL);
  Loop loop;
  g_autoptr (BraidLoopingCall) call = loop_new (&loop, BRAID_CLOCK (clock));

  braid_looping_call_start (call, 1.0, TRUE);
  late_clock_jump (clock, 1.0);
  /* Late by 2.5 intervals: one call, told that 3 intervals passed, and the
   * next tick stays aligned on whole seconds (5, not 4.5 + 1). */
  late_clock_jump (clock, 4.5);
  late_clock_jump (clock, 4.9);
  g_assert_cmpstr (loop.log->str, ==, "t=0 n=1;t=1 n=1;t=4.5 n=3;");
  late_clock_jump (clock, 5.0);
  g_assert_cmpstr (loop.log->str, ==, "t=0 n=1;t=1 n=1;t=4.5 n=3;t=5 n=1;");
  braid_looping_call_stop (call);
  loop_clear (&loop);
}

typedef struct
{
  gboolean fail;     /* return FALSE with an error after stopping */
  guint calls;
  guint stops;       /* stopped_func calls */
  gboolean stopped_with_error;
} Selfstop;

static gboolean
stop_self (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  Selfstop *state = user_data;

  (void) intervals;
  state->calls++;
  braid_looping_call_stop (call);
  if (state->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "after the stop");
      return FALSE;
    }
  return TRUE;
}

static void
note_stop (BraidLoopingCall *call, const GError *error, gpointer user_data)
{
  Selfstop *state = user_data;

  (void) call;
  state->stops++;
  state->stopped_with_error = error != NULL;
}

static void
run_self_stopping_loop (gboolean fail)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Selfstop state = { .fail = fail };
  g_autoptr (BraidLoopingCall) loop =
    braid_looping_call_new (BRAID_CLOCK (clock), stop_self, &state, NULL);
  BraidDeferred *deferred;

  braid_looping_call_set_stopped_func (loop, note_stop, &state, NULL);
  braid_looping_call_start (loop, 1, FALSE);
  deferred = braid_looping_call_get_deferred (loop);
  braid_assert_no_result (deferred);

  braid_fake_clock_advance (clock, 1);
  /* The stop inside the function ended the loop; a failure after it
   * ends the run with that error, as in Twisted (testFailAndStop), and
   * nothing is scheduled again. */
  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_false (braid_looping_call_is_running (loop));
  g_assert_cmpuint (state.stops, ==, 1);
  g_assert_cmpint (state.stopped_with_error, ==, fail);
  if (fail)
    {
      g_autoptr (GError) failure =
        braid_assert_failure_result (deferred, G_IO_ERROR, G_IO_ERROR_FAILED);

      g_assert_cmpstr (failure->message, ==, "after the stop");
    }
  else
    g_assert_true (braid_assert_success_result (deferred) == loop);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpuint (state.calls, ==, 1);
}

static void
test_function_stops_its_loop_and_succeeds (void)
{
  run_self_stopping_loop (FALSE);
}

static void
test_function_stops_its_loop_and_fails (void)
{
  run_self_stopping_loop (TRUE);
}

/* On its first call: stops its loop and starts it again at once. */
static gboolean
stop_and_restart (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  Selfstop *state = user_data;

  (void) intervals;
  if (++state->calls == 1)
    {
      braid_looping_call_stop (call);
      braid_looping_call_start (call, 1, FALSE);
    }
  return TRUE;
}

static void
test_function_stops_and_restarts_its_loop (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Selfstop state = { 0 };
  g_autoptr (BraidLoopingCall) loop =
    braid_looping_call_new (BRAID_CLOCK (clock), stop_and_restart, &state, NULL);
  BraidDeferred *first;

  g_test_summary ("A function that stops its loop and starts it again before it returns: "
                  "the stopped run ends then (its deferred fires, stopped_func runs once) "
                  "and the new run goes on from the restart");
  braid_looping_call_set_stopped_func (loop, note_stop, &state, NULL);
  braid_looping_call_start (loop, 1, FALSE);
  first = braid_looping_call_get_deferred (loop);
  braid_deferred_ref (first);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_cmpuint (state.stops, ==, 1);
  g_assert_false (state.stopped_with_error);
  g_assert_true (braid_assert_success_result (first) == loop);
  g_assert_true (braid_looping_call_is_running (loop));
  g_assert_true (braid_looping_call_get_deferred (loop) != first);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (state.calls, ==, 2);
  g_assert_cmpuint (state.stops, ==, 1);
  braid_looping_call_stop (loop);
  g_assert_cmpuint (state.stops, ==, 2);
  braid_deferred_unref (first);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidLoopingCall: start, stop, reset, failure, aligned ticks, missed ticks");

  braid_test_add_func ("/looping-call/start-now", test_start_now_calls_at_once_then_every_interval);
  braid_test_add_func ("/looping-call/start-later", test_start_later_waits_one_interval);
  braid_test_add_func ("/looping-call/stop-from-inside", test_stop_from_inside);
  braid_test_add_func ("/looping-call/failure-stops", test_failure_stops_with_the_error);
  braid_test_add_func ("/looping-call/reset", test_reset_restarts_the_interval);
  braid_test_add_func ("/looping-call/zero-interval", test_zero_interval_calls_every_turn);
  braid_test_add_func ("/looping-call/keeps-itself-alive", test_running_loop_keeps_itself_alive);
  braid_test_add_func ("/looping-call/user-data-freed", test_user_data_is_freed);
  braid_test_add_func ("/looping-call/deferred/fires-on-stop", test_deferred_fires_on_stop);
  braid_test_add_func ("/looping-call/deferred/fails-with-error", test_deferred_fails_with_the_error);
  braid_test_add_func ("/looping-call/missed-ticks", test_missed_ticks_are_skipped_and_counted);
  braid_test_add_func ("/looping-call/self-stop/succeeds", test_function_stops_its_loop_and_succeeds);
  braid_test_add_func ("/looping-call/self-stop/fails", test_function_stops_its_loop_and_fails);
  braid_test_add_func ("/looping-call/self-stop/restarts", test_function_stops_and_restarts_its_loop);

  return g_test_run ();
}
