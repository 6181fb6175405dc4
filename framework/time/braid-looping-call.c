/* braid-looping-call.c: call a function every N seconds. */
#include "config.h"

#include <math.h>

#include "braid-error.h"
#include "deferred/braid-deferred.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "time/braid-looping-call.h"

/**
 * BraidLoopingCall:
 *
 * Calls a function every @interval seconds on a [iface@Braid.Clock]:
 * Twisted's `task.LoopingCall` (with `withCount`).
 *
 * ```c
 * static gboolean
 * tick (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
 * {
 *   g_print ("tick\n");
 *   return TRUE;
 * }
 *
 * loop = braid_looping_call_new (clock, tick, NULL, NULL);
 * braid_looping_call_start (loop, 1.0, TRUE);   // now, then every second
 * ```
 *
 * ## Lifecycle
 *
 * 1. [ctor@Braid.LoopingCall.new] binds a function to a clock (the real
 *    reactor, or a `BraidFakeClock` in tests).
 * 2. [method@Braid.LoopingCall.start] calls it at once if @now is %TRUE,
 *    then at start + interval, start + 2 × interval, and so on. Ticks stay
 *    *aligned* to the start time: a function that takes 0.3 s does not
 *    push the next tick 0.3 s later. When the clock jumps past several
 *    ticks (a busy program, a suspended laptop, a fake clock advanced by
 *    10 s with [method@Braid.FakeClock.jump]), the missed ticks are not
 *    replayed one after the other: the function runs once and its
 *    @intervals argument says how many intervals passed since its previous
 *    call (Twisted's `LoopingCall.withCount`). A `BraidFakeClock` advanced
 *    with [method@Braid.FakeClock.advance] steps through every deadline on
 *    time, so no tick is missed there.
 * 3. The function may hand the loop a deferred with
 *    [method@Braid.LoopingCall.wait_for] (Twisted's function returning a
 *    `Deferred`): the next tick waits until it fires, and the loop stops
 *    with its error if it fails.
 * 4. It stops when [method@Braid.LoopingCall.stop] is called (from inside
 *    the function too), or when the function returns %FALSE with an
 *    error. A function that stops the loop and then fails ends the run
 *    with its error, as in Twisted. Either way the function set with
 *    [method@Braid.LoopingCall.set_stopped_func] is told, with the error
 *    or %NULL, and the run's deferred
 *    ([method@Braid.LoopingCall.get_deferred]) fires or fails. A stopped
 *    loop can be started again.
 *
 * A running loop holds a reference to itself (through its pending delayed
 * call), so it keeps running when the caller drops theirs; stop it to let
 * it go. An interval of 0 calls the function on every clock turn.
 */
struct _BraidLoopingCall
{
  GObject parent_instance;

  BraidClock *clock;
  BraidLoopingFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  BraidLoopingStoppedFunc stopped_func;
  gpointer stopped_data;
  GDestroyNotify stopped_destroy;

  gboolean running;
  gboolean calling;          /* inside func: rescheduling waits for its return */
  gboolean stop_pending;     /* stopped while calling or waiting: the run
                              * ends when the function's work is done */
  BraidDeferred *waiting_for; /* set by wait_for() during a call: the next
                               * tick waits until it fires */
  gboolean waiting;          /* waiting for that deferred to fire */
  gdouble last_call_time;    /* when the function was last called */
  gboolean called_this_run;  /* it was called since the last start */
  gdouble interval;
  gdouble start_time;        /* ticks are at start_time + k * interval */
  gint64 last_tick;          /* the tick index of the previous call */
  guint64 call_count;
  BraidDelayedCall *pending; /* owned by the clock; ours while pending */
  BraidDeferred *deferred;   /* made when asked for, one per run */
  gboolean finished;         /* the last run has stopped */
  GError *last_error;        /* why it stopped, if it failed */
};

G_DEFINE_FINAL_TYPE (BraidLoopingCall, braid_looping_call, G_TYPE_OBJECT)

static void
braid_looping_call_dispose (GObject *object)
{
  BraidLoopingCall *self = BRAID_LOOPING_CALL (object);

  /* A pending call holds a reference, so a running loop is never disposed
   * unless someone forced it: then there is nothing left to cancel. */
  g_clear_object (&self->clock);
  G_OBJECT_CLASS (braid_looping_call_parent_class)->dispose (object);
}

static void
braid_looping_call_finalize (GObject *object)
{
  BraidLoopingCall *self = BRAID_LOOPING_CALL (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  if (self->stopped_destroy != NULL)
    self->stopped_destroy (self->stopped_data);
  g_clear_pointer (&self->deferred, braid_deferred_unref);
  g_clear_pointer (&self->waiting_for, braid_deferred_unref);
  g_clear_error (&self->last_error);
  G_OBJECT_CLASS (braid_looping_call_parent_class)->finalize (object);
}

static void
braid_looping_call_class_init (BraidLoopingCallClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_looping_call_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_looping_call_finalize;
}

static void
braid_looping_call_init (BraidLoopingCall *self)
{
}

/**
 * braid_looping_call_new:
 * @clock: the clock that times the calls
 * @func: (scope notified) (closure user_data) (destroy destroy): what to call
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data when the looping call is finalized
 *
 * Makes a looping call; nothing happens until
 * [method@Braid.LoopingCall.start].
 *
 * Returns: (transfer full): the looping call
 */
BraidLoopingCall *
braid_looping_call_new (BraidClock       *clock,
                        BraidLoopingFunc  func,
                        gpointer          user_data,
                        GDestroyNotify    destroy)
{
  BraidLoopingCall *self;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (BRAID_TYPE_LOOPING_CALL, NULL);
  self->clock = g_object_ref (clock);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * braid_looping_call_set_stopped_func:
 * @self: a looping call
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   called each time the loop stops
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data when replaced or finalized
 *
 * Sets what to call when the loop stops, with %NULL after
 * [method@Braid.LoopingCall.stop] or the function's error.
 */
void
braid_looping_call_set_stopped_func (BraidLoopingCall        *self,
                                     BraidLoopingStoppedFunc  func,
                                     gpointer                 user_data,
                                     GDestroyNotify           destroy)
{
  g_return_if_fail (BRAID_IS_LOOPING_CALL (self));

  if (self->stopped_destroy != NULL)
    self->stopped_destroy (self->stopped_data);
  self->stopped_func = func;
  self->stopped_data = user_data;
  self->stopped_destroy = destroy;
}

/* The index of the tick at or just before @time. The small tolerance keeps
 * a call scheduled exactly on tick k from computing k - 1 through
 * floating-point rounding. */
static gint64
tick_index (BraidLoopingCall *self, gdouble time)
{
  return (gint64) floor ((time - self->start_time) / self->interval + 1e-9);
}

static void fire (gpointer data);

static void
schedule_next (BraidLoopingCall *self)
{
  gdouble now = braid_clock_seconds (self->clock);
  gdouble delay = 0;

  if (self->interval > 0)
    {
      gdouble next = self->start_time + (gdouble) (tick_index (self, now) + 1) * self->interval;

      delay = MAX (next - now, 0);
    }
  self->pending = braid_clock_call_later (self->clock, delay, fire,
                                          g_object_ref (self), g_object_unref);
}

/* Fires @deferred with the end of the run: the looping call itself (not
 * owned) after a stop, a copy of the error after a failure. */
static void
fire_deferred (BraidLoopingCall *self, BraidDeferred *deferred)
{
  if (self->last_error != NULL)
    braid_deferred_errback (deferred, g_error_copy (self->last_error));
  else
    braid_deferred_callback (deferred, self, NULL);
}

static void
finish (BraidLoopingCall *self, const GError *error)
{
  self->running = FALSE;
  self->finished = TRUE;
  if (error != NULL)
    self->last_error = g_error_copy (error);
  if (self->deferred != NULL)
    {
      /* A callback may start the loop again, which replaces
       * self->deferred: keep this one alive while it fires. */
      g_autoptr (BraidDeferred) deferred = braid_deferred_ref (self->deferred);

      fire_deferred (self, deferred);
    }
  if (self->stopped_func != NULL)
    self->stopped_func (self, error, self->stopped_data);
}

/* The number of intervals since the previous call, 1 at least (Twisted's
 * withCount never passes 0, even when floating-point rounding puts two
 * calls in one interval), and 1 for an interval of 0. */
static guint64
count_intervals (BraidLoopingCall *self)
{
  gint64 tick;

  if (self->interval <= 0)
    return 1;
  tick = tick_index (self, braid_clock_seconds (self->clock));
  if (tick - self->last_tick < 1)
    {
      self->last_tick++;
      return 1;
    }
  else
    {
      guint64 intervals = (guint64) (tick - self->last_tick);

      self->last_tick = tick;
      return intervals;
    }
}

/* The function's work for this tick is done (it returned, or the deferred
 * it handed over fired): go on, or end the run. */
static void
tick_done (BraidLoopingCall *self, const GError *error)
{
  if (error != NULL)
    {
      /* A failure ends the run, even when the function stopped the loop
       * before failing (Twisted's errback wins). */
      if (self->running || self->stop_pending)
        {
          self->stop_pending = FALSE;
          finish (self, error);
        }
    }
  else if (self->stop_pending)
    {
      self->stop_pending = FALSE;
      finish (self, NULL);
    }
  else if (self->running && self->pending == NULL)
    schedule_next (self);   /* unless the function restarted the loop */
}

static void
waited_deferred_fired (BraidResult *result, gpointer data)
{
  BraidLoopingCall *self = data;
  g_autoptr (GError) error = NULL;

  self->waiting = FALSE;
  if (braid_result_is_error (result))
    {
      /* The loop handles the error: its own deferred reports it. */
      error = braid_result_steal_error (result);
      braid_result_set_value (result, NULL, NULL);
    }
  tick_done (self, error);
}

static void
fire (gpointer data)
{
  BraidLoopingCall *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDeferred) waiting_for = NULL;
  guint64 intervals;
  gboolean ok;

  self->pending = NULL;
  intervals = count_intervals (self);
  self->last_call_time = braid_clock_seconds (self->clock);
  self->called_this_run = TRUE;
  self->call_count++;

  g_object_ref (self);
  self->calling = TRUE;
  ok = self->func (self, intervals, self->user_data, &error);
  self->calling = FALSE;
  waiting_for = g_steal_pointer (&self->waiting_for);

  if (!ok)
    {
      if (error == NULL)
        error = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_FAILED,
                                     "the looping function returned FALSE without an error");
      tick_done (self, error);
    }
  else if (waiting_for != NULL)
    {
      self->waiting = TRUE;
      braid_deferred_add_both (waiting_for, waited_deferred_fired,
                               g_object_ref (self), g_object_unref);
    }
  else
    tick_done (self, NULL);
  g_object_unref (self);
}

/**
 * braid_looping_call_wait_for:
 * @self: a looping call, from inside its function
 * @deferred: what the function started
 *
 * Makes the next tick wait until @deferred fires: Twisted's looping
 * function that returns a `Deferred`. Call it from inside the looping
 * function, which then returns %TRUE. When @deferred fires with a value,
 * the loop goes on: the next call comes at the next tick after that
 * moment, and its @intervals argument counts the ticks missed while
 * waiting. When @deferred fails, the loop stops with its error (the loop
 * handles it: [method@Braid.LoopingCall.get_deferred] fails with a copy).
 * Stopping the loop while it waits ends the run once @deferred fires.
 *
 * The loop adds a callback to @deferred and keeps a reference to it until
 * then.
 */
void
braid_looping_call_wait_for (BraidLoopingCall *self, BraidDeferred *deferred)
{
  g_return_if_fail (BRAID_IS_LOOPING_CALL (self));
  g_return_if_fail (deferred != NULL);
  g_return_if_fail (self->calling);
  g_return_if_fail (self->waiting_for == NULL);

  self->waiting_for = braid_deferred_ref (deferred);
}

/**
 * braid_looping_call_start:
 * @self: a looping call that is not running
 * @interval: seconds between calls, zero or more
 * @now: whether to call the function at once (else the first call is one
 *   interval from now)
 *
 * Starts the loop. Ticks are aligned on the start time; see the lifecycle
 * above.
 */
void
braid_looping_call_start (BraidLoopingCall *self, gdouble interval, gboolean now)
{
  g_return_if_fail (BRAID_IS_LOOPING_CALL (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (interval >= 0);

  if (self->stop_pending)
    {
      /* Stopped from inside the function, started again before it
       * returned: the stopped run ends now. */
      self->stop_pending = FALSE;
      finish (self, NULL);
    }
  self->running = TRUE;
  self->called_this_run = FALSE;
  self->finished = FALSE;
  g_clear_error (&self->last_error);
  g_clear_pointer (&self->deferred, braid_deferred_unref);
  self->interval = interval;
  self->start_time = braid_clock_seconds (self->clock);
  /* Tick 0 is the start; a call made now counts one interval, as does the
   * first call one interval later when @now is FALSE. */
  self->last_tick = now ? -1 : 0;
  if (now)
    {
      g_object_ref (self);
      fire (self);
      g_object_unref (self);
    }
  else
    schedule_next (self);
}

/**
 * braid_looping_call_stop:
 * @self: a running looping call
 *
 * Stops the loop: the pending call is cancelled, and the stopped function
 * is told (with a %NULL error) before this returns. Calling it from inside
 * the looping function is fine: the loop stops at once
 * ([method@Braid.LoopingCall.is_running] is %FALSE), and the run ends when
 * the function returns (with its error if it fails), or when the deferred
 * it waits for fires, as in Twisted.
 */
void
braid_looping_call_stop (BraidLoopingCall *self)
{
  g_return_if_fail (BRAID_IS_LOOPING_CALL (self));
  g_return_if_fail (self->running);

  g_object_ref (self);
  if (self->pending != NULL)
    {
      BraidDelayedCall *pending = g_steal_pointer (&self->pending);

      braid_delayed_call_cancel (pending, NULL);
    }
  if (self->calling || self->waiting)
    {
      self->running = FALSE;
      self->stop_pending = TRUE;
    }
  else
    finish (self, NULL);
  g_object_unref (self);
}

/**
 * braid_looping_call_reset:
 * @self: a running looping call
 *
 * Restarts the timing from now without calling the function: the next
 * call comes one full interval from now, and ticks are aligned on now.
 * Useful for "call this after N seconds of quiet", resetting on activity.
 */
void
braid_looping_call_reset (BraidLoopingCall *self)
{
  g_return_if_fail (BRAID_IS_LOOPING_CALL (self));
  g_return_if_fail (self->running);

  self->start_time = braid_clock_seconds (self->clock);
  self->last_tick = 0;
  if (self->pending != NULL)
    {
      BraidDelayedCall *pending = g_steal_pointer (&self->pending);

      braid_delayed_call_cancel (pending, NULL);
      schedule_next (self);
    }
}

/**
 * braid_looping_call_get_deferred:
 * @self: a started looping call
 *
 * The deferred of the current run (Twisted's `LoopingCall.start` returns
 * it): it fires with @self (not owned) when the loop is stopped, or fails
 * with the function's error. It is made on the first request, so a
 * program that uses [method@Braid.LoopingCall.set_stopped_func] instead
 * never leaves an unhandled error behind; asked for after the run ended,
 * it comes already fired. The next start replaces it.
 *
 * Returns: (transfer none): the deferred; take a reference to keep it
 *   past the next start
 */
BraidDeferred *
braid_looping_call_get_deferred (BraidLoopingCall *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPING_CALL (self), NULL);
  g_return_val_if_fail (self->running || self->finished || self->stop_pending, NULL);

  if (self->deferred == NULL)
    {
      self->deferred = braid_deferred_new ();
      if (self->finished)
        fire_deferred (self, self->deferred);
    }
  return self->deferred;
}

/**
 * braid_looping_call_is_running:
 * @self: a looping call
 *
 * Tells whether the looping call is started.
 *
 * Returns: %TRUE between start and stop
 */
gboolean
braid_looping_call_is_running (BraidLoopingCall *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPING_CALL (self), FALSE);
  return self->running;
}

/**
 * braid_looping_call_get_interval:
 * @self: a looping call
 *
 * Tells the interval between calls.
 *
 * Returns: the interval given to the last start, in seconds
 */
gdouble
braid_looping_call_get_interval (BraidLoopingCall *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPING_CALL (self), 0);
  return self->interval;
}

/**
 * braid_looping_call_set_interval:
 * @self: a looping call
 * @interval: seconds between calls, zero or more
 *
 * Changes the interval, as setting Twisted's `LoopingCall.interval` does:
 * it takes effect when the next call is scheduled (a call already pending
 * keeps its time), and ticks stay aligned on the start time. The count of
 * intervals passed to the next call is measured in the new interval from
 * the previous call.
 */
void
braid_looping_call_set_interval (BraidLoopingCall *self, gdouble interval)
{
  g_return_if_fail (BRAID_IS_LOOPING_CALL (self));
  g_return_if_fail (interval >= 0);

  self->interval = interval;
  if (interval > 0 && self->called_this_run)
    self->last_tick = tick_index (self, self->last_call_time);
}

/**
 * braid_looping_call_get_call_count:
 * @self: a looping call
 *
 * Counts the calls made so far.
 *
 * Returns: how many times the function was called, over all starts
 */
guint64
braid_looping_call_get_call_count (BraidLoopingCall *self)
{
  g_return_val_if_fail (BRAID_IS_LOOPING_CALL (self), 0);
  return self->call_count;
}
