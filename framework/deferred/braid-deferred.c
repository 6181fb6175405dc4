/* braid-deferred.c: a result that arrives later, and the chain of callbacks
 * that processes it. */
#include "config.h"

#include "braid-error.h"
#include "deferred/braid-deferred-private.h"
#include "deferred/braid-deferred.h"

/**
 * BraidDeferred:
 *
 * A result that is not there yet: Twisted's `Deferred`.
 *
 * A function that cannot answer at once (it waits for the network, a timer,
 * a thread) returns a `BraidDeferred` and fires it later. The caller does
 * not wait: it adds *callbacks* to the deferred's chain, and they run when
 * the result arrives.
 *
 * ## The result
 *
 * A result ([struct@Braid.Result]) is either a **value** or an **error**:
 *
 * - a value is a `gpointer` with the `GDestroyNotify` that frees it (or
 *   %NULL for values that need no freeing, such as `GINT_TO_POINTER (42)`).
 *   The result owns it: whoever replaces or drops the value frees it;
 * - an error is a `GError`, owned by the result.
 *
 * Ownership only ever moves *into* a result: braid_deferred_callback(),
 * braid_deferred_errback(), braid_result_set_value(),
 * braid_result_take_error() and braid_result_chain() all take what you give
 * them. To keep a value beyond the chain, copy it or steal it with
 * braid_result_steal_value().
 *
 * ## Lifecycle
 *
 * 1. The producer makes the deferred with braid_deferred_new() (or
 *    braid_deferred_new_with_canceller()) and hands it to the consumer.
 * 2. The consumer adds links to the chain: braid_deferred_add_callback()
 *    (runs on values), braid_deferred_add_errback() (runs on errors),
 *    braid_deferred_add_both() (runs on either) and
 *    braid_deferred_add_callbacks() (one of two functions, at the same
 *    level — Twisted's `addCallbacks`).
 * 3. The producer fires it once, with braid_deferred_callback() or
 *    braid_deferred_errback(). The links run in order; each one sees the
 *    result the previous one left. Links added after the deferred fired run
 *    at once.
 *
 * Every link is a [callback@Braid.Callback]: it receives the current result
 * and changes it in place. To pass the result on, do nothing. To replace it,
 * braid_result_set_value(). To fail, braid_result_fail() or
 * braid_result_take_error(). An errback recovers by setting a value; it
 * handles only the errors it knows with braid_result_trap(), which leaves
 * the others to the next errback (Twisted's `failure.trap`).
 *
 * ## Chaining
 *
 * A callback that needs to wait for something else hands that deferred to
 * braid_result_chain(). The chain *pauses* until the inner deferred fires;
 * the inner deferred's result then becomes the result of this chain, which
 * carries on. Chains run in a loop (a trampoline), never by recursion: a
 * deferred waiting on a deferred waiting on ... a hundred thousand deep
 * fires, cancels and is freed without growing the C stack.
 *
 * ## Cancelling
 *
 * braid_deferred_cancel() stops a deferred that has not fired: its canceller
 * (if it has one) stops the work, and unless the canceller fired it, the
 * deferred fails with %G_IO_ERROR_CANCELLED. A deferred with no canceller
 * ignores the producer's next braid_deferred_callback(), once: the producer
 * did not know it was cancelled. A deferred waiting on an inner deferred
 * cancels the inner one. braid_deferred_add_timeout() cancels a deferred
 * that takes too long and turns the cancellation into %G_IO_ERROR_TIMED_OUT.
 *
 * ## Errors that cannot be lost
 *
 * When the last reference to a deferred whose result is an error is dropped,
 * Braid logs a warning "Unhandled error in BraidDeferred", with the error and
 * the places where the deferred was created and fired. This happens at the
 * last braid_deferred_unref(), never "some time later": put an errback at
 * the end of every chain. Tests built on `libbraid-fakes` also fail (the
 * hygiene check) when they leave such an error behind; see
 * braid_deferred_add_unhandled_error_observer().
 *
 * ## Ownership and threads
 *
 * A deferred is reference counted (braid_deferred_ref(),
 * braid_deferred_unref(), `g_autoptr (BraidDeferred)`). A chain keeps what
 * it needs alive: a deferred waiting on an inner deferred is held by the
 * inner one until it fires. A deferred belongs to one thread (its counter is
 * not atomic, which keeps it cheap); braid_defer_to_thread() shows how to
 * bring a result from another thread back to it.
 *
 * It is a plain reference-counted structure rather than a GObject, for the
 * same reason `GBytes` is: programs make millions of them, and a deferred
 * costs a fraction of an object.
 */


G_DEFINE_BOXED_TYPE (BraidDeferred, braid_deferred, braid_deferred_ref, braid_deferred_unref)

/* The continuation a deferred puts at the end of an inner deferred's chain
 * while it waits on it. It is never called: the trampoline recognises it and
 * moves the inner result to the waiting deferred instead. */
static void
continue_waiting_deferred (BraidResult *result, gpointer user_data)
{
  g_assert_not_reached ();
}

/* The continuation's destroy notify, used only when the inner deferred is
 * dropped without ever firing: the outer one stops waiting on it. */
static void
forget_continuation (gpointer user_data)
{
  BraidDeferred *outer = user_data;

  outer->waiting_on = NULL;
  braid_deferred_unref (outer);
}


/* ---------------------------------------------------------------------- */
/* Reference counting */

static void
link_discard (Link *link)
{
  if (link->destroy != NULL)
    link->destroy (link->user_data);
}

static void
braid_deferred_finalize (BraidDeferred *self)
{
  if (self->called && self->result.error != NULL)
    braid_deferred_report_unhandled_error_internal (self);

  for (guint i = self->next_link; i < self->n_links; i++)
    link_discard (&self->links[i]);
  if (self->links != self->inline_links)
    g_free (self->links);
  if (self->canceller_destroy != NULL)
    self->canceller_destroy (self->canceller_data);
  result_clear (&self->result);
  g_free (self);
}

/* Deferreds to finalize, and whether this thread is finalizing already.
 *
 * Dropping the last reference to a deferred can drop the last reference to
 * another (the continuation of a chain holds the deferred waiting on it),
 * which can drop another... A chain 100,000 deep would recurse 100,000
 * times. Instead, the outermost braid_deferred_unref() finalizes, and the
 * nested ones only queue their deferred for it: the same trampoline as the
 * callbacks. */
static _Thread_local BraidDeferred *dying;
static _Thread_local gboolean finalizing;

/**
 * braid_deferred_ref:
 * @self: a deferred
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 */
BraidDeferred *
braid_deferred_ref (BraidDeferred *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->ref_count > 0, NULL);

  self->ref_count++;
  return self;
}

/**
 * braid_deferred_unref:
 * @self: (transfer full): a deferred
 *
 * Drops a reference to @self. When the last one goes, the links that never
 * ran are freed (their destroy notifies run), and if the result is an error,
 * it is reported as unhandled (see [struct@Braid.Deferred]).
 */
void
braid_deferred_unref (BraidDeferred *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->ref_count > 0);

  if (--self->ref_count > 0)
    return;

  self->chain_next = dying;
  dying = self;
  if (finalizing)
    return;

  finalizing = TRUE;
  while (dying != NULL)
    {
      BraidDeferred *next = dying;

      dying = next->chain_next;
      braid_deferred_finalize (next);
    }
  finalizing = FALSE;
}

/* ---------------------------------------------------------------------- */
/* Making deferreds */

/**
 * braid_deferred_new_full: (constructor)
 * @canceller: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   stops the work behind the deferred when it is cancelled
 * @user_data: passed to @canceller
 * @destroy: (nullable): frees @user_data once the deferred has fired (or is
 *   freed unfired)
 * @created_at: where the deferred is made, as `"file.c:12"` (the macros
 *   pass `G_STRLOC`); kept, not copied: give a static string
 *
 * Makes a deferred with no result yet. Use the braid_deferred_new() and
 * braid_deferred_new_with_canceller() macros, which fill in @created_at so
 * that an unhandled error names the line that made its deferred.
 *
 * A canceller lets braid_deferred_cancel() stop the work: cancel the timer,
 * close the connection. Its data is freed as soon as the deferred fires,
 * because it can no longer be cancelled then.
 *
 * Returns: (transfer full): a new deferred
 */
BraidDeferred *
braid_deferred_new_full (BraidCanceller  canceller,
                         gpointer        user_data,
                         GDestroyNotify  destroy,
                         const char     *created_at)
{
  BraidDeferred *self = g_new (BraidDeferred, 1);

  self->result = (BraidResult) { .owner = self, .index = -1 };
  self->ref_count = 1;
  self->paused = 0;
  self->called = FALSE;
  self->running = FALSE;
  self->suppress_already_called = FALSE;
  self->links = self->inline_links;
  self->n_links = 0;
  self->next_link = 0;
  self->links_size = G_N_ELEMENTS (self->inline_links);
  self->waiting_on = NULL;
  self->chain_next = NULL;
  self->canceller = canceller;
  self->canceller_data = user_data;
  self->canceller_destroy = destroy;
  self->created_at = created_at != NULL ? created_at : "(unknown)";
  self->fired_at = NULL;
  return self;
}

/**
 * braid_succeed_full:
 * @value: (nullable): the value
 * @destroy: (nullable): frees @value
 * @created_at: where the deferred is made (the braid_succeed() macro passes
 *   `G_STRLOC`)
 *
 * Makes a deferred that already has @value: Twisted's `succeed`, for a
 * function that must return a deferred but knows its answer at once.
 *
 * Returns: (transfer full): a fired deferred
 */
BraidDeferred *
braid_succeed_full (gpointer value, GDestroyNotify destroy, const char *created_at)
{
  BraidDeferred *self = braid_deferred_new_full (NULL, NULL, NULL, created_at);

  braid_deferred_callback_full (self, value, destroy, created_at);
  return self;
}

/**
 * braid_fail_full:
 * @error: (transfer full): the error
 * @created_at: where the deferred is made (the braid_fail() macro passes
 *   `G_STRLOC`)
 *
 * Makes a deferred that already has @error: Twisted's `fail`. Like any
 * failed deferred, it must get an errback before it is dropped.
 *
 * Returns: (transfer full): a fired deferred
 */
BraidDeferred *
braid_fail_full (GError *error, const char *created_at)
{
  BraidDeferred *self = braid_deferred_new_full (NULL, NULL, NULL, created_at);

  braid_deferred_errback_full (self, error, created_at);
  return self;
}

/* ---------------------------------------------------------------------- */
/* The trampoline */

static gboolean
has_result (BraidDeferred *self)
{
  return self->called && self->paused == 0 && !self->running;
}

/* Adds a link at the end of the chain. The fields are passed one by one,
 * not as a struct built by the caller: writing a struct to the stack and
 * reading it back whole stalls the CPU (store forwarding), and this is the
 * hottest path of a chain. */
static inline void
append_link (BraidDeferred  *self,
             BraidCallback   callback,
             BraidCallback   errback,
             gpointer        user_data,
             GDestroyNotify  destroy)
{
  Link *link;

  if (self->next_link == self->n_links)
    {
      /* Every link so far has run: reuse the array from the start. */
      self->next_link = 0;
      self->n_links = 0;
    }
  if (G_UNLIKELY (self->n_links == self->links_size))
    {
      guint size = self->links_size * 4;

      if (self->links == self->inline_links)
        {
          self->links = g_new (Link, size);
          memcpy (self->links, self->inline_links, sizeof self->inline_links);
        }
      else
        self->links = g_renew (Link, self->links, size);
      self->links_size = size;
    }
  link = &self->links[self->n_links++];
  link->callback = callback;
  link->errback = errback;
  link->user_data = user_data;
  link->destroy = destroy;
}

/* A callback handed @current another deferred: take its result if it has
 * one, else wait for it. Returns TRUE if @current now waits. */
static gboolean
wait_or_take (BraidDeferred *current)
{
  BraidDeferred *inner = g_steal_pointer (&current->result.chained);

  if (has_result (inner))
    {
      /* Steal the inner result, as Twisted does: the inner deferred's own
       * later callbacks see NULL, and its error is now ours to handle. */
      result_move (&current->result, &inner->result);
      braid_deferred_unref (inner);
      return FALSE;
    }

  /* Waiting on a deferred that (through others) waits on us would never
   * end, and would make cancel() walk in circles: fail instead. */
  for (BraidDeferred *link = inner; link != NULL; link = link->waiting_on)
    if (link == current)
      {
        g_critical ("BraidDeferred created at %s would wait on itself through the "
                    "deferred created at %s", current->created_at, inner->created_at);
        braid_result_fail (&current->result, BRAID_ERROR, BRAID_ERROR_FAILED,
                           "A chain of deferreds would wait on itself");
        braid_deferred_unref (inner);
        return FALSE;
      }

  /* The continuation holds a reference to us; we hold none on the inner
   * deferred (whoever fires it does), so no cycle is made. */
  current->paused++;
  current->waiting_on = inner;
  append_link (inner, continue_waiting_deferred, continue_waiting_deferred,
               braid_deferred_ref (current), forget_continuation);
  braid_deferred_unref (inner);
  return TRUE;
}

/* Runs @self's chain as far as it can go.
 *
 * The loop keeps a stack of deferreds (linked through chain_next): when a
 * deferred reaches the continuation of a deferred waiting on it, it hands
 * its result over and pushes the waiting one, which runs next; when that
 * one is done (or waits again), it is popped and the one below carries on
 * with its remaining links. This is Twisted's `_runCallbacks`; the stack
 * replaces recursion, so the depth of a chain costs no C stack. */
static void
run_callbacks (BraidDeferred *self)
{
  BraidDeferred *stack;

  if (self->running)
    return;   /* a callback of ours added a link: the loop below picks it up */

  self->chain_next = NULL;
  stack = braid_deferred_ref (self);

  while (stack != NULL)
    {
      BraidDeferred *current = stack;
      gboolean finished = TRUE;

      while (current->paused == 0 && !current->running
             && current->next_link < current->n_links)
        {
          Link link = current->links[current->next_link++];
          BraidCallback func;

          if (link.callback == continue_waiting_deferred)
            {
              BraidDeferred *waiting = link.user_data;   /* its ref moves to the stack */

              result_move (&waiting->result, &current->result);
              waiting->waiting_on = NULL;
              waiting->paused--;
              waiting->chain_next = stack;
              stack = waiting;
              finished = FALSE;
              break;
            }

          func = current->result.error != NULL ? link.errback : link.callback;
          if (func != NULL)
            {
              current->running = TRUE;
              func (&current->result, link.user_data);
              current->running = FALSE;
            }
          link_discard (&link);

          if (current->result.chained != NULL && wait_or_take (current))
            break;
        }

      if (finished)
        {
          stack = current->chain_next;
          current->chain_next = NULL;
          braid_deferred_unref (current);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Firing */

static void
release_canceller (BraidDeferred *self)
{
  GDestroyNotify destroy = g_steal_pointer (&self->canceller_destroy);
  gpointer data = g_steal_pointer (&self->canceller_data);

  self->canceller = NULL;
  if (destroy != NULL)
    destroy (data);
}

/* Returns TRUE if @self may be fired now; else reports why not. */
static gboolean
check_not_called (BraidDeferred *self, const char *fired_at)
{
  g_autoptr (GError) error = NULL;

  if (!self->called)
    return TRUE;

  if (self->suppress_already_called)
    {
      /* Cancelled with no canceller: the producer did not know, and its one
       * late answer is expected and ignored (Twisted does the same). */
      self->suppress_already_called = FALSE;
      return FALSE;
    }

  error = g_error_new (BRAID_ERROR, BRAID_ERROR_ALREADY_CALLED,
                       "BraidDeferred created at %s was already called at %s; "
                       "fired again at %s",
                       self->created_at, self->fired_at, fired_at ? fired_at : "(unknown)");
  g_critical ("%s (%s, %d)", error->message,
              g_quark_to_string (error->domain), error->code);
  return FALSE;
}

static void
start_callbacks (BraidDeferred *self, const char *fired_at)
{
  self->called = TRUE;
  /* Never NULL once called: the messages about a fired deferred name it. */
  self->fired_at = fired_at != NULL ? fired_at : "(unknown)";
  release_canceller (self);
  run_callbacks (self);
}

/**
 * braid_deferred_callback_full:
 * @self: a deferred that has not fired
 * @value: (nullable) (transfer full): the value
 * @destroy: (nullable): frees @value when the chain is done with it
 * @fired_at: where it is fired (the braid_deferred_callback() macro passes
 *   `G_STRLOC`); kept, not copied
 *
 * Fires @self with a value: its callbacks run now, in order.
 *
 * A deferred fires once. Firing it again is a programming error: Braid
 * logs a critical %BRAID_ERROR_ALREADY_CALLED message naming where it was
 * first fired, frees @value and returns %FALSE. The one exception is a
 * deferred cancelled with no canceller: it ignores the producer's next
 * answer silently, once.
 *
 * Returns: %TRUE if @self was fired, %FALSE if it had already been
 */
gboolean
braid_deferred_callback_full (BraidDeferred  *self,
                              gpointer        value,
                              GDestroyNotify  destroy,
                              const char     *fired_at)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!check_not_called (self, fired_at))
    {
      if (destroy != NULL)
        destroy (value);
      return FALSE;
    }
  self->result.value = value;
  self->result.destroy = destroy;
  start_callbacks (self, fired_at);
  return TRUE;
}

/**
 * braid_deferred_errback_full:
 * @self: a deferred that has not fired
 * @error: (transfer full): the error
 * @fired_at: where it is fired (the braid_deferred_errback() macro passes
 *   `G_STRLOC`); kept, not copied
 *
 * Fires @self with an error: its errbacks run now. Firing twice is reported
 * as for braid_deferred_callback().
 *
 * Returns: %TRUE if @self was fired, %FALSE if it had already been
 */
gboolean
braid_deferred_errback_full (BraidDeferred *self,
                             GError        *error,
                             const char    *fired_at)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (!check_not_called (self, fired_at))
    {
      g_error_free (error);
      return FALSE;
    }
  self->result.error = error;
  start_callbacks (self, fired_at);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The chain */

/**
 * braid_deferred_add_callbacks:
 * @self: a deferred
 * @callback: (nullable) (scope notified): runs if the result is a value
 * @errback: (nullable) (scope notified): runs if the result is an error
 * @user_data: passed to whichever runs
 * @destroy: (nullable): frees @user_data once the link has run, was
 *   skipped, or the deferred is freed
 *
 * Adds one link to the chain with a function for each kind of result:
 * Twisted's `addCallbacks`. Only one of them runs, so an error raised by
 * @callback does not reach @errback (add an errback after it for that).
 * A %NULL function passes that kind of result on.
 *
 * If @self has a result already, the link runs at once.
 */
void
braid_deferred_add_callbacks (BraidDeferred  *self,
                              BraidCallback   callback,
                              BraidCallback   errback,
                              gpointer        user_data,
                              GDestroyNotify  destroy)
{
  g_return_if_fail (self != NULL);

  append_link (self, callback, errback, user_data, destroy);
  if (self->called)
    run_callbacks (self);
}

/**
 * braid_deferred_add_callback:
 * @self: a deferred
 * @callback: runs if the result is a value
 * @user_data: passed to @callback
 * @destroy: (nullable): frees @user_data once the link has run or was skipped
 *
 * Adds a callback: it runs on a value; an error passes it by.
 *
 * ```c
 * braid_deferred_add_callback (d, print_poem, NULL, NULL);
 * ```
 */
void
braid_deferred_add_callback (BraidDeferred  *self,
                             BraidCallback   callback,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  g_return_if_fail (callback != NULL);

  braid_deferred_add_callbacks (self, callback, NULL, user_data, destroy);
}

/**
 * braid_deferred_add_errback:
 * @self: a deferred
 * @errback: runs if the result is an error
 * @user_data: passed to @errback
 * @destroy: (nullable): frees @user_data once the link has run or was skipped
 *
 * Adds an errback: it runs on an error; a value passes it by. The errback
 * handles the error by replacing it (braid_result_set_value(),
 * braid_result_trap()); if it leaves the error, the error goes on to the
 * next errback.
 */
void
braid_deferred_add_errback (BraidDeferred  *self,
                            BraidCallback   errback,
                            gpointer        user_data,
                            GDestroyNotify  destroy)
{
  g_return_if_fail (errback != NULL);

  braid_deferred_add_callbacks (self, NULL, errback, user_data, destroy);
}

/**
 * braid_deferred_add_both:
 * @self: a deferred
 * @callback: runs on any result
 * @user_data: passed to @callback
 * @destroy: (nullable): frees @user_data once the link has run
 *
 * Adds a function that runs whatever the result: the `finally` of the
 * chain (Twisted's `addBoth`). Use braid_result_is_error() to tell which.
 */
void
braid_deferred_add_both (BraidDeferred  *self,
                         BraidCallback   callback,
                         gpointer        user_data,
                         GDestroyNotify  destroy)
{
  g_return_if_fail (callback != NULL);

  braid_deferred_add_callbacks (self, callback, callback, user_data, destroy);
}

/* ---------------------------------------------------------------------- */
/* Flow control */

/**
 * braid_deferred_pause:
 * @self: a deferred
 *
 * Stops @self's chain from running, even if it has a result, until
 * braid_deferred_unpause(). Pauses count: each needs its unpause.
 */
void
braid_deferred_pause (BraidDeferred *self)
{
  g_return_if_fail (self != NULL);

  self->paused++;
}

/**
 * braid_deferred_unpause:
 * @self: a paused deferred
 *
 * Undoes one braid_deferred_pause(); when none is left and @self has a
 * result, the links waiting in its chain run now.
 */
void
braid_deferred_unpause (BraidDeferred *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->paused > 0);

  self->paused--;
  if (self->paused == 0 && self->called)
    run_callbacks (self);
}

/**
 * braid_deferred_cancel:
 * @self: a deferred
 *
 * Says that the result of @self is no longer wanted: Twisted's `cancel`.
 *
 * - Not fired yet: the canceller runs (if there is one) to stop the work;
 *   unless it fired @self, @self fails with %G_IO_ERROR_CANCELLED. Without
 *   a canceller, the producer's next braid_deferred_callback() is ignored
 *   silently, once.
 * - Fired, but waiting on an inner deferred (see braid_result_chain()): the
 *   innermost deferred that has not fired is cancelled instead, and its
 *   error flows back up the chain.
 * - Fired and done (or paused): nothing happens.
 */
void
braid_deferred_cancel (BraidDeferred *self)
{
  BraidDeferred *target = self;
  BraidCanceller canceller;
  gpointer data;
  GDestroyNotify destroy;

  g_return_if_fail (self != NULL);

  /* Walk down to the innermost deferred in a loop, not by recursion: the
   * chain may be very deep. */
  while (target->called && target->waiting_on != NULL)
    target = target->waiting_on;
  if (target->called)
    return;

  braid_deferred_ref (target);
  canceller = target->canceller;
  data = g_steal_pointer (&target->canceller_data);
  destroy = g_steal_pointer (&target->canceller_destroy);
  target->canceller = NULL;

  if (canceller != NULL)
    canceller (target, data);
  else
    target->suppress_already_called = TRUE;
  if (destroy != NULL)
    destroy (data);

  if (!target->called)
    braid_deferred_errback_full (target,
                                 g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "The deferred was cancelled"),
                                 "braid_deferred_cancel()");
  braid_deferred_unref (target);
}


/**
 * braid_deferred_set_canceller:
 * @self: a deferred that has not fired
 * @canceller: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   stops the work behind @self when it is cancelled, or %NULL for none
 * @user_data: passed to @canceller
 * @destroy: (nullable): frees @user_data once @self has fired (or is freed)
 *
 * Gives @self its canceller after it was made, replacing (and freeing) any
 * earlier one. This suits a producer that must make the deferred before it
 * can start the work that fires it — a timer that fires the deferred, say:
 *
 * ```c
 * BraidDeferred *d = braid_deferred_new ();
 * BraidDelayedCall *call =
 *   braid_clock_call_later (clock, delay, fire_it, braid_deferred_ref (d), unref_it);
 *
 * braid_deferred_set_canceller (d, cancel_the_call, braid_delayed_call_ref (call),
 *                               (GDestroyNotify) braid_delayed_call_unref);
 * ```
 *
 * If @self has fired already, there is nothing left to cancel: @user_data
 * is freed at once.
 */
void
braid_deferred_set_canceller (BraidDeferred  *self,
                              BraidCanceller  canceller,
                              gpointer        user_data,
                              GDestroyNotify  destroy)
{
  g_return_if_fail (self != NULL);

  release_canceller (self);
  if (self->called)
    {
      if (destroy != NULL)
        destroy (user_data);
      return;
    }
  self->canceller = canceller;
  self->canceller_data = user_data;
  self->canceller_destroy = destroy;
}

/* ---------------------------------------------------------------------- */
/* State */

/**
 * braid_deferred_is_called:
 * @self: a deferred
 *
 * Tells whether @self has fired.
 *
 * Returns: %TRUE once @self was fired (or cancelled)
 */
gboolean
braid_deferred_is_called (BraidDeferred *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->called;
}

/**
 * braid_deferred_has_result:
 * @self: a deferred
 *
 * Tells whether @self holds a result now: it was fired, it is not paused,
 * and it is not waiting on another deferred. A callback added now would run
 * at once.
 *
 * Returns: %TRUE if @self has a result
 */
gboolean
braid_deferred_has_result (BraidDeferred *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return has_result (self);
}

/**
 * braid_deferred_get_created_at:
 * @self: a deferred
 *
 * Tells where in the source @self was made.
 *
 * Returns: where @self was made, as `"file.c:12"`
 */
const char *
braid_deferred_get_created_at (BraidDeferred *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->created_at;
}

/**
 * braid_deferred_get_fired_at:
 * @self: a deferred
 *
 * Tells where in the source @self was fired.
 *
 * Returns: (nullable): where @self was fired, or %NULL if it was not
 */
const char *
braid_deferred_get_fired_at (BraidDeferred *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->fired_at;
}

/* For deferred lists: fires @self with the contents of @from (value or
 * error, and the index), leaving @from a NULL value. */
gboolean
braid_deferred_fire_result_internal (BraidDeferred *self,
                                     BraidResult   *from,
                                     const char    *fired_at)
{
  if (!check_not_called (self, fired_at))
    {
      result_clear (from);
      return FALSE;
    }
  result_move (&self->result, from);
  start_callbacks (self, fired_at);
  return TRUE;
}
