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

/* Members that fired before the list was made: a fired member fires the
 * list while the list is being built; the list once freed its shared state
 * then and read it again for the next member. Every flag combination is
 * tried with a fired member (a value or an error) at every position; run it
 * under valgrind or ASan to see a use after free, if one comes back. */
#define N_MEMBERS 3

typedef struct
{
  BraidDeferredListFlags flags;
  guint position;          /* the member fired before the list is made */
  gboolean fired_with_error;
} Case;

static void
swallow_error (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, NULL, NULL);
}

static void
note_fired (BraidResult *result, gpointer data)
{
  *(gboolean *) data = TRUE;
  braid_result_set_value (result, NULL, NULL);
}

/* What Twisted's DeferredList does with these flags when only @c's member
 * has fired: does the list fire? */
static gboolean
list_fires_at_once (const Case *c)
{
  if (c->fired_with_error)
    return (c->flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK) != 0;
  return (c->flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK) != 0;
}

static void
test_one_member_fired_before_the_list (gconstpointer data)
{
  const Case *c = data;
  BraidDeferred *members[N_MEMBERS];
  g_autoptr (BraidDeferred) list = NULL;
  gboolean fired = FALSE;

  for (guint i = 0; i < N_MEMBERS; i++)
    members[i] = braid_deferred_new ();
  if (c->fired_with_error)
    braid_deferred_errback (members[c->position],
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "early"));
  else
    braid_deferred_callback (members[c->position], g_strdup ("early"), g_free);

  list = braid_deferred_list_new (members, N_MEMBERS, c->flags);
  braid_deferred_add_both (list, note_fired, &fired, NULL);
  g_assert_cmpint (fired, ==, list_fires_at_once (c));

  /* The others fire later: the list takes them in, or ignores them once
   * it has fired, and never touches freed state. */
  for (guint i = 0; i < N_MEMBERS; i++)
    if (i != c->position)
      braid_deferred_callback (members[i], g_strdup ("late"), g_free);
  g_assert_true (fired);

  for (guint i = 0; i < N_MEMBERS; i++)
    {
      braid_deferred_add_errback (members[i], swallow_error, NULL, NULL);
      braid_deferred_unref (members[i]);
    }
}

/* braid_gather_results() with its first member failed already. */
static void
test_gather_with_first_member_failed (void)
{
  g_autoptr (BraidDeferred) failed =
    braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "first"));
  g_autoptr (BraidDeferred) pending = braid_deferred_new ();
  g_autoptr (BraidDeferred) fine = braid_succeed (NULL, NULL);
  BraidDeferred *members[] = { failed, pending, fine };
  g_autoptr (BraidDeferred) gathered = braid_gather_results (members, 3);
  g_autoptr (GError) error = braid_assert_failure_result (gathered, G_IO_ERROR, G_IO_ERROR_FAILED);

  g_assert_cmpstr (error->message, ==, "first");
  braid_deferred_callback (pending, NULL, NULL);
}

int
main (int argc, char **argv)
{
  static const BraidDeferredListFlags flag_sets[] = {
    BRAID_DEFERRED_LIST_FIRE_ON_ALL,
    BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK,
    BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK,
    BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK | BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK,
  };
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);

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
  braid_test_add_func ("/deferred-list/gather/values-in-order", test_gather_gives_values_in_order);
  braid_test_add_func ("/deferred-list/gather/first-error-with-index", test_gather_fails_with_the_first_error_and_its_index);
  braid_test_add_func ("/deferred-list/gather/cancel", test_gather_cancel_cancels_members);

  for (guint f = 0; f < G_N_ELEMENTS (flag_sets); f++)
    for (guint consume = 0; consume < 2; consume++)
      for (guint position = 0; position < N_MEMBERS; position++)
        for (guint with_error = 0; with_error < 2; with_error++)
          {
            Case *c = g_new0 (Case, 1);
            g_autofree char *path = NULL;

            c->flags = flag_sets[f] | (consume ? BRAID_DEFERRED_LIST_CONSUME_ERRORS : 0);
            c->position = position;
            c->fired_with_error = with_error;
            path = g_strdup_printf ("/deferred-list/fired-members/flags-%u/member-%u-%s",
                                    c->flags, position, with_error ? "error" : "value");
            g_test_add_data_func (path, c, test_one_member_fired_before_the_list);
            g_ptr_array_add (cases, c);
          }
  braid_test_add_func ("/deferred-list/fired-members/gather-first-failed",
                       test_gather_with_first_member_failed);


  return g_test_run ();
}
