/* braid-delayed-call-private.h: what the timer queue knows about a call.
 *
 * A BraidDelayedCall lives in exactly one BraidTimerQueue while it is
 * pending, at a known bucket and index of the queue's radix heap, so
 * cancelling or resetting it is O(1) and never leaves a stale entry behind. */
#pragma once

#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"

typedef enum {
  BRAID_DELAYED_CALL_PENDING,
  BRAID_DELAYED_CALL_CALLED,
  BRAID_DELAYED_CALL_CANCELLED,
} BraidDelayedCallState;

/* 88 bytes, the queue's fields first: a million pending calls are a
 * million cache lines, and the queue touches only the first one. */
struct _BraidDelayedCall
{
  gatomicrefcount ref_count;
  guint queue_index;        /* where in its bucket */
  guint16 queue_bucket;     /* a bucket of the radix heap, or its backlog */
  guint8 state;             /* a BraidDelayedCallState */
  BraidTimerQueue *queue;   /* NULL once the call is no longer pending */
  guint64 sequence;         /* orders calls that are due at the same time */
  gdouble time;             /* when the call is due, in the clock's seconds */
  gdouble scheduled_at;     /* clock time when it was scheduled or last moved */

  BraidClock *clock;        /* not owned: the clock owns the queue that owns us */
  BraidCallFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  const char *creator;      /* interned "file:line" */
};

BraidDelayedCall *braid_delayed_call_new_internal (BraidClock     *clock,
                                                   gdouble         now,
                                                   gdouble         time,
                                                   BraidCallFunc   func,
                                                   gpointer        user_data,
                                                   GDestroyNotify  destroy,
                                                   const char     *creator);
void braid_delayed_call_finish (BraidDelayedCall      *call,
                                BraidDelayedCallState  state);

void braid_timer_queue_add    (BraidTimerQueue  *queue,
                               BraidDelayedCall *call);
void braid_timer_queue_remove (BraidTimerQueue  *queue,
                               BraidDelayedCall *call);
void braid_timer_queue_moved  (BraidTimerQueue  *queue,
                               BraidDelayedCall *call);
