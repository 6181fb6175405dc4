#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/* The timer queue is the part of a clock that orders delayed calls. It is
 * public so that every BraidClock implementation -- the real reactor in
 * libbraid, the fake clock in libbraid-fakes -- shares one ordering rule. */

BraidTimerQueue  *braid_timer_queue_new           (void);
void              braid_timer_queue_free          (BraidTimerQueue *queue);
guint             braid_timer_queue_get_length    (BraidTimerQueue *queue);
gboolean          braid_timer_queue_peek_time     (BraidTimerQueue *queue,
                                                   gdouble         *time);
BraidDelayedCall *braid_timer_queue_pop_due       (BraidTimerQueue *queue,
                                                   gdouble          now,
                                                   guint64          before_sequence);
guint64           braid_timer_queue_get_sequence  (BraidTimerQueue *queue);

/**
 * BraidTimerQueueBeforeFunc:
 * @call: the call about to run
 * @user_data: the data given to [method@Braid.TimerQueue.fire_due]
 *
 * Called by [method@Braid.TimerQueue.fire_due] just before @call runs.
 */
typedef void (*BraidTimerQueueBeforeFunc) (BraidDelayedCall *call,
                                           gpointer          user_data);

guint             braid_timer_queue_fire_due      (BraidTimerQueue          *queue,
                                                   gdouble                   until,
                                                   BraidTimerQueueBeforeFunc before_each,
                                                   gpointer                  user_data);
GPtrArray        *braid_timer_queue_list          (BraidTimerQueue *queue);
void              braid_timer_queue_cancel_all    (BraidTimerQueue *queue);

void              braid_timer_queue_requeue       (BraidTimerQueue  *queue,
                                                   BraidDelayedCall *call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidTimerQueue, braid_timer_queue_free)

G_END_DECLS
