/* braid-timer-queue.c: the ordered set of pending delayed calls.
 *
 * Calls fire in (time, sequence) order. The sequence is a counter stamped
 * on a call each time it is scheduled or moved, so two calls due at the
 * same time fire in the order they were scheduled -- the determinism rule
 * libuv's timers and Braid's fake clock both follow.
 *
 * A radix heap
 * ------------
 * A clock's time never goes back, and a call is scheduled at or after
 * "now" (a delay is never negative), so the queue is *monotone*: nothing
 * is ever inserted before the last call taken out. That allows a radix
 * heap instead of a comparison heap. Each deadline becomes a 64-bit key
 * that orders like the double (its IEEE-754 bits, made unsigned-ordered),
 * and `last` is the key of the last call popped. A call lives in bucket 0
 * if its key equals `last`, otherwise in the bucket of the highest 4-bit
 * digit in which its key differs from `last` and of its own value of that
 * digit (DIGIT_BITS below): every key in a bucket is below every key of a
 * higher bucket. Scheduling appends to a bucket, O(1); cancelling or moving
 * a call swaps the bucket's last call into its place, O(1), since each call
 * remembers its bucket and index. Popping takes bucket 0; when it is empty,
 * the smallest non-empty bucket is scanned for its minimum, `last` becomes
 * that key, and the bucket's calls move to strictly lower buckets -- so
 * each call moves at most 16 times, and in practice a handful.
 *
 * Bucket 0 holds calls due at exactly the same time; they must fire in
 * sequence order, so it is a small binary heap by sequence. `last` only
 * advances when a call is actually popped, never on a peek: a clock asks
 * for the earliest deadline without firing it, then schedules something
 * sooner. The earliest key of the buckets above 0 is cached (it is computed
 * anyway while a bucket is redistributed), so the peek a GLib reactor makes
 * at every loop iteration is O(1).
 *
 * The rule "nothing before `last`" has two exceptions, and both are kept
 * correct rather than forbidden: a fake clock can be set back in time, and
 * a batch (braid_timer_queue_fire_due) puts back a zero-delay call it held
 * after firing later calls of a fake clock's advance. Such a call goes to
 * the *backlog*, an ordinary binary heap by (key, sequence) of keys below
 * `last`, which is always earlier than any bucket and usually empty.
 *
 * Measured with tools/bench/bench-fake-clock (a million random deadlines
 * in an hour, CPU time, medians of 3 alternated runs on a loaded machine):
 * 0.57 s, against 1.03 s for the 8-ary heap this replaces, which spent 43 %
 * of its run sifting, mostly in cache misses (eight runs on a quiet day
 * after it landed: 0.59-0.85 s, median 0.71 s). Single-bit buckets (65 of
 * them) took 0.79-0.87 s, 8-bit digits 0.73-0.87 s. bench-sim, whose
 * queues hold a few hundred calls, is unchanged within the noise (3.56 s
 * against 3.49 s). Since delayed calls stopped being GObjects (88 bytes
 * from g_slice, not a 112-byte instance): 0.35-0.46 s, median 0.42 s,
 * against 0.57-0.75 s, median 0.71 s, for the GObject calls in the same
 * five alternated runs. What is left here is mostly redistribute()'s
 * writes to the calls it moves (each a cache miss on a random call) and
 * the first touch of each call as it fires; prefetching the next call at
 * each pop gained nothing measurable, and 16 bytes more per call cost
 * about 3 %. See docs/benchmarks.md.
 */
#include "config.h"

#include <string.h>

#include "time/braid-delayed-call-private.h"
#include "time/braid-timer-queue.h"

/* One call in a bucket: its key next to the pointer, so a bucket is
 * scanned and redistributed without touching the calls. The call's own
 * time stays authoritative; the key is derived from it when it is put in. */
typedef struct
{
  guint64 key;
  BraidDelayedCall *call;   /* holds one reference */
} Slot;

typedef struct
{
  Slot *slots;
  guint length;
  guint allocated;
} Bucket;

/* Keys are compared digit by digit, DIGIT_BITS bits at a time. A call whose
 * key differs from `last` lives in the bucket of the highest digit where
 * they differ and of its own value of that digit: LEVELS levels of DIGITS
 * buckets, after bucket 0, ordered so that every key of a bucket is below
 * every key of a higher one. Four-bit digits rather than single bits (the
 * textbook radix heap) mean a call moves at most 16 times instead of 64,
 * and about a quarter as often in practice: each move writes the call's new
 * place into the call, a cache miss with a million calls. */
#define DIGIT_BITS 4
#define DIGITS (1 << DIGIT_BITS)
#define LEVELS (64 / DIGIT_BITS)
#define N_BUCKETS (1 + LEVELS * DIGITS)
#define NONEMPTY_WORDS ((N_BUCKETS - 1 + 63) / 64)
/* The value of a call's queue_bucket while it is in the backlog. */
#define BACKLOG_BUCKET N_BUCKETS

/**
 * BraidTimerQueue:
 *
 * The pending [struct@Braid.DelayedCall]s of one clock, earliest first.
 *
 * Only implementers of [iface@Braid.Clock] use it directly: a clock owns one
 * queue, returns it from its `get_timer_queue` vfunc, and fires the calls
 * that [method@Braid.TimerQueue.pop_due] hands it. Ordering, cancelling and
 * resetting are done here, once, for every clock.
 */
struct _BraidTimerQueue
{
  Bucket buckets[N_BUCKETS];  /* 0: key == last, a heap by sequence; the others unordered */
  Bucket backlog;             /* keys below last: a heap by (key, sequence) */
  guint64 nonempty[NONEMPTY_WORDS]; /* bit i - 1 set when bucket i (>= 1) holds calls */
  guint64 last;               /* key of the last call popped */
  Slot min;                   /* the earliest call of buckets >= 1; call NULL if unknown */
  guint in_radix;             /* how many calls buckets >= 1 hold */
  guint length;
  guint64 next_sequence;
};

/* A key that orders like the time: the IEEE-754 bits of a non-negative
 * double already do, as an unsigned integer, once the sign bit is set; a
 * negative one has all its bits flipped. -0.0 is made +0.0 first, so the
 * two zeros (equal as doubles) share one key and tie by sequence. */
static inline guint64
key_for (gdouble time)
{
  guint64 bits;

  time += 0.0;
  memcpy (&bits, &time, sizeof bits);
  return (bits >> 63) ? ~bits : bits | G_GUINT64_CONSTANT (0x8000000000000000);
}

/* The time a key was made from (key_for() undone). */
static inline gdouble
time_for (guint64 key)
{
  guint64 bits = (key >> 63) ? key & ~G_GUINT64_CONSTANT (0x8000000000000000) : ~key;
  gdouble time;

  memcpy (&time, &bits, sizeof time);
  return time;
}

static inline guint
bucket_for (BraidTimerQueue *queue, guint64 key)
{
  guint level;

  if (key == queue->last)
    return 0;
  level = (63 - __builtin_clzll (key ^ queue->last)) / DIGIT_BITS;
  return 1 + level * DIGITS + ((key >> (level * DIGIT_BITS)) & (DIGITS - 1));
}

static inline void
set_nonempty (BraidTimerQueue *queue, guint i)
{
  queue->nonempty[(i - 1) / 64] |= G_GUINT64_CONSTANT (1) << ((i - 1) % 64);
}

static inline void
clear_nonempty (BraidTimerQueue *queue, guint i)
{
  queue->nonempty[(i - 1) / 64] &= ~(G_GUINT64_CONSTANT (1) << ((i - 1) % 64));
}

/* The lowest non-empty bucket above 0; the caller knows there is one
 * (queue->in_radix > 0). */
static inline guint
lowest_nonempty (BraidTimerQueue *queue)
{
  guint w = 0;

  while (queue->nonempty[w] == 0)
    w++;
  return 1 + w * 64 + __builtin_ctzll (queue->nonempty[w]);
}

static inline gboolean
slot_is_before (const Slot *a, const Slot *b)
{
  if (a->key != b->key)
    return a->key < b->key;
  return a->call->sequence < b->call->sequence;
}

static gboolean
call_is_before (BraidDelayedCall *a, BraidDelayedCall *b)
{
  if (a->time != b->time)
    return a->time < b->time;
  return a->sequence < b->sequence;
}

static inline void
bucket_reserve (Bucket *bucket)
{
  if (G_UNLIKELY (bucket->length == bucket->allocated))
    {
      bucket->allocated = MAX (16, bucket->allocated * 2);
      bucket->slots = g_renew (Slot, bucket->slots, bucket->allocated);
    }
}

static inline void
bucket_put (Bucket *bucket, guint index, Slot slot)
{
  bucket->slots[index] = slot;
  slot.call->queue_index = index;
}

/* --- Bucket 0 and the backlog: binary heaps by (key, sequence) ---------- */

static void
heap_sift_up (Bucket *heap, guint index)
{
  Slot slot = heap->slots[index];

  while (index > 0)
    {
      guint parent = (index - 1) / 2;

      if (!slot_is_before (&slot, &heap->slots[parent]))
        break;
      bucket_put (heap, index, heap->slots[parent]);
      index = parent;
    }
  bucket_put (heap, index, slot);
}

static void
heap_sift_down (Bucket *heap, guint index)
{
  Slot slot = heap->slots[index];

  for (;;)
    {
      guint child = 2 * index + 1;

      if (child >= heap->length)
        break;
      if (child + 1 < heap->length && slot_is_before (&heap->slots[child + 1], &heap->slots[child]))
        child++;
      if (!slot_is_before (&heap->slots[child], &slot))
        break;
      bucket_put (heap, index, heap->slots[child]);
      index = child;
    }
  bucket_put (heap, index, slot);
}

static void
heap_insert (Bucket *heap, Slot slot)
{
  bucket_reserve (heap);
  heap->slots[heap->length++] = slot;
  heap_sift_up (heap, heap->length - 1);
}

static void
heap_remove_at (Bucket *heap, guint index)
{
  guint last = --heap->length;

  if (index == last)
    return;
  bucket_put (heap, index, heap->slots[last]);
  if (index > 0 && slot_is_before (&heap->slots[index], &heap->slots[(index - 1) / 2]))
    heap_sift_up (heap, index);
  else
    heap_sift_down (heap, index);
}

/* --- The radix heap ------------------------------------------------------ */

/* Appends @slot to bucket @i (>= 1). */
static inline void
bucket_append (BraidTimerQueue *queue, guint i, Slot slot)
{
  Bucket *bucket = &queue->buckets[i];

  bucket_reserve (bucket);
  slot.call->queue_bucket = i;
  bucket_put (bucket, bucket->length++, slot);
  set_nonempty (queue, i);
  queue->in_radix++;
}

/* Puts @call in its place; the caller counts it. */
static void
attach (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  Slot slot = { key_for (call->time), call };
  guint i;

  if (G_UNLIKELY (slot.key < queue->last) && queue->length == 0)
    {
      /* Nothing is stored, so a lower `last` is as consistent: a clock
       * set back in time with no call pending needs no backlog. */
      queue->last = slot.key;
    }
  if (G_UNLIKELY (slot.key < queue->last))
    {
      call->queue_bucket = BACKLOG_BUCKET;
      heap_insert (&queue->backlog, slot);
      return;
    }
  i = bucket_for (queue, slot.key);
  if (i == 0)
    {
      call->queue_bucket = 0;
      heap_insert (&queue->buckets[0], slot);
      return;
    }
  /* The cached minimum stays exact: it was the earliest of the buckets above 0
   * (or they were empty), so only the new call can be earlier. */
  if (queue->in_radix == 0
      || (queue->min.call != NULL && slot_is_before (&slot, &queue->min)))
    queue->min = slot;
  bucket_append (queue, i, slot);
}

/* Takes @call out of its place; the caller uncounts it. */
static void
detach (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  guint i = call->queue_bucket;
  guint index = call->queue_index;
  Bucket *bucket;

  if (i == BACKLOG_BUCKET)
    {
      g_assert (queue->backlog.slots[index].call == call);
      heap_remove_at (&queue->backlog, index);
      return;
    }
  bucket = &queue->buckets[i];
  g_assert (index < bucket->length && bucket->slots[index].call == call);
  if (i == 0)
    {
      heap_remove_at (bucket, index);
      return;
    }
  queue->in_radix--;
  if (index != --bucket->length)
    bucket_put (bucket, index, bucket->slots[bucket->length]);
  if (bucket->length == 0)
    clear_nonempty (queue, i);
  if (queue->min.call == call)
    queue->min.call = NULL;   /* found again by the next peek */
}

/* The earliest call of the buckets above 0, which must not all be empty. */
static const Slot *
radix_min (BraidTimerQueue *queue)
{
  if (queue->min.call == NULL)
    {
      Bucket *bucket = &queue->buckets[lowest_nonempty (queue)];
      const Slot *best = &bucket->slots[0];

      for (guint j = 1; j < bucket->length; j++)
        if (slot_is_before (&bucket->slots[j], best))
          best = &bucket->slots[j];
      queue->min = *best;
    }
  return &queue->min;
}

/* The earliest call of the queue, or NULL if it is empty. The slot's key
 * tells its time without a load from the call, which a clock asking at
 * every loop iteration would pay as a cache miss. */
static inline const Slot *
earliest (BraidTimerQueue *queue)
{
  if (G_UNLIKELY (queue->backlog.length > 0))
    return &queue->backlog.slots[0];
  if (queue->buckets[0].length > 0)
    return &queue->buckets[0].slots[0];
  if (queue->in_radix == 0)
    return NULL;
  return radix_min (queue);
}

/* Empties the smallest non-empty bucket into the ones below it, around
 * its minimum, which becomes `last`: bucket 0 gets the calls due then. */
static void
redistribute (BraidTimerQueue *queue)
{
  guint i = lowest_nonempty (queue);
  Bucket *bucket = &queue->buckets[i];
  guint n = bucket->length;

  queue->last = radix_min (queue)->key;
  queue->min.call = NULL;
  bucket->length = 0;
  clear_nonempty (queue, i);
  queue->in_radix -= n;
  for (guint j = 0; j < n; j++)
    {
      Slot slot = bucket->slots[j];
      guint to;

      /* Each move writes to its call, which lies anywhere in memory. */
      if (j + 8 < n)
        __builtin_prefetch (bucket->slots[j + 8].call, 1);
      to = bucket_for (queue, slot.key);
      if (to == 0)
        {
          slot.call->queue_bucket = 0;
          heap_insert (&queue->buckets[0], slot);
          continue;
        }
      bucket_append (queue, to, slot);
      /* Buckets 1..i were empty: the earliest call moved into them is
       * the earliest of all the buckets above 0. If none moved there, the earliest
       * is in a higher bucket, and the next peek finds it. */
      if (queue->min.call == NULL || slot_is_before (&slot, &queue->min))
        queue->min = slot;
    }
}

/* Takes the earliest call out; the queue must not be empty. */
static BraidDelayedCall *
take_earliest (BraidTimerQueue *queue)
{
  Bucket *heap;
  BraidDelayedCall *call;

  if (G_UNLIKELY (queue->backlog.length > 0))
    heap = &queue->backlog;
  else
    {
      if (queue->buckets[0].length == 0)
        redistribute (queue);
      heap = &queue->buckets[0];
    }
  call = heap->slots[0].call;
  heap_remove_at (heap, 0);
  return call;
}

/**
 * braid_timer_queue_new: (skip)
 *
 * Creates an empty queue.
 *
 * Returns: (transfer full): a new queue, freed with [method@Braid.TimerQueue.free]
 */
BraidTimerQueue *
braid_timer_queue_new (void)
{
  return g_new0 (BraidTimerQueue, 1);
}

/**
 * braid_timer_queue_cancel_all: (skip)
 * @queue: a queue
 *
 * Cancels every pending call, as a clock does when it is destroyed: their
 * destroy notifies run, and a call still referenced elsewhere reports
 * [method@Braid.DelayedCall.cancelled].
 */
void
braid_timer_queue_cancel_all (BraidTimerQueue *queue)
{
  guint i = 0;

  /* A destroy notify may cancel or schedule calls: take one call at a
   * time, always through detach(), so the queue stays whole. */
  while (queue->length > 0)
    {
      Bucket *bucket = i == BACKLOG_BUCKET ? &queue->backlog : &queue->buckets[i];
      BraidDelayedCall *call;

      if (bucket->length == 0)
        {
          i = (i + 1) % (N_BUCKETS + 1);
          continue;
        }
      call = bucket->slots[bucket->length - 1].call;
      detach (queue, call);
      queue->length--;
      call->queue = NULL;
      braid_delayed_call_finish (call, BRAID_DELAYED_CALL_CANCELLED);
      braid_delayed_call_unref (call);
    }
}

/**
 * braid_timer_queue_free: (skip)
 * @queue: (transfer full): a queue
 *
 * Cancels what is still pending, then frees the queue.
 */
void
braid_timer_queue_free (BraidTimerQueue *queue)
{
  if (queue == NULL)
    return;
  braid_timer_queue_cancel_all (queue);
  for (guint i = 0; i < N_BUCKETS; i++)
    g_free (queue->buckets[i].slots);
  g_free (queue->backlog.slots);
  g_free (queue);
}

/**
 * braid_timer_queue_get_length: (skip)
 * @queue: a queue
 *
 * Counts the pending calls in @queue.
 *
 * Returns: how many calls are pending
 */
guint
braid_timer_queue_get_length (BraidTimerQueue *queue)
{
  return queue->length;
}

/**
 * braid_timer_queue_get_sequence: (skip)
 * @queue: a queue
 *
 * The sequence number the next scheduled (or moved) call will get. A clock
 * reads it before firing a batch of calls and passes it to
 * [method@Braid.TimerQueue.pop_due], so calls scheduled *by* the batch wait
 * for the next one: a call that re-arms itself with a zero delay cannot keep
 * the clock busy forever.
 *
 * Returns: the next sequence number
 */
guint64
braid_timer_queue_get_sequence (BraidTimerQueue *queue)
{
  return queue->next_sequence;
}

/**
 * braid_timer_queue_peek_time: (skip)
 * @queue: a queue
 * @time: (out): where to store the earliest due time
 *
 * Finds when the earliest pending call in @queue is due.
 *
 * Returns: %TRUE if a call is pending, and then @time is set
 */
gboolean
braid_timer_queue_peek_time (BraidTimerQueue *queue, gdouble *time)
{
  const Slot *first = earliest (queue);

  if (first == NULL)
    return FALSE;
  *time = time_for (first->key);
  return TRUE;
}

/**
 * braid_timer_queue_pop_due: (skip)
 * @queue: a queue
 * @now: the clock's current time
 * @before_sequence: only calls stamped before this sequence are due
 *
 * Takes the earliest call out of the queue if it is due: its time is not
 * after @now and it was scheduled before @before_sequence. Pass the result
 * to [method@Braid.DelayedCall.run], then drop it with
 * [method@Braid.DelayedCall.unref].
 *
 * Returns: (transfer full) (nullable): the call to fire, or %NULL if none is due
 */
BraidDelayedCall *
braid_timer_queue_pop_due (BraidTimerQueue *queue, gdouble now, guint64 before_sequence)
{
  const Slot *slot = earliest (queue);
  BraidDelayedCall *first;

  if (slot == NULL || slot->key > key_for (now)
      || (before_sequence != G_MAXUINT64 && slot->call->sequence >= before_sequence))
    return NULL;

  /* Only now, with a call actually due, may `last` advance. */
  first = take_earliest (queue);
  queue->length--;
  first->queue = NULL;
  return first;
}

/* A call scheduled or moved with a zero delay after @batch_start: it waits
 * for the next batch. */
static gboolean
rearmed_during_batch (BraidDelayedCall *call, guint64 batch_start)
{
  return call->sequence >= batch_start && call->time <= call->scheduled_at;
}

/**
 * braid_timer_queue_fire_due: (skip)
 * @queue: a queue
 * @until: the time up to which calls are due
 * @before_each: (nullable) (scope call): called just before each call runs,
 *   for a clock whose time moves with its calls (the fake clock)
 * @user_data: data for @before_each
 *
 * Fires, in order, every call of @queue due at or before @until: the one
 * batch rule every clock follows, written here once. A call scheduled or
 * moved *with a zero delay* while the batch runs waits for the next batch,
 * so a call that re-arms itself cannot keep the clock busy forever. A call
 * scheduled with a positive delay that still falls due by @until fires in
 * this batch; only a clock that moves through time as it fires (the fake
 * clock's advance) meets one, since on a real clock such a call is due
 * after @until.
 *
 * Calls may schedule, cancel and move calls, and fire batches of their own
 * (a fake clock advanced from inside a call).
 *
 * Returns: how many calls ran
 */
guint
braid_timer_queue_fire_due (BraidTimerQueue          *queue,
                            gdouble                   until,
                            BraidTimerQueueBeforeFunc before_each,
                            gpointer                  user_data)
{
  guint64 batch_start = queue->next_sequence;
  g_autoptr (GPtrArray) held = NULL;
  BraidDelayedCall *call;
  guint fired = 0;

  while ((call = braid_timer_queue_pop_due (queue, until, G_MAXUINT64)) != NULL)
    {
      if (rearmed_during_batch (call, batch_start))
        {
          if (held == NULL)
            held = g_ptr_array_new ();
          g_ptr_array_add (held, call);
          continue;
        }
      if (before_each != NULL)
        before_each (call, user_data);
      braid_delayed_call_run (call);
      braid_delayed_call_unref (call);
      fired++;
    }

  /* Back in the queue with their sequence, so their order is kept. */
  for (guint i = 0; held != NULL && i < held->len; i++)
    {
      call = g_ptr_array_index (held, i);
      if (call->state == BRAID_DELAYED_CALL_PENDING)
        braid_timer_queue_requeue (queue, call);
      else
        braid_delayed_call_unref (call); /* cancelled while held back */
    }
  return fired;
}

static gint
compare_calls (gconstpointer a, gconstpointer b)
{
  BraidDelayedCall *call_a = *(BraidDelayedCall * const *) a;
  BraidDelayedCall *call_b = *(BraidDelayedCall * const *) b;

  return call_is_before (call_a, call_b) ? -1 : call_is_before (call_b, call_a) ? 1 : 0;
}

/**
 * braid_timer_queue_list: (skip)
 * @queue: a queue
 *
 * Lists the pending calls in @queue.
 *
 * Returns: (transfer container) (element-type BraidDelayedCall): the pending
 *   calls in the order they will fire
 */
GPtrArray *
braid_timer_queue_list (BraidTimerQueue *queue)
{
  GPtrArray *calls = g_ptr_array_new_full (queue->length,
                                           (GDestroyNotify) braid_delayed_call_unref);

  for (guint i = 0; i <= N_BUCKETS; i++)
    {
      Bucket *bucket = i == BACKLOG_BUCKET ? &queue->backlog : &queue->buckets[i];

      for (guint j = 0; j < bucket->length; j++)
        g_ptr_array_add (calls, braid_delayed_call_ref (bucket->slots[j].call));
    }
  g_ptr_array_sort (calls, compare_calls);
  return calls;
}

/* Internal: stamps @call and inserts it. The queue takes over the caller's
 * reference (the clock hands it a new call, which nobody else holds). */
void
braid_timer_queue_add (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  g_assert (call->queue == NULL);
  call->queue = queue;
  call->sequence = queue->next_sequence++;
  attach (queue, call);
  queue->length++;
}

/**
 * braid_timer_queue_requeue: (skip)
 * @queue: a queue
 * @call: a pending call that [method@Braid.TimerQueue.pop_due] returned and
 *   that the clock decided not to fire yet
 *
 * Puts @call back with its time and sequence unchanged, so its order among
 * calls due at the same moment is kept. Takes over the reference that
 * [method@Braid.TimerQueue.pop_due] gave.
 */
void
braid_timer_queue_requeue (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  g_return_if_fail (call->state == BRAID_DELAYED_CALL_PENDING && call->queue == NULL);
  call->queue = queue;
  attach (queue, call);
  queue->length++;
}

/* Internal: takes @call out of the queue, handing its reference to the caller. */
void
braid_timer_queue_remove (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  g_assert (call->queue == queue);
  detach (queue, call);
  queue->length--;
  call->queue = NULL;
}

/* Internal: @call's time changed; re-stamp it and put it in its new place. */
void
braid_timer_queue_moved (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  detach (queue, call);
  call->sequence = queue->next_sequence++;
  attach (queue, call);
}
