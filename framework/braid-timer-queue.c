/* braid-timer-queue.c: the ordered set of pending delayed calls.
 *
 * A binary min-heap of BraidDelayedCall pointers ordered by (time, sequence).
 * The sequence is a counter stamped on a call each time it is scheduled or
 * moved, so two calls due at the same time fire in the order they were
 * scheduled -- the determinism rule libuv's timers and Braid's fake clock
 * both follow. Each call remembers its heap index, which makes cancel and
 * reset O(log n) with no stale entries: a program that resets an idle
 * timeout on every read keeps a heap exactly as large as its live timers.
 */
#include "config.h"

#include "braid-delayed-call-private.h"

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
  GPtrArray *heap;          /* of BraidDelayedCall*, each holding one ref */
  guint64 next_sequence;
};

static gboolean
call_is_before (BraidDelayedCall *a, BraidDelayedCall *b)
{
  if (a->time != b->time)
    return a->time < b->time;
  return a->sequence < b->sequence;
}

static inline BraidDelayedCall *
heap_at (BraidTimerQueue *queue, guint index)
{
  return g_ptr_array_index (queue->heap, index);
}

static inline void
heap_put (BraidTimerQueue *queue, guint index, BraidDelayedCall *call)
{
  queue->heap->pdata[index] = call;
  call->heap_index = index;
}

static void
sift_up (BraidTimerQueue *queue, guint index)
{
  BraidDelayedCall *call = heap_at (queue, index);

  while (index > 0)
    {
      guint parent = (index - 1) / 2;
      BraidDelayedCall *above = heap_at (queue, parent);

      if (!call_is_before (call, above))
        break;
      heap_put (queue, index, above);
      index = parent;
    }
  heap_put (queue, index, call);
}

static void
sift_down (BraidTimerQueue *queue, guint index)
{
  BraidDelayedCall *call = heap_at (queue, index);
  guint length = queue->heap->len;

  for (;;)
    {
      guint child = 2 * index + 1;

      if (child >= length)
        break;
      if (child + 1 < length
          && call_is_before (heap_at (queue, child + 1), heap_at (queue, child)))
        child++;
      if (!call_is_before (heap_at (queue, child), call))
        break;
      heap_put (queue, index, heap_at (queue, child));
      index = child;
    }
  heap_put (queue, index, call);
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
  BraidTimerQueue *queue = g_new0 (BraidTimerQueue, 1);

  queue->heap = g_ptr_array_new ();
  return queue;
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
  while (queue->heap->len > 0)
    {
      BraidDelayedCall *call = heap_at (queue, queue->heap->len - 1);

      g_ptr_array_set_size (queue->heap, queue->heap->len - 1);
      call->queue = NULL;
      braid_delayed_call_finish (call, BRAID_DELAYED_CALL_CANCELLED);
      g_object_unref (call);
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
  g_ptr_array_unref (queue->heap);
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
  return queue->heap->len;
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
  if (queue->heap->len == 0)
    return FALSE;
  *time = heap_at (queue, 0)->time;
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
 * to [method@Braid.DelayedCall.run], then unref it.
 *
 * Returns: (transfer full) (nullable): the call to fire, or %NULL if none is due
 */
BraidDelayedCall *
braid_timer_queue_pop_due (BraidTimerQueue *queue, gdouble now, guint64 before_sequence)
{
  BraidDelayedCall *first;

  if (queue->heap->len == 0)
    return NULL;
  first = heap_at (queue, 0);
  if (first->time > now || first->sequence >= before_sequence)
    return NULL;

  braid_timer_queue_remove (queue, first);
  return first;
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
  GPtrArray *calls = g_ptr_array_new_full (queue->heap->len, g_object_unref);

  for (guint i = 0; i < queue->heap->len; i++)
    g_ptr_array_add (calls, g_object_ref (heap_at (queue, i)));
  g_ptr_array_sort (calls, compare_calls);
  return calls;
}

/* Internal: stamps @call and inserts it. The queue takes a reference. */
void
braid_timer_queue_add (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  g_assert (call->queue == NULL);
  call->queue = queue;
  call->sequence = queue->next_sequence++;
  g_ptr_array_add (queue->heap, g_object_ref (call));
  sift_up (queue, queue->heap->len - 1);
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
  g_ptr_array_add (queue->heap, call);
  sift_up (queue, queue->heap->len - 1);
}

/* Internal: takes @call out of the heap, handing its reference to the caller. */
void
braid_timer_queue_remove (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  guint index = call->heap_index;
  guint last = queue->heap->len - 1;

  g_assert (call->queue == queue && heap_at (queue, index) == call);
  if (index != last)
    {
      /* Fill the hole with the last call, then let it find its place. */
      BraidDelayedCall *moved = heap_at (queue, last);

      heap_put (queue, index, moved);
      g_ptr_array_set_size (queue->heap, last);
      sift_up (queue, index);
      sift_down (queue, moved->heap_index);
    }
  else
    g_ptr_array_set_size (queue->heap, last);
  call->queue = NULL;
}

/* Internal: @call's time changed; re-stamp it and restore the heap order. */
void
braid_timer_queue_moved (BraidTimerQueue *queue, BraidDelayedCall *call)
{
  call->sequence = queue->next_sequence++;
  sift_up (queue, call->heap_index);
  sift_down (queue, call->heap_index);
}
