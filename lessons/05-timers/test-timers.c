/* test-timers.c: lesson 05 on the fake clock: five seconds in microseconds. */
#include <braid-fakes.h>

#include "timers.h"

static void
note_stop (gpointer data)
{
  guint *stops = data;

  (*stops)++;
}

static void
test_print_times_then_stop (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint stops = 0;
  TimerLog log;

  timer_log_init (&log, BRAID_CLOCK (clock), note_stop, &stops);
  print_times_then_stop (BRAID_CLOCK (clock), &log);
  braid_fake_clock_advance (clock, 2.5);
  g_assert_cmpstr (log.text->str, ==, "Current time is 1 s\nCurrent time is 2 s\n");
  braid_fake_clock_advance (clock, 2.5);
  g_assert_cmpstr (log.text->str, ==,
                   "Current time is 1 s\nCurrent time is 2 s\nCurrent time is 3 s\n"
                   "Current time is 4 s\nStopping\n");
  g_assert_cmpuint (stops, ==, 1);
  timer_log_clear (&log);
}

static void
test_alarm_cancelled_or_moved (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDelayedCall) alarm = NULL;
  g_autoptr (BraidDelayedCall) snoozed = NULL;
  g_autoptr (GError) error = NULL;
  guint stops = 0;
  TimerLog log;

  timer_log_init (&log, BRAID_CLOCK (clock), note_stop, &stops);

  /* Changing your mind: a cancelled call never runs. */
  alarm = alarm_set (BRAID_CLOCK (clock), &log, 10);
  braid_fake_clock_advance (clock, 5);
  g_assert_true (braid_delayed_call_cancel (alarm, &error));
  g_assert_no_error (error);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpstr (log.text->str, ==, "");
  /* Cancelling twice is an error, as in Twisted. */
  g_assert_false (braid_delayed_call_cancel (alarm, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CANCELLED);

  /* Snooze: reset moves the call to a new time from now. */
  snoozed = alarm_set (BRAID_CLOCK (clock), &log, 2);
  braid_fake_clock_advance (clock, 1);
  g_assert_true (braid_delayed_call_reset (snoozed, 5, NULL));
  braid_fake_clock_advance (clock, 4.9);
  g_assert_cmpstr (log.text->str, ==, "");
  braid_fake_clock_advance (clock, 0.1);
  g_assert_cmpstr (log.text->str, ==, "ring!\n");
  g_assert_true (braid_delayed_call_called (snoozed));
  timer_log_clear (&log);
}

static void
check_hello_five_times (BraidFakeClock *clock, TimerLog *log, guint *stops)
{
  braid_fake_clock_advance (clock, 0.5);
  g_assert_cmpstr (log->text->str, ==, "");
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (log->text->str, ==, "hello world\n");
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpstr (log->text->str, ==,
                   "hello world\nhello world\nhello world\nhello world\nhello world\nStopping\n");
  g_assert_cmpuint (*stops, ==, 1);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_hello_with_call_later (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint stops = 0;
  TimerLog log;

  timer_log_init (&log, BRAID_CLOCK (clock), note_stop, &stops);
  hello_five_times (BRAID_CLOCK (clock), &log);
  check_hello_five_times (clock, &log, &stops);
  timer_log_clear (&log);
}

static void
test_hello_with_looping_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidLoopingCall) loop = NULL;
  guint stops = 0;
  TimerLog log;

  timer_log_init (&log, BRAID_CLOCK (clock), note_stop, &stops);
  loop = hello_five_times_looping (BRAID_CLOCK (clock), &log);
  check_hello_five_times (clock, &log, &stops);
  g_assert_false (braid_looping_call_is_running (loop));
  timer_log_clear (&log);
}

static BraidProtocol *
connect_ticker (BraidFactory *factory, BraidStringTransport *transport)
{
  BraidProtocol *ticker = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (ticker, BRAID_TRANSPORT (transport));
  return ticker;
}

static void
test_ticker_ticks_five_times_then_hangs_up (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = ticker_factory_new (BRAID_CLOCK (clock));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) ticker = connect_ticker (factory, transport);

  braid_fake_clock_advance (clock, 1);
  braid_assert_transport_wrote (transport, "tick 1\r\n");
  braid_fake_clock_advance (clock, 10);
  braid_assert_transport_wrote (transport, "tick 2\r\ntick 3\r\ntick 4\r\ntick 5\r\n");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_test_lose_connection (ticker, TRUE);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_ticker_stops_when_the_client_leaves (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = ticker_factory_new (BRAID_CLOCK (clock));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) ticker = connect_ticker (factory, transport);

  braid_fake_clock_advance (clock, 2);
  braid_test_lose_connection (ticker, FALSE);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_fake_clock_advance (clock, 10);
  braid_assert_transport_wrote (transport, "tick 1\r\ntick 2\r\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 05: call_later, re-arming timers, looping calls, a ticker server");

  braid_test_add_func ("/lesson05/print-times-then-stop", test_print_times_then_stop);
  braid_test_add_func ("/lesson05/alarm/cancel-and-reset", test_alarm_cancelled_or_moved);
  braid_test_add_func ("/lesson05/hello/call-later", test_hello_with_call_later);
  braid_test_add_func ("/lesson05/hello/looping-call", test_hello_with_looping_call);
  braid_test_add_func ("/lesson05/ticker/five-ticks", test_ticker_ticks_five_times_then_hangs_up);
  braid_test_add_func ("/lesson05/ticker/stops-with-client", test_ticker_stops_when_the_client_leaves);
  return g_test_run ();
}
