/* test-protocol.c: BraidProtocol, the base class of every protocol. */
#include "test-protocols.h"
#include <string.h>
#include <braid-fakes.h>

static void
test_defaults_do_nothing_but_bookkeeping (void)
{
  g_autoptr (BraidProtocol) protocol = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE, "done");

  g_assert_null (braid_protocol_get_transport (protocol));
  g_assert_null (braid_protocol_get_factory (protocol));
  g_assert_false (braid_protocol_is_connected (protocol));
  g_assert_false (braid_protocol_supports_half_close (protocol));

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  g_assert_true (braid_protocol_get_transport (protocol) == BRAID_TRANSPORT (transport));
  g_assert_true (braid_protocol_is_connected (protocol));

  /* The default events accept anything and write nothing. */
  braid_protocol_connection_made (protocol);
  braid_protocol_data_received (protocol, (const guint8 *) "data", 4);
  braid_protocol_data_received (protocol, NULL, 0);
  braid_protocol_read_connection_lost (protocol);
  braid_assert_transport_wrote (transport, "");

  braid_protocol_connection_lost (protocol, reason);
  g_assert_false (braid_protocol_is_connected (protocol));
  /* The transport stays, so a late write is harmless. */
  g_assert_true (braid_protocol_get_transport (protocol) == BRAID_TRANSPORT (transport));
}

static void
test_make_connection_calls_connection_made_once (void)
{
  g_autoptr (RecordingProtocol) protocol = recording_protocol_new ("p", NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  RecordingState *state = recording_protocol_state (protocol);

  braid_protocol_make_connection (BRAID_PROTOCOL (protocol), BRAID_TRANSPORT (transport));
  g_assert_cmpuint (state->made_count, ==, 1);
  braid_protocol_data_received (BRAID_PROTOCOL (protocol), (const guint8 *) "abc", 3);
  g_assert_cmpstr (state->received->str, ==, "abc");
}

static void
test_connection_lost_needs_a_reason (void)
{
  g_autoptr (RecordingProtocol) protocol = recording_protocol_new ("p", NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "reset");
  RecordingState *state = recording_protocol_state (protocol);

  braid_protocol_make_connection (BRAID_PROTOCOL (protocol), BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*reason != NULL*");
  braid_protocol_connection_lost (BRAID_PROTOCOL (protocol), NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (state->lost_count, ==, 0);
  g_assert_true (braid_protocol_is_connected (BRAID_PROTOCOL (protocol)));

  braid_protocol_connection_lost (BRAID_PROTOCOL (protocol), reason);
  g_assert_cmpuint (state->lost_count, ==, 1);
  g_assert_error (state->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_false (braid_protocol_is_connected (BRAID_PROTOCOL (protocol)));
}

static void
test_data_received_rejects_null_data_with_length (void)
{
  g_autoptr (RecordingProtocol) protocol = recording_protocol_new ("p", NULL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*data != NULL || len == 0*");
  braid_protocol_data_received (BRAID_PROTOCOL (protocol), NULL, 3);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (recording_protocol_state (protocol)->data_calls, ==, 0);
}

static void
test_supports_half_close_follows_the_class (void)
{
  g_autoptr (RecordingProtocol) plain = recording_protocol_new ("plain", NULL);
  g_autoptr (RecordingProtocol) half = half_close_protocol_new ("half", NULL);

  g_assert_false (braid_protocol_supports_half_close (BRAID_PROTOCOL (plain)));
  g_assert_true (braid_protocol_supports_half_close (BRAID_PROTOCOL (half)));
  braid_protocol_read_connection_lost (BRAID_PROTOCOL (half));
  g_assert_cmpuint (recording_protocol_state (half)->read_lost_count, ==, 1);
}

static void
test_factory_is_held_and_can_be_cleared (void)
{
  g_autoptr (RecordingProtocol) protocol = recording_protocol_new ("p", NULL);
  BraidFactory *factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);

  g_object_add_weak_pointer (G_OBJECT (factory), (gpointer *) &factory);
  braid_protocol_set_factory (BRAID_PROTOCOL (protocol), factory);
  g_object_unref (factory);
  g_assert_nonnull (factory);   /* the protocol keeps it alive */
  g_assert_true (braid_protocol_get_factory (BRAID_PROTOCOL (protocol)) == factory);
  braid_protocol_set_factory (BRAID_PROTOCOL (protocol), NULL);
  g_assert_null (factory);
  g_assert_null (braid_protocol_get_factory (BRAID_PROTOCOL (protocol)));
}

static void
test_dispose_releases_transport_and_factory (void)
{
  BraidProtocol *protocol = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  BraidStringTransport *transport = braid_string_transport_new ();
  BraidFactory *factory = braid_factory_new (BRAID_TYPE_PROTOCOL);

  g_object_add_weak_pointer (G_OBJECT (transport), (gpointer *) &transport);
  g_object_add_weak_pointer (G_OBJECT (factory), (gpointer *) &factory);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_protocol_set_factory (protocol, factory);
  g_object_unref (transport);
  g_object_unref (factory);
  g_assert_nonnull (transport);
  g_assert_nonnull (factory);
  g_object_unref (protocol);
  g_assert_null (transport);
  g_assert_null (factory);
}

static void
test_misuse_is_refused (void)
{
  g_autoptr (RecordingProtocol) protocol = recording_protocol_new ("p", NULL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*BRAID_IS_TRANSPORT*");
  braid_protocol_make_connection (BRAID_PROTOCOL (protocol), NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (recording_protocol_state (protocol)->made_count, ==, 0);
  g_assert_false (braid_protocol_is_connected (BRAID_PROTOCOL (protocol)));
}

/* braid_protocol_get_log_prefix (Twisted's logPrefix),
 * and the log lines about a connection that start with it. */
/* A line receiver whose connections are named by session. */
G_DECLARE_FINAL_TYPE (SessionLines, session_lines, TEST, SESSION_LINES, BraidLineReceiver)
struct _SessionLines
{
  BraidLineReceiver parent_instance;
  char *session;
};
G_DEFINE_FINAL_TYPE (SessionLines, session_lines, BRAID_TYPE_LINE_RECEIVER)

static const char *
session_lines_log_prefix (BraidProtocol *protocol)
{
  return TEST_SESSION_LINES (protocol)->session;
}

static void
session_lines_finalize (GObject *object)
{
  g_free (TEST_SESSION_LINES (object)->session);
  G_OBJECT_CLASS (session_lines_parent_class)->finalize (object);
}

static void
session_lines_class_init (SessionLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = session_lines_finalize;
  BRAID_PROTOCOL_CLASS (klass)->log_prefix = session_lines_log_prefix;
}

static void
session_lines_init (SessionLines *self)
{
  self->session = g_strdup ("session 7");
}

static void
test_default_is_the_type_name (void)
{
  g_autoptr (BraidProtocol) protocol = g_object_new (BRAID_TYPE_PROTOCOL, NULL);

  g_assert_cmpstr (braid_protocol_get_log_prefix (protocol), ==, "BraidProtocol");
}

static void
test_override_names_the_connection (void)
{
  g_autoptr (SessionLines) lines = g_object_new (session_lines_get_type (), NULL);

  g_assert_cmpstr (braid_protocol_get_log_prefix (BRAID_PROTOCOL (lines)), ==, "session 7");
}

static void
test_bad_input_line_starts_with_the_prefix (void)
{
  g_autoptr (SessionLines) lines = g_object_new (session_lines_get_type (), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  const char *input = "far too long a line\r\n";

  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (lines), 4);
  braid_protocol_make_connection (BRAID_PROTOCOL (lines), BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "session 7: closing the connection from 127.0.0.1:54321: line longer than 4 bytes*");
  braid_protocol_data_received (BRAID_PROTOCOL (lines), (const guint8 *) input, strlen (input));
  g_test_assert_expected_messages ();
}

static void
test_idle_timeout_line_starts_with_the_prefix (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (SessionLines) lines = g_object_new (session_lines_get_type (), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_protocol_make_connection (BRAID_PROTOCOL (lines), BRAID_TRANSPORT (transport));
  braid_protocol_set_idle_timeout (BRAID_PROTOCOL (lines), BRAID_CLOCK (clock), 5);
  g_test_expect_message ("Braid", G_LOG_LEVEL_DEBUG,
                         "session 7: no data received for 5 seconds; aborting the connection");
  braid_fake_clock_advance (clock, 5);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (transport));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidProtocol: default events, make_connection, connection_lost, "
                  "half-close support, ownership of transport and factory.");

  braid_test_add_func ("/protocol/defaults", test_defaults_do_nothing_but_bookkeeping);
  braid_test_add_func ("/protocol/make-connection", test_make_connection_calls_connection_made_once);
  braid_test_add_func ("/protocol/connection-lost/needs-reason", test_connection_lost_needs_a_reason);
  braid_test_add_func ("/protocol/data-received/null-data", test_data_received_rejects_null_data_with_length);
  braid_test_add_func ("/protocol/half-close", test_supports_half_close_follows_the_class);
  braid_test_add_func ("/protocol/factory", test_factory_is_held_and_can_be_cleared);
  braid_test_add_func ("/protocol/dispose", test_dispose_releases_transport_and_factory);
  braid_test_add_func ("/protocol/misuse", test_misuse_is_refused);


  braid_test_add_func ("/protocol/log-prefix/default", test_default_is_the_type_name);
  braid_test_add_func ("/protocol/log-prefix/override", test_override_names_the_connection);
  braid_test_add_func ("/protocol/log-prefix/bad-input-line", test_bad_input_line_starts_with_the_prefix);
  braid_test_add_func ("/protocol/log-prefix/idle-timeout-line", test_idle_timeout_line_starts_with_the_prefix);

  return g_test_run ();
}
