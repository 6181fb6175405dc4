/* test-clock-conformance-glib.c: the clock conformance suite, run against
 * the real reactor's clock (BraidGLibReactor). Real time: suite
 * 'integration'. The same suite runs against the fake clock in
 * test-clock-conformance-fake.c, so the two cannot drift apart. */
#include <math.h>

#include "clock-conformance.h"

/* Seconds an advance may overrun before the test fails: a loaded machine
 * may be late, but a reactor that never fires a call must not hang. */
#define ADVANCE_SAFETY_SECONDS 5.0

static BraidClock *
new_glib_clock (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();

  return BRAID_CLOCK (braid_glib_reactor_new (context));
}

/* Whether a call due by @target and scheduled before @sequence still
 * waits: the advance is not finished until it has run. */
static gboolean
due_call_pending (BraidClock *clock, gdouble target, guint64 sequence)
{
  g_autoptr (GPtrArray) calls = braid_timer_queue_list (braid_clock_get_timer_queue (clock));

  for (guint i = 0; i < calls->len; i++)
    {
      BraidDelayedCall *call = g_ptr_array_index (calls, i);

      if (braid_delayed_call_get_time (call) > target)
        break;
      if (braid_delayed_call_get_sequence (call) < sequence)
        return TRUE;
    }
  return FALSE;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Iterates the reactor's context until @seconds have passed on its clock
 * and every call due by then has run. */
static void
advance_glib_clock (BraidClock *clock, gdouble seconds)
{
  GMainContext *context = braid_glib_reactor_get_context (BRAID_GLIB_REACTOR (clock));
  gdouble target = braid_clock_seconds (clock) + seconds;
  guint64 sequence = braid_timer_queue_get_sequence (braid_clock_get_timer_queue (clock));
  gdouble give_up = target + ADVANCE_SAFETY_SECONDS;
  GSource *alarm = g_timeout_source_new ((guint) ceil (seconds * 1000) + 1);

  /* A GLib timeout at the target, so that the loop wakes up then even if
   * no delayed call is due. */
  g_source_set_callback (alarm, wake_up, NULL, NULL);
  g_source_attach (alarm, context);
  while (braid_clock_seconds (clock) < target || due_call_pending (clock, target, sequence))
    {
      if (braid_clock_seconds (clock) > give_up)
        g_error ("the reactor did not fire its due calls within %g s", ADVANCE_SAFETY_SECONDS);
      g_main_context_iteration (context, braid_clock_seconds (clock) < target);
    }
  g_source_destroy (alarm);
  g_source_unref (alarm);
}

static void
free_glib_clock (BraidClock *clock)
{
  g_autoptr (GMainContext) context =
    g_main_context_ref (braid_glib_reactor_get_context (BRAID_GLIB_REACTOR (clock)));

  g_object_unref (clock);
  while (g_main_context_iteration (context, FALSE))
    ;
}

static const ClockConformanceHarness glib_harness = {
  .new_clock = new_glib_clock,
  .advance = advance_glib_clock,
  .free_clock = free_glib_clock,
  .time_scale = 0.01,
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  clock_conformance_add_tests ("/clock-conformance/glib-reactor", &glib_harness);
  return g_test_run ();
}
