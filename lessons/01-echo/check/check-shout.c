/* check-shout.c: the check of lesson 01's exercise (exercise/shout.c). */
#include <braid-fakes.h>

#include "shout.h"
#include "test-helpers.h"

static void
test_shout_upper_cases_letters (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  braid_test_receive (shout, "hello\n");
  braid_assert_transport_wrote (transport, "HELLO\n");
}

static void
test_shout_leaves_other_bytes_alone (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  braid_test_receive (shout, "Hi, Bob! 42 times: caf\xc3\xa9\r\n");
  braid_assert_transport_wrote (transport, "HI, BOB! 42 TIMES: CAF\xc3\xa9\r\n");
}

/* The bytes are not a C string: a NUL in the middle must not cut them. */
static void
test_shout_sends_every_byte_back (void)
{
  static const guint8 in[] = { 'a', 0, 'b' };
  static const guint8 out[] = { 'A', 0, 'B' };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);
  g_autoptr (GBytes) written = NULL;

  braid_protocol_data_received (shout, in, sizeof in);
  written = braid_string_transport_get_value (transport);
  g_assert_cmpmem (g_bytes_get_data (written, NULL), g_bytes_get_size (written),
                   out, sizeof out);
}

static void
test_shout_answers_each_piece_at_once (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  braid_test_receive (shout, "he");
  braid_assert_transport_wrote (transport, "HE");
  braid_test_receive (shout, "llo");
  braid_assert_transport_wrote (transport, "LLO");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 01's exercise: an echo that shouts back in upper case.");

  braid_test_add_func ("/lesson-01/shout/upper-cases-letters", test_shout_upper_cases_letters);
  braid_test_add_func ("/lesson-01/shout/leaves-other-bytes-alone", test_shout_leaves_other_bytes_alone);
  braid_test_add_func ("/lesson-01/shout/every-byte", test_shout_sends_every_byte_back);
  braid_test_add_func ("/lesson-01/shout/each-piece-at-once", test_shout_answers_each_piece_at_once);

  return g_test_run ();
}
