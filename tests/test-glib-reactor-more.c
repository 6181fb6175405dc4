/* test-glib-reactor-more.c: the real reactor's less travelled paths --
 * triggers removed while they fire, shutdown holds, calls queued while
 * stopping, disposing twice, far timers, and a connection closed by
 * another one's callback in the same batch of socket events. Real time and
 * sockets on 127.0.0.1, so suite 'integration'; every wait is bounded. */
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"

static void
stop_reactor (gpointer data)
{
  braid_reactor_stop (data);
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
  far = g_object_ref (braid_clock_call_later (BRAID_CLOCK (env.reactor), 1e8, count_call,
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/glib-reactor-more/triggers/removed-by-an-earlier-one", test_trigger_removed_by_an_earlier_one);
  braid_test_add_func ("/glib-reactor-more/triggers/remove-unknown-is-critical", test_remove_unknown_trigger_is_critical);
  braid_test_add_func ("/glib-reactor-more/run/call-when-running-destroy-notify", test_call_when_running_destroy_notify);
  braid_test_add_func ("/glib-reactor-more/run/run-while-running-is-critical", test_run_while_running_is_critical);
  braid_test_add_func ("/glib-reactor-more/run/two-shutdown-holds", test_two_shutdown_holds);
  braid_test_add_func ("/glib-reactor-more/run/stop-abandons-pending-connectors", test_stop_abandons_pending_connectors);
  braid_test_add_func ("/glib-reactor-more/clock/far-timer", test_far_timer_does_not_block_the_loop);
  braid_test_add_func ("/glib-reactor-more/drop/dispose-twice", test_dispose_twice);
  braid_test_add_func ("/glib-reactor-more/batch/closed-by-another-callback", test_closed_by_another_callback_in_the_batch);
  braid_test_add_func ("/glib-reactor-more/port/listen-unix-error", test_listen_unix_error);
  braid_test_add_func ("/glib-reactor-more/run/sigint-while-stopping-is-ignored", test_sigint_while_stopping_is_ignored);
  braid_test_add_func ("/glib-reactor-more/run/stop-aborts-what-cannot-flush", test_stop_aborts_what_cannot_flush);

  return g_test_run ();
}
