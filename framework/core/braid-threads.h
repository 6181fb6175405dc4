#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred-async.h"

G_BEGIN_DECLS

/**
 * BRAID_DEFAULT_THREAD_POOL_SIZE:
 *
 * How many worker threads a reactor's pool runs at most when
 * [method@Braid.Reactor.suggest_thread_pool_size] was not called: 10, as
 * Twisted's reactor thread pool.
 */
#define BRAID_DEFAULT_THREAD_POOL_SIZE 10

void           braid_reactor_call_in_thread           (BraidReactor    *self,
                                                       BraidCallFunc    func,
                                                       gpointer         user_data,
                                                       GDestroyNotify   destroy);
void           braid_reactor_suggest_thread_pool_size (BraidReactor    *self,
                                                       guint            size);
guint          braid_reactor_get_thread_pool_size     (BraidReactor    *self);
BraidDeferred *braid_reactor_defer_to_thread_full     (BraidReactor    *self,
                                                       BraidThreadFunc  func,
                                                       gpointer         user_data,
                                                       GDestroyNotify   user_data_destroy,
                                                       GDestroyNotify   value_destroy,
                                                       const char      *created_at);

/**
 * braid_reactor_defer_to_thread:
 * @reactor: a reactor
 * @func: the work
 * @user_data: passed to @func
 * @user_data_destroy: (nullable): frees @user_data afterwards, in the
 *   reactor's thread
 * @value_destroy: (nullable): frees the value @func returns
 *
 * Runs @func on @reactor's thread pool; see
 * [method@Braid.Reactor.defer_to_thread_full].
 *
 * Returns: (transfer full): a deferred that fires in the reactor's thread
 */
#define braid_reactor_defer_to_thread(reactor, func, user_data, user_data_destroy, value_destroy) \
  braid_reactor_defer_to_thread_full ((reactor), (func), (user_data), (user_data_destroy), \
                                      (value_destroy), G_STRLOC)

G_END_DECLS
