/* braid-maybe-deferred.h: always a deferred, whatever a function answers. */
#pragma once

#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

BraidDeferred *braid_maybe_deferred_full (BraidCallback   func,
                                          gpointer        user_data,
                                          GDestroyNotify  destroy,
                                          const char     *created_at);

/**
 * braid_maybe_deferred:
 * @func: (scope call): fills in the result: a value, an error, or a deferred
 * @user_data: passed to @func
 *
 * Calls @func now and always gives a deferred back; see
 * [func@Braid.maybe_deferred_full].
 *
 * Returns: (transfer full): a deferred with @func's answer
 */
#define braid_maybe_deferred(func, user_data) \
  braid_maybe_deferred_full ((func), (user_data), NULL, G_STRLOC)

G_END_DECLS
