/* braid-deferred-lock.c: a lock, a semaphore and a queue whose waits are
 * deferreds. */
#include "config.h"

#include "deferred/braid-deferred-private.h"
#include "braid-error.h"
#include "deferred/braid-deferred-lock.h"
#include "deferred/braid-maybe-deferred.h"

/* Waiters: the deferreds handed out to callers who must wait.
 *
 * The owner (lock, semaphore, queue) keeps them in a GQueue, holding a
 * reference to each deferred. A cancelled waiter must leave the queue, so
 * each deferred's canceller holds the Waiter too (a shared, counted box).
 * When the owner is finalized it detaches its waiters, so a later cancel
 * finds no owner instead of a freed one. */
typedef struct
{
  GQueue *owner;             /* the queue this waiter is in, or NULL */
  GList link;
  BraidDeferred *deferred;   /* the owner's reference, while in the queue */
} Waiter;

static void
waiter_release (gpointer data)
{
  g_rc_box_release (data);
}

/* Takes @waiter out of its queue; returns the owner's reference to its
 * deferred. */
static BraidDeferred *
waiter_detach (Waiter *waiter)
{
  BraidDeferred *deferred = g_steal_pointer (&waiter->deferred);

  g_queue_unlink (waiter->owner, &waiter->link);
  waiter->owner = NULL;
  g_rc_box_release (waiter);
  return deferred;
}

static void
waiter_cancel (BraidDeferred *deferred, gpointer data)
{
  Waiter *waiter = data;

  /* Only leave the queue; braid_deferred_cancel() then fails the deferred
   * with G_IO_ERROR_CANCELLED. */
  if (waiter->owner != NULL)
    braid_deferred_unref (waiter_detach (waiter));
}

static BraidDeferred *
waiters_add (GQueue *waiters, const char *created_at)
{
  Waiter *waiter = g_rc_box_new0 (Waiter);
  BraidDeferred *deferred =
    braid_deferred_new_full (waiter_cancel, g_rc_box_acquire (waiter), waiter_release,
                             created_at);

  waiter->owner = waiters;
  waiter->link.data = waiter;
  waiter->deferred = braid_deferred_ref (deferred);
  g_queue_push_tail_link (waiters, &waiter->link);
  return deferred;
}

/* Returns the oldest waiter's deferred (transfer full), or NULL. */
static BraidDeferred *
waiters_pop (GQueue *waiters)
{
  if (g_queue_is_empty (waiters))
    return NULL;
  return waiter_detach (g_queue_peek_head (waiters));
}

static void
waiters_clear (GQueue *waiters)
{
  BraidDeferred *deferred;

  while ((deferred = waiters_pop (waiters)) != NULL)
    braid_deferred_unref (deferred);
}

/* ---------------------------------------------------------------------- */

/**
 * BraidDeferredSemaphore:
 *
 * A semaphore for asynchronous code: Twisted's `DeferredSemaphore`. It
 * limits how many tasks run at once (say, three downloads at a time).
 *
 * It starts with a number of *tokens*. braid_deferred_semaphore_acquire()
 * returns a deferred that fires (with a %NULL value) when a token is yours:
 * at once if one is free, else when another holder calls
 * braid_deferred_semaphore_release(). Waiters are served in the order they
 * asked. Cancelling a waiting deferred takes it out of the line; it fails
 * with %G_IO_ERROR_CANCELLED. A semaphore freed with waiters leaves them
 * unfired.
 */
struct _BraidDeferredSemaphore
{
  GObject parent_instance;
  guint limit;
  guint tokens;
  GQueue waiters;
};

G_DEFINE_FINAL_TYPE (BraidDeferredSemaphore, braid_deferred_semaphore, G_TYPE_OBJECT)

static void
braid_deferred_semaphore_finalize (GObject *object)
{
  BraidDeferredSemaphore *self = BRAID_DEFERRED_SEMAPHORE (object);

  waiters_clear (&self->waiters);
  G_OBJECT_CLASS (braid_deferred_semaphore_parent_class)->finalize (object);
}

static void
braid_deferred_semaphore_class_init (BraidDeferredSemaphoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_deferred_semaphore_finalize;
}

static void
braid_deferred_semaphore_init (BraidDeferredSemaphore *self)
{
  g_queue_init (&self->waiters);
}

/**
 * braid_deferred_semaphore_new:
 * @tokens: how many holders at once, at least 1
 *
 * Creates a semaphore for deferred code: Twisted's `DeferredSemaphore`.
 *
 * Returns: (transfer full): a new semaphore with @tokens free tokens
 */
BraidDeferredSemaphore *
braid_deferred_semaphore_new (guint tokens)
{
  BraidDeferredSemaphore *self;

  g_return_val_if_fail (tokens >= 1, NULL);

  self = g_object_new (BRAID_TYPE_DEFERRED_SEMAPHORE, NULL);
  self->limit = tokens;
  self->tokens = tokens;
  return self;
}

/**
 * braid_deferred_semaphore_acquire:
 * @self: a semaphore
 *
 * Asks for a token.
 *
 * Returns: (transfer full): a deferred that fires with %NULL once the token
 *   is yours; give it back with braid_deferred_semaphore_release()
 */
BraidDeferred *
braid_deferred_semaphore_acquire (BraidDeferredSemaphore *self)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_SEMAPHORE (self), NULL);

  if (self->tokens > 0)
    {
      self->tokens--;
      return braid_succeed_full (NULL, NULL, G_STRLOC);
    }
  return waiters_add (&self->waiters, G_STRLOC);
}

/**
 * braid_deferred_semaphore_release:
 * @self: a semaphore
 *
 * Gives a token back; the oldest waiter gets it now. Releasing more tokens
 * than were acquired is a programming error.
 */
void
braid_deferred_semaphore_release (BraidDeferredSemaphore *self)
{
  BraidDeferred *next;

  g_return_if_fail (BRAID_IS_DEFERRED_SEMAPHORE (self));
  g_return_if_fail (self->tokens < self->limit);

  next = waiters_pop (&self->waiters);
  if (next == NULL)
    {
      self->tokens++;
      return;
    }
  /* The token goes straight to the waiter: it never becomes free, so a
   * caller acquiring from the waiter's callback cannot jump the line. */
  braid_deferred_callback_full (next, NULL, NULL, G_STRLOC);
  braid_deferred_unref (next);
}

/**
 * braid_deferred_semaphore_get_tokens:
 * @self: a semaphore
 *
 * Counts the free tokens.
 *
 * Returns: how many tokens are free now
 */
guint
braid_deferred_semaphore_get_tokens (BraidDeferredSemaphore *self)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_SEMAPHORE (self), 0);

  return self->tokens;
}

/* ---------------------------------------------------------------------- */

/**
 * BraidDeferredLock:
 *
 * A lock for asynchronous code: Twisted's `DeferredLock`. Only one holder at
 * a time; the others wait, in order, without blocking the program.
 *
 * ```c
 * braid_deferred_add_callback (braid_deferred_lock_acquire (lock), write_file, lock, NULL);
 * // ... and when write_file's work is done: braid_deferred_lock_release (lock);
 * ```
 *
 * braid_deferred_lock_acquire() returns a deferred that fires (with a %NULL
 * value) when the lock is yours. Cancelling a waiting deferred takes it out
 * of the line, failing with %G_IO_ERROR_CANCELLED.
 */
struct _BraidDeferredLock
{
  GObject parent_instance;
  gboolean locked;
  GQueue waiters;
};

G_DEFINE_FINAL_TYPE (BraidDeferredLock, braid_deferred_lock, G_TYPE_OBJECT)

static void
braid_deferred_lock_finalize (GObject *object)
{
  BraidDeferredLock *self = BRAID_DEFERRED_LOCK (object);

  waiters_clear (&self->waiters);
  G_OBJECT_CLASS (braid_deferred_lock_parent_class)->finalize (object);
}

static void
braid_deferred_lock_class_init (BraidDeferredLockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_deferred_lock_finalize;
}

static void
braid_deferred_lock_init (BraidDeferredLock *self)
{
  g_queue_init (&self->waiters);
}

/**
 * braid_deferred_lock_new:
 *
 * Creates a lock for deferred code: Twisted's `DeferredLock`.
 *
 * Returns: (transfer full): a new, unlocked lock
 */
BraidDeferredLock *
braid_deferred_lock_new (void)
{
  return g_object_new (BRAID_TYPE_DEFERRED_LOCK, NULL);
}

/**
 * braid_deferred_lock_acquire:
 * @self: a lock
 *
 * Asks for the lock.
 *
 * Returns: (transfer full): a deferred that fires with %NULL once the lock
 *   is yours; give it back with braid_deferred_lock_release()
 */
BraidDeferred *
braid_deferred_lock_acquire (BraidDeferredLock *self)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_LOCK (self), NULL);

  if (!self->locked)
    {
      self->locked = TRUE;
      return braid_succeed_full (NULL, NULL, G_STRLOC);
    }
  return waiters_add (&self->waiters, G_STRLOC);
}

/**
 * braid_deferred_lock_release:
 * @self: a locked lock
 *
 * Releases the lock; the oldest waiter gets it now. Releasing a lock that is
 * not locked is a programming error.
 */
void
braid_deferred_lock_release (BraidDeferredLock *self)
{
  BraidDeferred *next;

  g_return_if_fail (BRAID_IS_DEFERRED_LOCK (self));
  g_return_if_fail (self->locked);

  next = waiters_pop (&self->waiters);
  if (next == NULL)
    {
      self->locked = FALSE;
      return;
    }
  braid_deferred_callback_full (next, NULL, NULL, G_STRLOC);
  braid_deferred_unref (next);
}

/**
 * braid_deferred_lock_is_locked:
 * @self: a lock
 *
 * Tells whether the lock is held.
 *
 * Returns: %TRUE while someone holds the lock
 */
gboolean
braid_deferred_lock_is_locked (BraidDeferredLock *self)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_LOCK (self), FALSE);

  return self->locked;
}

/* ---------------------------------------------------------------------- */

/**
 * BraidDeferredQueue:
 *
 * A queue between producers and consumers of values: Twisted's
 * `DeferredQueue`.
 *
 * braid_deferred_queue_get() returns a deferred that fires with the
 * next value: at once if one is waiting, else when a producer calls
 * braid_deferred_queue_put(). Values go to consumers in the order they were
 * put, consumers are served in the order they asked.
 *
 * The queue is bounded both ways: at most @size values wait in it (one more
 * put fails with %BRAID_ERROR_QUEUE_OVERFLOW), and at most @backlog
 * consumers wait on it (one more get fails with
 * %BRAID_ERROR_QUEUE_UNDERFLOW). Cancelling a waiting get takes it out of
 * the line. Values still queued when the queue is freed are freed with it.
 */
struct _BraidDeferredQueue
{
  GObject parent_instance;
  guint size;
  guint backlog;
  GQueue values;    /* of stand-alone BraidResult* */
  GQueue waiters;
};

G_DEFINE_FINAL_TYPE (BraidDeferredQueue, braid_deferred_queue, G_TYPE_OBJECT)

static void
braid_deferred_queue_finalize (GObject *object)
{
  BraidDeferredQueue *self = BRAID_DEFERRED_QUEUE (object);

  waiters_clear (&self->waiters);
  g_queue_clear_full (&self->values, (GDestroyNotify) braid_result_free);
  G_OBJECT_CLASS (braid_deferred_queue_parent_class)->finalize (object);
}

static void
braid_deferred_queue_class_init (BraidDeferredQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_deferred_queue_finalize;
}

static void
braid_deferred_queue_init (BraidDeferredQueue *self)
{
  g_queue_init (&self->values);
  g_queue_init (&self->waiters);
}

/**
 * braid_deferred_queue_new:
 * @size: how many values may wait in the queue, or
 *   %BRAID_DEFERRED_QUEUE_UNLIMITED
 * @backlog: how many gets may wait on the queue, or
 *   %BRAID_DEFERRED_QUEUE_UNLIMITED
 *
 * Creates a queue between producers and consumers of values: Twisted's
 * `DeferredQueue`.
 *
 * Returns: (transfer full): a new, empty queue
 */
BraidDeferredQueue *
braid_deferred_queue_new (guint size, guint backlog)
{
  BraidDeferredQueue *self = g_object_new (BRAID_TYPE_DEFERRED_QUEUE, NULL);

  self->size = size;
  self->backlog = backlog;
  return self;
}

/**
 * braid_deferred_queue_put:
 * @self: a queue
 * @value: (nullable) (transfer full): the value
 * @destroy: (nullable): frees @value
 * @error: return location for a %BRAID_ERROR_QUEUE_OVERFLOW error
 *
 * Gives @value to the oldest waiting get, or queues it. If the queue is
 * full, @value is freed and the put fails.
 *
 * Returns: %TRUE if @value was delivered or queued
 */
gboolean
braid_deferred_queue_put (BraidDeferredQueue *self,
                          gpointer            value,
                          GDestroyNotify      destroy,
                          GError            **error)
{
  BraidDeferred *waiter;

  g_return_val_if_fail (BRAID_IS_DEFERRED_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  waiter = waiters_pop (&self->waiters);
  if (waiter != NULL)
    {
      braid_deferred_callback_full (waiter, value, destroy, G_STRLOC);
      braid_deferred_unref (waiter);
      return TRUE;
    }
  if (self->values.length >= self->size)
    {
      if (destroy != NULL)
        destroy (value);
      g_set_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_OVERFLOW,
                   "The queue is full (%u values)", self->size);
      return FALSE;
    }
  g_queue_push_tail (&self->values, braid_result_new_value (value, destroy));
  return TRUE;
}

/**
 * braid_deferred_queue_get:
 * @self: a queue
 * @error: return location for a %BRAID_ERROR_QUEUE_UNDERFLOW error
 *
 * Asks for the next value.
 *
 * Returns: (transfer full) (nullable): a deferred that fires with the value
 *   (which its chain then owns), or %NULL if too many gets already wait
 */
BraidDeferred *
braid_deferred_queue_get (BraidDeferredQueue *self, GError **error)
{
  BraidResult *next;

  g_return_val_if_fail (BRAID_IS_DEFERRED_QUEUE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  next = g_queue_pop_head (&self->values);
  if (next != NULL)
    {
      BraidDeferred *ready = braid_deferred_new_full (NULL, NULL, NULL, G_STRLOC);

      braid_deferred_fire_result_internal (ready, next, G_STRLOC);
      braid_result_free (next);
      return ready;
    }
  if (self->waiters.length >= self->backlog)
    {
      g_set_error (error, BRAID_ERROR, BRAID_ERROR_QUEUE_UNDERFLOW,
                   "Too many gets already wait on the queue (%u)", self->backlog);
      return NULL;
    }
  return waiters_add (&self->waiters, G_STRLOC);
}

/**
 * braid_deferred_queue_get_length:
 * @self: a queue
 *
 * Counts the values waiting for a consumer.
 *
 * Returns: how many values wait in the queue
 */
guint
braid_deferred_queue_get_length (BraidDeferredQueue *self)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_QUEUE (self), 0);

  return self->values.length;
}

/**
 * braid_deferred_queue_get_waiting:
 * @self: a queue
 *
 * Counts the consumers waiting for a value.
 *
 * Returns: how many gets wait for a value
 */
guint
braid_deferred_queue_get_waiting (BraidDeferredQueue *self)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_QUEUE (self), 0);

  return self->waiters.length;
}

/* ---------------------------------------------------------------------- */
/* Running a function under a lock or a semaphore */

typedef struct
{
  GObject *guard;                  /* the lock or semaphore, a reference */
  BraidCallback func;
  gpointer user_data;
  GDestroyNotify destroy;
} GuardedCall;

static void
guarded_call_free (gpointer data)
{
  GuardedCall *call = data;

  g_object_unref (call->guard);
  if (call->destroy != NULL)
    call->destroy (call->user_data);
  g_free (call);
}

static void
release_guard (BraidResult *result, gpointer guard)
{
  /* Runs whatever the result: the guard is given back even on error. */
  if (BRAID_IS_DEFERRED_LOCK (guard))
    braid_deferred_lock_release (guard);
  else
    braid_deferred_semaphore_release (guard);
}

/* Runs once the guard is ours (never if the wait was cancelled: then there
 * is nothing to release). As Twisted's `run` does: call the function through
 * maybe_deferred, and release when its answer, now or later, is in. */
static void
call_guarded (BraidResult *result, gpointer data)
{
  GuardedCall *call = data;
  BraidDeferred *answer = braid_maybe_deferred_full (call->func, call->user_data, NULL,
                                                     G_STRLOC);

  braid_deferred_add_both (answer, release_guard, g_object_ref (call->guard),
                           g_object_unref);
  braid_result_chain (result, answer);
}

static BraidDeferred *
run_guarded (BraidDeferred  *acquired,
             gpointer        guard,
             BraidCallback   func,
             gpointer        user_data,
             GDestroyNotify  destroy)
{
  GuardedCall *call = g_new (GuardedCall, 1);

  call->guard = g_object_ref (guard);
  call->func = func;
  call->user_data = user_data;
  call->destroy = destroy;
  braid_deferred_add_callback (acquired, call_guarded, call, guarded_call_free);
  return acquired;
}

/**
 * braid_deferred_lock_run:
 * @self: a lock
 * @func: (scope notified) (closure user_data) (destroy destroy): the work
 *   to do while holding the lock; it answers as for braid_maybe_deferred()
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data once @func has run (or will not)
 *
 * Acquires the lock, runs @func, and releases the lock once @func's answer
 * is in, whether a value or an error: Twisted's `DeferredLock.run`. If
 * @func hands back a deferred (braid_result_chain()), the lock is held until
 * that deferred fires.
 *
 * Cancelling the deferred returned while it waits for the lock gives up the
 * wait: @func never runs, and the lock is not released (it was never
 * acquired). Cancelling it while @func's deferred runs cancels that one,
 * and the lock is released as for any error.
 *
 * Returns: (transfer full): a deferred with @func's answer
 */
BraidDeferred *
braid_deferred_lock_run (BraidDeferredLock *self,
                         BraidCallback      func,
                         gpointer           user_data,
                         GDestroyNotify     destroy)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_LOCK (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return run_guarded (braid_deferred_lock_acquire (self), self, func, user_data, destroy);
}

/**
 * braid_deferred_semaphore_run:
 * @self: a semaphore
 * @func: (scope notified) (closure user_data) (destroy destroy): the work
 *   to do while holding a token; it answers as for braid_maybe_deferred()
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data once @func has run (or will not)
 *
 * Acquires a token, runs @func, and gives the token back once @func's
 * answer is in, whether a value or an error: Twisted's
 * `DeferredSemaphore.run`. See braid_deferred_lock_run() for cancelling.
 *
 * Returns: (transfer full): a deferred with @func's answer
 */
BraidDeferred *
braid_deferred_semaphore_run (BraidDeferredSemaphore *self,
                              BraidCallback           func,
                              gpointer                user_data,
                              GDestroyNotify          destroy)
{
  g_return_val_if_fail (BRAID_IS_DEFERRED_SEMAPHORE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return run_guarded (braid_deferred_semaphore_acquire (self), self, func, user_data,
                      destroy);
}
