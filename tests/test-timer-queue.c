/* test-timer-queue.c: BraidTimerQueue, the radix heap behind every clock. */
#include <math.h>

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

          entry.call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock),
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
              braid_delayed_call_unref (entry->call);
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
      braid_delayed_call_unref (popped);
      g_assert_true (braid_delayed_call_called (entry->call));
      braid_delayed_call_unref (entry->call);
    }
  g_assert_cmpuint (fired, ==, live->len);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
}

static void
test_heap_order_under_random_insert_cancel_reset (void)
{
  check_heap_order (5000, 6, 50);
}

/* Tens of thousands of calls, with many equal deadlines: big buckets,
 * spread again and again as the earliest ones are popped. */
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
  braid_delayed_call_unref (popped);
  g_assert_null (braid_timer_queue_pop_due (queue, 1, barrier));        /* behind the barrier */

  popped = braid_timer_queue_pop_due (queue, 1, G_MAXUINT64);
  g_assert_true (popped == second);
  braid_delayed_call_run (popped);
  braid_delayed_call_unref (popped);
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

  kept = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 3, count_call, &fired, NULL));
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

  held_case->held = braid_delayed_call_ref (braid_clock_call_later (held_case->clock, 0, count_held,
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
  braid_delayed_call_unref (held_case.held);
}

/* A deadline from a mix that reaches every bucket of the radix heap: equal
 * whole seconds (ties), 0.0 and -0.0, the smallest denormal, tiny and huge
 * values, and random ones. */
static gdouble
mixed_delay (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 9))
    {
    case 0:
      return 0.0;
    case 1:
      return -0.0;
    case 2:
      return 5e-324;
    case 3:
      return 1e-300 * g_rand_int_range (rand, 1, 4);
    case 4:
      return 1e300 * g_rand_int_range (rand, 1, 4);
    case 5:
      return G_MAXDOUBLE;
    case 6:
    case 7:
      return g_rand_int_range (rand, 0, 20);
    default:
      return g_rand_double_range (rand, 0, 100);
    }
}

/* The model's earliest call, or -1. */
static gint
model_earliest (GArray *live)
{
  gint best = -1;

  for (guint i = 0; i < live->len; i++)
    if (best < 0 || compare_expected (&g_array_index (live, Expected, i),
                                      &g_array_index (live, Expected, best)) < 0)
      best = i;
  return best;
}

/* Inserts, cancels, resets (earlier and later) and pops interleaved, the
 * pops with a growing `now` while the clock stays at 0: calls scheduled
 * after a pop often fall before the last key popped, so the queue's
 * backlog is exercised as much as its buckets. Every pop and every peek
 * is checked against a model. */
static void
test_interleaved_push_pop_with_mixed_deadlines (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  g_autoptr (GArray) live = g_array_new (FALSE, FALSE, sizeof (Expected));
  g_autoptr (GRand) rand = g_rand_new_with_seed (77);
  gdouble now = 0;
  guint fired = 0, popped_total = 0;

  for (guint step = 0; step < 20000; step++)
    {
      guint action = g_rand_int_range (rand, 0, 10);
      gint earliest;
      gdouble time;

      if (action < 4 || live->len == 0)
        {
          Expected entry;

          entry.call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), mixed_delay (rand),
                                                                       count_call, &fired, NULL));
          entry.time = braid_delayed_call_get_time (entry.call);
          entry.sequence = braid_delayed_call_get_sequence (entry.call);
          g_array_append_val (live, entry);
        }
      else if (action < 6)
        {
          guint index = g_rand_int_range (rand, 0, live->len);
          Expected *entry = &g_array_index (live, Expected, index);
          g_autoptr (GError) error = NULL;

          if (action == 4)
            {
              g_assert_true (braid_delayed_call_cancel (entry->call, &error));
              braid_delayed_call_unref (entry->call);
              g_array_remove_index_fast (live, index);
            }
          else
            {
              g_assert_true (braid_delayed_call_reset (entry->call, mixed_delay (rand), &error));
              entry->time = braid_delayed_call_get_time (entry->call);
              entry->sequence = braid_delayed_call_get_sequence (entry->call);
            }
          g_assert_no_error (error);
        }
      else
        {
          BraidDelayedCall *popped;

          if (action == 9)
            now = MAX (now, g_rand_double_range (rand, 0, 120));
          while ((earliest = model_earliest (live)) >= 0
                 && g_array_index (live, Expected, earliest).time <= now)
            {
              Expected entry = g_array_index (live, Expected, earliest);

              popped = braid_timer_queue_pop_due (queue, now, G_MAXUINT64);
              g_assert_true (popped == entry.call);
              braid_delayed_call_run (popped);
              braid_delayed_call_unref (popped);
              braid_delayed_call_unref (entry.call);
              g_array_remove_index_fast (live, earliest);
              popped_total++;
              if (g_rand_boolean (rand))
                break;   /* leave some due calls for a later pop */
            }
          earliest = model_earliest (live);
          if (earliest < 0 || g_array_index (live, Expected, earliest).time > now)
            g_assert_null (braid_timer_queue_pop_due (queue, now, G_MAXUINT64));
        }

      g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, live->len);
      earliest = model_earliest (live);
      if (earliest < 0)
        g_assert_false (braid_timer_queue_peek_time (queue, &time));
      else
        {
          g_assert_true (braid_timer_queue_peek_time (queue, &time));
          g_assert_cmpfloat (time, ==, g_array_index (live, Expected, earliest).time);
        }
    }
  g_assert_cmpuint (fired, ==, popped_total);
  g_assert_cmpuint (popped_total, >, 1000);

  /* What is left is listed in order, and cancelled with the clock. */
  g_array_sort (live, compare_expected);
  {
    g_autoptr (GPtrArray) listed = braid_timer_queue_list (queue);

    g_assert_cmpuint (listed->len, ==, live->len);
    for (guint i = 0; i < live->len; i++)
      g_assert_true (g_ptr_array_index (listed, i) == g_array_index (live, Expected, i).call);
  }
  braid_timer_queue_cancel_all (queue);
  for (guint i = 0; i < live->len; i++)
    {
      BraidDelayedCall *call = g_array_index (live, Expected, i).call;

      g_assert_true (braid_delayed_call_cancelled (call));
      braid_delayed_call_unref (call);
    }
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
}

/* Calls spread over many powers of two sit in many buckets once one call
 * has been popped; cancelling each in turn (the cached earliest among
 * them first) leaves the others in order. */
static void
test_cancel_in_every_bucket (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *calls[40];
  BraidDelayedCall *popped;
  guint fired = 0;
  gdouble time;

  popped = braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &fired, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    calls[i] = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1 + ldexp (1, (gint) i - 30),
                                                               count_call, &fired, NULL));
  g_assert_true (braid_timer_queue_pop_due (queue, 1, G_MAXUINT64) == popped);
  braid_delayed_call_run (popped);
  braid_delayed_call_unref (popped);

  for (guint i = 0; i < G_N_ELEMENTS (calls); i += 2)
    {
      /* calls[0] is the cached earliest; the others are not. */
      g_assert_true (braid_timer_queue_peek_time (queue, &time));
      g_assert_cmpfloat (time, ==, braid_delayed_call_get_time (calls[i == 0 ? 0 : 1]));
      g_assert_true (braid_delayed_call_cancel (calls[i], NULL));
      g_assert_true (braid_timer_queue_peek_time (queue, &time));
      g_assert_cmpfloat (time, ==, braid_delayed_call_get_time (calls[1]));
    }
  for (guint i = 1; i < G_N_ELEMENTS (calls); i += 2)
    {
      popped = braid_timer_queue_pop_due (queue, 1e9, G_MAXUINT64);
      g_assert_true (popped == calls[i]);
      braid_delayed_call_run (popped);
      braid_delayed_call_unref (popped);
    }
  g_assert_cmpuint (fired, ==, 1 + G_N_ELEMENTS (calls) / 2);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    braid_delayed_call_unref (calls[i]);
}

/* Equal deadlines fire in sequence order, however they reach bucket 0:
 * scheduled there directly, moved there when a higher bucket is spread,
 * or reset to the same time (which re-stamps them last). */
static void
test_ties_fire_in_sequence_order (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *calls[6];
  BraidDelayedCall *order[6];
  BraidDelayedCall *popped;

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    calls[i] = braid_clock_call_later (BRAID_CLOCK (clock), i < 3 ? 5 : 7, noop, NULL, NULL);
  g_assert_true (braid_delayed_call_reset (calls[0], 7, NULL));   /* last among the 7s */
  g_assert_true (braid_delayed_call_reset (calls[4], 5, NULL));   /* last among the 5s */
  order[0] = calls[1];
  order[1] = calls[2];
  order[2] = calls[4];
  order[3] = calls[3];
  order[4] = calls[5];
  order[5] = calls[0];

  /* The first pop spreads the bucket that held them all: the other 5s
   * land in bucket 0, the 7s above it, each in sequence order. */
  popped = braid_timer_queue_pop_due (queue, 5, G_MAXUINT64);
  g_assert_true (popped == order[0]);
  braid_delayed_call_run (popped);
  braid_delayed_call_unref (popped);
  for (guint i = 1; i < G_N_ELEMENTS (order); i++)
    {
      popped = braid_timer_queue_pop_due (queue, 7, G_MAXUINT64);
      g_assert_true (popped == order[i]);
      braid_delayed_call_run (popped);
      braid_delayed_call_unref (popped);
    }
  g_assert_null (braid_timer_queue_pop_due (queue, 7, G_MAXUINT64));
}

/* A call put back below the last key popped (a zero-delay call a batch
 * held while later calls fired) goes first, in (time, sequence) order with
 * the others put back, and peek sees it. */
static void
test_requeue_below_the_last_popped (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *a, *b, *c, *d, *popped;
  gdouble time;

  a = braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  b = braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  c = braid_clock_call_later (BRAID_CLOCK (clock), 2, noop, NULL, NULL);
  d = braid_clock_call_later (BRAID_CLOCK (clock), 3, noop, NULL, NULL);
  g_assert_true (braid_timer_queue_pop_due (queue, 9, G_MAXUINT64) == a);
  g_assert_true (braid_timer_queue_pop_due (queue, 9, G_MAXUINT64) == b);
  g_assert_true (braid_timer_queue_pop_due (queue, 9, G_MAXUINT64) == c);
  braid_timer_queue_requeue (queue, c);
  braid_timer_queue_requeue (queue, b);
  braid_timer_queue_requeue (queue, a);
  g_assert_true (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, 1);
  /* Cancelling from the backlog keeps it whole. */
  g_assert_true (braid_delayed_call_cancel (b, NULL));
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 3);
  popped = braid_timer_queue_pop_due (queue, 9, G_MAXUINT64);
  g_assert_true (popped == a);
  braid_delayed_call_run (popped);
  braid_delayed_call_unref (popped);
  popped = braid_timer_queue_pop_due (queue, 9, G_MAXUINT64);
  g_assert_true (popped == c);
  braid_delayed_call_run (popped);
  braid_delayed_call_unref (popped);
  popped = braid_timer_queue_pop_due (queue, 9, G_MAXUINT64);
  g_assert_true (popped == d);
  braid_delayed_call_run (popped);
  braid_delayed_call_unref (popped);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
}

/* A peek never moves the queue on: after a peek at a far call, a call
 * scheduled sooner is still found first. */
static void
test_peek_then_schedule_sooner (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerQueue *queue = braid_clock_get_timer_queue (BRAID_CLOCK (clock));
  BraidDelayedCall *far, *near;
  gdouble time;

  far = braid_clock_call_later (BRAID_CLOCK (clock), 100, noop, NULL, NULL);
  braid_clock_call_later (BRAID_CLOCK (clock), 200, noop, NULL, NULL);
  g_assert_true (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, 100);
  g_assert_null (braid_timer_queue_pop_due (queue, 50, G_MAXUINT64));
  near = braid_clock_call_later (BRAID_CLOCK (clock), 10, noop, NULL, NULL);
  g_assert_true (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, 10);
  /* Reset later and earlier. */
  g_assert_true (braid_delayed_call_reset (near, 150, NULL));
  g_assert_true (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, 100);
  g_assert_true (braid_delayed_call_reset (far, 1, NULL));
  g_assert_true (braid_timer_queue_peek_time (queue, &time));
  g_assert_cmpfloat (time, ==, 1);
  braid_fake_clock_advance (clock, 300);
  g_assert_cmpuint (braid_timer_queue_get_length (queue), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidTimerQueue: order under random insert/cancel/reset, "
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
  braid_test_add_func ("/timer-queue/order/interleaved-mixed-deadlines", test_interleaved_push_pop_with_mixed_deadlines);
  braid_test_add_func ("/timer-queue/cancel-in-every-bucket", test_cancel_in_every_bucket);
  braid_test_add_func ("/timer-queue/order/ties", test_ties_fire_in_sequence_order);
  braid_test_add_func ("/timer-queue/requeue/below-last", test_requeue_below_the_last_popped);
  braid_test_add_func ("/timer-queue/peek-then-sooner", test_peek_then_schedule_sooner);

  return g_test_run ();
}
