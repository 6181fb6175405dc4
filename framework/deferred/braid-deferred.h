#pragma once

#include "braid-types.h"
#include "deferred/braid-result.h"

G_BEGIN_DECLS

#define BRAID_TYPE_DEFERRED (braid_deferred_get_type ())

/**
 * BraidCallback:
 * @result: the deferred's current result: a value or an error. Read it,
 *   change it, or leave it alone to pass it on unchanged
 * @user_data: the data given when the callback was added
 *
 * A link of a deferred's chain: a callback, an errback, or both.
 *
 * A callback does not return anything: it works on @result in place. Leave
 * it untouched to pass it on; replace it with braid_result_set_value(); turn
 * it into an error with braid_result_fail() or braid_result_take_error();
 * recover from an error with braid_result_set_value(); or hand it another
 * deferred with braid_result_chain() to pause the chain until that one fires.
 */
typedef void (*BraidCallback) (BraidResult *result,
                               gpointer     user_data);

/**
 * BraidCanceller:
 * @deferred: the deferred being cancelled
 * @user_data: the data given with the canceller
 *
 * Stops the work that would have fired @deferred (cancel a timer, close a
 * connection). It may fire @deferred itself; if it does not,
 * [method@Braid.Deferred.cancel] fails it with %G_IO_ERROR_CANCELLED.
 */
typedef void (*BraidCanceller) (BraidDeferred *deferred,
                                gpointer       user_data);

/* Reference counting */
GType          braid_deferred_get_type   (void) G_GNUC_CONST;
BraidDeferred *braid_deferred_ref        (BraidDeferred *self);
void           braid_deferred_unref      (BraidDeferred *self);

/* Making deferreds: these are macros so that each deferred remembers the
 * file and line that made it (see the _full functions). */
BraidDeferred *braid_deferred_new_full   (BraidCanceller  canceller,
                                          gpointer        user_data,
                                          GDestroyNotify  destroy,
                                          const char     *created_at);
BraidDeferred *braid_succeed_full        (gpointer        value,
                                          GDestroyNotify  destroy,
                                          const char     *created_at);
BraidDeferred *braid_fail_full           (GError         *error,
                                          const char     *created_at);

/**
 * braid_deferred_new:
 *
 * Makes a deferred that has no result yet; see
 * [ctor@Braid.Deferred.new_full].
 *
 * Returns: (transfer full): a new deferred
 */
#define braid_deferred_new() \
  braid_deferred_new_full (NULL, NULL, NULL, G_STRLOC)

/**
 * braid_deferred_new_with_canceller:
 * @canceller: stops the work when the deferred is cancelled
 * @user_data: passed to @canceller
 * @destroy: (nullable): frees @user_data once the deferred has fired
 *
 * Makes a deferred whose cancellation stops the work behind it; see
 * [ctor@Braid.Deferred.new_full].
 *
 * Returns: (transfer full): a new deferred
 */
#define braid_deferred_new_with_canceller(canceller, user_data, destroy) \
  braid_deferred_new_full ((canceller), (user_data), (destroy), G_STRLOC)

/**
 * braid_succeed:
 * @value: (nullable): the value
 * @destroy: (nullable): frees @value
 *
 * Makes a deferred that already has @value as its result: Twisted's
 * `succeed`. See [func@Braid.succeed_full].
 *
 * Returns: (transfer full): a fired deferred
 */
#define braid_succeed(value, destroy) \
  braid_succeed_full ((value), (destroy), G_STRLOC)

/**
 * braid_fail:
 * @error: (transfer full): the error
 *
 * Makes a deferred that already has @error as its result: Twisted's `fail`.
 * See [func@Braid.fail_full].
 *
 * Returns: (transfer full): a fired deferred
 */
#define braid_fail(error) \
  braid_fail_full ((error), G_STRLOC)

/* Firing */
gboolean braid_deferred_callback_full (BraidDeferred  *self,
                                       gpointer        value,
                                       GDestroyNotify  destroy,
                                       const char     *fired_at);
gboolean braid_deferred_errback_full  (BraidDeferred  *self,
                                       GError         *error,
                                       const char     *fired_at);

/**
 * braid_deferred_callback:
 * @self: a deferred
 * @value: (nullable): the value
 * @destroy: (nullable): frees @value when the chain is done with it
 *
 * Fires @self with a value; see [method@Braid.Deferred.callback_full].
 *
 * Returns: %TRUE if @self was fired, %FALSE if it had already been
 */
#define braid_deferred_callback(self, value, destroy) \
  braid_deferred_callback_full ((self), (value), (destroy), G_STRLOC)

/**
 * braid_deferred_errback:
 * @self: a deferred
 * @error: (transfer full): the error
 *
 * Fires @self with an error; see [method@Braid.Deferred.errback_full].
 *
 * Returns: %TRUE if @self was fired, %FALSE if it had already been
 */
#define braid_deferred_errback(self, error) \
  braid_deferred_errback_full ((self), (error), G_STRLOC)

/* The chain */
void braid_deferred_add_callbacks (BraidDeferred  *self,
                                   BraidCallback   callback,
                                   BraidCallback   errback,
                                   gpointer        user_data,
                                   GDestroyNotify  destroy);
void braid_deferred_add_callback  (BraidDeferred  *self,
                                   BraidCallback   callback,
                                   gpointer        user_data,
                                   GDestroyNotify  destroy);
void braid_deferred_add_errback   (BraidDeferred  *self,
                                   BraidCallback   errback,
                                   gpointer        user_data,
                                   GDestroyNotify  destroy);
void braid_deferred_add_both      (BraidDeferred  *self,
                                   BraidCallback   callback,
                                   gpointer        user_data,
                                   GDestroyNotify  destroy);

/* Flow control */
void     braid_deferred_pause       (BraidDeferred *self);
void     braid_deferred_unpause     (BraidDeferred *self);
void     braid_deferred_cancel      (BraidDeferred *self);
void     braid_deferred_set_canceller (BraidDeferred  *self,
                                       BraidCanceller  canceller,
                                       gpointer        user_data,
                                       GDestroyNotify  destroy);

/* State */
gboolean     braid_deferred_is_called       (BraidDeferred *self);
gboolean     braid_deferred_has_result      (BraidDeferred *self);
const char  *braid_deferred_get_created_at  (BraidDeferred *self);
const char  *braid_deferred_get_fired_at    (BraidDeferred *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidDeferred, braid_deferred_unref)

G_END_DECLS
