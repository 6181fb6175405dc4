/* example-fake-clock.c: docs/testing.md, "Time on a fake clock".
 *
 * A protocol that gives each client ten seconds: it says "time's up" and
 * closes the connection when they have passed. It is given a BraidClock,
 * never the real time, so the test runs it on a BraidFakeClock and moves
 * time by hand: ten seconds pass in microseconds, exactly. */
#include <braid-fakes.h>

G_DECLARE_FINAL_TYPE (TimedProtocol, timed_protocol, TIMED, PROTOCOL, BraidProtocol)
struct _TimedProtocol
{
  BraidProtocol parent_instance;
  BraidClock *clock;            /* given by whoever builds the protocol */
  BraidDelayedCall *time_up;    /* owned by the clock while pending */
};
G_DEFINE_FINAL_TYPE (TimedProtocol, timed_protocol, BRAID_TYPE_PROTOCOL)

static void
say_time_is_up (gpointer data)
{
  TimedProtocol *self = data;
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  self->time_up = NULL;
  braid_transport_write_string (transport, "time's up\r\n");
  braid_transport_lose_connection (transport);
}

static void
timed_protocol_connection_made (BraidProtocol *protocol)
{
  TimedProtocol *self = TIMED_PROTOCOL (protocol);

  self->time_up = braid_clock_call_later (self->clock, 10.0, say_time_is_up, self, NULL);
}

static void
timed_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  TimedProtocol *self = TIMED_PROTOCOL (protocol);

  /* A timer must not outlive its connection (the hygiene check would say so). */
  if (self->time_up != NULL)
    braid_delayed_call_cancel (g_steal_pointer (&self->time_up), NULL);
}

static void
timed_protocol_class_init (TimedProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = timed_protocol_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = timed_protocol_connection_lost;
}

static void timed_protocol_init (TimedProtocol *self) { }

static void
test_time_is_up_after_ten_seconds (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (TimedProtocol) timed = g_object_new (timed_protocol_get_type (), NULL);

  timed->clock = BRAID_CLOCK (clock);
  braid_protocol_make_connection (BRAID_PROTOCOL (timed), BRAID_TRANSPORT (transport));

  braid_fake_clock_advance (clock, 9.9);
  braid_assert_transport_wrote (transport, "");
  g_assert_false (braid_string_transport_get_disconnecting (transport));

  braid_fake_clock_advance (clock, 0.1);
  braid_assert_transport_wrote (transport, "time's up\r\n");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_leaving_early_cancels_the_timer (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (TimedProtocol) timed = g_object_new (timed_protocol_get_type (), NULL);
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                                   "the client left");

  timed->clock = BRAID_CLOCK (clock);
  braid_protocol_make_connection (BRAID_PROTOCOL (timed), BRAID_TRANSPORT (transport));
  braid_fake_clock_advance (clock, 3);
  braid_protocol_connection_lost (BRAID_PROTOCOL (timed), reason);

  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("docs/testing.md: a timer-driven protocol on a BraidFakeClock.");
  braid_test_add_func ("/docs/fake-clock/time-is-up", test_time_is_up_after_ten_seconds);
  braid_test_add_func ("/docs/fake-clock/leaving-cancels", test_leaving_early_cancels_the_timer);
  return g_test_run ();
}
