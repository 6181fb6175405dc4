/* check-reverse.c: the check of lesson 06's exercise. */
#include <braid-fakes.h>

#include "check-assertions.h"
#include "reverse.h"

static void
test_reverses_frames_fed_byte_by_byte (void)
{
  static const guint8 input[] = { 0, 5, 'h', 'e', 'l', 'l', 'o', 0, 2, 'a', 'b' };
  g_autoptr (BraidProtocol) reverse = g_object_new (REVERSE_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_protocol_make_connection (reverse, BRAID_TRANSPORT (transport));
  for (gsize i = 0; i < sizeof input; i++)
    braid_protocol_data_received (reverse, input + i, 1);
  check_assert_wrote (transport, input, sizeof input, "\0\5olleh\0\2ba", 11,
                      "fed one byte at a time, each frame comes back reversed, with its "
                      "2-byte length, once it is whole");
}

static void
test_empty_frame_and_two_frames_in_one_piece (void)
{
  g_autoptr (BraidProtocol) reverse = g_object_new (REVERSE_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_protocol_make_connection (reverse, BRAID_TRANSPORT (transport));
  check_assert_answer (reverse, transport, "\0\0\0\3xyz", 7, "\0\0\0\3zyx", 7,
                       "an empty frame comes back empty, and two frames in one piece "
                       "are both answered");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 06 exercise: reverse each 16-bit length-prefixed frame");
  braid_test_add_func ("/lesson06/exercise/byte-by-byte", test_reverses_frames_fed_byte_by_byte);
  braid_test_add_func ("/lesson06/exercise/empty-and-two-frames", test_empty_frame_and_two_frames_in_one_piece);
  return g_test_run ();
}
