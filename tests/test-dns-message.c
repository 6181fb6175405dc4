/* test-dns-message.c: the DNS message parser and writer -- the header,
 * questions, A/AAAA/CNAME records, name compression, escapes, and every
 * malformed packet refused with a clear error. */
#include <string.h>

#include <braid-fakes.h>

/* A query dig sends for facebook.com A, with an EDNS OPT record. */
static const guint8 dig_query[] = {
  0x12, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x08, 'f', 'a', 'c', 'e', 'b', 'o', 'o', 'k', 0x03, 'c', 'o', 'm', 0x00,
  0x00, 0x01, 0x00, 0x01,
  0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static BraidDnsMessage *
parse_ok (const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  BraidDnsMessage *message = braid_dns_message_parse (data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static void
expect_malformed (const guint8 *data, gsize len, const char *pattern)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDnsMessage) message = braid_dns_message_parse (data, len, &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (!g_pattern_match_simple (pattern, error->message))
    g_error ("\"%s\" does not match \"%s\"", error->message, pattern);
}

static void
test_parse_query (void)
{
  g_autoptr (BraidDnsMessage) query = parse_ok (dig_query, sizeof dig_query);
  BraidDnsQuestion *question;
  BraidDnsRecord *opt;

  g_test_summary ("A query as dig sends it: header bits, one question, the OPT record kept raw");
  g_assert_cmpuint (query->id, ==, 0x1234);
  g_assert_false (query->response);
  g_assert_cmpuint (query->opcode, ==, 0);
  g_assert_true (query->recursion_desired);
  g_assert_false (query->authoritative);
  g_assert_cmpuint (query->z, ==, 2);   /* the AD bit */
  g_assert_cmpuint (query->questions->len, ==, 1);
  question = g_ptr_array_index (query->questions, 0);
  g_assert_cmpstr (question->name, ==, "facebook.com");
  g_assert_cmpuint (question->type, ==, BRAID_DNS_TYPE_A);
  g_assert_cmpuint (question->klass, ==, BRAID_DNS_CLASS_IN);
  g_assert_cmpuint (query->additional->len, ==, 1);
  opt = g_ptr_array_index (query->additional, 0);
  g_assert_cmpuint (opt->type, ==, BRAID_DNS_TYPE_OPT);
  g_assert_cmpuint (opt->klass, ==, 1232);
  g_assert_cmpstr (opt->name, ==, "");
  g_assert_cmpuint (g_bytes_get_size (opt->rdata), ==, 0);
}

static void
test_reply_with_compression (void)
{
  g_autoptr (BraidDnsMessage) query = parse_ok (dig_query, sizeof dig_query);
  g_autoptr (BraidDnsMessage) reply = braid_dns_message_new_reply (query);
  g_autoptr (BraidDnsMessage) back = NULL;
  g_autoptr (GInetAddress) v4 = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr (GInetAddress) v6 = g_inet_address_new_from_string ("::1");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;
  gsize len;
  static const guint8 expected_answer[] = {
    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 127, 0, 0, 1,
  };
  BraidDnsRecord *record;

  g_test_summary ("A reply copies the query's id, RD and question; the answer's name is a "
                  "pointer to the question's, a CNAME target shares its suffix; it reads back");
  reply->authoritative = TRUE;
  braid_dns_message_add_answer (reply, braid_dns_record_new_address ("FACEBOOK.com", 3600, v4));
  braid_dns_message_add_answer (reply, braid_dns_record_new_cname ("www.facebook.com", 60,
                                                                   "edge.facebook.com."));
  braid_dns_message_add_answer (reply, braid_dns_record_new_address ("facebook.com", 1, v6));
  bytes = braid_dns_message_encode (reply, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (data[0], ==, 0x12);
  g_assert_cmpuint (data[1], ==, 0x34);
  g_assert_cmpuint (data[2], ==, 0x85);   /* QR, AA, RD */
  g_assert_cmpuint (data[3], ==, 0x00);
  g_assert_cmpuint (data[7], ==, 3);      /* ANCOUNT */
  /* header 12 + question 18, then the first answer */
  g_assert_cmpmem (data + 30, sizeof expected_answer, expected_answer, sizeof expected_answer);
  /* www + pointer to facebook.com: 1+3+2 bytes of name */
  g_assert_cmpuint (data[46], ==, 3);
  g_assert_cmpuint (data[50], ==, 0xc0);
  g_assert_cmpuint (data[51], ==, 0x0c);

  back = parse_ok (data, len);
  g_assert_true (back->response && back->authoritative && back->recursion_desired);
  g_assert_cmpuint (back->answers->len, ==, 3);
  record = g_ptr_array_index (back->answers, 0);
  g_assert_cmpstr (record->name, ==, "facebook.com");   /* the first spelling written */
  g_assert_cmpuint (record->ttl, ==, 3600);
  g_assert_true (g_inet_address_equal (record->address, v4));
  record = g_ptr_array_index (back->answers, 1);
  g_assert_cmpuint (record->type, ==, BRAID_DNS_TYPE_CNAME);
  g_assert_cmpstr (record->target, ==, "edge.facebook.com");
  record = g_ptr_array_index (back->answers, 2);
  g_assert_cmpuint (record->type, ==, BRAID_DNS_TYPE_AAAA);
  g_assert_true (g_inet_address_equal (record->address, v6));
}

static void
test_copy_and_raw_records (void)
{
  g_autoptr (BraidDnsMessage) message = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) copy = NULL;
  g_autoptr (BraidDnsMessage) back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  BraidDnsRecord *txt = g_new0 (BraidDnsRecord, 1);
  BraidDnsRecord *record;

  g_test_summary ("Records of other types keep their data verbatim; a copy is deep; the "
                  "root name is written as one zero byte");
  message->response = TRUE;
  message->rcode = BRAID_DNS_RCODE_NAME_ERROR;
  message->truncated = TRUE;
  message->recursion_available = TRUE;
  braid_dns_message_add_question (message, ".", BRAID_DNS_TYPE_TXT);
  txt->name = g_strdup ("example.org");
  txt->type = BRAID_DNS_TYPE_TXT;
  txt->klass = BRAID_DNS_CLASS_IN;
  txt->ttl = 0x01020304;
  txt->rdata = g_bytes_new_static ("\x05hello", 6);
  g_ptr_array_add (message->authority, txt);
  copy = braid_dns_message_copy (message);
  g_clear_pointer (&message, braid_dns_message_free);
  bytes = braid_dns_message_encode (copy, &error);
  g_assert_no_error (error);
  back = parse_ok (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_cmpuint (back->rcode, ==, BRAID_DNS_RCODE_NAME_ERROR);
  g_assert_true (back->truncated && back->recursion_available);
  g_assert_cmpstr (((BraidDnsQuestion *) g_ptr_array_index (back->questions, 0))->name, ==, "");
  record = g_ptr_array_index (back->authority, 0);
  g_assert_cmpuint (record->ttl, ==, 0x01020304);
  g_assert_cmpmem (g_bytes_get_data (record->rdata, NULL), 6, "\x05hello", 6);
}

static void
test_escapes_round_trip (void)
{
  static const guint8 packet[] = {
    0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
    5, 'a', '.', 'b', 0, '\\', 2, 'C', 'd', 0, 0, 1, 0, 1,
  };
  g_autoptr (BraidDnsMessage) message = parse_ok (packet, sizeof packet);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const BraidDnsQuestion *question = g_ptr_array_index (message->questions, 0);

  g_test_summary ("Dots, backslashes and unprintable bytes inside a label are escaped as in "
                  "zone files, and written back as they were");
  g_assert_cmpstr (question->name, ==, "a\\.b\\000\\\\.Cd");
  bytes = braid_dns_message_encode (message, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), packet, sizeof packet);
  g_assert_true (braid_dns_name_equal ("Example.COM.", "example.com"));
  g_assert_true (braid_dns_name_equal ("", "."));
  g_assert_false (braid_dns_name_equal ("example.com", "example.co"));
  g_assert_false (braid_dns_name_equal ("a\\.", "a"));
}

static void
test_encode_refuses_bad_names (void)
{
  const char *bad[] = { "a..b", "a\\", "x.\\256", ".a" };
  g_autofree char *long_label = g_strnfill (64, 'x');
  g_autofree char *long_name = NULL;

  g_test_summary ("A name that cannot be written fails with a message naming it");
  long_name = g_strjoin (".", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad) + 2; i++)
    {
      g_autoptr (BraidDnsMessage) message = braid_dns_message_new ();
      g_autoptr (GError) error = NULL;
      const char *which = i < G_N_ELEMENTS (bad) ? bad[i]
                          : i == G_N_ELEMENTS (bad) ? long_label : long_name;

      braid_dns_message_add_question (message, which, BRAID_DNS_TYPE_A);
      g_assert_null (braid_dns_message_encode (message, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "Cannot write the DNS name"));
    }
  /* 63-byte labels are fine; so is a name of exactly 255 bytes on the wire. */
  {
    g_autoptr (BraidDnsMessage) message = braid_dns_message_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *fits = g_strjoin (".", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
    g_autoptr (GBytes) bytes = NULL;

    braid_dns_message_add_question (message, fits, BRAID_DNS_TYPE_A);
    bytes = braid_dns_message_encode (message, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 12 + 255 + 4);
  }
}

static void
test_encode_refuses_what_does_not_fit (void)
{
  g_autoptr (BraidDnsMessage) bad_record = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) bad_target = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) big_rdata = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) many = braid_dns_message_new ();
  g_autoptr (GInetAddress) v4 = g_inet_address_new_from_string ("10.0.0.1");
  BraidDnsRecord *raw = g_new0 (BraidDnsRecord, 1);
  g_autoptr (GError) error = NULL;

  g_test_summary ("A record with a bad name or target, record data over 65535 bytes and a "
                  "section of more than 65535 entries are refused");
  braid_dns_message_add_answer (bad_record, braid_dns_record_new_address ("a..b", 1, v4));
  g_assert_null (braid_dns_message_encode (bad_record, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  braid_dns_message_add_answer (bad_target, braid_dns_record_new_cname ("a", 1, "x\\"));
  g_assert_null (braid_dns_message_encode (bad_target, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "ends with a backslash"));
  g_clear_error (&error);
  raw->name = g_strdup ("big.example");
  raw->type = BRAID_DNS_TYPE_TXT;
  raw->klass = BRAID_DNS_CLASS_IN;
  raw->rdata = g_bytes_new_take (g_malloc0 (70000), 70000);
  g_ptr_array_add (big_rdata->additional, raw);
  g_assert_null (braid_dns_message_encode (big_rdata, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "70000 bytes"));
  g_clear_error (&error);
  for (guint i = 0; i < 65536; i++)
    braid_dns_message_add_question (many, "", BRAID_DNS_TYPE_A);
  g_assert_null (braid_dns_message_encode (many, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "65535 entries"));
}

static void
test_malformed (void)
{
  static const guint8 header_only_counts[] = { 0, 1, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0 };
  static const guint8 long_label[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 'a', 0, 0, 1, 0, 1 };
  static const guint8 ext_label[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 'a', 0, 0, 1, 0, 1 };
  static const guint8 forward[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
  static const guint8 loop[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12, 0, 1, 0, 1 };
  static const guint8 past_end[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'a', 'b', 0, 0, 1, 0, 1 };
  static const guint8 half_pointer[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 1, 'b', 0xc0 };
  static const guint8 no_end[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 1, 'b', 1, 'c' };
  static const guint8 short_question[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 'a', 'b', 0, 0 };
  static const guint8 rdata_past_end[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 9, 1, 2, 3,
  };
  static const guint8 bad_a[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 1, 2, 3,
  };
  static const guint8 bad_aaaa[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 28, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4,
  };
  static const guint8 cname_trailing[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 4, 1, 'x', 0, 7,
  };
  static const guint8 record_short[] = { 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 0, 0 };
  /* Cut in each field: a question's class, then a record's type, class,
   * TTL (both halves); a CNAME whose target runs past its data; an
   * additional record cut short. */
  static const guint8 question_no_class[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0 };
  static const guint8 record_no_type[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    10, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0, 0,
  };
  static const guint8 record_no_class[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    10, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0, 0, 1, 0,
  };
  static const guint8 record_no_ttl[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    10, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0, 0, 1, 0, 1, 0,
  };
  static const guint8 record_half_ttl[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    10, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0, 0, 1, 0, 1, 0, 0, 0,
  };
  static const guint8 cname_past_data[] = {
    0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 2, 5, 'x', 'y', 'z', 0,
  };
  static const guint8 additional_short[] = {
    0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    10, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0, 0, 1,
  };
  g_autoptr (GByteArray) too_long = g_byte_array_new ();
  g_autoptr (GByteArray) chain = g_byte_array_new ();
  static const guint8 header[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };

  g_test_summary ("Every malformed packet fails with G_IO_ERROR_INVALID_DATA and says what");
  expect_malformed (dig_query, 11, "*shorter than the 12-byte header*");
  expect_malformed (NULL, 0, "*shorter than the 12-byte header*");
  expect_malformed (header_only_counts, sizeof header_only_counts, "*counts 200 questions*");
  expect_malformed (long_label, sizeof long_label, "*longer than 63*");
  expect_malformed (ext_label, sizeof ext_label, "*longer than 63*");
  expect_malformed (forward, sizeof forward, "*points forward*");
  expect_malformed (loop, sizeof loop, "*more than 64 compression pointers (a loop?)*");
  expect_malformed (past_end, sizeof past_end, "*label runs past the end*");
  expect_malformed (half_pointer, sizeof half_pointer, "*compression pointer runs past the end*");
  expect_malformed (no_end, sizeof no_end, "*name runs past the end*");
  expect_malformed (short_question, sizeof short_question, "*question runs past the end*");
  expect_malformed (rdata_past_end, sizeof rdata_past_end, "*data (9 bytes) runs past the end*");
  expect_malformed (bad_a, sizeof bad_a, "*A record of 3 bytes*");
  expect_malformed (bad_aaaa, sizeof bad_aaaa, "*AAAA record of 4 bytes*");
  expect_malformed (cname_trailing, sizeof cname_trailing, "*bytes after its name*");
  expect_malformed (record_short, sizeof record_short, "*record runs past the end*");
  expect_malformed (question_no_class, sizeof question_no_class, "*question runs past the end*");
  expect_malformed (record_no_type, sizeof record_no_type, "*record runs past the end*");
  expect_malformed (record_no_class, sizeof record_no_class, "*record runs past the end*");
  expect_malformed (record_no_ttl, sizeof record_no_ttl, "*record runs past the end*");
  expect_malformed (record_half_ttl, sizeof record_half_ttl, "*record runs past the end*");
  expect_malformed (cname_past_data, sizeof cname_past_data, "*label runs past the end*");
  expect_malformed (additional_short, sizeof additional_short, "*record runs past the end*");

  /* A name of five 63-byte labels: over 255. */
  g_byte_array_append (too_long, header, sizeof header);
  for (int i = 0; i < 5; i++)
    {
      guint8 len = 63;

      g_byte_array_append (too_long, &len, 1);
      for (int k = 0; k < 63; k++)
        g_byte_array_append (too_long, (const guint8 *) "z", 1);
    }
  g_byte_array_append (too_long, (const guint8 *) "\0\0\1\0\1", 5);
  expect_malformed (too_long->data, too_long->len, "*longer than 255*");

  /* 70 pointers, each to the one before, in a TXT record's data (kept
   * raw), and a second record whose name starts at the last one: more
   * pointers than a name may follow. */
  {
    static const guint8 answers_header[] = { 0, 1, 0x80, 0, 0, 0, 0, 2, 0, 0, 0, 0 };
    static const guint8 txt[] = { 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 140 };
    static const guint8 tail[] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };
    guint8 name[2] = { 0xc0, 23 + 2 * 69 };

    g_byte_array_append (chain, answers_header, sizeof answers_header);
    g_byte_array_append (chain, txt, sizeof txt);
    for (int i = 0; i < 70; i++)
      {
        guint8 pointer[2] = { 0xc0, (guint8) (i == 0 ? 12 : 23 + 2 * (i - 1)) };

        g_byte_array_append (chain, pointer, 2);
      }
    g_byte_array_append (chain, name, 2);
    g_byte_array_append (chain, tail, sizeof tail);
    expect_malformed (chain->data, chain->len, "*more than 64 compression pointers*");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns-message/parse-query", test_parse_query);
  g_test_add_func ("/dns-message/reply-with-compression", test_reply_with_compression);
  g_test_add_func ("/dns-message/copy-and-raw-records", test_copy_and_raw_records);
  g_test_add_func ("/dns-message/escapes-round-trip", test_escapes_round_trip);
  g_test_add_func ("/dns-message/encode-refuses-bad-names", test_encode_refuses_bad_names);
  g_test_add_func ("/dns-message/encode-refuses-what-does-not-fit", test_encode_refuses_what_does_not_fit);
  g_test_add_func ("/dns-message/malformed", test_malformed);
  return g_test_run ();
}
