/* test-idle-edges.c: an idle timeout whose expired function keeps the
 * connection open: later activity does not re-arm it, and cancelling it
 * leaves the protocol without one. */
#include <braid-fakes.h>

#include "test-protocols.h"

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
  g_test_summary ("An idle timeout whose expired function keeps the connection open");

  braid_test_add_func ("/idle-edges/expired/ignores-later-activity", test_expired_timeout_ignores_later_activity);

  return g_test_run ();
}
