/* test-web.c: lesson 12's pages, step by step, on fakes: the clock page on
 * a fake clock, the busy page blocking then not, the files, and the whole
 * site through the loopback -- no socket, no real time. */
#include <glib/gstdio.h>
#include <string.h>

#include <braid-fakes.h>

#include "test-helpers.h"

/* Step 1: the clock page tells the time on the clock it was given. */
static void
test_clock_page (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  WebTime time = { BRAID_CLOCK (clock), WEB_TEST_EPOCH };
  g_autoptr (BraidResource) clock_page = web_clock_page_new (&time);
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/clock");
  g_autoptr (BraidFakeRequest) later = braid_fake_request_new ("GET", "/clock");

  braid_fake_request_render (request, clock_page);
  web_assert_answer (request, 200, "The time is Thu, 03 Dec 2026 03:45:00 GMT\n", "the time now");
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (request), "Content-Type"), ==,
                   "text/plain; charset=utf-8");

  braid_fake_clock_advance (clock, 90);
  braid_fake_request_render (later, clock_page);
  web_assert_answer (later, 200, "The time is Thu, 03 Dec 2026 03:46:30 GMT\n", "90 s later");
}

/* The program ties the reactor's clock to the wall clock. */
static void
test_time_for_a_clock (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  gdouble before = g_get_real_time () / (gdouble) G_USEC_PER_SEC;
  WebTime time;

  braid_fake_clock_advance (clock, 1000);
  time = web_time_for_clock (BRAID_CLOCK (clock));
  g_assert_true (time.clock == BRAID_CLOCK (clock));
  g_assert_cmpfloat (time.epoch + 1000, >=, before);
  g_assert_cmpfloat (time.epoch + 1000, <=, g_get_real_time () / (gdouble) G_USEC_PER_SEC);
}

/* The tests' sleep: the thread is held for @seconds -- time passes on the
 * fake clock -- and it records when each sleep began. */
typedef struct
{
  BraidFakeClock *clock;
  GArray *started;
} FakeSleep;

static void
fake_sleep (gdouble seconds, gpointer data)
{
  FakeSleep *sleep = data;
  gdouble now = braid_clock_seconds (BRAID_CLOCK (sleep->clock));

  g_array_append_val (sleep->started, now);
  braid_fake_clock_advance (sleep->clock, seconds);
}

/* Step 2: the blocking busy page holds the thread for its whole render. */
static void
test_busy_blocking_render_takes_the_time (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (gdouble));
  FakeSleep sleep = { clock, started };
  WebTime time = { BRAID_CLOCK (clock), WEB_TEST_EPOCH };
  g_autoptr (BraidResource) busy = web_busy_blocking_page_new (&time, 5, fake_sleep, &sleep);
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/busy-blocking");

  braid_fake_request_render (request, busy);
  /* The render returned only when the 5 s were over. */
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (clock)), ==, 5);
  web_assert_answer (request, 200, "Finally done, at Thu, 03 Dec 2026 03:45:05 GMT\n",
                     "the answer, 5 s later");
  g_assert_cmpuint (started->len, ==, 1);
}

/* A site with the lesson's tree on a memory reactor (a fake clock), the
 * busy pages taking 5 s, and the blocking one sleeping on the fake clock. */
typedef struct
{
  BraidMemoryReactor *reactor;
  GArray *sleeps;
  FakeSleep sleep;
  char *files;
  BraidSite *site;
} Site;

static void
site_open (Site *s)
{
  WebOptions options;
  g_autoptr (GError) error = NULL;

  s->reactor = braid_memory_reactor_new ();
  s->sleeps = g_array_new (FALSE, FALSE, sizeof (gdouble));
  s->sleep.clock = BRAID_FAKE_CLOCK (s->reactor);
  s->sleep.started = s->sleeps;
  s->files = g_dir_make_tmp ("lesson12-XXXXXX", &error);
  g_assert_no_error (error);
  web_options_init (&options, BRAID_CLOCK (s->reactor), s->files);
  options.time.epoch = WEB_TEST_EPOCH;
  options.sleep = fake_sleep;
  options.sleep_data = &s->sleep;
  s->site = web_site_new (&options);
}

static void
site_close (Site *s)
{
  g_autoptr (GDir) dir = g_dir_open (s->files, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (s->files, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (s->files), ==, 0);
  g_free (s->files);
  g_object_unref (s->site);
  g_array_unref (s->sleeps);
  g_object_unref (s->reactor);
}

/* A client connected to the site through a loopback. */
typedef struct
{
  BraidProtocol *channel;
  BraidRecordingProtocol *client;
  BraidLoopback *loopback;
} Client;

static void
client_connect (Client *c, Site *s)
{
  c->channel = braid_factory_build_protocol (BRAID_FACTORY (s->site), NULL);
  c->client = braid_recording_protocol_new ();
  c->loopback = braid_loopback_new (c->channel, BRAID_PROTOCOL (c->client));
}

static void
client_send (Client *c, const char *request)
{
  braid_transport_write_string (braid_loopback_get_client_transport (c->loopback), request);
}

/* What the client has received, whole. */
static char *
client_received (Client *c)
{
  gsize len;
  const char *data = braid_recording_protocol_peek (c->client, &len);

  return g_strndup (data, len);
}

static void
client_close (Client *c)
{
  if (braid_loopback_is_open (c->loopback))
    {
      braid_loopback_close (c->loopback);
      braid_loopback_flush (c->loopback);
    }
  g_object_unref (c->loopback);
  g_object_unref (c->client);
  g_object_unref (c->channel);
}

/* Step 2: two clients ask the blocking page at the same moment. The second
 * render starts only when the first returned: its client, who asked at 0,
 * is answered at 10 s. Every other client waits too. */
static void
test_busy_blocking_makes_everyone_wait (void)
{
  Site s;
  Client first, second;
  g_autofree char *first_got = NULL;
  g_autofree char *second_got = NULL;

  site_open (&s);
  client_connect (&first, &s);
  client_connect (&second, &s);
  client_send (&first, "GET /busy-blocking HTTP/1.1\r\nHost: x\r\n\r\n");
  client_send (&second, "GET /busy-blocking HTTP/1.1\r\nHost: x\r\n\r\n");
  /* The reactor reads one connection, then the other: both requests are
   * there at 0 s. */
  braid_loopback_flush (first.loopback);
  braid_loopback_flush (second.loopback);

  g_assert_cmpuint (s.sleeps->len, ==, 2);
  g_assert_cmpfloat (g_array_index (s.sleeps, gdouble, 0), ==, 0);
  g_assert_cmpfloat (g_array_index (s.sleeps, gdouble, 1), ==, 5);
  first_got = client_received (&first);
  second_got = client_received (&second);
  g_assert_true (g_str_has_prefix (first_got, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (first_got, "\r\n\r\nFinally done, at Thu, 03 Dec 2026 03:45:05 GMT\n"));
  g_assert_true (g_str_has_suffix (second_got, "\r\n\r\nFinally done, at Thu, 03 Dec 2026 03:45:10 GMT\n"));

  client_close (&first);
  client_close (&second);
  site_close (&s);
}

/* Step 2 again: the asynchronous page. Both clients ask at 0 s; nothing
 * blocks, both are answered at 5 s. */
static void
test_busy_answers_both_at_once (void)
{
  Site s;
  Client first, second;
  g_autofree char *first_got = NULL;
  g_autofree char *second_got = NULL;
  g_autofree char *nothing = NULL;

  site_open (&s);
  client_connect (&first, &s);
  client_connect (&second, &s);
  client_send (&first, "GET /busy HTTP/1.1\r\nHost: x\r\n\r\n");
  client_send (&second, "GET /busy HTTP/1.1\r\nHost: x\r\n\r\n");
  braid_loopback_flush (first.loopback);
  braid_loopback_flush (second.loopback);

  braid_fake_clock_advance (BRAID_FAKE_CLOCK (s.reactor), 4.9);
  braid_loopback_flush (first.loopback);
  braid_loopback_flush (second.loopback);
  nothing = client_received (&first);
  g_assert_cmpstr (nothing, ==, "");
  g_assert_cmpuint (s.sleeps->len, ==, 0);

  braid_fake_clock_advance (BRAID_FAKE_CLOCK (s.reactor), 0.1);
  braid_loopback_flush (first.loopback);
  braid_loopback_flush (second.loopback);
  first_got = client_received (&first);
  second_got = client_received (&second);
  g_assert_true (g_str_has_prefix (first_got, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (first_got, "Finally done, at Thu, 03 Dec 2026 03:45:05 GMT\n"));
  g_assert_true (g_str_has_prefix (second_got, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (second_got, "Finally done, at Thu, 03 Dec 2026 03:45:05 GMT\n"));

  client_close (&first);
  client_close (&second);
  site_close (&s);
}

/* A client that goes away before the answer cancels the pending call. */
static void
test_busy_client_goes_away (void)
{
  Site s;
  Client c;
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  WebTime time = { BRAID_CLOCK (clock), WEB_TEST_EPOCH };
  g_autoptr (BraidResource) busy = web_busy_page_new (&time, 5);
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/busy");

  /* On a fake request. */
  braid_fake_request_render (request, busy);
  web_assert_waiting (request, "the answer comes 5 s later");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_fake_clock_advance (clock, 1);
  braid_request_connection_lost (BRAID_REQUEST (request), NULL);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_fake_clock_advance (clock, 10);
  web_assert_waiting (request, "nothing for a client that left");

  /* Through the site: the connection closes. */
  site_open (&s);
  client_connect (&c, &s);
  client_send (&c, "GET /busy HTTP/1.1\r\n\r\n");
  braid_loopback_flush (c.loopback);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (s.reactor)), >=, 1);
  braid_loopback_close (c.loopback);
  braid_loopback_flush (c.loopback);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (s.reactor)), ==, 0);
  client_close (&c);
  site_close (&s);
}

/* A request through the whole tree. */
static BraidFakeRequest *
site_get (Site *s, const char *uri)
{
  return web_test_get (braid_site_get_root (s->site), uri);
}

/* Step 3: /files/ serves a directory. */
static void
test_files (void)
{
  Site s;
  g_autofree char *hello = NULL;
  g_autoptr (BraidFakeRequest) file = NULL;
  g_autoptr (BraidFakeRequest) directory = NULL;
  g_autoptr (BraidFakeRequest) missing = NULL;
  g_autoptr (BraidFakeRequest) escape = NULL;
  g_autoptr (GError) error = NULL;

  site_open (&s);
  hello = g_build_filename (s.files, "hello.txt", NULL);
  g_file_set_contents (hello, "Hello from a file.\n", -1, &error);
  g_assert_no_error (error);

  file = site_get (&s, "/files/hello.txt");
  web_assert_answer (file, 200, "Hello from a file.\n", "a file under /files/");
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (file), "Content-Type"), ==,
                   "text/plain; charset=utf-8");
  directory = site_get (&s, "/files");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (directory)), ==, 301);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (directory), "Location"), ==,
                   "/files/");
  missing = site_get (&s, "/files/nothere.txt");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (missing)), ==, 404);
  escape = site_get (&s, "/files/%2e%2e/web.c");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (escape)), ==, 403);
  site_close (&s);
}

/* The tree: an index, the clock page is a leaf, errors for the rest. */
static void
test_the_tree (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) index = NULL;
  g_autoptr (BraidFakeRequest) leaf = NULL;
  g_autoptr (BraidFakeRequest) nope = NULL;
  g_autoptr (BraidFakeRequest) post = braid_fake_request_new ("POST", "/clock");
  g_autoptr (BraidFakeRequest) greet = NULL;
  g_autoptr (BraidFakeRequest) whom = NULL;
  g_autoptr (BraidFakeRequest) later = NULL;
  g_autoptr (GBytes) page = NULL;

  site_open (&s);
  index = site_get (&s, "/");
  page = braid_fake_request_get_written (index);
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (index)), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                  "href=\"/busy-blocking\""));
  /* Twisted's isLeaf: the clock page answers whatever follows it. */
  leaf = site_get (&s, "/clock/anything");
  web_assert_answer (leaf, 200, "The time is Thu, 03 Dec 2026 03:45:00 GMT\n", "a leaf");
  nope = site_get (&s, "/nope");
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (nope)), ==, 404);
  braid_request_process (BRAID_REQUEST (post), braid_site_get_root (s.site));
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (post)), ==, 405);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (post), "Allow"), ==, "GET, HEAD");
  /* The exercise's pages are in the tree (built with its solution). */
  greet = site_get (&s, "/greet/you");
  web_assert_answer (greet, 200, "Hello, you!\n", "the exercise's /greet");
  whom = site_get (&s, "/greet");
  web_assert_answer (whom, 404, "Whom shall I greet? Ask for /greet/NAME.\n", "/greet with no name");
  later = site_get (&s, "/greet-later/you");
  web_assert_waiting (later, "the exercise's /greet-later");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (s.reactor), GREET_LATER_SECONDS);
  web_assert_answer (later, 200, "Hello, you!\n", "a second later");
  site_close (&s);
}

/* The pages do not keep the reactor alive: it keeps them (through its
 * ports and their site), and a reference back would be a cycle. */
static void
test_pages_do_not_keep_the_clock (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  WebTime time = { BRAID_CLOCK (clock), WEB_TEST_EPOCH };
  g_autoptr (BraidResource) clock_page = web_clock_page_new (&time);
  g_autoptr (BraidResource) busy = web_busy_page_new (&time, 5);
  g_autoptr (BraidResource) greet = greet_resource_new (BRAID_CLOCK (clock), 1);
  gpointer watch = clock;

  g_object_add_weak_pointer (G_OBJECT (clock), &watch);
  g_object_unref (clock);
  g_assert_null (watch);
}

/* The program listens on 127.0.0.1, with a line in the log per request. */
static void
test_server_listens (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  WebOptions options;
  BraidTcpServerRecord *record;

  web_options_init (&options, BRAID_CLOCK (reactor), ".");
  g_assert_cmpfloat (options.busy_seconds, ==, WEB_BUSY_SECONDS);
  g_assert_nonnull (web_server_listen (BRAID_REACTOR (reactor), 8012, &options, &error));
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_cmpuint (record->port, ==, 8012);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (BRAID_IS_SITE (record->factory));
  g_assert_true (braid_site_get_access_log (BRAID_SITE (record->factory)));
  g_assert_true (braid_factory_get_clock (record->factory) == BRAID_CLOCK (reactor));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 12's web pages on fakes: the clock, the busy pages, files, the tree");

  braid_test_add_func ("/lesson12/clock-page", test_clock_page);
  braid_test_add_func ("/lesson12/time-for-a-clock", test_time_for_a_clock);
  braid_test_add_func ("/lesson12/busy-blocking/render-takes-the-time",
                       test_busy_blocking_render_takes_the_time);
  braid_test_add_func ("/lesson12/busy-blocking/everyone-waits", test_busy_blocking_makes_everyone_wait);
  braid_test_add_func ("/lesson12/busy/both-at-once", test_busy_answers_both_at_once);
  braid_test_add_func ("/lesson12/busy/client-goes-away", test_busy_client_goes_away);
  braid_test_add_func ("/lesson12/files", test_files);
  braid_test_add_func ("/lesson12/tree", test_the_tree);
  braid_test_add_func ("/lesson12/pages-do-not-keep-the-clock", test_pages_do_not_keep_the_clock);
  braid_test_add_func ("/lesson12/server-listens", test_server_listens);
  return g_test_run ();
}
