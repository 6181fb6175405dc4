/* test-deferred-lock-run.c: braid_deferred_lock_run() and
 * braid_deferred_semaphore_run(), Twisted's DeferredLock.run. */
#include <string.h>

#include <braid-fakes.h>

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
  g_test_summary ("braid_deferred_lock_run / semaphore_run: acquire, call, release even on error");

  braid_test_add_func ("/deferred-lock-run/lock/holds", test_lock_run_holds_the_lock_while_the_work_runs);
  braid_test_add_func ("/deferred-lock-run/lock/releases-on-error", test_lock_run_releases_on_error);
  braid_test_add_func ("/deferred-lock-run/lock/holds-until-answer",
                       test_lock_run_holds_until_the_deferred_answer);
  braid_test_add_func ("/deferred-lock-run/lock/waits-its-turn", test_lock_run_waits_its_turn);
  braid_test_add_func ("/deferred-lock-run/lock/cancelled-while-waiting",
                       test_lock_run_cancelled_while_waiting_never_runs);
  braid_test_add_func ("/deferred-lock-run/semaphore/releases-on-error",
                       test_semaphore_run_gives_the_token_back_on_error);
  braid_test_add_func ("/deferred-lock-run/semaphore/holds-until-answer",
                       test_semaphore_run_holds_a_token_until_the_answer);

  return g_test_run ();
}
