/* fallback.h: lesson 08's exercise, a fetch that always has a poem. */
#pragma once

#include "../poetry.h"

G_BEGIN_DECLS

/* What poetry_fetch_or_fallback() gives when the real poem cannot be had. */
#define POETRY_FALLBACK_POEM \
  "Roses are red,\nViolets are blue,\nThe server was slow,\nSo this one will do.\n"

BraidDeferred *poetry_fetch_or_fallback (BraidClock *clock,
                                         const char *title,
                                         gdouble     timeout);

G_END_DECLS
