/* test-glib-reactor.c: the real reactor's loop, clock, triggers, threads
 * and signals, shutdown, and fairness between busy sockets and timers. Real
 * time and sockets on 127.0.0.1, so suite 'integration'; every wait is
 * bounded. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

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
  call = braid_delayed_call_ref (schedule (&recorder, 10, 'x'));
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

/* --- Triggers ------------------------------------------------------------- */

typedef struct
{
  BraidReactor *reactor;
  GString *log;
  const char *word;
  guint victim;      /* a trigger id this one removes, or 0 */
} TriggerStep;

static void
trigger_step (gpointer data)
{
  TriggerStep *step = data;

  g_string_append_printf (step->log, "%s%s", step->log->len ? " " : "", step->word);
  if (step->victim != 0)
    braid_reactor_remove_system_event_trigger (step->reactor, step->victim);
}

static void
test_trigger_removed_by_an_earlier_one (void)
{
  TestEnv env;
  g_autoptr (GString) log = g_string_new (NULL);
  TriggerStep first = { NULL, log, "first", 0 };
  TriggerStep removed = { NULL, log, "removed", 0 };
  TriggerStep last = { NULL, log, "last", 0 };

  g_test_summary ("A trigger removed by an earlier trigger of the same phase does not run");
  test_env_init (&env);
  first.reactor = removed.reactor = last.reactor = env.reactor;
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_DURING, "startup",
                                          trigger_step, &first, NULL);
  first.victim = braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_DURING,
                                                         "startup", trigger_step, &removed, NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_DURING, "startup",
                                          trigger_step, &last, NULL);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_run (env.reactor);
  g_assert_cmpstr (log->str, ==, "first last");
  test_env_clear (&env);
}

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_remove_unknown_trigger_is_critical (void)
{
  TestEnv env;
  guint calls = 0;
  guint id;

  g_test_summary ("Removing a trigger id that does not exist (or no longer) is a "
                  "critical; removing a trigger calls its destroy notify");
  test_env_init (&env);
  id = braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "startup",
                                               count_call, &calls, count_call);
  braid_reactor_remove_system_event_trigger (env.reactor, id);
  g_assert_cmpuint (calls, ==, 1);   /* the destroy notify, counted by the same counter */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no pending trigger has id*");
  braid_reactor_remove_system_event_trigger (env.reactor, id);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no pending trigger has id*");
  braid_reactor_remove_system_event_trigger (env.reactor, id + 100);
  g_test_assert_expected_messages ();
  test_env_clear (&env);
}

/* --- Running and stopping ------------------------------------------------- */

typedef struct
{
  BraidReactor *reactor;
  guint ran, destroyed;
  guint queued_ran, queued_destroyed;
} WhenRunning;

static void when_ran (gpointer data) { ((WhenRunning *) data)->ran++; }
static void when_destroyed (gpointer data) { ((WhenRunning *) data)->destroyed++; }
static void queued_ran (gpointer data) { ((WhenRunning *) data)->queued_ran++; }
static void queued_destroyed (gpointer data) { ((WhenRunning *) data)->queued_destroyed++; }

static void
call_now_while_running (gpointer data)
{
  WhenRunning *state = data;

  braid_reactor_call_when_running (state->reactor, when_ran, state, when_destroyed);
  /* Ran at once, and its data let go of at once. */
  g_assert_cmpuint (state->ran, ==, 1);
  g_assert_cmpuint (state->destroyed, ==, 1);
  braid_reactor_stop (state->reactor);
}

static void
queue_while_stopping (gpointer data)
{
  WhenRunning *state = data;

  braid_reactor_call_when_running (state->reactor, queued_ran, state, queued_destroyed);
}

static void
test_call_when_running_destroy_notify (void)
{
  TestEnv env;
  WhenRunning state = { 0 };

  g_test_summary ("call_when_running while running calls at once, then the destroy notify; "
                  "while stopping it queues the call, which never runs, and dropping the "
                  "reactor calls its destroy notify");
  test_env_init (&env);
  state.reactor = env.reactor;
  braid_reactor_call_when_running (env.reactor, call_now_while_running, &state, NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "shutdown",
                                          queue_while_stopping, &state, NULL);
  braid_reactor_run (env.reactor);
  g_assert_cmpuint (state.ran, ==, 1);
  g_assert_cmpuint (state.queued_ran, ==, 0);
  g_assert_cmpuint (state.queued_destroyed, ==, 0);
  g_clear_object (&env.reactor);
  g_assert_cmpuint (state.queued_ran, ==, 0);
  g_assert_cmpuint (state.queued_destroyed, ==, 1);
  test_env_clear (&env);
}

static void
run_again (gpointer data)
{
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already running*");
  braid_reactor_run (data);
  g_test_assert_expected_messages ();
  g_assert_true (braid_reactor_is_running (data));
  braid_reactor_stop (data);
}

static void
test_run_while_running_is_critical (void)
{
  TestEnv env;

  g_test_summary ("run from inside a running reactor is a critical and returns at once");
  test_env_init (&env);
  braid_reactor_call_when_running (env.reactor, run_again, env.reactor, NULL);
  braid_reactor_run (env.reactor);
  g_assert_false (braid_reactor_is_running (env.reactor));
  test_env_clear (&env);
}

typedef struct
{
  BraidReactor *reactor;
  GString *log;
} Holds;

static void
release_one (gpointer data)
{
  Holds *holds = data;

  g_string_append (holds->log, " release");
  braid_glib_reactor_release_shutdown (BRAID_GLIB_REACTOR (holds->reactor));
}

static void
hold_twice (gpointer data)
{
  Holds *holds = data;

  g_string_append (holds->log, "hold hold");
  braid_glib_reactor_hold_shutdown (BRAID_GLIB_REACTOR (holds->reactor));
  braid_glib_reactor_hold_shutdown (BRAID_GLIB_REACTOR (holds->reactor));
  braid_clock_call_later (BRAID_CLOCK (holds->reactor), 0.02, release_one, holds, NULL);
  braid_clock_call_later (BRAID_CLOCK (holds->reactor), 0.05, release_one, holds, NULL);
}

static void
log_during (gpointer data)
{
  g_string_append (((Holds *) data)->log, " during");
}

static void
test_two_shutdown_holds (void)
{
  TestEnv env;
  g_autoptr (GString) log = g_string_new (NULL);
  Holds holds = { NULL, log };

  g_test_summary ("With two shutdown holds, the shutdown waits for both releases");
  test_env_init (&env);
  holds.reactor = env.reactor;
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "shutdown",
                                          hold_twice, &holds, NULL);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_DURING, "shutdown",
                                          log_during, &holds, NULL);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_run (env.reactor);
  g_assert_cmpstr (log->str, ==, "hold hold release release during");
  test_env_clear (&env);
}

static void
connect_then_stop (gpointer data)
{
  RecFactory *client = g_object_get_data (G_OBJECT (data), "client");
  guint16 port = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (data), "port"));

  braid_reactor_connect_tcp (BRAID_REACTOR (data), "127.0.0.1", port,
                             BRAID_CLIENT_FACTORY (client));
  braid_reactor_stop (BRAID_REACTOR (data));
}

static void
test_stop_abandons_pending_connectors (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("A connection attempt still under way when the reactor stops is "
                  "abandoned: no protocol is built and its factory is stopped");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  g_object_set_data (G_OBJECT (env.reactor), "client", client);
  g_object_set_data (G_OBJECT (env.reactor), "port", GUINT_TO_POINTER (port));
  braid_reactor_call_when_running (env.reactor, connect_then_stop, env.reactor, NULL);
  braid_reactor_run (env.reactor);
  g_assert_cmpuint (client->started, ==, 1);
  g_assert_cmpuint (client->protocols->len, ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  test_env_clear (&env);
}

/* --- Clock ---------------------------------------------------------------- */

static gboolean
flag_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_far_timer_does_not_block_the_loop (void)
{
  TestEnv env;
  guint far_calls = 0;
  gboolean other = FALSE;
  g_autoptr (BraidDelayedCall) far = NULL;

  g_test_summary ("A timer due in years (more milliseconds than an int holds) neither "
                  "fires nor stops other sources from running");
  test_env_init (&env);
  far = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (env.reactor), 1e8, count_call,
                                                        &far_calls, NULL));
  {
    GSource *source = g_timeout_source_new (10);

    g_source_set_callback (source, flag_true, &other, NULL);
    g_source_attach (source, env.context);
    g_source_unref (source);
  }
  WAIT_FOR (&env, other);
  g_assert_cmpuint (far_calls, ==, 0);
  g_assert_true (braid_delayed_call_active (far));
  braid_delayed_call_cancel (far, NULL);
  g_assert_false (braid_delayed_call_active (far));
  test_env_clear (&env);
}

/* --- Dropping the reactor ------------------------------------------------- */

static void
test_dispose_twice (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;
  int fd, refused;

  g_test_summary ("Disposing the reactor closes its port and connections once; a second "
                  "dispose (as GObject allows) changes nothing");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  g_assert_cmpint (fd, >=, 0);
  WAIT_FOR (&env, server->protocols->len == 1 && rec_factory_state (server, 0)->made == 1);
  g_object_run_dispose (G_OBJECT (env.reactor));
  g_assert_cmpuint (rec_factory_state (server, 0)->lost_count, ==, 1);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  refused = raw_try_connect (port);
  g_assert_cmpint (refused, ==, -1);
  g_object_run_dispose (G_OBJECT (env.reactor));
  g_assert_cmpuint (rec_factory_state (server, 0)->lost_count, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  close (fd);
  test_env_clear (&env);
}

/* --- A batch of socket events --------------------------------------------- */

/* A protocol that, on data, aborts every other connection of its factory. */
#define KILLER_TYPE_PROTOCOL (killer_protocol_get_type ())
G_DECLARE_FINAL_TYPE (KillerProtocol, killer_protocol, KILLER, PROTOCOL, RecProtocol)
struct _KillerProtocol { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (KillerProtocol, killer_protocol, REC_TYPE_PROTOCOL)

static RecFactory *killers;

static void
killer_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BRAID_PROTOCOL_CLASS (killer_protocol_parent_class)->data_received (protocol, data, len);
  for (guint i = 0; i < killers->protocols->len; i++)
    {
      BraidProtocol *other = g_ptr_array_index (killers->protocols, i);

      if (other != protocol)
        braid_transport_abort_connection (braid_protocol_get_transport (other));
    }
}

static void
killer_protocol_class_init (KillerProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = killer_data_received;
}

static void killer_protocol_init (KillerProtocol *self) { }

static void
test_closed_by_another_callback_in_the_batch (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (KILLER_TYPE_PROTOCOL, 0);
  RecState *a, *b, *survivor, *victim;
  guint16 port;
  int fd_a, fd_b;

  g_test_summary ("A connection aborted by another connection's callback, while its own "
                  "event waits in the same batch, gets no data_received after it");
  killers = server;
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd_a = raw_connect (port);
  fd_b = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 2);
  a = rec_factory_state (server, 0);
  b = rec_factory_state (server, 1);
  g_assert_cmpint (write (fd_a, "to-a", 4), ==, 4);
  g_assert_cmpint (write (fd_b, "to-b", 4), ==, 4);
  g_usleep (20 * 1000);   /* both readable before the next epoll_wait */
  WAIT_FOR (&env, a->lost != NULL || b->lost != NULL);
  survivor = a->lost == NULL ? a : b;
  victim = a->lost == NULL ? b : a;
  g_assert_cmpuint (survivor->received->len, ==, 4);
  g_assert_cmpuint (victim->received->len, ==, 0);
  g_assert_error (victim->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  killers = NULL;
  close (fd_a);
  close (fd_b);
  test_env_clear (&env);
}

/* --- Ports ---------------------------------------------------------------- */

static void
test_listen_unix_error (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-test-XXXXXX", NULL);
  g_autofree char *path = NULL;
  BraidListeningPort *port;

  g_test_summary ("listen_unix on a path that cannot be bound returns NULL and an error, "
                  "and leaves the factory unstarted");
  g_assert_nonnull (dir);
  path = g_build_filename (dir, "missing-dir", "socket", NULL);
  test_env_init (&env);
  port = braid_reactor_listen_unix (env.reactor, path, BRAID_FACTORY (server), &error);
  g_assert_null (port);
  g_assert_nonnull (error);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  test_env_clear (&env);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* --- Signals while stopping ----------------------------------------------- */

typedef struct
{
  BraidReactor *reactor;
  guint braid_messages;
  guint signals_seen;
} SignalState;

static void
count_braid_message (const char *domain, GLogLevelFlags level, const char *message,
                     gpointer data)
{
  ((SignalState *) data)->braid_messages++;
}

static gboolean
saw_sigint (gpointer data)
{
  SignalState *state = data;

  if (state->signals_seen++ == 0)
    braid_glib_reactor_release_shutdown (BRAID_GLIB_REACTOR (state->reactor));
  return G_SOURCE_CONTINUE;
}

static void
hold_and_interrupt (gpointer data)
{
  SignalState *state = data;

  braid_glib_reactor_hold_shutdown (BRAID_GLIB_REACTOR (state->reactor));
  g_assert_cmpint (kill (getpid (), SIGINT), ==, 0);
}

static void
test_sigint_while_stopping_is_ignored (void)
{
  TestEnv env;
  SignalState state = { 0 };
  GSource *watcher;
  guint handler;

  g_test_summary ("A SIGINT that arrives while the reactor is already stopping neither "
                  "stops it again nor logs 'Received a termination signal'");
  test_env_init (&env);
  state.reactor = env.reactor;
  /* A second SIGINT source on the same context, to know it was dispatched. */
  watcher = g_unix_signal_source_new (SIGINT);
  g_source_set_callback (watcher, saw_sigint, &state, NULL);
  g_source_attach (watcher, env.context);
  handler = g_log_set_handler ("Braid", G_LOG_LEVEL_MESSAGE, count_braid_message, &state);
  braid_reactor_add_system_event_trigger (env.reactor, BRAID_TRIGGER_BEFORE, "shutdown",
                                          hold_and_interrupt, &state, NULL);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  braid_reactor_run (env.reactor);
  g_log_remove_handler ("Braid", handler);
  g_source_destroy (watcher);
  g_source_unref (watcher);
  g_assert_cmpuint (state.signals_seen, ==, 1);
  g_assert_cmpuint (state.braid_messages, ==, 0);
  g_assert_false (braid_reactor_is_running (env.reactor));
  test_env_clear (&env);
}

/* --- The flush deadline --------------------------------------------------- */

static void
test_stop_aborts_what_cannot_flush (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  gsize size = 32 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  BraidTransport *transport;
  gint64 start;
  gdouble took;
  guint16 port;
  int fd;

  g_test_summary ("A connection that is still flushing (already disconnecting) when the "
                  "reactor stops gets BRAID_GLIB_REACTOR_FLUSH_SECONDS, then is aborted");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 1);
  transport = braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0));
  braid_transport_write (transport, big, size);   /* the peer never reads */
  braid_transport_lose_connection (transport);
  g_assert_null (rec_factory_state (server, 0)->lost);
  braid_reactor_call_when_running (env.reactor, stop_reactor, env.reactor, NULL);
  start = g_get_monotonic_time ();
  braid_reactor_run (env.reactor);
  took = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  g_assert_cmpfloat (took, >=, BRAID_GLIB_REACTOR_FLUSH_SECONDS - 0.1);
  g_assert_cmpfloat (took, <, BRAID_GLIB_REACTOR_FLUSH_SECONDS + 2.0);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  close (fd);
  test_env_clear (&env);
}

static BraidConnector *
connect_local (TestEnv *env, guint16 port, RecFactory *client)
{
  return braid_reactor_connect_tcp (env->reactor, "127.0.0.1", port,
                                    BRAID_CLIENT_FACTORY (client));
}

/* --- Fairness: busy sockets do not starve timers or other sources -------- */

/* A RecProtocol (so a RecFactory can build it and write its greeting) that
 * bounces every byte back until EXCHANGE_LIMIT bytes have come in, then
 * stops. A test that waits for a timer while two of these play ping-pong
 * fails, rather than hangs, if the reactor never leaves its socket loop. */
#define EXCHANGE_LIMIT 100000

G_DECLARE_FINAL_TYPE (PingPong, ping_pong, PING, PONG, RecProtocol)
struct _PingPong { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (PingPong, ping_pong, REC_TYPE_PROTOCOL)

static guint exchanges;   /* bytes bounced by both sides, in the running test */

static void
ping_pong_data_received (BraidProtocol *protocol, const guint8 *data, gsize length)
{
  exchanges += length;
  if (exchanges < EXCHANGE_LIMIT)
    braid_transport_write (braid_protocol_get_transport (protocol), data, length);
  else
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
ping_pong_class_init (PingPongClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = ping_pong_data_received;
}

static void
ping_pong_init (PingPong *self)
{
}

static void
note_exchanges_now (gpointer data)
{
  *(guint *) data = exchanges;
}

static gboolean
note_exchanges_from_glib (gpointer data)
{
  note_exchanges_now (data);
  return G_SOURCE_REMOVE;
}

static void
test_busy_sockets_do_not_starve_timers (void)
{
  TestEnv env;
  g_autoptr (BraidFactory) server = braid_factory_new (ping_pong_get_type ());
  g_autoptr (RecFactory) client = rec_factory_new (ping_pong_get_type (), 0);
  guint at_braid_timer = 0, at_glib_timeout = 0;
  g_autoptr (BraidDelayedCall) call = NULL;
  GSource *timeout;

  g_test_summary ("While two connections bounce bytes back and forth without a pause, "
                  "a Braid delayed call and a plain GLib timeout still fire on time");
  exchanges = 0;
  test_env_init (&env);
  client->greeting = g_bytes_new_static ("p", 1);
  connect_local (&env, listen_local (&env, server), client);
  WAIT_FOR (&env, exchanges > 10);

  call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (env.reactor), 0.01,
                                                         note_exchanges_now, &at_braid_timer, NULL));
  timeout = g_timeout_source_new (10);
  g_source_set_callback (timeout, note_exchanges_from_glib, &at_glib_timeout, NULL);
  g_source_attach (timeout, env.context);
  g_source_unref (timeout);
  WAIT_FOR (&env, at_braid_timer != 0 && at_glib_timeout != 0);

  /* Both fired while the ping-pong was still going, not after it ended. */
  g_assert_cmpuint (at_braid_timer, <, EXCHANGE_LIMIT);
  g_assert_cmpuint (at_glib_timeout, <, EXCHANGE_LIMIT);
  braid_transport_lose_connection (
    braid_protocol_get_transport (g_ptr_array_index (client->protocols, 0)));
  WAIT_FOR (&env, client->client_lost != NULL);
  test_env_clear (&env);
}

/* Braid's epoll source shares its GMainContext.
 *
 * However busy its sockets are, the reactor is one GLib source among
 * others: a unix signal source (how a server hears SIGTERM), a plain GLib
 * fd watch and an idle source on the same context must still be
 * dispatched while connections keep the reactor saturated.
 *
 * The load is the one that starved SIGTERM in lesson 09's pubsub server: a
 * few connections that are always readable, each read costing real work
 * (there, thousands of broadcast lines; here, a 2 ms sleep). Each test
 * makes the other source ready, then counts the socket callbacks the
 * reactor runs before that source is dispatched: a fair reactor returns to
 * GLib after a few milliseconds of callbacks, so only a round or two of
 * them may pass, not the dozens of rounds one dispatch used to run. */
/* How many bytes both sides of each pair bounce before they stop: far more
 * than a fair loop needs to reach the other source. */
#define FLOOD_LIMIT (64 * 1024 * 1024)
#define PAIRS 4
#define PING_SIZE 512
/* What one read costs the protocol. */
#define WORK_PER_READ_USEC 2000
/* Socket callbacks allowed between "the other source is ready" and its
 * dispatch: 12 rounds of the PAIRS sockets readable at a time (each pair
 * bounces one ping), 96 ms of work at least -- room for the GLib thread
 * that relays signals to be scheduled on a loaded machine -- where one
 * dispatch of 16 rounds runs 64 and a signal used to wait for two. */
#define MAX_CALLBACKS_BEFORE_DISPATCH (12 * PAIRS)

G_DECLARE_FINAL_TYPE (Bouncer, bouncer, BOUNCER, PROTOCOL, RecProtocol)
struct _Bouncer { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (Bouncer, bouncer, REC_TYPE_PROTOCOL)

static guint64 exchanged;   /* bytes bounced by every connection, in the running test */
static guint64 callbacks;   /* data_received calls, in the running test */

/* Works a while on what came in, then bounces it straight back, until the
 * test has seen enough. */
static void
bouncer_data_received (BraidProtocol *protocol, const guint8 *data, gsize length)
{
  callbacks++;
  g_usleep (WORK_PER_READ_USEC);
  exchanged += length;
  if (exchanged < FLOOD_LIMIT)
    braid_transport_write (braid_protocol_get_transport (protocol), data, length);
  else
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
bouncer_class_init (BouncerClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = bouncer_data_received;
}

static void
bouncer_init (Bouncer *self)
{
}

typedef struct
{
  TestEnv env;
  BraidFactory *server;
  RecFactory *client;
} Saturated;

/* Starts PAIRS connections bouncing PING_SIZE bytes back and forth, and
 * waits until they are all busy. */
static void
saturated_start (Saturated *fixture)
{
  static guint8 ping[PING_SIZE];
  guint16 port;

  exchanged = callbacks = 0;
  test_env_init (&fixture->env);
  fixture->server = braid_factory_new (bouncer_get_type ());
  fixture->client = rec_factory_new (bouncer_get_type (), 0);
  memset (ping, 'p', sizeof ping);
  fixture->client->greeting = g_bytes_new_static (ping, sizeof ping);
  port = listen_local (&fixture->env, fixture->server);
  for (guint i = 0; i < PAIRS; i++)
    g_assert_nonnull (braid_reactor_connect_tcp (fixture->env.reactor, "127.0.0.1", port,
                                                 BRAID_CLIENT_FACTORY (fixture->client)));
  WAIT_FOR (&fixture->env, fixture->client->protocols->len == PAIRS
                           && callbacks > 4 * PAIRS);
}

static void
saturated_stop (Saturated *fixture)
{
  for (guint i = 0; i < fixture->client->protocols->len; i++)
    braid_transport_abort_connection (
      braid_protocol_get_transport (g_ptr_array_index (fixture->client->protocols, i)));
  WAIT_FOR (&fixture->env, rec_factory_state (fixture->client, PAIRS - 1)->lost != NULL);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->client);
  test_env_clear (&fixture->env);
}

/* Where the other source found the load: the callbacks run so far (plus
 * one, so that 0 means "not dispatched yet"). */
static gboolean
note_callbacks (gpointer data)
{
  *(guint64 *) data = callbacks + 1;
  return G_SOURCE_REMOVE;
}

static gboolean
note_callbacks_from_fd (int fd, GIOCondition condition, gpointer data)
{
  char byte;

  g_assert_cmpint (read (fd, &byte, 1), ==, 1);
  return note_callbacks (data);
}

/* Waits until @seen is set, and checks that few socket callbacks ran
 * between @ready_at (the callbacks when the source became ready) and its
 * dispatch, and that the load was still going then. */
static void
assert_dispatched_soon (Saturated *fixture, guint64 ready_at, guint64 *seen)
{
  WAIT_FOR (&fixture->env, *seen != 0);
  g_test_message ("%" G_GUINT64_FORMAT " socket callbacks ran before the source",
                  *seen - 1 - ready_at);
  g_assert_cmpuint (*seen - 1 - ready_at, <=, MAX_CALLBACKS_BEFORE_DISPATCH);
  g_assert_cmpuint (exchanged, <, FLOOD_LIMIT);
}

static void
test_unix_signal_is_dispatched_under_load (void)
{
  Saturated fixture;
  guint64 at_signal = 0, ready_at;
  GSource *source;

  g_test_summary ("While connections bounce bytes without a pause, a unix signal "
                  "source on the reactor's context is still dispatched (SIGTERM "
                  "must stop a busy server)");
  saturated_start (&fixture);
  source = g_unix_signal_source_new (SIGUSR1);
  g_source_set_callback (source, note_callbacks, &at_signal, NULL);
  g_source_attach (source, fixture.env.context);
  ready_at = callbacks;
  kill (getpid (), SIGUSR1);
  assert_dispatched_soon (&fixture, ready_at, &at_signal);
  g_source_destroy (source);
  g_source_unref (source);
  saturated_stop (&fixture);
}

static void
test_fd_watch_is_dispatched_under_load (void)
{
  Saturated fixture;
  guint64 at_fd = 0, ready_at;
  int pipe_fds[2];
  GSource *source;

  g_test_summary ("While connections bounce bytes without a pause, a plain GLib fd "
                  "watch on the reactor's context still hears its fd");
  saturated_start (&fixture);
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  source = g_unix_fd_source_new (pipe_fds[0], G_IO_IN);
  g_source_set_callback (source, G_SOURCE_FUNC (note_callbacks_from_fd), &at_fd, NULL);
  g_source_attach (source, fixture.env.context);
  ready_at = callbacks;
  g_assert_cmpint (write (pipe_fds[1], "x", 1), ==, 1);
  assert_dispatched_soon (&fixture, ready_at, &at_fd);
  g_source_destroy (source);
  g_source_unref (source);
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  saturated_stop (&fixture);
}

static void
test_idle_is_dispatched_under_load (void)
{
  Saturated fixture;
  guint64 at_idle = 0, ready_at;
  GSource *source;

  g_test_summary ("While connections bounce bytes without a pause, an idle source of "
                  "the same priority on the reactor's context still runs");
  saturated_start (&fixture);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, note_callbacks, &at_idle, NULL);
  ready_at = callbacks;
  g_source_attach (source, fixture.env.context);
  assert_dispatched_soon (&fixture, ready_at, &at_idle);
  g_source_destroy (source);
  g_source_unref (source);
  saturated_stop (&fixture);
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

  braid_test_add_func ("/glib-reactor/triggers/removed-by-an-earlier-one", test_trigger_removed_by_an_earlier_one);
  braid_test_add_func ("/glib-reactor/triggers/remove-unknown-is-critical", test_remove_unknown_trigger_is_critical);
  braid_test_add_func ("/glib-reactor/run/call-when-running-destroy-notify", test_call_when_running_destroy_notify);
  braid_test_add_func ("/glib-reactor/run/run-while-running-is-critical", test_run_while_running_is_critical);
  braid_test_add_func ("/glib-reactor/run/two-shutdown-holds", test_two_shutdown_holds);
  braid_test_add_func ("/glib-reactor/run/stop-abandons-pending-connectors", test_stop_abandons_pending_connectors);
  braid_test_add_func ("/glib-reactor/clock/far-timer", test_far_timer_does_not_block_the_loop);
  braid_test_add_func ("/glib-reactor/drop/dispose-twice", test_dispose_twice);
  braid_test_add_func ("/glib-reactor/batch/closed-by-another-callback", test_closed_by_another_callback_in_the_batch);
  braid_test_add_func ("/glib-reactor/port/listen-unix-error", test_listen_unix_error);
  braid_test_add_func ("/glib-reactor/run/sigint-while-stopping-is-ignored", test_sigint_while_stopping_is_ignored);
  braid_test_add_func ("/glib-reactor/run/stop-aborts-what-cannot-flush", test_stop_aborts_what_cannot_flush);

  braid_test_add_func ("/glib-reactor/fairness/busy-sockets-do-not-starve-timers", test_busy_sockets_do_not_starve_timers);


  braid_test_add_func ("/glib-reactor/fairness/unix-signal-under-load",
                       test_unix_signal_is_dispatched_under_load);
  braid_test_add_func ("/glib-reactor/fairness/fd-watch-under-load",
                       test_fd_watch_is_dispatched_under_load);
  braid_test_add_func ("/glib-reactor/fairness/idle-under-load",
                       test_idle_is_dispatched_under_load);

  return g_test_run ();
}
