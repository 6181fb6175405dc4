/* test-log-prefix.c: braid_protocol_get_log_prefix (Twisted's logPrefix),
 * and the log lines about a connection that start with it. */
#include <string.h>

#include <braid-fakes.h>

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
                         "session 7: no data received for 5 seconds; closing the connection");
  braid_fake_clock_advance (clock, 5);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (transport));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braid_protocol_get_log_prefix: the name of a connection in log lines");

  braid_test_add_func ("/log-prefix/default", test_default_is_the_type_name);
  braid_test_add_func ("/log-prefix/override", test_override_names_the_connection);
  braid_test_add_func ("/log-prefix/bad-input-line", test_bad_input_line_starts_with_the_prefix);
  braid_test_add_func ("/log-prefix/idle-timeout-line", test_idle_timeout_line_starts_with_the_prefix);

  return g_test_run ();
}
