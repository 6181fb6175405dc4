/* fuzz-http-request.c: libFuzzer target for the HTTP request parser, through
 * BraidHttpChannel on a string transport, and for the same parser reading
 * responses (what the client uses).
 *
 * The first byte picks a chunk size and whether the site's limits are small;
 * the rest is what a client sends. The input is fed whole and in chunks, and
 * the invariants checked are:
 *
 * - the split does not matter: the same responses (Date lines aside) and the
 *   same close;
 * - every response starts with a status line, and the connection is closing
 *   after any 4xx/5xx the parser produced;
 * - the response parser consumes nothing after an error and ends or not
 *   alike whole and chunked. */
#include "fuzz-common.h"
#include "web/braid-http-parser-private.h"

static GBytes *
render_echo (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  return g_bytes_ref (braid_request_get_content (request));
}

static GBytes *
render_hello (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  return g_bytes_new_static ("hello", 5);
}

typedef struct
{
  BraidFakeClock *clock;
  BraidSite *site;
  BraidProtocol *channel;
  BraidStringTransport *transport;
} Run;

static Run
run (const guint8 *data, gsize len, gsize chunk, gboolean small)
{
  Run r;
  g_autoptr (BraidResource) root = braid_resource_new ();
  g_autoptr (BraidResource) echo = braid_resource_new ();

  braid_resource_set_render_func (root, "GET", render_hello, NULL, NULL);
  braid_resource_set_render_func (echo, "POST", render_echo, NULL, NULL);
  braid_resource_put_child (root, "", root);
  braid_resource_put_child (root, "echo", echo);
  r.clock = braid_fake_clock_new ();
  r.site = braid_site_new (root);
  braid_factory_set_clock (BRAID_FACTORY (r.site), BRAID_CLOCK (r.clock));
  if (small)
    {
      braid_site_set_max_request_line (r.site, 32);
      braid_site_set_max_head (r.site, 96);
      braid_site_set_max_body (r.site, 16);
    }
  r.channel = braid_factory_build_protocol (BRAID_FACTORY (r.site), NULL);
  r.transport = braid_string_transport_new ();
  braid_protocol_make_connection (r.channel, BRAID_TRANSPORT (r.transport));
  fuzz_feed (r.channel, data, len, chunk);
  return r;
}

static char *
output_without_dates (Run *r)
{
  gsize len;
  const char *out = braid_string_transport_peek (r->transport, &len);
  GString *clean = g_string_sized_new (len);
  const char *p = out, *end = out + len;

  while (p < end)
    {
      const char *date = g_strstr_len (p, end - p, "\r\nDate: ");
      const char *line_end;

      if (date == NULL)
        {
          g_string_append_len (clean, p, end - p);
          break;
        }
      g_string_append_len (clean, p, date - p);
      line_end = g_strstr_len (date + 2, end - date - 2, "\r\n");
      p = line_end != NULL ? line_end : end;
    }
  return g_string_free (clean, FALSE);
}

static void
run_clear (Run *r)
{
  g_autoptr (GError) reason = braid_test_new_close_reason (TRUE);

  braid_protocol_connection_lost (r->channel, reason);
  g_object_unref (r->channel);
  g_object_unref (r->transport);
  g_object_unref (r->site);
  g_object_unref (r->clock);
}

typedef struct
{
  guint heads;
  guint ends;
  guint errors;
  guint64 body;
} Counts;

static gboolean
count_head (BraidHttpParser *parser, gpointer user_data)
{
  ((Counts *) user_data)->heads++;
  FUZZ_CHECK (parser->status >= 100 && parser->status <= 999);
  return TRUE;
}

static void
count_body (BraidHttpParser *parser, const guint8 *data, gsize len, gpointer user_data)
{
  ((Counts *) user_data)->body += len;
}

static gboolean
count_end (BraidHttpParser *parser, gpointer user_data)
{
  ((Counts *) user_data)->ends++;
  return TRUE;
}

static void
count_error (BraidHttpParser *parser, guint status, const char *reason, gpointer user_data)
{
  ((Counts *) user_data)->errors++;
  FUZZ_CHECK (status >= 400 && status <= 599);
}

static const BraidHttpParserCallbacks counting = { count_head, count_body, count_end, count_error };

static Counts
parse_responses (const guint8 *data, gsize len, gsize chunk)
{
  BraidHttpParser parser;
  Counts counts = { 0 };
  gsize pos = 0;

  braid_http_parser_init (&parser, BRAID_HTTP_PARSE_RESPONSE, &counting, &counts);
  parser.max_head = 256;
  if (chunk == 0)
    chunk = MAX (len, 1);
  while (pos < len)
    {
      gsize n = MIN (chunk, len - pos);
      gsize used = braid_http_parser_feed (&parser, data + pos, n);

      FUZZ_CHECK (used <= n);
      if (used < n)
        {
          FUZZ_CHECK (parser.state == BRAID_HTTP_STATE_ERROR);
          break;
        }
      pos += n;
    }
  braid_http_parser_eof (&parser);
  braid_http_parser_clear (&parser);
  return counts;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  gsize chunk;
  gboolean small;

  if (size < 2)
    return 0;
  fuzz_quiet_logs ();
  chunk = (data[0] & 0x07) + 1;
  small = (data[0] & 0x08) != 0;
  data++;
  size--;

  {
    Run whole = run (data, size, 0, small);
    Run chunked = run (data, size, chunk, small);
    g_autofree char *a = output_without_dates (&whole);
    g_autofree char *b = output_without_dates (&chunked);

    FUZZ_CHECK (strcmp (a, b) == 0);
    FUZZ_CHECK (braid_string_transport_get_disconnecting (whole.transport)
                == braid_string_transport_get_disconnecting (chunked.transport));
    FUZZ_CHECK (a[0] == '\0' || g_str_has_prefix (a, "HTTP/1."));
    if (strstr (a, "\r\nConnection: close\r\n") != NULL && strstr (a, "HTTP/1.1 4") == a)
      FUZZ_CHECK (braid_string_transport_get_disconnecting (whole.transport));
    run_clear (&whole);
    run_clear (&chunked);
  }

  {
    Counts whole = parse_responses (data, size, 0);
    Counts chunked = parse_responses (data, size, chunk);

    FUZZ_CHECK (whole.heads == chunked.heads);
    FUZZ_CHECK (whole.ends == chunked.ends);
    FUZZ_CHECK (whole.errors == chunked.errors);
    FUZZ_CHECK (whole.body == chunked.body);
    FUZZ_CHECK (whole.errors <= 1);
  }
  return 0;
}
