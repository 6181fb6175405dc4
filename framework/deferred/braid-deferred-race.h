/* braid-deferred-race.h: the first of several deferreds to succeed. */
#pragma once

#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

BraidDeferred *braid_deferred_race_full (BraidDeferred * const *deferreds,
                                         guint                  n_deferreds,
                                         const char            *created_at);

/**
 * braid_deferred_race:
 * @deferreds: (array length=n_deferreds): the contestants
 * @n_deferreds: how many
 *
 * The first of several deferreds to succeed; see
 * braid_deferred_race_full().
 *
 * Returns: (transfer full): a deferred
 */
#define braid_deferred_race(deferreds, n_deferreds) \
  braid_deferred_race_full ((deferreds), (n_deferreds), G_STRLOC)

G_END_DECLS
