#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

BraidDeferred *braid_defer_later_full (BraidClock     *clock,
                                       gdouble         delay,
                                       BraidCallback   func,
                                       gpointer        user_data,
                                       GDestroyNotify  destroy,
                                       const char     *created_at);

/**
 * braid_defer_later:
 * @clock: the clock that times the call
 * @delay: seconds from now, zero or more
 * @func: (nullable): the first callback of the deferred's chain
 * @user_data: (closure func): passed to @func
 * @destroy: (nullable): frees @user_data
 *
 * A deferred that fires @delay seconds from now; see
 * [func@Braid.defer_later_full]. Records where it was called from.
 *
 * Returns: (transfer full): the deferred
 */
#define braid_defer_later(clock, delay, func, user_data, destroy) \
  braid_defer_later_full ((clock), (delay), (func), (user_data), (destroy), G_STRLOC)

G_END_DECLS
