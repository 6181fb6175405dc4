/* braid-timer-queue.c: the ordered set of pending delayed calls.
 *
 * An 8-ary min-heap of BraidDelayedCall pointers ordered by (time, sequence).
 * The sequence is a counter stamped on a call each time it is scheduled or
 * moved, so two calls due at the same time fire in the order they were
 * scheduled -- the determinism rule libuv's timers and Braid's fake clock
 * both follow. Each call remembers its heap index, which makes cancel and
 * reset O(log n) with no stale entries: a program that resets an idle
 * timeout on every read keeps a heap exactly as large as its live timers.
 */
#include "config.h"

#include <string.h>

#include "time/braid-delayed-call-private.h"
#include "time/braid-timer-queue.h"

/* One heap slot: the call's deadline is copied next to the pointer, so
 * sifting compares neighbouring memory instead of chasing a pointer to each
 * call -- with a million timers, that is the difference between a cache
 * hit and a cache miss at every level of the heap. The sequence, needed
 * only to break a tie, is read from the call. The call's own time stays
 * authoritative; a slot is refreshed whenever it changes. */
typedef struct
{
  gdouble time;
  BraidDelayedCall *call;   /* holds one reference */
} HeapSlot;

/* An 8-ary heap: a third as deep as a binary one, so a pop from a heap of a
 * million calls visits 7 levels instead of 20. With 16-byte slots the eight
 * children of a node fill exactly two 64-byte cache lines (one 128-byte
 * block, which the hardware fetches as a pair), provided the array is laid
 * out so that every group of siblings starts on a block: the children of
 * slot i are 8i+1..8i+8, so shifting the whole array by HEAP_SHIFT = 7
 * slots puts them at 8(i+1)..8(i+1)+7 in memory. Deep in a big heap each
 * level costs a cache miss, so fewer levels is what counts; measured with
 * tools/bench/bench-fake-clock, 8 beat both 4 and 16. */
#define HEAP_ARITY 8
#define HEAP_SHIFT 7
#define SIBLING_BLOCK 128

/**
 * BraidTimerQueue:
 *
 * The pending [class@Braid.DelayedCall]s of one clock, earliest first.
 *
 * Only implementers of [iface@Braid.Clock] use it directly: a clock owns one
 * queue, returns it from its `get_timer_queue` vfunc, and fires the calls
 * that [method@Braid.TimerQueue.pop_due] hands it. Ordering, cancelling and
 * resetting are done here, once, for every clock.
 */
struct _BraidTimerQueue
{
  HeapSlot *memory;         /* cache-line aligned */
  HeapSlot *slots;          /* memory + HEAP_SHIFT: slot 0 is the earliest call */
  guint length;
  guint allocated;          /* slots available after the shift */
  guint64 next_sequence;
};

G_STATIC_ASSERT (sizeof (HeapSlot) * HEAP_ARITY == SIBLING_BLOCK);

static inline gboolean
slot_is_before (const HeapSlot *a, const HeapSlot *b)
{
  if (a->time != b->time)
    return a->time < b->time;
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
heap_put (BraidTimerQueue *queue, guint index, HeapSlot slot)
{
  queue->slots[index] = slot;
  slot.call->heap_index = index;
}

static inline HeapSlot
slot_for (BraidDelayedCall *call)
{
  HeapSlot slot = { call->time, call };

  return slot;
}

/* Both sifts return where the slot ended up. */
static guint
sift_up (BraidTimerQueue *queue, guint index)
{
  HeapSlot slot = queue->slots[index];

  while (index > 0)
    {
      guint parent = (index - 1) / HEAP_ARITY;

      if (!slot_is_before (&slot, &queue->slots[parent]))
        break;
      heap_put (queue, index, queue->slots[parent]);
      index = parent;
    }
  heap_put (queue, index, slot);
  return index;
}

/* The earliest of the slots first..last-1. Random times make "is this
 * child earlier?" a coin toss the branch predictor loses, so the running
 * minimum is kept with selects rather than branches; only an exact tie,
 * broken by the calls' sequences, takes a (rarely taken) branch. Used for
 * a family of fewer than eight, at the bottom of the heap. */
static inline guint
earliest_child (const HeapSlot *slots, guint first, guint last)
{
  guint best = first;
  gdouble best_time = slots[first].time;

  for (guint child = first + 1; child < last; child++)
    {
      gdouble time = slots[child].time;
      gboolean earlier;

      if (G_UNLIKELY (time == best_time))
        {
          if (slots[child].call->sequence < slots[best].call->sequence)
            best = child;
          continue;
        }
      earlier = time < best_time;
      best = earlier ? child : best;
      best_time = earlier ? time : best_time;
    }
  return best;
}

/* Up to this many slots (128 KB) the heap stays in the processor's cache,
 * and picking a child without branches wins (bench-sim: the network's
 * queue holds a few hundred calls); past it, loads from memory dominate
 * and a predicted branch overlaps them better (bench-fake-clock: a million
 * calls). */
#define IN_CACHE_SLOTS 8192

/* The earlier of two slots, by (time, sequence): a total order, since no
 * two calls share a sequence. */
static inline guint
earlier_slot (const HeapSlot *slots, guint a, guint b)
{
  if (G_UNLIKELY (slots[a].time == slots[b].time))
    return slots[b].call->sequence < slots[a].call->sequence ? b : a;
  return slots[b].time < slots[a].time ? b : a;
}

/* The earliest of a full family of eight, as a tournament: three rounds of
 * independent comparisons instead of a chain of seven, each waiting on the
 * last. The order is total, so the winner is the one a scan would find. */
static inline guint
earliest_of_eight (const HeapSlot *slots, guint first)
{
  guint a = earlier_slot (slots, first, first + 1);
  guint b = earlier_slot (slots, first + 2, first + 3);
  guint c = earlier_slot (slots, first + 4, first + 5);
  guint d = earlier_slot (slots, first + 6, first + 7);

  return earlier_slot (slots, earlier_slot (slots, a, b), earlier_slot (slots, c, d));
}

/* The deepest an 8-ary heap of G_MAXUINT slots can be. */
#define HEAP_MAX_DEPTH 12

/* Moves the slot at @index down to where it belongs.
 *
 * Each slot that moves up a level belongs to a call whose heap index must
 * change, and those calls lie anywhere in memory: writing each index as the
 * slot moves stalls on a cache miss per level (perf put 38 % of sift_down
 * there with a million timers). So the calls are prefetched for writing as
 * soon as they are known and their indexes written at the end, once the
 * whole descent -- whose own loads the prefetches overlap -- is done. */
static guint
sift_down (BraidTimerQueue *queue, guint index)
{
  HeapSlot slot = queue->slots[index];
  guint length = queue->length;
  BraidDelayedCall *moved[HEAP_MAX_DEPTH];
  guint moved_to[HEAP_MAX_DEPTH];
  guint n_moved = 0;

  for (;;)
    {
      guint first = HEAP_ARITY * index + 1;
      guint last = MIN (first + HEAP_ARITY, length);
      guint best;

      if (first >= length)
        break;
      if (last - first == HEAP_ARITY && length > IN_CACHE_SLOTS)
        {
          /* A big heap: each level is a cache miss, and a branch lets
           * the processor guess the winner and start loading its
           * children before the comparisons are done. */
          best = first;
          for (guint child = first + 1; child < last; child++)
            if (slot_is_before (&queue->slots[child], &queue->slots[best]))
              best = child;
        }
      else if (last - first == HEAP_ARITY)
        best = earliest_of_eight (queue->slots, first);
      else
        best = earliest_child (queue->slots, first, last);
      if (!slot_is_before (&queue->slots[best], &slot))
        break;
      __builtin_prefetch (queue->slots[best].call, 1);
      queue->slots[index] = queue->slots[best];
      moved[n_moved] = queue->slots[best].call;
      moved_to[n_moved++] = index;
      index = best;
    }
  heap_put (queue, index, slot);
  for (guint i = 0; i < n_moved; i++)
    moved[i]->heap_index = moved_to[i];
  return index;
}

static void
heap_grow (BraidTimerQueue *queue)
{
  guint allocated = MAX (64, queue->allocated * 2);
  HeapSlot *memory = g_aligned_alloc (allocated + HEAP_SHIFT, sizeof (HeapSlot), SIBLING_BLOCK);

  if (queue->length > 0)
    memcpy (memory + HEAP_SHIFT, queue->slots, queue->length * sizeof (HeapSlot));
  g_aligned_free (queue->memory);
  queue->memory = memory;
  queue->slots = memory + HEAP_SHIFT;
  queue->allocated = allocated;
}

static void
heap_push (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  if (queue->length == queue->allocated)
    heap_grow (queue);
  queue->slots[queue->length++] = slot_for (call);
  sift_up (queue, queue->length - 1);
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
  while (queue->length > 0)
    {
      BraidDelayedCall *call = queue->slots[--queue->length].call;

      call->queue = NULL;
      braid_delayed_call_finish (call, BRAID_DELAYED_CALL_CANCELLED);
      braid_delayed_call_release (call);
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
  g_aligned_free (queue->memory);
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
  if (queue->length == 0)
    return FALSE;
  *time = queue->slots[0].time;
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
 * [method@Braid.DelayedCall.release] (or g_object_unref()).
 *
 * Returns: (transfer full) (nullable): the call to fire, or %NULL if none is due
 */
BraidDelayedCall *
braid_timer_queue_pop_due (BraidTimerQueue *queue, gdouble now, guint64 before_sequence)
{
  BraidDelayedCall *first;

  if (queue->length == 0
      || queue->slots[0].time > now || queue->slots[0].call->sequence >= before_sequence)
    return NULL;

  first = queue->slots[0].call;
  braid_timer_queue_remove (queue, first);
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
      braid_delayed_call_release (call);
      fired++;
    }

  /* Back in the queue with their sequence, so their order is kept. */
  for (guint i = 0; held != NULL && i < held->len; i++)
    {
      call = g_ptr_array_index (held, i);
      if (call->state == BRAID_DELAYED_CALL_PENDING)
        braid_timer_queue_requeue (queue, call);
      else
        braid_delayed_call_release (call); /* cancelled while held back */
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
  GPtrArray *calls = g_ptr_array_new_full (queue->length, g_object_unref);

  for (guint i = 0; i < queue->length; i++)
    g_ptr_array_add (calls, g_object_ref (queue->slots[i].call));
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
  heap_push (queue, call);
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
  heap_push (queue, call);
}

/* Internal: takes @call out of the heap, handing its reference to the caller. */
void
braid_timer_queue_remove (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  guint index = call->heap_index;
  guint last = queue->length - 1;

  g_assert (call->queue == queue && queue->slots[index].call == call);
  queue->length = last;
  if (index != last)
    {
      /* Fill the hole with the last call, then let it find its place. */
      heap_put (queue, index, queue->slots[last]);
      if (sift_up (queue, index) == index)
        sift_down (queue, index);
    }
  call->queue = NULL;
}

/* Internal: @call's time changed; re-stamp it and restore the heap order. */
void
braid_timer_queue_moved (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  guint index = call->heap_index;

  call->sequence = queue->next_sequence++;
  queue->slots[index] = slot_for (call);
  if (sift_up (queue, index) == index)
    sift_down (queue, index);
}
