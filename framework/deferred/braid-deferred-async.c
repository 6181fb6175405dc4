/* braid-deferred-async.c: deferreds meet GLib's asynchronous model
 * (GAsyncReadyCallback, GAsyncResult, GTask) and threads. */
#include "config.h"

#include "deferred/braid-deferred-private.h"
#include "deferred/braid-deferred-async.h"

/* From GIO to a deferred ------------------------------------------------ */

typedef struct
{
  BraidDeferred *deferred;
  BraidAsyncFinishFunc finish;
  GDestroyNotify value_destroy;
} AsyncData;

/**
 * braid_deferred_async_data:
 * @deferred: the deferred to fire when the operation completes
 * @finish: (scope async): finishes the operation
 * @value_destroy: (nullable): frees the value @finish returns
 *
 * Bridges any GIO-style asynchronous call to a deferred: pass
 * braid_deferred_async_ready() as the call's callback and this as its
 * user data. When the operation completes, @finish is called and
 * @deferred fires with its value or its error.
 *
 * ```c
 * BraidDeferred *d = braid_deferred_new ();
 *
 * g_resolver_lookup_by_name_async (resolver, "example.org", NULL,
 *                                  braid_deferred_async_ready,
 *                                  braid_deferred_async_data (d, finish_lookup,
 *                                                             free_address_list));
 * braid_deferred_add_callback (d, connect_to_first_address, NULL, NULL);
 * ```
 *
 * The data holds a reference to @deferred until the operation completes.
 * If @deferred was cancelled meanwhile, the operation's result is freed
 * and dropped. (To stop the operation itself, give it a `GCancellable` and
 * make the deferred with a canceller that cancels it.)
 *
 * Returns: (transfer full): the user data for braid_deferred_async_ready(),
 *   freed by it
 */
gpointer
braid_deferred_async_data (BraidDeferred        *deferred,
                           BraidAsyncFinishFunc  finish,
                           GDestroyNotify        value_destroy)
{
  AsyncData *data;

  g_return_val_if_fail (deferred != NULL, NULL);
  g_return_val_if_fail (finish != NULL, NULL);

  data = g_new (AsyncData, 1);
  data->deferred = braid_deferred_ref (deferred);
  data->finish = finish;
  data->value_destroy = value_destroy;
  return data;
}

/**
 * braid_deferred_async_ready:
 * @source_object: (nullable): the object the operation ran on
 * @result: the operation's result
 * @async_data: (transfer full): made by braid_deferred_async_data()
 *
 * A `GAsyncReadyCallback` that finishes the operation and fires the
 * deferred given to braid_deferred_async_data().
 */
void
braid_deferred_async_ready (GObject      *source_object,
                            GAsyncResult *result,
                            gpointer      async_data)
{
  AsyncData *data = async_data;
  GError *error = NULL;
  gpointer value = data->finish (source_object, result, &error);

  if (braid_deferred_is_called (data->deferred))
    {
      /* Cancelled while the operation ran: nobody wants this result. */
      if (error != NULL)
        g_error_free (error);
      else if (data->value_destroy != NULL && value != NULL)
        data->value_destroy (value);
    }
  else if (error != NULL)
    braid_deferred_errback_full (data->deferred, error, G_STRLOC);
  else
    braid_deferred_callback_full (data->deferred, value, data->value_destroy, G_STRLOC);

  braid_deferred_unref (data->deferred);
  g_free (data);
}

/* From a deferred to GIO ------------------------------------------------ */

static void
return_to_task (BraidResult *result, gpointer data)
{
  GTask *task = data;

  if (result->error != NULL)
    g_task_return_error (task, braid_result_steal_error (result));
  else
    {
      GDestroyNotify destroy = result->destroy;

      g_task_return_pointer (task, braid_result_steal_value (result), destroy);
    }
}

/**
 * braid_deferred_as_async:
 * @self: a deferred
 * @source_object: (nullable) (type GObject): the object to report as the
 *   source of the operation
 * @cancellable: (nullable): checked when the result is delivered
 * @callback: (scope async): called with the result
 * @user_data: passed to @callback
 *
 * Shows @self as a GIO-style asynchronous operation, so code written for
 * GIO can wait for it: @callback receives a `GAsyncResult` to pass to
 * braid_deferred_as_async_finish().
 *
 * This adds a link at the end of @self's chain that hands its result over
 * (after it, @self's chain carries %NULL): the `GAsyncResult` is now
 * responsible for it. @callback runs in the thread-default main context of
 * the caller, from the main loop (as GTask always does).
 */
void
braid_deferred_as_async (BraidDeferred       *self,
                         gpointer             source_object,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (self != NULL);
  g_return_if_fail (source_object == NULL || G_IS_OBJECT (source_object));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, braid_deferred_as_async);
  braid_deferred_add_both (self, return_to_task, task, g_object_unref);
}

/**
 * braid_deferred_as_async_finish:
 * @result: the result given to the callback of braid_deferred_as_async()
 * @error: return location for the deferred's error
 *
 * Gets the outcome of a deferred seen through braid_deferred_as_async(), in
 * GIO's `_finish` style.
 *
 * Returns: (transfer full) (nullable): the deferred's value (free it as the
 *   deferred's chain would have), or %NULL with @error set
 */
gpointer
braid_deferred_as_async_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == braid_deferred_as_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Threads --------------------------------------------------------------- */

typedef struct
{
  BraidThreadFunc func;
  gpointer user_data;
  GDestroyNotify user_data_destroy;
  GDestroyNotify value_destroy;
  int published;   /* shows ThreadSanitizer the hand-over GTask's locks make */
} ThreadJob;

/* Runs in a worker thread: touches only the job's function and data. */
static void
thread_work (GTask *task, gpointer source_object, gpointer task_data,
             GCancellable *cancellable)
{
  ThreadJob *job = task_data;
  GError *error = NULL;
  gpointer value;

  (void) g_atomic_int_get (&job->published);
  value = job->func (job->user_data, &error);
  g_atomic_int_set (&job->published, 2);   /* done with the job: see thread_done */

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, job->value_destroy);
}

/* Runs in the calling thread's context. Everything that touches the
 * deferred or the caller's data happens here, never in the worker: the
 * worker may drop the task's last reference, so the task's own data holds
 * nothing but plain memory. */
static void
thread_done (GObject *source_object, GAsyncResult *result, gpointer data)
{
  ThreadJob *job = g_task_get_task_data (G_TASK (result));
  BraidDeferred *deferred = data;
  GError *error = NULL;
  gpointer value = g_task_propagate_pointer (G_TASK (result), &error);

  (void) g_atomic_int_get (&job->published);

  if (braid_deferred_is_called (deferred))
    {
      /* Cancelled while the work ran: nobody wants this result. */
      if (error != NULL)
        g_error_free (error);
      else if (job->value_destroy != NULL && value != NULL)
        job->value_destroy (value);
    }
  else if (error != NULL)
    braid_deferred_errback_full (deferred, error, G_STRLOC);
  else
    braid_deferred_callback_full (deferred, value, job->value_destroy, G_STRLOC);

  if (job->user_data_destroy != NULL)
    job->user_data_destroy (job->user_data);
  braid_deferred_unref (deferred);
}

/**
 * braid_defer_to_thread_full:
 * @func: (scope async): the work, run in a worker thread
 * @user_data: passed to @func
 * @user_data_destroy: (nullable): frees @user_data once the work is done,
 *   in the calling thread
 * @value_destroy: (nullable): frees the value @func returns
 * @created_at: where it is called (the braid_defer_to_thread() macro passes
 *   `G_STRLOC`)
 *
 * Runs a blocking function (a slow computation, a blocking library call)
 * in a worker thread, and returns a deferred that fires with its result
 * back in the thread that called: Twisted's `deferToThread`.
 *
 * The worker comes from GLib's pool of threads (a `GThreadPool`, through
 * `GTask`). The deferred fires from the thread-default `GMainContext` of
 * the caller (the one in use when braid_defer_to_thread() was called), so
 * that context's main loop must run — the reactor's does. Cancelling the
 * deferred cannot stop @func, which runs to the end; its result is then
 * freed and dropped.
 *
 * Returns: (transfer full): a deferred that fires in the calling thread
 */
BraidDeferred *
braid_defer_to_thread_full (BraidThreadFunc  func,
                            gpointer         user_data,
                            GDestroyNotify   user_data_destroy,
                            GDestroyNotify   value_destroy,
                            const char      *created_at)
{
  BraidDeferred *deferred;
  ThreadJob *job;
  GTask *task;

  g_return_val_if_fail (func != NULL, NULL);

  deferred = braid_deferred_new_full (NULL, NULL, NULL, created_at);
  job = g_new (ThreadJob, 1);
  job->func = func;
  job->user_data = user_data;
  job->user_data_destroy = user_data_destroy;
  job->value_destroy = value_destroy;
  g_atomic_int_set (&job->published, 1);

  task = g_task_new (NULL, NULL, thread_done, braid_deferred_ref (deferred));
  g_task_set_task_data (task, job, g_free);
  g_task_set_source_tag (task, braid_defer_to_thread_full);
  g_task_run_in_thread (task, thread_work);
  g_object_unref (task);
  return deferred;
}
