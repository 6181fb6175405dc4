/* test-delayed-call.c: who owns the call braid_clock_call_later()
 * returns. The clock does (transfer none); a caller keeps it with a
 * reference of its own (braid_delayed_call_ref()). The reference count is
 * read from the private structure (time/braid-delayed-call-private.h). */
#include <braid-fakes.h>

#include "time/braid-delayed-call-private.h"

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

/* The natural mistake: holding the clock's call in a g_autoptr without a
 * reference. Dropping it at the end of the scope is reported, and the call
 * stays pending and fires, instead of the clock reading freed memory. */
static void
test_autoptr_without_a_reference_is_caught (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "*test-delayed-call.c:*its clock owns it*(transfer none)*");
  {
    g_autoptr (BraidDelayedCall) call =
      braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);

    g_assert_true (braid_delayed_call_active (call));
  }
  g_test_assert_expected_messages ();

  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

/* The right way: a reference of one's own, kept past the call. */
static void
test_autoptr_with_a_reference_keeps_the_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));

  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_true (braid_delayed_call_called (call));
  g_assert_true (g_atomic_ref_count_compare (&call->ref_count, 1));
}

/* A clock that goes away cancels its pending calls: that drops its
 * references quietly, while the caller's own reference stays valid. */
static void
test_clock_freed_with_a_kept_call (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));

  braid_delayed_call_cancel (call, NULL);
  g_object_unref (clock);
  g_assert_true (braid_delayed_call_cancelled (call));
  g_assert_cmpuint (calls, ==, 0);
}

/* Another reference to a pending call, dropped, leaves the clock's: the
 * call stays scheduled, quietly. Likewise for a pending call its clock took
 * out of the queue (a fake clock's advance holds it). */
static void
test_extra_reference_to_a_pending_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call,
                                                   &calls, NULL);
  BraidDelayedCall *popped;

  g_assert_true (braid_delayed_call_ref (call) == call);
  g_assert_true (g_atomic_ref_count_compare (&call->ref_count, 2));
  braid_delayed_call_unref (call);
  g_assert_true (braid_delayed_call_active (call));
  g_assert_true (g_atomic_ref_count_compare (&call->ref_count, 1));

  popped = braid_timer_queue_pop_due (queue, 1, G_MAXUINT64);
  g_assert_true (popped == call);
  braid_delayed_call_unref (braid_delayed_call_ref (popped));
  g_assert_true (braid_delayed_call_active (popped));
  braid_timer_queue_requeue (queue, popped);

  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

/* The boxed type's copy and free are the reference and its drop, as for
 * GSource: bindings keep a call alive past its clock this way. */
static void
test_boxed_copy_is_a_reference (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call,
                                                   &calls, NULL);
  BraidDelayedCall *copy;

  g_assert_true (G_TYPE_IS_BOXED (BRAID_TYPE_DELAYED_CALL));
  copy = g_boxed_copy (BRAID_TYPE_DELAYED_CALL, call);
  g_assert_true (copy == call);
  braid_fake_clock_advance (clock, 1);
  g_assert_true (braid_delayed_call_called (copy));
  g_assert_true (g_atomic_ref_count_compare (&copy->ref_count, 1));
  g_boxed_free (BRAID_TYPE_DELAYED_CALL, copy);   /* frees it: valgrind sees no leak */
  g_assert_cmpuint (calls, ==, 1);
}

/* A call kept past its clock can be handed to another thread, which drops
 * the last reference: the count is atomic (the clock stays on its thread). */
static gpointer
keep_a_call_on_a_thread (gpointer data)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  BraidDelayedCall *call =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call,
                                                    data, NULL));

  braid_fake_clock_advance (clock, 1);
  g_object_unref (clock);
  return call;
}

static void
test_kept_call_handed_to_another_thread (void)
{
  guint calls = 0;
  GThread *thread = g_thread_new ("timers", keep_a_call_on_a_thread, &calls);
  g_autoptr (BraidDelayedCall) call = g_thread_join (thread);

  g_assert_true (braid_delayed_call_called (call));
  g_assert_true (g_atomic_ref_count_compare (&call->ref_count, 1));
  g_assert_cmpuint (calls, ==, 1);
}

/* Bad arguments are refused with a critical, as GLib's own functions do. */
static void
test_null_is_refused (void)
{
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  g_assert_null (braid_delayed_call_ref (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  braid_delayed_call_unref (NULL);
  g_test_assert_expected_messages ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/delayed-call/ownership/autoptr-without-reference",
                       test_autoptr_without_a_reference_is_caught);
  braid_test_add_func ("/delayed-call/ownership/autoptr-with-reference",
                       test_autoptr_with_a_reference_keeps_the_call);
  braid_test_add_func ("/delayed-call/ownership/clock-freed", test_clock_freed_with_a_kept_call);
  braid_test_add_func ("/delayed-call/ownership/extra-reference", test_extra_reference_to_a_pending_call);
  braid_test_add_func ("/delayed-call/boxed/copy-is-a-reference", test_boxed_copy_is_a_reference);
  braid_test_add_func ("/delayed-call/ownership/kept-across-threads",
                       test_kept_call_handed_to_another_thread);
  braid_test_add_func ("/delayed-call/arguments/null", test_null_is_refused);

  return g_test_run ();
}
