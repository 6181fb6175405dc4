/* test-web-integration.c: lesson 12's site on a real reactor and real
 * sockets (127.0.0.1, a port chosen by the system), asked by
 * braid_http_get: the clock page, a file, and the busy pages with a real
 * g_usleep. */
#include <string.h>

#include <glib/gstdio.h>

#include <braid-fakes.h>

#include "lesson-integration.h"
#include "web.h"

/* How long the busy pages take here: short, the test waits for real. */
#define BUSY 0.25

typedef struct
{
  GMainContext *context;
  BraidReactor *reactor;
  char *files;
  char *hello;
  guint16 port;
} Server;

static void
server_start (Server *s)
{
  g_autoptr (GError) error = NULL;
  WebOptions options;
  BraidListeningPort *port;

  s->context = g_main_context_new ();
  s->reactor = braid_glib_reactor_new (s->context);
  s->files = g_dir_make_tmp ("lesson12-XXXXXX", &error);
  g_assert_no_error (error);
  s->hello = g_build_filename (s->files, "hello.txt", NULL);
  g_file_set_contents (s->hello, "Hello from a file.\n", -1, &error);
  g_assert_no_error (error);
  web_options_init (&options, BRAID_CLOCK (s->reactor), s->files);
  options.busy_seconds = BUSY;
  port = web_server_listen (s->reactor, 0, &options, &error);
  g_assert_no_error (error);
  s->port = braid_listening_port_get_port (port);
}

static void
server_stop (Server *s)
{
  g_object_unref (s->reactor);
  g_main_context_unref (s->context);
  g_assert_cmpint (g_remove (s->hello), ==, 0);
  g_assert_cmpint (g_rmdir (s->files), ==, 0);
  g_free (s->hello);
  g_free (s->files);
}

/* One GET in flight, and when it was answered. */
typedef struct
{
  BraidReactor *reactor;
  BraidHttpResponse *response;
  GError *error;
  gdouble started;
  gdouble answered;
} Fetch;

static void
on_fetched (BraidResult *result, gpointer data)
{
  Fetch *fetch = data;

  fetch->answered = braid_clock_seconds (BRAID_CLOCK (fetch->reactor));
  if (braid_result_is_error (result))
    fetch->error = braid_result_steal_error (result);
  else
    fetch->response = braid_http_response_ref (braid_result_get_value (result));
}

static void
fetch_start (Fetch *fetch, Server *s, const char *path)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", s->port, path);
  g_autoptr (BraidDeferred) d = NULL;

  memset (fetch, 0, sizeof *fetch);
  fetch->reactor = s->reactor;
  fetch->started = braid_clock_seconds (BRAID_CLOCK (s->reactor));
  d = braid_http_get (s->reactor, url);
  braid_deferred_add_both (d, on_fetched, fetch, NULL);
}

static void
fetch_clear (Fetch *fetch)
{
  g_clear_pointer (&fetch->response, braid_http_response_unref);
  g_clear_error (&fetch->error);
}

/* The body of a fetch that must have succeeded with 200. */
static char *
fetch_body (Fetch *fetch)
{
  GBytes *body;

  g_assert_no_error (fetch->error);
  g_assert_nonnull (fetch->response);
  g_assert_cmpuint (braid_http_response_get_status (fetch->response), ==, 200);
  body = braid_http_response_get_body (fetch->response);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

typedef struct
{
  Fetch *fetches;
  guint count;
} Fetches;

static gboolean
all_answered (gpointer data)
{
  Fetches *all = data;

  for (guint i = 0; i < all->count; i++)
    if (all->fetches[i].response == NULL && all->fetches[i].error == NULL)
      return FALSE;
  return TRUE;
}

static void
test_clock_and_a_file (void)
{
  Server s;
  Fetch fetches[2];
  Fetches all = { fetches, 2 };
  g_autofree char *clock_text = NULL;
  g_autofree char *file_text = NULL;

  server_start (&s);
  fetch_start (&fetches[0], &s, "/clock");
  fetch_start (&fetches[1], &s, "/files/hello.txt");
  g_assert_true (lesson_run_until (s.reactor, all_answered, &all, LESSON_INTEGRATION_TIMEOUT));
  clock_text = fetch_body (&fetches[0]);
  g_assert_true (g_str_has_prefix (clock_text, "The time is "));
  g_assert_true (g_str_has_suffix (clock_text, " GMT\n"));
  file_text = fetch_body (&fetches[1]);
  g_assert_cmpstr (file_text, ==, "Hello from a file.\n");
  g_assert_cmpstr (braid_http_response_get_header (fetches[1].response, "Content-Type"), ==,
                   "text/plain; charset=utf-8");
  fetch_clear (&fetches[0]);
  fetch_clear (&fetches[1]);
  server_stop (&s);
}

/* Two clients at once on the blocking page: the second is answered only
 * after both renders, one after the other, have slept. */
static void
test_blocking_page_makes_the_second_wait (void)
{
  Server s;
  Fetch fetches[2];
  Fetches all = { fetches, 2 };

  server_start (&s);
  fetch_start (&fetches[0], &s, "/busy-blocking");
  fetch_start (&fetches[1], &s, "/busy-blocking");
  g_assert_true (lesson_run_until (s.reactor, all_answered, &all, LESSON_INTEGRATION_TIMEOUT));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = fetch_body (&fetches[i]);

      g_assert_true (g_str_has_prefix (text, "Finally done, at "));
    }
  /* A lower bound only: it holds however slow the machine is. */
  g_assert_cmpfloat (MAX (fetches[0].answered, fetches[1].answered) - fetches[0].started, >=, 2 * BUSY);
  fetch_clear (&fetches[0]);
  fetch_clear (&fetches[1]);
  server_stop (&s);
}

/* The asynchronous page answers both after its delay. (That they are
 * answered at the same time, not one after the other, is proved on the
 * fake clock in test-web.c, where time does not depend on the machine.) */
static void
test_busy_page_answers_both (void)
{
  Server s;
  Fetch fetches[2];
  Fetches all = { fetches, 2 };

  server_start (&s);
  fetch_start (&fetches[0], &s, "/busy");
  fetch_start (&fetches[1], &s, "/busy");
  g_assert_true (lesson_run_until (s.reactor, all_answered, &all, LESSON_INTEGRATION_TIMEOUT));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = fetch_body (&fetches[i]);

      g_assert_true (g_str_has_prefix (text, "Finally done, at "));
      g_assert_cmpfloat (fetches[i].answered - fetches[i].started, >=, BUSY);
    }
  fetch_clear (&fetches[0]);
  fetch_clear (&fetches[1]);
  server_stop (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 12's site on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-12/integration/clock-and-a-file", test_clock_and_a_file);
  braid_test_add_func ("/lesson-12/integration/blocking-makes-the-second-wait",
                       test_blocking_page_makes_the_second_wait);
  braid_test_add_func ("/lesson-12/integration/busy-answers-both", test_busy_page_answers_both);
  return g_test_run ();
}
