/* braid-deferred-private.h: the insides of a deferred, for libbraid only. */
#pragma once

#include <string.h>

#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

struct _BraidResult
{
  gpointer value;
  GDestroyNotify destroy;
  GError *error;
  BraidDeferred *chained;   /* set by braid_result_chain(), taken by the trampoline */
  BraidDeferred *owner;     /* the deferred this result is part of; NULL if stand-alone */
  gint index;               /* which member of a list it came from, or -1 */
};

/* One link of a chain. Links are stored by value in an array (the first few
 * inside the deferred itself), so adding a callback allocates nothing in
 * the common case. */
typedef struct
{
  BraidCallback callback;
  BraidCallback errback;
  gpointer user_data;
  GDestroyNotify destroy;
} Link;

struct _BraidDeferred
{
  BraidResult result;
  guint ref_count;
  guint paused;             /* braid_deferred_pause() count, +1 while waiting */
  gboolean called;          /* fired (or cancelled) */
  gboolean running;         /* a link of this deferred is running now */
  gboolean suppress_already_called;

  Link *links;              /* inline_links, or a heap array when it grew */
  guint n_links;
  guint next_link;          /* links before it have run */
  guint links_size;
  Link inline_links[4];

  BraidDeferred *waiting_on;   /* the inner deferred we wait for; not owned */
  BraidDeferred *chain_next;   /* the trampoline's stack, or the dying list */

  BraidCanceller canceller;
  gpointer canceller_data;
  GDestroyNotify canceller_destroy;

  const char *created_at;
  const char *fired_at;
};

/* Empties @result: frees its value, error or chained deferred. Inline: it is
 * on every link's path. */
static inline void
result_clear (BraidResult *result)
{
  if (result->destroy != NULL)
    result->destroy (result->value);
  result->value = NULL;
  result->destroy = NULL;
  if (G_UNLIKELY (result->error != NULL))
    g_clear_error (&result->error);
  if (G_UNLIKELY (result->chained != NULL))
    braid_deferred_unref (g_steal_pointer (&result->chained));
  result->index = -1;
}

/* Moves @from's value or error into @to, leaving @from a NULL value. */
static inline void
result_move (BraidResult *to, BraidResult *from)
{
  result_clear (to);
  to->value = g_steal_pointer (&from->value);
  to->destroy = g_steal_pointer (&from->destroy);
  to->error = g_steal_pointer (&from->error);
  to->index = from->index;
  from->index = -1;
}

void braid_deferred_report_unhandled_error_internal (BraidDeferred *self);

gboolean braid_deferred_fire_result_internal (BraidDeferred *self,
                                              BraidResult   *from,
                                              const char    *fired_at);
void braid_result_set_index_internal (BraidResult *result,
                                      gint         index);

G_END_DECLS
