/* test-lines.c: lesson 07's protocols, at every split of their input. */
#include <braid-fakes.h>

#include "lines.h"

static const char request[] =
  "GET / HTTP/1.0\r\n"
  "Host: 127.0.0.1\r\n"
  "\r\n";

static const char response[] =
  "HTTP/1.0 200 OK\r\n"
  "Content-Type: text/plain\r\n"
  "Content-Length: 44\r\n"
  "\r\n"
  "You said:\r\n\r\nGET / HTTP/1.0\r\nHost: 127.0.0.1";

static BraidStringTransport *
connect (BraidProtocol *protocol)
{
  BraidStringTransport *transport = braid_string_transport_new ();

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  return transport;
}

static void
feed (BraidProtocol *protocol, const char *text, gsize chunk)
{
  gsize len = strlen (text);

  for (gsize pos = 0; pos < len; pos += chunk)
    braid_protocol_data_received (protocol, (const guint8 *) text + pos, MIN (chunk, len - pos));
}

static void
test_numbered_echo (void)
{
  g_autoptr (BraidProtocol) echo = g_object_new (NUMBERED_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (echo);

  feed (echo, "hello\r\nwor", 1);
  braid_assert_transport_wrote (transport, "1: hello\r\n");
  feed (echo, "ld\r\n\r\n", 100);
  braid_assert_transport_wrote (transport, "2: world\r\n3: \r\n");
}

static void
test_http_echo_at_every_chunk_size (void)
{
  for (gsize chunk = 1; chunk <= sizeof request; chunk++)
    {
      g_autoptr (BraidProtocol) http = g_object_new (HTTP_TYPE_ECHO, NULL);
      g_autoptr (BraidStringTransport) transport = connect (http);

      feed (http, request, chunk);
      braid_assert_transport_wrote (transport, response);
      g_assert_true (braid_string_transport_get_disconnecting (transport));
    }
}

static void
test_http_echo_ignores_what_follows_the_request (void)
{
  g_autoptr (BraidProtocol) http = g_object_new (HTTP_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (http);

  feed (http, "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\nGET /again HTTP/1.0\r\n\r\n", 1000);
  braid_assert_transport_wrote (transport, response);
}

static void
test_http_echo_refuses_huge_requests (void)
{
  g_autoptr (BraidProtocol) long_line = g_object_new (HTTP_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport = connect (long_line);
  g_autoptr (BraidProtocol) many_lines = g_object_new (HTTP_TYPE_ECHO, NULL);
  g_autoptr (BraidStringTransport) transport2 = connect (many_lines);
  g_autofree char *huge = g_strnfill (9000, 'a');
  const char *refusal = "HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n";

  feed (long_line, huge, 1000);
  braid_assert_transport_wrote (transport, refusal);
  g_assert_true (braid_string_transport_get_disconnecting (transport));

  for (guint i = 0; i < 200; i++)
    feed (many_lines, "X-Header: 1\r\n", 13);
  braid_assert_transport_wrote (transport2, refusal);
  g_assert_true (braid_string_transport_get_disconnecting (transport2));
}

/* The browser: a recording protocol (from the fakes) that sends the
 * request when connected and keeps the answer. */
static void
test_http_echo_through_the_loopback_byte_by_byte (void)
{
  g_autoptr (BraidProtocol) http = g_object_new (HTTP_TYPE_ECHO, NULL);
  g_autoptr (BraidRecordingProtocol) browser = braid_recording_protocol_new ();
  g_autoptr (BraidLoopback) loopback = NULL;

  braid_recording_protocol_set_greeting (browser, request);
  loopback = braid_loopback_new (http, BRAID_PROTOCOL (browser));
  braid_loopback_set_chunk_size (loopback, 1);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (braid_recording_protocol_peek (browser, NULL), ==, response);
  g_assert_false (braid_loopback_is_open (loopback));
  g_assert_true (braid_error_is_clean_close (braid_recording_protocol_get_reason (browser)));
}

/* A head that never ends: bare "\n" line ends are not HTTP's "\r\n". */
static void
test_http_echo_closes_a_head_that_never_ends (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = http_echo_factory_new (BRAID_CLOCK (clock));
  g_autoptr (BraidProtocol) http = braid_factory_build_protocol (factory, NULL);
  g_autoptr (BraidStringTransport) transport = connect (http);
  g_autoptr (GError) timed_out = NULL;

  g_test_summary ("The program's HTTP echo aborts a client whose request head has not "
                  "ended after HTTP_ECHO_IDLE_TIMEOUT_SECONDS of silence (here a head with "
                  "bare LF line ends), instead of keeping it forever");
  feed (http, "GET / HTTP/1.0\n\n", 100);
  braid_fake_clock_advance (clock, HTTP_ECHO_IDLE_TIMEOUT_SECONDS - 1);
  g_assert_false (braid_string_transport_get_disconnecting (transport));
  braid_fake_clock_advance (clock, 1);
  g_assert_true (braid_string_transport_get_aborted (transport));
  braid_assert_transport_wrote (transport, "");
  timed_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "idle");
  braid_protocol_connection_lost (http, timed_out);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

/* The timeout does not hurt a client that finishes its request. */
static void
test_http_echo_with_a_clock_answers_in_time (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = http_echo_factory_new (BRAID_CLOCK (clock));
  g_autoptr (BraidProtocol) http = braid_factory_build_protocol (factory, NULL);
  g_autoptr (BraidStringTransport) transport = connect (http);
  g_autoptr (GError) done = NULL;

  feed (http, request, 3);
  braid_assert_transport_wrote (transport, response);
  g_assert_false (braid_string_transport_get_aborted (transport));
  done = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE, "done");
  braid_protocol_connection_lost (http, done);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 07: a numbered line echo and the HTTP echo server");

  braid_test_add_func ("/lesson07/numbered-echo", test_numbered_echo);
  braid_test_add_func ("/lesson07/http-echo/every-chunk-size", test_http_echo_at_every_chunk_size);
  braid_test_add_func ("/lesson07/http-echo/ignores-the-rest", test_http_echo_ignores_what_follows_the_request);
  braid_test_add_func ("/lesson07/http-echo/refuses-huge-requests", test_http_echo_refuses_huge_requests);
  braid_test_add_func ("/lesson07/http-echo/loopback-byte-by-byte", test_http_echo_through_the_loopback_byte_by_byte);
  braid_test_add_func ("/lesson07/http-echo/head-that-never-ends", test_http_echo_closes_a_head_that_never_ends);
  braid_test_add_func ("/lesson07/http-echo/answers-in-time", test_http_echo_with_a_clock_answers_in_time);
  return g_test_run ();
}
