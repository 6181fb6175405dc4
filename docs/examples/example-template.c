/* example-template.c: a protocol and its tests in one file, to copy when
 * starting your own (docs/using.md). The test suite compiles and runs it.
 *
 * The protocol answers each line with "you said: LINE" and hangs up after
 * 30 seconds of silence. Its factory is a plain BraidFactory carrying a
 * clock; the tests give it a fake clock and talk to it through a loopback
 * from a BraidRecordingProtocol. */
#include <braid-fakes.h>

/* --- The protocol -------------------------------------------------------- */

G_DECLARE_FINAL_TYPE (ParrotProtocol, parrot_protocol, PARROT, PROTOCOL, BraidLineReceiver)
struct _ParrotProtocol { BraidLineReceiver parent_instance; };
G_DEFINE_FINAL_TYPE (ParrotProtocol, parrot_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
parrot_protocol_connection_made (BraidProtocol *protocol)
{
  braid_protocol_set_idle_timeout (protocol, braid_protocol_get_clock (protocol), 30);
}

static void
parrot_protocol_line_received (BraidLineReceiver *self, const char *line, gsize len)
{
  g_autofree char *answer = g_strdup_printf ("you said: %.*s", (int) len, line);

  braid_line_receiver_send_line (self, answer);
}

static void
parrot_protocol_class_init (ParrotProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = parrot_protocol_connection_made;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = parrot_protocol_line_received;
}

static void parrot_protocol_init (ParrotProtocol *self) { }

/* A program would listen with:
 *   braid_factory_set_clock (factory, BRAID_CLOCK (reactor));
 *   braid_reactor_listen_tcp (reactor, 8000, factory, NULL, &error); */

/* --- Its tests ----------------------------------------------------------- */

static void
test_parrot_repeats_and_hangs_up_when_idle (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (parrot_protocol_get_type ());
  g_autoptr (BraidProtocol) parrot = NULL;
  g_autoptr (BraidRecordingProtocol) client = braid_recording_protocol_new ();
  g_autoptr (BraidLoopback) loopback = NULL;

  braid_factory_set_clock (factory, BRAID_CLOCK (clock));
  parrot = braid_factory_build_protocol (factory, NULL);
  loopback = braid_loopback_new (parrot, BRAID_PROTOCOL (client));

  braid_transport_write_string (braid_loopback_get_client_transport (loopback), "hi\r\n");
  braid_loopback_flush (loopback);
  g_assert_cmpstr (braid_recording_protocol_peek (client, NULL), ==, "you said: hi\r\n");

  braid_fake_clock_advance (clock, 30);
  braid_loopback_flush (loopback);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_false (braid_error_is_clean_close (braid_recording_protocol_get_reason (client)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  braid_test_add_func ("/template/parrot", test_parrot_repeats_and_hangs_up_when_idle);
  return g_test_run ();
}
