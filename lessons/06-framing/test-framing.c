/* test-framing.c: lesson 06's protocols, fed whole and one byte at a time. */
#include <braid-fakes.h>

#include "framing.h"

static BraidStringTransport *
connect (BraidProtocol *protocol)
{
  BraidStringTransport *transport = braid_string_transport_new ();

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  return transport;
}

static void
feed (BraidProtocol *protocol, const void *data, gsize len, gsize chunk)
{
  for (gsize pos = 0; pos < len; pos += chunk)
    braid_protocol_data_received (protocol, (const guint8 *) data + pos, MIN (chunk, len - pos));
}

static void
test_length_echo_whole_and_byte_by_byte (void)
{
  const char *input = "11 hello world, and more";

  for (gsize chunk = 1; chunk <= strlen (input); chunk = chunk == 1 ? strlen (input) : chunk + 1)
    {
      g_autoptr (BraidProtocol) echo = g_object_new (LENGTH_TYPE_ECHO, NULL);
      g_autoptr (BraidStringTransport) transport = connect (echo);

      feed (echo, input, strlen (input), chunk);
      /* Exactly 11 bytes come back, then the server hangs up. */
      braid_assert_transport_wrote (transport, "hello world");
      g_assert_true (braid_string_transport_get_disconnecting (transport));
    }
}

static void
test_length_echo_echoes_as_bytes_arrive (void)
{
  g_autoptr (BraidProtocol) echo = g_object_new (LENGTH_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (echo);

  feed (echo, "1", 1, 1);
  feed (echo, "0 abc", 5, 5);
  braid_assert_transport_wrote (transport, "abc");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
  feed (echo, "defghijklm", 10, 10);
  braid_assert_transport_wrote (transport, "defghij");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
}

static void
test_length_echo_refuses_bad_lengths (void)
{
  const char *bad[] = { "x 1", " 1", "12a ", "1234567890 x" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (BraidProtocol) echo = g_object_new (LENGTH_TYPE_ECHO, NULL);
      g_autoptr (BraidStringTransport) transport = connect (echo);

      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*closing the connection*");
      feed (echo, bad[i], strlen (bad[i]), 1);
      g_test_assert_expected_messages ();
      braid_assert_transport_wrote (transport, "error: expected a length: digits, then a space\r\n");
      g_assert_true (braid_string_transport_get_disconnecting (transport));
    }
}

static void
test_length_zero_closes_at_once (void)
{
  g_autoptr (BraidProtocol) echo = g_object_new (LENGTH_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (echo);

  feed (echo, "0 ignored", 9, 9);
  braid_assert_transport_wrote (transport, "");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
}

static void
test_int32_echo_byte_by_byte (void)
{
  /* Two frames, "hello" and the empty frame, then half a third one. */
  static const guint8 input[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 0, 3, 'a' };
  g_autoptr (BraidProtocol) echo = g_object_new (INT32_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (echo);
  gsize len;
  const char *written;

  feed (echo, input, sizeof input, 1);
  written = braid_string_transport_peek (transport, &len);
  g_assert_cmpmem (written, len, input, 13);
  braid_string_transport_clear (transport);
  feed (echo, "bc", 2, 1);
  written = braid_string_transport_peek (transport, &len);
  g_assert_cmpmem (written, len, "\0\0\0\3abc", 7);
}

static void
test_int32_echo_refuses_huge_frames (void)
{
  g_autoptr (BraidProtocol) echo = g_object_new (INT32_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (echo);

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*frame of 1000000 bytes announced*");
  feed (echo, "\x00\x0f\x42\x40", 4, 1);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (transport));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 06: a length-prefixed echo, in ASCII and in binary");

  braid_test_add_func ("/lesson06/length-echo/whole-and-byte-by-byte", test_length_echo_whole_and_byte_by_byte);
  braid_test_add_func ("/lesson06/length-echo/echoes-as-bytes-arrive", test_length_echo_echoes_as_bytes_arrive);
  braid_test_add_func ("/lesson06/length-echo/bad-lengths", test_length_echo_refuses_bad_lengths);
  braid_test_add_func ("/lesson06/length-echo/zero", test_length_zero_closes_at_once);
  braid_test_add_func ("/lesson06/int32-echo/byte-by-byte", test_int32_echo_byte_by_byte);
  braid_test_add_func ("/lesson06/int32-echo/huge-frame", test_int32_echo_refuses_huge_frames);
  return g_test_run ();
}
