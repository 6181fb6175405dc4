/* braid-deferred-timeout.h: cancelling a deferred that takes too long. */
#pragma once

#include "deferred/braid-deferred.h"
#include "time/braid-clock.h"

G_BEGIN_DECLS

void braid_deferred_add_timeout (BraidDeferred *self,
                                 gdouble        seconds,
                                 BraidClock    *clock);
void braid_deferred_add_timeout_full (BraidDeferred  *self,
                                      gdouble         seconds,
                                      BraidClock     *clock,
                                      BraidCallback   on_timeout_cancel,
                                      gpointer        user_data,
                                      GDestroyNotify  destroy);

G_END_DECLS
