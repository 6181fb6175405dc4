/* poetry.h: lesson 08's slow poetry service, the source of our deferreds. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* How long the service takes to answer, in seconds. */
#define POETRY_LOOKUP_DELAY 0.5
#define POETRY_FETCH_DELAY 2.0

BraidDeferred *poetry_fetch           (BraidClock *clock,
                                       const char *title);
BraidDeferred *poetry_lookup_title    (BraidClock *clock,
                                       const char *author);
BraidDeferred *poetry_fetch_by_author (BraidClock *clock,
                                       const char *author);
void           poetry_keep_first_line (BraidResult *result,
                                       gpointer     user_data);

G_END_DECLS
