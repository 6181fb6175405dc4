/* test-http-server.c: BraidSite and BraidHttpChannel on the string
 * transport, the fake clock and the loopback. */
#include <string.h>

#include <gio/gunixsocketaddress.h>

#include <braid-fakes.h>

typedef struct
{
  BraidFakeClock *clock;
  BraidResource *root;
  BraidSite *site;
  BraidProtocol *channel;
  BraidStringTransport *transport;
  BraidRequest *held;          /* the last request to /async */
  char *out;                   /* the last server_output() */
} Server;

static GBytes *
render_hello (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  braid_request_set_header (request, "Content-Type", "text/plain");
  return g_bytes_new_static ("hello\n", 6);
}

static GBytes *
render_echo (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  return g_bytes_ref (braid_request_get_content (request));
}

static GBytes *
render_async (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  Server *s = user_data;

  g_set_object (&s->held, request);
  return BRAID_NOT_DONE_YET;
}

static void
server_init (Server *s)
{
  g_autoptr (BraidResource) hello = braid_resource_new ();
  g_autoptr (BraidResource) async = braid_resource_new ();

  memset (s, 0, sizeof *s);
  s->clock = braid_fake_clock_new ();
  s->root = braid_resource_new ();
  braid_resource_set_render_func (hello, "GET", render_hello, NULL, NULL);
  braid_resource_set_render_func (hello, "POST", render_echo, NULL, NULL);
  braid_resource_set_render_func (async, "GET", render_async, s, NULL);
  braid_resource_put_child (s->root, "hello", hello);
  braid_resource_put_child (s->root, "", hello);
  braid_resource_put_child (s->root, "async", async);
  s->site = braid_site_new (s->root);
  braid_factory_set_clock (BRAID_FACTORY (s->site), BRAID_CLOCK (s->clock));
}

static void
server_connect (Server *s)
{
  s->channel = braid_factory_build_protocol (BRAID_FACTORY (s->site), NULL);
  s->transport = braid_string_transport_new ();
  braid_protocol_make_connection (s->channel, BRAID_TRANSPORT (s->transport));
}

/* server_init and server_connect, for a site with the default limits. */
static void
server_start (Server *s)
{
  server_init (s);
  server_connect (s);
}

static void
server_clear (Server *s)
{
  if (s->channel != NULL && braid_protocol_is_connected (s->channel))
    braid_test_lose_connection (s->channel, TRUE);
  g_clear_object (&s->held);
  g_clear_pointer (&s->out, g_free);
  g_clear_object (&s->channel);
  g_clear_object (&s->transport);
  g_clear_object (&s->site);
  g_clear_object (&s->root);
  g_clear_object (&s->clock);
}

static char *
output (Server *s)
{
  gsize len;
  const char *data = braid_string_transport_peek (s->transport, &len);

  return g_strndup (data, len);
}

/* All the server wrote so far, as a string; valid until the next call or
 * server_clear. */
static const char *
server_output (Server *s)
{
  g_free (s->out);
  s->out = output (s);
  return s->out;
}

static gsize
out_len (Server *s)
{
  gsize len;

  braid_string_transport_peek (s->transport, &len);
  return len;
}

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_get (void)
{
  Server s;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (out, "\r\nContent-Length: 6\r\n"));
  g_assert_nonnull (strstr (out, "\r\nContent-Type: text/plain\r\n"));
  g_assert_nonnull (strstr (out, "\r\nServer: Braid/"));
  g_assert_nonnull (strstr (out, "\r\nDate: "));
  g_assert_null (strstr (out, "Connection:"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\nhello\n"));
  g_assert_false (braid_string_transport_get_disconnecting (s.transport));
  g_assert_cmpuint (braid_site_get_request_count (s.site), ==, 1);
  server_clear (&s);
}

static void
test_keep_alive_and_pipelining (void)
{
  Server s;
  const char *out;
  const char *second;

  server_start (&s);
  /* Two requests in one read, the second a POST: answered in order. */
  braid_test_receive (s.channel,
                      "GET /hello HTTP/1.1\r\n\r\n"
                      "POST /hello HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                      "GET / HTTP/1.1\r\n\r\n");
  out = server_output (&s);
  g_assert_cmpuint (count (out, "HTTP/1.1 200 OK"), ==, 3);
  second = strstr (out + 1, "HTTP/1.1 200 OK");
  g_assert_true (g_str_has_prefix (strstr (out, "\r\n\r\n"), "\r\n\r\nhello\nHTTP/1.1"));
  g_assert_nonnull (strstr (second, "Content-Length: 3\r\n"));
  g_assert_nonnull (strstr (second, "\r\n\r\nabcHTTP/1.1 200"));
  g_assert_false (braid_string_transport_get_disconnecting (s.transport));
  server_clear (&s);
}

static void
test_connection_close_and_http10 (void)
{
  const struct { const char *request; const char *connection; gboolean closes; } cases[] = {
    { "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "Connection: close", TRUE },
    { "GET / HTTP/1.0\r\n\r\n", "Connection: close", TRUE },
    { "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "Connection: keep-alive", FALSE },
    { "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n", NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Server s;
      const char *out;

      server_start (&s);
      braid_test_receive (s.channel, cases[i].request);
      out = server_output (&s);
      if (cases[i].connection != NULL)
        g_assert_nonnull (strstr (out, cases[i].connection));
      else
        g_assert_null (strstr (out, "Connection:"));
      g_assert_cmpint (braid_string_transport_get_disconnecting (s.transport), ==, cases[i].closes);
      if (g_str_has_suffix (cases[i].request, "HTTP/1.0\r\n\r\n"))
        g_assert_true (g_str_has_prefix (out, "HTTP/1.0 200 OK"));
      server_clear (&s);
    }
}

static void
test_head (void)
{
  Server s;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "HEAD /hello HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
  out = server_output (&s);
  /* HEAD: the length of GET's body, and no body. */
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (out, "Content-Length: 6\r\n"));
  g_assert_true (g_str_has_prefix (strstr (out, "\r\n\r\n"), "\r\n\r\nHTTP/1.1 200 OK"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\nhello\n"));
  server_clear (&s);
}

static void
test_not_found_and_not_allowed (void)
{
  Server s;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "GET /nope HTTP/1.1\r\n\r\n");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 404 Not Found\r\n"));
  g_assert_nonnull (strstr (out, "No Such Resource"));
  braid_string_transport_clear (s.transport);
  braid_test_receive (s.channel, "DELETE /hello HTTP/1.1\r\n\r\n");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 405 Method Not Allowed\r\n"));
  g_assert_nonnull (strstr (out, "\r\nAllow: GET, POST, HEAD\r\n"));
  g_assert_false (braid_string_transport_get_disconnecting (s.transport));
  server_clear (&s);
}

static void
test_chunked_request_and_continue (void)
{
  Server s;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n");
  out = server_output (&s);
  g_assert_nonnull (strstr (out, "Content-Length: 19\r\n"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\nabc0123456789abcdef"));
  braid_string_transport_clear (s.transport);

  /* 100-continue: the interim response comes before the body is sent. */
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\nExpect: 100-continue\r\n"
                                 "Content-Length: 2\r\n\r\n");
  out = server_output (&s);
  g_assert_cmpstr (out, ==, "HTTP/1.1 100 Continue\r\n\r\n");
  braid_test_receive (s.channel, "ok");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\nok"));
  server_clear (&s);
}

static void
test_async_chunked_response_and_ordering (void)
{
  Server s;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
  g_assert_nonnull (s.held);
  /* Nothing answered yet; the next request waits and reading stops. */
  g_assert_cmpuint (out_len (&s), ==, 0);
  g_assert_cmpint (braid_string_transport_get_producer_state (s.transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  braid_test_receive (s.channel, "GET /hello HTTP/1.1\r\n\r\n");

  braid_request_write_string (s.held, "a");
  braid_request_write_string (s.held, "bc");
  out = server_output (&s);
  g_assert_nonnull (strstr (out, "Transfer-Encoding: chunked\r\n"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\n1\r\na\r\n2\r\nbc\r\n"));
  braid_request_finish (s.held);
  out = server_output (&s);
  g_assert_nonnull (strstr (out, "2\r\nbc\r\n0\r\n\r\nHTTP/1.1 200 OK"));
  g_assert_cmpuint (count (out, "hello\n"), ==, 2);
  g_assert_cmpint (braid_string_transport_get_producer_state (s.transport), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  server_clear (&s);
}

static void
test_async_http10_closes_to_end_the_body (void)
{
  Server s;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  braid_request_write_string (s.held, "abc");
  braid_request_finish (s.held);
  out = server_output (&s);
  g_assert_null (strstr (out, "chunked"));
  g_assert_nonnull (strstr (out, "Connection: close\r\n"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\nabc"));
  g_assert_true (braid_string_transport_get_disconnecting (s.transport));
  server_clear (&s);
}

static void
on_finish_failed (BraidResult *result, gpointer user_data)
{
  GError **error = user_data;

  g_assert_true (braid_result_is_error (result));
  *error = braid_result_steal_error (result);
}

static void
test_notify_finish_fails_on_disconnect (void)
{
  Server s;
  g_autoptr (BraidDeferred) d = NULL;
  g_autoptr (GError) error = NULL;

  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\n");
  d = braid_request_notify_finish (s.held);
  braid_deferred_add_errback (d, on_finish_failed, &error, NULL);
  braid_test_lose_connection (s.channel, FALSE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_true (braid_request_is_lost (s.held));
  /* Writing for a client that left does nothing. */
  braid_request_write_string (s.held, "late");
  braid_request_finish (s.held);
  g_assert_cmpuint (out_len (&s), ==, 0);
  server_clear (&s);
}

typedef struct
{
  const char *name;
  const char *request;
  const char *status_line;
} BadCase;

static void
test_limits_and_bad_requests (void)
{
  g_autofree char *a_lot = g_strnfill (9000, 'a');
  g_autofree char *long_line = g_strdup_printf ("GET /%s HTTP/1.1\r\n\r\n", a_lot);
  g_autofree char *long_head = NULL;
  GString *head = g_string_new ("GET / HTTP/1.1\r\n");
  const BadCase cases[] = {
    { "414", long_line, "HTTP/1.1 414 URI Too Long\r\n" },
    { "431", NULL, "HTTP/1.1 431 Request Header Fields Too Large\r\n" },
    { "413", "POST /hello HTTP/1.1\r\nContent-Length: 11\r\n\r\n", "HTTP/1.1 413 Content Too Large\r\n" },
    { "413 chunked", "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n4\r\n", "HTTP/1.1 413 " },
    { "garbage", "\x01\x02 nonsense\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n" },
    { "no version", "GET /\r\n\r\n", "HTTP/1.1 400 " },
    { "bad header", "GET / HTTP/1.1\r\nno colon\r\n\r\n", "HTTP/1.1 400 " },
    { "space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "HTTP/1.1 400 " },
    { "folding", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "HTTP/1.1 400 " },
    { "bad length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 400 " },
    { "two lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 400 " },
    { "length and chunked", "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 " },
    { "bad chunk", "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 400 " },
    { "chunk without CRLF", "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "HTTP/1.1 400 " },
    { "gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n" },
    { "HTTP/2", "GET / HTTP/2.0\r\n\r\n", "HTTP/1.1 505 " },
    { "bare CR", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", "HTTP/1.1 400 " },
    { "NUL", "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n\x00", NULL },
    { "two TE", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 " },
    { "empty target", "GET  HTTP/1.1\r\n\r\n", "HTTP/1.1 400 " },
    { "control in target", "GET /\x7f HTTP/1.1\r\n\r\n", "HTTP/1.1 400 " },
    { "bad version", "GET / HTTQ/1.1\r\n\r\n", "HTTP/1.1 400 " },
    { "chunk size too big", "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n", "HTTP/1.1 400 " },
    { "chunk extension junk", "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\n", "HTTP/1.1 400 " },
    { "chunk line too long", NULL, "HTTP/1.1 400 " },
    { "length too big", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", "HTTP/1.1 400 " },
  };

  while (head->len < 70 * 1024)
    g_string_append (head, "X-Filler: 0123456789012345678901234567890123456789\r\n");
  g_string_append (head, "\r\n");
  long_head = g_string_free (head, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Server s;
      const char *out;

      server_init (&s);
      braid_site_set_max_body (s.site, 10);
      server_connect (&s);
      g_test_message ("case %s", cases[i].name);
      if (strcmp (cases[i].name, "NUL") == 0)
        {
          /* A NUL inside the head: sent with its length. */
          static const char with_nul[] = "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n";

          braid_protocol_data_received (s.channel, (const guint8 *) with_nul, sizeof with_nul - 1);
        }
      else if (strcmp (cases[i].name, "chunk line too long") == 0)
        {
          g_autofree char *zeros = g_strnfill (2000, '0');
          g_autofree char *req = g_strdup_printf ("POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s", zeros);

          braid_test_receive (s.channel, req);
        }
      else
        braid_test_receive (s.channel, cases[i].request != NULL ? cases[i].request : long_head);
      out = server_output (&s);
      g_assert_true (g_str_has_prefix (out, cases[i].status_line != NULL ? cases[i].status_line
                                                                        : "HTTP/1.1 400 "));
      g_assert_nonnull (strstr (out, "Connection: close\r\n"));
      g_assert_true (braid_string_transport_get_disconnecting (s.transport));
      /* Nothing more is read after the error. */
      braid_test_receive (s.channel, "GET / HTTP/1.1\r\n\r\n");
      out = server_output (&s);
      g_assert_cmpuint (count (out, "HTTP/1.1"), ==, 1);
      server_clear (&s);
    }
}

static void
test_limits_split_across_reads (void)
{
  Server s;
  const char *out;

  /* A long request line arriving a byte at a time is refused as soon as it
   * is over the limit, not when it ends. */
  server_init (&s);
  braid_site_set_max_request_line (s.site, 20);
  braid_site_set_max_head (s.site, 64);
  server_connect (&s);
  braid_test_receive (s.channel, "GET /01234567");
  braid_test_receive (s.channel, "8901234\r");
  g_assert_cmpuint (out_len (&s), ==, 0);
  braid_test_receive (s.channel, "5");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 414 "));
  server_clear (&s);

  /* The head limit, split. */
  server_init (&s);
  braid_site_set_max_head (s.site, 64);
  server_connect (&s);
  braid_test_receive (s.channel, "GET / HTTP/1.1\r\n");
  for (guint i = 0; i < 5; i++)
    braid_test_receive (s.channel, "X-A: 0123456789\r\n");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 431 "));
  server_clear (&s);

  /* Exactly at the limits is fine: "GET /12345 HTTP/1.1" is 19 bytes,
   * the head 23. */
  server_init (&s);
  braid_site_set_max_request_line (s.site, 19);
  braid_site_set_max_head (s.site, 23);
  server_connect (&s);
  braid_test_receive (s.channel, "GET /12345 HTTP/1.1\r");
  braid_test_receive (s.channel, "\n\r\n");
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 404 "));
  server_clear (&s);
}

static void
test_slowloris_gets_408 (void)
{
  Server s;
  const char *out;

  server_init (&s);
  braid_site_set_request_timeout (s.site, 10);
  server_connect (&s);
  braid_test_receive (s.channel, "GET / HTTP/1.1\r\n");
  braid_fake_clock_advance (s.clock, 9);
  /* Trickling bytes does not buy more time. */
  braid_test_receive (s.channel, "X-A: 1\r\n");
  g_assert_false (braid_string_transport_get_disconnecting (s.transport));
  braid_fake_clock_advance (s.clock, 1);
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 408 Request Timeout\r\n"));
  g_assert_true (braid_string_transport_get_disconnecting (s.transport));
  server_clear (&s);

  /* A body that stops coming. */
  server_init (&s);
  braid_site_set_request_timeout (s.site, 10);
  server_connect (&s);
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\nContent-Length: 5\r\n\r\nab");
  braid_fake_clock_advance (s.clock, 10);
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 408 "));
  server_clear (&s);
}

static void
test_idle_keep_alive_closed (void)
{
  Server s;
  const char *out;

  server_init (&s);
  braid_site_set_idle_timeout (s.site, 5);
  server_connect (&s);
  braid_fake_clock_advance (s.clock, 4);
  braid_test_receive (s.channel, "GET / HTTP/1.1\r\n\r\n");
  braid_fake_clock_advance (s.clock, 4);
  g_assert_false (braid_string_transport_get_disconnecting (s.transport));
  braid_fake_clock_advance (s.clock, 1);
  g_assert_true (braid_string_transport_get_disconnecting (s.transport));
  out = server_output (&s);
  g_assert_cmpuint (count (out, "HTTP/1.1"), ==, 1);
  server_clear (&s);

  /* No timer while a response is being produced. */
  server_init (&s);
  braid_site_set_idle_timeout (s.site, 5);
  server_connect (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\n");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (s.clock), ==, 0);
  braid_fake_clock_advance (s.clock, 100);
  g_assert_false (braid_string_transport_get_disconnecting (s.transport));
  braid_request_finish (s.held);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (s.clock), ==, 1);
  server_clear (&s);
}

static void
test_access_log_and_lenient_forms (void)
{
  Server s;
  const char *out;
  g_autofree char *trailers = NULL;
  GString *big = g_string_new ("POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");

  server_init (&s);
  braid_site_set_access_log (s.site, TRUE);
  g_assert_true (braid_site_get_access_log (s.site));
  server_connect (&s);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*\"GET /hello?a=1 HTTP/1.1\" 200 6 \"r\" \"ua\"");
  /* LF-only lines, a lower-case chunked, an Expect on HTTP/1.0 ignored. */
  braid_test_receive (s.channel, "GET /hello?a=1 HTTP/1.1\nReferer: r\nUser-Agent: ua\n\n");
  g_test_assert_expected_messages ();
  braid_site_set_access_log (s.site, FALSE);
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\ntransfer-encoding: CHUNKED\r\n\r\n2\nok\n0\n\n");
  braid_test_receive (s.channel, "POST /hello HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx");
  out = server_output (&s);
  g_assert_null (strstr (out, "100 Continue"));
  g_assert_cmpuint (count (out, " 200 OK"), ==, 3);
  g_assert_nonnull (strstr (out, "\r\n\r\nok"));
  server_clear (&s);

  /* Trailers over the head limit. */
  server_init (&s);
  braid_site_set_max_head (s.site, 100);
  g_assert_cmpuint (braid_site_get_max_head (s.site), ==, 100);
  g_assert_cmpuint (braid_site_get_max_request_line (s.site), ==, 8192);
  g_assert_cmpuint (braid_site_get_max_body (s.site), ==, BRAID_HTTP_DEFAULT_MAX_BODY);
  g_assert_cmpfloat (braid_site_get_request_timeout (s.site), ==, 30);
  g_assert_cmpfloat (braid_site_get_idle_timeout (s.site), ==, 60);
  g_assert_true (braid_site_get_root (s.site) == s.root);
  server_connect (&s);
  for (guint i = 0; i < 10; i++)
    g_string_append (big, "X-Trailer: 0123456789\r\n");
  trailers = g_string_free (big, FALSE);
  braid_test_receive (s.channel, trailers);
  out = server_output (&s);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 431 "));
  server_clear (&s);
}

static char *
answer_async (const char *request, void (*respond) (BraidRequest *request), gboolean *closed)
{
  Server s;
  char *out;

  server_start (&s);
  braid_test_receive (s.channel, request);
  g_assert_nonnull (s.held);
  respond (s.held);
  out = output (&s);
  *closed = braid_string_transport_get_disconnecting (s.transport);
  server_clear (&s);
  return out;
}

static void
respond_abc (BraidRequest *request)
{
  braid_request_write_string (request, "abc");
  braid_request_finish (request);
}

static void
respond_nothing (BraidRequest *request)
{
  braid_request_finish (request);
}

static void
respond_204 (BraidRequest *request)
{
  braid_request_set_response_code (request, 204);
  braid_request_write_string (request, "dropped");
  braid_request_finish (request);
}

static void
respond_too_long (BraidRequest *request)
{
  braid_request_set_header (request, "Content-Length", "3");
  g_assert_cmpuint (braid_request_get_sent_length (request), ==, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "*longer than its Content-Length*");
  braid_request_write_string (request, "abcdef");
  g_test_assert_expected_messages ();
  braid_request_finish (request);
}

static void
respond_bad_length (BraidRequest *request)
{
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*not a number*");
  braid_request_set_header (request, "Content-Length", "x");
  g_test_assert_expected_messages ();
  braid_request_set_header (request, "Server", "mine");
  braid_request_set_header (request, "Date", "then");
  braid_request_finish (request);
}

static void
test_response_framing (void)
{
  gboolean closed;
  g_autofree char *head_chunked = answer_async ("HEAD /async HTTP/1.1\r\n\r\n", respond_abc, &closed);
  g_autofree char *head_empty = NULL;
  g_autofree char *head10 = NULL;
  g_autofree char *no_content = NULL;
  g_autofree char *too_long = NULL;
  g_autofree char *custom = NULL;

  g_assert_nonnull (strstr (head_chunked, "Transfer-Encoding: chunked\r\n"));
  g_assert_true (g_str_has_suffix (head_chunked, "\r\n\r\n"));
  g_assert_false (closed);
  head_empty = answer_async ("HEAD /async HTTP/1.1\r\n\r\n", respond_nothing, &closed);
  g_assert_nonnull (strstr (head_empty, "Content-Length: 0\r\n"));
  head10 = answer_async ("HEAD /async HTTP/1.0\r\n\r\n", respond_abc, &closed);
  g_assert_nonnull (strstr (head10, "Connection: close\r\n"));
  g_assert_true (closed);
  no_content = answer_async ("GET /async HTTP/1.1\r\n\r\n", respond_204, &closed);
  g_assert_true (g_str_has_prefix (no_content, "HTTP/1.1 204 No Content\r\n"));
  g_assert_null (strstr (no_content, "Content-Length"));
  g_assert_null (strstr (no_content, "chunked"));
  g_assert_true (g_str_has_suffix (no_content, "\r\n\r\n"));
  too_long = answer_async ("GET /async HTTP/1.1\r\n\r\n", respond_too_long, &closed);
  g_assert_true (g_str_has_suffix (too_long, "\r\n\r\nabc"));
  custom = answer_async ("GET /async HTTP/1.1\r\n\r\n", respond_bad_length, &closed);
  g_assert_nonnull (strstr (custom, "Server: mine\r\n"));
  g_assert_nonnull (strstr (custom, "Date: then\r\n"));
  g_assert_null (strstr (custom, "Braid/"));
}

static void
test_channel_without_clock_or_site (void)
{
  g_autoptr (BraidProtocol) lone = g_object_new (BRAID_TYPE_HTTP_CHANNEL, NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  Server s;
  gsize len;

  /* No site: requests are parsed, nothing is answered, no timer. */
  braid_protocol_make_connection (lone, BRAID_TRANSPORT (transport));
  braid_test_receive (lone, "GET / HTTP/1.1\r\n\r\n");
  braid_string_transport_peek (transport, &len);
  g_assert_cmpuint (len, ==, 0);
  braid_test_lose_connection (lone, TRUE);

  /* Timeouts of 0 are off. */
  server_init (&s);
  braid_site_set_request_timeout (s.site, 0);
  braid_site_set_idle_timeout (s.site, 0);
  server_connect (&s);
  braid_test_receive (s.channel, "GET / HTT");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (s.clock), ==, 0);
  server_clear (&s);

  /* The client leaves with requests waiting behind an unfinished one. */
  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  braid_test_lose_connection (s.channel, FALSE);
  braid_test_receive (s.channel, "GET / HTTP/1.1\r\n\r\n");
  braid_request_finish (s.held);
  braid_string_transport_peek (s.transport, &len);
  g_assert_cmpuint (len, ==, 0);
  server_clear (&s);
}

/* The chunk matrix: every request parses the same whatever the split. */
static const char *const matrix[] = {
  "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET /hello?x=1&y=%20 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
  "\r\nHEAD /hello HTTP/1.1\n\n",
  "POST /hello HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
  "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nA\r\n0123456789\r\n0\r\n\r\n",
  "POST /hello HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nokGET /nope HTTP/1.1\r\n\r\n",
  "DELETE /hello HTTP/1.1\r\n\r\n",
  "GET / HTTP/1.0\r\n\r\n",
  "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n",
  "GET / HTTP/9.9\r\n\r\n",
  "BAD\r\n\r\n",
  "POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n",
};

static char *
without_dates (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GRegex) date = g_regex_new ("\r\nDate: [^\r]*", 0, 0, NULL);

  return g_regex_replace_literal (date, data, (gssize) len, 0, "", 0, NULL);
}

static char *
run_through_loopback (const char *request, gsize chunk_size)
{
  Server s;
  g_autoptr (BraidRecordingProtocol) client = braid_recording_protocol_new ();
  g_autoptr (BraidLoopback) loop = NULL;
  g_autoptr (GBytes) received = NULL;

  server_init (&s);
  s.channel = braid_factory_build_protocol (BRAID_FACTORY (s.site), NULL);
  loop = braid_loopback_new (s.channel, BRAID_PROTOCOL (client));
  braid_loopback_set_chunk_size (loop, chunk_size);
  braid_transport_write_string (braid_loopback_get_client_transport (loop), request);
  braid_loopback_flush (loop);
  received = braid_recording_protocol_get_received (client);
  if (braid_loopback_is_open (loop))
    {
      braid_loopback_close (loop);
      braid_loopback_flush (loop);
    }
  server_clear (&s);
  return without_dates (received);
}

static void
test_chunk_matrix (void)
{
  const gsize sizes[] = { 1, 2, 3, 7 };

  for (guint i = 0; i < G_N_ELEMENTS (matrix); i++)
    {
      g_autofree char *whole = run_through_loopback (matrix[i], 0);

      g_test_message ("request %u", i);
      g_assert_true (g_str_has_prefix (whole, "HTTP/1."));
      for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
        {
          g_autofree char *split = run_through_loopback (matrix[i], sizes[k]);

          g_assert_cmpstr (split, ==, whole);
        }
    }
}


/* Expect: 100-continue is answered only when a body will be read: not for
 * an empty one, nor for one over the limit (413 instead). */
static void
test_continue_only_for_a_body_to_read (void)
{
  Server s;
  const char *out;

  server_init (&s);
  braid_site_set_max_body (s.site, 4);
  server_connect (&s);
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\nExpect: 100-continue\r\n"
                                 "Content-Length: 0\r\n\r\n");
  out = server_output (&s);
  g_assert_null (strstr (out, "100 Continue"));
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
  braid_string_transport_clear (s.transport);
  braid_test_receive (s.channel, "GET /hello HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
  out = server_output (&s);
  g_assert_null (strstr (out, "100 Continue"));
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
  braid_string_transport_clear (s.transport);
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\nExpect: 100-continue\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n");
  g_assert_cmpstr (server_output (&s), ==, "HTTP/1.1 100 Continue\r\n\r\n");
  braid_test_receive (s.channel, "2\r\nok\r\n0\r\n\r\n");
  g_assert_true (g_str_has_suffix (server_output (&s), "\r\n\r\nok"));
  braid_string_transport_clear (s.transport);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*413*");
  braid_test_receive (s.channel, "POST /hello HTTP/1.1\r\nExpect: 100-continue\r\n"
                                 "Content-Length: 5\r\n\r\n");
  g_test_assert_expected_messages ();
  out = server_output (&s);
  g_assert_null (strstr (out, "100 Continue"));
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 413 "));
  server_clear (&s);
}

/* After an error response the connection reads nothing more: what the
 * client sends meanwhile is dropped, with no second response. */
static void
test_nothing_read_after_an_error (void)
{
  Server s;
  g_autofree char *first = NULL;

  server_start (&s);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*400*");
  braid_test_receive (s.channel, "BAD\r\n\r\n");
  g_test_assert_expected_messages ();
  first = g_strdup (server_output (&s));
  g_assert_true (g_str_has_prefix (first, "HTTP/1.1 400 "));
  braid_test_receive (s.channel, "GET /hello HTTP/1.1\r\n\r\n");
  g_assert_cmpstr (server_output (&s), ==, first);
  g_assert_true (braid_string_transport_get_disconnecting (s.transport));
  server_clear (&s);
}

/* The access log names a client with no IP address "-", and logs each of
 * several requests on one connection. */
static void
test_access_log_peer (void)
{
  Server s;
  g_autoptr (GSocketAddress) unix_peer = g_unix_socket_address_new ("/run/client.sock");

  server_init (&s);
  braid_site_set_access_log (s.site, TRUE);
  server_connect (&s);
  braid_string_transport_set_peer (s.transport, unix_peer);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "- - - [*] \"GET /hello HTTP/1.1\" 200 6 \"-\" \"-\"");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "- - - [*] \"GET /nope HTTP/1.1\" 404 *");
  braid_test_receive (s.channel, "GET /hello HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n");
  g_test_assert_expected_messages ();
  server_clear (&s);
}

/* Pipelined requests behind an unfinished response wait in order: the
 * transport is paused once, each is answered when the one before it is
 * finished, and reading resumes only when none is left. */
static void
test_pipelined_behind_async (void)
{
  Server s;
  BraidRequest *first;
  const char *out;

  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\n");
  first = g_object_ref (s.held);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\n");
  braid_test_receive (s.channel, "GET /hello HTTP/1.1\r\n\r\n");
  g_assert_cmpint (braid_string_transport_get_producer_state (s.transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  braid_request_write_string (first, "one");
  braid_request_finish (first);
  g_object_unref (first);
  /* The second is asynchronous too: still paused, the third waits. */
  g_assert_true (s.held != first);
  g_assert_cmpint (braid_string_transport_get_producer_state (s.transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  out = server_output (&s);
  g_assert_cmpuint (count (out, "HTTP/1.1 200 OK"), ==, 1);
  braid_request_finish (s.held);
  out = server_output (&s);
  g_assert_cmpuint (count (out, "HTTP/1.1 200 OK"), ==, 3);
  g_assert_true (g_str_has_suffix (out, "hello\n"));
  g_assert_cmpint (braid_string_transport_get_producer_state (s.transport), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  server_clear (&s);

  /* A bad request behind an unfinished one: answered 400 once the first is
   * finished, then the connection closes, reading not resumed. */
  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\nBAD\r\n\r\n");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*400*");
  braid_request_finish (s.held);
  g_test_assert_expected_messages ();
  out = server_output (&s);
  g_assert_nonnull (strstr (out, "HTTP/1.1 400 "));
  g_assert_true (braid_string_transport_get_disconnecting (s.transport));
  server_clear (&s);

  /* The connection closed by the server while requests wait: finishing
   * the first neither resumes reading nor answers the rest. */
  server_start (&s);
  braid_test_receive (s.channel, "GET /async HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
  braid_transport_lose_connection (BRAID_TRANSPORT (s.transport));
  braid_request_finish (s.held);
  out = server_output (&s);
  g_assert_cmpuint (count (out, "HTTP/1.1 200 OK"), ==, 2);
  server_clear (&s);

  /* A connection lost before any request. */
  server_start (&s);
  braid_test_lose_connection (s.channel, TRUE);
  server_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidSite and BraidHttpChannel: requests, responses, limits, timeouts");

  braid_test_add_func ("/http-server/get", test_get);
  braid_test_add_func ("/http-server/keep-alive-pipelining", test_keep_alive_and_pipelining);
  braid_test_add_func ("/http-server/connection-close-http10", test_connection_close_and_http10);
  braid_test_add_func ("/http-server/head", test_head);
  braid_test_add_func ("/http-server/404-405", test_not_found_and_not_allowed);
  braid_test_add_func ("/http-server/chunked-request-100-continue", test_chunked_request_and_continue);
  braid_test_add_func ("/http-server/async-chunked-in-order", test_async_chunked_response_and_ordering);
  braid_test_add_func ("/http-server/async-http10-close", test_async_http10_closes_to_end_the_body);
  braid_test_add_func ("/http-server/notify-finish-disconnect", test_notify_finish_fails_on_disconnect);
  braid_test_add_func ("/http-server/limits", test_limits_and_bad_requests);
  braid_test_add_func ("/http-server/limits-split", test_limits_split_across_reads);
  braid_test_add_func ("/http-server/slowloris-408", test_slowloris_gets_408);
  braid_test_add_func ("/http-server/idle-timeout", test_idle_keep_alive_closed);
  braid_test_add_func ("/http-server/chunk-matrix", test_chunk_matrix);
  braid_test_add_func ("/http-server/access-log-lenient", test_access_log_and_lenient_forms);
  braid_test_add_func ("/http-server/response-framing", test_response_framing);
  braid_test_add_func ("/http-server/no-clock-no-site", test_channel_without_clock_or_site);
  braid_test_add_func ("/http-server/continue-only-for-a-body", test_continue_only_for_a_body_to_read);
  braid_test_add_func ("/http-server/nothing-read-after-error", test_nothing_read_after_an_error);
  braid_test_add_func ("/http-server/access-log-peer", test_access_log_peer);
  braid_test_add_func ("/http-server/pipelined-behind-async", test_pipelined_behind_async);

  return g_test_run ();
}
