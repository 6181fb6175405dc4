/* test-deferred.c: BraidDeferred — callbacks, errbacks, chaining, pausing,
 * cancelling, timeouts and unhandled errors. */
#include <string.h>

#include <braid-fakes.h>

/* Callbacks that leave a trace in a GString, so a test can check which ran,
 * in which order, and what they saw. */

static void
record_value (BraidResult *result, gpointer data)
{
  GString *trace = data;

  g_string_append_printf (trace, "[%s]", (const char *) braid_result_get_value (result));
}

static void
record_error (BraidResult *result, gpointer data)
{
  GString *trace = data;

  g_string_append_printf (trace, "<%s>", braid_result_get_error (result)->message);
}

static void
record_either (BraidResult *result, gpointer data)
{
  if (braid_result_is_error (result))
    record_error (result, data);
  else
    record_value (result, data);
}

static void
handle_error (BraidResult *result, gpointer data)
{
  record_error (result, data);
  braid_result_set_value (result, NULL, NULL);
}

static void
append_bang (BraidResult *result, gpointer data)
{
  const char *value = braid_result_get_value (result);

  braid_result_set_value (result, g_strconcat (value, "!", NULL), g_free);
}

static void
fail_with_denied (BraidResult *result, gpointer data)
{
  braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied %s",
                     (const char *) braid_result_get_value (result));
}

static void
recover_with_fallback (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, g_strdup ("fallback"), g_free);
}

static void
trap_timeout (BraidResult *result, gpointer data)
{
  GString *trace = data;

  if (!braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_string_append (trace, "(not mine)");
      return;
    }
  g_string_append (trace, "(trapped)");
  braid_result_set_value (result, g_strdup ("cached"), g_free);
}

static GError *
new_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

/* Callbacks and errbacks ------------------------------------------------- */

static void
test_callback_runs_with_the_value (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, record_value, trace, NULL);
  g_assert_cmpstr (trace->str, ==, "");
  g_assert_true (braid_deferred_callback (d, g_strdup ("hello"), g_free));
  g_assert_cmpstr (trace->str, ==, "[hello]");
  g_assert_true (braid_deferred_is_called (d));
}

static void
test_callback_added_after_firing_runs_at_once (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_callback (d, "early", NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  g_assert_cmpstr (trace->str, ==, "[early]");
}

static void
test_callbacks_run_in_order_on_each_result (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_add_callback (d, append_bang, NULL, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_add_callback (d, append_bang, NULL, NULL);
  braid_deferred_callback (d, g_strdup ("hi"), g_free);
  g_assert_cmpstr (trace->str, ==, "[hi][hi!]");
  g_assert_cmpstr (braid_assert_success_result (d), ==, "hi!!");
}

static void
test_callback_turns_value_into_error (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_add_callback (d, fail_with_denied, NULL, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_add_errback (d, record_error, trace, NULL);
  braid_deferred_callback (d, "bob", NULL);
  g_assert_cmpstr (trace->str, ==, "<denied bob>");
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

static void
test_errback_runs_on_error_and_callbacks_are_skipped (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_add_errback (d, handle_error, trace, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  g_assert_true (braid_deferred_errback (d, new_error ("boom")));
  g_assert_cmpstr (trace->str, ==, "<boom>[(null)]");
}

static void
test_errback_recovers_and_the_chain_goes_on_with_values (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_errback (d, recover_with_fallback, NULL, NULL);
  braid_deferred_add_callback (d, append_bang, NULL, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_errback (d, new_error ("lost"));
  g_assert_cmpstr (trace->str, ==, "[fallback!]");
}

static void
test_errback_is_skipped_on_values (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_errback (d, handle_error, trace, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_callback (d, "fine", NULL);
  g_assert_cmpstr (trace->str, ==, "[fine]");
}

static void
test_trap_handles_the_error_it_names (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_errback (d, trap_timeout, trace, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_errback (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow"));
  g_assert_cmpstr (trace->str, ==, "(trapped)[cached]");
}

static void
test_trap_of_the_wrong_error_passes_it_on (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_errback (d, trap_timeout, trace, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_add_errback (d, handle_error, trace, NULL);
  braid_deferred_errback (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"));
  g_assert_cmpstr (trace->str, ==, "(not mine)<gone>");
}

static void
test_trap_leaves_a_null_value_to_replace (void)
{
  g_autoptr (BraidResult) result =
    braid_result_new_error (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "t"));

  g_assert_true (braid_result_check (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_false (braid_result_check (result, G_IO_ERROR, G_IO_ERROR_FAILED));
  g_assert_true (braid_result_is_error (result));     /* check changes nothing */
  g_assert_false (braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_FAILED));
  g_assert_true (braid_result_is_error (result));
  g_assert_true (braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_false (braid_result_is_error (result));
  g_assert_null (braid_result_get_value (result));
  g_assert_false (braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
}

static void
test_add_callbacks_runs_one_function_per_level (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  /* The callback's error does not reach the errback of the same level
   * (Twisted's addCallbacks), only the next errback. */
  braid_deferred_add_callbacks (d, fail_with_denied, handle_error, trace, NULL);
  braid_deferred_add_callbacks (d, record_value, handle_error, trace, NULL);
  braid_deferred_callback (d, "x", NULL);
  g_assert_cmpstr (trace->str, ==, "<denied x>");
}

static void
test_add_both_runs_on_either_result (void)
{
  g_autoptr (BraidDeferred) ok = braid_deferred_new ();
  g_autoptr (BraidDeferred) bad = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_add_both (ok, record_either, trace, NULL);
  braid_deferred_add_both (bad, record_either, trace, NULL);
  braid_deferred_callback (ok, "yes", NULL);
  braid_deferred_errback (bad, new_error ("no"));
  g_assert_cmpstr (trace->str, ==, "[yes]<no>");
  error = braid_assert_failure_result (bad, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
do_nothing (BraidResult *result, gpointer data)
{
}

static void
cancel_nothing (BraidDeferred *d, gpointer data)
{
}

static void
test_user_data_is_freed_when_the_link_is_done (void)
{
  guint destroyed = 0;
  BraidDeferred *d = braid_deferred_new ();

  braid_deferred_add_callback (d, do_nothing, &destroyed, count_destroy);   /* runs */
  braid_deferred_add_errback (d, do_nothing, &destroyed, count_destroy);    /* skipped */
  g_assert_cmpuint (destroyed, ==, 0);
  braid_deferred_callback (d, NULL, NULL);
  g_assert_cmpuint (destroyed, ==, 2);

  braid_deferred_unref (d);
  d = braid_deferred_new ();
  braid_deferred_add_callback (d, do_nothing, &destroyed, count_destroy);   /* never runs */
  braid_deferred_unref (d);
  g_assert_cmpuint (destroyed, ==, 3);
}

static void
test_value_is_freed_with_the_deferred (void)
{
  guint destroyed = 0;
  BraidDeferred *d = braid_deferred_new ();

  braid_deferred_callback (d, &destroyed, count_destroy);
  g_assert_cmpuint (destroyed, ==, 0);
  braid_deferred_unref (d);
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_replaced_value_is_freed (void)
{
  guint destroyed = 0;
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_add_callback (d, recover_with_fallback, NULL, NULL);
  braid_deferred_callback (d, &destroyed, count_destroy);
  g_assert_cmpuint (destroyed, ==, 1);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "fallback");
}

static void
drop_last_reference (BraidResult *result, gpointer data)
{
  braid_deferred_unref (data);
}

static void
test_dropping_the_last_reference_in_a_callback_is_safe (void)
{
  BraidDeferred *d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, drop_last_reference, d, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_callback (d, "still here", NULL);
  g_assert_cmpstr (trace->str, ==, "[still here]");
}

static void
add_another_link (BraidResult *result, gpointer data)
{
  BraidDeferred *d = data;

  braid_deferred_add_callback (d, append_bang, NULL, NULL);
}

static void
test_callback_may_add_links_to_its_own_deferred (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_add_callback (d, add_another_link, d, NULL);
  braid_deferred_callback (d, g_strdup ("a"), g_free);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "a!");
}

static void
test_many_links_grow_the_chain (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) expected = g_string_new ("s");

  for (guint i = 0; i < 50; i++)
    {
      braid_deferred_add_callback (d, append_bang, NULL, NULL);
      g_string_append_c (expected, '!');
    }
  braid_deferred_callback (d, g_strdup ("s"), g_free);
  g_assert_cmpstr (braid_assert_success_result (d), ==, expected->str);
  /* Links added after a finished chain reuse the array. */
  braid_deferred_add_callback (d, append_bang, NULL, NULL);
  g_string_append_c (expected, '!');
  g_assert_cmpstr (braid_assert_success_result (d), ==, expected->str);
}

static void
test_succeed_and_fail_are_fired_deferreds (void)
{
  g_autoptr (BraidDeferred) ok = braid_succeed (g_strdup ("done"), g_free);
  g_autoptr (BraidDeferred) bad = braid_fail (new_error ("broken"));
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_deferred_is_called (ok));
  g_assert_cmpstr (braid_assert_success_result (ok), ==, "done");
  error = braid_assert_failure_result (bad, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "broken");
  g_assert_nonnull (strstr (braid_deferred_get_created_at (bad), "test-deferred.c:"));
}

/* Firing twice ------------------------------------------------------------ */

static void
test_firing_twice_is_reported_loudly (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  guint destroyed = 0;

  braid_deferred_callback (d, "first", NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "*created at *test-deferred.c:*already called at *test-deferred.c:*"
                         "fired again at *test-deferred.c:*braid-error-quark, 2*");
  g_assert_false (braid_deferred_callback (d, &destroyed, count_destroy));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (destroyed, ==, 1);   /* the second value is freed */
  g_assert_cmpstr (braid_assert_success_result (d), ==, "first");
}

static void
test_errback_after_callback_is_reported_loudly (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_callback (d, "first", NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already called*");
  g_assert_false (braid_deferred_errback (d, new_error ("late")));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (braid_assert_success_result (d), ==, "first");
}

/* Chaining ---------------------------------------------------------------- */

static void
chain_to_user_data (BraidResult *result, gpointer data)
{
  braid_result_chain (result, braid_deferred_ref (data));
}

static void
test_chain_pauses_on_inner (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_callback (outer, record_value, trace, NULL);
  braid_deferred_callback (outer, "ignored", NULL);
  g_assert_cmpstr (trace->str, ==, "");
  braid_assert_no_result (outer);

  braid_deferred_callback (inner, g_strdup ("from inner"), g_free);
  g_assert_cmpstr (trace->str, ==, "[from inner]");
  g_assert_cmpstr (braid_assert_success_result (outer), ==, "from inner");
  /* The result moved to the outer chain. */
  g_assert_null (braid_assert_success_result (inner));
}

static void
test_chain_inner_error_goes_to_outer_errbacks (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_callback (outer, record_value, trace, NULL);
  braid_deferred_add_errback (outer, handle_error, trace, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  braid_deferred_errback (inner, new_error ("inner failed"));
  g_assert_cmpstr (trace->str, ==, "<inner failed>");
  /* The inner deferred's error was handled by the outer chain: no
   * unhandled error is reported when inner is dropped. */
}

static void
test_chain_takes_a_fired_inner_result_at_once (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_succeed (g_strdup ("ready"), g_free);
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_callback (outer, record_value, trace, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  g_assert_cmpstr (trace->str, ==, "[ready]");
}

static void
test_chain_waits_for_a_paused_inner (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_succeed (g_strdup ("held"), g_free);
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_pause (inner);
  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_callback (outer, record_value, trace, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  g_assert_cmpstr (trace->str, ==, "");
  braid_deferred_unpause (inner);
  g_assert_cmpstr (trace->str, ==, "[held]");
}

static void
test_chain_inner_links_added_later_see_null (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (inner, append_bang, NULL, NULL);
  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  braid_deferred_add_callback (inner, record_value, trace, NULL);
  braid_deferred_callback (inner, g_strdup ("v"), g_free);
  /* Links before the continuation saw the value, links after it NULL. */
  g_assert_cmpstr (trace->str, ==, "[(null)]");
  g_assert_cmpstr (braid_assert_success_result (outer), ==, "v!");
}

static void
test_chain_outer_continues_after_inner_is_done (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  /* The outer chain resumes on the inner's result, then the inner's own
   * remaining links run: the trampoline returns to where it was. */
  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_both (outer, record_either, trace, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  braid_deferred_add_both (inner, record_either, trace, NULL);
  braid_deferred_callback (inner, "in", NULL);
  g_assert_cmpstr (trace->str, ==, "[in][(null)]");
}

static void
test_chain_inner_dropped_unfired_frees_everything (void)
{
  guint destroyed = 0;
  BraidDeferred *outer = braid_deferred_new ();
  BraidDeferred *inner = braid_deferred_new ();

  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_callback (outer, do_nothing, &destroyed, count_destroy);
  braid_deferred_callback (outer, NULL, NULL);
  braid_deferred_unref (outer);     /* the inner's continuation holds it */
  g_assert_cmpuint (destroyed, ==, 0);
  braid_deferred_unref (inner);     /* nobody can fire inner any more */
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_chain_outer_stops_waiting_when_inner_is_dropped (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  BraidDeferred *inner = braid_deferred_new ();

  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  braid_deferred_unref (inner);
  braid_assert_no_result (outer);
  braid_deferred_cancel (outer);   /* nothing left to cancel, and no crash */
  braid_assert_no_result (outer);
}

static void
chain_then_change_mind (BraidResult *result, gpointer data)
{
  braid_result_chain (result, braid_deferred_ref (data));
  braid_result_set_value (result, "instead", NULL);
}

static void
test_chain_replaced_by_a_value_does_not_wait (void)
{
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new ();

  braid_deferred_add_callback (outer, chain_then_change_mind, inner, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  g_assert_cmpstr (braid_assert_success_result (outer), ==, "instead");
  braid_deferred_callback (inner, "unrelated", NULL);
  g_assert_cmpstr (braid_assert_success_result (inner), ==, "unrelated");
}

static void
test_chain_cycle_fails_instead_of_hanging (void)
{
  g_autoptr (BraidDeferred) a = braid_deferred_new ();
  g_autoptr (BraidDeferred) b = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_callback (a, chain_to_user_data, b, NULL);
  braid_deferred_add_callback (b, chain_to_user_data, a, NULL);
  braid_deferred_callback (a, NULL, NULL);          /* a waits on b */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*would wait on itself*");
  braid_deferred_callback (b, NULL, NULL);          /* b would wait on a */
  g_test_assert_expected_messages ();
  /* b fails instead, and its error flows into a. */
  error = braid_assert_failure_result (a, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_null (braid_assert_success_result (b));
  braid_deferred_cancel (a);   /* no endless walk */
}

static void
chain_to_self (BraidResult *result, gpointer data)
{
  braid_result_chain (result, braid_deferred_ref (data));
}

static void
test_chain_to_itself_fails_instead_of_hanging (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_callback (d, chain_to_self, d, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*would wait on itself*");
  braid_deferred_callback (d, "value", NULL);
  g_test_assert_expected_messages ();
  error = braid_assert_failure_result (d, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "chained to itself"));
  braid_deferred_cancel (d);   /* nothing to wait on: no endless walk */
}

/* A chain DEPTH deep: deferreds[i]'s callback chains deferreds[i + 1].
 * Each is fired in turn, so each waits on the next; firing the last one
 * sends its result back up through every level. */
#define DEPTH 100000

static BraidDeferred **
build_deep_chain (GString *trace)
{
  BraidDeferred **deferreds = g_new (BraidDeferred *, DEPTH);

  for (guint i = 0; i < DEPTH; i++)
    deferreds[i] = braid_deferred_new ();
  for (guint i = 0; i + 1 < DEPTH; i++)
    braid_deferred_add_callback (deferreds[i], chain_to_user_data, deferreds[i + 1], NULL);
  braid_deferred_add_both (deferreds[0], record_either, trace, NULL);
  for (guint i = 0; i + 1 < DEPTH; i++)
    braid_deferred_callback (deferreds[i], NULL, NULL);
  return deferreds;
}

static void
test_chain_100000_deep_fires_without_recursion (void)
{
  g_autoptr (GString) trace = g_string_new (NULL);
  BraidDeferred **deferreds = build_deep_chain (trace);

  braid_assert_no_result (deferreds[0]);
  braid_deferred_callback (deferreds[DEPTH - 1], g_strdup ("bottom"), g_free);
  g_assert_cmpstr (trace->str, ==, "[bottom]");
  g_assert_cmpstr (braid_assert_success_result (deferreds[0]), ==, "bottom");
  for (guint i = 0; i < DEPTH; i++)
    braid_deferred_unref (deferreds[i]);
  g_free (deferreds);
}

static void
test_chain_100000_deep_cancels_the_innermost (void)
{
  g_autoptr (GString) trace = g_string_new (NULL);
  BraidDeferred **deferreds = build_deep_chain (trace);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (deferreds[0]);
  g_assert_cmpstr (trace->str, ==, "<The deferred was cancelled>");
  error = braid_assert_failure_result (deferreds[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < DEPTH; i++)
    braid_deferred_unref (deferreds[i]);
  g_free (deferreds);
}

static void
test_chain_100000_deep_is_freed_without_recursion (void)
{
  g_autoptr (GString) trace = g_string_new (NULL);
  BraidDeferred **deferreds = build_deep_chain (trace);

  /* Drop the outer ones first: each stays alive, held by its inner
   * deferred's continuation; dropping the innermost frees them all. */
  for (guint i = 0; i < DEPTH; i++)
    braid_deferred_unref (deferreds[i]);
  g_free (deferreds);
  g_assert_cmpstr (trace->str, ==, "");
}

static void
chain_a_fired_deferred (BraidResult *result, gpointer data)
{
  guint *remaining = data;

  if (*remaining == 0)
    return;
  (*remaining)--;
  braid_result_chain (result, braid_succeed (GUINT_TO_POINTER (*remaining), NULL));
}

static void
test_chain_of_fired_deferreds_runs_in_a_loop (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  guint remaining = DEPTH;

  for (guint i = 0; i < DEPTH; i++)
    braid_deferred_add_callback (d, chain_a_fired_deferred, &remaining, NULL);
  braid_deferred_callback (d, NULL, NULL);
  g_assert_cmpuint (remaining, ==, 0);
  g_assert_null (braid_assert_success_result (d));
}

/* Pausing ----------------------------------------------------------------- */

static void
test_pause_holds_the_chain_until_unpause (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_pause (d);
  braid_deferred_pause (d);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_callback (d, "v", NULL);
  g_assert_cmpstr (trace->str, ==, "");
  braid_assert_no_result (d);
  braid_deferred_unpause (d);
  g_assert_cmpstr (trace->str, ==, "");
  braid_deferred_unpause (d);
  g_assert_cmpstr (trace->str, ==, "[v]");
  g_assert_true (braid_deferred_has_result (d));
}

static void
pause_data (BraidResult *result, gpointer data)
{
  braid_deferred_pause (data);
}

static void
test_pause_from_a_callback_stops_the_rest (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, pause_data, d, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_callback (d, "later", NULL);
  g_assert_cmpstr (trace->str, ==, "");
  braid_deferred_unpause (d);
  g_assert_cmpstr (trace->str, ==, "[later]");
}

static void
test_unpause_before_firing_runs_nothing (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_pause (d);
  braid_deferred_unpause (d);
  g_assert_cmpstr (trace->str, ==, "");
  braid_deferred_callback (d, "now", NULL);
  g_assert_cmpstr (trace->str, ==, "[now]");
}

/* Cancelling -------------------------------------------------------------- */

static void
test_cancel_without_canceller_fails_with_cancelled (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cancel_without_canceller_ignores_the_late_callback_once (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;
  guint destroyed = 0;

  braid_deferred_cancel (d);
  /* The producer did not know: its answer is dropped, silently. */
  g_assert_false (braid_deferred_callback (d, &destroyed, count_destroy));
  g_assert_cmpuint (destroyed, ==, 1);
  /* But only once: a second answer is a real bug. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already called*");
  g_assert_false (braid_deferred_callback (d, NULL, NULL));
  g_test_assert_expected_messages ();
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct
{
  guint calls;
  gboolean fire;
} Canceller;

static void
cancel_work (BraidDeferred *d, gpointer data)
{
  Canceller *canceller = data;

  canceller->calls++;
  if (canceller->fire)
    braid_deferred_callback (d, g_strdup ("stopped cleanly"), g_free);
}

static void
test_cancel_runs_the_canceller_then_fails (void)
{
  Canceller canceller = { 0 };
  guint destroyed = 0;
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (d);
  g_assert_cmpuint (canceller.calls, ==, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* With a canceller, the work was stopped: a later answer is a bug. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already called*");
  g_assert_false (braid_deferred_callback (d, &destroyed, count_destroy));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_cancel_keeps_what_the_canceller_fired (void)
{
  Canceller canceller = { .fire = TRUE };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);

  braid_deferred_cancel (d);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "stopped cleanly");
}

static void
test_cancel_after_firing_does_nothing (void)
{
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);

  braid_deferred_callback (d, "done", NULL);
  braid_deferred_cancel (d);
  braid_deferred_cancel (d);
  g_assert_cmpuint (canceller.calls, ==, 0);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "done");
}

static void
test_cancel_twice_cancels_once (void)
{
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (d);
  braid_deferred_cancel (d);
  g_assert_cmpuint (canceller.calls, ==, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cancel_of_a_paused_deferred_does_nothing (void)
{
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);

  braid_deferred_pause (d);
  braid_deferred_callback (d, "held", NULL);
  braid_deferred_cancel (d);
  g_assert_cmpuint (canceller.calls, ==, 0);
  braid_deferred_unpause (d);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "held");
}

static void
cancel_data (BraidResult *result, gpointer data)
{
  braid_deferred_cancel (data);
}

static void
test_cancel_from_its_own_callback_does_nothing (void)
{
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (d, cancel_data, d, NULL);
  braid_deferred_add_callback (d, record_value, trace, NULL);
  braid_deferred_callback (d, "running", NULL);
  g_assert_cmpuint (canceller.calls, ==, 0);
  g_assert_cmpstr (trace->str, ==, "[running]");
}

static void
test_cancel_while_waiting_cancels_the_inner (void)
{
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) outer = braid_deferred_new ();
  g_autoptr (BraidDeferred) inner = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (outer, chain_to_user_data, inner, NULL);
  braid_deferred_add_errback (outer, handle_error, trace, NULL);
  braid_deferred_callback (outer, NULL, NULL);
  braid_deferred_cancel (outer);
  g_assert_cmpuint (canceller.calls, ==, 1);
  g_assert_cmpstr (trace->str, ==, "<The deferred was cancelled>");
  g_assert_true (braid_deferred_is_called (inner));
}

static void
test_canceller_data_is_freed_when_fired (void)
{
  guint destroyed = 0;
  g_autoptr (BraidDeferred) fired =
    braid_deferred_new_with_canceller (cancel_nothing, &destroyed, count_destroy);
  g_autoptr (BraidDeferred) cancelled =
    braid_deferred_new_with_canceller (cancel_nothing, &destroyed, count_destroy);
  BraidDeferred *dropped =
    braid_deferred_new_with_canceller (cancel_nothing, &destroyed, count_destroy);
  g_autoptr (GError) error = NULL;

  braid_deferred_callback (fired, NULL, NULL);
  g_assert_cmpuint (destroyed, ==, 1);
  braid_deferred_cancel (cancelled);
  g_assert_cmpuint (destroyed, ==, 2);
  braid_deferred_unref (dropped);
  g_assert_cmpuint (destroyed, ==, 3);
  error = braid_assert_failure_result (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A producer that starts its work after making the deferred: a timer that
 * fires it, cancelled by the canceller set afterwards. */
static void
fire_from_timer (gpointer data)
{
  braid_deferred_callback (data, "on time", NULL);
}

static void
cancel_the_call (BraidDeferred *d, gpointer call)
{
  braid_delayed_call_cancel (call, NULL);
}

static BraidDeferred *
fire_later (BraidClock *clock, gdouble delay)
{
  BraidDeferred *d = braid_deferred_new ();
  BraidDelayedCall *call = braid_clock_call_later (clock, delay, fire_from_timer,
                                                   braid_deferred_ref (d),
                                                   (GDestroyNotify) braid_deferred_unref);

  braid_deferred_set_canceller (d, cancel_the_call, braid_delayed_call_ref (call),
                                (GDestroyNotify) braid_delayed_call_unref);
  return d;
}

static void
test_set_canceller_after_starting_the_work (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) fired = fire_later (BRAID_CLOCK (clock), 1);
  g_autoptr (BraidDeferred) cancelled = fire_later (BRAID_CLOCK (clock), 1);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (cancelled);
  error = braid_assert_failure_result (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (braid_assert_success_result (fired), ==, "on time");
}

static void
test_set_canceller_replaces_and_frees (void)
{
  guint destroyed = 0;
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);
  g_autoptr (BraidDeferred) fired = braid_succeed (NULL, NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_set_canceller (d, cancel_nothing, &destroyed, count_destroy);
  braid_deferred_set_canceller (d, cancel_work, &canceller, NULL);
  g_assert_cmpuint (destroyed, ==, 1);     /* the replaced one's data */
  braid_deferred_cancel (d);
  g_assert_cmpuint (canceller.calls, ==, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_set_canceller (fired, cancel_work, &destroyed, count_destroy);
  g_assert_cmpuint (destroyed, ==, 2);     /* fired: nothing to cancel */
}

/* Timeouts ---------------------------------------------------------------- */

static void
test_timeout_fails_with_timed_out (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_timeout (d, 5, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, 4.9);
  braid_assert_no_result (d);
  braid_fake_clock_advance (clock, 0.1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timeout_is_cancelled_when_fired_first (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  braid_deferred_add_timeout (d, 5, BRAID_CLOCK (clock));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_deferred_callback (d, "quick", NULL);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "quick");
}

static void
test_timeout_links_before_it_see_cancelled (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_add_errback (d, record_error, trace, NULL);
  braid_deferred_add_timeout (d, 1, BRAID_CLOCK (clock));
  braid_deferred_add_errback (d, record_error, trace, NULL);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (trace->str, ==, "<The deferred was cancelled><The deferred timed out>");
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_timeout_runs_the_canceller (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Canceller canceller = { 0 };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_add_timeout (d, 2, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (canceller.calls, ==, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_timeout_keeps_a_value_the_canceller_gave (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Canceller canceller = { .fire = TRUE };
  g_autoptr (BraidDeferred) d = braid_deferred_new_with_canceller (cancel_work, &canceller, NULL);

  braid_deferred_add_timeout (d, 2, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "stopped cleanly");
}

static void
fire_with_answer (gpointer data)
{
  braid_deferred_callback (data, "answer", NULL);
}

static void
test_timeout_race_fire_scheduled_first_wins (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  /* Both due at t=3; equal deadlines run in scheduling order. */
  braid_clock_call_later (BRAID_CLOCK (clock), 3, fire_with_answer, d, NULL);
  braid_deferred_add_timeout (d, 3, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, 3);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "answer");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timeout_race_timeout_scheduled_first_wins (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  braid_deferred_add_timeout (d, 3, BRAID_CLOCK (clock));
  braid_clock_call_later (BRAID_CLOCK (clock), 3, fire_with_answer, d, NULL);
  /* The late answer is ignored (no canceller: once, silently). */
  braid_fake_clock_advance (clock, 3);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timeout_on_a_fired_deferred_schedules_nothing (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

  braid_deferred_add_timeout (d, 1, BRAID_CLOCK (clock));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timeout_keeps_a_dropped_deferred_until_it_expires (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidDeferred *d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_timeout (d, 1, BRAID_CLOCK (clock));
  braid_deferred_add_errback (d, handle_error, trace, NULL);
  braid_deferred_unref (d);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpstr (trace->str, ==, "<The deferred timed out>");
}

/* Unhandled errors -------------------------------------------------------- */

typedef struct
{
  GPtrArray *messages;
} Captured;

static void
capture_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  Captured *captured = data;

  g_ptr_array_add (captured->messages, g_strdup (message));
}

static gboolean
unhandled_error_is_not_fatal (const char *domain, GLogLevelFlags level,
                              const char *message, gpointer data)
{
  return strstr (message, "Unhandled error in BraidDeferred") == NULL;
}

static guint
capture_warnings (Captured *captured)
{
  captured->messages = g_ptr_array_new_with_free_func (g_free);
  g_test_log_set_fatal_handler (unhandled_error_is_not_fatal, NULL);
  return g_log_set_handler ("Braid", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                            capture_log, captured);
}

static void
stop_capturing (Captured *captured, guint handler)
{
  g_log_remove_handler ("Braid", handler);
  g_test_log_set_fatal_handler (NULL, NULL);
  g_ptr_array_unref (captured->messages);
}

static void
test_unhandled_error_is_logged_at_the_last_unref (void)
{
  Captured captured;
  guint handler = capture_warnings (&captured);
  BraidDeferred *d = braid_deferred_new ();   /* line A */
  const char *message;
  g_autofree char *leftovers = NULL;

  braid_deferred_errback (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                  "no such user"));
  braid_deferred_ref (d);
  braid_deferred_unref (d);
  g_assert_cmpuint (captured.messages->len, ==, 0);   /* not yet: a ref remains */
  braid_deferred_unref (d);
  g_assert_cmpuint (captured.messages->len, ==, 1);   /* now, not later */

  message = g_ptr_array_index (captured.messages, 0);
  g_assert_nonnull (strstr (message, "Unhandled error in BraidDeferred"));
  g_assert_nonnull (strstr (message, "no such user"));
  g_assert_nonnull (strstr (message, "g-io-error-quark"));
  g_assert_nonnull (strstr (message, "test-deferred.c:"));
  g_assert_nonnull (strstr (message, "fired at "));
  g_assert_nonnull (strstr (strstr (message, "fired at "), "test-deferred.c:"));

  /* The hygiene check saw it too: a test leaving it would fail. */
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (leftovers);
  g_assert_nonnull (strstr (leftovers, "no such user"));
  stop_capturing (&captured, handler);
}

static void
test_unhandled_error_names_the_creation_line (void)
{
  Captured captured;
  guint handler = capture_warnings (&captured);
  int line = __LINE__ + 1;
  BraidDeferred *d = braid_deferred_new ();
  g_autofree char *expected = g_strdup_printf ("test-deferred.c:%d", line);
  g_autofree char *leftovers = NULL;

  braid_deferred_errback (d, new_error ("x"));
  braid_deferred_unref (d);
  g_assert_cmpuint (captured.messages->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (captured.messages, 0), expected));
  leftovers = braid_hygiene_collect ();
  stop_capturing (&captured, handler);
}

static void
test_handled_error_is_not_reported (void)
{
  Captured captured;
  guint handler = capture_warnings (&captured);
  BraidDeferred *d = braid_deferred_new ();
  g_autoptr (GString) trace = g_string_new (NULL);
  g_autofree char *leftovers = NULL;

  braid_deferred_add_errback (d, handle_error, trace, NULL);
  braid_deferred_errback (d, new_error ("handled"));
  braid_deferred_unref (d);
  g_assert_cmpuint (captured.messages->len, ==, 0);
  leftovers = braid_hygiene_collect ();
  g_assert_null (leftovers);
  stop_capturing (&captured, handler);
}

static void
test_unfired_deferred_is_not_reported (void)
{
  Captured captured;
  guint handler = capture_warnings (&captured);

  braid_deferred_unref (braid_deferred_new ());
  g_assert_cmpuint (captured.messages->len, ==, 0);
  stop_capturing (&captured, handler);
}

static void
count_report (const char *report, gpointer data)
{
  (*(guint *) data)++;
}

static void
test_unhandled_error_observers_are_told (void)
{
  Captured captured;
  guint handler = capture_warnings (&captured);
  guint reports = 0;
  g_autofree char *leftovers = NULL;

  braid_deferred_add_unhandled_error_observer (count_report, &reports);
  braid_deferred_unref (braid_fail (new_error ("seen")));
  g_assert_cmpuint (reports, ==, 1);
  braid_deferred_remove_unhandled_error_observer (count_report, &reports);
  braid_deferred_unref (braid_fail (new_error ("unseen")));
  g_assert_cmpuint (reports, ==, 1);
  g_assert_cmpuint (captured.messages->len, ==, 2);
  leftovers = braid_hygiene_collect ();
  stop_capturing (&captured, handler);
}

static void
test_leaving_an_unhandled_error_fails_the_hygiene_check (void)
{
  if (g_test_subprocess ())
    {
      g_test_log_set_fatal_handler (unhandled_error_is_not_fatal, NULL);
      braid_deferred_unref (braid_fail (new_error ("forgotten")));
      braid_assert_no_leftovers ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*the test left things behind*Unhandled error in BraidDeferred*"
                             "forgotten*");
}

/* Results ----------------------------------------------------------------- */

static void
test_standalone_results_own_what_they_hold (void)
{
  guint destroyed = 0;
  BraidResult *value = braid_result_new_value (&destroyed, count_destroy);
  BraidResult *error = braid_result_new_error (new_error ("e"));
  g_autoptr (GError) stolen = NULL;

  g_assert_false (braid_result_is_error (value));
  g_assert_true (braid_result_get_value (value) == &destroyed);
  g_assert_null (braid_result_get_error (value));
  g_assert_cmpint (braid_result_get_index (value), ==, -1);
  braid_result_free (value);
  g_assert_cmpuint (destroyed, ==, 1);

  value = braid_result_new_value (&destroyed, count_destroy);
  g_assert_true (braid_result_steal_value (value) == &destroyed);
  braid_result_free (value);
  g_assert_cmpuint (destroyed, ==, 1);   /* stolen, so not freed */

  g_assert_true (braid_result_is_error (error));
  g_assert_null (braid_result_get_value (error));
  stolen = braid_result_steal_error (error);
  g_assert_cmpstr (stolen->message, ==, "e");
  g_assert_false (braid_result_is_error (error));
  braid_result_take_error (error, new_error ("again"));
  g_assert_cmpstr (braid_result_get_error (error)->message, ==, "again");
  braid_result_free (error);
  braid_result_free (NULL);
}

static void
test_deferred_is_a_boxed_type (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  BraidDeferred *copy = g_boxed_copy (BRAID_TYPE_DEFERRED, d);

  g_assert_true (copy == d);
  g_boxed_free (BRAID_TYPE_DEFERRED, copy);
  g_assert_null (braid_deferred_get_fired_at (d));
  braid_deferred_callback (d, NULL, NULL);
  g_assert_nonnull (strstr (braid_deferred_get_fired_at (d), "test-deferred.c:"));
}

/* ---- where a deferred was created and fired, when nobody says --------- */

static guint destroyed_canceller_data;

static void
never_cancel (BraidDeferred *deferred, gpointer data)
{
  (void) deferred;
  (void) data;
}

static void
test_unknown_creation_and_firing_places (void)
{
  BraidDeferred *d = braid_deferred_new_full (NULL, NULL, NULL, NULL);

  g_assert_cmpstr (braid_deferred_get_created_at (d), ==, "(unknown)");
  braid_deferred_callback_full (d, NULL, NULL, NULL);
  g_assert_cmpstr (braid_deferred_get_fired_at (d), ==, "(unknown)");

  /* Firing again is misuse: the critical names both places. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "BraidDeferred created at (unknown) was already called at "
                         "(unknown); fired again at (unknown)*");
  braid_deferred_callback_full (d, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (braid_assert_success_result (d));
  braid_deferred_unref (d);
}

static void
test_canceller_set_after_firing_is_dropped (void)
{
  g_autoptr (BraidDeferred) d = braid_succeed (NULL, NULL);

  destroyed_canceller_data = 0;
  /* Without a destroy notify there is nothing to release... */
  braid_deferred_set_canceller (d, never_cancel, &destroyed_canceller_data, NULL);
  g_assert_cmpuint (destroyed_canceller_data, ==, 0);
  /* ...with one, the data is released at once. */
  braid_deferred_set_canceller (d, never_cancel, &destroyed_canceller_data, count_destroy);
  g_assert_cmpuint (destroyed_canceller_data, ==, 1);
  g_assert_null (braid_assert_success_result (d));
}

static void
test_observer_removed_only_with_its_own_data (void)
{
  guint reports = 0;
  guint other = 0;
  g_autofree char *leftovers = NULL;

  braid_deferred_add_unhandled_error_observer (count_report, &reports);
  /* Same function, other data: not this observer. */
  braid_deferred_remove_unhandled_error_observer (count_report, &other);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Unhandled error in BraidDeferred*");
  braid_deferred_unref (braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "seen")));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (reports, ==, 1);
  g_assert_cmpuint (other, ==, 0);
  braid_deferred_remove_unhandled_error_observer (count_report, &reports);
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (strstr (leftovers, "seen"));
}

static void
test_timeout_outlived_by_its_clock (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autofree char *leftovers = NULL;

  braid_deferred_add_timeout (d, 5, BRAID_CLOCK (clock));
  /* Destroying the clock cancels the timeout's call (and reports it). */
  g_object_unref (clock);
  leftovers = braid_hygiene_collect ();
  g_assert_nonnull (strstr (leftovers, "is still pending (due at 5 s"));

  /* The value that comes later goes through untouched. */
  braid_deferred_callback (d, g_strdup ("late but fine"), g_free);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "late but fine");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidDeferred: results that arrive later, with errors that cannot be lost");

  braid_test_add_func ("/deferred/callback/runs-with-the-value", test_callback_runs_with_the_value);
  braid_test_add_func ("/deferred/callback/added-after-firing-runs-at-once",
                       test_callback_added_after_firing_runs_at_once);
  braid_test_add_func ("/deferred/callback/run-in-order", test_callbacks_run_in_order_on_each_result);
  braid_test_add_func ("/deferred/callback/turns-value-into-error", test_callback_turns_value_into_error);
  braid_test_add_func ("/deferred/callback/may-add-links", test_callback_may_add_links_to_its_own_deferred);
  braid_test_add_func ("/deferred/callback/many-links", test_many_links_grow_the_chain);
  braid_test_add_func ("/deferred/errback/runs-on-error", test_errback_runs_on_error_and_callbacks_are_skipped);
  braid_test_add_func ("/deferred/errback/recovers", test_errback_recovers_and_the_chain_goes_on_with_values);
  braid_test_add_func ("/deferred/errback/skipped-on-values", test_errback_is_skipped_on_values);
  braid_test_add_func ("/deferred/errback/trap-handles-its-error", test_trap_handles_the_error_it_names);
  braid_test_add_func ("/deferred/errback/trap-of-the-wrong-error", test_trap_of_the_wrong_error_passes_it_on);
  braid_test_add_func ("/deferred/errback/trap-and-check", test_trap_leaves_a_null_value_to_replace);
  braid_test_add_func ("/deferred/add-callbacks/one-per-level", test_add_callbacks_runs_one_function_per_level);
  braid_test_add_func ("/deferred/add-both/runs-on-either", test_add_both_runs_on_either_result);
  braid_test_add_func ("/deferred/ownership/user-data-freed", test_user_data_is_freed_when_the_link_is_done);
  braid_test_add_func ("/deferred/ownership/value-freed-with-deferred", test_value_is_freed_with_the_deferred);
  braid_test_add_func ("/deferred/ownership/replaced-value-freed", test_replaced_value_is_freed);
  braid_test_add_func ("/deferred/ownership/unref-in-callback", test_dropping_the_last_reference_in_a_callback_is_safe);
  braid_test_add_func ("/deferred/ownership/boxed", test_deferred_is_a_boxed_type);
  braid_test_add_func ("/deferred/ownership/standalone-results", test_standalone_results_own_what_they_hold);
  braid_test_add_func ("/deferred/succeed-and-fail", test_succeed_and_fail_are_fired_deferreds);
  braid_test_add_func ("/deferred/fire-twice/reported-loudly", test_firing_twice_is_reported_loudly);
  braid_test_add_func ("/deferred/fire-twice/errback-after-callback", test_errback_after_callback_is_reported_loudly);
  braid_test_add_func ("/deferred/chain/pauses-on-inner", test_chain_pauses_on_inner);
  braid_test_add_func ("/deferred/chain/inner-error-goes-to-outer", test_chain_inner_error_goes_to_outer_errbacks);
  braid_test_add_func ("/deferred/chain/takes-fired-inner-at-once", test_chain_takes_a_fired_inner_result_at_once);
  braid_test_add_func ("/deferred/chain/waits-for-paused-inner", test_chain_waits_for_a_paused_inner);
  braid_test_add_func ("/deferred/chain/inner-later-links-see-null", test_chain_inner_links_added_later_see_null);
  braid_test_add_func ("/deferred/chain/outer-then-inner-rest", test_chain_outer_continues_after_inner_is_done);
  braid_test_add_func ("/deferred/chain/inner-dropped-frees-all", test_chain_inner_dropped_unfired_frees_everything);
  braid_test_add_func ("/deferred/chain/inner-dropped-outer-stops-waiting",
                       test_chain_outer_stops_waiting_when_inner_is_dropped);
  braid_test_add_func ("/deferred/chain/replaced-by-value", test_chain_replaced_by_a_value_does_not_wait);
  braid_test_add_func ("/deferred/chain/cycle", test_chain_cycle_fails_instead_of_hanging);
  braid_test_add_func ("/deferred/chain/to-itself", test_chain_to_itself_fails_instead_of_hanging);
  braid_test_add_func ("/deferred/chain/deep-100000-fires", test_chain_100000_deep_fires_without_recursion);
  braid_test_add_func ("/deferred/chain/deep-100000-cancels", test_chain_100000_deep_cancels_the_innermost);
  braid_test_add_func ("/deferred/chain/deep-100000-freed", test_chain_100000_deep_is_freed_without_recursion);
  braid_test_add_func ("/deferred/chain/100000-fired-inners", test_chain_of_fired_deferreds_runs_in_a_loop);
  braid_test_add_func ("/deferred/pause/holds-until-unpause", test_pause_holds_the_chain_until_unpause);
  braid_test_add_func ("/deferred/pause/from-a-callback", test_pause_from_a_callback_stops_the_rest);
  braid_test_add_func ("/deferred/pause/unpause-before-firing", test_unpause_before_firing_runs_nothing);
  braid_test_add_func ("/deferred/cancel/no-canceller", test_cancel_without_canceller_fails_with_cancelled);
  braid_test_add_func ("/deferred/cancel/late-callback-ignored-once",
                       test_cancel_without_canceller_ignores_the_late_callback_once);
  braid_test_add_func ("/deferred/cancel/canceller-then-cancelled", test_cancel_runs_the_canceller_then_fails);
  braid_test_add_func ("/deferred/cancel/canceller-fires", test_cancel_keeps_what_the_canceller_fired);
  braid_test_add_func ("/deferred/cancel/after-firing", test_cancel_after_firing_does_nothing);
  braid_test_add_func ("/deferred/cancel/twice", test_cancel_twice_cancels_once);
  braid_test_add_func ("/deferred/cancel/paused", test_cancel_of_a_paused_deferred_does_nothing);
  braid_test_add_func ("/deferred/cancel/from-own-callback", test_cancel_from_its_own_callback_does_nothing);
  braid_test_add_func ("/deferred/cancel/waiting-cancels-inner", test_cancel_while_waiting_cancels_the_inner);
  braid_test_add_func ("/deferred/cancel/canceller-data-freed", test_canceller_data_is_freed_when_fired);
  braid_test_add_func ("/deferred/cancel/set-canceller-later", test_set_canceller_after_starting_the_work);
  braid_test_add_func ("/deferred/cancel/set-canceller-replaces", test_set_canceller_replaces_and_frees);
  braid_test_add_func ("/deferred/timeout/times-out", test_timeout_fails_with_timed_out);
  braid_test_add_func ("/deferred/timeout/cancelled-when-fired-first", test_timeout_is_cancelled_when_fired_first);
  braid_test_add_func ("/deferred/timeout/links-before-see-cancelled", test_timeout_links_before_it_see_cancelled);
  braid_test_add_func ("/deferred/timeout/runs-the-canceller", test_timeout_runs_the_canceller);
  braid_test_add_func ("/deferred/timeout/canceller-value-kept", test_timeout_keeps_a_value_the_canceller_gave);
  braid_test_add_func ("/deferred/timeout/race-fire-first", test_timeout_race_fire_scheduled_first_wins);
  braid_test_add_func ("/deferred/timeout/race-timeout-first", test_timeout_race_timeout_scheduled_first_wins);
  braid_test_add_func ("/deferred/timeout/already-fired", test_timeout_on_a_fired_deferred_schedules_nothing);
  braid_test_add_func ("/deferred/timeout/keeps-dropped-deferred",
                       test_timeout_keeps_a_dropped_deferred_until_it_expires);
  braid_test_add_func ("/deferred/unhandled/logged-at-last-unref", test_unhandled_error_is_logged_at_the_last_unref);
  braid_test_add_func ("/deferred/unhandled/names-creation-line", test_unhandled_error_names_the_creation_line);
  braid_test_add_func ("/deferred/unhandled/handled-not-reported", test_handled_error_is_not_reported);
  braid_test_add_func ("/deferred/unhandled/unfired-not-reported", test_unfired_deferred_is_not_reported);
  braid_test_add_func ("/deferred/unhandled/observers", test_unhandled_error_observers_are_told);
  braid_test_add_func ("/deferred/unhandled/fails-hygiene-check",
                       test_leaving_an_unhandled_error_fails_the_hygiene_check);

  braid_test_add_func ("/deferred/timeout/clock-gone", test_timeout_outlived_by_its_clock);
  braid_test_add_func ("/deferred/places/unknown", test_unknown_creation_and_firing_places);
  braid_test_add_func ("/deferred/canceller/after-firing", test_canceller_set_after_firing_is_dropped);
  braid_test_add_func ("/deferred/observers/remove-own-data", test_observer_removed_only_with_its_own_data);

  return g_test_run ();
}
