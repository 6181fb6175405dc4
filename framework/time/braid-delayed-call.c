/* braid-delayed-call.c: a function scheduled to run later on a clock. */
#include "config.h"

#include <string.h>

#include "time/braid-delayed-call-private.h"
#include "braid-error.h"

/**
 * BraidDelayedCall:
 *
 * A call scheduled by [method@Braid.Clock.call_later_full], Twisted's
 * `IDelayedCall`.
 *
 * A delayed call is *pending* until its time comes, then *called*; or it is
 * *cancelled* before that. While it is pending it can be moved with
 * [method@Braid.DelayedCall.reset] (to a new time from now) or
 * [method@Braid.DelayedCall.delay] (by some seconds more). Cancelling,
 * resetting or delaying a call that was already called or cancelled is an
 * error (%BRAID_ERROR_ALREADY_CALLED, %BRAID_ERROR_ALREADY_CANCELLED), as in
 * Twisted: it usually means two parts of a program disagree on who owns the
 * timer.
 *
 * The clock owns a pending call; [method@Braid.Clock.call_later_full] returns it
 * without a reference. Take one with braid_delayed_call_ref() to keep the
 * call after it was called or cancelled (to ask
 * [method@Braid.DelayedCall.active], say), and drop it with
 * braid_delayed_call_unref(), or keep it in a `g_autoptr (BraidDelayedCall)`.
 *
 * Every call remembers where in the source it was scheduled
 * ([method@Braid.DelayedCall.get_creator]), so a timer left behind by a test
 * names its creator.
 *
 * Why not a GObject: like `GSource` and `GBytes` in GLib, and Twisted's
 * plain `DelayedCall` object, a call is a small reference-counted structure.
 * Programs make and drop millions of them, and a GObject's construction and
 * finalization (type checks, the locks that guard its weak references and
 * data, its signal handlers) cost more than the rest of a call's life; a
 * call has no properties or signals to offer for them.
 */
G_DEFINE_BOXED_TYPE (BraidDelayedCall, braid_delayed_call, braid_delayed_call_ref,
                     braid_delayed_call_unref)

/* Interns @creator. Every call scheduled from one place in the source
 * passes the same string, so a one-entry cache per thread skips the global
 * intern table (a lock and a hash) for nearly every call. */
static const char *
intern_creator (const char *creator)
{
  static __thread const char *last_given;
  static __thread const char *last_interned;

  if (creator == NULL)
    return "(unknown)";
  if (creator == last_given && strcmp (creator, last_interned) == 0)
    return last_interned;
  last_interned = g_intern_string (creator);
  last_given = creator;
  return last_interned;
}

/**
 * braid_delayed_call_ref:
 * @self: a delayed call
 *
 * Takes a reference to @self, to keep it after its clock is done with it.
 * It is safe to call from any thread.
 *
 * Returns: (transfer full): @self
 */
BraidDelayedCall *
braid_delayed_call_ref (BraidDelayedCall *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * braid_delayed_call_unref:
 * @self: (transfer full): a delayed call
 *
 * Drops a reference to @self, taken with braid_delayed_call_ref(); the call
 * is freed with its last reference.
 *
 * The last reference of a pending call is its clock's (in its queue, or
 * held by a fake clock's advance). Dropping it is a mistake of someone who
 * never owned it, typically `g_autoptr (BraidDelayedCall) c =
 * braid_clock_call_later (...)` without a braid_delayed_call_ref(): that is
 * reported as a critical naming where the call was scheduled, and the call
 * keeps its reference and stays scheduled, so the program goes on instead
 * of crashing later on freed memory.
 */
void
braid_delayed_call_unref (BraidDelayedCall *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  if (self->state == BRAID_DELAYED_CALL_PENDING)
    {
      g_critical ("The delayed call scheduled at %s lost its last reference while still "
                  "pending: its clock owns it, and braid_clock_call_later() returns "
                  "(transfer none). "
                  "braid_delayed_call_ref() a call before keeping it (in a g_autoptr, say), "
                  "and unref only a call you ref'ed. It stays scheduled.", self->creator);
      g_atomic_ref_count_init (&self->ref_count);
      return;
    }
  /* Its data was freed when it finished. */
  g_assert (self->queue == NULL);
  g_slice_free (BraidDelayedCall, self);
}

BraidDelayedCall *
braid_delayed_call_new_internal (BraidClock     *clock,
                                 gdouble         now,
                                 gdouble         time,
                                 BraidCallFunc   func,
                                 gpointer        user_data,
                                 GDestroyNotify  destroy,
                                 const char     *creator)
{
  BraidDelayedCall *call = g_slice_new (BraidDelayedCall);

  g_atomic_ref_count_init (&call->ref_count);
  call->queue_index = 0;
  call->queue_bucket = 0;
  call->state = BRAID_DELAYED_CALL_PENDING;
  call->queue = NULL;
  call->sequence = 0;
  call->time = time;
  call->scheduled_at = now;
  call->clock = clock;
  call->func = func;
  call->user_data = user_data;
  call->destroy = destroy;
  call->creator = intern_creator (creator);
  return call;
}

/* Marks the call as no longer pending and frees its data. */
void
braid_delayed_call_finish (BraidDelayedCall *call, BraidDelayedCallState state)
{
  GDestroyNotify destroy = call->destroy;
  gpointer user_data = call->user_data;

  call->state = state;
  call->clock = NULL;
  call->func = NULL;
  call->destroy = NULL;
  call->user_data = NULL;
  if (destroy != NULL)
    destroy (user_data);
}

static gboolean
check_pending (BraidDelayedCall *self, GError **error)
{
  switch (self->state)
    {
    case BRAID_DELAYED_CALL_PENDING:
      return TRUE;
    case BRAID_DELAYED_CALL_CALLED:
      g_set_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED,
                   "The delayed call scheduled at %s was already called",
                   self->creator);
      return FALSE;
    case BRAID_DELAYED_CALL_CANCELLED:
    default:
      g_set_error (error, BRAID_ERROR, BRAID_ERROR_ALREADY_CANCELLED,
                   "The delayed call scheduled at %s was already cancelled",
                   self->creator);
      return FALSE;
    }
}

/**
 * braid_delayed_call_run: (skip)
 * @call: a call that [method@Braid.TimerQueue.pop_due] returned
 *
 * For clock implementations: marks @call as called, runs its function, then
 * frees its data. The call is marked called *before* its function runs, so
 * the function sees [method@Braid.DelayedCall.called] and cannot reset its
 * own call (schedule a new one instead).
 */
void
braid_delayed_call_run (BraidDelayedCall *call)
{
  BraidCallFunc func = call->func;
  gpointer user_data = call->user_data;
  GDestroyNotify destroy = call->destroy;

  g_return_if_fail (call != NULL);
  g_return_if_fail (call->state == BRAID_DELAYED_CALL_PENDING && call->queue == NULL);

  call->state = BRAID_DELAYED_CALL_CALLED;
  call->clock = NULL;
  call->func = NULL;
  call->destroy = NULL;
  call->user_data = NULL;
  func (user_data);
  if (destroy != NULL)
    destroy (user_data);
}

/**
 * braid_delayed_call_cancel:
 * @self: a delayed call
 * @error: return location for a #GError
 *
 * Cancels a pending call: its function will not run, and its destroy
 * notify runs now.
 *
 * Returns: %TRUE if the call was pending; %FALSE with
 *   %BRAID_ERROR_ALREADY_CALLED or %BRAID_ERROR_ALREADY_CANCELLED otherwise
 */
gboolean
braid_delayed_call_cancel (BraidDelayedCall *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_pending (self, error))
    return FALSE;

  if (self->queue != NULL)
    {
      braid_timer_queue_remove (self->queue, self);
      braid_delayed_call_finish (self, BRAID_DELAYED_CALL_CANCELLED);
      braid_delayed_call_unref (self); /* the queue's reference */
    }
  else
    braid_delayed_call_finish (self, BRAID_DELAYED_CALL_CANCELLED);
  return TRUE;
}

static gboolean
move_to (BraidDelayedCall *self, gdouble time, GError **error)
{
  if (!check_pending (self, error))
    return FALSE;

  self->time = time;
  self->scheduled_at = braid_clock_seconds (self->clock);
  if (self->queue != NULL)
    braid_timer_queue_moved (self->queue, self);
  return TRUE;
}

/**
 * braid_delayed_call_reset:
 * @self: a delayed call
 * @seconds_from_now: the new delay, counted from the clock's current time
 * @error: return location for a #GError
 *
 * Moves a pending call so that it is due @seconds_from_now seconds from now.
 * A reset call is ordered as if it had just been scheduled.
 *
 * Returns: %TRUE if the call was pending and was moved
 */
gboolean
braid_delayed_call_reset (BraidDelayedCall *self, gdouble seconds_from_now, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (seconds_from_now >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_pending (self, error))
    return FALSE;
  return move_to (self, braid_clock_seconds (self->clock) + seconds_from_now, error);
}

/**
 * braid_delayed_call_delay:
 * @self: a delayed call
 * @seconds_later: how many seconds later than now planned the call becomes due
 * @error: return location for a #GError
 *
 * Pushes a pending call back by @seconds_later seconds.
 *
 * Returns: %TRUE if the call was pending and was moved
 */
gboolean
braid_delayed_call_delay (BraidDelayedCall *self, gdouble seconds_later, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (seconds_later >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return move_to (self, self->time + seconds_later, error);
}

/**
 * braid_delayed_call_get_time:
 * @self: a delayed call
 *
 * Tells when the call is due.
 *
 * Returns: when the call is (or was) due, in its clock's seconds
 */
gdouble
braid_delayed_call_get_time (BraidDelayedCall *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->time;
}

/**
 * braid_delayed_call_active:
 * @self: a delayed call
 *
 * Tells whether the call is still pending.
 *
 * Returns: %TRUE while the call has been neither called nor cancelled
 */
gboolean
braid_delayed_call_active (BraidDelayedCall *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state == BRAID_DELAYED_CALL_PENDING;
}

/**
 * braid_delayed_call_called:
 * @self: a delayed call
 *
 * Tells whether the call has fired.
 *
 * Returns: %TRUE once the call's function has been run (it is already %TRUE
 *   while the function runs)
 */
gboolean
braid_delayed_call_called (BraidDelayedCall *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state == BRAID_DELAYED_CALL_CALLED;
}

/**
 * braid_delayed_call_cancelled:
 * @self: a delayed call
 *
 * Tells whether the call was cancelled.
 *
 * Returns: %TRUE if the call was cancelled (by its owner, or because its
 *   clock was destroyed first)
 */
gboolean
braid_delayed_call_cancelled (BraidDelayedCall *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state == BRAID_DELAYED_CALL_CANCELLED;
}

/**
 * braid_delayed_call_get_creator:
 * @self: a delayed call
 *
 * Tells where in the source the call was scheduled, so a leftover timer names
 * its creator.
 *
 * Returns: where the call was scheduled, as `"file.c:123"`
 */
const char *
braid_delayed_call_get_creator (BraidDelayedCall *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->creator;
}

/**
 * braid_delayed_call_get_scheduled_at: (skip)
 * @call: a delayed call
 *
 * For clock implementations: the clock's time when @call was scheduled or
 * last moved. A fake clock compares it with the call's time to recognise a
 * zero-delay call scheduled while it was already firing calls.
 *
 * Returns: a time in the clock's seconds
 */
gdouble
braid_delayed_call_get_scheduled_at (BraidDelayedCall *call)
{
  return call->scheduled_at;
}

/**
 * braid_delayed_call_get_sequence: (skip)
 * @call: a delayed call
 *
 * For clock implementations: the stamp that orders @call among calls due at
 * the same time (see [method@Braid.TimerQueue.get_sequence]).
 *
 * Returns: the sequence number
 */
guint64
braid_delayed_call_get_sequence (BraidDelayedCall *call)
{
  return call->sequence;
}
