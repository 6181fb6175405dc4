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

gboolean braid_deferred_fire_result_internal (BraidDeferred *self,
                                              BraidResult   *from,
                                              const char    *fired_at);
void braid_result_set_index_internal (BraidResult *result,
                                      gint         index);

G_END_DECLS
