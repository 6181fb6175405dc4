/* example-string-transport.c: docs/testing.md, "A protocol on a string transport".
 *
 * A shouting echo: every byte received is written back in upper case. The
 * test connects it to a BraidStringTransport, which records what the
 * protocol writes, so no socket is needed. */
#include <braid-fakes.h>

G_DECLARE_FINAL_TYPE (ShoutProtocol, shout_protocol, SHOUT, PROTOCOL, BraidProtocol)
struct _ShoutProtocol { BraidProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (ShoutProtocol, shout_protocol, BRAID_TYPE_PROTOCOL)

static void
shout_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  g_autofree char *upper = g_ascii_strup ((const char *) data, len);

  braid_transport_write (braid_protocol_get_transport (protocol), (const guint8 *) upper, len);
}

static void
shout_protocol_class_init (ShoutProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = shout_protocol_data_received;
}

static void shout_protocol_init (ShoutProtocol *self) { }

static void
test_shout_answers_in_upper_case (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (shout_protocol_get_type ());
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (shout, BRAID_TRANSPORT (transport));
  braid_protocol_data_received (shout, (const guint8 *) "hello", 5);
  braid_assert_transport_wrote (transport, "HELLO");

  /* The assertion cleared the record: the next one sees only new bytes. */
  braid_protocol_data_received (shout, (const guint8 *) "again", 5);
  braid_assert_transport_wrote (transport, "AGAIN");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("docs/testing.md: testing a protocol on a BraidStringTransport.");
  braid_test_add_func ("/docs/string-transport/shout", test_shout_answers_in_upper_case);
  return g_test_run ();
}
