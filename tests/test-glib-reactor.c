/* test-glib-reactor.c: the real reactor's loop, clock, triggers, threads
 * and signals. Real time, so suite 'integration'; every wait is bounded. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "reactor-test-common.h"

/* --- Clock ---------------------------------------------------------------- */

typedef struct
{
  BraidClock *clock;
  GString *order;
  GArray *times;
} Recorder;

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

  g_string_append_c (mark->recorder->order, mark->letter);
  g_array_append_val (mark->recorder->times, now);
}

static BraidDelayedCall *
schedule (Recorder *recorder, gdouble delay, char letter)
{
  Mark *mark = g_new0 (Mark, 1);

  mark->recorder = recorder;
  mark->letter = letter;
  return braid_clock_call_later (recorder->clock, delay, record_mark, mark, g_free);
}

static void
recorder_init (Recorder *recorder, TestEnv *env)
{
  recorder->clock = BRAID_CLOCK (env->reactor);
  recorder->order = g_string_new (NULL);
  recorder->times = g_array_new (FALSE, FALSE, sizeof (gdouble));
}

static void
recorder_clear (Recorder *recorder)
{
  g_string_free (recorder->order, TRUE);
  g_array_unref (recorder->times);
}

static void
test_clock_is_monotonic_seconds (void)
{
  TestEnv env;
  gdouble before, after;

  g_test_summary ("The reactor's clock tells monotonic time in seconds");
  test_env_init (&env);
  before = braid_clock_seconds (BRAID_CLOCK (env.reactor));
  g_usleep (50 * 1000);
  after = braid_clock_seconds (BRAID_CLOCK (env.reactor));
  g_assert_cmpfloat (after - before, >=, 0.05);
  g_assert_cmpfloat (after - before, <, 2);
  test_env_clear (&env);
}

static void
test_calls_fire_in_deadline_order_never_early (void)
{
  TestEnv env;
  Recorder recorder;
  gdouble start;

  g_test_summary ("Delayed calls fire in deadline order, equal deadlines in scheduling "
                  "order, and never before their time");
  test_env_init (&env);
  recorder_init (&recorder, &env);
  start = braid_clock_seconds (recorder.clock);
  schedule (&recorder, 0.15, 'c');
  schedule (&recorder, 0.05, 'a');
  schedule (&recorder, 0.10, 'b');
  schedule (&recorder, 0.10, 'B');
  schedule (&recorder, 0.10, 'x');
  WAIT_FOR (&env, recorder.order->len == 5);
  g_assert_cmpstr (recorder.order->str, ==, "abBxc");
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 0) - start, >=, 0.05);
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 1) - start, >=, 0.10);
  g_assert_cmpfloat (g_array_index (recorder.times, gdouble, 4) - start, >=, 0.15);
  recorder_clear (&recorder);
  test_env_clear (&env);
}

static void
test_cancel_and_reset (void)
{
  TestEnv env;
  Recorder recorder;
  BraidDelayedCall *cancelled, *moved;
  g_autoptr (GError) error = NULL;

  g_test_summary ("A cancelled call never fires; a reset call fires at its new time");
  test_env_init (&env);
  recorder_init (&recorder, &env);
  cancelled = schedule (&recorder, 0.05, 'x');
  moved = schedule (&recorder, 5, 'm');
  schedule (&recorder, 0.1, 'a');
  g_assert_true (braid_delayed_call_cancel (cancelled, &error));
  g_assert_no_error (error);
  g_assert_true (braid_delayed_call_reset (moved, 0.15, &error));
  g_assert_no_error (error);
  WAIT_FOR (&env, recorder.order->len == 2);
  g_assert_cmpstr (recorder.order->str, ==, "am");
  recorder_clear (&recorder);
  test_env_clear (&env);
}

typedef struct
{
  BraidClock *clock;
  guint fired;
  gboolean idle_ran;
} Rearm;

static void
rearm_with_zero_delay (gpointer data)
{
  Rearm *rearm = data;

  rearm->fired++;
  if (!rearm->idle_ran)
    braid_clock_call_later (rearm->clock, 0, rearm_with_zero_delay, rearm, NULL);
}

static gboolean
note_idle (gpointer data)
{
  ((Rearm *) data)->idle_ran = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_zero_delay_rearm_lets_the_loop_breathe (void)
{
  TestEnv env;
  Rearm rearm = { 0 };
  GSource *idle;

  g_test_summary ("A call that reschedules itself with no delay fires once per iteration: "
                  "other sources still run");
  test_env_init (&env);
  rearm.clock = BRAID_CLOCK (env.reactor);
  braid_clock_call_later (rearm.clock, 0, rearm_with_zero_delay, &rearm, NULL);
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, note_idle, &rearm, NULL);
  g_source_attach (idle, env.context);
  g_source_unref (idle);
  WAIT_FOR (&env, rearm.idle_ran);
  g_assert_cmpuint (rearm.fired, >=, 1);
  g_assert_cmpuint (rearm.fired, <, 10);
  WAIT_FOR (&env, braid_timer_queue_get_length (braid_clock_get_timer_queue (rearm.clock)) == 0);
  test_env_clear (&env);
}

static void
test_destroying_the_reactor_cancels_calls (void)
{
  TestEnv env;
  Recorder recorder;
  g_autoptr (BraidDelayedCall) call = NULL;

  g_test_summary ("Calls still pending when the reactor goes are cancelled, and their "
                  "data freed");
  test_env_init (&env);
  recorder_init (&recorder, &env);
  call = g_object_ref (schedule (&recorder, 10, 'x'));
  g_clear_object (&env.reactor);
  g_assert_true (braid_delayed_call_cancelled (call));
  g_assert_cmpuint (recorder.order->len, ==, 0);
  recorder_clear (&recorder);
  test_env_clear (&env);
}

/* --- Running, stopping, triggers ---------------------------------------- */

typedef struct
{
  BraidReactor *reactor;
  GString *log;
  const char *word;
} Step;

static void
log_step (gpointer data)
{
  Step *step = data;

  g_string_append_printf (step->log, "%s%s", step->log->len ? " " : "", step->word);
  g_assert_true (step->reactor != NULL);
}

static void
stop_reactor (gpointer data)
{
  braid_reactor_stop (data);
}

static void
release_hold (gpointer data)
{
  Step *step = data;

  log_step (step);
  braid_glib_reactor_release_shutdown (BRAID_GLIB_REACTOR (step->reactor));
}

static void
hold_until_later (gpointer data)
{
  Step *step = data;

  log_step (step);
  braid_glib_reactor_hold_shutdown (BRAID_GLIB_REACTOR (step->reactor));
  braid_clock_call_later (BRAID_CLOCK (step->reactor), 0.05, release_hold, step + 1, NULL);
}

static void
test_triggers_run_in_order (void)
{
  TestEnv env;
  g_autoptr (GString) log = g_string_new (NULL);
  Step steps[] = {
    { NULL, log, "before-startup" }, { NULL, log, "during-startup" },
    { NULL, log, "after-startup" }, { NULL, log, "when-running" },
    { NULL, log, "before-shutdown" }, { NULL, log, "released" },
    { NULL, log, "during-shutdown" }, { NULL, log, "after-shutdown" },
    { NULL, log, "removed" },
  };
  guint removed, fired;

  g_test_summary ("run fires the startup triggers, with the when-running calls among the "
                  "`after startup` ones in the order they were added, and stop the shutdown "
                  "triggers in phase order; a held shutdown waits for its release; a trigger "
                  "fires once, so removing it afterwards is an error");
  test_env_init (&env);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    steps[i].reactor = env.reactor;
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_AFTER, "shutdown", log_step, &steps[7], NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_DURING, "shutdown", log_step, &steps[6], NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "shutdown", hold_until_later, &steps[4], NULL);
  fired = braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_AFTER, "startup", log_step, &steps[2], NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_DURING, "startup", log_step, &steps[1], NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "startup", log_step, &steps[0], NULL);
  removed = braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "shutdown", log_step, &steps[8], NULL);
  braid_reactor_remove_system_event_trigger (env.reactor, removed);
  braid_reactor_call_when_running (env.reactor, log_step, &steps[3], NULL);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  g_assert_false (braid_reactor_is_running (env.reactor));

  braid_reactor_run (env.reactor);
  g_assert_cmpstr (log->str, ==, "before-startup during-startup after-startup when-running "
                                 "before-shutdown released during-shutdown after-shutdown");
  g_assert_false (braid_reactor_is_running (env.reactor));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no pending trigger has id*");
  braid_reactor_remove_system_event_trigger (env.reactor, fired);
  g_test_assert_expected_messages ();
  test_env_clear (&env);
}

/* A stop asked while the reactor stops (here from a shutdown trigger) or
 * after it stopped must be silent: a critical would abort the test. */
static void
test_second_stop_is_silent (void)
{
  TestEnv env;
  g_autoptr (GString) log = g_string_new (NULL);
  Step after = { NULL, log, "after-shutdown" };

  g_test_summary ("A second stop, while stopping or once stopped, does nothing and logs nothing");
  test_env_init (&env);
  after.reactor = env.reactor;
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "shutdown",
                                          stop_reactor, env.reactor, NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_AFTER, "shutdown",
                                          log_step, &after, NULL);
  braid_reactor_run (env.reactor);
  braid_reactor_stop (env.reactor);
  g_assert_cmpstr (log->str, ==, "after-shutdown");
  g_assert_false (braid_reactor_is_running (env.reactor));
  test_env_clear (&env);
}

static void
test_run_after_stop_is_refused (void)
{
  TestEnv env;
  g_autoptr (GString) log = g_string_new (NULL);
  Step second = { NULL, log, "second-run" };

  g_test_summary ("A reactor runs once: run after a stop logs a critical and returns "
                  "without firing anything (Twisted's ReactorNotRestartable)");
  test_env_init (&env);
  second.reactor = env.reactor;
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_run (env.reactor);

  /* Were the second run allowed, these would log, and stop it again. */
  braid_reactor_call_when_running (env.reactor, log_step, &second, NULL);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*cannot be run again*");
  braid_reactor_run (env.reactor);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (log->str, ==, "");
  g_assert_false (braid_reactor_is_running (env.reactor));
  test_env_clear (&env);
}

static void
test_stop_before_run_is_an_error (void)
{
  TestEnv env;

  g_test_summary ("Stopping a reactor that never ran is a programming error (a critical)");
  test_env_init (&env);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*has not been run yet*");
  braid_reactor_stop (env.reactor);
  g_test_assert_expected_messages ();
  /* It can still run (and be stopped) afterwards. */
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_run (env.reactor);
  g_assert_false (braid_reactor_is_running (env.reactor));
  test_env_clear (&env);
}

static void
note_running (gpointer data)
{
  Step *step = data;

  g_string_append (step->log, braid_reactor_is_running (step->reactor) ? "running" : "stopped");
  braid_reactor_stop (step->reactor);
  g_string_append (step->log, braid_reactor_is_running (step->reactor) ? " running" : " stopping");
}

static void
ask_when_running (gpointer data)
{
  Step *step = data;

  braid_reactor_call_when_running (step->reactor, note_running, step, NULL);
  g_string_append (step->log, " returned");
}

static void
test_call_when_running_while_running_is_immediate (void)
{
  TestEnv env;
  g_autoptr (GString) log = g_string_new (NULL);
  Step step = { NULL, log, NULL };

  g_test_summary ("call_when_running runs at once when the reactor already runs; "
                  "is_running turns false as soon as a stop is asked");
  test_env_init (&env);
  step.reactor = env.reactor;
  braid_clock_call_later (BRAID_CLOCK (env.reactor), 0, ask_when_running, &step, NULL);
  braid_reactor_run (env.reactor);
  g_assert_cmpstr (log->str, ==, "running stopping returned");
  test_env_clear (&env);
}

static gboolean
stop_from_glib_source (gpointer data)
{
  braid_reactor_stop (data);
  return G_SOURCE_REMOVE;
}

static void
test_other_glib_sources_still_fire (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  GSource *timeout;

  g_test_summary ("A plain GLib timeout on the reactor's context fires while the reactor "
                  "runs and serves sockets");
  test_env_init (&env);
  listen_local (&env, BRAID_FACTORY (server));
  timeout = g_timeout_source_new (50);
  g_source_set_callback (timeout, stop_from_glib_source, env.reactor, NULL);
  g_source_attach (timeout, env.context);
  g_source_unref (timeout);
  braid_reactor_run (env.reactor);
  g_assert_false (braid_reactor_is_running (env.reactor));
  test_env_clear (&env);
}

typedef struct
{
  BraidReactor *reactor;
  GThread *reactor_thread;
  GThread *ran_in;
  gboolean destroyed;
} ThreadCall;

static void
from_thread (gpointer data)
{
  ThreadCall *call = data;

  call->ran_in = g_thread_self ();
  braid_reactor_stop (call->reactor);
}

static void
thread_call_destroyed (gpointer data)
{
  ((ThreadCall *) data)->destroyed = TRUE;
}

static gpointer
other_thread (gpointer data)
{
  ThreadCall *call = data;

  braid_reactor_call_from_thread (call->reactor, from_thread, call, thread_call_destroyed);
  return NULL;
}

static void
start_thread (gpointer data)
{
  g_thread_unref (g_thread_new ("caller", other_thread, data));
}

static void
test_call_from_thread (void)
{
  TestEnv env;
  ThreadCall call = { 0 };

  g_test_summary ("call_from_thread, called from another thread, runs the function in "
                  "the reactor's thread and then frees its data");
  test_env_init (&env);
  call.reactor = env.reactor;
  call.reactor_thread = g_thread_self ();
  braid_reactor_call_when_running (env.reactor, start_thread, &call, NULL);
  braid_reactor_run (env.reactor);
  g_assert_true (call.ran_in == call.reactor_thread);
  g_assert_true (call.destroyed);
  test_env_clear (&env);
}

static void
write_megabytes (gpointer data)
{
  RecFactory *server = data;
  BraidProtocol *protocol = g_ptr_array_index (server->protocols, 0);
  gsize size = 4 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc (size);

  memset (big, 'z', size);
  braid_transport_write (braid_protocol_get_transport (protocol), big, size);
}

static gsize
read_to_end (int fd)
{
  char buffer[65536];
  gsize total = 0;
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    total += n;
  g_assert_cmpint (n, ==, 0);
  return total;
}

static gpointer
reader_thread (gpointer data)
{
  return GSIZE_TO_POINTER (read_to_end (GPOINTER_TO_INT (data)));
}

static void
raise_sigterm (gpointer data)
{
  raise (SIGTERM);
}

/* Run in a subprocess: the reactor is stopped by a real SIGTERM while a
 * connection still has megabytes to send. */
static void
sigterm_child (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;
  int fd;

  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 1);
  write_megabytes (server);
  g_assert_cmpuint (braid_socket_transport_get_buffered_size (BRAID_SOCKET_TRANSPORT (
                      braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0)))),
                    >, 0);
  braid_reactor_call_when_running (env.reactor, raise_sigterm, NULL, NULL);
  /* The peer only reads after run returns, so what the kernel cannot hold
   * must wait: the reactor keeps flushing for a bounded time. Read from a
   * thread meanwhile, as a real peer would. */
  {
    GThread *reader = g_thread_new ("reader", reader_thread,
                                    GINT_TO_POINTER (fd));
    gsize total;

    braid_reactor_run (env.reactor);
    total = GPOINTER_TO_SIZE (g_thread_join (reader));
    g_assert_cmpuint (total, ==, 4 * 1024 * 1024);
  }
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  close (fd);
  test_env_clear (&env);
}

static void
test_sigterm_stops_gracefully (void)
{
  g_test_summary ("SIGTERM stops a running reactor; connections send what they had "
                  "buffered, then close cleanly, before run returns");
  if (g_test_subprocess ())
    {
      sigterm_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*termination signal*");
}

static void
test_dropping_the_reactor_closes_connections (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (BraidProtocol) kept = NULL;
  guint16 port;

  g_test_summary ("Dropping the reactor closes its ports and connections: each protocol "
                  "gets connection_lost, and each factory stops");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, server->protocols->len == 1 && client->protocols->len == 1
                  && rec_factory_state (client, 0)->made);
  kept = g_object_ref (g_ptr_array_index (server->protocols, 0));
  g_clear_object (&env.reactor);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (rec_factory_state (client, 0)->lost);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  /* The protocol can still use its (closed) transport. */
  braid_transport_write_string (braid_protocol_get_transport (kept), "ignored");
  g_assert_true (braid_transport_is_disconnecting (braid_protocol_get_transport (kept)));
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/glib-reactor/clock/monotonic-seconds", test_clock_is_monotonic_seconds);
  braid_test_add_func ("/glib-reactor/clock/deadline-order-never-early", test_calls_fire_in_deadline_order_never_early);
  braid_test_add_func ("/glib-reactor/clock/cancel-and-reset", test_cancel_and_reset);
  braid_test_add_func ("/glib-reactor/clock/zero-delay-rearm-lets-the-loop-breathe", test_zero_delay_rearm_lets_the_loop_breathe);
  braid_test_add_func ("/glib-reactor/clock/destroying-cancels-calls", test_destroying_the_reactor_cancels_calls);
  braid_test_add_func ("/glib-reactor/run/triggers-in-order", test_triggers_run_in_order);
  braid_test_add_func ("/glib-reactor/run/call-when-running-while-running", test_call_when_running_while_running_is_immediate);
  braid_test_add_func ("/glib-reactor/run/second-stop-is-silent", test_second_stop_is_silent);
  braid_test_add_func ("/glib-reactor/run/run-after-stop-is-refused", test_run_after_stop_is_refused);
  braid_test_add_func ("/glib-reactor/run/stop-before-run-is-an-error", test_stop_before_run_is_an_error);
  braid_test_add_func ("/glib-reactor/run/other-glib-sources-fire", test_other_glib_sources_still_fire);
  braid_test_add_func ("/glib-reactor/run/call-from-thread", test_call_from_thread);
  braid_test_add_func ("/glib-reactor/run/sigterm-stops-gracefully", test_sigterm_stops_gracefully);
  braid_test_add_func ("/glib-reactor/run/dropping-closes-connections", test_dropping_the_reactor_closes_connections);

  return g_test_run ();
}
