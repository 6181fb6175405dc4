/* test-process.c: process protocols and transports on fakes: the order of
 * a process's events, stdin, signals, producers, and spawn_process on the
 * memory reactor. No process is started. */
#include <signal.h>
#include <string.h>

#include "process-recorder.h"

typedef struct
{
  ProcessRecorder *recorder;
  BraidFakeProcess *process;
  BraidProcessTransport *transport;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->recorder = process_recorder_new ();
  f->process = braid_fake_process_new (4242);
  f->transport = BRAID_PROCESS_TRANSPORT (f->process);
  braid_fake_process_start (f->process, BRAID_PROCESS_PROTOCOL (f->recorder));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (!braid_fake_process_get_ended (f->process))
    braid_fake_process_finish (f->process, 0);
  g_object_unref (f->process);
  g_object_unref (f->recorder);
}

static void
test_connection_made_attaches_the_transport (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (f->recorder->log->str, ==, "made;");
  g_assert_true (braid_process_protocol_get_transport (BRAID_PROCESS_PROTOCOL (f->recorder))
                 == f->transport);
  g_assert_cmpint (braid_process_transport_get_pid (f->transport), ==, 4242);
  g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), ==, -1);
  g_assert_cmpint (braid_process_transport_get_exit_signal (f->transport), ==, 0);
  g_assert_null (braid_transport_get_peer (BRAID_TRANSPORT (f->transport)));
  g_assert_null (braid_transport_get_host (BRAID_TRANSPORT (f->transport)));
}

static void
test_out_and_err_reach_their_callbacks (Fixture *f, gconstpointer data)
{
  braid_fake_process_write_stdout (f->process, "hello ", -1);
  braid_fake_process_write_stdout (f->process, "world", 5);
  braid_fake_process_write_stderr (f->process, "oops", -1);
  g_assert_cmpstr (f->recorder->out->str, ==, "hello world");
  g_assert_cmpstr (f->recorder->err->str, ==, "oops");
  g_assert_cmpstr (f->recorder->log->str, ==, "made;out;err;");
}

/* Twisted's order: the pipes, then processExited, then processEnded. */
static void
test_a_normal_end_comes_in_twisted_order (Fixture *f, gconstpointer data)
{
  braid_fake_process_finish (f->process, 0);
  g_assert_cmpstr (f->recorder->log->str, ==,
                   "made;lost:0;lost:1;lost:2;exited:0;ended:0;");
  g_assert_error (f->recorder->ended, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_DONE);
  g_assert_cmpstr (f->recorder->ended->message, ==, "process ended with exit code 0");
  g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), ==, 0);
  g_assert_cmpint (braid_process_transport_get_pid (f->transport), ==, 0);
}

/* A grandchild may hold the pipes: process_ended waits for the last one. */
static void
test_ended_waits_for_every_pipe (Fixture *f, gconstpointer data)
{
  braid_fake_process_exit (f->process, 3);
  g_assert_cmpstr (f->recorder->log->str, ==, "made;exited:1;");
  g_assert_error (f->recorder->exited, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_TERMINATED);
  g_assert_cmpstr (f->recorder->exited->message, ==, "process ended with exit code 3");
  braid_fake_process_child_closes (f->process, 1);
  braid_fake_process_child_closes (f->process, 2);
  g_assert_cmpuint (f->recorder->n_ended, ==, 0);
  braid_process_transport_close_stdin (f->transport);
  g_assert_cmpstr (f->recorder->log->str, ==, "made;exited:1;lost:1;lost:2;lost:0;ended:1;");
  g_assert_cmpuint (f->recorder->n_ended, ==, 1);
  g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), ==, 3);
}

static void
test_pipes_closed_twice_are_lost_once (Fixture *f, gconstpointer data)
{
  braid_process_transport_close_stdout (f->transport);
  braid_process_transport_close_stdout (f->transport);
  braid_fake_process_child_closes (f->process, 1);
  braid_process_transport_close_stderr (f->transport);
  g_assert_cmpstr (f->recorder->log->str, ==, "made;lost:1;lost:2;");
  g_assert_true (braid_fake_process_get_child_fd_closed (f->process, 1));
  g_assert_false (braid_fake_process_get_child_fd_closed (f->process, 0));
}

static void
test_a_signal_death_is_terminated (Fixture *f, gconstpointer data)
{
  braid_fake_process_exit_by_signal (f->process, SIGTERM);
  g_assert_error (f->recorder->exited, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_TERMINATED);
  g_assert_true (g_str_has_prefix (f->recorder->exited->message, "process ended by signal 15 ("));
  g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), ==, -1);
  g_assert_cmpint (braid_process_transport_get_exit_signal (f->transport), ==, SIGTERM);
}

static void
test_stdin_records_writes_and_drops_them_after_close (Fixture *f, gconstpointer data)
{
  GOutputVector vectors[] = { { "b", 1 }, { "cd", 2 } };
  gsize len;

  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "a");
  braid_transport_write_sequence (BRAID_TRANSPORT (f->transport), vectors, 2);
  g_assert_cmpstr (braid_fake_process_peek_stdin (f->process, &len), ==, "abcd");
  g_assert_cmpuint (len, ==, 4);
  braid_fake_process_clear_stdin (f->process);
  g_assert_cmpstr (braid_fake_process_peek_stdin (f->process, NULL), ==, "");
  g_assert_false (braid_transport_is_disconnecting (BRAID_TRANSPORT (f->transport)));

  braid_transport_lose_write_connection (BRAID_TRANSPORT (f->transport));
  g_assert_cmpstr (f->recorder->log->str, ==, "made;lost:0;");
  /* As Twisted: writing to a closed stdin is silently dropped. */
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "late");
  g_assert_cmpstr (braid_fake_process_peek_stdin (f->process, NULL), ==, "");
}

static void
in_lost_writes (ProcessRecorder *self)
{
  braid_transport_write_string (BRAID_TRANSPORT (braid_process_protocol_get_transport
                                                 (BRAID_PROCESS_PROTOCOL (self))), "x");
}

static void
test_writing_from_in_connection_lost_is_dropped (Fixture *f, gconstpointer data)
{
  f->recorder->on_in_lost = in_lost_writes;
  braid_fake_process_child_closes (f->process, 0);
  g_assert_cmpstr (braid_fake_process_peek_stdin (f->process, NULL), ==, "");
}

static void
test_lose_connection_closes_every_pipe (Fixture *f, gconstpointer data)
{
  braid_transport_lose_connection (BRAID_TRANSPORT (f->transport));
  g_assert_cmpstr (f->recorder->log->str, ==, "made;lost:0;lost:1;lost:2;");
  braid_fake_process_exit (f->process, 0);
  g_assert_cmpstr (f->recorder->log->str, ==, "made;lost:0;lost:1;lost:2;exited:0;ended:0;");

  /* abort_connection is the same on a process that has ended: nothing. */
  braid_transport_abort_connection (BRAID_TRANSPORT (f->transport));
  g_assert_cmpuint (f->recorder->n_ended, ==, 1);
}

static void
test_signals_are_recorded_until_the_exit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GArray *signals = braid_fake_process_get_signals (f->process);

  g_assert_true (braid_process_transport_signal_process (f->transport, SIGINT, &error));
  g_assert_true (braid_process_transport_signal_process_by_name (f->transport, "TERM", &error));
  g_assert_true (braid_process_transport_signal_process_by_name (f->transport, "SIGKILL", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (signals->len, ==, 3);
  g_assert_cmpint (g_array_index (signals, int, 0), ==, SIGINT);
  g_assert_cmpint (g_array_index (signals, int, 1), ==, SIGTERM);
  g_assert_cmpint (g_array_index (signals, int, 2), ==, SIGKILL);

  g_assert_false (braid_process_transport_signal_process_by_name (f->transport, "BOGUS", &error));
  g_assert_error (error, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_UNKNOWN_SIGNAL);
  g_assert_nonnull (strstr (error->message, "\"BOGUS\""));
  g_clear_error (&error);

  braid_fake_process_exit_by_signal (f->process, SIGKILL);
  g_assert_false (braid_process_transport_signal_process_by_name (f->transport, "TERM", &error));
  g_assert_error (error, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_EXITED_ALREADY);
  g_assert_cmpuint (signals->len, ==, 3);
}

static void
test_signal_names (void)
{
  g_assert_cmpint (braid_process_signal_from_name ("TERM"), ==, SIGTERM);
  g_assert_cmpint (braid_process_signal_from_name ("SIGTERM"), ==, SIGTERM);
  g_assert_cmpint (braid_process_signal_from_name ("KILL"), ==, SIGKILL);
  g_assert_cmpint (braid_process_signal_from_name ("INT"), ==, SIGINT);
  g_assert_cmpint (braid_process_signal_from_name ("HUP"), ==, SIGHUP);
  g_assert_cmpint (braid_process_signal_from_name ("9"), ==, 9);
  g_assert_cmpint (braid_process_signal_from_name ("0"), ==, 0);
  g_assert_cmpint (braid_process_signal_from_name ("term"), ==, 0);
  g_assert_cmpint (braid_process_signal_from_name ("SIG"), ==, 0);
  g_assert_cmpint (braid_process_signal_from_name (""), ==, 0);
}

static void
test_producer_is_stopped_when_stdin_closes (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidStringTransport) producer = braid_string_transport_new ();
  g_autoptr (BraidStringTransport) late = braid_string_transport_new ();
  gboolean streaming = FALSE;

  braid_transport_register_producer (BRAID_TRANSPORT (f->transport),
                                     BRAID_PRODUCER (producer), TRUE);
  g_assert_true (braid_fake_process_get_producer (f->process, &streaming)
                 == BRAID_PRODUCER (producer));
  g_assert_true (streaming);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport), BRAID_PRODUCER (late), TRUE);
  g_test_assert_expected_messages ();

  braid_process_transport_close_stdin (f->transport);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
  g_assert_null (braid_fake_process_get_producer (f->process, NULL));

  /* Twisted's rule: registering on a closed pipe stops the producer. */
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport), BRAID_PRODUCER (late), TRUE);
  g_assert_cmpint (braid_string_transport_get_producer_state (late), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
}

static void
test_pull_producer_is_resumed_and_unregistered (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidNonStreamingProducer) producer = braid_non_streaming_producer_new
    (BRAID_TRANSPORT (f->transport));

  braid_transport_register_producer (BRAID_TRANSPORT (f->transport),
                                     BRAID_PRODUCER (producer), FALSE);
  g_assert_nonnull (braid_fake_process_get_producer (f->process, NULL));
  braid_transport_unregister_producer (BRAID_TRANSPORT (f->transport));
  g_assert_null (braid_fake_process_get_producer (f->process, NULL));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (f->transport));
  g_test_assert_expected_messages ();
}

/* As a producer, the transport produces the child's output: a protocol
 * that cannot keep up pauses it; stopping it closes every pipe. */
static void
test_pausing_the_fake_is_recorded (Fixture *f, gconstpointer data)
{
  BraidProducer *producer = BRAID_PRODUCER (f->transport);

  g_assert_cmpint (braid_fake_process_get_reading_state (f->process), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  braid_producer_pause_producing (producer);
  g_assert_cmpint (braid_fake_process_get_reading_state (f->process), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  braid_producer_resume_producing (producer);
  g_assert_cmpint (braid_fake_process_get_reading_state (f->process), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  braid_producer_stop_producing (producer);
  g_assert_cmpint (braid_fake_process_get_reading_state (f->process), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
  g_assert_cmpstr (f->recorder->log->str, ==, "made;lost:0;lost:1;lost:2;");
  /* Stopped is final. */
  braid_producer_pause_producing (producer);
  braid_producer_resume_producing (producer);
  g_assert_cmpint (braid_fake_process_get_reading_state (f->process), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
}

/* The base class: every event has a default, and the dispatchers route
 * by fd (an fd past 2 is ignored). */
static void
test_base_protocol_defaults (void)
{
  g_autoptr (BraidProcessProtocol) protocol = g_object_new (BRAID_TYPE_PROCESS_PROTOCOL, NULL);
  g_autoptr (BraidFakeProcess) process = braid_fake_process_new (1);

  g_assert_null (braid_process_protocol_get_transport (protocol));
  braid_fake_process_start (process, protocol);
  braid_fake_process_write_stdout (process, "x", 1);
  braid_fake_process_write_stderr (process, "y", 1);
  braid_process_protocol_child_data_received (protocol, 3, (const guint8 *) "z", 1);
  braid_process_protocol_child_connection_lost (protocol, 3);
  braid_fake_process_finish (process, 1);
  g_assert_true (braid_fake_process_get_ended (process));
}

static void
test_memory_reactor_records_spawns (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (ProcessRecorder) first = process_recorder_new ();
  g_autoptr (ProcessRecorder) second = process_recorder_new ();
  const char *argv[] = { "/bin/sh", "-c", "echo hi", NULL };
  const char *envp[] = { "FOO=bar", NULL };
  BraidProcessTransport *t1, *t2;
  BraidProcessRecord *record;
  g_autoptr (GError) error = NULL;

  t1 = braid_reactor_spawn_process (BRAID_REACTOR (reactor), BRAID_PROCESS_PROTOCOL (first),
                                    argv, envp, "/tmp", &error);
  g_assert_no_error (error);
  t2 = braid_reactor_spawn_process (BRAID_REACTOR (reactor), BRAID_PROCESS_PROTOCOL (second),
                                    argv, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->log->str, ==, "made;");
  g_assert_cmpuint (braid_memory_reactor_get_processes (reactor)->len, ==, 2);
  g_assert_cmpint (braid_process_transport_get_pid (t1), !=,
                   braid_process_transport_get_pid (t2));

  record = braid_memory_reactor_get_process (reactor, 0);
  g_assert_true (BRAID_PROCESS_TRANSPORT (record->process) == t1);
  g_assert_true (record->protocol == BRAID_PROCESS_PROTOCOL (first));
  g_assert_cmpstrv (record->argv, argv);
  g_assert_cmpstrv (record->envp, envp);
  g_assert_cmpstr (record->working_directory, ==, "/tmp");
  record = braid_memory_reactor_get_process (reactor, 1);
  g_assert_null (record->envp);
  g_assert_null (record->working_directory);

  braid_fake_process_write_stdout (braid_memory_reactor_get_process (reactor, 0)->process,
                                   "hi\n", -1);
  g_assert_cmpstr (first->out->str, ==, "hi\n");
  braid_fake_process_finish (braid_memory_reactor_get_process (reactor, 0)->process, 0);
  braid_fake_process_finish (braid_memory_reactor_get_process (reactor, 1)->process, 0);
  g_assert_cmpuint (first->n_ended, ==, 1);
}

static void
test_memory_reactor_spawn_error (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (ProcessRecorder) recorder = process_recorder_new ();
  g_autoptr (GError) wanted = g_error_new_literal (G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                                                   "no such program");
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "/no/such/program", NULL };

  braid_memory_reactor_set_spawn_error (reactor, wanted);
  g_assert_null (braid_reactor_spawn_process (BRAID_REACTOR (reactor),
                                              BRAID_PROCESS_PROTOCOL (recorder),
                                              argv, NULL, NULL, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_assert_cmpstr (recorder->log->str, ==, "");
  g_assert_cmpuint (braid_memory_reactor_get_processes (reactor)->len, ==, 0);
  braid_memory_reactor_set_spawn_error (reactor, NULL);
  g_clear_error (&error);
  g_assert_nonnull (braid_reactor_spawn_process (BRAID_REACTOR (reactor),
                                                 BRAID_PROCESS_PROTOCOL (recorder),
                                                 argv, NULL, NULL, &error));
  braid_fake_process_finish (braid_memory_reactor_get_process (reactor, 0)->process, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/process/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("connection-made-attaches-the-transport", test_connection_made_attaches_the_transport);
  ADD ("out-and-err-reach-their-callbacks", test_out_and_err_reach_their_callbacks);
  ADD ("a-normal-end-comes-in-twisted-order", test_a_normal_end_comes_in_twisted_order);
  ADD ("ended-waits-for-every-pipe", test_ended_waits_for_every_pipe);
  ADD ("pipes-closed-twice-are-lost-once", test_pipes_closed_twice_are_lost_once);
  ADD ("a-signal-death-is-terminated", test_a_signal_death_is_terminated);
  ADD ("stdin-records-writes-and-drops-them-after-close",
       test_stdin_records_writes_and_drops_them_after_close);
  ADD ("writing-from-in-connection-lost-is-dropped",
       test_writing_from_in_connection_lost_is_dropped);
  ADD ("lose-connection-closes-every-pipe", test_lose_connection_closes_every_pipe);
  ADD ("signals-are-recorded-until-the-exit", test_signals_are_recorded_until_the_exit);
  ADD ("producer-is-stopped-when-stdin-closes", test_producer_is_stopped_when_stdin_closes);
  ADD ("pull-producer-is-resumed-and-unregistered",
       test_pull_producer_is_resumed_and_unregistered);
  ADD ("pausing-the-fake-is-recorded", test_pausing_the_fake_is_recorded);
#undef ADD
  braid_test_add_func ("/process/signal-names", test_signal_names);
  braid_test_add_func ("/process/base-protocol-defaults", test_base_protocol_defaults);
  braid_test_add_func ("/process/memory-reactor-records-spawns", test_memory_reactor_records_spawns);
  braid_test_add_func ("/process/memory-reactor-spawn-error", test_memory_reactor_spawn_error);
  return g_test_run ();
}
