/* test-delayed-call.c: who owns the call braid_clock_call_later()
 * returns. The clock does (transfer none); a caller keeps it with a
 * reference of its own (braid_delayed_call_ref()). The reference count is
 * read from the private structure (time/braid-delayed-call-private.h). */
#include <string.h>

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

/* The pool of finished calls (braid_delayed_call_release). AddressSanitizer
 * builds turn it off, so these tests only run without it. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_OFF TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_OFF TRUE
#endif
#endif
#ifndef POOL_OFF
#define POOL_OFF FALSE
#endif

static gboolean
skip_without_pool (void)
{
  if (POOL_OFF)
    g_test_skip ("AddressSanitizer turns the pool of delayed calls off");
  return POOL_OFF;
}

/* Takes the memory a freed call would be given back from, so a call made
 * next can only be at the old call's address if the old call was kept. */
static gpointer
take_freed_instance (void)
{
  return g_slice_alloc (sizeof (BraidDelayedCall));
}

static void
give_back_instance (gpointer memory)
{
  g_slice_free1 (sizeof (BraidDelayedCall), memory);
}

/* A call nobody else holds is kept when it fires and reused, fresh, for the
 * next call: pending, with its own function, creator and times. */
static void
test_fired_call_is_reused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint first = 0, second = 0;
  BraidDelayedCall *a, *b;
  gpointer filler;

  if (skip_without_pool ())
    return;
  a = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &first, NULL);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (first, ==, 1);

  filler = take_freed_instance ();
  b = braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &second, NULL);
  give_back_instance (filler);
  g_assert_true (b == a);
  g_assert_true (braid_delayed_call_active (b));
  g_assert_false (braid_delayed_call_called (b));
  g_assert_false (braid_delayed_call_cancelled (b));
  g_assert_cmpfloat (braid_delayed_call_get_time (b), ==, 3);
  g_assert_cmpfloat (braid_delayed_call_get_scheduled_at (b), ==, 1);
  g_assert_nonnull (strstr (braid_delayed_call_get_creator (b), "test-delayed-call.c:"));

  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpuint (second, ==, 1);
}

/* So is a cancelled one. */
static void
test_cancelled_call_is_reused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  BraidDelayedCall *a, *b;
  gpointer filler;

  if (skip_without_pool ())
    return;
  a = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  g_assert_true (braid_delayed_call_cancel (a, NULL));

  filler = take_freed_instance ();
  b = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  give_back_instance (filler);
  g_assert_true (b == a);
  g_assert_true (braid_delayed_call_active (b));
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

/* A call someone kept a reference to is never reused under them. */
static void
test_kept_call_is_not_reused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDelayedCall) kept =
    braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));
  BraidDelayedCall *next;

  braid_fake_clock_advance (clock, 1);
  next = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  g_assert_true (next != kept);
  g_assert_true (braid_delayed_call_called (kept));
  g_assert_true (braid_delayed_call_active (next));
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 2);
}

/* More finished calls than the pool keeps: the rest are finalized (the
 * valgrind setup checks that none leaks), and the calls made next, from
 * the pool or new, are all distinct and pending. */
static void
test_more_calls_than_the_pool_keeps (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint calls = 0;

  for (guint i = 0; i < 200; i++)
    braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 200);

  for (guint i = 0; i < 200; i++)
    {
      BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call,
                                                       &calls, NULL);

      g_assert_true (braid_delayed_call_active (call));
      g_assert_true (g_hash_table_add (seen, call));
    }
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 400);
}

/* Releasing a reference to a call that is still pending only drops that
 * reference: the call stays scheduled, never pooled under its queue; and
 * likewise for a pending call its clock took out of the queue. */
static void
test_pending_call_is_never_pooled (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  guint calls = 0;
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call,
                                                   &calls, NULL);
  BraidDelayedCall *popped;

  braid_delayed_call_release (braid_delayed_call_ref (call));
  g_assert_true (braid_delayed_call_active (call));
  g_assert_true (g_atomic_ref_count_compare (&call->ref_count, 1));

  popped = braid_timer_queue_pop_due (queue, 1, G_MAXUINT64);
  g_assert_true (popped == call);
  braid_delayed_call_release (braid_delayed_call_ref (popped));
  g_assert_true (braid_delayed_call_active (popped));
  braid_timer_queue_requeue (queue, popped);

  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

static gpointer
fire_on_a_thread (gpointer data)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  for (guint i = 0; i < 3; i++)
    braid_clock_call_later (BRAID_CLOCK (clock), i, count_call, data, NULL);
  braid_fake_clock_advance (clock, 3);
  return NULL;
}

/* Each thread has its own pool, freed when the thread ends (valgrind's leak
 * check in the valgrind setup sees it). */
static void
test_pool_per_thread (void)
{
  guint calls = 0;
  GThread *thread = g_thread_new ("timers", fire_on_a_thread, &calls);

  g_thread_join (thread);
  g_assert_cmpuint (calls, ==, 3);
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
  braid_test_add_func ("/delayed-call/pool/fired-call-reused", test_fired_call_is_reused);
  braid_test_add_func ("/delayed-call/pool/cancelled-call-reused", test_cancelled_call_is_reused);
  braid_test_add_func ("/delayed-call/pool/kept-call-not-reused", test_kept_call_is_not_reused);
  braid_test_add_func ("/delayed-call/pool/more-than-kept", test_more_calls_than_the_pool_keeps);
  braid_test_add_func ("/delayed-call/pool/pending-never-pooled", test_pending_call_is_never_pooled);
  braid_test_add_func ("/delayed-call/pool/per-thread", test_pool_per_thread);

  return g_test_run ();
}
