/* test-idle-timeout.c: BraidIdleTimeout, on the fake clock. */
#include <braid-fakes.h>

#include "test-protocols.h"

G_DECLARE_FINAL_TYPE (Quiet, quiet, QUIET, PROTOCOL, BraidProtocol)
struct _Quiet
{
  BraidProtocol parent_instance;
  GError *lost_reason;
  guint received;
};
G_DEFINE_FINAL_TYPE (Quiet, quiet, BRAID_TYPE_PROTOCOL)

/* The protocol does nothing about the timeout: no reset call anywhere. */
static void
quiet_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  QUIET_PROTOCOL (protocol)->received += len;
}

static void
quiet_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  QUIET_PROTOCOL (protocol)->lost_reason = g_error_copy (reason);
}

static void
quiet_finalize (GObject *object)
{
  g_clear_error (&QUIET_PROTOCOL (object)->lost_reason);
  G_OBJECT_CLASS (quiet_parent_class)->finalize (object);
}

static void
quiet_class_init (QuietClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = quiet_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = quiet_data_received;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = quiet_connection_lost;
}

static void
quiet_init (Quiet *self)
{
}

typedef struct
{
  BraidFakeClock *clock;
  BraidStringTransport *transport;
  Quiet *protocol;
} Fixture;

static void
fixture_set_up (Fixture *f)
{
  f->clock = braid_fake_clock_new ();
  f->transport = braid_string_transport_new ();
  f->protocol = g_object_new (quiet_get_type (), NULL);
  braid_protocol_make_connection (BRAID_PROTOCOL (f->protocol), BRAID_TRANSPORT (f->transport));
}

static void
fixture_tear_down (Fixture *f)
{
  g_clear_object (&f->protocol);
  g_clear_object (&f->transport);
  g_clear_object (&f->clock);
}

static void
lose (Fixture *f)
{
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "gone");

  braid_protocol_connection_lost (BRAID_PROTOCOL (f->protocol), reason);
}

static void
test_expiry_closes_with_timed_out (void)
{
  Fixture f;
  BraidIdleTimeout *timeout;

  fixture_set_up (&f);
  timeout = braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 10);
  g_assert_true (braid_protocol_get_idle_timeout (BRAID_PROTOCOL (f.protocol)) == timeout);
  g_assert_cmpfloat (braid_idle_timeout_get_seconds (timeout), ==, 10);
  braid_fake_clock_advance (f.clock, 9.9);
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  braid_fake_clock_advance (f.clock, 0.1);
  g_assert_true (braid_string_transport_get_aborted (f.transport));
  g_assert_false (braid_idle_timeout_is_active (timeout));
  lose (&f);
  g_assert_error (f.protocol->lost_reason, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  fixture_tear_down (&f);
}

static void
test_data_resets_it_without_the_protocols_help (void)
{
  Fixture f;

  fixture_set_up (&f);
  braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 10);
  for (guint i = 0; i < 5; i++)
    {
      braid_fake_clock_advance (f.clock, 8);
      braid_protocol_data_received (BRAID_PROTOCOL (f.protocol), (const guint8 *) "x", 1);
    }
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  /* 10 s after the last byte, at t = 50. */
  braid_fake_clock_advance (f.clock, 9.9);
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  braid_fake_clock_advance (f.clock, 0.1);
  g_assert_true (braid_string_transport_get_aborted (f.transport));
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (f.clock)), ==, 50);
  lose (&f);
  fixture_tear_down (&f);
}

static void
test_touch_counts_as_activity (void)
{
  Fixture f;
  BraidIdleTimeout *timeout;

  fixture_set_up (&f);
  timeout = braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 10);
  braid_fake_clock_advance (f.clock, 5);
  braid_idle_timeout_touch (timeout);
  braid_fake_clock_advance (f.clock, 9);
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  braid_fake_clock_advance (f.clock, 1);
  g_assert_true (braid_string_transport_get_aborted (f.transport));
  lose (&f);
  fixture_tear_down (&f);
}

static void
test_connection_lost_cancels_the_timer (void)
{
  Fixture f;
  BraidIdleTimeout *timeout;

  fixture_set_up (&f);
  timeout = braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 10);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (f.clock), ==, 1);
  lose (&f);
  g_assert_false (braid_idle_timeout_is_active (timeout));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (f.clock), ==, 0);
  g_assert_error (f.protocol->lost_reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  braid_fake_clock_advance (f.clock, 100);
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  fixture_tear_down (&f);
}

static void
test_dropping_the_protocol_cancels_the_timer (void)
{
  Fixture f;

  fixture_set_up (&f);
  braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 10);
  g_clear_object (&f.protocol);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (f.clock), ==, 0);
  fixture_tear_down (&f);
}

static void
say_goodbye (BraidProtocol *protocol, gpointer user_data)
{
  guint *expired = user_data;

  (*expired)++;
  braid_transport_write_string (braid_protocol_get_transport (protocol), "bye\n");
  braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
test_expired_func_replaces_the_default (void)
{
  Fixture f;
  BraidIdleTimeout *timeout;
  guint expired = 0;

  fixture_set_up (&f);
  timeout = braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 1);
  braid_idle_timeout_set_expired_func (timeout, say_goodbye, &expired, NULL);
  braid_fake_clock_advance (f.clock, 5);
  g_assert_cmpuint (expired, ==, 1);
  braid_assert_transport_wrote (f.transport, "bye\n");
  g_assert_true (braid_string_transport_get_disconnecting (f.transport));
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  lose (&f);
  fixture_tear_down (&f);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_expired_func_data_is_freed (void)
{
  Fixture f;
  BraidIdleTimeout *timeout;
  guint destroyed = 0;

  fixture_set_up (&f);
  timeout = braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 1);
  braid_idle_timeout_set_expired_func (timeout, say_goodbye, &destroyed, count_destroy);
  braid_idle_timeout_set_expired_func (timeout, NULL, &destroyed, count_destroy);
  g_assert_cmpuint (destroyed, ==, 1);
  braid_protocol_cancel_idle_timeout (BRAID_PROTOCOL (f.protocol));
  g_assert_cmpuint (destroyed, ==, 2);
  lose (&f);
  fixture_tear_down (&f);
}

static void
test_set_again_replaces_and_cancel_forgets (void)
{
  Fixture f;

  fixture_set_up (&f);
  braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 1);
  braid_protocol_set_idle_timeout (BRAID_PROTOCOL (f.protocol), BRAID_CLOCK (f.clock), 5);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (f.clock), ==, 1);
  braid_fake_clock_advance (f.clock, 2);
  g_assert_false (braid_string_transport_get_aborted (f.transport));
  braid_protocol_cancel_idle_timeout (BRAID_PROTOCOL (f.protocol));
  g_assert_null (braid_protocol_get_idle_timeout (BRAID_PROTOCOL (f.protocol)));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (f.clock), ==, 0);
  lose (&f);
  fixture_tear_down (&f);
}

/* The core hook both the idle timeout and the framing receivers use. */
static void
test_abort_with_reason_first_wins (void)
{
  Fixture f;
  g_autoptr (GError) first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "first");
  g_autoptr (GError) second = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "second");

  fixture_set_up (&f);
  braid_protocol_abort_with_reason (BRAID_PROTOCOL (f.protocol), first);
  g_assert_true (braid_string_transport_get_aborted (f.transport));
  braid_protocol_abort_with_reason (BRAID_PROTOCOL (f.protocol), second);
  lose (&f);
  g_assert_error (f.protocol->lost_reason, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (f.protocol->lost_reason->message, ==, "first");
  fixture_tear_down (&f);
}

static void
count_expiry (BraidProtocol *protocol, gpointer user_data)
{
  (void) protocol;
  (*(guint *) user_data)++;
}

static void
test_expired_timeout_ignores_later_activity (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (RecordingProtocol) protocol = recording_protocol_new ("idle", NULL);
  BraidIdleTimeout *timeout;
  guint expiries = 0;

  braid_protocol_make_connection (BRAID_PROTOCOL (protocol), BRAID_TRANSPORT (transport));
  timeout = braid_protocol_set_idle_timeout (BRAID_PROTOCOL (protocol), BRAID_CLOCK (clock), 10);
  braid_idle_timeout_set_expired_func (timeout, count_expiry, &expiries, NULL);

  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (expiries, ==, 1);
  g_assert_false (braid_idle_timeout_is_active (timeout));
  g_assert_false (braid_string_transport_get_aborted (transport));

  /* The connection stays open; data and touches after the expiry do not
   * start the timer again. */
  braid_test_receive (BRAID_PROTOCOL (protocol), "late");
  braid_idle_timeout_touch (timeout);
  braid_fake_clock_advance (clock, 100);
  g_assert_cmpuint (expiries, ==, 1);
  g_assert_false (braid_idle_timeout_is_active (timeout));
  g_assert_cmpstr (recording_protocol_state (protocol)->received->str, ==, "late");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);

  braid_protocol_cancel_idle_timeout (BRAID_PROTOCOL (protocol));
  g_assert_null (braid_protocol_get_idle_timeout (BRAID_PROTOCOL (protocol)));
  /* Cancelling again, with none set, is harmless. */
  braid_protocol_cancel_idle_timeout (BRAID_PROTOCOL (protocol));
  g_assert_null (braid_protocol_get_idle_timeout (BRAID_PROTOCOL (protocol)));
  braid_test_lose_connection (BRAID_PROTOCOL (protocol), TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidIdleTimeout: expiry, automatic reset on data, cancelled with the connection");

  braid_test_add_func ("/idle-timeout/expiry-closes-timed-out", test_expiry_closes_with_timed_out);
  braid_test_add_func ("/idle-timeout/data-resets-automatically", test_data_resets_it_without_the_protocols_help);
  braid_test_add_func ("/idle-timeout/touch", test_touch_counts_as_activity);
  braid_test_add_func ("/idle-timeout/cancelled-on-connection-lost", test_connection_lost_cancels_the_timer);
  braid_test_add_func ("/idle-timeout/cancelled-on-protocol-finalize", test_dropping_the_protocol_cancels_the_timer);
  braid_test_add_func ("/idle-timeout/expired-func", test_expired_func_replaces_the_default);
  braid_test_add_func ("/idle-timeout/replace-and-cancel", test_set_again_replaces_and_cancel_forgets);
  braid_test_add_func ("/idle-timeout/expired-data-freed", test_expired_func_data_is_freed);
  braid_test_add_func ("/idle-timeout/abort-with-reason/first-wins", test_abort_with_reason_first_wins);
  braid_test_add_func ("/idle-timeout/expired/ignores-later-activity", test_expired_timeout_ignores_later_activity);

  return g_test_run ();
}
