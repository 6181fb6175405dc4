/* test-recording-protocol.c: the helpers that cut a test's boilerplate:
 * BraidRecordingProtocol (the far end of a conversation) and the clock a
 * factory hands its protocols. On fakes. */
#include <string.h>

#include <braid-fakes.h>

/* A server that answers every chunk in upper case. */
G_DECLARE_FINAL_TYPE (UpperProtocol, upper_protocol, UPPER, PROTOCOL, BraidProtocol)
struct _UpperProtocol { BraidProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (UpperProtocol, upper_protocol, BRAID_TYPE_PROTOCOL)

static void
upper_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  g_autofree char *upper = g_ascii_strup ((const char *) data, len);

  braid_transport_write (braid_protocol_get_transport (protocol), (const guint8 *) upper, len);
}

static void
upper_protocol_class_init (UpperProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = upper_protocol_data_received;
}

static void upper_protocol_init (UpperProtocol *self) { }

static void
test_records_what_it_hears_and_why_it_ended (void)
{
  g_autoptr (BraidProtocol) server = g_object_new (upper_protocol_get_type (), NULL);
  g_autoptr (BraidRecordingProtocol) client = braid_recording_protocol_new ();
  g_autoptr (BraidLoopback) loopback = NULL;
  g_autoptr (GBytes) received = NULL;
  gsize len = 0;

  g_test_summary ("A recording protocol says its greeting when connected, records every "
                  "byte the other end sends, forgets them on clear, and keeps the reason "
                  "the connection ended");
  braid_recording_protocol_set_greeting (client, "hello");
  loopback = braid_loopback_new (server, BRAID_PROTOCOL (client));
  braid_loopback_flush (loopback);
  g_assert_cmpstr (braid_recording_protocol_peek (client, &len), ==, "HELLO");
  g_assert_cmpuint (len, ==, 5);
  received = braid_recording_protocol_get_received (client);
  g_assert_cmpmem (g_bytes_get_data (received, NULL), g_bytes_get_size (received), "HELLO", 5);
  g_assert_null (braid_recording_protocol_get_reason (client));

  braid_recording_protocol_clear (client);
  braid_transport_write_string (braid_protocol_get_transport (BRAID_PROTOCOL (client)), "again");
  braid_loopback_flush (loopback);
  g_assert_cmpstr (braid_recording_protocol_peek (client, NULL), ==, "AGAIN");

  braid_transport_lose_connection (braid_protocol_get_transport (server));
  braid_loopback_flush (loopback);
  g_assert_nonnull (braid_recording_protocol_get_reason (client));
  g_assert_true (braid_error_is_clean_close (braid_recording_protocol_get_reason (client)));
}

static void
test_protocol_reaches_its_factorys_clock (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (upper_protocol_get_type ());
  g_autoptr (BraidProtocol) orphan = g_object_new (upper_protocol_get_type (), NULL);
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  g_test_summary ("A plain factory carries a clock; its protocols find it with "
                  "braid_protocol_get_clock and can set an idle timeout on it");
  g_assert_null (braid_factory_get_clock (factory));
  braid_factory_set_clock (factory, BRAID_CLOCK (clock));
  protocol = braid_factory_build_protocol (factory, NULL);
  g_assert_true (braid_protocol_get_clock (protocol) == BRAID_CLOCK (clock));
  g_assert_null (braid_protocol_get_clock (orphan));

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_protocol_set_idle_timeout (protocol, braid_protocol_get_clock (protocol), 10);
  braid_fake_clock_advance (clock, 10);
  g_assert_true (braid_string_transport_get_aborted (transport));
}

static void
test_factory_does_not_keep_its_clock (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (upper_protocol_get_type ());
  BraidFakeClock *clock = braid_fake_clock_new ();
  g_autoptr (BraidClock) read_back = NULL;

  g_test_summary ("The factory's clock is a weak reference (a reactor owns its ports' "
                  "factories): it reads NULL once the clock is gone; also a property");
  g_object_set (factory, "clock", clock, NULL);
  g_object_get (factory, "clock", &read_back, NULL);
  g_assert_true (read_back == BRAID_CLOCK (clock));
  g_clear_object (&read_back);
  g_object_unref (clock);
  g_assert_null (braid_factory_get_clock (factory));
}

/* --- The assertions as checks (for Python) ------------------------------ */

static void
test_check_transport_wrote_reports_a_mismatch (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (GError) error = NULL;

  g_test_summary ("braid_check_transport_wrote returns a GError showing both sides on a "
                  "mismatch (clearing nothing) and clears the record on a match");
  braid_transport_write_string (BRAID_TRANSPORT (transport), "hi\n");
  g_assert_false (braid_check_transport_wrote (transport, "HI", &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "the transport got \"hi\\n\" (3 bytes), expected \"HI\"");
  g_assert_true (braid_check_transport_wrote (transport, "hi\n", NULL));
  g_assert_true (braid_check_transport_wrote (transport, "", NULL));
}

static void
test_check_no_leftovers_names_a_pending_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GError) error = NULL;
  BraidDelayedCall *call;

  g_test_summary ("braid_check_no_leftovers returns a GError naming a call left pending, "
                  "and TRUE once nothing is left");
  call = braid_clock_call_later (BRAID_CLOCK (clock), 5, (BraidCallFunc) g_free, NULL, NULL);
  g_assert_false (braid_check_no_leftovers (&error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "test-recording-protocol.c"));
  g_assert_true (braid_delayed_call_cancel (call, NULL));
  g_assert_true (braid_check_no_leftovers (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/recording-protocol/records-and-reason", test_records_what_it_hears_and_why_it_ended);
  braid_test_add_func ("/factory-clock/protocol-reaches-it", test_protocol_reaches_its_factorys_clock);
  braid_test_add_func ("/factory-clock/weak", test_factory_does_not_keep_its_clock);
  braid_test_add_func ("/checks/transport-wrote", test_check_transport_wrote_reports_a_mismatch);
  braid_test_add_func ("/checks/no-leftovers", test_check_no_leftovers_names_a_pending_call);
  return g_test_run ();
}
