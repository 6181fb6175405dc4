/* test-web-tcp.c: a site on the real reactor and 127.0.0.1, asked by
 * braid_http_get, curl and Python's http.client. */
#include <string.h>

#include <glib/gstdio.h>

#include "reactor-test-common.h"

typedef struct
{
  TestEnv env;
  char *dir;
  BraidSite *site;
  guint16 port;
  gsize big_size;
} Web;

static GBytes *
render_hello (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  return g_bytes_new_static ("hello\n", 6);
}

static void
web_init (Web *w)
{
  g_autoptr (BraidResource) root = NULL;
  g_autoptr (BraidResource) hello = braid_resource_new ();
  g_autofree char *index = NULL;
  g_autofree char *big = NULL;
  g_autofree char *content = NULL;

  test_env_init (&w->env);
  w->dir = g_dir_make_tmp ("braid-web-XXXXXX", NULL);
  index = g_build_filename (w->dir, "index.html", NULL);
  g_assert_true (g_file_set_contents (index, "<p>index</p>\n", -1, NULL));
  w->big_size = 5 * BRAID_FILE_RESOURCE_CHUNK_SIZE + 17;
  content = g_malloc (w->big_size);
  for (gsize i = 0; i < w->big_size; i++)
    content[i] = (char) ('a' + i % 26);
  big = g_build_filename (w->dir, "big.bin", NULL);
  g_assert_true (g_file_set_contents (big, content, (gssize) w->big_size, NULL));

  root = braid_file_resource_new (w->dir);
  braid_resource_set_render_func (hello, "GET", render_hello, NULL, NULL);
  braid_resource_put_child (root, "hello", hello);
  w->site = braid_site_new (root);
  braid_factory_set_clock (BRAID_FACTORY (w->site), BRAID_CLOCK (w->env.reactor));
  w->port = listen_local (&w->env, BRAID_FACTORY (w->site));
}

static void
web_clear (Web *w)
{
  g_autofree char *index = g_build_filename (w->dir, "index.html", NULL);
  g_autofree char *big = g_build_filename (w->dir, "big.bin", NULL);

  g_clear_object (&w->site);
  test_env_clear (&w->env);
  g_remove (index);
  g_remove (big);
  g_rmdir (w->dir);
  g_free (w->dir);
}

static void
on_response (BraidResult *result, gpointer user_data)
{
  BraidHttpResponse **out = user_data;

  g_assert_false (braid_result_is_error (result));
  *out = braid_http_response_ref (braid_result_get_value (result));
}

static BraidHttpResponse *
get (Web *w, const char *path)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", w->port, path);
  g_autoptr (BraidDeferred) d = braid_http_get (w->env.reactor, url);
  BraidHttpResponse *response = NULL;

  braid_deferred_add_callback (d, on_response, &response, NULL);
  WAIT_FOR (&w->env, response != NULL);
  return response;
}

static void
test_braid_client (void)
{
  Web w;
  g_autoptr (BraidHttpResponse) hello = NULL;
  g_autoptr (BraidHttpResponse) index = NULL;
  g_autoptr (BraidHttpResponse) big = NULL;
  g_autoptr (BraidHttpResponse) missing = NULL;

  web_init (&w);
  hello = get (&w, "/hello");
  g_assert_cmpuint (braid_http_response_get_status (hello), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (braid_http_response_get_body (hello)), ==, 6);
  index = get (&w, "/");
  g_assert_cmpstr (braid_http_response_get_header (index, "content-type"), ==, "text/html; charset=utf-8");
  big = get (&w, "/big.bin");
  g_assert_cmpuint (g_bytes_get_size (braid_http_response_get_body (big)), ==, w.big_size);
  missing = get (&w, "/missing");
  g_assert_cmpuint (braid_http_response_get_status (missing), ==, 404);
  g_assert_cmpuint (braid_site_get_request_count (w.site), ==, 4);
  web_clear (&w);
}

typedef struct
{
  char *out;
  gboolean done;
} Child;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Child *child = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                                       &child->out, NULL, &error));
  g_assert_no_error (error);
  child->done = TRUE;
}

/* Runs a client program while the reactor serves it; returns its output. */
static char *
run_client (Web *w, const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  Child child = { NULL, FALSE };

  g_main_context_push_thread_default (w->env.context);
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &child);
  WAIT_FOR (&w->env, child.done);
  g_subprocess_wait (process, NULL, NULL);
  g_main_context_pop_thread_default (w->env.context);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return child.out;
}

static void
test_curl (void)
{
  Web w;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *big = NULL;
  g_autofree char *out = NULL;
  g_autofree char *range = NULL;
  g_autofree char *sizes = NULL;

  g_autofree char *curl = g_find_program_in_path ("curl");

  if (curl == NULL)
    {
      g_test_skip ("curl is not installed (tools/install-deps)");
      return;
    }
  web_init (&w);
  base = g_strdup_printf ("http://127.0.0.1:%u", w.port);
  url = g_strconcat (base, "/", NULL);
  big = g_strconcat (base, "/big.bin", NULL);
  {
    const char *argv[] = { "curl", "-s", "-i", "--max-time", "5", url, NULL };

    out = run_client (&w, argv);
  }
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\n<p>index</p>\n"));
  {
    const char *argv[] = { "curl", "-s", "-r", "2-5", "--max-time", "5", big, NULL };

    range = run_client (&w, argv);
  }
  g_assert_cmpstr (range, ==, "cdef");
  {
    /* Two downloads on one kept-alive connection, the large one streamed. */
    const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-o", "/dev/null", "-w",
                           "%{http_code} %{size_download} %{num_connects}\n",
                           "--max-time", "5", big, url, NULL };

    sizes = run_client (&w, argv);
  }
  {
    g_autofree char *expected = g_strdup_printf ("200 %" G_GSIZE_FORMAT " 1\n200 13 0\n", w.big_size);

    g_assert_cmpstr (sizes, ==, expected);
  }
  web_clear (&w);
}

static const char python_client[] =
  "import http.client, sys\n"
  "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=5)\n"
  "out = []\n"
  "for method, path, headers in [('GET', '/hello', {}), ('HEAD', '/big.bin', {}),\n"
  "                              ('GET', '/big.bin', {'Range': 'bytes=-3'}),\n"
  "                              ('DELETE', '/hello', {}), ('GET', '/nope', {})]:\n"
  "    c.request(method, path, headers=headers)\n"
  "    r = c.getresponse()\n"
  "    body = r.read()\n"
  "    out.append('%s %d %d %s' % (method, r.status, len(body), r.getheader('Content-Length')))\n"
  "print(';'.join(out))\n";

static void
test_python_http_client (void)
{
  Web w;
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;

  g_autofree char *python = g_find_program_in_path ("python3");

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  web_init (&w);
  port = g_strdup_printf ("%u", w.port);
  {
    const char *argv[] = { "python3", "-c", python_client, port, NULL };

    out = run_client (&w, argv);
  }
  /* The error pages' lengths are theirs to choose: compare up to them. */
  g_assert_true (g_str_has_prefix (out, "GET 200 6 6;HEAD 200 0 "));
  g_assert_nonnull (strstr (out, ";GET 206 3 3;DELETE 405 "));
  g_assert_nonnull (strstr (out, ";GET 404 "));
  {
    g_autofree char *head = g_strdup_printf ("HEAD 200 0 %" G_GSIZE_FORMAT ";", w.big_size);

    g_assert_nonnull (strstr (out, head));
  }
  /* All on one connection: the site saw every request. */
  g_assert_cmpuint (braid_site_get_request_count (w.site), ==, 5);
  web_clear (&w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("A site on 127.0.0.1 with real clients: braid_http_get, curl, http.client");

  g_test_add_func ("/web-tcp/braid-client", test_braid_client);
  g_test_add_func ("/web-tcp/curl", test_curl);
  g_test_add_func ("/web-tcp/python-http-client", test_python_http_client);

  return g_test_run ();
}
