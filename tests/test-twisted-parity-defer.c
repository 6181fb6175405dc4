/* test-twisted-parity-defer.c: Twisted's twisted/test/test_defer.py, ported.
 *
 * Each test names the Twisted test it ports. A Twisted `Deferred` becomes a
 * BraidDeferred; a `DeferredList` result list of (success, result) tuples
 * becomes a GPtrArray of BraidResult; `FirstError` becomes the member's own
 * error with braid_result_get_index() telling which member failed (see
 * braid_deferred_list_new_full()). docs/twisted-parity.md lists what is
 * ported and what has no equivalent. */
#include <braid-fakes.h>

static GError *
generic_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

static void
swallow_error (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, NULL, NULL);
}

/* Twisted's fakeCallbackCanceller: a canceller that fires with a value. */
static void
callback_canceller (BraidDeferred *deferred, gpointer data)
{
  braid_deferred_callback (deferred, (gpointer) "Callback Result", NULL);
}

static BraidResult *
entry_at (GPtrArray *results, guint i)
{
  BraidResult *entry = g_ptr_array_index (results, i);

  g_assert_cmpint (braid_result_get_index (entry), ==, (gint) i);
  return entry;
}

/* Records every result a deferred's chain passes, as Twisted's tests do
 * with `d.addCallbacks(result.append, result.append)`. */
typedef struct
{
  guint values;
  guint errors;
  gpointer last_value;
  GError *last_error;
} Seen;

static void
seen_clear (Seen *seen)
{
  g_clear_error (&seen->last_error);
}

static void
see_value (BraidResult *result, gpointer data)
{
  Seen *seen = data;

  seen->values++;
  seen->last_value = braid_result_get_value (result);
}

static void
see_error_and_handle (BraidResult *result, gpointer data)
{
  Seen *seen = data;

  seen->errors++;
  g_clear_error (&seen->last_error);
  seen->last_error = braid_result_steal_error (result);
  braid_result_set_value (result, NULL, NULL);
}

static void
watch (BraidDeferred *deferred, Seen *seen)
{
  braid_deferred_add_callbacks (deferred, see_value, see_error_and_handle, seen, NULL);
}

/* twisted.test.test_defer.DeferredTests.testDeferredList */
static void
test_deferred_list (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  g_autoptr (BraidDeferred) three = braid_deferred_new ();
  BraidDeferred *members[] = { one, two, three };
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (members, 3, 0);
  GPtrArray *results;

  braid_deferred_callback (one, (gpointer) "1", NULL);
  braid_deferred_add_errback (two, swallow_error, NULL, NULL);
  braid_deferred_errback (two, generic_error ("2"));
  braid_deferred_callback (three, (gpointer) "3", NULL);

  results = braid_assert_success_result (list);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (braid_result_get_value (entry_at (results, 0)), ==, "1");
  g_assert_true (braid_result_is_error (entry_at (results, 1)));
  g_assert_cmpstr (braid_result_get_error (entry_at (results, 1))->message, ==, "2");
  g_assert_cmpstr (braid_result_get_value (entry_at (results, 2)), ==, "3");
}

/* twisted.test.test_defer.DeferredTests.testEmptyDeferredList: an empty
 * list fires at once with an empty list, but an empty list that waits for
 * one value never fires. */
static void
test_empty_deferred_list (void)
{
  g_autoptr (BraidDeferred) all = braid_deferred_list_new (NULL, 0, 0);
  g_autoptr (BraidDeferred) on_one =
    braid_deferred_list_new (NULL, 0, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);
  GPtrArray *results = braid_assert_success_result (all);

  g_assert_cmpuint (results->len, ==, 0);
  braid_assert_no_result (on_one);
}

/* twisted.test.test_defer.DeferredListEmptyTests.testDeferredListEmpty */
static void
test_deferred_list_empty (void)
{
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (NULL, 0, 0);
  GPtrArray *results = braid_assert_success_result (list);

  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, 0);
}

/* twisted.test.test_defer.DeferredTests.testDeferredListFireOnOneError */
static void
test_deferred_list_fire_on_one_error (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  g_autoptr (BraidDeferred) three = braid_deferred_new ();
  BraidDeferred *members[] = { one, two, three };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 3, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);
  Seen seen = { 0 };

  braid_deferred_add_errback (list, see_error_and_handle, &seen, NULL);
  braid_deferred_add_errback (two, swallow_error, NULL, NULL);

  braid_deferred_callback (one, (gpointer) "1", NULL);
  g_assert_cmpuint (seen.errors, ==, 0);

  braid_deferred_errback (two, generic_error ("from def2"));
  g_assert_cmpuint (seen.errors, ==, 1);
  g_assert_error (seen.last_error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (seen.last_error->message, ==, "from def2");
  seen_clear (&seen);
  braid_deferred_callback (three, NULL, NULL);
}

/* twisted.test.test_defer.DeferredTests.testDeferredListFireOnOneError's
 * `firstError.index == 1`: the failed member's position. */
static void
note_index_and_handle (BraidResult *result, gpointer data)
{
  *(gint *) data = braid_result_get_index (result);
  braid_result_set_value (result, NULL, NULL);
}

static void
test_deferred_list_fire_on_one_error_index (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK
                                         | BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  gint index = -1;

  braid_deferred_add_errback (list, note_index_and_handle, &index, NULL);
  braid_deferred_errback (two, generic_error ("from def2"));
  g_assert_cmpint (index, ==, 1);
  braid_deferred_callback (one, NULL, NULL);
}

/* twisted.test.test_defer.DeferredTests.testDeferredListDontConsumeErrors */
static void
test_deferred_list_dont_consume_errors (void)
{
  g_autoptr (BraidDeferred) member = braid_deferred_new ();
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (&member, 1, 0);
  Seen trap = { 0 };
  GPtrArray *results;

  braid_deferred_errback (member, generic_error ("Bang"));
  watch (member, &trap);
  g_assert_cmpuint (trap.errors, ==, 1);
  g_assert_cmpstr (trap.last_error->message, ==, "Bang");
  results = braid_assert_success_result (list);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (braid_result_get_error (entry_at (results, 0))->message, ==, "Bang");
  seen_clear (&trap);
}

/* twisted.test.test_defer.DeferredTests.testDeferredListConsumeErrors */
static void
test_deferred_list_consume_errors (void)
{
  g_autoptr (BraidDeferred) member = braid_deferred_new ();
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (&member, 1, BRAID_DEFERRED_LIST_CONSUME_ERRORS);
  Seen trap = { 0 };
  GPtrArray *results;

  braid_deferred_errback (member, generic_error ("Bang"));
  watch (member, &trap);
  g_assert_cmpuint (trap.errors, ==, 0);
  results = braid_assert_success_result (list);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (braid_result_get_error (entry_at (results, 0))->message, ==, "Bang");
}

/* twisted.test.test_defer.DeferredTests.
 * testDeferredListFireOnOneErrorWithAlreadyFiredDeferreds: the list used
 * to free its state while it was still being built (use after free). */
static void
test_deferred_list_fire_on_one_error_with_already_fired_deferreds (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list = NULL;
  Seen seen = { 0 };

  braid_deferred_errback (one, generic_error ("Bang"));
  list = braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);
  braid_deferred_add_errback (list, see_error_and_handle, &seen, NULL);
  g_assert_cmpuint (seen.errors, ==, 1);
  braid_deferred_add_errback (one, swallow_error, NULL, NULL);
  seen_clear (&seen);
  braid_deferred_callback (two, NULL, NULL);
}

/* twisted.test.test_defer.DeferredTests.testDeferredListWithAlreadyFiredDeferreds */
static void
test_deferred_list_with_already_fired_deferreds (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list = NULL;
  Seen seen = { 0 };

  braid_deferred_errback (one, generic_error ("Bang"));
  braid_deferred_callback (two, GINT_TO_POINTER (2), NULL);
  list = braid_deferred_list_new (members, 2, 0);
  braid_deferred_add_callback (list, see_value, &seen, NULL);
  g_assert_cmpuint (seen.values, ==, 1);
  braid_deferred_add_errback (one, swallow_error, NULL, NULL);
}

/* twisted.test.test_defer.DeferredTests.test_cancelDeferredList */
static void
test_cancel_deferred_list (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (members, 2, 0);
  g_autoptr (GError) error_one = NULL;
  g_autoptr (GError) error_two = NULL;

  braid_deferred_cancel (list);
  error_one = braid_assert_failure_result (one, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  error_two = braid_assert_failure_result (two, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_assert_success_result (list);
}

/* twisted.test.test_defer.DeferredTests.test_cancelDeferredListCallback */
static void
test_cancel_deferred_list_callback (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (members, 2, 0);
  g_autoptr (GError) error = NULL;
  GPtrArray *results;

  braid_deferred_cancel (list);
  error = braid_assert_failure_result (two, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  results = braid_assert_success_result (list);
  g_assert_false (braid_result_is_error (entry_at (results, 0)));
  g_assert_cmpstr (braid_result_get_value (entry_at (results, 0)), ==, "Callback Result");
  g_assert_true (braid_result_check (entry_at (results, 1), G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

/* twisted.test.test_defer.DeferredTests.test_cancelDeferredListWithFireOnOneCallback */
static void
test_cancel_deferred_list_with_fire_on_one_callback (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);
  g_autoptr (GError) error_one = NULL;
  g_autoptr (GError) error_two = NULL;

  braid_deferred_cancel (list);
  error_one = braid_assert_failure_result (one, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  error_two = braid_assert_failure_result (two, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_assert_success_result (list);
}

/* twisted.test.test_defer.DeferredTests.
 * test_cancelDeferredListWithFireOnOneCallbackAndDeferredCallback */
static void
test_cancel_deferred_list_with_fire_on_one_callback_and_deferred_callback (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);
  g_autoptr (GError) error = NULL;
  Seen seen = { 0 };

  braid_deferred_cancel (list);
  error = braid_assert_failure_result (two, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_assert_success_result (list);
  watch (list, &seen);
  g_assert_cmpstr (seen.last_value, ==, "Callback Result");
}

/* twisted.test.test_defer.DeferredTests.test_cancelDeferredListWithFireOnOneErrback */
static void
test_cancel_deferred_list_with_fire_on_one_errback (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);
  g_autoptr (GError) error_one = NULL;
  g_autoptr (GError) error_two = NULL;
  g_autoptr (GError) first_error = NULL;

  braid_deferred_cancel (list);
  error_one = braid_assert_failure_result (one, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  error_two = braid_assert_failure_result (two, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  first_error = braid_assert_failure_result (list, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* twisted.test.test_defer.DeferredTests.
 * test_cancelDeferredListWithFireOnOneErrbackAllDeferredsCallback */
static void
test_cancel_deferred_list_with_fire_on_one_errback_all_deferreds_callback (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  g_autoptr (BraidDeferred) two = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);
  GPtrArray *results;

  braid_deferred_cancel (list);
  results = braid_assert_success_result (list);
  g_assert_cmpstr (braid_result_get_value (entry_at (results, 0)), ==, "Callback Result");
  g_assert_cmpstr (braid_result_get_value (entry_at (results, 1)), ==, "Callback Result");
}

/* twisted.test.test_defer.DeferredTests.test_cancelDeferredListWithOriginalDeferreds:
 * the list keeps its own copy of the array of members. */
static void
test_cancel_deferred_list_with_original_deferreds (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  g_autoptr (BraidDeferred) three = braid_deferred_new ();
  BraidDeferred *members[3] = { one, two, NULL };
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (members, 2, 0);
  g_autoptr (GError) error_one = NULL;
  g_autoptr (GError) error_two = NULL;

  members[2] = three;
  braid_deferred_cancel (list);
  error_one = braid_assert_failure_result (one, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  error_two = braid_assert_failure_result (two, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_assert_no_result (three);
  braid_assert_success_result (list);
}

/* twisted.test.test_defer.DeferredTests.test_cancelFiredOnOneCallbackDeferredList */
static void
test_cancel_fired_on_one_callback_deferred_list (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);

  braid_deferred_callback (one, NULL, NULL);
  braid_deferred_cancel (list);
  braid_assert_no_result (two);
  braid_deferred_callback (two, NULL, NULL);
}

/* twisted.test.test_defer.DeferredTests.test_cancelFiredOnOneErrbackDeferredList */
static void
test_cancel_fired_on_one_errback_deferred_list (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (members, 2, BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);
  g_autoptr (GError) member_error = NULL;
  g_autoptr (GError) list_error = NULL;

  braid_deferred_errback (one, generic_error ("test"));
  braid_deferred_cancel (list);
  braid_assert_no_result (two);
  member_error = braid_assert_failure_result (one, G_IO_ERROR, G_IO_ERROR_FAILED);
  list_error = braid_assert_failure_result (list, G_IO_ERROR, G_IO_ERROR_FAILED);
  braid_deferred_callback (two, NULL, NULL);
}

/* twisted.test.test_defer.DeferredTests.test_gatherResults */
static void
test_gather_results (void)
{
  g_autoptr (BraidDeferred) one = braid_succeed (GINT_TO_POINTER (1), NULL);
  g_autoptr (BraidDeferred) two = braid_succeed (GINT_TO_POINTER (2), NULL);
  BraidDeferred *good[] = { one, two };
  g_autoptr (BraidDeferred) gathered = braid_gather_results (good, 2);
  g_autoptr (BraidDeferred) three = braid_succeed (GINT_TO_POINTER (1), NULL);
  g_autoptr (BraidDeferred) four = braid_fail (generic_error ("ValueError"));
  BraidDeferred *bad[] = { three, four };
  g_autoptr (BraidDeferred) failed = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *results;

  results = braid_assert_success_result (gathered);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (braid_result_get_value (g_ptr_array_index (results, 0))), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (braid_result_get_value (g_ptr_array_index (results, 1))), ==, 2);

  /* The failing member is the second one: its error fires the gathering
   * deferred while the list is being built. */
  failed = braid_gather_results (bad, 2);
  error = braid_assert_failure_result (failed, G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* twisted.test.test_defer.DeferredTests.test_gatherResultsWithConsumeErrors
 * (braid_gather_results() always consumes its members' errors). */
static void
test_gather_results_with_consume_errors (void)
{
  g_autoptr (BraidDeferred) good = braid_succeed (GINT_TO_POINTER (1), NULL);
  g_autoptr (BraidDeferred) bad = braid_fail (generic_error ("oh noes"));
  BraidDeferred *members[] = { good, bad };
  g_autoptr (BraidDeferred) gathered = braid_gather_results (members, 2);
  Seen unconsumed = { 0 };
  Seen gathered_errors = { 0 };

  watch (bad, &unconsumed);
  watch (gathered, &gathered_errors);
  g_assert_cmpuint (unconsumed.errors, ==, 0);
  g_assert_cmpuint (gathered_errors.errors, ==, 1);
  g_assert_cmpstr (gathered_errors.last_error->message, ==, "oh noes");
  seen_clear (&gathered_errors);
}

/* twisted.test.test_defer.DeferredTests.test_cancelGatherResults */
static void
test_cancel_gather_results (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new ();
  g_autoptr (BraidDeferred) two = braid_deferred_new ();
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) gathered = braid_gather_results (members, 2);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (gathered);
  /* gatherResults consumes errors here: the members carry on with NULL. */
  braid_assert_success_result (one);
  braid_assert_success_result (two);
  error = braid_assert_failure_result (gathered, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* twisted.test.test_defer.DeferredTests.test_cancelGatherResultsWithAllDeferredsCallback */
static void
test_cancel_gather_results_with_all_deferreds_callback (void)
{
  g_autoptr (BraidDeferred) one = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  g_autoptr (BraidDeferred) two = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  BraidDeferred *members[] = { one, two };
  g_autoptr (BraidDeferred) gathered = braid_gather_results (members, 2);
  GPtrArray *results;

  braid_deferred_cancel (gathered);
  results = braid_assert_success_result (gathered);
  g_assert_cmpstr (braid_result_get_value (g_ptr_array_index (results, 0)), ==, "Callback Result");
  g_assert_cmpstr (braid_result_get_value (g_ptr_array_index (results, 1)), ==, "Callback Result");
}

/* Twisted's DeferredList._cbDeferred returns the member's result, so the
 * member's own later callbacks see it unchanged (no Twisted test names
 * this; testDeferredListDontConsumeErrors checks it for errors). Braid's
 * list holds its own reference to a reference-counted value. */
static void
test_member_value_passes_through_the_list (void)
{
  g_autoptr (BraidDeferred) member = braid_deferred_new ();
  g_autoptr (BraidDeferred) list = braid_deferred_list_new (&member, 1, 0);
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);
  GPtrArray *results;

  braid_deferred_callback (member, g_bytes_ref (value), (GDestroyNotify) g_bytes_unref);
  g_assert_true (braid_assert_success_result (member) == value);
  results = braid_assert_success_result (list);
  g_assert_true (braid_result_get_value (entry_at (results, 0)) == value);
}

/* As above, with fire-on-one-callback: the list's value and the member's
 * are the same object, each side holding a reference. */
static void
test_member_object_passes_through_a_fire_on_one_callback_list (void)
{
  g_autoptr (BraidDeferred) member = braid_deferred_new ();
  g_autoptr (BraidDeferred) list =
    braid_deferred_list_new (&member, 1, BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);
  g_autoptr (GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

  braid_deferred_callback (member, g_object_ref (object), g_object_unref);
  g_assert_true (braid_assert_success_result (member) == object);
  g_assert_true (braid_assert_success_result (list) == object);
  /* Ours, the member's and the list's. */
  g_assert_cmpuint (G_OBJECT (object)->ref_count, ==, 3);
}

/* ---------------------------------------------------------------------- */
/* DeferredCancellerTests */

typedef struct
{
  const char *callback_results;
  GError *errback_results;
  guint canceller_calls;
  BraidDeferred *expected;   /* test_cancellerArg */
} Canceller;

static void
canceller_callback (BraidResult *result, gpointer data)
{
  Canceller *c = data;

  c->callback_results = braid_result_get_value (result);
}

static void
canceller_errback (BraidResult *result, gpointer data)
{
  Canceller *c = data;

  g_clear_error (&c->errback_results);
  c->errback_results = g_error_copy (braid_result_get_error (result));
  braid_result_set_value (result, NULL, NULL);
}

static void
canceller_clear (Canceller *c)
{
  /* Twisted's tearDown: the canceller ran at most once. */
  g_assert_cmpuint (c->canceller_calls, <=, 1);
  g_clear_error (&c->errback_results);
}

static void
count_cancel (BraidDeferred *deferred, gpointer data)
{
  Canceller *c = data;

  c->canceller_calls++;
  if (c->expected != NULL)
    g_assert_true (deferred == c->expected);
}

static void
count_cancel_and_errback (BraidDeferred *deferred, gpointer data)
{
  ((Canceller *) data)->canceller_calls++;
  braid_deferred_errback (deferred, generic_error ("GenericError"));
}

static void
count_cancel_and_callback (BraidDeferred *deferred, gpointer data)
{
  ((Canceller *) data)->canceller_calls++;
  braid_deferred_callback (deferred, (gpointer) "hello!", NULL);
}

static BraidDeferred *
watched_deferred (Canceller *c, BraidCanceller canceller)
{
  BraidDeferred *d = canceller != NULL
                     ? braid_deferred_new_with_canceller (canceller, c, NULL)
                     : braid_deferred_new ();

  braid_deferred_add_callbacks (d, canceller_callback, canceller_errback, c, NULL);
  return d;
}

static void
expect_already_called (void)
{
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already called*");
}

/* twisted.test.test_defer.DeferredCancellerTests.test_noCanceller */
static void
test_no_canceller (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, NULL);

  braid_deferred_cancel (d);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (c.callback_results);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_raisesAfterCancelAndCallback */
static void
test_raises_after_cancel_and_callback (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, NULL);

  braid_deferred_cancel (d);
  /* A single extra callback is swallowed, a second is not. */
  g_assert_false (braid_deferred_callback (d, NULL, NULL));
  expect_already_called ();
  g_assert_false (braid_deferred_callback (d, NULL, NULL));
  g_test_assert_expected_messages ();
  expect_already_called ();
  g_assert_false (braid_deferred_errback (d, generic_error ("Exception")));
  g_test_assert_expected_messages ();
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_raisesAfterCancelAndErrback */
static void
test_raises_after_cancel_and_errback (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, NULL);

  braid_deferred_cancel (d);
  g_assert_false (braid_deferred_errback (d, generic_error ("Exception")));
  expect_already_called ();
  g_assert_false (braid_deferred_callback (d, NULL, NULL));
  g_test_assert_expected_messages ();
  expect_already_called ();
  g_assert_false (braid_deferred_errback (d, generic_error ("Exception")));
  g_test_assert_expected_messages ();
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_noCancellerMultipleCancelsAfterCancelAndCallback */
static void
test_no_canceller_multiple_cancels_after_cancel_and_callback (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, NULL);
  GError *current;

  braid_deferred_cancel (d);
  current = c.errback_results;
  braid_deferred_callback (d, NULL, NULL);
  braid_deferred_cancel (d);
  g_assert_true (c.errback_results == current);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_noCancellerMultipleCancelsAfterCancelAndErrback */
static void
test_no_canceller_multiple_cancels_after_cancel_and_errback (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, NULL);
  GError *current;

  braid_deferred_cancel (d);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  current = c.errback_results;
  braid_deferred_errback (d, generic_error ("GenericError"));
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_cancel (d);
  g_assert_true (c.errback_results == current);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_noCancellerMultipleCancel */
static void
test_no_canceller_multiple_cancel (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, NULL);
  GError *current;

  braid_deferred_cancel (d);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  current = c.errback_results;
  braid_deferred_cancel (d);
  g_assert_true (c.errback_results == current);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancellerMultipleCancel */
static void
test_canceller_multiple_cancel (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel);
  GError *current;

  braid_deferred_cancel (d);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  current = c.errback_results;
  braid_deferred_cancel (d);
  g_assert_true (c.errback_results == current);
  g_assert_cmpuint (c.canceller_calls, ==, 1);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_simpleCanceller */
static void
test_simple_canceller (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel);

  braid_deferred_cancel (d);
  g_assert_cmpuint (c.canceller_calls, ==, 1);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Further callbacks and errbacks are not swallowed. */
  expect_already_called ();
  braid_deferred_callback (d, NULL, NULL);
  g_test_assert_expected_messages ();
  expect_already_called ();
  braid_deferred_errback (d, generic_error ("Exception"));
  g_test_assert_expected_messages ();
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancellerArg */
static void
test_canceller_arg (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel);

  c.expected = d;
  braid_deferred_cancel (d);
  g_assert_cmpuint (c.canceller_calls, ==, 1);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancelAfterCallback */
static void
test_cancel_after_callback (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel_and_errback);

  braid_deferred_callback (d, (gpointer) "biff!", NULL);
  braid_deferred_cancel (d);
  g_assert_cmpuint (c.canceller_calls, ==, 0);
  g_assert_null (c.errback_results);
  g_assert_cmpstr (c.callback_results, ==, "biff!");
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancelAfterErrback */
static void
test_cancel_after_errback (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel_and_errback);

  braid_deferred_errback (d, generic_error ("GenericError"));
  braid_deferred_cancel (d);
  g_assert_cmpuint (c.canceller_calls, ==, 0);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_null (c.callback_results);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancellerThatErrbacks */
static void
test_canceller_that_errbacks (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel_and_errback);

  braid_deferred_cancel (d);
  g_assert_cmpuint (c.canceller_calls, ==, 1);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_FAILED);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancellerThatCallbacks */
static void
test_canceller_that_callbacks (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) d = watched_deferred (&c, count_cancel_and_callback);

  braid_deferred_cancel (d);
  g_assert_cmpuint (c.canceller_calls, ==, 1);
  g_assert_cmpstr (c.callback_results, ==, "hello!");
  g_assert_null (c.errback_results);
  canceller_clear (&c);
}

/* twisted.test.test_defer.DeferredCancellerTests.test_cancelNestedDeferred */
static void
never_cancel (BraidDeferred *deferred, gpointer data)
{
  g_assert_not_reached ();
}

static void
return_inner (BraidResult *result, gpointer data)
{
  /* The chain takes a reference; the test keeps its own. */
  braid_result_chain (result, braid_deferred_ref (data));
}

static void
test_cancel_nested_deferred (void)
{
  Canceller c = { 0 };
  g_autoptr (BraidDeferred) b = braid_deferred_new_with_canceller (count_cancel, &c, NULL);
  g_autoptr (BraidDeferred) a = braid_deferred_new_with_canceller (never_cancel, NULL, NULL);

  braid_deferred_callback (a, NULL, NULL);
  braid_deferred_add_callback (a, return_inner, b, NULL);
  braid_deferred_cancel (a);
  braid_deferred_add_callbacks (a, canceller_callback, canceller_errback, &c, NULL);
  g_assert_cmpuint (c.canceller_calls, ==, 1);
  g_assert_error (c.errback_results, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  canceller_clear (&c);
}

/* ---------------------------------------------------------------------- */
/* AlreadyCalledTests: firing twice is refused with a critical that names
 * where the deferred was made and first fired (Twisted's debug mode, which
 * Braid always has). */

typedef struct
{
  const char *name;
  gboolean first_is_error;
  gboolean second_is_error;
  gboolean debug;   /* the *Debug_* variant: check the message */
} AlreadyCalled;

static const AlreadyCalled already_called_cases[] = {
  { "testAlreadyCalled_CC", FALSE, FALSE, FALSE },
  { "testAlreadyCalled_CE", FALSE, TRUE, FALSE },
  { "testAlreadyCalled_EE", TRUE, TRUE, FALSE },
  { "testAlreadyCalled_EC", TRUE, FALSE, FALSE },
  { "testAlreadyCalledDebug_CC", FALSE, FALSE, TRUE },
  { "testAlreadyCalledDebug_CE", FALSE, TRUE, TRUE },
  { "testAlreadyCalledDebug_EC", TRUE, FALSE, TRUE },
  { "testAlreadyCalledDebug_EE", TRUE, TRUE, TRUE },
};

static void
fire_named (BraidDeferred *d, gboolean with_error, const char *fired_at)
{
  if (with_error)
    braid_deferred_errback_full (d, generic_error ("RuntimeError"), fired_at);
  else
    braid_deferred_callback_full (d, (gpointer) "hello", NULL, fired_at);
}

/* twisted.test.test_defer.AlreadyCalledTests.testAlreadyCalled{,Debug}_{CC,CE,EC,EE} */
static void
test_already_called (gconstpointer data)
{
  const AlreadyCalled *ac = data;
  g_autoptr (BraidDeferred) d = braid_deferred_new_full (NULL, NULL, NULL, ac->name);
  const char *first = ac->first_is_error ? "_err_1" : "_call_1";
  const char *second = ac->second_is_error ? "_err_2" : "_call_2";
  g_autofree char *pattern = NULL;

  braid_deferred_add_errback (d, swallow_error, NULL, NULL);
  fire_named (d, ac->first_is_error, first);
  if (ac->debug)
    pattern = g_strdup_printf ("*created at %s was already called at %s; fired again at %s*",
                               ac->name, first, second);
  else
    pattern = g_strdup ("*already called*");
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, pattern);
  fire_named (d, ac->second_is_error, second);
  g_test_assert_expected_messages ();
}

/* ---------------------------------------------------------------------- */
/* DeferredTests: firing, pausing, chaining */

/* Records the values and errors a chain passes, in order: "v:x" for a
 * value (x its string, or "null"), "e:msg" for an error (then handled). */
typedef struct
{
  GString *log;
} Trail;

static void
trail_value (BraidResult *result, gpointer data)
{
  Trail *trail = data;
  const char *value = braid_result_get_value (result);

  g_string_append_printf (trail->log, "v:%s ", value != NULL ? value : "null");
}

static void
trail_error (BraidResult *result, gpointer data)
{
  Trail *trail = data;

  g_string_append_printf (trail->log, "e:%s ", braid_result_get_error (result)->message);
  braid_result_set_value (result, NULL, NULL);
}

static void
trail_both (BraidDeferred *d, Trail *trail)
{
  braid_deferred_add_callbacks (d, trail_value, trail_error, trail, NULL);
}

static void
chain_to (BraidResult *result, gpointer data)
{
  braid_result_chain (result, braid_deferred_ref (data));
}

/* twisted.test.test_defer.DeferredTests.testImmediateSuccess */
static void
test_immediate_success (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) d = braid_succeed ((gpointer) "success", NULL);

  trail_both (d, &trail);
  g_assert_cmpstr (trail.log->str, ==, "v:success ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.testImmediateFailure */
static void
test_immediate_failure (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) d = braid_fail (generic_error ("fail"));

  trail_both (d, &trail);
  g_assert_cmpstr (trail.log->str, ==, "e:fail ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.testPausedFailure */
static void
test_paused_failure (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) d = braid_fail (generic_error ("fail"));

  braid_deferred_pause (d);
  trail_both (d, &trail);
  g_assert_cmpstr (trail.log->str, ==, "");
  braid_deferred_unpause (d);
  g_assert_cmpstr (trail.log->str, ==, "e:fail ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.testCallbackErrors */
static void
divide_by_zero (BraidResult *result, gpointer data)
{
  braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_FAILED, "ZeroDivisionError");
}

static void
return_failure (BraidResult *result, gpointer data)
{
  braid_result_take_error (result, generic_error ("ZeroDivisionError"));
}

static void
test_callback_errors (void)
{
  BraidCallback failing[] = { divide_by_zero, return_failure };

  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      Trail trail = { g_string_new (NULL) };
      g_autoptr (BraidDeferred) d = braid_deferred_new ();

      braid_deferred_add_callback (d, failing[i], NULL, NULL);
      braid_deferred_add_errback (d, trail_error, &trail, NULL);
      braid_deferred_callback (d, GINT_TO_POINTER (1), NULL);
      g_assert_cmpstr (trail.log->str, ==, "e:ZeroDivisionError ");
      g_string_free (trail.log, TRUE);
    }
}

/* twisted.test.test_defer.DeferredTests.testUnpauseBeforeCallback */
static void
test_unpause_before_callback (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_pause (d);
  trail_both (d, &trail);
  braid_deferred_unpause (d);
  g_assert_cmpstr (trail.log->str, ==, "");
  braid_deferred_callback (d, (gpointer) "x", NULL);
  g_assert_cmpstr (trail.log->str, ==, "v:x ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.testReturnDeferred */
static void
test_return_deferred (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) d1 = braid_deferred_new ();
  g_autoptr (BraidDeferred) d2 = braid_deferred_new ();

  braid_deferred_pause (d2);
  braid_deferred_add_callback (d1, chain_to, d2, NULL);
  braid_deferred_add_callback (d1, trail_value, &trail, NULL);
  braid_deferred_callback (d1, (gpointer) "1", NULL);
  g_assert_cmpstr (trail.log->str, ==, "");
  braid_deferred_callback (d2, (gpointer) "2", NULL);
  g_assert_cmpstr (trail.log->str, ==, "");
  braid_deferred_unpause (d2);
  g_assert_cmpstr (trail.log->str, ==, "v:2 ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_chainedPausedDeferredWithResult */
static void
test_chained_paused_deferred_with_result (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) paused = braid_deferred_new ();
  g_autoptr (BraidDeferred) chained = braid_deferred_new ();

  braid_deferred_callback (paused, (gpointer) "expected", NULL);
  braid_deferred_pause (paused);
  braid_deferred_add_callback (chained, chain_to, paused, NULL);
  braid_deferred_callback (chained, NULL, NULL);
  braid_deferred_add_callback (chained, trail_value, &trail, NULL);
  g_assert_cmpstr (trail.log->str, ==, "");
  braid_deferred_unpause (paused);
  g_assert_cmpstr (trail.log->str, ==, "v:expected ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_pausedDeferredChained */
static void
test_paused_deferred_chained (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_deferred_new ();
  g_autoptr (BraidDeferred) second = braid_deferred_new ();

  braid_deferred_add_callback (first, chain_to, second, NULL);
  braid_deferred_callback (first, NULL, NULL);
  braid_deferred_pause (first);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_add_callback (second, trail_value, &trail, NULL);
  g_assert_cmpstr (trail.log->str, ==, "v:null ");
  braid_deferred_unpause (first);
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_synchronousImplicitChain */
static void
test_synchronous_implicit_chain (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_succeed ((gpointer) "result", NULL);
  g_autoptr (BraidDeferred) second = braid_deferred_new ();

  braid_deferred_add_callback (second, chain_to, first, NULL);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_add_callback (first, trail_value, &trail, NULL);
  braid_deferred_add_callback (second, trail_value, &trail, NULL);
  g_assert_cmpstr (trail.log->str, ==, "v:null v:result ");
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_asynchronousImplicitChain */
static void
test_asynchronous_implicit_chain (void)
{
  Trail first_trail = { g_string_new (NULL) };
  Trail second_trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_deferred_new ();
  g_autoptr (BraidDeferred) second = braid_deferred_new ();

  braid_deferred_add_callback (second, chain_to, first, NULL);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_add_callback (first, trail_value, &first_trail, NULL);
  braid_deferred_add_callback (second, trail_value, &second_trail, NULL);
  g_assert_cmpstr (first_trail.log->str, ==, "");
  g_assert_cmpstr (second_trail.log->str, ==, "");
  braid_deferred_callback (first, (gpointer) "result", NULL);
  g_assert_cmpstr (first_trail.log->str, ==, "v:null ");
  g_assert_cmpstr (second_trail.log->str, ==, "v:result ");
  g_string_free (first_trail.log, TRUE);
  g_string_free (second_trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_synchronousImplicitErrorChain */
static void
test_synchronous_implicit_error_chain (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_fail (generic_error ("First Deferred's Failure"));
  g_autoptr (BraidDeferred) second = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_callback (second, chain_to, first, NULL);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_add_callback (first, trail_value, &trail, NULL);
  g_assert_cmpstr (trail.log->str, ==, "v:null ");
  error = braid_assert_failure_result (second, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_string_free (trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_asynchronousImplicitErrorChain */
static void
test_asynchronous_implicit_error_chain (void)
{
  Trail first_trail = { g_string_new (NULL) };
  Trail second_trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_deferred_new ();
  g_autoptr (BraidDeferred) second = braid_deferred_new ();

  braid_deferred_add_callback (second, chain_to, first, NULL);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_add_errback (second, trail_error, &second_trail, NULL);
  braid_deferred_add_callback (first, trail_value, &first_trail, NULL);
  braid_deferred_add_callback (second, trail_value, &second_trail, NULL);
  g_assert_cmpstr (first_trail.log->str, ==, "");
  g_assert_cmpstr (second_trail.log->str, ==, "");
  braid_deferred_errback (first, generic_error ("First Deferred's Failure"));
  g_assert_cmpstr (second_trail.log->str, ==, "e:First Deferred's Failure v:null ");
  g_assert_cmpstr (first_trail.log->str, ==, "v:null ");
  g_string_free (first_trail.log, TRUE);
  g_string_free (second_trail.log, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_doubleAsynchronousImplicitChaining */
static void
test_double_asynchronous_implicit_chaining (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_deferred_new ();
  g_autoptr (BraidDeferred) second = braid_deferred_new ();
  g_autoptr (BraidDeferred) third = braid_deferred_new ();

  braid_deferred_add_callback (second, chain_to, first, NULL);
  braid_deferred_add_callback (third, chain_to, second, NULL);
  braid_deferred_add_callback (third, trail_value, &trail, NULL);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_callback (third, NULL, NULL);
  g_assert_cmpstr (trail.log->str, ==, "");
  braid_deferred_callback (first, (gpointer) "result", NULL);
  g_assert_cmpstr (trail.log->str, ==, "v:result ");
  g_string_free (trail.log, TRUE);
}

/* ---------------------------------------------------------------------- */
/* DeferredTests: callbacks added while the chain runs, nested chains */

typedef struct
{
  BraidDeferred *deferred;
  GString *called;
} Reentry;

static void
note_3 (BraidResult *result, gpointer data)
{
  g_string_append (((Reentry *) data)->called, "3");
}

static void
note_2 (BraidResult *result, gpointer data)
{
  g_string_append (((Reentry *) data)->called, "2");
}

static void
note_1_and_add_3 (BraidResult *result, gpointer data)
{
  Reentry *r = data;

  g_string_append (r->called, "1");
  braid_deferred_add_callback (r->deferred, note_3, r, NULL);
}

static void
note_1_and_add_2 (BraidResult *result, gpointer data)
{
  Reentry *r = data;

  g_string_append (r->called, "1");
  braid_deferred_add_callback (r->deferred, note_2, r, NULL);
  /* Not run yet: the running callback has not returned. */
  g_assert_cmpstr (r->called->str, ==, "1");
}

/* twisted.test.test_defer.DeferredTests.test_reentrantRunCallbacks */
static void
test_reentrant_run_callbacks (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  Reentry r = { d, g_string_new (NULL) };

  braid_deferred_add_callback (d, note_1_and_add_3, &r, NULL);
  braid_deferred_add_callback (d, note_2, &r, NULL);
  braid_deferred_callback (d, NULL, NULL);
  g_assert_cmpstr (r.called->str, ==, "123");
  g_string_free (r.called, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_nonReentrantCallbacks */
static void
test_non_reentrant_callbacks (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  Reentry r = { d, g_string_new (NULL) };

  braid_deferred_add_callback (d, note_1_and_add_2, &r, NULL);
  braid_deferred_callback (d, NULL, NULL);
  g_assert_cmpstr (r.called->str, ==, "12");
  g_string_free (r.called, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_reentrantRunCallbacksWithFailure */
static void
raise_exception (BraidResult *result, gpointer data)
{
  braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_FAILED, "callback raised exception");
}

static void
add_raising_callback (BraidResult *result, gpointer data)
{
  braid_deferred_add_callback (data, raise_exception, NULL, NULL);
}

static void
test_reentrant_run_callbacks_with_failure (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_callback (d, add_raising_callback, d, NULL);
  braid_deferred_callback (d, NULL, NULL);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "callback raised exception");
}

/* twisted.test.test_defer.DeferredTests.test_innerCallbacksPreserved */
typedef struct
{
  GString *results;
  guint failures;
  BraidDeferred *inner;
} Nested;

static void
nested_failure (BraidResult *result, gpointer data)
{
  ((Nested *) data)->failures++;
  braid_result_set_value (result, NULL, NULL);
}

static void
nested_first_callback (BraidResult *result, gpointer data)
{
  Nested *n = data;

  g_string_append (n->results, "(firstCallback, inner) ");
  braid_result_chain (result, braid_deferred_ref (n->inner));
}

static void
nested_second_callback (BraidResult *result, gpointer data)
{
  Nested *n = data;
  const char *value = braid_result_get_value (result);

  g_string_append_printf (n->results, "(secondCallback, %s) ", value);
  braid_result_set_value (result, g_strconcat (value, value, NULL), g_free);
}

static void
nested_cb (BraidResult *result, gpointer data)
{
  Nested *n = data;
  BraidDeferred *d = braid_succeed ((gpointer) "inner", NULL);

  g_string_append_printf (n->results, "(start-of-cb, %s) ", (const char *) braid_result_get_value (result));
  braid_deferred_add_callback (d, nested_first_callback, n, NULL);
  braid_deferred_add_callback (d, nested_second_callback, n, NULL);
  braid_deferred_add_errback (d, nested_failure, n, NULL);
  braid_result_chain (result, d);
}

static void
nested_append (BraidResult *result, gpointer data)
{
  g_string_append_printf (((Nested *) data)->results, "%s", (const char *) braid_result_get_value (result));
}

static void
test_inner_callbacks_preserved (void)
{
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (BraidDeferred) outer = braid_succeed ((gpointer) "outer", NULL);
  Nested n = { g_string_new (NULL), 0, inner };

  braid_deferred_add_callback (outer, nested_cb, &n, NULL);
  braid_deferred_callback (inner, (gpointer) "orange", NULL);
  braid_deferred_add_callback (outer, nested_append, &n, NULL);
  braid_deferred_add_errback (inner, nested_failure, &n, NULL);
  braid_deferred_add_errback (outer, nested_failure, &n, NULL);
  g_assert_cmpuint (n.failures, ==, 0);
  g_assert_cmpstr (n.results->str, ==,
                   "(start-of-cb, outer) (firstCallback, inner) (secondCallback, orange) orangeorange");
  g_string_free (n.results, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_continueCallbackNotFirst and
 * test_callbackOrderPreserved: the inner chain waits on gatherResults([a]). */
typedef struct
{
  GString *results;
  guint failures;
  BraidDeferred *a;
} Ordered;

static void
ordered_failure (BraidResult *result, gpointer data)
{
  ((Ordered *) data)->failures++;
  braid_result_set_value (result, NULL, NULL);
}

static void
ordered_first_callback (BraidResult *result, gpointer data)
{
  Ordered *o = data;

  g_string_append (o->results, "(firstCallback, None) ");
  braid_result_chain (result, braid_gather_results (&o->a, 1));
}

static void
ordered_second_callback (BraidResult *result, gpointer data)
{
  Ordered *o = data;
  GPtrArray *gathered = braid_result_get_value (result);

  g_assert_cmpuint (gathered->len, ==, 1);
  g_string_append_printf (o->results, "(secondCallback, [%s]) ",
                          (const char *) braid_result_get_value (g_ptr_array_index (gathered, 0)));
}

static void
ordered_cb (BraidResult *result, gpointer data)
{
  Ordered *o = data;
  BraidDeferred *d = braid_deferred_new ();

  g_string_append_printf (o->results, "(cb, %s) ", (const char *) braid_result_get_value (result));
  braid_deferred_add_callback (d, ordered_first_callback, o, NULL);
  braid_deferred_add_callback (d, ordered_second_callback, o, NULL);
  braid_deferred_add_errback (d, ordered_failure, o, NULL);
  braid_deferred_callback (d, NULL, NULL);
  braid_result_chain (result, d);
}

static void
ordered_final (BraidResult *result, gpointer data)
{
  g_string_append (((Ordered *) data)->results, "(final, None) ");
}

static void
test_continue_callback_not_first (void)
{
  g_autoptr (BraidDeferred) a = braid_deferred_new ();
  g_autoptr (BraidDeferred) outer = braid_succeed ((gpointer) "outer", NULL);
  Ordered o = { g_string_new (NULL), 0, a };

  braid_deferred_add_callback (outer, ordered_cb, &o, NULL);
  braid_deferred_add_errback (outer, ordered_failure, &o, NULL);
  g_assert_cmpstr (o.results->str, ==, "(cb, outer) (firstCallback, None) ");
  braid_deferred_callback (a, (gpointer) "withers", NULL);
  g_assert_cmpuint (o.failures, ==, 0);
  g_assert_cmpstr (o.results->str, ==,
                   "(cb, outer) (firstCallback, None) (secondCallback, [withers]) ");
  g_string_free (o.results, TRUE);
}

static void
test_callback_order_preserved (void)
{
  g_autoptr (BraidDeferred) a = braid_deferred_new ();
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  Ordered o = { g_string_new (NULL), 0, a };

  braid_deferred_add_callback (outer, ordered_cb, &o, NULL);
  braid_deferred_add_callback (outer, ordered_final, &o, NULL);
  braid_deferred_add_errback (outer, ordered_failure, &o, NULL);
  braid_deferred_callback (outer, (gpointer) "outer", NULL);
  g_assert_cmpstr (o.results->str, ==, "(cb, outer) (firstCallback, None) ");
  braid_deferred_callback (a, (gpointer) "withers", NULL);
  g_assert_cmpuint (o.failures, ==, 0);
  g_assert_cmpstr (o.results->str, ==,
                   "(cb, outer) (firstCallback, None) (secondCallback, [withers]) (final, None) ");
  g_string_free (o.results, TRUE);
}

/* twisted.test.test_defer.DeferredTests.test_boundedStackDepth: the
 * stack (measured by the frame address of the last callback; not a local's
 * address, which ASan may move to a fake stack) is as deep with one inner
 * deferred as with two, and with a hundred. */
static void
record_stack_depth (BraidResult *result, gpointer data)
{
  *(guintptr *) data = (guintptr) __builtin_frame_address (0);
}

static guintptr
chain_deferreds (guint how_many)
{
  BraidDeferred *top = braid_deferred_new ();
  BraidDeferred *last = braid_deferred_new ();
  GPtrArray *inners = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_deferred_unref);
  guintptr depth = 0;

  for (guint i = 0; i < how_many; i++)
    g_ptr_array_add (inners, braid_deferred_new ());
  /* top -> inner[n-1] -> inner[n-2] -> ... -> inner[0] -> last */
  braid_deferred_add_callback (top, chain_to, g_ptr_array_index (inners, how_many - 1), NULL);
  braid_deferred_add_callback (top, record_stack_depth, &depth, NULL);
  for (guint i = how_many - 1; i > 0; i--)
    braid_deferred_add_callback (g_ptr_array_index (inners, i), chain_to,
                                 g_ptr_array_index (inners, i - 1), NULL);
  braid_deferred_add_callback (g_ptr_array_index (inners, 0), chain_to, last, NULL);

  braid_deferred_callback (top, NULL, NULL);
  for (guint i = 0; i < how_many; i++)
    braid_deferred_callback (g_ptr_array_index (inners, i), NULL, NULL);
  g_assert_true (depth == 0);
  braid_deferred_callback (last, NULL, NULL);
  g_assert_true (depth != 0);

  g_ptr_array_unref (inners);
  braid_deferred_unref (last);
  braid_deferred_unref (top);
  return depth;
}

static void
test_bounded_stack_depth (void)
{
  guintptr one = chain_deferreds (1);

  g_assert_true (one == chain_deferreds (2));
  g_assert_true (one == chain_deferreds (100));
}

/* twisted.test.test_defer.DeferredTests.test_resultOfDeferredResultOfDeferredOfFiredDeferredCalled */
static void
test_result_of_deferred_result_of_deferred_of_fired_deferred_called (void)
{
  Trail trail = { g_string_new (NULL) };
  g_autoptr (BraidDeferred) first = braid_deferred_new ();
  g_autoptr (BraidDeferred) second = braid_deferred_new ();
  g_autoptr (BraidDeferred) third = braid_deferred_new ();

  braid_deferred_add_callback (first, chain_to, second, NULL);
  braid_deferred_add_callback (second, chain_to, third, NULL);
  braid_deferred_callback (second, NULL, NULL);
  braid_deferred_callback (first, NULL, NULL);
  braid_deferred_callback (third, NULL, NULL);
  braid_deferred_add_callback (second, trail_value, &trail, NULL);
  g_assert_cmpstr (trail.log->str, ==, "v:null ");
  g_string_free (trail.log, TRUE);
}

/* ---- maybeDeferred, circular chains, lock, semaphore, queue ---- */

static gpointer unique_value = (gpointer) "unique";

/* Twisted's assertImmediateFailure: the deferred has failed with this
 * error now; the error is handled. */
static void
assert_immediate_failure (BraidDeferred *deferred, GQuark domain, gint code)
{
  GError *error = braid_assert_failure_result (deferred, domain, code);

  g_error_free (error);
}

static void
answer_value (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, data, NULL);
}

static void
answer_error (BraidResult *result, gpointer data)
{
  braid_result_take_error (result, generic_error (data));
}

static void
answer_deferred (BraidResult *result, gpointer data)
{
  braid_result_chain (result, braid_deferred_ref (data));
}

static void
plus_five (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, GINT_TO_POINTER (GPOINTER_TO_INT (data) + 5), NULL);
}

/* twisted.test.test_defer.DeferredTests.test_maybeDeferredSync */
static void
test_maybe_deferred_sync (void)
{
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_value, unique_value);
  Seen seen = { 0 };

  watch (d, &seen);
  g_assert_cmpuint (seen.errors, ==, 0);
  g_assert_cmpuint (seen.values, ==, 1);
  g_assert_true (seen.last_value == unique_value);
}

/* twisted.test.test_defer.DeferredTests.test_maybeDeferredSyncWithArgs:
 * the argument travels in user_data. */
static void
test_maybe_deferred_sync_with_args (void)
{
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (plus_five, GINT_TO_POINTER (10));
  Seen seen = { 0 };

  watch (d, &seen);
  g_assert_cmpuint (seen.errors, ==, 0);
  g_assert_cmpint (GPOINTER_TO_INT (seen.last_value), ==, 15);
}

/* twisted.test.test_defer.DeferredTests.test_maybeDeferredSyncException and
 * test_maybeDeferredSyncFailure: C has no exceptions, so "raising" and
 * "returning a Failure" are one and the same: the function fails its
 * result. Both tests check that the deferred fails with that very error. */
static void
test_maybe_deferred_sync_failure (void)
{
  g_autoptr (BraidDeferred) d = braid_maybe_deferred (answer_error, (gpointer) "boom");
  Seen seen = { 0 };

  watch (d, &seen);
  g_assert_cmpuint (seen.values, ==, 0);
  g_assert_cmpuint (seen.errors, ==, 1);
  g_assert_error (seen.last_error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (seen.last_error->message, ==, "boom");
  seen_clear (&seen);
}

/* twisted.test.test_defer.DeferredTests.test_maybeDeferredAsync. Braid
 * gives back a deferred waiting on the function's deferred, not the same
 * one (see braid_maybe_deferred_full()); it fires with the same result. */
static void
test_maybe_deferred_async (void)
{
  g_autoptr (BraidDeferred) d1 = braid_deferred_new ();
  g_autoptr (BraidDeferred) d2 = braid_maybe_deferred (answer_deferred, d1);

  braid_assert_no_result (d2);
  braid_deferred_callback (d1, (gpointer) "Success", NULL);
  g_assert_cmpstr (braid_assert_success_result (d2), ==, "Success");
}

/* twisted.test.test_defer.DeferredTests.test_maybeDeferredAsyncError */
static void
test_maybe_deferred_async_error (void)
{
  g_autoptr (BraidDeferred) d1 = braid_deferred_new ();
  g_autoptr (BraidDeferred) d2 = braid_maybe_deferred (answer_deferred, d1);
  g_autoptr (GError) error = NULL;

  braid_deferred_errback (d1, generic_error ("runtime"));
  error = braid_assert_failure_result (d2, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "runtime");
}

static void
answer_own_deferred (BraidResult *result, gpointer data)
{
  BraidDeferred **self = data;

  braid_result_chain (result, braid_deferred_ref (*self));
}

/* twisted.test.test_defer.DeferredTests.test_circularChainWarning and
 * test_circularChainException: a callback that hands back the deferred it
 * is attached to. Twisted warns (a DeprecationWarning, or the failure when
 * warnings are errors); Braid always does both: a critical naming the
 * deferred, and the chain fails with BRAID_ERROR_FAILED (GLib's convention
 * for a programming error, see braid_result_chain()). */
static void
test_circular_chain (void)
{
  BraidDeferred *d = braid_deferred_new ();

  braid_deferred_add_callback (d, answer_own_deferred, &d, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*wait on itself*");
  braid_deferred_callback (d, (gpointer) "foo", NULL);
  g_test_assert_expected_messages ();
  assert_immediate_failure (d, BRAID_ERROR, BRAID_ERROR_FAILED);
  braid_deferred_unref (d);
}

/* Braid's own, the same rule from another side: two deferreds waiting on
 * each other (a cycle of two) fail the same way. */
static void
test_circular_chain_of_two (void)
{
  BraidDeferred *a = braid_deferred_new ();
  g_autoptr (BraidDeferred) b = braid_deferred_new ();

  braid_deferred_add_callback (a, answer_deferred, b, NULL);
  braid_deferred_add_callback (b, answer_own_deferred, &a, NULL);
  braid_deferred_callback (a, NULL, NULL); /* a now waits on b */
  braid_assert_no_result (a);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*wait on itself*");
  braid_deferred_callback (b, NULL, NULL); /* b would wait on a */
  g_test_assert_expected_messages ();
  /* b's error goes on to a, which was waiting on b; b is left with NULL,
   * as any deferred that another one waited on. */
  assert_immediate_failure (a, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_null (braid_assert_success_result (b));
  braid_deferred_unref (a);
}

/* OtherPrimitivesTests._incr */
static guint primitives_counter;

static void
increment (BraidResult *result, gpointer data)
{
  primitives_counter++;
}

static void
then_increment (BraidDeferred *d)
{
  braid_deferred_add_callback (d, increment, NULL, NULL);
  braid_deferred_unref (d);
}

typedef struct
{
  gpointer result_value;  /* what helper records */
  gpointer return_value;  /* a deferred to answer with, or NULL */
  gboolean saw_error;
  GError *error;
} Helper;

/* OtherPrimitivesTests.testLock's helper: records its argument, answers
 * with the control deferred if it has one. */
static void
run_helper (BraidResult *result, gpointer data)
{
  Helper *helper = data;

  helper->saw_error = FALSE;
  if (helper->return_value != NULL)
    braid_result_chain (result, braid_deferred_ref (helper->return_value));
}

static void
record_result (BraidResult *result, gpointer data)
{
  Helper *helper = data;

  helper->saw_error = braid_result_is_error (result);
  if (helper->saw_error)
    {
      g_clear_error (&helper->error);
      helper->error = braid_result_steal_error (result);
      braid_result_set_value (result, NULL, NULL);
    }
  else
    helper->result_value = braid_result_get_value (result);
}

/* twisted.test.test_defer.OtherPrimitivesTests.testLock. `lock.run` with
 * no function is a TypeError in Python; in C it is a critical
 * (g_return_if_fail), not tested here. */
static void
test_lock (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) control = braid_deferred_new ();
  g_autoptr (BraidDeferred) result_deferred = NULL;
  Helper helper = { 0 };
  BraidDeferred *d;

  primitives_counter = 0;
  then_increment (braid_deferred_lock_acquire (lock));
  g_assert_true (braid_deferred_lock_is_locked (lock));
  g_assert_cmpuint (primitives_counter, ==, 1);

  then_increment (braid_deferred_lock_acquire (lock));
  g_assert_true (braid_deferred_lock_is_locked (lock));
  g_assert_cmpuint (primitives_counter, ==, 1);

  braid_deferred_lock_release (lock);
  g_assert_true (braid_deferred_lock_is_locked (lock));
  g_assert_cmpuint (primitives_counter, ==, 2);

  braid_deferred_lock_release (lock);
  g_assert_false (braid_deferred_lock_is_locked (lock));
  g_assert_cmpuint (primitives_counter, ==, 2);

  helper.return_value = control;
  result_deferred = braid_deferred_lock_run (lock, run_helper, &helper, NULL);
  g_assert_true (braid_deferred_lock_is_locked (lock));
  braid_deferred_add_both (result_deferred, record_result, &helper, NULL);

  then_increment (braid_deferred_lock_acquire (lock));
  g_assert_true (braid_deferred_lock_is_locked (lock));
  g_assert_cmpuint (primitives_counter, ==, 2);

  braid_deferred_callback (control, unique_value, NULL);
  g_assert_true (helper.result_value == unique_value);
  g_assert_true (braid_deferred_lock_is_locked (lock));
  g_assert_cmpuint (primitives_counter, ==, 3);

  d = braid_deferred_lock_acquire (lock);
  braid_deferred_add_both (d, record_result, &helper, NULL);
  braid_deferred_cancel (d);
  g_assert_true (helper.saw_error);
  g_assert_error (helper.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_unref (d);

  braid_deferred_lock_release (lock);
  g_assert_false (braid_deferred_lock_is_locked (lock));
  g_clear_error (&helper.error);
}

static void
fail_on_errback (BraidResult *result, gpointer data)
{
  g_assert_not_reached ();
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_cancelLockAfterAcquired */
static void
test_cancel_lock_after_acquired (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_lock_acquire (lock);

  braid_deferred_add_errback (d, fail_on_errback, NULL, NULL);
  braid_deferred_cancel (d);
  g_assert_true (braid_deferred_lock_is_locked (lock));
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_cancelLockBeforeAcquired */
static void
test_cancel_lock_before_acquired (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) first = braid_deferred_lock_acquire (lock);
  g_autoptr (BraidDeferred) d = braid_deferred_lock_acquire (lock);

  braid_deferred_cancel (d);
  assert_immediate_failure (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
record_success (BraidResult *result, gpointer data)
{
  g_array_append_val ((GArray *) data, (gboolean){ TRUE });
  braid_result_set_value (result, NULL, NULL);
}

static void
record_failure (BraidResult *result, gpointer data)
{
  g_array_append_val ((GArray *) data, (gboolean){ FALSE });
}

/* twisted.test.test_defer.OtherPrimitivesTests.testSemaphore. The Python
 * test names its callbacks the other way round (`fail` is the callback);
 * here they say what they record: the cancelled acquire errs. */
static void
test_semaphore (void)
{
  const guint N = 13;
  g_autoptr (BraidDeferredSemaphore) sem = braid_deferred_semaphore_new (N);
  g_autoptr (BraidDeferred) control = braid_deferred_new ();
  g_autoptr (BraidDeferred) result_deferred = NULL;
  g_autoptr (GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (gboolean));
  Helper helper = { 0 };
  BraidDeferred *d;

  primitives_counter = 0;
  helper.return_value = control;
  result_deferred = braid_deferred_semaphore_run (sem, run_helper, &helper, NULL);
  braid_deferred_add_both (result_deferred, record_result, &helper, NULL);
  braid_deferred_add_callback (result_deferred, increment, NULL, NULL);
  g_assert_cmpuint (primitives_counter, ==, 0);
  helper.result_value = unique_value;
  braid_deferred_callback (control, NULL, NULL);
  g_assert_null (helper.result_value);
  g_assert_false (helper.saw_error);
  g_assert_cmpuint (primitives_counter, ==, 1);

  primitives_counter = 0;
  for (guint i = 1; i <= N; i++)
    {
      then_increment (braid_deferred_semaphore_acquire (sem));
      g_assert_cmpuint (primitives_counter, ==, i);
    }

  d = braid_deferred_semaphore_acquire (sem);
  braid_deferred_add_callbacks (d, record_failure, record_success, outcomes, NULL);
  braid_deferred_cancel (d);
  g_assert_cmpuint (outcomes->len, ==, 1);
  g_assert_true (g_array_index (outcomes, gboolean, 0));
  braid_deferred_unref (d);

  then_increment (braid_deferred_semaphore_acquire (sem));
  g_assert_cmpuint (primitives_counter, ==, N);
  braid_deferred_semaphore_release (sem);
  g_assert_cmpuint (primitives_counter, ==, N + 1);

  for (guint i = 1; i <= N; i++)
    {
      braid_deferred_semaphore_release (sem);
      g_assert_cmpuint (primitives_counter, ==, N + 1);
    }
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (sem), ==, N);
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_semaphoreInvalidTokens:
 * Python raises ValueError; Braid's tokens are unsigned, and zero is a
 * critical (a programming error) with no semaphore made. */
static void
test_semaphore_invalid_tokens (void)
{
  BraidDeferredSemaphore *sem;

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*tokens >= 1*");
  sem = braid_deferred_semaphore_new (0);
  g_test_assert_expected_messages ();
  g_assert_null (sem);
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_cancelSemaphoreAfterAcquired */
static void
test_cancel_semaphore_after_acquired (void)
{
  g_autoptr (BraidDeferredSemaphore) sem = braid_deferred_semaphore_new (1);
  g_autoptr (BraidDeferred) d = braid_deferred_semaphore_acquire (sem);

  braid_deferred_add_errback (d, fail_on_errback, NULL, NULL);
  braid_deferred_cancel (d);
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (sem), ==, 0);
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_cancelSemaphoreBeforeAcquired */
static void
test_cancel_semaphore_before_acquired (void)
{
  g_autoptr (BraidDeferredSemaphore) sem = braid_deferred_semaphore_new (1);
  g_autoptr (BraidDeferred) first = braid_deferred_semaphore_acquire (sem);
  g_autoptr (BraidDeferred) d = braid_deferred_semaphore_acquire (sem);

  braid_deferred_cancel (d);
  assert_immediate_failure (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
append_gotten (BraidResult *result, gpointer data)
{
  GArray *gotten = data;
  gint value = GPOINTER_TO_INT (braid_result_get_value (result));

  g_array_append_val (gotten, value);
}

static void
get_into (BraidDeferredQueue *queue, GArray *gotten)
{
  g_autoptr (GError) error = NULL;
  BraidDeferred *d = braid_deferred_queue_get (queue, &error);

  g_assert_no_error (error);
  braid_deferred_add_callback (d, append_gotten, gotten, NULL);
  braid_deferred_unref (d);
}

static void
put_ok (BraidDeferredQueue *queue, gint value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_deferred_queue_put (queue, GINT_TO_POINTER (value), NULL, &error));
  g_assert_no_error (error);
}

static void
assert_gotten_range (GArray *gotten, gint from, gint to)
{
  g_assert_cmpuint (gotten->len, ==, (guint) (to - from));
  for (gint i = from; i < to; i++)
    g_assert_cmpint (g_array_index (gotten, gint, i - from), ==, i);
}

/* twisted.test.test_defer.OtherPrimitivesTests.testQueue. Python raises
 * QueueUnderflow / QueueOverflow; Braid reports BRAID_ERROR_QUEUE_UNDERFLOW
 * / _OVERFLOW through a GError. */
static void
test_queue (void)
{
  const gint N = 2, M = 2;
  g_autoptr (BraidDeferredQueue) queue = braid_deferred_queue_new (N, M);
  g_autoptr (BraidDeferredQueue) unlimited = NULL;
  g_autoptr (BraidDeferredQueue) sizeless = NULL;
  g_autoptr (BraidDeferredQueue) no_backlog = NULL;
  g_autoptr (GArray) gotten = g_array_new (FALSE, FALSE, sizeof (gint));
  GError *error = NULL;

  for (gint i = 0; i < M; i++)
    get_into (queue, gotten);
  g_assert_null (braid_deferred_queue_get (queue, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_UNDERFLOW);
  g_clear_error (&error);

  for (gint i = 0; i < M; i++)
    {
      put_ok (queue, i);
      assert_gotten_range (gotten, 0, i + 1);
    }
  for (gint i = 0; i < N; i++)
    {
      put_ok (queue, N + i);
      assert_gotten_range (gotten, 0, M);
    }
  g_assert_false (braid_deferred_queue_put (queue, NULL, NULL, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_OVERFLOW);
  g_clear_error (&error);

  g_array_set_size (gotten, 0);
  for (gint i = 0; i < N; i++)
    {
      get_into (queue, gotten);
      assert_gotten_range (gotten, N, N + i + 1);
    }

  unlimited = braid_deferred_queue_new (BRAID_DEFERRED_QUEUE_UNLIMITED,
                                        BRAID_DEFERRED_QUEUE_UNLIMITED);
  g_array_set_size (gotten, 0);
  for (gint i = 0; i < N; i++)
    get_into (unlimited, gotten);
  for (gint i = 0; i < N; i++)
    put_ok (unlimited, i);
  assert_gotten_range (gotten, 0, N);

  sizeless = braid_deferred_queue_new (0, BRAID_DEFERRED_QUEUE_UNLIMITED);
  g_assert_false (braid_deferred_queue_put (sizeless, NULL, NULL, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_OVERFLOW);
  g_clear_error (&error);

  no_backlog = braid_deferred_queue_new (BRAID_DEFERRED_QUEUE_UNLIMITED, 0);
  g_assert_null (braid_deferred_queue_get (no_backlog, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_UNDERFLOW);
  g_clear_error (&error);
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_cancelQueueAfterSynchronousGet */
static void
test_cancel_queue_after_synchronous_get (void)
{
  g_autoptr (BraidDeferredQueue) queue =
    braid_deferred_queue_new (BRAID_DEFERRED_QUEUE_UNLIMITED, BRAID_DEFERRED_QUEUE_UNLIMITED);
  g_autoptr (BraidDeferred) d = braid_deferred_queue_get (queue, NULL);

  braid_deferred_add_errback (d, fail_on_errback, NULL, NULL);
  put_ok (queue, 0);
  braid_deferred_cancel (d);
  braid_assert_success_result (d);
}

static void
put_then_get (BraidResult *result, gpointer data)
{
  BraidDeferredQueue *queue = data;

  /* Still linked to the queue, the cancelled deferred would be fired
   * again here (already called). */
  put_ok (queue, 0);
  braid_result_chain (result, braid_deferred_queue_get (queue, NULL));
}

/* twisted.test.test_defer.OtherPrimitivesTests.test_cancelQueueAfterGet */
static void
test_cancel_queue_after_get (void)
{
  g_autoptr (BraidDeferredQueue) queue =
    braid_deferred_queue_new (BRAID_DEFERRED_QUEUE_UNLIMITED, BRAID_DEFERRED_QUEUE_UNLIMITED);
  g_autoptr (BraidDeferred) d = braid_deferred_queue_get (queue, NULL);
  Seen seen = { 0 };

  braid_deferred_cancel (d);
  assert_immediate_failure (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_add_callback (d, put_then_get, queue, NULL);
  watch (d, &seen);
  g_assert_cmpuint (seen.values, ==, 1);
  g_assert_cmpuint (seen.errors, ==, 0);
  g_assert_null (seen.last_value);
  g_assert_cmpuint (braid_deferred_queue_get_length (queue), ==, 0);
}

/* ---- DeferredAddTimeoutTests ---- */

/* Twisted's _overrideFunc: the onTimeoutCancel hook answering "OVERRIDDEN". */
static void
override_func (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, (gpointer) "OVERRIDDEN", NULL);
}

/* d.addTimeout (10, clock), with _overrideFunc when @custom. */
static void
add_timeout (BraidDeferred *d, BraidFakeClock *clock, gboolean custom)
{
  if (custom)
    braid_deferred_add_timeout_full (d, 10, BRAID_CLOCK (clock), override_func, NULL, NULL);
  else
    braid_deferred_add_timeout (d, 10, BRAID_CLOCK (clock));
}

static void
answer_done (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, (gpointer) "done", NULL);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_timeoutChainable:
 * braid_deferred_add_timeout() returns nothing, but the chain carries on
 * after it like after any link. */
static void
test_timeout_chainable (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_add_timeout (d, 5, BRAID_CLOCK (clock));
  braid_deferred_add_callback (d, answer_done, NULL, NULL);
  braid_deferred_callback (d, NULL, NULL);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "done");
}

/* Records what reached it and hands back the inner deferred. */
typedef struct
{
  BraidDeferred *inner;
  gboolean called;
  gpointer value;
  GError *error;
} ToInner;

static void
record_and_answer_inner (BraidResult *result, gpointer data)
{
  ToInner *to_inner = data;

  to_inner->called = TRUE;
  if (braid_result_is_error (result))
    to_inner->error = braid_result_steal_error (result);
  else
    to_inner->value = braid_result_get_value (result);
  braid_result_chain (result, braid_deferred_ref (to_inner->inner));
}

/* test_successResultBeforeTimeout, test_failureBeforeTimeout and
 * test_cancelBeforeTimeout, each with or without a custom hook: the
 * deferred gets its result before the timeout; the timeout never cancels
 * it afterwards (which would cancel the inner deferred too), and the hook
 * does not run. */
typedef enum { BEFORE_SUCCESS, BEFORE_FAILURE, BEFORE_CANCEL } Before;

static void
check_result_before_timeout (Before before, gboolean custom)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  ToInner to_inner = { inner, FALSE, NULL, NULL };

  add_timeout (d, clock, custom);
  if (before == BEFORE_SUCCESS)
    braid_deferred_add_callback (d, record_and_answer_inner, &to_inner, NULL);
  else
    braid_deferred_add_errback (d, record_and_answer_inner, &to_inner, NULL);

  switch (before)
    {
    case BEFORE_SUCCESS:
      braid_deferred_callback (d, (gpointer) "results", NULL);
      g_assert_true (to_inner.called);
      g_assert_cmpstr (to_inner.value, ==, "results");
      break;
    case BEFORE_FAILURE:
      braid_deferred_errback (d, generic_error ("fail"));
      g_assert_true (to_inner.called);
      g_assert_error (to_inner.error, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_assert_cmpstr (to_inner.error->message, ==, "fail");
      break;
    case BEFORE_CANCEL:
      braid_deferred_cancel (d);
      g_assert_true (to_inner.called);
      g_assert_error (to_inner.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      break;
    }

  braid_fake_clock_advance (clock, 15);
  braid_assert_no_result (inner);
  braid_assert_no_result (d);
  g_clear_error (&to_inner.error);
  braid_deferred_callback (inner, NULL, NULL);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_successResultBeforeTimeout */
static void
test_success_result_before_timeout (void)
{
  check_result_before_timeout (BEFORE_SUCCESS, FALSE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_successResultBeforeTimeoutCustom */
static void
test_success_result_before_timeout_custom (void)
{
  check_result_before_timeout (BEFORE_SUCCESS, TRUE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_failureBeforeTimeout */
static void
test_failure_before_timeout (void)
{
  check_result_before_timeout (BEFORE_FAILURE, FALSE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_failureBeforeTimeoutCustom */
static void
test_failure_before_timeout_custom (void)
{
  check_result_before_timeout (BEFORE_FAILURE, TRUE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_cancelBeforeTimeout */
static void
test_cancel_before_timeout (void)
{
  check_result_before_timeout (BEFORE_CANCEL, FALSE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_cancelBeforeTimeoutCustom */
static void
test_cancel_before_timeout_custom (void)
{
  check_result_before_timeout (BEFORE_CANCEL, TRUE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_timedOut: Twisted's
 * TimeoutError is G_IO_ERROR_TIMED_OUT. */
static void
test_timed_out (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  add_timeout (d, clock, FALSE);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 15);
  assert_immediate_failure (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_timedOutCustom */
static void
test_timed_out_custom (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  add_timeout (d, clock, TRUE);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 15);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "OVERRIDDEN");
}

static void
cancelled_canceller (BraidDeferred *deferred, gpointer data)
{
  braid_deferred_callback (deferred, (gpointer) "I was cancelled!", NULL);
}

static void
failing_canceller (BraidDeferred *deferred, gpointer data)
{
  braid_deferred_errback (deferred, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                         "what!"));
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_timedOutProvidedCancelSuccess */
static void
test_timed_out_provided_cancel_success (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d =
    braid_deferred_new_with_canceller (cancelled_canceller, NULL, NULL);

  add_timeout (d, clock, FALSE);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 15);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "I was cancelled!");
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_timedOutProvidedCancelFailure:
 * the canceller's own error is kept (not turned into a timeout). */
static void
test_timed_out_provided_cancel_failure (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (failing_canceller, NULL, NULL);
  g_autoptr (GError) error = NULL;

  add_timeout (d, clock, FALSE);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 15);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "what!");
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_providedCancelCalledBeforeTimeoutCustom */
static void
test_provided_cancel_called_before_timeout_custom (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (failing_canceller, NULL, NULL);

  add_timeout (d, clock, TRUE);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 15);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "OVERRIDDEN");
}

typedef struct
{
  gboolean suppress;
  GError *seen;
} EarlyErrback;

static void
early_errback (BraidResult *result, gpointer data)
{
  EarlyErrback *early = data;

  g_clear_error (&early->seen);
  early->seen = g_error_copy (braid_result_get_error (result));
  if (early->suppress)
    braid_result_set_value (result, NULL, NULL);
}

/* test_errbackAddedBeforeTimeout and its SuppressesCancellation / Custom
 * variants: an errback added before the timeout sees the cancellation;
 * what follows is the hook's answer on whatever the errback left. */
static void
check_errback_added_before_timeout (gboolean suppress, gboolean custom)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  EarlyErrback early = { suppress, NULL };

  braid_deferred_add_errback (d, early_errback, &early, NULL);
  add_timeout (d, clock, custom);
  braid_fake_clock_advance (clock, 15);
  g_assert_error (early.seen, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&early.seen);

  if (custom)
    g_assert_cmpstr (braid_assert_success_result (d), ==, "OVERRIDDEN");
  else if (suppress)
    g_assert_null (braid_assert_success_result (d));
  else
    assert_immediate_failure (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_errbackAddedBeforeTimeout */
static void
test_errback_added_before_timeout (void)
{
  check_errback_added_before_timeout (FALSE, FALSE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_errbackAddedBeforeTimeoutSuppressesCancellation */
static void
test_errback_added_before_timeout_suppresses_cancellation (void)
{
  check_errback_added_before_timeout (TRUE, FALSE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_errbackAddedBeforeTimeoutCustom */
static void
test_errback_added_before_timeout_custom (void)
{
  check_errback_added_before_timeout (FALSE, TRUE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_errbackAddedBeforeTimeoutSuppressesCancellationCustom */
static void
test_errback_added_before_timeout_suppresses_cancellation_custom (void)
{
  check_errback_added_before_timeout (TRUE, TRUE);
}

static void
success_canceller (BraidDeferred *deferred, gpointer data)
{
  braid_deferred_callback (deferred, (gpointer) "success", NULL);
}

/* test_callbackAddedToCancelerBeforeTimeout(Custom): the canceller answers
 * with a value; a callback added before the timeout sees it; the deferred
 * succeeds (no timeout error), and a custom hook still runs. */
static void
check_callback_added_to_canceller_before_timeout (gboolean custom)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (success_canceller, NULL, NULL);
  Seen seen = { 0 };

  braid_deferred_add_callback (d, see_value, &seen, NULL);
  add_timeout (d, clock, custom);
  braid_fake_clock_advance (clock, 15);
  g_assert_cmpuint (seen.values, ==, 1);
  g_assert_cmpstr (seen.last_value, ==, "success");
  g_assert_cmpstr (braid_assert_success_result (d), ==, custom ? "OVERRIDDEN" : "success");
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_callbackAddedToCancelerBeforeTimeout */
static void
test_callback_added_to_canceler_before_timeout (void)
{
  check_callback_added_to_canceller_before_timeout (FALSE);
}

/* twisted.test.test_defer.DeferredAddTimeoutTests.test_callbackAddedToCancelerBeforeTimeoutCustom */
static void
test_callback_added_to_canceler_before_timeout_custom (void)
{
  check_callback_added_to_canceller_before_timeout (TRUE);
}

/* ---- RaceTests (Twisted 22.8 and later: race is newer than the 22.4
 * installed here; its tests draw the counts with hypothesis, these loop
 * over small counts) ---- */

typedef struct
{
  guint cancellations;
} Contestant;

static void
count_cancellation (BraidDeferred *deferred, gpointer data)
{
  ((Contestant *) data)->cancellations++;
}

/* Twisted's race gives (index, value); Braid the value, with the index in
 * braid_result_get_index(). */
typedef struct
{
  gboolean fired;
  gint index;
  gpointer value;
  GError *error;
} RaceOutcome;

static void
record_race (BraidResult *result, gpointer data)
{
  RaceOutcome *outcome = data;

  outcome->fired = TRUE;
  outcome->index = braid_result_get_index (result);
  if (braid_result_is_error (result))
    {
      outcome->error = braid_result_steal_error (result);
      braid_result_set_value (result, NULL, NULL);
    }
  else
    outcome->value = braid_result_get_value (result);
}

/* twisted.test.test_defer.RaceTests.test_success: the race fires with the
 * first value and its index, and cancels every other contestant. */
static void
test_race_success (void)
{
  for (guint before = 0; before < 4; before++)
    for (guint after = 0; after < 4; after++)
      {
        guint n = before + 1 + after;
        g_autofree Contestant *contestants = g_new0 (Contestant, n);
        g_autofree BraidDeferred **ds = g_new0 (BraidDeferred *, n);
        g_autoptr (BraidDeferred) race = NULL;
        RaceOutcome outcome = { 0 };

        for (guint i = 0; i < n; i++)
          ds[i] = braid_deferred_new_with_canceller (count_cancellation, &contestants[i], NULL);
        race = braid_deferred_race (ds, n);
        braid_deferred_add_both (race, record_race, &outcome, NULL);
        braid_deferred_callback (ds[before], unique_value, NULL);

        g_assert_true (outcome.fired);
        g_assert_no_error (outcome.error);
        g_assert_cmpint (outcome.index, ==, (gint) before);
        g_assert_true (outcome.value == unique_value);
        for (guint i = 0; i < n; i++)
          {
            g_assert_cmpuint (contestants[i].cancellations, ==, i == before ? 0 : 1);
            /* the losers' cancellations are handled by the race */
            g_assert_null (braid_assert_success_result (ds[i]));
            braid_deferred_unref (ds[i]);
          }
      }
}

/* twisted.test.test_defer.RaceTests.test_failure: every contestant fails,
 * so the race fails. Twisted's FailureGroup holds each failure; Braid's
 * BRAID_ERROR_ALL_FAILED lists each in its message (see
 * braid_deferred_race_full()). No contestant is cancelled. */
static void
test_race_failure (void)
{
  for (guint n = 1; n < 5; n++)
    {
      g_autofree Contestant *contestants = g_new0 (Contestant, n);
      g_autofree BraidDeferred **ds = g_new0 (BraidDeferred *, n);
      g_autoptr (BraidDeferred) race = NULL;
      g_autoptr (GError) error = NULL;

      for (guint i = 0; i < n; i++)
        ds[i] = braid_deferred_new_with_canceller (count_cancellation, &contestants[i], NULL);
      race = braid_deferred_race (ds, n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *message = g_strdup_printf ("failure %u", i);

          braid_assert_no_result (race);
          braid_deferred_errback (ds[i], generic_error (message));
        }
      error = braid_assert_failure_result (race, BRAID_ERROR, BRAID_ERROR_ALL_FAILED);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *message = g_strdup_printf ("failure %u", i);

          g_assert_nonnull (strstr (error->message, message));
          g_assert_cmpuint (contestants[i].cancellations, ==, 0);
          braid_deferred_unref (ds[i]);
        }
    }
}

/* twisted.test.test_defer.RaceTests.test_resultAfterCancel: a losing
 * contestant with no canceller fires after the race cancelled it; its
 * result goes nowhere (the one late callback is ignored, as for any
 * deferred cancelled without a canceller), and nothing is reported (the
 * test fails on any warning or critical). */
static void
test_race_result_after_cancel (void)
{
  g_autoptr (BraidDeferred) winner = braid_deferred_new ();
  g_autoptr (BraidDeferred) late = braid_deferred_new ();
  BraidDeferred *ds[] = { winner, late };
  g_autoptr (BraidDeferred) race = braid_deferred_race (ds, 2);
  RaceOutcome outcome = { 0 };

  braid_deferred_add_both (race, record_race, &outcome, NULL);
  braid_deferred_callback (winner, NULL, NULL);
  braid_deferred_callback (late, NULL, NULL);
  g_assert_true (outcome.fired);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.index, ==, 0);
  g_assert_null (outcome.value);
}

/* twisted.test.test_defer.RaceTests.test_resultFromCancel: a contestant
 * whose canceller fires it with a value does not disturb the result. */
static void
test_race_result_from_cancel (void)
{
  g_autoptr (BraidDeferred) winner = braid_deferred_new ();
  g_autoptr (BraidDeferred) loser = braid_deferred_new_with_canceller (callback_canceller, NULL, NULL);
  BraidDeferred *ds[] = { winner, loser };
  g_autoptr (BraidDeferred) race = braid_deferred_race (ds, 2);
  RaceOutcome outcome = { 0 };

  braid_deferred_add_both (race, record_race, &outcome, NULL);
  braid_deferred_callback (winner, unique_value, NULL);
  g_assert_true (outcome.fired);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.index, ==, 0);
  g_assert_true (outcome.value == unique_value);
}

/* twisted.test.test_defer.RaceTests.test_cancel: cancelling the race
 * cancels every contestant, and the race fails (FailureGroup in Twisted,
 * BRAID_ERROR_ALL_FAILED here). */
static void
test_race_cancel (void)
{
  for (guint n = 1; n < 5; n++)
    {
      g_autofree Contestant *contestants = g_new0 (Contestant, n);
      g_autofree BraidDeferred **ds = g_new0 (BraidDeferred *, n);
      g_autoptr (BraidDeferred) race = NULL;

      for (guint i = 0; i < n; i++)
        ds[i] = braid_deferred_new_with_canceller (count_cancellation, &contestants[i], NULL);
      race = braid_deferred_race (ds, n);
      braid_deferred_cancel (race);
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpuint (contestants[i].cancellations, ==, 1);
          braid_deferred_unref (ds[i]);
        }
      assert_immediate_failure (race, BRAID_ERROR, BRAID_ERROR_ALL_FAILED);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testDeferredList", test_deferred_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testEmptyDeferredList",
                       test_empty_deferred_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredListEmptyTests/testDeferredListEmpty",
                       test_deferred_list_empty);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testDeferredListFireOnOneError",
                       test_deferred_list_fire_on_one_error);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testDeferredListFireOnOneError/index",
                       test_deferred_list_fire_on_one_error_index);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testDeferredListDontConsumeErrors",
                       test_deferred_list_dont_consume_errors);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testDeferredListConsumeErrors",
                       test_deferred_list_consume_errors);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/"
                       "testDeferredListFireOnOneErrorWithAlreadyFiredDeferreds",
                       test_deferred_list_fire_on_one_error_with_already_fired_deferreds);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testDeferredListWithAlreadyFiredDeferreds",
                       test_deferred_list_with_already_fired_deferreds);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelDeferredList",
                       test_cancel_deferred_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelDeferredListCallback",
                       test_cancel_deferred_list_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelDeferredListWithFireOnOneCallback",
                       test_cancel_deferred_list_with_fire_on_one_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/"
                       "test_cancelDeferredListWithFireOnOneCallbackAndDeferredCallback",
                       test_cancel_deferred_list_with_fire_on_one_callback_and_deferred_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelDeferredListWithFireOnOneErrback",
                       test_cancel_deferred_list_with_fire_on_one_errback);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/"
                       "test_cancelDeferredListWithFireOnOneErrbackAllDeferredsCallback",
                       test_cancel_deferred_list_with_fire_on_one_errback_all_deferreds_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelDeferredListWithOriginalDeferreds",
                       test_cancel_deferred_list_with_original_deferreds);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelFiredOnOneCallbackDeferredList",
                       test_cancel_fired_on_one_callback_deferred_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelFiredOnOneErrbackDeferredList",
                       test_cancel_fired_on_one_errback_deferred_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_gatherResults", test_gather_results);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_gatherResultsWithConsumeErrors",
                       test_gather_results_with_consume_errors);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelGatherResults",
                       test_cancel_gather_results);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_cancelGatherResultsWithAllDeferredsCallback",
                       test_cancel_gather_results_with_all_deferreds_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredList/member-value-passes-through",
                       test_member_value_passes_through_the_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredList/member-object-passes-through-fire-on-one",
                       test_member_object_passes_through_a_fire_on_one_callback_list);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_noCanceller", test_no_canceller);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_raisesAfterCancelAndCallback",
                       test_raises_after_cancel_and_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_raisesAfterCancelAndErrback",
                       test_raises_after_cancel_and_errback);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/"
                       "test_noCancellerMultipleCancelsAfterCancelAndCallback",
                       test_no_canceller_multiple_cancels_after_cancel_and_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/"
                       "test_noCancellerMultipleCancelsAfterCancelAndErrback",
                       test_no_canceller_multiple_cancels_after_cancel_and_errback);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_noCancellerMultipleCancel",
                       test_no_canceller_multiple_cancel);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancellerMultipleCancel",
                       test_canceller_multiple_cancel);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_simpleCanceller",
                       test_simple_canceller);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancellerArg", test_canceller_arg);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancelAfterCallback",
                       test_cancel_after_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancelAfterErrback",
                       test_cancel_after_errback);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancellerThatErrbacks",
                       test_canceller_that_errbacks);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancellerThatCallbacks",
                       test_canceller_that_callbacks);
  braid_test_add_func ("/twisted-parity/defer/DeferredCancellerTests/test_cancelNestedDeferred",
                       test_cancel_nested_deferred);
  for (guint i = 0; i < G_N_ELEMENTS (already_called_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/twisted-parity/defer/AlreadyCalledTests/%s",
                                               already_called_cases[i].name);

      g_test_add_data_func (path, &already_called_cases[i], test_already_called);
    }
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testImmediateSuccess",
                       test_immediate_success);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testImmediateFailure",
                       test_immediate_failure);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testPausedFailure",
                       test_paused_failure);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testCallbackErrors",
                       test_callback_errors);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testUnpauseBeforeCallback",
                       test_unpause_before_callback);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/testReturnDeferred",
                       test_return_deferred);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_chainedPausedDeferredWithResult",
                       test_chained_paused_deferred_with_result);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_pausedDeferredChained",
                       test_paused_deferred_chained);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_synchronousImplicitChain",
                       test_synchronous_implicit_chain);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_asynchronousImplicitChain",
                       test_asynchronous_implicit_chain);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_synchronousImplicitErrorChain",
                       test_synchronous_implicit_error_chain);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_asynchronousImplicitErrorChain",
                       test_asynchronous_implicit_error_chain);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_doubleAsynchronousImplicitChaining",
                       test_double_asynchronous_implicit_chaining);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_reentrantRunCallbacks",
                       test_reentrant_run_callbacks);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_nonReentrantCallbacks",
                       test_non_reentrant_callbacks);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_reentrantRunCallbacksWithFailure",
                       test_reentrant_run_callbacks_with_failure);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_innerCallbacksPreserved",
                       test_inner_callbacks_preserved);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_continueCallbackNotFirst",
                       test_continue_callback_not_first);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_callbackOrderPreserved",
                       test_callback_order_preserved);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_boundedStackDepth",
                       test_bounded_stack_depth);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_resultOfDeferredResultOfDeferredOfFiredDeferredCalled",
                       test_result_of_deferred_result_of_deferred_of_fired_deferred_called);


  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_maybeDeferredSync",
                       test_maybe_deferred_sync);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_maybeDeferredSyncWithArgs",
                       test_maybe_deferred_sync_with_args);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_maybeDeferredSyncException",
                       test_maybe_deferred_sync_failure);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_maybeDeferredSyncFailure",
                       test_maybe_deferred_sync_failure);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_maybeDeferredAsync",
                       test_maybe_deferred_async);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_maybeDeferredAsyncError",
                       test_maybe_deferred_async_error);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_circularChainWarning",
                       test_circular_chain);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_circularChainException",
                       test_circular_chain);
  braid_test_add_func ("/twisted-parity/defer/DeferredTests/test_circularChainException/of-two",
                       test_circular_chain_of_two);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/testLock", test_lock);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_cancelLockAfterAcquired",
                       test_cancel_lock_after_acquired);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_cancelLockBeforeAcquired",
                       test_cancel_lock_before_acquired);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/testSemaphore", test_semaphore);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_semaphoreInvalidTokens",
                       test_semaphore_invalid_tokens);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_cancelSemaphoreAfterAcquired",
                       test_cancel_semaphore_after_acquired);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_cancelSemaphoreBeforeAcquired",
                       test_cancel_semaphore_before_acquired);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/testQueue", test_queue);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_cancelQueueAfterSynchronousGet",
                       test_cancel_queue_after_synchronous_get);
  braid_test_add_func ("/twisted-parity/defer/OtherPrimitivesTests/test_cancelQueueAfterGet",
                       test_cancel_queue_after_get);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_timeoutChainable",
                       test_timeout_chainable);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_successResultBeforeTimeout",
                       test_success_result_before_timeout);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_successResultBeforeTimeoutCustom",
                       test_success_result_before_timeout_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_failureBeforeTimeout",
                       test_failure_before_timeout);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_failureBeforeTimeoutCustom",
                       test_failure_before_timeout_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_timedOut",
                       test_timed_out);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_timedOutCustom",
                       test_timed_out_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_timedOutProvidedCancelSuccess",
                       test_timed_out_provided_cancel_success);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_timedOutProvidedCancelFailure",
                       test_timed_out_provided_cancel_failure);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_cancelBeforeTimeout",
                       test_cancel_before_timeout);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_cancelBeforeTimeoutCustom",
                       test_cancel_before_timeout_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_providedCancelCalledBeforeTimeoutCustom",
                       test_provided_cancel_called_before_timeout_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_errbackAddedBeforeTimeout",
                       test_errback_added_before_timeout);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_errbackAddedBeforeTimeoutSuppressesCancellation",
                       test_errback_added_before_timeout_suppresses_cancellation);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_errbackAddedBeforeTimeoutCustom",
                       test_errback_added_before_timeout_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_errbackAddedBeforeTimeoutSuppressesCancellationCustom",
                       test_errback_added_before_timeout_suppresses_cancellation_custom);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_callbackAddedToCancelerBeforeTimeout",
                       test_callback_added_to_canceler_before_timeout);
  braid_test_add_func ("/twisted-parity/defer/DeferredAddTimeoutTests/test_callbackAddedToCancelerBeforeTimeoutCustom",
                       test_callback_added_to_canceler_before_timeout_custom);
  braid_test_add_func ("/twisted-parity/defer/RaceTests/test_success", test_race_success);
  braid_test_add_func ("/twisted-parity/defer/RaceTests/test_failure", test_race_failure);
  braid_test_add_func ("/twisted-parity/defer/RaceTests/test_resultAfterCancel", test_race_result_after_cancel);
  braid_test_add_func ("/twisted-parity/defer/RaceTests/test_resultFromCancel", test_race_result_from_cancel);
  braid_test_add_func ("/twisted-parity/defer/RaceTests/test_cancel", test_race_cancel);
  return g_test_run ();
}
