#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

/**
 * BraidDeferredListFlags:
 * @BRAID_DEFERRED_LIST_FIRE_ON_ALL: fire once every member has fired (the
 *   default)
 * @BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK: fire with the first value any
 *   member gets
 * @BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK: fail with the first error any
 *   member gets
 * @BRAID_DEFERRED_LIST_CONSUME_ERRORS: take the members' errors, so that
 *   they are handled by the list and not reported by each member
 *
 * How a deferred list waits for its members; see braid_deferred_list_new().
 */
typedef enum
{
  BRAID_DEFERRED_LIST_FIRE_ON_ALL = 0,
  BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK = 1 << 0,
  BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK = 1 << 1,
  BRAID_DEFERRED_LIST_CONSUME_ERRORS = 1 << 2,
} BraidDeferredListFlags;

BraidDeferred *braid_deferred_list_new_full   (BraidDeferred * const *deferreds,
                                               guint                  n_deferreds,
                                               BraidDeferredListFlags flags,
                                               const char            *created_at);
BraidDeferred *braid_gather_results_full      (BraidDeferred * const *deferreds,
                                               guint                  n_deferreds,
                                               const char            *created_at);

/**
 * braid_deferred_list_new:
 * @deferreds: (array length=n_deferreds): the members
 * @n_deferreds: how many
 * @flags: when to fire
 *
 * Waits for several deferreds; see [ctor@Braid.Deferred.list_new_full].
 *
 * Returns: (transfer full): the list, a deferred
 */
#define braid_deferred_list_new(deferreds, n_deferreds, flags) \
  braid_deferred_list_new_full ((deferreds), (n_deferreds), (flags), G_STRLOC)

/**
 * braid_gather_results:
 * @deferreds: (array length=n_deferreds): the members
 * @n_deferreds: how many
 *
 * Gathers the values of several deferreds, or their first error; see
 * [func@Braid.gather_results_full].
 *
 * Returns: (transfer full): a deferred
 */
#define braid_gather_results(deferreds, n_deferreds) \
  braid_gather_results_full ((deferreds), (n_deferreds), G_STRLOC)

G_END_DECLS
