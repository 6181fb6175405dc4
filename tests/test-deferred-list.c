/* test-deferred-list.c: deferred lists and braid_gather_results(). */
#include <braid-fakes.h>

static GError *
new_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

static void
make_members (BraidDeferred **members, guint n)
{
  for (guint i = 0; i < n; i++)
    members[i] = braid_deferred_new ();
}

static void
drop_members (BraidDeferred **members, guint n)
{
  for (guint i = 0; i < n; i++)
    braid_deferred_unref (members[i]);
}

static const char *
entry_value (GPtrArray *results, guint i)
{
  BraidResult *entry = g_ptr_array_index (results, i);

  g_assert_false (braid_result_is_error (entry));
  g_assert_cmpint (braid_result_get_index (entry), ==, i);
  return braid_result_get_value (entry);
}

static void
handle_any_error (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, NULL, NULL);
}

static void
test_list_fires_when_all_have_fired_in_member_order (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) list = NULL;
  GPtrArray *results;

  make_members (members, 3);
  list = braid_deferred_list_new (members, 3, BRAID_DEFERRED_LIST_FIRE_ON_ALL);
  braid_deferred_callback (members[2], g_strdup ("c"), g_free);
  braid_deferred_callback (members[0], g_strdup ("a"), g_free);
  braid_assert_no_result (list);
  braid_deferred_callback (members[1], g_strdup ("b"), g_free);

  results = braid_assert_success_result (list);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (entry_value (results, 0), ==, "a");
  g_assert_cmpstr (entry_value (results, 1), ==, "b");
  g_assert_cmpstr (entry_value (results, 2), ==, "c");
  /* The list took the values: the members' chains carry NULL now. */
  g_assert_null (braid_assert_success_result (members[0]));
  drop_members (members, 3);
}

static void
test_list_records_errors_and_leaves_them_to_members (void)
{
  BraidDeferred *members[2];
  g_autoptr (BraidDeferred) list = NULL;
  g_autoptr (GError) member_error = NULL;
  GPtrArray *results;
  BraidResult *entry;

  make_members (members, 2);
  list = braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ALL);
  braid_deferred_errback (members[0], new_error ("first broke"));
  braid_deferred_callback (members[1], "fine", NULL);

  results = braid_assert_success_result (list);
  entry = g_ptr_array_index (results, 0);
  g_assert_true (braid_result_is_error (entry));
  g_assert_cmpstr (braid_result_get_error (entry)->message, ==, "first broke");
  g_assert_cmpstr (entry_value (results, 1), ==, "fine");
  /* Without CONSUME_ERRORS, the member still has its error to handle. */
  member_error = braid_assert_failure_result (members[0], G_IO_ERROR, G_IO_ERROR_FAILED);
  drop_members (members, 2);
}

static void
test_list_consumes_errors_when_asked (void)
{
  BraidDeferred *members[2];
  g_autoptr (BraidDeferred) list = NULL;
  GPtrArray *results;

  make_members (members, 2);
  list = braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  braid_deferred_errback (members[0], new_error ("consumed"));
  braid_deferred_errback (members[1], new_error ("also consumed"));
  results = braid_assert_success_result (list);
  g_assert_true (braid_result_is_error (g_ptr_array_index (results, 1)));
  g_assert_null (braid_assert_success_result (members[0]));
  g_assert_null (braid_assert_success_result (members[1]));
  drop_members (members, 2);
}

static void
test_list_fires_on_one_callback_with_its_index (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) list = NULL;

  make_members (members, 3);
  list = braid_deferred_list_new (members, 3, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK
                                              | BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  braid_deferred_errback (members[0], new_error ("mirror 0 down"));
  braid_assert_no_result (list);
  braid_deferred_callback (members[2], g_strdup ("from mirror 2"), g_free);
  g_assert_cmpstr (braid_assert_success_result (list), ==, "from mirror 2");

  /* A later member is left alone: its value stays its own. */
  braid_deferred_callback (members[1], "late", NULL);
  g_assert_cmpstr (braid_assert_success_result (members[1]), ==, "late");
  drop_members (members, 3);
}

static void
record_index (BraidResult *result, gpointer data)
{
  *(gint *) data = braid_result_get_index (result);
}

static void
test_list_fire_on_one_callback_tells_the_index (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) list = NULL;
  gint index = -7;

  make_members (members, 3);
  list = braid_deferred_list_new (members, 3, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);
  braid_deferred_add_callback (list, record_index, &index, NULL);
  braid_deferred_callback (members[1], "won", NULL);
  g_assert_cmpint (index, ==, 1);
  braid_deferred_callback (members[0], NULL, NULL);
  braid_deferred_callback (members[2], NULL, NULL);
  drop_members (members, 3);
}

static void
test_list_fire_on_one_callback_when_all_fail_gives_the_array (void)
{
  BraidDeferred *members[2];
  g_autoptr (BraidDeferred) list = NULL;
  GPtrArray *results;

  make_members (members, 2);
  list = braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK
                                              | BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  braid_deferred_errback (members[0], new_error ("a"));
  braid_deferred_errback (members[1], new_error ("b"));
  results = braid_assert_success_result (list);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_true (braid_result_is_error (g_ptr_array_index (results, 0)));
  g_assert_true (braid_result_is_error (g_ptr_array_index (results, 1)));
  drop_members (members, 2);
}

static void
test_list_fires_on_one_errback_with_its_index (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) list = NULL;
  g_autoptr (GError) error = NULL;
  gint index = -7;

  make_members (members, 3);
  list = braid_deferred_list_new (members, 3, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK
                                              | BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  braid_deferred_add_errback (list, record_index, &index, NULL);
  braid_deferred_callback (members[0], "ok", NULL);
  braid_deferred_errback (members[2], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                            "member 2 failed"));
  g_assert_cmpint (index, ==, 2);
  error = braid_assert_failure_result (list, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "member 2 failed");
  /* Later errors are consumed, not reported. */
  braid_deferred_errback (members[1], new_error ("ignored"));
  g_assert_null (braid_assert_success_result (members[1]));
  drop_members (members, 3);
}

static void
test_list_without_consume_leaves_later_errors_to_members (void)
{
  BraidDeferred *members[2];
  g_autoptr (BraidDeferred) list = NULL;
  g_autoptr (GError) first = NULL;
  g_autoptr (GError) copy = NULL;
  g_autoptr (GError) later = NULL;

  make_members (members, 2);
  list = braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);
  braid_deferred_errback (members[0], new_error ("first"));
  braid_deferred_errback (members[1], new_error ("second"));
  copy = braid_assert_failure_result (list, G_IO_ERROR, G_IO_ERROR_FAILED);
  first = braid_assert_failure_result (members[0], G_IO_ERROR, G_IO_ERROR_FAILED);
  later = braid_assert_failure_result (members[1], G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (copy->message, ==, "first");
  g_assert_cmpstr (later->message, ==, "second");
  drop_members (members, 2);
}

static void
test_list_of_nothing_fires_at_once (void)
{
  g_autoptr (BraidDeferred) all = braid_deferred_list_new (NULL, 0, BRAID_DEFERRED_LIST_FIRE_ON_ALL);
  g_autoptr (BraidDeferred) one = braid_deferred_list_new (NULL, 0, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);
  g_autoptr (BraidDeferred) gathered = braid_gather_results (NULL, 0);
  GPtrArray *results;

  results = braid_assert_success_result (all);
  g_assert_cmpuint (results->len, ==, 0);
  /* As in Twisted, an empty list waiting for one value never fires. */
  braid_assert_no_result (one);
  results = braid_assert_success_result (gathered);
  g_assert_cmpuint (results->len, ==, 0);
}

static void
test_list_of_fired_members_fires_at_once (void)
{
  BraidDeferred *members[2] = { braid_succeed ("x", NULL), braid_succeed ("y", NULL) };
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (members, 2, 0);
  GPtrArray *results = braid_assert_success_result (list);

  g_assert_cmpstr (entry_value (results, 0), ==, "x");
  g_assert_cmpstr (entry_value (results, 1), ==, "y");
  drop_members (members, 2);
}

static void
test_cancelling_the_list_cancels_its_members (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) list = NULL;
  GPtrArray *results;

  make_members (members, 3);
  list = braid_deferred_list_new (members, 3, BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  braid_deferred_callback (members[1], "done before", NULL);
  braid_deferred_cancel (list);
  results = braid_assert_success_result (list);
  g_assert_true (braid_result_check (g_ptr_array_index (results, 0), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_cmpstr (entry_value (results, 1), ==, "done before");
  g_assert_true (braid_result_check (g_ptr_array_index (results, 2), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_true (braid_deferred_is_called (members[0]));
  g_assert_true (braid_deferred_is_called (members[2]));
  drop_members (members, 3);
}

static void
keep_running (BraidDeferred *deferred, gpointer data)
{
  /* A canceller that cannot stop its work at once. */
}

static void
test_cancelled_members_keep_their_errors (void)
{
  BraidDeferred *members[1] = { braid_deferred_new_with_canceller (keep_running, NULL, NULL) };
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (members, 1, 0);

  braid_deferred_cancel (list);
  /* Cancelled members fail; with their error copied, the list fires with
   * the array, and the member's own error is the member's to handle. */
  braid_deferred_add_errback (members[0], handle_any_error, NULL, NULL);
  g_assert_true (braid_deferred_has_result (list));
  drop_members (members, 1);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_list_is_freed_with_members_that_never_fire (void)
{
  guint destroyed = 0;
  BraidDeferred *members[2];
  BraidDeferred *list;

  make_members (members, 2);
  list = braid_deferred_list_new (members, 2, 0);
  braid_deferred_add_callback (list, handle_any_error, &destroyed, count_destroy);
  braid_deferred_unref (list);      /* held by the members' links */
  braid_deferred_unref (members[0]);
  g_assert_cmpuint (destroyed, ==, 0);
  braid_deferred_unref (members[1]);   /* the last holder: the list goes too */
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_cancel_after_a_member_was_dropped (void)
{
  BraidDeferred *members[2];
  g_autoptr (BraidDeferred) list = NULL;
  g_autoptr (GError) error = NULL;

  make_members (members, 2);
  list = braid_deferred_list_new (members, 2, 0);
  braid_deferred_unref (members[0]);   /* can never fire now */
  braid_deferred_cancel (list);        /* cancels member 1 only */
  braid_deferred_add_errback (members[1], handle_any_error, NULL, NULL);
  error = braid_assert_failure_result (list, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_unref (members[1]);
}

static void
test_gather_gives_values_in_order (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) gathered = NULL;
  GPtrArray *values;

  make_members (members, 3);
  gathered = braid_gather_results (members, 3);
  braid_deferred_callback (members[1], g_strdup ("two"), g_free);
  braid_deferred_callback (members[2], g_strdup ("three"), g_free);
  braid_assert_no_result (gathered);
  braid_deferred_callback (members[0], g_strdup ("one"), g_free);
  values = braid_assert_success_result (gathered);
  g_assert_cmpuint (values->len, ==, 3);
  g_assert_cmpstr (braid_result_get_value (g_ptr_array_index (values, 0)), ==, "one");
  g_assert_cmpstr (braid_result_get_value (g_ptr_array_index (values, 1)), ==, "two");
  g_assert_cmpstr (braid_result_get_value (g_ptr_array_index (values, 2)), ==, "three");
  drop_members (members, 3);
}

static void
test_gather_fails_with_the_first_error_and_its_index (void)
{
  BraidDeferred *members[3];
  g_autoptr (BraidDeferred) gathered = NULL;
  g_autoptr (GError) error = NULL;
  gint index = -7;

  make_members (members, 3);
  gathered = braid_gather_results (members, 3);
  braid_deferred_add_errback (gathered, record_index, &index, NULL);
  braid_deferred_callback (members[0], "fine", NULL);
  braid_deferred_errback (members[1], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                            "member 1 was slow"));
  braid_deferred_errback (members[2], new_error ("too late to matter"));
  g_assert_cmpint (index, ==, 1);
  error = braid_assert_failure_result (gathered, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, "member 1 was slow");
  drop_members (members, 3);
}

static void
test_gather_cancel_cancels_members (void)
{
  BraidDeferred *members[2];
  g_autoptr (BraidDeferred) gathered = NULL;
  g_autoptr (GError) error = NULL;

  make_members (members, 2);
  gathered = braid_gather_results (members, 2);
  braid_deferred_cancel (gathered);
  error = braid_assert_failure_result (gathered, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (braid_deferred_is_called (members[0]));
  g_assert_true (braid_deferred_is_called (members[1]));
  drop_members (members, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Deferred lists and gather_results: waiting for several deferreds");

  braid_test_add_func ("/deferred-list/fire-on-all/values-in-order",
                       test_list_fires_when_all_have_fired_in_member_order);
  braid_test_add_func ("/deferred-list/fire-on-all/errors-copied",
                       test_list_records_errors_and_leaves_them_to_members);
  braid_test_add_func ("/deferred-list/consume-errors", test_list_consumes_errors_when_asked);
  braid_test_add_func ("/deferred-list/fire-on-one-callback/first-value",
                       test_list_fires_on_one_callback_with_its_index);
  braid_test_add_func ("/deferred-list/fire-on-one-callback/index",
                       test_list_fire_on_one_callback_tells_the_index);
  braid_test_add_func ("/deferred-list/fire-on-one-callback/all-fail",
                       test_list_fire_on_one_callback_when_all_fail_gives_the_array);
  braid_test_add_func ("/deferred-list/fire-on-one-errback/first-error",
                       test_list_fires_on_one_errback_with_its_index);
  braid_test_add_func ("/deferred-list/fire-on-one-errback/no-consume",
                       test_list_without_consume_leaves_later_errors_to_members);
  braid_test_add_func ("/deferred-list/empty", test_list_of_nothing_fires_at_once);
  braid_test_add_func ("/deferred-list/members-already-fired", test_list_of_fired_members_fires_at_once);
  braid_test_add_func ("/deferred-list/cancel/cancels-members", test_cancelling_the_list_cancels_its_members);
  braid_test_add_func ("/deferred-list/cancel/members-keep-errors",
                       test_cancelled_members_keep_their_errors);
  braid_test_add_func ("/deferred-list/cancel/after-member-dropped", test_cancel_after_a_member_was_dropped);
  braid_test_add_func ("/deferred-list/freed-with-unfired-members", test_list_is_freed_with_members_that_never_fire);
  braid_test_add_func ("/gather/values-in-order", test_gather_gives_values_in_order);
  braid_test_add_func ("/gather/first-error-with-index", test_gather_fails_with_the_first_error_and_its_index);
  braid_test_add_func ("/gather/cancel", test_gather_cancel_cancels_members);

  return g_test_run ();
}
