/* test-test-utils.c: the helpers that play a transport's part in a test
 * (braid_test_receive, braid_test_lose_connection) and the memory
 * reactor's record getters. */
#include <string.h>

#include "test-protocols.h"

typedef struct
{
  BraidStringTransport *transport;
  RecordingProtocol *protocol;
} Connected;

static void
connected_init (Connected *connected)
{
  connected->transport = braid_string_transport_new ();
  connected->protocol = recording_protocol_new ("p", NULL);
  braid_protocol_make_connection (BRAID_PROTOCOL (connected->protocol),
                                  BRAID_TRANSPORT (connected->transport));
}

static void
connected_clear (Connected *connected)
{
  g_clear_object (&connected->protocol);
  g_clear_object (&connected->transport);
}

static void
test_receive_delivers_the_string (void)
{
  Connected connected;
  RecordingState *state;

  g_test_summary ("braid_test_receive delivers a C string as one data_received, without "
                  "its NUL; an empty string delivers nothing");
  connected_init (&connected);
  state = recording_protocol_state (connected.protocol);
  braid_test_receive (BRAID_PROTOCOL (connected.protocol), "hello");
  g_assert_cmpuint (state->data_calls, ==, 1);
  g_assert_cmpuint (state->received->len, ==, 5);
  g_assert_cmpstr (state->received->str, ==, "hello");
  braid_test_receive (BRAID_PROTOCOL (connected.protocol), "");
  g_assert_cmpuint (state->data_calls, ==, 1);
  braid_test_receive (BRAID_PROTOCOL (connected.protocol), " world");
  g_assert_cmpuint (state->data_calls, ==, 2);
  g_assert_cmpstr (state->received->str, ==, "hello world");
  connected_clear (&connected);
}

static void
test_lose_connection (void)
{
  const struct { gboolean clean; int code; } cases[] = {
    { TRUE, BRAID_ERROR_CONNECTION_DONE },
    { FALSE, BRAID_ERROR_CONNECTION_LOST },
  };

  g_test_summary ("braid_test_lose_connection calls connection_lost once, with "
                  "BRAID_ERROR_CONNECTION_DONE for a clean close, CONNECTION_LOST otherwise");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Connected connected;
      RecordingState *state;

      connected_init (&connected);
      state = recording_protocol_state (connected.protocol);
      braid_test_lose_connection (BRAID_PROTOCOL (connected.protocol), cases[i].clean);
      g_assert_cmpuint (state->lost_count, ==, 1);
      g_assert_error (state->reason, BRAID_ERROR, cases[i].code);
      g_assert_cmpint (braid_error_is_clean_close (state->reason), ==, cases[i].clean);
      connected_clear (&connected);
    }
}

static void
test_close_reasons (void)
{
  g_autoptr (GError) done = braid_test_new_close_reason (TRUE);
  g_autoptr (GError) lost = braid_test_new_close_reason (FALSE);

  g_test_summary ("braid_test_new_close_reason gives CONNECTION_DONE for a clean close, "
                  "CONNECTION_LOST otherwise");
  g_assert_error (done, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
}

static void
test_memory_reactor_records_by_index (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidReactor *r = BRAID_REACTOR (reactor);
  g_autoptr (BraidFactory) server = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  BraidConnector *connector;

  g_test_summary ("get_tcp_server and get_tcp_client return the index-th record, "
                  "in call order");
  braid_reactor_listen_tcp (r, 8000, server, NULL, &error);
  g_assert_no_error (error);
  braid_reactor_listen_tcp (r, 8001, server, "127.0.0.1", &error);
  g_assert_no_error (error);
  braid_reactor_connect_tcp (r, "example.org", 7, client);
  connector = braid_reactor_connect_tcp (r, "example.net", 9, client);

  g_assert_cmpuint (braid_memory_reactor_get_tcp_server (reactor, 0)->port, ==, 8000);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_server (reactor, 1)->port, ==, 8001);
  g_assert_cmpstr (braid_memory_reactor_get_tcp_server (reactor, 1)->interface, ==, "127.0.0.1");
  g_assert_true (braid_memory_reactor_get_tcp_server (reactor, 0)->factory == server);
  g_assert_cmpstr (braid_memory_reactor_get_tcp_client (reactor, 0)->host, ==, "example.org");
  g_assert_cmpuint (braid_memory_reactor_get_tcp_client (reactor, 1)->port, ==, 9);
  g_assert_true (braid_memory_reactor_get_tcp_client (reactor, 1)->connector == connector);
}

static void
test_memory_reactor_record_out_of_range (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();

  g_test_summary ("Asking for a record of a call that was not made logs a critical and "
                  "returns NULL");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*index < self->tcp_servers->len*");
  g_assert_null (braid_memory_reactor_get_tcp_server (reactor, 0));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*index < self->tcp_clients->len*");
  g_assert_null (braid_memory_reactor_get_tcp_client (reactor, 3));
  g_test_assert_expected_messages ();
}

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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  braid_test_add_func ("/test-utils/receive", test_receive_delivers_the_string);
  braid_test_add_func ("/test-utils/lose-connection", test_lose_connection);
  braid_test_add_func ("/test-utils/close-reasons", test_close_reasons);
  braid_test_add_func ("/test-utils/memory-reactor/records-by-index", test_memory_reactor_records_by_index);
  braid_test_add_func ("/test-utils/memory-reactor/record-out-of-range", test_memory_reactor_record_out_of_range);
  braid_test_add_func ("/test-utils/no-leftovers-message", test_no_leftovers_message_lists_them);
  braid_test_add_func ("/test-utils/wrote-message-same-length", test_transport_wrote_message_on_same_length);
  braid_test_add_func ("/test-utils/wrote-message-other-length", test_transport_wrote_message_on_other_length);

  return g_test_run ();
}
