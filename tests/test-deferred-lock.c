/* test-deferred-lock.c: BraidDeferredLock, BraidDeferredSemaphore and
 * BraidDeferredQueue. */
#include <braid-fakes.h>
#include <string.h>

static void
record_value (BraidResult *result, gpointer data)
{
  g_string_append_printf (data, "[%s]", (const char *) braid_result_get_value (result));
}

static void
mark (BraidResult *result, gpointer data)
{
  g_string_append (data, "+");
}

/* Lock ------------------------------------------------------------------- */

static void
test_lock_is_acquired_at_once_when_free (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) first = NULL;

  g_assert_false (braid_deferred_lock_is_locked (lock));
  first = braid_deferred_lock_acquire (lock);
  g_assert_null (braid_assert_success_result (first));
  g_assert_true (braid_deferred_lock_is_locked (lock));
  braid_deferred_lock_release (lock);
  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
test_lock_waiters_are_served_in_order (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) first = braid_deferred_lock_acquire (lock);
  g_autoptr (BraidDeferred) second = braid_deferred_lock_acquire (lock);
  g_autoptr (BraidDeferred) third = braid_deferred_lock_acquire (lock);

  g_assert_true (braid_deferred_has_result (first));   /* the first comes in at once */
  braid_assert_no_result (second);
  braid_assert_no_result (third);
  braid_deferred_lock_release (lock);
  g_assert_true (braid_deferred_has_result (second));
  braid_assert_no_result (third);
  g_assert_true (braid_deferred_lock_is_locked (lock));
  braid_deferred_lock_release (lock);
  g_assert_true (braid_deferred_has_result (third));
  braid_deferred_lock_release (lock);
  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
test_lock_cancelled_waiter_leaves_the_line (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) first = braid_deferred_lock_acquire (lock);
  g_autoptr (BraidDeferred) second = braid_deferred_lock_acquire (lock);
  g_autoptr (BraidDeferred) third = braid_deferred_lock_acquire (lock);
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_deferred_has_result (first));   /* the first comes in at once */
  braid_deferred_cancel (second);
  error = braid_assert_failure_result (second, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_lock_release (lock);
  g_assert_true (braid_deferred_has_result (third));
  braid_deferred_cancel (third);          /* already acquired: nothing happens */
  g_assert_true (braid_deferred_lock_is_locked (lock));
  braid_deferred_lock_release (lock);
}

static void
test_lock_release_when_unlocked_is_a_programming_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();

      braid_deferred_lock_release (lock);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*self->locked*");
}

static void
test_lock_freed_with_waiters_leaves_them_unfired (void)
{
  BraidDeferredLock *lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) first = braid_deferred_lock_acquire (lock);
  g_autoptr (BraidDeferred) waiting = braid_deferred_lock_acquire (lock);
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_deferred_has_result (first));   /* the first comes in at once */
  g_object_unref (lock);
  braid_assert_no_result (waiting);
  braid_deferred_cancel (waiting);      /* its lock is gone; still safe */
  error = braid_assert_failure_result (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Semaphore -------------------------------------------------------------- */

static void
test_semaphore_lets_n_holders_in (void)
{
  g_autoptr (BraidDeferredSemaphore) sem = braid_deferred_semaphore_new (2);
  g_autoptr (GString) trace = g_string_new (NULL);
  BraidDeferred *acquired[4];

  for (guint i = 0; i < 4; i++)
    {
      acquired[i] = braid_deferred_semaphore_acquire (sem);
      braid_deferred_add_callback (acquired[i], mark, trace, NULL);
    }
  g_assert_cmpstr (trace->str, ==, "++");
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (sem), ==, 0);
  braid_deferred_semaphore_release (sem);
  g_assert_cmpstr (trace->str, ==, "+++");
  braid_assert_no_result (acquired[3]);
  braid_deferred_semaphore_release (sem);
  g_assert_cmpstr (trace->str, ==, "++++");
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (sem), ==, 0);
  /* The two holders still in give their tokens back. */
  braid_deferred_semaphore_release (sem);
  braid_deferred_semaphore_release (sem);
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (sem), ==, 2);
  for (guint i = 0; i < 4; i++)
    braid_deferred_unref (acquired[i]);
}

static void
test_semaphore_cancelled_waiter_leaves_the_line (void)
{
  g_autoptr (BraidDeferredSemaphore) sem = braid_deferred_semaphore_new (1);
  g_autoptr (BraidDeferred) first = braid_deferred_semaphore_acquire (sem);
  g_autoptr (BraidDeferred) second = braid_deferred_semaphore_acquire (sem);
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_deferred_has_result (first));   /* the first comes in at once */
  braid_deferred_cancel (second);
  error = braid_assert_failure_result (second, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  braid_deferred_semaphore_release (sem);
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (sem), ==, 1);
}

static void
test_semaphore_over_release_is_a_programming_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (BraidDeferredSemaphore) sem = braid_deferred_semaphore_new (1);

      braid_deferred_semaphore_release (sem);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*tokens < self->limit*");
}

/* Queue ------------------------------------------------------------------ */

static void
test_queue_get_waits_for_put (void)
{
  g_autoptr (BraidDeferredQueue) queue = braid_deferred_queue_new (BRAID_DEFERRED_QUEUE_UNLIMITED,
                                                                   BRAID_DEFERRED_QUEUE_UNLIMITED);
  g_autoptr (BraidDeferred) first = braid_deferred_queue_get (queue, NULL);
  g_autoptr (BraidDeferred) second = braid_deferred_queue_get (queue, NULL);
  g_autoptr (GString) trace = g_string_new (NULL);

  braid_deferred_add_callback (first, record_value, trace, NULL);
  braid_deferred_add_callback (second, record_value, trace, NULL);
  g_assert_cmpuint (braid_deferred_queue_get_waiting (queue), ==, 2);
  g_assert_true (braid_deferred_queue_put (queue, g_strdup ("a"), g_free, NULL));
  g_assert_true (braid_deferred_queue_put (queue, g_strdup ("b"), g_free, NULL));
  g_assert_cmpstr (trace->str, ==, "[a][b]");
  g_assert_cmpuint (braid_deferred_queue_get_waiting (queue), ==, 0);
  g_assert_cmpuint (braid_deferred_queue_get_length (queue), ==, 0);
}

static void
test_queue_put_waits_for_get (void)
{
  g_autoptr (BraidDeferredQueue) queue = braid_deferred_queue_new (2, 0);
  g_autoptr (BraidDeferred) got = NULL;

  g_assert_true (braid_deferred_queue_put (queue, g_strdup ("first"), g_free, NULL));
  g_assert_true (braid_deferred_queue_put (queue, g_strdup ("second"), g_free, NULL));
  g_assert_cmpuint (braid_deferred_queue_get_length (queue), ==, 2);
  got = braid_deferred_queue_get (queue, NULL);
  g_assert_cmpstr (braid_assert_success_result (got), ==, "first");
  g_assert_cmpuint (braid_deferred_queue_get_length (queue), ==, 1);
  /* The queue is freed with "second" still in it (ASan checks). */
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_queue_overflow_is_an_error (void)
{
  g_autoptr (BraidDeferredQueue) queue = braid_deferred_queue_new (1, 0);
  g_autoptr (GError) error = NULL;
  guint destroyed = 0;

  g_assert_true (braid_deferred_queue_put (queue, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (braid_deferred_queue_put (queue, &destroyed, count_destroy, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_OVERFLOW);
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_queue_underflow_is_an_error (void)
{
  g_autoptr (BraidDeferredQueue) queue = braid_deferred_queue_new (1, 1);
  g_autoptr (BraidDeferred) waiting = braid_deferred_queue_get (queue, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_null (braid_deferred_queue_get (queue, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_UNDERFLOW);
  braid_assert_no_result (waiting);
}

static void
test_queue_cancelled_get_leaves_the_line (void)
{
  g_autoptr (BraidDeferredQueue) queue = braid_deferred_queue_new (5, 5);
  g_autoptr (BraidDeferred) cancelled = braid_deferred_queue_get (queue, NULL);
  g_autoptr (BraidDeferred) served = braid_deferred_queue_get (queue, NULL);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (cancelled);
  error = braid_assert_failure_result (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_deferred_queue_get_waiting (queue), ==, 1);
  braid_deferred_queue_put (queue, "value", NULL, NULL);
  g_assert_cmpstr (braid_assert_success_result (served), ==, "value");
}

static void
test_queue_freed_with_waiting_gets (void)
{
  BraidDeferredQueue *queue = braid_deferred_queue_new (1, 1);
  g_autoptr (BraidDeferred) waiting = braid_deferred_queue_get (queue, NULL);

  g_object_unref (queue);
  braid_assert_no_result (waiting);
}

/* braid_deferred_lock_run() and
 * braid_deferred_semaphore_run(), Twisted's DeferredLock.run. */
typedef struct
{
  BraidDeferredLock *lock;
  gboolean was_locked;
  BraidDeferred *answer;   /* NULL: answer at once */
  gboolean fail;
} Work;

static void
do_work (BraidResult *result, gpointer data)
{
  Work *work = data;

  work->was_locked = work->lock != NULL && braid_deferred_lock_is_locked (work->lock);
  if (work->answer != NULL)
    braid_result_chain (result, braid_deferred_ref (work->answer));
  else if (work->fail)
    braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_FAILED, "work failed");
  else
    braid_result_set_value (result, "done", NULL);
}

static void
test_lock_run_holds_the_lock_while_the_work_runs (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  Work work = { .lock = lock };
  g_autoptr (BraidDeferred) d = braid_deferred_lock_run (lock, do_work, &work, NULL);

  g_assert_true (work.was_locked);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "done");
  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
test_lock_run_releases_on_error (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  Work work = { .lock = lock, .fail = TRUE };
  g_autoptr (BraidDeferred) d = braid_deferred_lock_run (lock, do_work, &work, NULL);
  g_autoptr (GError) error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_FAILED);

  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
test_lock_run_holds_until_the_deferred_answer (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) answer = braid_deferred_new ();
  Work work = { .lock = lock, .answer = answer };
  g_autoptr (BraidDeferred) d = braid_deferred_lock_run (lock, do_work, &work, NULL);

  braid_assert_no_result (d);
  g_assert_true (braid_deferred_lock_is_locked (lock));
  braid_deferred_callback (answer, "later", NULL);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "later");
  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
test_lock_run_waits_its_turn (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) answer = braid_deferred_new ();
  Work first = { .lock = lock, .answer = answer };
  Work second = { .lock = lock };
  g_autoptr (BraidDeferred) d1 = braid_deferred_lock_run (lock, do_work, &first, NULL);
  g_autoptr (BraidDeferred) d2 = braid_deferred_lock_run (lock, do_work, &second, NULL);

  braid_assert_no_result (d2);
  g_assert_false (second.was_locked);
  braid_deferred_callback (answer, "first", NULL);
  g_assert_cmpstr (braid_assert_success_result (d1), ==, "first");
  g_assert_true (second.was_locked);
  g_assert_cmpstr (braid_assert_success_result (d2), ==, "done");
  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
count_call (BraidResult *result, gpointer data)
{
  guint *calls = data;

  (*calls)++;
}

static void
count_free (gpointer data)
{
  guint *calls = data;

  *calls += 100;
}

static void
test_lock_run_cancelled_while_waiting_never_runs (void)
{
  g_autoptr (BraidDeferredLock) lock = braid_deferred_lock_new ();
  g_autoptr (BraidDeferred) held = braid_deferred_lock_acquire (lock);
  guint calls = 0;
  g_autoptr (BraidDeferred) d = braid_deferred_lock_run (lock, count_call, &calls, count_free);
  g_autoptr (GError) error = NULL;

  braid_deferred_cancel (d);
  error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (calls, ==, 100);   /* not called; its data freed */
  /* The lock was never ours: still held by the first acquire, released once. */
  g_assert_true (braid_deferred_lock_is_locked (lock));
  braid_deferred_lock_release (lock);
  g_assert_false (braid_deferred_lock_is_locked (lock));
}

static void
test_semaphore_run_gives_the_token_back_on_error (void)
{
  g_autoptr (BraidDeferredSemaphore) semaphore = braid_deferred_semaphore_new (2);
  Work work = { .fail = TRUE };
  g_autoptr (BraidDeferred) d = braid_deferred_semaphore_run (semaphore, do_work, &work, NULL);
  g_autoptr (GError) error = braid_assert_failure_result (d, G_IO_ERROR, G_IO_ERROR_FAILED);

  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (semaphore), ==, 2);
}

static void
test_semaphore_run_holds_a_token_until_the_answer (void)
{
  g_autoptr (BraidDeferredSemaphore) semaphore = braid_deferred_semaphore_new (1);
  g_autoptr (BraidDeferred) answer = braid_deferred_new ();
  Work work = { .answer = answer };
  g_autoptr (BraidDeferred) d = braid_deferred_semaphore_run (semaphore, do_work, &work, NULL);

  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (semaphore), ==, 0);
  braid_deferred_callback (answer, "later", NULL);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "later");
  g_assert_cmpuint (braid_deferred_semaphore_get_tokens (semaphore), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidDeferredLock, BraidDeferredSemaphore and BraidDeferredQueue");

  braid_test_add_func ("/deferred-lock/acquire-when-free", test_lock_is_acquired_at_once_when_free);
  braid_test_add_func ("/deferred-lock/waiters-in-order", test_lock_waiters_are_served_in_order);
  braid_test_add_func ("/deferred-lock/cancelled-waiter", test_lock_cancelled_waiter_leaves_the_line);
  braid_test_add_func ("/deferred-lock/release-unlocked", test_lock_release_when_unlocked_is_a_programming_error);
  braid_test_add_func ("/deferred-lock/freed-with-waiters", test_lock_freed_with_waiters_leaves_them_unfired);
  braid_test_add_func ("/deferred-lock/semaphore/n-holders", test_semaphore_lets_n_holders_in);
  braid_test_add_func ("/deferred-lock/semaphore/cancelled-waiter", test_semaphore_cancelled_waiter_leaves_the_line);
  braid_test_add_func ("/deferred-lock/semaphore/over-release", test_semaphore_over_release_is_a_programming_error);
  braid_test_add_func ("/deferred-lock/queue/get-waits-for-put", test_queue_get_waits_for_put);
  braid_test_add_func ("/deferred-lock/queue/put-waits-for-get", test_queue_put_waits_for_get);
  braid_test_add_func ("/deferred-lock/queue/overflow", test_queue_overflow_is_an_error);
  braid_test_add_func ("/deferred-lock/queue/underflow", test_queue_underflow_is_an_error);
  braid_test_add_func ("/deferred-lock/queue/cancelled-get", test_queue_cancelled_get_leaves_the_line);
  braid_test_add_func ("/deferred-lock/queue/freed-with-waiting-gets", test_queue_freed_with_waiting_gets);


  braid_test_add_func ("/deferred-lock/run/lock/holds", test_lock_run_holds_the_lock_while_the_work_runs);
  braid_test_add_func ("/deferred-lock/run/lock/releases-on-error", test_lock_run_releases_on_error);
  braid_test_add_func ("/deferred-lock/run/lock/holds-until-answer",
                       test_lock_run_holds_until_the_deferred_answer);
  braid_test_add_func ("/deferred-lock/run/lock/waits-its-turn", test_lock_run_waits_its_turn);
  braid_test_add_func ("/deferred-lock/run/lock/cancelled-while-waiting",
                       test_lock_run_cancelled_while_waiting_never_runs);
  braid_test_add_func ("/deferred-lock/run/semaphore/releases-on-error",
                       test_semaphore_run_gives_the_token_back_on_error);
  braid_test_add_func ("/deferred-lock/run/semaphore/holds-until-answer",
                       test_semaphore_run_holds_a_token_until_the_answer);

  return g_test_run ();
}
