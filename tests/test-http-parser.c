/* test-http-parser.c: the HTTP/1.x parser the server and the client share
 * (private to libbraid; its contract is in web/braid-http-parser-private.h). */
#include <string.h>

#include <braid-fakes.h>

#include "web/braid-http-parser-private.h"

typedef struct
{
  guint heads, ends, errors, status;
  GString *body;
} Seen;

static gboolean
seen_head (BraidHttpParser *parser, gpointer data)
{
  ((Seen *) data)->heads++;
  return TRUE;
}

static void
seen_body (BraidHttpParser *parser, const guint8 *bytes, gsize len, gpointer data)
{
  g_string_append_len (((Seen *) data)->body, (const char *) bytes, (gssize) len);
}

static gboolean
seen_end (BraidHttpParser *parser, gpointer data)
{
  ((Seen *) data)->ends++;
  return TRUE;
}

static void
seen_error (BraidHttpParser *parser, guint status, const char *reason, gpointer data)
{
  ((Seen *) data)->errors++;
  ((Seen *) data)->status = status;
}

static const BraidHttpParserCallbacks callbacks = { seen_head, seen_body, seen_end, seen_error };

/* Feeds @text a byte at a time; returns what was seen. */
static Seen
feed_bytes (BraidHttpParseMode mode, const char *text, gsize max_head, gboolean eof)
{
  BraidHttpParser parser;
  Seen seen = { 0, 0, 0, 0, g_string_new (NULL) };
  gsize len = strlen (text);

  braid_http_parser_init (&parser, mode, &callbacks, &seen);
  parser.max_head = max_head;
  parser.max_request_line = 32;
  for (gsize i = 0; i < len; i++)
    if (braid_http_parser_feed (&parser, (const guint8 *) text + i, 1) == 0)
      break;
  if (eof)
    braid_http_parser_eof (&parser);
  braid_http_parser_clear (&parser);
  return seen;
}

static void
test_split_at_every_byte (void)
{
  const struct { BraidHttpParseMode mode; const char *text; guint heads, ends, status; const char *body; gsize max_head; gboolean eof; } cases[] = {
    { BRAID_HTTP_PARSE_REQUEST, "\r\n\r\nGET / HTTP/1.1\r\nA: b\r\n\r\n", 1, 1, 0, "", 256, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "GET / HTTP/1.1\nA: b\n\n", 1, 1, 0, "", 256, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "GET / HTTP/1.1\r\nA: b\r\n\r", 0, 0, 0, "", 256, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "GET /0123456789012345678901234567890 HTTP/1.1\r\n", 0, 0, 414, "", 256, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "GET / HTTP/1.1\r\nA: 0123456789\r\nB: 0123456789\r\n\r\n", 0, 0, 431, "", 40, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: 1\r\n\r\n", 1, 1, 0, "ab", 256, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 1, 0, 400, "ab", 256, FALSE },
    { BRAID_HTTP_PARSE_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 0123456789012345678901234567890123456789\r\nU: 0123456789012345678901234567890123456789\r\n", 1, 0, 431, "", 60, FALSE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 1, 1, 0, "abc", 256, FALSE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/1.0 200 OK\r\n\r\nuntil close", 1, 1, 0, "until close", 256, TRUE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 1, 0, 0, "abc", 256, TRUE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/1.1 2x0 OK\r\n\r\n", 0, 0, 400, "", 256, FALSE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/1.1 200OK\r\n\r\n", 0, 0, 400, "", 256, FALSE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/2.0 200 OK\r\n\r\n", 0, 0, 400, "", 256, FALSE },
    { BRAID_HTTP_PARSE_RESPONSE, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\n\r\n", 2, 2, 0, "", 256, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Seen seen = feed_bytes (cases[i].mode, cases[i].text, cases[i].max_head, cases[i].eof);

      g_test_message ("case %u", i);
      g_assert_cmpuint (seen.heads, ==, cases[i].heads);
      g_assert_cmpuint (seen.ends, ==, cases[i].ends);
      g_assert_cmpuint (seen.status, ==, cases[i].status);
      g_assert_cmpstr (seen.body->str, ==, cases[i].body);
      g_string_free (seen.body, TRUE);
    }
}

static void
test_helpers (void)
{
  BraidHttpParser parser;
  Seen seen = { 0, 0, 0, 0, g_string_new (NULL) };
  const char head[] = "GET / HTTP/1.1\r\nConnection: Upgrade , close\r\nX-A: 1\r\n\r\n";

  g_assert_cmpstr (braid_http_reason_phrase (404), ==, "Not Found");
  for (guint code = 100; code < 600; code++)
    g_assert_nonnull (braid_http_reason_phrase (code));
  g_assert_cmpstr (braid_http_reason_phrase (299), ==, "Unknown");
  g_assert_true (braid_http_header_has_token ("a,\tclose ", "close"));
  g_assert_false (braid_http_header_has_token ("closed, x", "close"));
  g_assert_false (braid_http_header_has_token ("", "close"));
  g_assert_false (braid_http_is_token ("", 0));
  g_assert_false (braid_http_is_token ("a b", 3));

  braid_http_parser_init (&parser, BRAID_HTTP_PARSE_REQUEST, &callbacks, &seen);
  g_assert_false (braid_http_parser_in_message (&parser));
  braid_http_parser_feed (&parser, (const guint8 *) "GET", 3);
  g_assert_true (braid_http_parser_in_message (&parser));
  braid_http_parser_feed (&parser, (const guint8 *) head + 3, sizeof head - 4);
  g_assert_false (parser.keep_alive);
  g_assert_cmpstr (braid_http_parser_header (&parser, "x-a"), ==, "1");
  g_assert_null (braid_http_parser_header (&parser, "x-b"));
  g_assert_false (braid_http_parser_eof (&parser));
  braid_http_parser_feed (&parser, (const guint8 *) "BAD\r\n\r\n", 7);
  g_assert_false (braid_http_parser_in_message (&parser));
  g_assert_cmpuint (braid_http_parser_feed (&parser, (const guint8 *) "x", 1), ==, 0);
  braid_http_parser_clear (&parser);
  g_string_free (seen.body, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The HTTP/1.x parser: heads, bodies and limits split at every byte");

  braid_test_add_func ("/http-parser/split-at-every-byte", test_split_at_every_byte);
  braid_test_add_func ("/http-parser/helpers", test_helpers);

  return g_test_run ();
}
