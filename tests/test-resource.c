/* test-resource.c: BraidResource and BraidRequest with the fake request
 * (no socket, no site). */
#include <string.h>

#include <braid-fakes.h>

static GBytes *
render_text (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  return g_bytes_new (user_data, strlen (user_data));
}

static GBytes *
render_later (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  BraidRequest **held = user_data;

  *held = g_object_ref (request);
  return BRAID_NOT_DONE_YET;
}

static GBytes *
render_args (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  const char * const *tags = braid_request_get_args (request, "tag");
  g_autofree char *joined = tags != NULL ? g_strjoinv ("|", (char **) tags) : g_strdup ("-");
  char *text = g_strdup_printf ("%s %s %s", braid_request_get_arg (request, "name"),
                                joined, braid_request_get_arg (request, "none") == NULL ? "null" : "?");

  return g_bytes_new_take (text, strlen (text));
}

static char *
written (BraidFakeRequest *request)
{
  g_autoptr (GBytes) body = braid_fake_request_get_written (request);

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_render_per_method_and_405 (void)
{
  g_autoptr (BraidResource) page = braid_resource_new ();
  g_autoptr (BraidFakeRequest) get = braid_fake_request_new ("GET", "/");
  g_autoptr (BraidFakeRequest) head = braid_fake_request_new ("HEAD", "/");
  g_autoptr (BraidFakeRequest) put = braid_fake_request_new ("PUT", "/");
  g_autofree char *body = NULL;

  braid_resource_set_render_func (page, "GET", render_text, "page", NULL);
  braid_resource_set_render_func (page, "POST", render_text, "first", NULL);
  braid_resource_set_render_func (page, "POST", render_text, "posted", NULL);

  braid_fake_request_render (get, page);
  body = written (get);
  g_assert_cmpstr (body, ==, "page");
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (get)));
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (get)), ==, 200);

  braid_fake_request_render (head, page);
  g_assert_cmpuint (braid_fake_request_get_write_count (head), ==, 0);
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (head)));

  braid_fake_request_render (put, page);
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (put)), ==, 405);
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (put), "allow"), ==,
                   "GET, POST, HEAD");
}

static void
test_tree_leaf_and_404 (void)
{
  g_autoptr (BraidResource) root = braid_resource_new ();
  g_autoptr (BraidResource) a = braid_resource_new ();
  g_autoptr (BraidResource) leaf = braid_resource_new ();
  g_autoptr (BraidResource) found = NULL;
  g_autoptr (BraidFakeRequest) deep = braid_fake_request_new ("GET", "/a/leaf/x/y%20z?q=1");
  g_autoptr (BraidFakeRequest) missing = braid_fake_request_new ("GET", "/a/nope");
  g_autoptr (BraidResource) not_found = NULL;
  g_autofree char *body = NULL;

  braid_resource_put_child (root, "a", a);
  braid_resource_put_child (a, "leaf", leaf);
  braid_resource_set_is_leaf (leaf, TRUE);
  g_assert_true (braid_resource_get_is_leaf (leaf));

  found = braid_resource_get_child_for_request (root, BRAID_REQUEST (deep));
  g_assert_true (found == leaf);
  g_assert_cmpstr (braid_request_get_prepath (BRAID_REQUEST (deep))[1], ==, "leaf");
  g_assert_cmpstr (braid_request_get_postpath (BRAID_REQUEST (deep))[0], ==, "x");
  g_assert_cmpstr (braid_request_get_postpath (BRAID_REQUEST (deep))[1], ==, "y z");
  g_assert_null (braid_request_get_postpath (BRAID_REQUEST (deep))[2]);
  g_assert_cmpstr (braid_request_get_path (BRAID_REQUEST (deep)), ==, "/a/leaf/x/y%20z");

  not_found = braid_resource_get_child_for_request (root, BRAID_REQUEST (missing));
  braid_fake_request_render (missing, not_found);
  g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (missing)), ==, 404);
  body = written (missing);
  g_assert_nonnull (strstr (body, "No Such Resource"));
}

static void
test_slash_is_the_empty_child (void)
{
  g_autoptr (BraidResource) root = braid_resource_new ();
  g_autoptr (BraidResource) index = braid_resource_new ();
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/");
  g_autoptr (BraidResource) found = NULL;

  braid_resource_put_child (root, "", index);
  found = braid_resource_get_child_for_request (root, BRAID_REQUEST (request));
  g_assert_true (found == index);
}

static void
test_put_self_makes_no_cycle (void)
{
  BraidResource *root = braid_resource_new ();
  g_autoptr (BraidResource) other = braid_resource_new ();
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/");
  g_autoptr (BraidResource) found = NULL;

  g_object_add_weak_pointer (G_OBJECT (root), (gpointer *) &root);
  braid_resource_put_child (root, "", other);
  braid_resource_put_child (root, "", root);
  found = braid_resource_get_child_for_request (root, BRAID_REQUEST (request));
  g_assert_true (found == root);
  g_clear_object (&found);
  /* Replaced by another child again, then dropped: nothing keeps it. */
  braid_resource_put_child (root, "", other);
  braid_resource_put_child (root, "", root);
  g_object_unref (root);
  g_assert_null (root);
}

static void
test_query_arguments_and_headers (void)
{
  g_autoptr (BraidResource) page = braid_resource_new ();
  g_autoptr (BraidFakeRequest) request =
    braid_fake_request_new ("GET", "/p?name=a+b%21&tag=x&tag=y&&flag");
  g_autofree char *body = NULL;
  BraidRequest *r = BRAID_REQUEST (request);

  braid_request_add_request_header (r, "X-Thing", "1");
  braid_request_add_request_header (r, "x-thing", "2");
  g_assert_cmpstr (braid_request_get_header (r, "X-THING"), ==, "1, 2");
  g_assert_null (braid_request_get_header (r, "other"));
  g_assert_cmpstr (braid_request_get_arg (r, "flag"), ==, "");

  braid_resource_set_render_func (page, "GET", render_args, NULL, NULL);
  braid_fake_request_render (request, page);
  body = written (request);
  g_assert_cmpstr (body, ==, "a b! x|y null");
}

static void
on_finished (BraidResult *result, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_not_done_yet_and_notify_finish (void)
{
  g_autoptr (BraidResource) page = braid_resource_new ();
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/slow");
  g_autoptr (BraidRequest) held = NULL;
  g_autoptr (BraidDeferred) d = NULL;
  g_autoptr (BraidDeferred) late = NULL;
  g_autofree char *body = NULL;
  guint fired = 0;

  braid_resource_set_render_func (page, "GET", render_later, &held, NULL);
  braid_fake_request_render (request, page);
  g_assert_true (held == BRAID_REQUEST (request));
  g_assert_false (braid_request_is_finished (held));
  d = braid_request_notify_finish (held);
  braid_deferred_add_callback (d, on_finished, &fired, NULL);

  braid_request_set_header (held, "Content-Type", "text/plain");
  braid_request_write_string (held, "one ");
  g_assert_true (braid_request_is_started (held));
  braid_request_write_string (held, "two");
  g_assert_cmpuint (fired, ==, 0);
  braid_request_finish (held);
  g_assert_cmpuint (fired, ==, 1);
  body = written (request);
  g_assert_cmpstr (body, ==, "one two");
  g_assert_cmpuint (braid_fake_request_get_write_count (request), ==, 2);

  /* Asked after the end: already fired. */
  late = braid_request_notify_finish (held);
  g_assert_true (braid_deferred_is_called (late));
}

static void
test_misuse_is_reported (void)
{
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/");
  BraidRequest *r = BRAID_REQUEST (request);

  braid_request_write_string (r, "x");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already sent*");
  braid_request_set_header (r, "X-Late", "1");
  g_test_assert_expected_messages ();
  braid_request_finish (r);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*after braid_request_finish*");
  braid_request_write_string (r, "y");
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already finished*");
  braid_request_finish (r);
  g_test_assert_expected_messages ();
}

static void
test_lost_connection_fails_notify_finish (void)
{
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/");
  BraidRequest *r = BRAID_REQUEST (request);
  g_autoptr (BraidDeferred) d = braid_request_notify_finish (r);
  g_autoptr (BraidDeferred) after = NULL;
  g_autoptr (GError) reason = braid_test_new_close_reason (FALSE);

  braid_request_connection_lost (r, reason);
  g_error_free (braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  after = braid_request_notify_finish (r);
  g_error_free (braid_assert_failure_result (after, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  braid_request_write_string (r, "ignored");
  braid_request_finish (r);
  g_assert_cmpuint (braid_fake_request_get_write_count (request), ==, 0);
  g_assert_false (braid_request_is_finished (r));
}

static void
test_error_resource_and_set_header (void)
{
  g_autoptr (BraidResource) forbidden = braid_error_resource_new (403, "Forbidden", "<no>");
  g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/x");
  BraidRequest *r = BRAID_REQUEST (request);
  g_autofree char *body = NULL;

  braid_request_add_header (r, "Set-Cookie", "a=1");
  braid_request_set_header (r, "set-cookie", "b=2");
  g_assert_cmpstr (braid_request_get_response_header (r, "Set-Cookie"), ==, "b=2");
  braid_fake_request_render (request, forbidden);
  g_assert_cmpuint (braid_request_get_response_code (r), ==, 403);
  body = written (request);
  g_assert_nonnull (strstr (body, "&lt;no&gt;"));
}

static void
test_http_dates (void)
{
  g_autofree char *text = braid_http_date (784111777);
  gint64 t = 0;

  g_assert_cmpstr (text, ==, "Sun, 06 Nov 1994 08:49:37 GMT");
  g_assert_true (braid_http_date_parse (text, &t));
  g_assert_cmpint (t, ==, 784111777);
  g_assert_false (braid_http_date_parse ("Sunday, 06-Nov-94 08:49:37 GMT", &t));
  g_assert_false (braid_http_date_parse ("Sun, 06 Nox 1994 08:49:37 GMT", &t));
  g_assert_false (braid_http_date_parse ("Sun, 06 Nov 1994 08:49:37 GMT x", &t));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidResource and BraidRequest, tested with BraidFakeRequest");

  braid_test_add_func ("/resource/render-per-method-405", test_render_per_method_and_405);
  braid_test_add_func ("/resource/tree-leaf-404", test_tree_leaf_and_404);
  braid_test_add_func ("/resource/slash-is-empty-child", test_slash_is_the_empty_child);
  braid_test_add_func ("/resource/put-self-no-cycle", test_put_self_makes_no_cycle);
  braid_test_add_func ("/resource/args-headers", test_query_arguments_and_headers);
  braid_test_add_func ("/resource/not-done-yet", test_not_done_yet_and_notify_finish);
  braid_test_add_func ("/resource/misuse", test_misuse_is_reported);
  braid_test_add_func ("/resource/lost-connection", test_lost_connection_fails_notify_finish);
  braid_test_add_func ("/resource/error-resource", test_error_resource_and_set_header);
  braid_test_add_func ("/resource/http-dates", test_http_dates);

  return g_test_run ();
}
