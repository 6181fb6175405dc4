/* test-misuse-messages.c: the common mistakes of someone writing their
 * first protocol get a message that names the mistake and what to do,
 * not a failed assertion about Braid's insides. On fakes. */
#include <braid-fakes.h>

/* --- Sending before the protocol is connected --------------------------- */

#define ECHO_TYPE_LINES (echo_lines_get_type ())
G_DECLARE_FINAL_TYPE (EchoLines, echo_lines, ECHO, LINES, BraidLineReceiver)
struct _EchoLines { BraidLineReceiver parent_instance; };
G_DEFINE_FINAL_TYPE (EchoLines, echo_lines, BRAID_TYPE_LINE_RECEIVER)

static void
echo_lines_line_received (BraidLineReceiver *self, const char *line, gsize len)
{
  braid_line_receiver_send_line_len (self, line, len);
}

static void
echo_lines_class_init (EchoLinesClass *klass)
{
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = echo_lines_line_received;
}

static void echo_lines_init (EchoLines *self) { }

static void
test_line_sent_without_transport_says_make_connection (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (ECHO_TYPE_LINES);
  g_autoptr (BraidProtocol) echo = braid_factory_build_protocol (factory, NULL);

  g_test_summary ("Feeding a line receiver data before make_connection: its reply is "
                  "refused with a message that says to call make_connection first");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "braid_line_receiver_send_line_len: the EchoLines has no transport "
                         "to send on: call braid_protocol_make_connection first*");
  braid_protocol_data_received (echo, (const guint8 *) "hi\r\n", 4);
  g_test_assert_expected_messages ();
}

static void
test_strings_sent_without_transport_say_make_connection (void)
{
  g_autoptr (BraidProtocol) int_n = g_object_new (BRAID_TYPE_INT_N_RECEIVER, NULL);
  g_autoptr (BraidProtocol) netstring = g_object_new (BRAID_TYPE_NETSTRING_RECEIVER, NULL);

  g_test_summary ("send_string of a length-prefix or netstring receiver with no transport "
                  "fails with a message that says to call make_connection first");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "braid_int_n_receiver_send_string: the BraidIntNReceiver has no "
                         "transport to send on: call braid_protocol_make_connection first*");
  g_assert_false (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (int_n),
                                                    (const guint8 *) "x", 1, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "braid_netstring_receiver_send_string: the BraidNetstringReceiver has "
                         "no transport to send on: call braid_protocol_make_connection first*");
  g_assert_false (braid_netstring_receiver_send_string (BRAID_NETSTRING_RECEIVER (netstring),
                                                        (const guint8 *) "x", 1, NULL));
  g_test_assert_expected_messages ();
}

/* --- A protocol that needs its own kind of factory ---------------------- */

#define KV_TYPE_FACTORY (kv_factory_get_type ())
G_DECLARE_FINAL_TYPE (KvFactory, kv_factory, KV, FACTORY, BraidFactory)
struct _KvFactory { BraidFactory parent_instance; GHashTable *store; };
G_DEFINE_FINAL_TYPE (KvFactory, kv_factory, BRAID_TYPE_FACTORY)

static void kv_factory_class_init (KvFactoryClass *klass) { }
static void kv_factory_init (KvFactory *self) { }

#define KV_TYPE_PROTOCOL (kv_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (KvProtocol, kv_protocol, KV, PROTOCOL, BraidProtocol)
struct _KvProtocolClass { BraidProtocolClass parent_class; };
G_DEFINE_TYPE (KvProtocol, kv_protocol, BRAID_TYPE_PROTOCOL)

static void
kv_protocol_class_init (KvProtocolClass *klass)
{
  braid_protocol_class_set_factory_type (BRAID_PROTOCOL_CLASS (klass), KV_TYPE_FACTORY);
}

static void kv_protocol_init (KvProtocol *self) { }

/* A subclass inherits its parent's declaration. */
#define LOUD_KV_TYPE_PROTOCOL (loud_kv_protocol_get_type ())
G_DECLARE_FINAL_TYPE (LoudKvProtocol, loud_kv_protocol, LOUD_KV, PROTOCOL, KvProtocol)
struct _LoudKvProtocol { KvProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (LoudKvProtocol, loud_kv_protocol, KV_TYPE_PROTOCOL)
static void loud_kv_protocol_class_init (LoudKvProtocolClass *klass) { }
static void loud_kv_protocol_init (LoudKvProtocol *self) { }

static void
test_plain_factory_for_a_protocol_needing_its_own (void)
{
  g_autoptr (BraidFactory) factory = NULL;

  g_test_summary ("braid_factory_new (KV_TYPE_PROTOCOL) for a protocol that declared it "
                  "needs a KvFactory: a message naming both types when the factory is made, "
                  "and build_protocol refuses (NULL) instead of an invalid cast later");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "creating the factory: a KvProtocol needs a KvFactory as its factory "
                         "*not a BraidFactory: create the factory as a KvFactory, not with "
                         "braid_factory_new (KvProtocol)");
  factory = braid_factory_new (KV_TYPE_PROTOCOL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "braid_factory_build_protocol: a KvProtocol needs a KvFactory*");
  g_assert_null (braid_factory_build_protocol (factory, NULL));
  g_test_assert_expected_messages ();
}

static void
test_the_right_factory_builds (void)
{
  g_autoptr (BraidFactory) factory = g_object_new (KV_TYPE_FACTORY,
                                                   "protocol-type", LOUD_KV_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (factory, NULL);

  g_test_summary ("A KvFactory builds a subclass of KvProtocol (the declaration is "
                  "inherited) with no message; other protocols need no declaration");
  g_assert_true (LOUD_KV_IS_PROTOCOL (protocol));
  g_assert_true (braid_protocol_get_factory (protocol) == factory);
  g_assert_true (braid_protocol_class_get_factory_type (BRAID_PROTOCOL_GET_CLASS (protocol))
                 == KV_TYPE_FACTORY);
  g_assert_true (braid_protocol_class_get_factory_type (
                   g_type_class_peek (BRAID_TYPE_LINE_RECEIVER)) == BRAID_TYPE_FACTORY);
}

/* --- A delayed call unreferenced while pending --------------------------- */

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_delayed_call_unref_while_pending_is_named (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidDelayedCall *call;
  guint calls = 0;

  g_test_summary ("Unreferencing a pending call one does not own (the clock does) says so, "
                  "naming where it was scheduled; the call stays scheduled and runs");
  call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "The delayed call scheduled at *test-misuse-messages.c:* lost its last "
                         "reference while still pending: its clock owns it*"
                         "braid_delayed_call_ref() a call before keeping it*");
  braid_delayed_call_unref (call);
  g_test_assert_expected_messages ();
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

/* --- The idle timeout's debug line --------------------------------------- */

static void
test_idle_timeout_debug_line_says_aborting (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (ECHO_TYPE_LINES);
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (factory, NULL);

  g_test_summary ("An idle timeout aborts the connection, and its debug line says "
                  "'aborting', not 'closing'");
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_protocol_set_idle_timeout (protocol, BRAID_CLOCK (clock), 1);
  g_test_expect_message ("Braid", G_LOG_LEVEL_DEBUG,
                         "EchoLines: no data received for 1 seconds; aborting the connection");
  braid_fake_clock_advance (clock, 1);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (transport));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/misuse/line-receiver/send-without-transport", test_line_sent_without_transport_says_make_connection);
  braid_test_add_func ("/misuse/strings/send-without-transport", test_strings_sent_without_transport_say_make_connection);
  braid_test_add_func ("/misuse/factory/plain-factory-for-kv-protocol", test_plain_factory_for_a_protocol_needing_its_own);
  braid_test_add_func ("/misuse/factory/right-factory-builds", test_the_right_factory_builds);
  braid_test_add_func ("/misuse/delayed-call/unref-while-pending", test_delayed_call_unref_while_pending_is_named);
  braid_test_add_func ("/misuse/idle-timeout/debug-says-aborting", test_idle_timeout_debug_line_says_aborting);
  return g_test_run ();
}
