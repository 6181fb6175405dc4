/* braid-deferred.c: a result that arrives later, and the chain of callbacks
 * that processes it. */
#include "config.h"

#include "braid-error.h"
#include "deferred/braid-deferred-private.h"
#include "deferred/braid-deferred.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"

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

/**
 * BraidResult:
 *
 * The result a deferred's callbacks work on: a value (with the function that
 * frees it) or a `GError`. A callback receives the deferred's own result and
 * changes it in place; the result is only valid during the callback.
 * Results also stand alone, as the entries of a deferred list's value
 * (see braid_deferred_list_new()).
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

static inline void
result_clear (BraidResult *result)
{
  if (result->destroy != NULL)
    result->destroy (result->value);
  result->value = NULL;
  result->destroy = NULL;
  if (G_UNLIKELY (result->error != NULL))
    g_clear_error (&result->error);
  if (G_UNLIKELY (result->chained != NULL))
    braid_deferred_unref (g_steal_pointer (&result->chained));
  result->index = -1;
}

/* Moves @from's value or error into @to, leaving @from a NULL value. */
static void
result_move (BraidResult *to, BraidResult *from)
{
  result_clear (to);
  to->value = g_steal_pointer (&from->value);
  to->destroy = g_steal_pointer (&from->destroy);
  to->error = g_steal_pointer (&from->error);
  to->index = from->index;
  from->index = -1;
}

/* ---------------------------------------------------------------------- */
/* Unhandled errors */

typedef struct
{
  BraidUnhandledErrorFunc func;
  gpointer user_data;
} Observer;

static GMutex observers_lock;
static GArray *observers; /* of Observer */

/**
 * braid_deferred_add_unhandled_error_observer:
 * @func: (scope forever): told about each unhandled error
 * @user_data: (closure func): passed to @func
 *
 * Tells @func about every deferred dropped with an error that no errback
 * handled, in addition to the warning Braid logs.
 *
 * This is how `libbraid-fakes` makes the test-hygiene check fail a test that
 * leaves an unhandled error behind: `libbraid` cannot depend on the fakes,
 * so the fakes register an observer (when their library is loaded) that
 * passes each report to braid_hygiene_report_leftover(). A program can use it
 * to count or forward unhandled errors.
 */
void
braid_deferred_add_unhandled_error_observer (BraidUnhandledErrorFunc func,
                                             gpointer                user_data)
{
  Observer observer = { func, user_data };

  g_return_if_fail (func != NULL);

  g_mutex_lock (&observers_lock);
  if (observers == NULL)
    observers = g_array_new (FALSE, FALSE, sizeof (Observer));
  g_array_append_val (observers, observer);
  g_mutex_unlock (&observers_lock);
}

/**
 * braid_deferred_remove_unhandled_error_observer:
 * @func: (scope call): an observer added with braid_deferred_add_unhandled_error_observer()
 * @user_data: the data it was added with
 *
 * Stops telling @func about unhandled errors.
 */
void
braid_deferred_remove_unhandled_error_observer (BraidUnhandledErrorFunc func,
                                                gpointer                user_data)
{
  g_mutex_lock (&observers_lock);
  for (guint i = 0; observers != NULL && i < observers->len; i++)
    {
      Observer *observer = &g_array_index (observers, Observer, i);

      if (observer->func == func && observer->user_data == user_data)
        {
          g_array_remove_index (observers, i);
          break;
        }
    }
  g_mutex_unlock (&observers_lock);
}

static void
report_unhandled_error (BraidDeferred *self)
{
  const GError *error = self->result.error;
  g_autofree char *report =
    g_strdup_printf ("Unhandled error in BraidDeferred (created at %s, fired at %s): "
                     "%s (%s, %d)",
                     self->created_at, self->fired_at, error->message,
                     g_quark_to_string (error->domain), error->code);
  g_autoptr (GArray) to_tell = NULL;

  g_warning ("%s", report);

  /* Copy the observers so that one may add or remove observers. */
  g_mutex_lock (&observers_lock);
  if (observers != NULL && observers->len > 0)
    {
      to_tell = g_array_sized_new (FALSE, FALSE, sizeof (Observer), observers->len);
      g_array_append_vals (to_tell, observers->data, observers->len);
    }
  g_mutex_unlock (&observers_lock);

  for (guint i = 0; to_tell != NULL && i < to_tell->len; i++)
    {
      Observer *observer = &g_array_index (to_tell, Observer, i);

      observer->func (report, observer->user_data);
    }
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
    report_unhandled_error (self);

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

/* add_timeout: the timer, and the link that turns its cancellation into a
 * timeout. Shared by the delayed call and the deferred's chain. */
typedef struct
{
  BraidDeferred *deferred;   /* held until the timer fires or is cancelled */
  BraidDelayedCall *call;    /* held until freed */
  gboolean timed_out;
} Timeout;

static void
timeout_release (gpointer data)
{
  Timeout *timeout = data;

  g_clear_object (&timeout->call);
}

static void
timeout_timer_done (gpointer data)
{
  Timeout *timeout = data;

  g_clear_pointer (&timeout->deferred, braid_deferred_unref);
  g_rc_box_release_full (timeout, timeout_release);
}

static void
timeout_expired (gpointer data)
{
  Timeout *timeout = data;

  timeout->timed_out = TRUE;
  braid_deferred_cancel (timeout->deferred);
}

static void
timeout_settle (BraidResult *result, gpointer data)
{
  Timeout *timeout = data;

  if (timeout->timed_out)
    {
      if (braid_result_check (result, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        braid_result_fail (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "The deferred timed out");
    }
  else if (braid_delayed_call_active (timeout->call))
    braid_delayed_call_cancel (timeout->call, NULL);
}

static void
timeout_link_done (gpointer data)
{
  g_rc_box_release_full (data, timeout_release);
}

/**
 * braid_deferred_add_timeout:
 * @self: a deferred
 * @seconds: how long to wait, zero or more
 * @clock: the clock that measures it (the reactor, or a fake clock in tests)
 *
 * Cancels @self if it has not fired @seconds from now, and turns the
 * cancellation into %G_IO_ERROR_TIMED_OUT: Twisted's `addTimeout`.
 *
 * The timeout is a link of the chain, added now: links added before it see
 * %G_IO_ERROR_CANCELLED, links after it see %G_IO_ERROR_TIMED_OUT. If @self
 * fires first, the link cancels the timer, so nothing is left on @clock. If
 * both are due at the same instant, whichever the clock runs first wins:
 * the clock runs equal deadlines in the order they were scheduled.
 */
void
braid_deferred_add_timeout (BraidDeferred *self, gdouble seconds, BraidClock *clock)
{
  Timeout *timeout;

  g_return_if_fail (self != NULL);
  g_return_if_fail (BRAID_IS_CLOCK (clock));
  g_return_if_fail (seconds >= 0);

  if (self->called)
    return;   /* nothing left to time out */

  timeout = g_rc_box_new0 (Timeout);
  timeout->deferred = braid_deferred_ref (self);
  timeout->call = g_object_ref (braid_clock_call_later_full (clock, seconds, timeout_expired,
                                                             timeout, timeout_timer_done,
                                                             self->created_at));
  braid_deferred_add_both (self, timeout_settle, g_rc_box_acquire (timeout),
                           timeout_link_done);
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
 * braid_deferred_set_canceller (d, cancel_the_call, g_object_ref (call), g_object_unref);
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

/* ---------------------------------------------------------------------- */
/* Results */

/**
 * braid_result_new_value: (skip)
 * @value: (nullable) (transfer full): the value
 * @destroy: (nullable): frees @value
 *
 * Makes a stand-alone result holding a value (deferred lists use them for
 * their entries).
 *
 * Returns: (transfer full): the result; free it with braid_result_free()
 */
BraidResult *
braid_result_new_value (gpointer value, GDestroyNotify destroy)
{
  BraidResult *result = g_new0 (BraidResult, 1);

  result->value = value;
  result->destroy = destroy;
  result->index = -1;
  return result;
}

/**
 * braid_result_new_error: (skip)
 * @error: (transfer full): the error
 *
 * Makes a stand-alone result holding an error.
 *
 * Returns: (transfer full): the result; free it with braid_result_free()
 */
BraidResult *
braid_result_new_error (GError *error)
{
  BraidResult *result = g_new0 (BraidResult, 1);

  g_return_val_if_fail (error != NULL, result);

  result->error = error;
  result->index = -1;
  return result;
}

/**
 * braid_result_free:
 * @result: (nullable): a stand-alone result
 *
 * Frees a result made by braid_result_new_value() or
 * braid_result_new_error(), with its value or error. Never free the result
 * a callback receives: its deferred owns it.
 */
void
braid_result_free (BraidResult *result)
{
  if (result == NULL)
    return;
  g_return_if_fail (result->owner == NULL);

  result_clear (result);
  g_free (result);
}

/**
 * braid_result_is_error:
 * @result: a result
 *
 * Tells whether @result holds an error.
 *
 * Returns: %TRUE if @result holds an error, %FALSE if it holds a value
 */
gboolean
braid_result_is_error (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);

  return result->error != NULL;
}

/**
 * braid_result_get_value:
 * @result: a result
 *
 * Gets the value @result holds.
 *
 * Returns: (transfer none) (nullable): the value, still owned by @result;
 *   %NULL if @result is an error
 */
gpointer
braid_result_get_value (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->value;
}

/**
 * braid_result_get_error:
 * @result: a result
 *
 * Gets the error @result holds.
 *
 * Returns: (transfer none) (nullable): the error, still owned by @result;
 *   %NULL if @result is a value
 */
const GError *
braid_result_get_error (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->error;
}

/**
 * braid_result_get_index:
 * @result: a result
 *
 * Tells which member of a deferred list (or of braid_gather_results())
 * this result came from: the first error of braid_gather_results() or of a
 * list with %BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK, the first value of a
 * list with %BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK, or an entry of a
 * list's array. The index stays while the result is passed on unchanged,
 * and goes back to -1 when a callback replaces it.
 *
 * Returns: the member's position in the list, or -1
 */
gint
braid_result_get_index (const BraidResult *result)
{
  g_return_val_if_fail (result != NULL, -1);

  return result->index;
}

/**
 * braid_result_steal_value:
 * @result: a result holding a value
 *
 * Takes the value out of @result, which is left holding %NULL. You become
 * responsible for freeing the value (with the function it was given with).
 *
 * Returns: (transfer full) (nullable): the value
 */
gpointer
braid_result_steal_value (BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (result->error == NULL, NULL);

  result->destroy = NULL;
  return g_steal_pointer (&result->value);
}

/**
 * braid_result_steal_error:
 * @result: a result holding an error
 *
 * Takes the error out of @result, which is left holding a %NULL value: the
 * error is handled, and now yours to free.
 *
 * Returns: (transfer full): the error
 */
GError *
braid_result_steal_error (BraidResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (result->error != NULL, NULL);

  return g_steal_pointer (&result->error);
}

/**
 * braid_result_set_value:
 * @result: a result
 * @value: (nullable) (transfer full): the new value
 * @destroy: (nullable): frees @value
 *
 * Replaces the result with @value: what a callback does to transform the
 * value, and what an errback does to recover from an error. The old value
 * is freed; an old error is handled.
 */
void
braid_result_set_value (BraidResult *result, gpointer value, GDestroyNotify destroy)
{
  g_return_if_fail (result != NULL);

  result_clear (result);
  result->value = value;
  result->destroy = destroy;
}

/**
 * braid_result_take_error:
 * @result: a result
 * @error: (transfer full): the new error
 *
 * Replaces the result with @error: the chain switches to its errbacks.
 */
void
braid_result_take_error (BraidResult *result, GError *error)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (error != NULL);

  result_clear (result);
  result->error = error;
}

/**
 * braid_result_fail:
 * @result: a result
 * @domain: the error domain
 * @code: the error code
 * @format: printf()-style message
 * @...: the message's arguments
 *
 * Replaces the result with a new error, as g_set_error() makes it.
 */
void
braid_result_fail (BraidResult *result,
                   GQuark       domain,
                   gint         code,
                   const char  *format,
                   ...)
{
  va_list args;
  GError *error;

  g_return_if_fail (result != NULL);
  g_return_if_fail (format != NULL);

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  braid_result_take_error (result, error);
}

/**
 * braid_result_chain:
 * @result: the result a callback received
 * @inner: (transfer full): a deferred to wait for
 *
 * Makes the chain wait for @inner: when the callback returns, the chain
 * pauses until @inner fires, and @inner's result (value or error) becomes
 * this chain's result. If @inner has a result already, the chain takes it
 * at once. Either way @inner's own later callbacks see %NULL: the result
 * moved here.
 *
 * Takes your reference to @inner, so that
 * `braid_result_chain (result, fetch_user (name))` does not leak. The chain
 * does not keep @inner alive: whoever will fire it does.
 */
void
braid_result_chain (BraidResult *result, BraidDeferred *inner)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (result->owner != NULL);
  g_return_if_fail (inner != NULL);
  g_return_if_fail (inner != result->owner);

  result_clear (result);
  result->chained = inner;
}

/**
 * braid_result_check:
 * @result: a result
 * @domain: an error domain
 * @code: an error code
 *
 * Tells whether @result is the error @domain / @code (Twisted's
 * `failure.check`), without changing it.
 *
 * Returns: %TRUE if @result is that error
 */
gboolean
braid_result_check (const BraidResult *result, GQuark domain, gint code)
{
  g_return_val_if_fail (result != NULL, FALSE);

  return result->error != NULL && g_error_matches (result->error, domain, code);
}

/**
 * braid_result_trap:
 * @result: the result an errback received
 * @domain: the error domain the errback handles
 * @code: the error code the errback handles
 *
 * Handles one kind of error (Twisted's `failure.trap`): if @result is
 * @domain / @code, the error is cleared (the result becomes a %NULL value,
 * which the errback may replace) and %TRUE is returned. Any other error is
 * left as it is, so it goes on down the chain to the next errback:
 *
 * ```c
 * static void
 * use_cached_copy (BraidResult *result, gpointer cache)
 * {
 *   if (!braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
 *     return;   // not ours: let it through
 *   braid_result_set_value (result, g_strdup (cache), g_free);
 * }
 * ```
 *
 * Returns: %TRUE if the error was @domain / @code and is now handled
 */
gboolean
braid_result_trap (BraidResult *result, GQuark domain, gint code)
{
  g_return_val_if_fail (result != NULL, FALSE);

  if (!braid_result_check (result, domain, code))
    return FALSE;
  result_clear (result);
  return TRUE;
}

/* For deferred lists: where the result came from. */
void
braid_result_set_index_internal (BraidResult *result, gint index)
{
  result->index = index;
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
