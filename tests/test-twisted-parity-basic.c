/* test-twisted-parity-basic.c: Twisted's twisted/protocols/test/test_basic.py
 * (LineReceiver, IntNStringReceiver, NetstringReceiver), ported.
 *
 * Each test names the Twisted test it ports. Twisted's receivers become
 * the recorders of framing-recorders.c (a BraidLineReceiver, a
 * BraidIntNReceiver, a BraidNetstringReceiver that record what they
 * deliver), on a BraidStringTransport. Where Twisted's test checks
 * `transport.disconnecting` after bad input, Braid logs why (a message)
 * and aborts the connection: both count as "closed". Twisted's TestMixin
 * sets MAX_LENGTH to 50 on the length-prefixed receivers. */
#include <string.h>

#include "framing-recorders.h"

typedef struct
{
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Connected;

static Connected
connect_new (GType type)
{
  Connected c;

  c.transport = braid_string_transport_new ();
  c.protocol = g_object_new (type, NULL);
  braid_protocol_make_connection (c.protocol, BRAID_TRANSPORT (c.transport));
  return c;
}

static void
connected_clear (Connected *c)
{
  g_clear_object (&c->protocol);
  g_clear_object (&c->transport);
}

static gboolean
is_closed (Connected *c)
{
  return braid_string_transport_get_disconnecting (c->transport)
         || braid_string_transport_get_aborted (c->transport);
}

static void
feed (Connected *c, const void *data, gsize len)
{
  braid_protocol_data_received (c->protocol, data, len);
}

static void
feed_bytewise (Connected *c, const void *data, gsize len)
{
  feed_in_chunks (c->protocol, data, len, 1);
}

/* Bad input: Braid logs why, then closes. */
static void
feed_bad_bytewise (Connected *c, const void *data, gsize len)
{
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*");
  feed_bytewise (c, data, len);
  g_test_assert_expected_messages ();
  g_assert_true (is_closed (c));
}

static void
assert_frames (Connected *c, const char *expected)
{
  g_autofree char *frames = record_frames_string (record_of (c->protocol));

  g_assert_cmpstr (frames, ==, expected);
}

/* ---------------------------------------------------------------------- */
/* LineReceiver */

/* twisted.protocols.test.test_basic.LineReceiverTests.test_maximumLineLength */
static void
test_line_maximum_line_length (void)
{
  Connected c = connect_new (TYPE_REC_LINES);
  gsize max = braid_line_receiver_get_max_length (BRAID_LINE_RECEIVER (c.protocol));
  g_autofree char *data = g_malloc (max + 4);

  memset (data, 'x', max + 1);
  memcpy (data + max + 1, "\r\nr", 3);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*");
  feed (&c, data, max + 4);
  g_test_assert_expected_messages ();
  g_assert_true (is_closed (&c));
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverTests.test_clearLineBuffer */
static void
clear_on_first_line (BraidProtocol *protocol, Record *record)
{
  if (record->frames->len == 1)
    g_bytes_unref (braid_line_receiver_clear_line_buffer (BRAID_LINE_RECEIVER (protocol)));
}

static void
test_line_clear_line_buffer (void)
{
  Connected c = connect_new (TYPE_REC_LINES);

  record_of (c.protocol)->on_frame = clear_on_first_line;
  feed (&c, "foo\r\nbar\r\nbaz", 13);
  assert_frames (&c, "[foo]");
  feed (&c, "quux\r\n", 6);
  assert_frames (&c, "[foo][quux]");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests:
 * MAX_LENGTH 6, and lineLengthExceeded only records (Braid passes the
 * length of what exceeded, where Twisted passes the bytes). */
static Connected
connect_catcher (void)
{
  Connected c = connect_new (TYPE_REC_LINES);

  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (c.protocol), 6);
  record_of (c.protocol)->keep_open = TRUE;
  return c;
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests.test_longUnendedLine */
static void
test_line_long_unended_line (void)
{
  Connected c = connect_catcher ();
  char excessive[6 * 2 + 2];

  memset (excessive, 'x', sizeof excessive);
  feed (&c, excessive, sizeof excessive);
  g_assert_cmpuint (record_of (c.protocol)->exceeded_calls, ==, 1);
  g_assert_cmpuint (record_of (c.protocol)->exceeded_length, >, 6);
  assert_frames (&c, "");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests.test_longLineAfterShortLine */
static void
test_line_long_line_after_short_line (void)
{
  Connected c = connect_catcher ();
  char data[3 + 14];

  memcpy (data, "x\r\n", 3);
  memset (data + 3, 'x', 14);
  feed (&c, data, sizeof data);
  assert_frames (&c, "[x]");
  g_assert_cmpuint (record_of (c.protocol)->exceeded_calls, ==, 1);
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests.test_longLineWithDelimiter
 *
 * Deviation (documented in BraidLineReceiver): Twisted hands the rest of
 * the data to lineLengthExceeded once and drops it; Braid reports a line
 * as soon as it is too long, without buffering it, and a receiver that
 * keeps the connection skips to the next delimiter, so each too-long line
 * is reported. Nothing is delivered either way. */
static void
test_line_long_line_with_delimiter (void)
{
  Connected c = connect_catcher ();
  g_autofree char *data = g_strdup_printf ("%s\r\n%s", "xxxxxxxxxxxxxx", "xxxxxxxxxxxxxx");

  feed (&c, data, strlen (data));
  g_assert_cmpuint (record_of (c.protocol)->exceeded_calls, ==, 2);
  assert_frames (&c, "");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests.test_multipleLongLines
 * (the same deviation as test_longLineWithDelimiter) */
static void
test_line_multiple_long_lines (void)
{
  Connected c = connect_catcher ();
  g_autofree char *data = g_strdup_printf ("%s\r\n%s\r\n", "xxxxxxxxxxxxxx", "xxxxxxxxxxxxxx");

  feed (&c, data, strlen (data));
  g_assert_cmpuint (record_of (c.protocol)->exceeded_calls, ==, 2);
  assert_frames (&c, "");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests.test_maximumLineLength */
static void
test_line_exceeded_maximum_line_length (void)
{
  test_line_maximum_line_length ();
}

/* twisted.protocols.test.test_basic.LineReceiverLineLengthExceededTests.test_maximumLineLengthRemaining */
static void
test_line_maximum_line_length_remaining (void)
{
  Connected c = connect_new (TYPE_REC_LINES);
  gsize max = braid_line_receiver_get_max_length (BRAID_LINE_RECEIVER (c.protocol));
  g_autofree char *data = g_malloc (max + 2);

  memset (data, 'x', max + 2);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*");
  feed (&c, data, max + 2);
  g_test_assert_expected_messages ();
  g_assert_true (is_closed (&c));
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineOnlyReceiverTests.test_buffer
 * (a LineReceiver with delimiter "\n") */
static void
test_line_only_buffer (void)
{
  Connected c = connect_new (TYPE_REC_LINES);
  const char *buffer = "foo\n    bleakness\n    desolation\n    plastic forks\n";

  braid_line_receiver_set_delimiter (BRAID_LINE_RECEIVER (c.protocol), "\n");
  feed_bytewise (&c, buffer, strlen (buffer));
  assert_frames (&c, "[foo][    bleakness][    desolation][    plastic forks]");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverTests.test_stopProducing */
static void
test_line_stop_producing (void)
{
  Connected c = connect_new (TYPE_REC_LINES);

  feed (&c, "foo\r\n", 5);
  braid_producer_stop_producing (BRAID_PRODUCER (c.protocol));
  feed (&c, "bar\r\n", 5);
  assert_frames (&c, "[foo]");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.LineReceiverTests.test_lineReceiverAsProducer */
static void
test_line_receiver_as_producer (void)
{
  Connected c = connect_new (TYPE_REC_LINES);

  braid_transport_register_producer (BRAID_TRANSPORT (c.transport), BRAID_PRODUCER (c.protocol), TRUE);
  braid_producer_pause_producing (BRAID_PRODUCER (c.protocol));
  feed (&c, "foo\r\nbar\r\n", 10);
  assert_frames (&c, "");
  braid_producer_resume_producing (BRAID_PRODUCER (c.protocol));
  assert_frames (&c, "[foo][bar]");
  braid_transport_unregister_producer (BRAID_TRANSPORT (c.transport));
  connected_clear (&c);
}

/* ---------------------------------------------------------------------- */
/* IntNStringReceiver: Int32, Int16, Int8 */

static Connected
connect_int_n (guint bits)
{
  Connected c = connect_new (TYPE_REC_INT_N);

  braid_int_n_receiver_set_prefix_bits (BRAID_INT_N_RECEIVER (c.protocol), bits);
  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (c.protocol), 50);
  return c;
}

/* The big-endian prefix of @len in @bits bits, then @payload (none if
 * %NULL: the prefix alone). */
static GByteArray *
prefixed (guint bits, const char *payload, gsize len)
{
  GByteArray *out = g_byte_array_new ();

  for (gint shift = (gint) bits - 8; shift >= 0; shift -= 8)
    {
      guint8 byte = (guint8) ((len >> shift) & 0xff);

      g_byte_array_append (out, &byte, 1);
    }
  if (payload != NULL)
    g_byte_array_append (out, (const guint8 *) payload, len);
  return out;
}

static const guint prefix_sizes[] = { 32, 16, 8 };

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_receive */
static void
test_int_n_receive (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);
  const char *strings[] = { "a", "bbbbbbbbbbbbbbbb" };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autoptr (GByteArray) frame = prefixed (bits, strings[i], strlen (strings[i]));

      feed_bytewise (&c, frame->data, frame->len);
    }
  assert_frames (&c, "[a][bbbbbbbbbbbbbbbb]");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_partial */
static void
test_int_n_partial (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  const char *partial_32[] = { "\x00\x00\x00", "hello there", "" };
  const gsize partial_32_len[] = { 3, 11, 0 };
  const char *partial_16[] = { "\x00", "hello there", "" };
  const gsize partial_16_len[] = { 1, 11, 0 };
  const char *partial_8[] = { "\x08", "dzadz", "" };
  const gsize partial_8_len[] = { 1, 5, 0 };
  const char **partials = bits == 32 ? partial_32 : bits == 16 ? partial_16 : partial_8;
  const gsize *lens = bits == 32 ? partial_32_len : bits == 16 ? partial_16_len : partial_8_len;

  for (guint i = 0; i < 3; i++)
    {
      Connected c = connect_int_n (bits);

      /* A limit high enough that every prefix here is only incomplete. */
      braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (c.protocol), G_MAXUINT32);
      feed_bytewise (&c, partials[i], lens[i]);
      assert_frames (&c, "");
      connected_clear (&c);
    }
}

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_send */
static void
test_int_n_send (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);
  g_autoptr (GByteArray) expected = prefixed (bits, "bbbbbbbbbbbbbbbb", 16);
  g_autoptr (GBytes) written = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (c.protocol),
                                                   (const guint8 *) "bbbbbbbbbbbbbbbb", 16, &error));
  written = braid_string_transport_get_value (c.transport);
  g_assert_cmpmem (g_bytes_get_data (written, NULL), g_bytes_get_size (written),
                   expected->data, expected->len);
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_lengthLimitExceeded */
static void
test_int_n_length_limit_exceeded (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);
  g_autoptr (GByteArray) prefix = prefixed (bits, NULL, 11);

  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (c.protocol), 10);
  record_of (c.protocol)->keep_open = TRUE;
  feed (&c, prefix->data, prefix->len);
  g_assert_cmpuint (record_of (c.protocol)->exceeded_calls, ==, 1);
  g_assert_cmpuint (record_of (c.protocol)->exceeded_length, ==, 11);
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_longStringNotDelivered */
static void
test_int_n_long_string_not_delivered (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);
  g_autoptr (GByteArray) frame = prefixed (bits, "xxxxxxxxxxx", 11);

  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (c.protocol), 10);
  record_of (c.protocol)->keep_open = TRUE;
  feed (&c, frame->data, frame->len);
  assert_frames (&c, "");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_illegal */
static void
test_int_n_illegal (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);

  if (bits == 32)
    feed_bad_bytewise (&c, "\x10\x00\x00\x00" "aaaaaa", 10);
  else if (bits == 16)
    feed_bad_bytewise (&c, "\x10\x00" "aaaaaa", 8);
  else
    feed_bad_bytewise (&c, "\x00\x00" "aaaaaa", 8);
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.Int{32,16,8}Tests.test_data */
static void
test_int_n_data (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);
  g_autoptr (GByteArray) sent = prefixed (bits, "foo", 3);
  g_autoptr (GByteArray) incoming = prefixed (bits, "ubar", 4);
  g_autoptr (GBytes) written = NULL;

  braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (c.protocol), (const guint8 *) "foo", 3, NULL);
  written = braid_string_transport_get_value (c.transport);
  g_assert_cmpmem (g_bytes_get_data (written, NULL), g_bytes_get_size (written), sent->data, sent->len);
  feed (&c, incoming->data, incoming->len);
  assert_frames (&c, "[ubar]");
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.Int{16,8}Tests.test_tooLongSend
 * (Twisted asserts; Braid refuses with an error) */
static void
test_int_n_too_long_send (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  Connected c = connect_int_n (bits);
  gsize too_long = ((gsize) 1 << bits) + 1;
  g_autofree guint8 *payload = g_malloc0 (too_long);
  g_autoptr (GError) error = NULL;

  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (c.protocol), G_MAXUINT32);
  g_assert_false (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (c.protocol),
                                                    payload, too_long, &error));
  g_assert_nonnull (error);
  connected_clear (&c);
}

/* ---------------------------------------------------------------------- */
/* NetstringReceiver */

static Connected
connect_netstring (void)
{
  return connect_new (TYPE_REC_NETSTRING);
}

/* twisted.protocols.test.test_basic.NetstringReceiverTests.test_buffer */
static void
test_netstring_buffer (void)
{
  const char *strings[] = { "hello", "world", "how", "are", "you123", ":today", NULL };
  g_autofree char *long_a = g_strnfill (515, 'a');

  for (gsize packet_size = 1; packet_size < 10; packet_size++)
    {
      Connected c = connect_netstring ();
      g_autoptr (GBytes) out = NULL;
      g_autoptr (GString) expected = g_string_new (NULL);

      braid_netstring_receiver_set_max_length (BRAID_NETSTRING_RECEIVER (c.protocol), 699);
      for (guint i = 0; strings[i] != NULL; i++)
        {
          braid_netstring_receiver_send_string (BRAID_NETSTRING_RECEIVER (c.protocol),
                                                (const guint8 *) strings[i], strlen (strings[i]), NULL);
          g_string_append_printf (expected, "[%s]", strings[i]);
        }
      braid_netstring_receiver_send_string (BRAID_NETSTRING_RECEIVER (c.protocol),
                                            (const guint8 *) long_a, 515, NULL);
      g_string_append_printf (expected, "[%s]", long_a);
      out = braid_string_transport_get_value (c.transport);
      feed_in_chunks (c.protocol, g_bytes_get_data (out, NULL), g_bytes_get_size (out), packet_size);
      assert_frames (&c, expected->str);
      connected_clear (&c);
    }
}

typedef struct
{
  const char *name;
  const char *parts[6];   /* fed in turn, NULL-terminated */
  const char *frames;     /* what is delivered */
} NetstringCase;

static const NetstringCase netstring_cases[] = {
  /* twisted.protocols.test.test_basic.NetstringReceiverTests.test_receiveEmptyNetstring */
  { "test_receiveEmptyNetstring", { "0:,", NULL }, "[]" },
  /* ...test_receiveOneCharacter */
  { "test_receiveOneCharacter", { "1:a,", NULL }, "[a]" },
  /* ...test_receiveTwoCharacters */
  { "test_receiveTwoCharacters", { "2:ab,", NULL }, "[ab]" },
  /* ...test_receiveNestedNetstring */
  { "test_receiveNestedNetstring", { "4:1:a,,", NULL }, "[1:a,]" },
  /* ...test_receiveNetstringPortions_1 */
  { "test_receiveNetstringPortions_1", { "4:aa", "aa,", NULL }, "[aaaa]" },
  /* ...test_receiveNetstringPortions_2 */
  { "test_receiveNetstringPortions_2", { "1", "0:01234", "56789", ",", NULL }, "[0123456789]" },
  /* ...test_receiveNetstringPortions_3 */
  { "test_receiveNetstringPortions_3", { "2", ":", "a", "b", ",", NULL }, "[ab]" },
  /* ...test_receiveTwoNetstrings */
  { "test_receiveTwoNetstrings", { "1:a,1", ":b,", NULL }, "[a][b]" },
};

static void
test_netstring_receive (gconstpointer data)
{
  const NetstringCase *nc = data;
  Connected c = connect_netstring ();

  for (guint i = 0; nc->parts[i] != NULL; i++)
    feed (&c, nc->parts[i], strlen (nc->parts[i]));
  assert_frames (&c, nc->frames);
  g_assert_false (is_closed (&c));
  connected_clear (&c);
}

typedef struct
{
  const char *name;
  const char *input;
} NetstringBad;

static const NetstringBad netstring_bad[] = {
  /* twisted.protocols.test.test_basic.NetstringReceiverTests.test_moreDataThanSpecified */
  { "test_moreDataThanSpecified", "2:aaa," },
  /* ...test_moreDataThanSpecifiedBorderCase */
  { "test_moreDataThanSpecifiedBorderCase", "0:a," },
  /* ...test_missingNumber */
  { "test_missingNumber", ":aaa," },
  /* ...test_missingColon */
  { "test_missingColon", "3aaa," },
  /* ...test_missingNumberAndColon */
  { "test_missingNumberAndColon", "aaa," },
  /* ...test_onlyData */
  { "test_onlyData", "aaa" },
  /* ...test_illegal, its four illegalStrings */
  { "test_illegal/1", "9999999999999999999999" },
  { "test_illegal/2", "abc" },
  { "test_illegal/3", "4:abcde" },
  { "test_illegal/4", "51:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab," },
};

static void
test_netstring_refused (gconstpointer data)
{
  const NetstringBad *bad = data;
  Connected c = connect_netstring ();

  /* test_illegal's 51-byte string is refused for its MAX_LENGTH of 50. */
  braid_netstring_receiver_set_max_length (BRAID_NETSTRING_RECEIVER (c.protocol), 50);
  feed_bad_bytewise (&c, bad->input, strlen (bad->input));
  connected_clear (&c);
}

/* twisted.protocols.test.test_basic.NetstringReceiverTests.test_maxReceiveLimit */
static void
test_netstring_max_receive_limit (void)
{
  Connected c = connect_netstring ();
  gsize too_long = braid_netstring_receiver_get_max_length (BRAID_NETSTRING_RECEIVER (c.protocol)) + 1;
  g_autofree char *payload = g_strnfill (too_long, 'a');
  g_autofree char *data = g_strdup_printf ("%" G_GSIZE_FORMAT ":%s", too_long, payload);

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*");
  feed (&c, data, strlen (data));
  g_test_assert_expected_messages ();
  g_assert_true (is_closed (&c));
  connected_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(klass, name, func) \
  braid_test_add_func ("/twisted-parity/basic/" klass "/" name, func)

  ADD ("LineReceiverTests", "test_maximumLineLength", test_line_maximum_line_length);
  ADD ("LineReceiverTests", "test_clearLineBuffer", test_line_clear_line_buffer);
  ADD ("LineReceiverTests", "test_stopProducing", test_line_stop_producing);
  ADD ("LineReceiverTests", "test_lineReceiverAsProducer", test_line_receiver_as_producer);
  ADD ("LineReceiverLineLengthExceededTests", "test_longUnendedLine", test_line_long_unended_line);
  ADD ("LineReceiverLineLengthExceededTests", "test_longLineAfterShortLine",
       test_line_long_line_after_short_line);
  ADD ("LineReceiverLineLengthExceededTests", "test_longLineWithDelimiter",
       test_line_long_line_with_delimiter);
  ADD ("LineReceiverLineLengthExceededTests", "test_multipleLongLines", test_line_multiple_long_lines);
  ADD ("LineReceiverLineLengthExceededTests", "test_maximumLineLength",
       test_line_exceeded_maximum_line_length);
  ADD ("LineReceiverLineLengthExceededTests", "test_maximumLineLengthRemaining",
       test_line_maximum_line_length_remaining);
  ADD ("LineOnlyReceiverTests", "test_buffer", test_line_only_buffer);

  for (guint i = 0; i < G_N_ELEMENTS (prefix_sizes); i++)
    {
      guint bits = prefix_sizes[i];
      gconstpointer data = GUINT_TO_POINTER (bits);
      const struct { const char *name; GTestDataFunc func; } int_n_tests[] = {
        { "test_receive", test_int_n_receive },
        { "test_partial", test_int_n_partial },
        { "test_send", test_int_n_send },
        { "test_lengthLimitExceeded", test_int_n_length_limit_exceeded },
        { "test_longStringNotDelivered", test_int_n_long_string_not_delivered },
        { "test_illegal", test_int_n_illegal },
        { "test_data", test_int_n_data },
        { "test_tooLongSend", test_int_n_too_long_send },
      };

      for (guint t = 0; t < G_N_ELEMENTS (int_n_tests); t++)
        {
          g_autofree char *path = NULL;

          /* Twisted has no test_tooLongSend for Int32 (2^32 bytes). */
          if (bits == 32 && g_str_equal (int_n_tests[t].name, "test_tooLongSend"))
            continue;
          path = g_strdup_printf ("/twisted-parity/basic/Int%uTests/%s", bits, int_n_tests[t].name);
          g_test_add_data_func (path, data, int_n_tests[t].func);
        }
    }

  ADD ("NetstringReceiverTests", "test_buffer", test_netstring_buffer);
  for (guint i = 0; i < G_N_ELEMENTS (netstring_cases); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/twisted-parity/basic/NetstringReceiverTests/%s", netstring_cases[i].name);

      g_test_add_data_func (path, &netstring_cases[i], test_netstring_receive);
    }
  for (guint i = 0; i < G_N_ELEMENTS (netstring_bad); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/twisted-parity/basic/NetstringReceiverTests/%s", netstring_bad[i].name);

      g_test_add_data_func (path, &netstring_bad[i], test_netstring_refused);
    }
  ADD ("NetstringReceiverTests", "test_maxReceiveLimit", test_netstring_max_receive_limit);

  return g_test_run ();
}
