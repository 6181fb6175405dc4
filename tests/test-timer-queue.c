/* test-timer-queue.c: BraidTimerQueue, the heap behind every clock. */
#include <braid-fakes.h>

static void
noop (gpointer data)
{
}

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_empty_queue (void)
{
  BraidTimerQueue *queue = braid_timer_queue_new ();
  g_autoptr (GPtrArray) calls = braid_timer_queue_list (queue);
  gdouble time = -1;

  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
  g_assert_false (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, -1);
  g_assert_null (braid_timer_queue_pop_due (queue, 1e9, G_MAXUINT64));
  g_assert_cmpuint (calls->len, ==, 0);
  g_assert_cmpuint (braid_timer_queue_get_sequence (queue), ==, 0);
  braid_timer_queue_free (queue);
  braid_timer_queue_free (NULL);
}

/* One live call in the model of the heap. */
typedef struct
{
  BraidDelayedCall *call;   /* owned */
  gdouble time;
  guint64 sequence;
} Expected;

static gint
compare_expected (gconstpointer a, gconstpointer b)
{
  const Expected *x = a, *y = b;

  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return x->sequence < y->sequence ? -1 : x->sequence > y->sequence ? 1 : 0;
}

/* @steps random actions, @inserts_in_ten of every ten an insert (the
 * rest cancel or reset), delays up to @max_delay whole seconds. */
static void
check_heap_order (guint steps, guint inserts_in_ten, gint max_delay)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  g_autoptr (GArray) live = g_array_new (FALSE, FALSE, sizeof (Expected));
  g_autoptr (GRand) rand = g_rand_new_with_seed (1234);
  guint fired = 0;

  for (guint step = 0; step < steps; step++)
    {
      guint action = g_rand_int_range (rand, 0, 10);

      if (action < inserts_in_ten || live->len == 0)
        {
          /* Coarse times make many equal deadlines. */
          Expected entry;

          entry.call = g_object_ref (braid_clock_call_later (BRAID_CLOCK (clock),
                                                             g_rand_int_range (rand, 0, max_delay),
                                                             count_call, &fired, NULL));
          entry.time = braid_delayed_call_get_time (entry.call);
          entry.sequence = braid_delayed_call_get_sequence (entry.call);
          g_array_append_val (live, entry);
        }
      else
        {
          guint index = g_rand_int_range (rand, 0, live->len);
          Expected *entry = &g_array_index (live, Expected, index);
          g_autoptr (GError) error = NULL;

          if (action < inserts_in_ten + (10 - inserts_in_ten) / 2)
            {
              g_assert_true (braid_delayed_call_cancel (entry->call, &error));
              g_object_unref (entry->call);
              g_array_remove_index_fast (live, index);
            }
          else
            {
              g_assert_true (braid_delayed_call_reset (entry->call, g_rand_int_range (rand, 0, max_delay), &error));
              entry->time = braid_delayed_call_get_time (entry->call);
              entry->sequence = braid_delayed_call_get_sequence (entry->call);
            }
          g_assert_no_error (error);
        }
      g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, live->len);
    }

  g_array_sort (live, compare_expected);
  {
    g_autoptr (GPtrArray) listed = braid_timer_queue_list (queue);

    g_assert_cmpuint (listed->len, ==, live->len);
    for (guint i = 0; i < live->len; i++)
      g_assert_true (g_ptr_array_index (listed, i) == g_array_index (live, Expected, i).call);
  }
  for (guint i = 0; i < live->len; i++)
    {
      Expected *entry = &g_array_index (live, Expected, i);
      BraidDelayedCall *popped = braid_timer_queue_pop_due (queue, 1e9, G_MAXUINT64);

      g_assert_true (popped == entry->call);
      braid_delayed_call_run (popped);
      g_object_unref (popped);
      g_assert_true (braid_delayed_call_called (entry->call));
      g_object_unref (entry->call);
    }
  g_assert_cmpuint (fired, ==, live->len);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
}

static void
test_heap_order_under_random_insert_cancel_reset (void)
{
  check_heap_order (5000, 6, 50);
}

/* Tens of thousands of calls: past the size where the heap picks children
 * with a branchy scan instead of a branch-free tournament (IN_CACHE_SLOTS
 * in braid-timer-queue.c), with many equal deadlines. */
static void
test_heap_order_in_a_big_heap (void)
{
  check_heap_order (40000, 8, 200);
}

static void
test_pop_due_respects_time_and_sequence_barrier (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *first, *second, *popped;
  guint64 barrier;
  gdouble time;

  first = braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  barrier = braid_timer_queue_get_sequence (queue);
  g_assert_cmpuint (braid_delayed_call_get_sequence (first), <, barrier);
  second = braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  g_assert_cmpuint (braid_delayed_call_get_sequence (second), ==, barrier);

  g_assert_true (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, 1);
  g_assert_null (braid_timer_queue_pop_due (queue, 0.5, G_MAXUINT64));   /* not due yet */

  popped = braid_timer_queue_pop_due (queue, 1, barrier);
  g_assert_true (popped == first);
  braid_delayed_call_run (popped);
  g_object_unref (popped);
  g_assert_null (braid_timer_queue_pop_due (queue, 1, barrier));        /* behind the barrier */

  popped = braid_timer_queue_pop_due (queue, 1, G_MAXUINT64);
  g_assert_true (popped == second);
  braid_delayed_call_run (popped);
  g_object_unref (popped);
}

static void
test_requeue_keeps_time_and_order (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *a, *b, *popped;
  guint64 sequence;
  guint fired = 0;

  a = braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &fired, NULL);
  b = braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &fired, NULL);
  sequence = braid_delayed_call_get_sequence (a);

  popped = braid_timer_queue_pop_due (queue, 2, G_MAXUINT64);
  g_assert_true (popped == a);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 1);
  braid_timer_queue_requeue (queue, popped);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 2);
  g_assert_cmpuint (braid_delayed_call_get_sequence (a), ==, sequence);
  g_assert_cmpfloat (braid_delayed_call_get_time (a), ==, 2);

  /* a still fires before b, which was scheduled after it. */
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpuint (fired, ==, 2);
  (void) b;
}

static void
test_requeue_of_a_pending_queued_call_is_refused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *call = braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*call->queue == NULL*");
  braid_timer_queue_requeue (queue, call);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*call->queue == NULL*");
  braid_delayed_call_run (call);
  g_test_assert_expected_messages ();
  g_assert_true (braid_delayed_call_active (call));
  braid_fake_clock_advance (clock, 1);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_cancel_all_cancels_and_frees (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  g_autoptr (BraidDelayedCall) kept = NULL;
  guint destroyed = 0, fired = 0;

  kept = g_object_ref (braid_clock_call_later (BRAID_CLOCK (clock), 3, count_call, &fired, NULL));
  braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &destroyed, count_destroy);
  braid_clock_call_later (BRAID_CLOCK (clock), 2, count_call, &destroyed, count_destroy);
  braid_timer_queue_cancel_all (queue);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
  g_assert_cmpuint (destroyed, ==, 2);
  g_assert_true (braid_delayed_call_cancelled (kept));
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpuint (fired, ==, 0);
}

static void
test_scheduled_at_follows_resets (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GError) error = NULL;
  BraidDelayedCall *call;

  braid_fake_clock_advance (clock, 5);
  call = braid_clock_call_later (BRAID_CLOCK (clock), 10, noop, NULL, NULL);
  g_assert_cmpfloat (braid_delayed_call_get_scheduled_at (call), ==, 5);
  braid_fake_clock_advance (clock, 2);
  g_assert_true (braid_delayed_call_reset (call, 1, &error));
  g_assert_cmpfloat (braid_delayed_call_get_scheduled_at (call), ==, 7);
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 8);
  g_assert_true (braid_delayed_call_delay (call, 0, &error));
  g_assert_cmpfloat (braid_delayed_call_get_time (call), ==, 8);
  g_assert_true (braid_delayed_call_cancel (call, &error));
}

typedef struct
{
  BraidClock *clock;
  BraidDelayedCall *held;   /* owned */
  guint fired;
} HeldCase;

static void
count_held (gpointer data)
{
  ((HeldCase *) data)->fired++;
}

/* Fires first: schedules a zero-delay call, which the fake clock holds
 * back (out of the queue) until the advance ends. */
static void
schedule_held (gpointer data)
{
  HeldCase *held_case = data;

  held_case->held = g_object_ref (braid_clock_call_later (held_case->clock, 0, count_held,
                                                          held_case, NULL));
}

/* Fires second, in the same advance: cancels the held-back call. */
static void
cancel_held (gpointer data)
{
  HeldCase *held_case = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_delayed_call_cancel (held_case->held, &error));
  g_assert_no_error (error);
}

static void
test_cancelling_a_held_back_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  HeldCase held_case = { BRAID_CLOCK (clock), NULL, 0 };

  braid_clock_call_later (BRAID_CLOCK (clock), 1, schedule_held, &held_case, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 2, cancel_held, &held_case, NULL);
  braid_fake_clock_advance (clock, 3);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (held_case.fired, ==, 0);
  g_assert_true (braid_delayed_call_cancelled (held_case.held));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  g_object_unref (held_case.held);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidTimerQueue: heap order under random insert/cancel/reset, "
                  "pop_due with a sequence barrier, requeue, cancel_all.");

  braid_test_add_func ("/timer-queue/empty", test_empty_queue);
  braid_test_add_func ("/timer-queue/order/random-insert-cancel-reset", test_heap_order_under_random_insert_cancel_reset);
  braid_test_add_func ("/timer-queue/order/big-heap", test_heap_order_in_a_big_heap);
  braid_test_add_func ("/timer-queue/pop-due/barrier", test_pop_due_respects_time_and_sequence_barrier);
  braid_test_add_func ("/timer-queue/requeue/keeps-order", test_requeue_keeps_time_and_order);
  braid_test_add_func ("/timer-queue/requeue/refuses-queued", test_requeue_of_a_pending_queued_call_is_refused);
  braid_test_add_func ("/timer-queue/cancel-all", test_cancel_all_cancels_and_frees);
  braid_test_add_func ("/timer-queue/scheduled-at", test_scheduled_at_follows_resets);
  braid_test_add_func ("/timer-queue/cancel-held-back", test_cancelling_a_held_back_call);

  return g_test_run ();
}
