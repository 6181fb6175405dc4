#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

#define BRAID_TYPE_DEFERRED_LOCK (braid_deferred_lock_get_type ())
G_DECLARE_FINAL_TYPE (BraidDeferredLock, braid_deferred_lock, BRAID, DEFERRED_LOCK, GObject)

#define BRAID_TYPE_DEFERRED_SEMAPHORE (braid_deferred_semaphore_get_type ())
G_DECLARE_FINAL_TYPE (BraidDeferredSemaphore, braid_deferred_semaphore, BRAID, DEFERRED_SEMAPHORE, GObject)

#define BRAID_TYPE_DEFERRED_QUEUE (braid_deferred_queue_get_type ())
G_DECLARE_FINAL_TYPE (BraidDeferredQueue, braid_deferred_queue, BRAID, DEFERRED_QUEUE, GObject)

/**
 * BRAID_DEFERRED_QUEUE_UNLIMITED:
 *
 * A size or backlog with no limit, for braid_deferred_queue_new().
 */
#define BRAID_DEFERRED_QUEUE_UNLIMITED G_MAXUINT

BraidDeferredLock      *braid_deferred_lock_new            (void);
BraidDeferred          *braid_deferred_lock_acquire        (BraidDeferredLock *self);
void                    braid_deferred_lock_release        (BraidDeferredLock *self);
gboolean                braid_deferred_lock_is_locked      (BraidDeferredLock *self);
BraidDeferred          *braid_deferred_lock_run            (BraidDeferredLock *self,
                                                            BraidCallback      func,
                                                            gpointer           user_data,
                                                            GDestroyNotify     destroy);

BraidDeferredSemaphore *braid_deferred_semaphore_new        (guint tokens);
BraidDeferred          *braid_deferred_semaphore_acquire    (BraidDeferredSemaphore *self);
void                    braid_deferred_semaphore_release    (BraidDeferredSemaphore *self);
guint                   braid_deferred_semaphore_get_tokens (BraidDeferredSemaphore *self);
BraidDeferred          *braid_deferred_semaphore_run        (BraidDeferredSemaphore *self,
                                                             BraidCallback           func,
                                                             gpointer                user_data,
                                                             GDestroyNotify          destroy);

BraidDeferredQueue     *braid_deferred_queue_new            (guint size,
                                                             guint backlog);
gboolean                braid_deferred_queue_put            (BraidDeferredQueue *self,
                                                             gpointer            value,
                                                             GDestroyNotify      destroy,
                                                             GError            **error);
BraidDeferred          *braid_deferred_queue_get            (BraidDeferredQueue *self,
                                                             GError            **error);
guint                   braid_deferred_queue_get_length     (BraidDeferredQueue *self);
guint                   braid_deferred_queue_get_waiting    (BraidDeferredQueue *self);

G_END_DECLS
