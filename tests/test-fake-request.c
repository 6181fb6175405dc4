/* test-fake-request.c: BraidFakeRequest is exactly as strict as the real
 * request. Each row of the table is a sequence of calls a resource makes;
 * it runs once on a real request (a BraidSite's connection, on the string
 * transport) and once on a BraidFakeRequest, and the outcomes are
 * compared: the bytes sent (the Date header aside), the body, the state of
 * the request, and the warnings and criticals logged. */
#include <string.h>

#include <braid-fakes.h>

/* A producer that counts the times it is stopped. */
#define TEST_TYPE_PRODUCER (test_producer_get_type ())
G_DECLARE_FINAL_TYPE (TestProducer, test_producer, TEST, PRODUCER, GObject)

struct _TestProducer
{
  GObject parent_instance;
  guint stops;
};

static void
test_producer_pause (BraidProducer *producer)
{
}

static void
test_producer_resume (BraidProducer *producer)
{
}

static void
test_producer_stop (BraidProducer *producer)
{
  TEST_PRODUCER (producer)->stops++;
}

static void
test_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = test_producer_pause;
  iface->resume_producing = test_producer_resume;
  iface->stop_producing = test_producer_stop;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProducer, test_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, test_producer_iface_init))

static void
test_producer_class_init (TestProducerClass *klass)
{
}

static void
test_producer_init (TestProducer *self)
{
}

typedef struct
{
  const char *name;
  const char *method;
  guint version_minor;
  /* Steps separated by ';'. Those before '|' run in the render function
   * (which returns NOT_DONE_YET unless a "return:" step ends them), those
   * after it once the render function has returned:
   *   code:N  header:NAME=VALUE  length:N  write:TEXT  finish  return:TEXT
   *   producer  unregister  lost (the client goes away) */
  const char *steps;
  /* The messages both must log, in order: "W" (warning) or "C"
   * (critical) and a pattern; NULL for none. */
  const char *level1;
  const char *pattern1;
  const char *level2;
  const char *pattern2;
} Row;

static const Row rows[] = {
  { "returned-body", "GET", 1, "return:hello" },
  { "chunked", "GET", 1, "write:ab;write:cd;finish" },
  { "chunked-later", "GET", 1, "write:ab|write:cd;finish" },
  { "finish-only", "GET", 1, "finish" },
  { "length-set", "GET", 1, "length:4;write:ab;write:cd;finish" },
  { "header-length", "GET", 1, "header:Content-Length=2;write:ab;finish" },
  { "http10-unknown-length", "GET", 0, "write:ab;write:cd;finish" },
  { "http10-returned", "GET", 0, "return:hello" },
  { "204-returned-body", "GET", 1, "code:204;return:dropped" },
  { "204-written-body", "GET", 1, "code:204;write:dropped;finish" },
  { "204-finish", "GET", 1, "code:204;finish" },
  { "204-with-length", "GET", 1, "code:204;length:7;write:dropped;finish" },
  { "304-returned-body", "GET", 1, "code:304;return:dropped" },
  { "304-with-length", "GET", 1, "code:304;length:3;write:abc;finish" },
  { "head-returned-body", "HEAD", 1, "return:hello" },
  { "head-written-body", "HEAD", 1, "write:hello;finish" },
  { "head-with-length", "HEAD", 1, "length:5;return:" },
  { "head-http10", "HEAD", 0, "write:hello;finish" },
  { "longer-than-length", "GET", 1, "length:3;write:abcdef;finish",
    "W", "*longer than its Content-Length (3)*" },
  { "longer-over-writes", "GET", 1, "length:4;write:abc;write:def;write:g;finish",
    "W", "*longer than its Content-Length (4)*", "W", "*longer than its Content-Length (4)*" },
  { "shorter-than-length", "GET", 1, "length:10;write:abc|finish" },
  { "write-after-finish", "GET", 1, "return:x|write:late",
    "C", "*braid_request_write on GET /p after braid_request_finish()*" },
  { "finish-twice", "GET", 1, "finish|finish", "C", "*already finished*" },
  { "header-after-write", "GET", 1, "write:a;header:X-A=1;finish", "C", "*braid_request_set_header*already sent*" },
  { "code-after-write", "GET", 1, "write:a;code:500;finish",
    "C", "*braid_request_set_response_code*already sent*" },
  { "length-after-write", "GET", 1, "write:a;length:9;finish",
    "C", "*braid_request_set_content_length*already sent*" },
  { "header-after-finish", "GET", 1, "finish|header:X-A=1",
    "C", "*braid_request_set_header*already sent*" },
  { "lost-then-write", "GET", 1, "write:a|lost;write:b;finish" },
  { "lost-before-head", "GET", 1, "|lost;write:b;finish" },
  { "producer-twice", "GET", 1, "producer;producer;unregister;finish",
    "C", "*already registered*" },
  { "unregister-none", "GET", 1, "unregister;finish", "C", "*no producer is registered*" },
  { "producer-after-finish", "GET", 1, "finish|producer" },
  { "unregister-after-finish", "GET", 1, "producer;unregister;finish|unregister" },
  { "producer-after-lost", "GET", 1, "|lost;producer" },
};

/* What a run did. */
typedef struct
{
  char *head;          /* the response head, Date line removed */
  GBytes *body;        /* the body, unframed */
  gboolean finished;
  gboolean lost;
  guint64 sent_length;
  guint stops;         /* of the test producers */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_free (o->head);
  g_clear_pointer (&o->body, g_bytes_unref);
}

typedef struct
{
  const Row *row;
  BraidRequest *held;  /* the request the render function saw */
  BraidProtocol *channel;   /* NULL for the fake */
  GPtrArray *producers;
} Run;

static void
run_steps (Run *run, BraidRequest *request, const char *steps, GBytes **returned)
{
  g_auto (GStrv) list = g_strsplit (steps, ";", -1);

  for (guint i = 0; list[i] != NULL; i++)
    {
      const char *step = list[i];
      const char *arg = strchr (step, ':');

      arg = arg != NULL ? arg + 1 : "";
      if (step[0] == '\0')
        continue;
      if (g_str_has_prefix (step, "code:"))
        braid_request_set_response_code (request, (guint) g_ascii_strtoull (arg, NULL, 10));
      else if (g_str_has_prefix (step, "header:"))
        {
          g_auto (GStrv) pair = g_strsplit (arg, "=", 2);

          braid_request_set_header (request, pair[0], pair[1]);
        }
      else if (g_str_has_prefix (step, "length:"))
        braid_request_set_content_length (request, g_ascii_strtoull (arg, NULL, 10));
      else if (g_str_has_prefix (step, "write:"))
        braid_request_write_string (request, arg);
      else if (strcmp (step, "finish") == 0)
        braid_request_finish (request);
      else if (g_str_has_prefix (step, "return:"))
        {
          g_assert_nonnull (returned);
          *returned = g_bytes_new (arg, strlen (arg));
        }
      else if (strcmp (step, "producer") == 0)
        {
          g_autoptr (TestProducer) producer = g_object_new (TEST_TYPE_PRODUCER, NULL);

          g_ptr_array_add (run->producers, g_object_ref (producer));
          braid_request_register_producer (request, BRAID_PRODUCER (producer), FALSE);
        }
      else if (strcmp (step, "unregister") == 0)
        braid_request_unregister_producer (request);
      else if (strcmp (step, "lost") == 0)
        {
          if (run->channel != NULL)
            braid_test_lose_connection (run->channel, FALSE);
          else
            {
              g_autoptr (GError) reason = braid_test_new_close_reason (FALSE);

              braid_request_connection_lost (request, reason);
            }
        }
      else
        g_assert_not_reached ();
    }
}

static char *
phase (const char *steps, gboolean later)
{
  const char *bar = strchr (steps, '|');

  if (later)
    return g_strdup (bar != NULL ? bar + 1 : "");
  return bar != NULL ? g_strndup (steps, (gsize) (bar - steps)) : g_strdup (steps);
}

static GBytes *
render_row (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *now = phase (run->row->steps, FALSE);
  GBytes *returned = BRAID_NOT_DONE_YET;

  g_set_object (&run->held, request);
  run_steps (run, request, now, &returned);
  return returned;
}

static void
expect_messages (const Row *row)
{
  const char *levels[] = { row->level1, row->level2 };
  const char *patterns[] = { row->pattern1, row->pattern2 };

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if (levels[i] != NULL)
      g_test_expect_message ("Braid", levels[i][0] == 'W' ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_CRITICAL,
                             patterns[i]);
}

/* Splits a response into its head (no Date line) and its body, unframed. */
static void
split_response (const guint8 *data, gsize len, Outcome *o)
{
  const char *text = (const char *) data;
  const char *end = len > 0 ? g_strstr_len (text, (gssize) len, "\r\n\r\n") : NULL;
  g_autofree char *head = NULL;
  g_auto (GStrv) lines = NULL;
  GString *kept = g_string_new (NULL);
  gboolean chunked;
  GByteArray *body = g_byte_array_new ();
  const char *p;

  if (len == 0)
    {
      /* Nothing sent (the client went away before the head). */
      o->head = g_strdup ("");
      o->body = g_byte_array_free_to_bytes (body);
      g_string_free (kept, TRUE);
      return;
    }
  g_assert_nonnull (end);
  head = g_strndup (text, (gsize) (end - text));
  lines = g_strsplit (head, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], "Date: "))
      g_string_append_printf (kept, "%s\n", lines[i]);
  chunked = strstr (kept->str, "Transfer-Encoding: chunked") != NULL
            && !g_str_has_prefix (kept->str, "HTTP/1.1 204")
            && !g_str_has_prefix (kept->str, "HTTP/1.1 304");
  p = end + 4;
  if (chunked)
    {
      /* Unframe: "size\r\ndata\r\n" ... until "0\r\n\r\n" (or the end of
       * what was sent, for a response not finished). */
      while (p < text + len)
        {
          char *after;
          guint64 size = g_ascii_strtoull (p, &after, 16);

          g_assert_true (g_str_has_prefix (after, "\r\n"));
          p = after + 2;
          if (size == 0)
            {
              g_assert_true (g_str_has_prefix (p, "\r\n"));
              p += 2;
              break;
            }
          g_byte_array_append (body, (const guint8 *) p, (guint) size);
          p += size;
          g_assert_true (g_str_has_prefix (p, "\r\n"));
          p += 2;
        }
      g_assert_true (p == text + len);
    }
  else
    g_byte_array_append (body, (const guint8 *) p, (guint) (text + len - p));
  o->head = g_string_free (kept, FALSE);
  o->body = g_byte_array_free_to_bytes (body);
}

static guint
count_stops (Run *run)
{
  guint stops = 0;

  for (guint i = 0; i < run->producers->len; i++)
    stops += TEST_PRODUCER (run->producers->pdata[i])->stops;
  return stops;
}

/* The row on a real request: a site's connection on the string transport. */
static void
run_real (const Row *row, Outcome *o)
{
  Run run = { row, NULL, NULL, g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr (BraidResource) root = braid_resource_new ();
  g_autoptr (BraidResource) page = braid_resource_new ();
  g_autoptr (BraidSite) site = NULL;
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) channel = NULL;
  g_autofree char *later = phase (row->steps, TRUE);
  g_autofree char *request = g_strdup_printf ("%s /p HTTP/1.%u\r\nHost: x\r\n\r\n",
                                              row->method, row->version_minor);
  const guint8 *data;
  gsize len;

  braid_resource_set_render_func (page, row->method, render_row, &run, NULL);
  braid_resource_put_child (root, "p", page);
  site = braid_site_new (root);
  channel = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
  run.channel = channel;
  braid_protocol_make_connection (channel, BRAID_TRANSPORT (transport));
  braid_protocol_data_received (channel, (const guint8 *) request, strlen (request));
  g_assert_nonnull (run.held);
  run_steps (&run, run.held, later, NULL);

  data = (const guint8 *) braid_string_transport_peek (transport, &len);
  split_response (data, len, o);
  o->finished = braid_request_is_finished (run.held);
  o->lost = braid_request_is_lost (run.held);
  o->sent_length = braid_request_get_sent_length (run.held);
  if (braid_protocol_is_connected (channel))
    braid_test_lose_connection (channel, TRUE);
  o->stops = count_stops (&run);
  g_clear_object (&run.held);
  g_ptr_array_unref (run.producers);
}

/* The row on a fake request. */
static void
run_fake (const Row *row, Outcome *o, GBytes **written)
{
  Run run = { row, NULL, NULL, g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr (BraidResource) page = braid_resource_new ();
  g_autoptr (BraidFakeRequest) fake = braid_fake_request_new (row->method, "/p");
  g_autofree char *later = phase (row->steps, TRUE);
  g_autoptr (GBytes) sent = NULL;

  if (row->version_minor == 0)
    braid_request_setup (BRAID_REQUEST (fake), row->method, "/p", 0);
  braid_resource_set_render_func (page, row->method, render_row, &run, NULL);
  braid_fake_request_render (fake, page);
  g_assert_true (run.held == BRAID_REQUEST (fake));
  run_steps (&run, run.held, later, NULL);

  sent = braid_fake_request_get_sent (fake);
  split_response (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent), o);
  *written = braid_fake_request_get_written (fake);
  o->finished = braid_request_is_finished (run.held);
  o->lost = braid_request_is_lost (run.held);
  o->sent_length = braid_request_get_sent_length (run.held);
  g_clear_object (&run.held);
  o->stops = count_stops (&run);
  g_ptr_array_unref (run.producers);
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  Outcome real = { 0 }, fake = { 0 };
  g_autoptr (GBytes) written = NULL;

  expect_messages (row);
  run_real (row, &real);
  g_test_assert_expected_messages ();

  expect_messages (row);
  run_fake (row, &fake, &written);
  g_test_assert_expected_messages ();

  g_assert_cmpstr (fake.head, ==, real.head);
  g_assert_true (g_bytes_equal (fake.body, real.body));
  g_assert_true (g_bytes_equal (written, real.body));
  g_assert_cmpint (fake.finished, ==, real.finished);
  g_assert_cmpint (fake.lost, ==, real.lost);
  g_assert_cmpuint (fake.sent_length, ==, real.sent_length);
  g_assert_cmpuint (fake.stops, ==, real.stops);
  outcome_clear (&real);
  outcome_clear (&fake);
}

/* The table checks itself: rows that should differ from the plain case
 * do, so a comparison of two empty outcomes cannot pass for parity. */
static void
test_table_bites (void)
{
  Outcome plain = { 0 }, nobody = { 0 }, head = { 0 }, longer = { 0 };
  g_autoptr (GBytes) w1 = NULL, w2 = NULL, w3 = NULL, w4 = NULL;
  const Row get = { "get", "GET", 1, "write:abc;finish" };
  const Row no_content = { "204", "GET", 1, "code:204;write:abc;finish" };
  const Row head_row = { "head", "HEAD", 1, "write:abc;finish" };
  const Row over = { "over", "GET", 1, "length:2;write:abc;finish",
                     "W", "*longer than its Content-Length*" };

  run_fake (&get, &plain, &w1);
  run_fake (&no_content, &nobody, &w2);
  run_fake (&head_row, &head, &w3);
  expect_messages (&over);
  run_fake (&over, &longer, &w4);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (g_bytes_get_size (w1), ==, 3);
  g_assert_cmpuint (g_bytes_get_size (w2), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (w3), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (w4), ==, 2);
  g_assert_nonnull (strstr (plain.head, "Transfer-Encoding: chunked"));
  g_assert_null (strstr (nobody.head, "Transfer-Encoding"));
  g_assert_true (g_str_has_prefix (nobody.head, "HTTP/1.1 204 No Content\n"));
  g_assert_nonnull (strstr (longer.head, "Content-Length: 2\n"));
  outcome_clear (&plain);
  outcome_clear (&nobody);
  outcome_clear (&head);
  outcome_clear (&longer);
}

/* A fake request made for HTTP/1.0 closes after its response, as a real
 * one without "Connection: keep-alive" does. */
static void
test_http10_closes (void)
{
  g_autoptr (BraidFakeRequest) fake = braid_fake_request_new ("GET", "/");

  g_assert_true (braid_request_get_keep_alive (BRAID_REQUEST (fake)));
  braid_request_setup (BRAID_REQUEST (fake), "GET", "/", 0);
  g_assert_false (braid_request_get_keep_alive (BRAID_REQUEST (fake)));
  braid_request_setup (BRAID_REQUEST (fake), "GET", "/", 1);
  g_assert_true (braid_request_get_keep_alive (BRAID_REQUEST (fake)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/fake-request/parity/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/fake-request/table-bites", test_table_bites);
  g_test_add_func ("/fake-request/http10-closes", test_http10_closes);
  return g_test_run ();
}
