/* test-http-client.c: braid_http_get on the memory reactor, connected to a
 * site (or a scripted server) through the loopback. */
#include <string.h>

#include <braid-fakes.h>

static GBytes *
render_hello (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  const char *agent = braid_request_get_header (request, "user-agent");
  const char *host = braid_request_get_header (request, "host");

  g_assert_true (g_str_has_prefix (agent, "Braid/"));
  /* The port is in Host unless it is 80. */
  g_assert_true (g_strcmp0 (host, "127.0.0.1:8080") == 0 || g_strcmp0 (host, "h") == 0);
  braid_request_add_header (request, "X-Twice", "1");
  braid_request_add_header (request, "X-Twice", "2");
  return g_bytes_new_static ("hello", 5);
}

static GBytes *
render_chunks (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  braid_request_write_string (request, "ab");
  braid_request_write_string (request, "cd");
  braid_request_finish (request);
  return BRAID_NOT_DONE_YET;
}

static GBytes *
render_echo (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  return g_bytes_ref (braid_request_get_content (request));
}

/* Connects the client the memory reactor recorded to @server through a
 * loopback with @chunk-byte pieces, and runs the conversation. */
static void
converse (BraidMemoryReactor *reactor, guint index, BraidProtocol *server, gsize chunk)
{
  BraidTcpClientRecord *record = braid_memory_reactor_get_tcp_client (reactor, index);
  g_autoptr (BraidProtocol) client = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
  g_autoptr (BraidLoopback) loop = braid_loopback_new (server, client);

  braid_loopback_set_chunk_size (loop, chunk);
  braid_loopback_flush (loop);
  if (braid_loopback_is_open (loop))
    {
      braid_loopback_close (loop);
      braid_loopback_flush (loop);
    }
}

static BraidSite *
make_site (BraidClock *clock)
{
  g_autoptr (BraidResource) root = braid_resource_new ();
  g_autoptr (BraidResource) hello = braid_resource_new ();
  g_autoptr (BraidResource) chunks = braid_resource_new ();
  BraidSite *site;

  braid_resource_set_render_func (hello, "GET", render_hello, NULL, NULL);
  braid_resource_set_render_func (chunks, "GET", render_chunks, NULL, NULL);
  braid_resource_set_render_func (root, "POST", render_echo, NULL, NULL);
  braid_resource_put_child (root, "hello", hello);
  braid_resource_put_child (root, "chunks", chunks);
  braid_resource_put_child (root, "", root);
  site = braid_site_new (root);
  braid_factory_set_clock (BRAID_FACTORY (site), clock);
  return site;
}

static void
test_get_from_a_site (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidSite) site = make_site (BRAID_CLOCK (reactor));
  const gsize chunks[] = { 0, 1, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      g_autoptr (BraidDeferred) d = braid_http_get (BRAID_REACTOR (reactor), "http://127.0.0.1:8080/hello");
      g_autoptr (BraidDeferred) c = braid_http_get (BRAID_REACTOR (reactor), "http://127.0.0.1:8080/chunks");
      g_autoptr (BraidProtocol) server1 = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
      g_autoptr (BraidProtocol) server2 = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
      BraidHttpResponse *response;

      g_assert_cmpstr (braid_memory_reactor_get_tcp_client (reactor, 2 * i)->host, ==, "127.0.0.1");
      g_assert_cmpuint (braid_memory_reactor_get_tcp_client (reactor, 2 * i)->port, ==, 8080);
      braid_assert_no_result (d);
      converse (reactor, 2 * i, server1, chunks[i]);
      converse (reactor, 2 * i + 1, server2, chunks[i]);

      response = braid_assert_success_result (d);
      g_assert_cmpuint (braid_http_response_get_status (response), ==, 200);
      g_assert_cmpstr (braid_http_response_get_reason (response), ==, "OK");
      g_assert_cmpuint (braid_http_response_get_version_minor (response), ==, 1);
      g_assert_cmpstr (braid_http_response_get_header (response, "content-length"), ==, "5");
      g_assert_cmpstr (braid_http_response_get_header (response, "X-Twice"), ==, "1, 2");
      g_assert_null (braid_http_response_get_header (response, "X-None"));
      g_assert_cmpmem (g_bytes_get_data (braid_http_response_get_body (response), NULL),
                       g_bytes_get_size (braid_http_response_get_body (response)), "hello", 5);

      response = braid_assert_success_result (c);
      g_assert_cmpstr (braid_http_response_get_header (response, "Transfer-Encoding"), ==, "chunked");
      g_assert_cmpmem (g_bytes_get_data (braid_http_response_get_body (response), NULL),
                       g_bytes_get_size (braid_http_response_get_body (response)), "abcd", 4);
    }
}

static void
test_post_head_and_404 (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidSite) site = make_site (BRAID_CLOCK (reactor));
  g_autoptr (GBytes) body = g_bytes_new_static ("posted", 6);
  g_autoptr (BraidDeferred) post = braid_http_request (BRAID_REACTOR (reactor), "POST", "http://h/?q=1", body);
  g_autoptr (BraidDeferred) head = braid_http_request (BRAID_REACTOR (reactor), "HEAD", "http://h/hello", NULL);
  g_autoptr (BraidDeferred) missing = braid_http_get (BRAID_REACTOR (reactor), "http://h:81/nope");
  g_autoptr (BraidProtocol) s1 = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
  g_autoptr (BraidProtocol) s2 = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
  g_autoptr (BraidProtocol) s3 = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
  BraidHttpResponse *response;

  g_assert_cmpuint (braid_memory_reactor_get_tcp_client (reactor, 0)->port, ==, 80);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_client (reactor, 2)->port, ==, 81);
  converse (reactor, 0, s1, 0);
  converse (reactor, 1, s2, 0);
  converse (reactor, 2, s3, 0);
  response = braid_assert_success_result (post);
  g_assert_cmpmem (g_bytes_get_data (braid_http_response_get_body (response), NULL),
                   g_bytes_get_size (braid_http_response_get_body (response)), "posted", 6);
  /* The HEAD reply has a length and no body: the client does not wait for one. */
  response = braid_assert_success_result (head);
  g_assert_cmpuint (g_bytes_get_size (braid_http_response_get_body (response)), ==, 0);
  response = braid_assert_success_result (missing);
  g_assert_cmpuint (braid_http_response_get_status (response), ==, 404);
}

static void
test_scripted_servers (void)
{
  const struct { const char *reply; gboolean ok; gint code; const char *body; } cases[] = {
    { "HTTP/1.0 200 OK\r\n\r\nuntil the close", TRUE, 0, "until the close" },
    { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", TRUE, 0, "" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", FALSE, G_IO_ERROR_CONNECTION_CLOSED, NULL },
    { "", FALSE, G_IO_ERROR_CONNECTION_CLOSED, NULL },
    { "SMTP ready\r\n\r\n", FALSE, G_IO_ERROR_INVALID_DATA, NULL },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n", TRUE, 0, "abc" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", FALSE, G_IO_ERROR_INVALID_DATA, NULL },
    { "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", TRUE, 0, "ok" },
    { "HTTP/1.1 099 Low\r\n\r\n", FALSE, G_IO_ERROR_INVALID_DATA, NULL },
    { "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", TRUE, 0, "" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", FALSE, G_IO_ERROR_INVALID_DATA, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
      g_autoptr (BraidDeferred) d = braid_http_get (BRAID_REACTOR (reactor), "http://127.0.0.1/x");
      g_autoptr (BraidRecordingProtocol) server = braid_recording_protocol_new ();

      g_test_message ("%s", cases[i].reply);
      if (cases[i].reply[0] != '\0')
        braid_recording_protocol_set_greeting (server, cases[i].reply);
      converse (reactor, 0, BRAID_PROTOCOL (server), 2);
      if (cases[i].ok)
        {
          BraidHttpResponse *response = braid_assert_success_result (d);
          GBytes *body = braid_http_response_get_body (response);

          g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                           cases[i].body, strlen (cases[i].body));
        }
      else
        g_error_free (braid_assert_failure_result (d, G_IO_ERROR, cases[i].code));
    }
}

static void
test_bad_urls_and_failed_connections (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidDeferred) https = braid_http_get (BRAID_REACTOR (reactor), "https://example.org/");
  g_autoptr (BraidDeferred) junk = braid_http_get (BRAID_REACTOR (reactor), "not a url");
  g_autoptr (BraidDeferred) nohost = braid_http_get (BRAID_REACTOR (reactor), "http:///path");
  g_autoptr (BraidDeferred) refused = NULL;
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");

  g_error_free (braid_assert_failure_result (https, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
  g_error_free (braid_assert_failure_result (junk, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_error_free (braid_assert_failure_result (nohost, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  braid_memory_reactor_set_connect_error (reactor, error);
  refused = braid_http_get (BRAID_REACTOR (reactor), "http://127.0.0.1:1/");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_error_free (braid_assert_failure_result (refused, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braid_http_get / braid_http_request on the memory reactor and the loopback");

  braid_test_add_func ("/http-client/get-from-a-site", test_get_from_a_site);
  braid_test_add_func ("/http-client/post-head-404", test_post_head_and_404);
  braid_test_add_func ("/http-client/scripted-servers", test_scripted_servers);
  braid_test_add_func ("/http-client/bad-urls-failed-connections", test_bad_urls_and_failed_connections);

  return g_test_run ();
}
