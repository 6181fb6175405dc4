/* check-shout.c: the check of lesson 01's exercise (exercise/shout.c). */
#include <braid-fakes.h>

#include "check-assertions.h"
#include "shout.h"
#include "test-helpers.h"

static void
test_shout_upper_cases_letters (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  check_assert_answer_str (shout, transport, "hello\n", "HELLO\n",
                           "letters a-z come back in upper case");
}

static void
test_shout_leaves_other_bytes_alone (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  check_assert_answer_str (shout, transport, "Hi, Bob! 42 times: caf\xc3\xa9\r\n",
                           "HI, BOB! 42 TIMES: CAF\xc3\xa9\r\n",
                           "only a-z change: capitals, digits, punctuation, \\r\\n and the "
                           "two bytes of an accented letter come back as they came");
}

static void
test_shout_sends_every_byte_back (void)
{
  static const guint8 in[] = { 'a', 0, 'b' };
  static const guint8 out[] = { 'A', 0, 'B' };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  check_assert_answer (shout, transport, in, sizeof in, out, sizeof out,
                       "the bytes are not a C string: a NUL in the middle must not cut them "
                       "(use len, not strlen)");
}

static void
test_shout_answers_each_piece_at_once (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = connect_protocol (SHOUT_TYPE_PROTOCOL, transport);

  check_assert_answer_str (shout, transport, "he", "HE",
                           "each piece of data is answered as soon as it arrives");
  check_assert_answer_str (shout, transport, "llo", "LLO",
                           "each piece of data is answered as soon as it arrives");
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
