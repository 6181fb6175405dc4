/* test-looping-edges.c: a looping function that stops its own loop, and
 * asking for the deferred while the loop runs. */
#include <braid-fakes.h>

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("A looping function that stops its own loop");

  braid_test_add_func ("/looping-edges/self-stop/succeeds", test_function_stops_its_loop_and_succeeds);
  braid_test_add_func ("/looping-edges/self-stop/fails", test_function_stops_its_loop_and_fails);

  return g_test_run ();
}
