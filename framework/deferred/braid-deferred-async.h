#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

/**
 * BraidAsyncFinishFunc:
 * @source_object: (nullable): the object the operation ran on
 * @result: the operation's result
 * @error: return location for its error
 *
 * Finishes a GIO-style asynchronous operation: usually one line calling
 * the operation's own `_finish` function.
 *
 * ```c
 * static gpointer
 * finish_lookup (GObject *source, GAsyncResult *result, GError **error)
 * {
 *   return g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, error);
 * }
 * ```
 *
 * Returns: (transfer full) (nullable): the value; %NULL with @error set for
 *   an error (%NULL without an error is a %NULL value)
 */
typedef gpointer (*BraidAsyncFinishFunc) (GObject       *source_object,
                                          GAsyncResult  *result,
                                          GError       **error);

/**
 * BraidThreadFunc:
 * @user_data: the data given to braid_defer_to_thread()
 * @error: return location for an error
 *
 * Work to do in another thread. It must not touch deferreds or anything
 * else the main thread uses without a lock.
 *
 * Returns: (transfer full) (nullable): the value; %NULL with @error set for
 *   an error
 */
typedef gpointer (*BraidThreadFunc) (gpointer   user_data,
                                     GError   **error);

gpointer       braid_deferred_async_data      (BraidDeferred        *deferred,
                                               BraidAsyncFinishFunc  finish,
                                               GDestroyNotify        value_destroy);
void           braid_deferred_async_ready     (GObject              *source_object,
                                               GAsyncResult         *result,
                                               gpointer              async_data);

void           braid_deferred_as_async        (BraidDeferred        *self,
                                               gpointer              source_object,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gpointer       braid_deferred_as_async_finish (GAsyncResult         *result,
                                               GError              **error);

BraidDeferred *braid_defer_to_thread_full     (BraidThreadFunc       func,
                                               gpointer              user_data,
                                               GDestroyNotify        user_data_destroy,
                                               GDestroyNotify        value_destroy,
                                               const char           *created_at);

/**
 * braid_defer_to_thread:
 * @func: the work
 * @user_data: passed to @func
 * @user_data_destroy: (nullable): frees @user_data afterwards, in the calling thread
 * @value_destroy: (nullable): frees the value @func returns
 *
 * Runs @func in a worker thread; see [func@Braid.defer_to_thread_full].
 *
 * Returns: (transfer full): a deferred that fires in the calling thread
 */
#define braid_defer_to_thread(func, user_data, user_data_destroy, value_destroy) \
  braid_defer_to_thread_full ((func), (user_data), (user_data_destroy), (value_destroy), G_STRLOC)

G_END_DECLS
