/* braid-threads.c: a reactor's thread pool (Twisted's callInThread,
 * suggestThreadPoolSize and deferToThread).
 *
 * One GThreadPool per reactor, made on first use, kept on the reactor
 * object itself so that every reactor gets it without code of its own; it
 * is stopped and joined by a `during shutdown` trigger (as Twisted's
 * _stopThreadPool), or when the reactor goes away without having run. A
 * reactor may run work its own way instead (the memory reactor runs it at
 * once, in the caller's thread) by implementing `call_in_thread`. */
#include "config.h"

#include "deferred/braid-deferred.h"
#include "core/braid-reactor.h"
#include "core/braid-threads.h"

typedef struct
{
  BraidReactor *reactor;      /* not owned: the state lives as long as it */
  GThreadPool *pool;          /* NULL until first used, and after shutdown */
  guint size;
  guint trigger_id;           /* the `during shutdown` trigger, 0 when none */
} ThreadState;

/* `published` is stored (atomically) once the call is filled in and loaded
 * before the worker reads it: GLib's pool orders the two with its own
 * locks, which ThreadSanitizer cannot see; the atomics show it. */
typedef struct
{
  BraidCallFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  int published;
} ThreadCall;

static GQuark
thread_state_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("braid-reactor-thread-pool");
  return quark;
}

/* Stops the pool: the work already queued runs, then the workers are
 * joined. Called in the reactor's thread. */
static void
stop_pool (ThreadState *state)
{
  GThreadPool *pool = g_steal_pointer (&state->pool);

  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE);
}

static void
stop_pool_at_shutdown (gpointer data)
{
  ThreadState *state = data;

  state->trigger_id = 0;
  stop_pool (state);
}

/* The reactor is being disposed (its triggers are gone already). */
static void
reactor_gone (gpointer data, GObject *where_the_reactor_was)
{
  ThreadState *state = data;

  stop_pool (state);
  g_free (state);
}

static ThreadState *
get_state (BraidReactor *self)
{
  ThreadState *state = g_object_get_qdata (G_OBJECT (self), thread_state_quark ());

  if (state == NULL)
    {
      state = g_new0 (ThreadState, 1);
      state->reactor = self;
      state->size = BRAID_DEFAULT_THREAD_POOL_SIZE;
      g_object_set_qdata (G_OBJECT (self), thread_state_quark (), state);
      g_object_weak_ref (G_OBJECT (self), reactor_gone, state);
    }
  return state;
}

static void
run_call (gpointer data, gpointer pool_data)
{
  ThreadCall *call = data;

  (void) g_atomic_int_get (&call->published);
  call->func (call->user_data);
  if (call->destroy != NULL)
    call->destroy (call->user_data);
  g_free (call);
}

static GThreadPool *
get_pool (ThreadState *state)
{
  if (state->pool == NULL)
    {
      /* Not exclusive: the threads are GLib's shared ones, and at most
       * `size` of them run this pool's work at a time. */
      state->pool = g_thread_pool_new (run_call, state, (int) state->size, FALSE, NULL);
      if (state->trigger_id == 0)
        state->trigger_id = braid_reactor_add_system_event_trigger (state->reactor,
                                                                   BRAID_TRIGGER_DURING,
                                                                   "shutdown",
                                                                   stop_pool_at_shutdown,
                                                                   state, NULL);
    }
  return state->pool;
}

/**
 * braid_reactor_call_in_thread:
 * @self: a reactor
 * @func: (scope notified) (closure user_data) (destroy destroy): the work
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data after @func, in the worker thread
 *
 * Runs @func in a worker thread of @self's pool: Twisted's
 * `callInThread`. At most [method@Braid.Reactor.get_thread_pool_size]
 * functions run at once; the rest wait in order. @func must not touch the
 * reactor, transports, protocols or deferreds: to hand a result back, it
 * calls [method@Braid.Reactor.call_from_thread], the one reactor call that
 * is safe from any thread (or use [method@Braid.Reactor.defer_to_thread_full],
 * which does that for you).
 *
 * Call this from the reactor's thread. The pool is made on first use and
 * stopped during the reactor's shutdown: the work already queued runs to
 * the end and the workers are joined before the `after shutdown`
 * triggers. Work queued after the shutdown starts a new pool, joined when
 * the reactor is dropped.
 *
 * The memory reactor of libbraid-fakes runs @func at once, in the caller's
 * thread (see [class@Braid.MemoryReactor]).
 */
void
braid_reactor_call_in_thread (BraidReactor   *self,
                              BraidCallFunc   func,
                              gpointer        user_data,
                              GDestroyNotify  destroy)
{
  BraidReactorInterface *iface;
  ThreadCall *call;

  g_return_if_fail (BRAID_IS_REACTOR (self));
  g_return_if_fail (func != NULL);
  iface = BRAID_REACTOR_GET_IFACE (self);
  if (iface->call_in_thread != NULL)
    {
      iface->call_in_thread (self, func, user_data, destroy);
      return;
    }
  call = g_new (ThreadCall, 1);
  call->func = func;
  call->user_data = user_data;
  call->destroy = destroy;
  g_atomic_int_set (&call->published, 1);
  g_thread_pool_push (get_pool (get_state (self)), call, NULL);
}

/**
 * braid_reactor_suggest_thread_pool_size:
 * @self: a reactor
 * @size: the most worker threads to run at once (at least 1)
 *
 * Sets how many functions [method@Braid.Reactor.call_in_thread] runs at
 * once: Twisted's `suggestThreadPoolSize`. Call it before the first
 * [method@Braid.Reactor.call_in_thread] for an exact bound. A pool that
 * exists already grows at once; it shrinks as its idle workers leave it
 * (GLib's pool lets a worker that is waiting for work take the next one),
 * where Twisted stops the extra workers at once. Work already running is
 * never interrupted. The default is %BRAID_DEFAULT_THREAD_POOL_SIZE.
 */
void
braid_reactor_suggest_thread_pool_size (BraidReactor *self, guint size)
{
  ThreadState *state;

  g_return_if_fail (BRAID_IS_REACTOR (self));
  g_return_if_fail (size >= 1 && size <= G_MAXINT);
  state = get_state (self);
  state->size = size;
  if (state->pool != NULL)
    g_thread_pool_set_max_threads (state->pool, (int) size, NULL);
}

/**
 * braid_reactor_get_thread_pool_size:
 * @self: a reactor
 *
 * Gets the size set by [method@Braid.Reactor.suggest_thread_pool_size].
 *
 * Returns: the most worker threads @self's pool runs at once
 */
guint
braid_reactor_get_thread_pool_size (BraidReactor *self)
{
  ThreadState *state;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), 0);
  state = g_object_get_qdata (G_OBJECT (self), thread_state_quark ());
  return state != NULL ? state->size : BRAID_DEFAULT_THREAD_POOL_SIZE;
}

/* defer_to_thread ---------------------------------------------------------- */

typedef struct
{
  BraidReactor *reactor;      /* not owned: the pool is joined before it goes */
  BraidThreadFunc func;
  gpointer user_data;
  GDestroyNotify user_data_destroy;
  GDestroyNotify value_destroy;
  BraidDeferred *deferred;    /* touched only in the reactor's thread */
  gpointer value;
  GError *error;
} DeferJob;

/* Runs in the reactor's thread, after deliver_result or instead of it. */
static void
defer_job_free (gpointer data)
{
  DeferJob *job = data;

  if (job->value != NULL && job->value_destroy != NULL)
    job->value_destroy (job->value);
  g_clear_error (&job->error);
  if (job->user_data_destroy != NULL)
    job->user_data_destroy (job->user_data);
  braid_deferred_unref (job->deferred);
  g_free (job);
}

/* Runs in the reactor's thread. */
static void
deliver_result (gpointer data)
{
  DeferJob *job = data;

  /* Cancelled while the work ran: nobody wants the result, which
   * defer_job_free frees. */
  if (braid_deferred_is_called (job->deferred))
    return;
  if (job->error != NULL)
    braid_deferred_errback_full (job->deferred, g_steal_pointer (&job->error), G_STRLOC);
  else
    braid_deferred_callback_full (job->deferred, g_steal_pointer (&job->value),
                                  job->value_destroy, G_STRLOC);
}

/* Runs in a worker thread: touches only the job's function and data. */
static void
run_job (gpointer data)
{
  DeferJob *job = data;

  job->value = job->func (job->user_data, &job->error);
  braid_reactor_call_from_thread (job->reactor, deliver_result, job, defer_job_free);
}

/**
 * braid_reactor_defer_to_thread_full:
 * @self: a reactor
 * @func: (scope async): the work, run in a worker thread of @self's pool
 * @user_data: passed to @func
 * @user_data_destroy: (nullable): frees @user_data once the result is
 *   delivered, in the reactor's thread
 * @value_destroy: (nullable): frees the value @func returns
 * @created_at: where it is called (the braid_reactor_defer_to_thread()
 *   macro passes `G_STRLOC`)
 *
 * Runs a blocking function on @self's thread pool (see
 * [method@Braid.Reactor.call_in_thread]) and returns a deferred that fires
 * with its value or its error in the reactor's thread, through
 * [method@Braid.Reactor.call_from_thread]: Twisted's `deferToThread`,
 * which uses the reactor's pool.
 *
 * [func@Braid.defer_to_thread_full] (no reactor) still works: it runs on GLib's
 * own pool and fires from the caller's thread-default main context. Use
 * this one in a program with a reactor, so that the work counts against
 * the size set with [method@Braid.Reactor.suggest_thread_pool_size] and is
 * joined at shutdown. Cancelling the deferred cannot stop @func, which
 * runs to the end; its result is then freed and dropped.
 *
 * Returns: (transfer full): a deferred that fires in the reactor's thread
 */
BraidDeferred *
braid_reactor_defer_to_thread_full (BraidReactor    *self,
                                    BraidThreadFunc  func,
                                    gpointer         user_data,
                                    GDestroyNotify   user_data_destroy,
                                    GDestroyNotify   value_destroy,
                                    const char      *created_at)
{
  DeferJob *job;
  BraidDeferred *deferred;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  deferred = braid_deferred_new_full (NULL, NULL, NULL, created_at);
  job = g_new0 (DeferJob, 1);
  job->reactor = self;
  job->func = func;
  job->user_data = user_data;
  job->user_data_destroy = user_data_destroy;
  job->value_destroy = value_destroy;
  job->deferred = braid_deferred_ref (deferred);
  braid_reactor_call_in_thread (self, run_job, job, NULL);
  return deferred;
}
