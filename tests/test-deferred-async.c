/* test-deferred-async.c: deferreds and GLib's asynchronous model —
 * GAsyncReadyCallback to deferred, deferred to GAsyncResult, and
 * braid_defer_to_thread(). Threads and a real GMainContext, no sockets. */
#include <braid-fakes.h>

/* A GIO-style asynchronous operation, written the usual way with GTask:
 * doubles a number, answering from the main loop. Negative numbers fail. */
static void
double_async (int n, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  if (n < 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "negative: %d", n);
  else
    g_task_return_pointer (task, g_strdup_printf ("%d", 2 * n), g_free);
  g_object_unref (task);
}

static gpointer
double_finish (GObject *source, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
iterate_until_result (GMainContext *context, BraidDeferred *d)
{
  while (!braid_deferred_has_result (d))
    g_main_context_iteration (context, TRUE);
}

static void
test_async_ready_fires_with_the_value (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();

  double_async (21, NULL, braid_deferred_async_ready, braid_deferred_async_data (d, double_finish, g_free));
  braid_assert_no_result (d);   /* GTask answers from the main loop */
  iterate_until_result (NULL, d);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "42");
}

static void
test_async_ready_fires_with_the_error (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  double_async (-1, NULL, braid_deferred_async_ready, braid_deferred_async_data (d, double_finish, g_free));
  iterate_until_result (NULL, d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "negative: -1");
}

static void
test_async_ready_after_cancel_drops_the_result (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;
  gboolean pending = TRUE;

  double_async (5, NULL, braid_deferred_async_ready, braid_deferred_async_data (d, double_finish, g_free));
  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Let the operation complete: its value is freed (ASan checks). */
  while (pending)
    pending = g_main_context_iteration (NULL, FALSE);
}

static gpointer
query_info_finish (GObject *source, GAsyncResult *result, GError **error)
{
  return g_file_query_info_finish (G_FILE (source), result, error);
}

static void
test_async_ready_with_a_real_gio_call (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GFile) file = g_file_new_for_path (g_test_get_filename (G_TEST_DIST, "test-deferred-async.c", NULL));
  GFileInfo *info;

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, NULL, braid_deferred_async_ready,
                           braid_deferred_async_data (d, query_info_finish, g_object_unref));
  iterate_until_result (NULL, d);
  info = braid_assert_success_result (d);
  g_assert_cmpstr (g_file_info_get_name (info), ==, "test-deferred-async.c");
}

/* A deferred seen as a GAsyncResult. */

typedef struct
{
  gboolean done;
  char *value;
  GError *error;
  gpointer source;
} AsyncOutcome;

static void
collect_outcome (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncOutcome *outcome = data;

  outcome->done = TRUE;
  outcome->source = source;
  outcome->value = braid_deferred_as_async_finish (result, &outcome->error);
}

static void
test_as_async_delivers_the_value (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  AsyncOutcome outcome = { 0 };

  braid_deferred_as_async (d, source, NULL, collect_outcome, &outcome);
  braid_deferred_callback (d, g_strdup ("awaited"), g_free);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (outcome.error);
  g_assert_cmpstr (outcome.value, ==, "awaited");
  g_assert_true (outcome.source == source);
  /* The GAsyncResult took the value over. */
  g_assert_null (braid_assert_success_result (d));
  g_free (outcome.value);
}

static void
test_as_async_delivers_the_error (void)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  AsyncOutcome outcome = { 0 };

  braid_deferred_as_async (d, NULL, NULL, collect_outcome, &outcome);
  braid_deferred_errback (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "missing"));
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (outcome.value);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&outcome.error);
  /* Handled by the GAsyncResult's reader: nothing unhandled is left. */
  g_assert_null (braid_assert_success_result (d));
}

/* Threads ---------------------------------------------------------------- */

static gpointer worker_thread;   /* the thread slow_square() ran in */

static gpointer
slow_square (gpointer data, GError **error)
{
  int n = GPOINTER_TO_INT (data);

  g_atomic_pointer_set (&worker_thread, g_thread_self ());
  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot square %d here", n);
      return NULL;
    }
  return g_strdup_printf ("%d", n * n);
}

typedef struct
{
  GThread *thread;
  char *seen;
} FiredIn;

static void
note_thread (BraidResult *result, gpointer data)
{
  FiredIn *fired = data;

  fired->thread = g_thread_self ();
  fired->seen = g_strdup (braid_result_get_value (result));
}

static void
test_defer_to_thread_fires_in_the_calling_context (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidDeferred) d = NULL;
  FiredIn fired = { 0 };

  g_main_context_push_thread_default (context);
  d = braid_defer_to_thread (slow_square, GINT_TO_POINTER (7), NULL, g_free);
  braid_deferred_add_callback (d, note_thread, &fired, NULL);
  braid_assert_no_result (d);
  iterate_until_result (context, d);
  g_main_context_pop_thread_default (context);

  g_assert_cmpstr (fired.seen, ==, "49");
  /* Worked in another thread, fired in this one. */
  g_assert_true (g_atomic_pointer_get (&worker_thread) != g_thread_self ());
  g_assert_true (fired.thread == g_thread_self ());
  g_free (fired.seen);
}

static void
test_defer_to_thread_fires_with_the_error (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidDeferred) d = NULL;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (context);
  d = braid_defer_to_thread (slow_square, GINT_TO_POINTER (-2), NULL, g_free);
  iterate_until_result (context, d);
  g_main_context_pop_thread_default (context);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "cannot square -2 here");
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean go;
  guint *destroyed;
} Gate;

static gpointer
wait_at_gate (gpointer data, GError **error)
{
  Gate *gate = data;

  g_mutex_lock (&gate->lock);
  while (!gate->go)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  return gate->destroyed;   /* freed with count_destroy */
}

static void
note_gate_done (gpointer data)
{
  Gate *gate = data;

  (*gate->destroyed) += 10;
}

static void
test_defer_to_thread_cancelled_drops_the_late_value (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidDeferred) d = NULL;
  g_autoptr (GError) error = NULL;
  guint destroyed = 0;
  Gate gate = { .destroyed = &destroyed };

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  g_main_context_push_thread_default (context);
  d = braid_defer_to_thread (wait_at_gate, &gate, note_gate_done, count_destroy);
  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_mutex_lock (&gate.lock);
  gate.go = TRUE;
  g_cond_signal (&gate.cond);
  g_mutex_unlock (&gate.lock);
  /* The work finishes; its value is freed and the user data released,
   * both in this thread. */
  while (destroyed < 11)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_assert_cmpuint (destroyed, ==, 11);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

/* ---- GAsyncReadyCallback after cancel ---------------------------------- */

/* What the operation answers: an error, or a static string (nothing to
 * free), or NULL. */
typedef enum { ANSWER_ERROR, ANSWER_STATIC, ANSWER_NULL } Answer;

static const char static_value[] = "static";

static void
answer_async (Answer answer, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  if (answer == ANSWER_ERROR)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "late failure");
  else
    g_task_return_pointer (task, answer == ANSWER_STATIC ? (gpointer) static_value : NULL, NULL);
  g_object_unref (task);
}

static guint finish_calls;

static gpointer
counting_finish (GObject *source, GAsyncResult *result, GError **error)
{
  (void) source;
  finish_calls++;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
run_cancelled_async (Answer answer, GDestroyNotify value_destroy)
{
  g_autoptr (BraidDeferred) d = braid_deferred_new ();
  g_autoptr (GError) error = NULL;

  finish_calls = 0;
  answer_async (answer, braid_deferred_async_ready,
                braid_deferred_async_data (d, counting_finish, value_destroy));
  braid_deferred_cancel (d);
  while (finish_calls == 0)
    g_main_context_iteration (NULL, TRUE);

  /* The late answer was finished once and dropped: the deferred still
   * holds the cancellation. */
  g_assert_cmpuint (finish_calls, ==, 1);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_async_cancelled_then_error (void)
{
  run_cancelled_async (ANSWER_ERROR, g_free);
}

static void
test_async_cancelled_then_value_without_destroy (void)
{
  run_cancelled_async (ANSWER_STATIC, NULL);
}

static void
test_async_cancelled_then_null_value (void)
{
  run_cancelled_async (ANSWER_NULL, g_free);
}

/* ---- braid_defer_to_thread after cancel -------------------------------- */

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean go;
  Answer answer;
  gboolean released;   /* set by the user-data destroy notify */
} AnswerGate;

static gpointer
answer_at_gate (gpointer data, GError **error)
{
  AnswerGate *gate = data;

  g_mutex_lock (&gate->lock);
  while (!gate->go)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  if (gate->answer == ANSWER_ERROR)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "late failure");
      return NULL;
    }
  return gate->answer == ANSWER_STATIC ? (gpointer) static_value : NULL;
}

static void
release_gate (gpointer data)
{
  AnswerGate *gate = data;

  gate->released = TRUE;
}

static void
run_cancelled_thread (Answer answer, GDestroyNotify value_destroy)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidDeferred) d = NULL;
  g_autoptr (GError) error = NULL;
  AnswerGate gate = { .answer = answer };

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  g_main_context_push_thread_default (context);
  d = braid_defer_to_thread_full (answer_at_gate, &gate, release_gate, value_destroy, G_STRLOC);
  braid_deferred_cancel (d);

  g_mutex_lock (&gate.lock);
  gate.go = TRUE;
  g_cond_signal (&gate.cond);
  g_mutex_unlock (&gate.lock);
  while (!gate.released)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  /* The late answer was dropped in this thread; the cancellation stays. */
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

static void
test_thread_cancelled_then_error (void)
{
  run_cancelled_thread (ANSWER_ERROR, g_free);
}

static void
test_thread_cancelled_then_value_without_destroy (void)
{
  run_cancelled_thread (ANSWER_STATIC, NULL);
}

static void
test_thread_cancelled_then_null_value (void)
{
  run_cancelled_thread (ANSWER_NULL, g_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Deferreds and GLib: GAsyncReadyCallback, GAsyncResult, threads");

  braid_test_add_func ("/deferred-async/ready/value", test_async_ready_fires_with_the_value);
  braid_test_add_func ("/deferred-async/ready/error", test_async_ready_fires_with_the_error);
  braid_test_add_func ("/deferred-async/ready/after-cancel", test_async_ready_after_cancel_drops_the_result);
  braid_test_add_func ("/deferred-async/ready/real-gio-call", test_async_ready_with_a_real_gio_call);
  braid_test_add_func ("/deferred-async/as-async/value", test_as_async_delivers_the_value);
  braid_test_add_func ("/deferred-async/as-async/error", test_as_async_delivers_the_error);
  braid_test_add_func ("/deferred-async/thread/fires-in-calling-context",
                       test_defer_to_thread_fires_in_the_calling_context);
  braid_test_add_func ("/deferred-async/thread/error", test_defer_to_thread_fires_with_the_error);
  braid_test_add_func ("/deferred-async/thread/cancelled", test_defer_to_thread_cancelled_drops_the_late_value);

  braid_test_add_func ("/deferred-async/ready/cancelled-then-error", test_async_cancelled_then_error);
  braid_test_add_func ("/deferred-async/ready/cancelled-then-unowned-value", test_async_cancelled_then_value_without_destroy);
  braid_test_add_func ("/deferred-async/ready/cancelled-then-null", test_async_cancelled_then_null_value);
  braid_test_add_func ("/deferred-async/thread/cancelled-then-error", test_thread_cancelled_then_error);
  braid_test_add_func ("/deferred-async/thread/cancelled-then-unowned-value", test_thread_cancelled_then_value_without_destroy);
  braid_test_add_func ("/deferred-async/thread/cancelled-then-null", test_thread_cancelled_then_null_value);

  return g_test_run ();
}
