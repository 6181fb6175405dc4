/* test-fakes-edges.c: edge cases of the fakes and of small framework
 * helpers — the deferred assertions' failure messages (checked with
 * non-fatal assertions, so the child process exits normally), a fake clock
 * or memory reactor disposed before it is finalized, and producers that
 * leave some of their vfuncs out. */
#include <string.h>

#include <braid-fakes.h>

#include "test-protocols.h"

/* ---- deferred assertions: failure messages ---------------------------- */

/* Runs the current test in a child where assertions only mark the test as
 * failed; the child says on stderr what the assertion returned. */
static void
expect_child_failure (const char *stderr_pattern)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (stderr_pattern);
}

static void
say_returned (gconstpointer result)
{
  g_printerr ("assertion returned %s\n", result == NULL ? "NULL" : "a pointer");
}

static void
test_success_message_when_unfired (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_success_result (d));
      return;
    }
  expect_child_failure ("*expected a value, but the deferred created at "
                        "*test-fakes-edges.c:* has not fired*assertion returned NULL*");
}

static void
test_success_message_when_paused (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      g_test_set_nonfatal_assertions ();
      braid_deferred_pause (d);
      braid_deferred_callback (d, NULL, NULL);
      say_returned (braid_assert_success_result (d));
      braid_deferred_unpause (d);
      return;
    }
  expect_child_failure ("*expected a value, but the deferred created at *fired at "
                        "*test-fakes-edges.c:*, but is paused or waiting on another "
                        "deferred*assertion returned NULL*");
}

static void
test_success_message_on_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
      g_autoptr (GError) handled = NULL;

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_success_result (d));
      /* The failed assertion left the error in place: handle it here. */
      handled = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_printerr ("still held: %s\n", handled->message);
      return;
    }
  expect_child_failure ("*expected a value, but the deferred created at *failed: gone "
                        "(g-io-error-quark, 1)*assertion returned NULL*still held: gone*");
}

static void
test_failure_message_when_unfired (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      return;
    }
  expect_child_failure ("*expected an error g-io-error-quark 24, but the deferred created "
                        "at *has not fired*assertion returned NULL*");
}

static void
test_failure_message_on_value (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_succeed (g_strdup ("v"), g_free);

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      return;
    }
  expect_child_failure ("*expected an error g-io-error-quark 24, but the deferred created "
                        "at *has a value (0x*)*assertion returned NULL*");
}

static void
test_failure_message_on_other_error_keeps_it (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
      g_autoptr (GError) handled = NULL;

      g_test_set_nonfatal_assertions ();
      say_returned (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      handled = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_printerr ("still held: %s\n", handled->message);
      return;
    }
  expect_child_failure ("*expected an error g-io-error-quark 24, but the deferred created "
                        "at *failed with g-io-error-quark 1: gone*assertion returned NULL*"
                        "still held: gone*");
}

static void
test_no_result_message_on_value (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

      g_test_set_nonfatal_assertions ();
      braid_assert_no_result (d);
      return;
    }
  expect_child_failure ("*expected no result, but the deferred created at "
                        "*test-fakes-edges.c:* has a value (*), fired at *");
}

static void
test_no_result_message_on_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferred) d =
        braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
      g_autoptr (GError) handled = NULL;

      g_test_set_nonfatal_assertions ();
      braid_assert_no_result (d);
      handled = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_printerr ("still held: %s\n", handled->message);
      return;
    }
  expect_child_failure ("*expected no result, but the deferred created at *failed at "
                        "*: gone (g-io-error-quark, 1)*still held: gone*");
}

/* ---- test utils: failure messages ------------------------------------- */

static void
test_no_leftovers_message_lists_them (void)
{
  if (g_test_subprocess ())
    {
      g_test_set_nonfatal_assertions ();
      braid_hygiene_report_leftover ("a widget made at here.c:3 was never freed");
      braid_assert_no_leftovers ();
      /* The assertion took the report: the hygiene check finds nothing. */
      g_printerr ("after: %s\n", braid_hygiene_collect () == NULL ? "clean" : "dirty");
      return;
    }
  expect_child_failure ("*the test left things behind:\na widget made at here.c:3 was "
                        "never freed*after: clean*");
}

static void
test_transport_wrote_message_on_same_length (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

      g_test_set_nonfatal_assertions ();
      braid_transport_write (BRAID_TRANSPORT (transport), (const guint8 *) "abc", 3);
      braid_assert_transport_wrote (transport, "abd");
      return;
    }
  expect_child_failure ("*the transport got \"abc\" (3 bytes), expected \"abd\"*");
}

static void
test_transport_wrote_message_on_other_length (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

      g_test_set_nonfatal_assertions ();
      braid_transport_write (BRAID_TRANSPORT (transport), (const guint8 *) "a\n", 2);
      braid_assert_transport_wrote (transport, "a");
      return;
    }
  expect_child_failure ("*the transport got \"a\\n\" (2 bytes), expected \"a\"*");
}

/* ---- fake clock and memory reactor, disposed early --------------------- */

static void
noop (gpointer user_data)
{
  (void) user_data;
}

static void
test_clock_disposed_with_calls_reports_each_once (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_auto (GStrv) lines = NULL;

  braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 2, noop, NULL, NULL);
  g_object_run_dispose (G_OBJECT (clock));

  /* Dispose cancelled both calls and reported each as a leftover. */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  first = braid_hygiene_collect ();
  g_assert_nonnull (first);
  lines = g_strsplit (first, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_nonnull (strstr (lines[0], "is still pending (due at 1 s on a BraidFakeClock)"));
  g_assert_nonnull (strstr (lines[1], "is still pending (due at 2 s on a BraidFakeClock)"));

  /* The disposed clock, still alive, has nothing more to report. */
  second = braid_hygiene_collect ();
  g_assert_null (second);

  /* Finalizing runs dispose a second time, which finds nothing to clear. */
  g_object_unref (clock);
  braid_assert_no_leftovers ();
}

static void
test_memory_reactor_disposed_twice (void)
{
  BraidMemoryReactor *reactor = braid_memory_reactor_new ();
  GWeakRef weak;

  g_weak_ref_init (&weak, reactor);
  braid_clock_call_later (BRAID_CLOCK (reactor), 5, noop, NULL, NULL);
  braid_reactor_add_system_event_trigger (BRAID_REACTOR (reactor), BRAID_TRIGGER_BEFORE,
                                          "shutdown", noop, NULL, NULL);
  g_object_run_dispose (G_OBJECT (reactor));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);
  g_free (braid_hygiene_collect ());

  g_object_unref (reactor);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
}

static void
record_call (gpointer user_data)
{
  guint *calls = user_data;

  (*calls)++;
}

static void
test_call_when_running_without_destroy (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  guint calls = 0;

  braid_reactor_call_when_running (BRAID_REACTOR (reactor), record_call, &calls, NULL);
  g_assert_cmpuint (calls, ==, 0);
  braid_reactor_run (BRAID_REACTOR (reactor));
  g_assert_cmpuint (calls, ==, 1);

  /* Already running: called at once, with no destroy notify to run. */
  braid_reactor_call_when_running (BRAID_REACTOR (reactor), record_call, &calls, NULL);
  g_assert_cmpuint (calls, ==, 2);
  braid_reactor_stop (BRAID_REACTOR (reactor));
}

/* ---- loopback: closing twice, aborting a closed end, disposing twice --- */

static void
test_loopback_close_is_final (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  BraidLoopback *loopback = braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  BraidTransport *server_end = braid_loopback_get_server_transport (loopback);
  GWeakRef weak;

  g_weak_ref_init (&weak, loopback);
  braid_transport_write (braid_loopback_get_client_transport (loopback), (const guint8 *) "hi", 2);
  braid_loopback_close (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_cmpstr (recording_protocol_state (server)->received->str, ==, "hi");
  g_assert_cmpuint (recording_protocol_state (server)->lost_count, ==, 1);
  g_assert_cmpuint (recording_protocol_state (client)->lost_count, ==, 1);

  /* Closing again, or aborting an end that is already closed, changes
   * nothing: no second connection_lost. */
  braid_loopback_close (loopback);
  g_object_ref (server_end);
  braid_transport_abort_connection (server_end);
  braid_loopback_flush (loopback);
  g_assert_cmpuint (recording_protocol_state (server)->lost_count, ==, 1);
  g_assert_cmpuint (recording_protocol_state (client)->lost_count, ==, 1);

  /* Disposing twice (run_dispose, then the last unref) is harmless. */
  g_object_run_dispose (G_OBJECT (loopback));
  g_object_unref (loopback);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  g_object_unref (server_end);
}

static void
test_loopback_unregister_twice (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback =
    braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *end = braid_loopback_get_server_transport (loopback);

  braid_transport_register_producer (end, BRAID_PRODUCER (producer), TRUE);
  g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 2);
  braid_transport_unregister_producer (end);
  braid_transport_unregister_producer (end);
  g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 1);
  braid_loopback_close (loopback);
  /* The producer, no longer registered, is not told to stop. */
  g_assert_cmpuint (producer->stops, ==, 0);
}

/* ---- string transport: unregistering with no producer ----------------- */

static void
test_string_transport_unregister_without_producer (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (CountingProducer) producer = counting_producer_new ();

  /* Refused with a critical, as on the socket transport. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer is registered*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_assert_expected_messages ();
  g_assert_null (braid_string_transport_get_producer (transport, NULL));

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (producer), FALSE);
  g_assert_true (braid_string_transport_get_producer (transport, NULL) == BRAID_PRODUCER (producer));
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer is registered*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_assert_expected_messages ();
  g_assert_null (braid_string_transport_get_producer (transport, NULL));
  g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 1);
}

/* ---- fake port and connector made without a reactor ------------------- */

static void
test_bare_fake_port_and_connector (void)
{
  g_autoptr (BraidFakeListeningPort) port = g_object_new (BRAID_TYPE_FAKE_LISTENING_PORT, NULL);
  g_autoptr (BraidFakeConnector) connector = g_object_new (BRAID_TYPE_FAKE_CONNECTOR, NULL);

  /* Not made by a reactor: no address, so no port number, and not
   * listening; nothing to release when they go. */
  g_assert_null (braid_listening_port_get_host (BRAID_LISTENING_PORT (port)));
  g_assert_cmpuint (braid_listening_port_get_port (BRAID_LISTENING_PORT (port)), ==, 0);
  g_assert_false (braid_fake_listening_port_get_listening (port));
  g_assert_null (braid_connector_get_destination (BRAID_CONNECTOR (connector)));
  g_assert_cmpuint (braid_fake_connector_get_connect_count (connector), ==, 0);
}

static void
test_loopback_server_half_close_to_plain_client (void)
{
  g_autoptr (RecordingProtocol) server = half_close_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback =
    braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));

  /* The client cannot half-close: hearing the server's half-close, it
   * closes the whole connection. */
  braid_transport_write_string (braid_loopback_get_server_transport (loopback), "bye");
  braid_transport_lose_write_connection (braid_loopback_get_server_transport (loopback));
  braid_loopback_flush (loopback);
  g_assert_cmpstr (recording_protocol_state (client)->received->str, ==, "bye");
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_error (recording_protocol_state (client)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (recording_protocol_state (server)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (recording_protocol_state (server)->read_lost_count, ==, 0);
}

static void
test_loopback_pull_producer_not_asked_after_half_close (void)
{
  g_autoptr (RecordingProtocol) server = half_close_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = half_close_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback =
    braid_loopback_new (BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *end = braid_loopback_get_client_transport (loopback);
  guint resumes_before;

  braid_transport_register_producer (end, BRAID_PRODUCER (producer), FALSE);
  resumes_before = producer->resumes;
  braid_transport_lose_write_connection (end);
  braid_loopback_flush (loopback);
  /* Nothing more may be written on a half-closed side: the pull producer
   * is not asked for another piece. */
  g_assert_cmpuint (producer->resumes, ==, resumes_before);
  g_assert_cmpuint (recording_protocol_state (server)->read_lost_count, ==, 1);
  g_assert_true (braid_loopback_is_open (loopback));
  braid_transport_unregister_producer (end);
  braid_loopback_close (loopback);
}

/* ---- producers with missing vfuncs ------------------------------------- */

/* PauseOnlyProducer implements pause_producing only; StopOnlyProducer
 * implements stop_producing only. Both log what they were asked to do. */

#define TEST_TYPE_PAUSE_ONLY_PRODUCER (test_pause_only_producer_get_type ())
G_DECLARE_FINAL_TYPE (TestPauseOnlyProducer, test_pause_only_producer, TEST, PAUSE_ONLY_PRODUCER, GObject)

struct _TestPauseOnlyProducer
{
  GObject parent_instance;
  GString *log;
};

static void
pause_only_pause (BraidProducer *producer)
{
  g_string_append (TEST_PAUSE_ONLY_PRODUCER (producer)->log, "pause;");
}

static void
pause_only_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = pause_only_pause;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestPauseOnlyProducer, test_pause_only_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, pause_only_iface_init))

static void
test_pause_only_producer_finalize (GObject *object)
{
  g_string_free (TEST_PAUSE_ONLY_PRODUCER (object)->log, TRUE);
  G_OBJECT_CLASS (test_pause_only_producer_parent_class)->finalize (object);
}

static void
test_pause_only_producer_class_init (TestPauseOnlyProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_pause_only_producer_finalize;
}

static void
test_pause_only_producer_init (TestPauseOnlyProducer *self)
{
  self->log = g_string_new (NULL);
}

#define TEST_TYPE_STOP_ONLY_PRODUCER (test_stop_only_producer_get_type ())
G_DECLARE_FINAL_TYPE (TestStopOnlyProducer, test_stop_only_producer, TEST, STOP_ONLY_PRODUCER, GObject)

struct _TestStopOnlyProducer
{
  GObject parent_instance;
  GString *log;
};

static void
stop_only_stop (BraidProducer *producer)
{
  g_string_append (TEST_STOP_ONLY_PRODUCER (producer)->log, "stop;");
}

static void
stop_only_iface_init (BraidProducerInterface *iface)
{
  iface->stop_producing = stop_only_stop;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestStopOnlyProducer, test_stop_only_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, stop_only_iface_init))

static void
test_stop_only_producer_finalize (GObject *object)
{
  g_string_free (TEST_STOP_ONLY_PRODUCER (object)->log, TRUE);
  G_OBJECT_CLASS (test_stop_only_producer_parent_class)->finalize (object);
}

static void
test_stop_only_producer_class_init (TestStopOnlyProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_stop_only_producer_finalize;
}

static void
test_stop_only_producer_init (TestStopOnlyProducer *self)
{
  self->log = g_string_new (NULL);
}

static void
test_producer_missing_vfuncs_do_nothing (void)
{
  g_autoptr (TestPauseOnlyProducer) pauser = g_object_new (TEST_TYPE_PAUSE_ONLY_PRODUCER, NULL);
  g_autoptr (TestStopOnlyProducer) stopper = g_object_new (TEST_TYPE_STOP_ONLY_PRODUCER, NULL);

  braid_producer_pause_producing (BRAID_PRODUCER (pauser));
  braid_producer_resume_producing (BRAID_PRODUCER (pauser));
  braid_producer_stop_producing (BRAID_PRODUCER (pauser));
  g_assert_cmpstr (pauser->log->str, ==, "pause;");

  braid_producer_pause_producing (BRAID_PRODUCER (stopper));
  braid_producer_resume_producing (BRAID_PRODUCER (stopper));
  braid_producer_stop_producing (BRAID_PRODUCER (stopper));
  g_assert_cmpstr (stopper->log->str, ==, "stop;");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Edge cases of the fakes: deferred assertions' messages, early "
                  "dispose, producers with missing vfuncs");

  braid_test_add_func ("/fakes-edges/deferred-assertions/success/unfired", test_success_message_when_unfired);
  braid_test_add_func ("/fakes-edges/deferred-assertions/success/paused", test_success_message_when_paused);
  braid_test_add_func ("/fakes-edges/deferred-assertions/success/error", test_success_message_on_error);
  braid_test_add_func ("/fakes-edges/deferred-assertions/failure/unfired", test_failure_message_when_unfired);
  braid_test_add_func ("/fakes-edges/deferred-assertions/failure/value", test_failure_message_on_value);
  braid_test_add_func ("/fakes-edges/deferred-assertions/failure/other-error", test_failure_message_on_other_error_keeps_it);
  braid_test_add_func ("/fakes-edges/deferred-assertions/no-result/value", test_no_result_message_on_value);
  braid_test_add_func ("/fakes-edges/deferred-assertions/no-result/error", test_no_result_message_on_error);
  braid_test_add_func ("/fakes-edges/test-utils/no-leftovers-message", test_no_leftovers_message_lists_them);
  braid_test_add_func ("/fakes-edges/test-utils/wrote-message-same-length", test_transport_wrote_message_on_same_length);
  braid_test_add_func ("/fakes-edges/test-utils/wrote-message-other-length", test_transport_wrote_message_on_other_length);
  braid_test_add_func ("/fakes-edges/fake-clock/disposed-with-calls", test_clock_disposed_with_calls_reports_each_once);
  braid_test_add_func ("/fakes-edges/memory-reactor/disposed-twice", test_memory_reactor_disposed_twice);
  braid_test_add_func ("/fakes-edges/memory-reactor/call-when-running-no-destroy", test_call_when_running_without_destroy);
  braid_test_add_func ("/fakes-edges/loopback/close-is-final", test_loopback_close_is_final);
  braid_test_add_func ("/fakes-edges/loopback/unregister-twice", test_loopback_unregister_twice);
  braid_test_add_func ("/fakes-edges/string-transport/unregister-without-producer", test_string_transport_unregister_without_producer);
  braid_test_add_func ("/fakes-edges/memory-reactor/bare-port-and-connector", test_bare_fake_port_and_connector);
  braid_test_add_func ("/fakes-edges/loopback/half-close-to-plain-client", test_loopback_server_half_close_to_plain_client);
  braid_test_add_func ("/fakes-edges/loopback/pull-producer-after-half-close", test_loopback_pull_producer_not_asked_after_half_close);
  braid_test_add_func ("/fakes-edges/producer/missing-vfuncs", test_producer_missing_vfuncs_do_nothing);

  return g_test_run ();
}
