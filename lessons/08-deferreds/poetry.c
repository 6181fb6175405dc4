/* poetry.c: a slow poetry service.
 *
 * It knows a few poems and answers after a while, the way a server on the
 * other side of the network would: every function returns a BraidDeferred
 * at once and fires it later, from the clock. In the program the clock is
 * the reactor; in the tests it is a BraidFakeClock, so "later" takes no
 * time at all. */
#include <string.h>

#include "poetry.h"

typedef struct
{
  const char *title;
  const char *author;
  const char *text;
  gdouble extra_delay;   /* some poems are long, and slow to send */
} Poem;

static const Poem poems[] = {
  { "ozymandias", "Shelley",
    "I met a traveller from an antique land,\n"
    "Who said: Two vast and trunkless legs of stone\n"
    "Stand in the desert...\n", 0 },
  { "the-tyger", "Blake",
    "Tyger Tyger, burning bright,\n"
    "In the forests of the night;\n", 0 },
  { "the-waste-land", "Eliot",
    "April is the cruellest month, breeding\n"
    "Lilacs out of the dead land, mixing\n", 8 },
};

static const Poem *
find_poem (const char *key, gboolean by_author)
{
  for (gsize i = 0; i < G_N_ELEMENTS (poems); i++)
    if (g_strcmp0 (by_author ? poems[i].author : poems[i].title, key) == 0)
      return &poems[i];
  return NULL;
}

/* A delivery: the deferred we promised, and what to fire it with when the
 * clock says it is time. The delayed call owns it. */
typedef struct
{
  BraidDeferred *deferred;
  BraidDelayedCall *call;
  char *value;          /* NULL: fail with not_found instead */
  char *not_found;
} Delivery;

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  braid_deferred_unref (delivery->deferred);
  g_free (delivery->value);
  g_free (delivery->not_found);
  g_free (delivery);
}

static void
deliver (gpointer data)
{
  Delivery *delivery = data;

  if (delivery->value != NULL)
    braid_deferred_callback (delivery->deferred, g_steal_pointer (&delivery->value), g_free);
  else
    braid_deferred_errback (delivery->deferred,
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                 delivery->not_found));
}

/* The canceller: whoever cancels the deferred no longer wants the answer,
 * so the timer that would deliver it is cancelled too (which frees the
 * delivery). braid_deferred_cancel() then fails the deferred with
 * G_IO_ERROR_CANCELLED. */
static void
cancel_delivery (BraidDeferred *deferred, gpointer data)
{
  Delivery *delivery = data;

  braid_delayed_call_cancel (delivery->call, NULL);
}

/* Promises an answer @delay seconds from now: @value, or, if it is NULL,
 * a G_IO_ERROR_NOT_FOUND error saying @not_found. */
static BraidDeferred *
answer_later (BraidClock *clock, gdouble delay, char *value, char *not_found)
{
  Delivery *delivery = g_new0 (Delivery, 1);
  BraidDeferred *deferred = braid_deferred_new_with_canceller (cancel_delivery, delivery, NULL);

  delivery->deferred = braid_deferred_ref (deferred);
  delivery->value = value;
  delivery->not_found = not_found;
  delivery->call = braid_clock_call_later (clock, delay, deliver, delivery, delivery_free);
  return deferred;
}

/* Fetches the poem called @title: fires with its text (a string, freed by
 * the deferred) POETRY_FETCH_DELAY seconds from now, or fails with
 * G_IO_ERROR_NOT_FOUND; long poems take longer. An empty title fails at
 * once with G_IO_ERROR_INVALID_ARGUMENT. */
BraidDeferred *
poetry_fetch (BraidClock *clock, const char *title)
{
  const Poem *poem;

  if (title == NULL || *title == '\0')
    return braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                            "a poem needs a title"));

  poem = find_poem (title, FALSE);
  if (poem == NULL)
    return answer_later (clock, POETRY_FETCH_DELAY, NULL,
                         g_strdup_printf ("no poem called \"%s\"", title));
  return answer_later (clock, POETRY_FETCH_DELAY + poem->extra_delay,
                       g_strdup (poem->text), NULL);
}

/* Looks up the title of @author's best-known poem: fires with it
 * POETRY_LOOKUP_DELAY seconds from now, or fails with G_IO_ERROR_NOT_FOUND. */
BraidDeferred *
poetry_lookup_title (BraidClock *clock, const char *author)
{
  const Poem *poem = find_poem (author, TRUE);

  if (poem == NULL)
    return answer_later (clock, POETRY_LOOKUP_DELAY, NULL,
                         g_strdup_printf ("no poet called \"%s\"", author));
  return answer_later (clock, POETRY_LOOKUP_DELAY, g_strdup (poem->title), NULL);
}

/* The link that chains: it receives a title and hands the chain the
 * deferred of its fetch. The chain waits for that deferred, and carries on
 * with its result: the poem, or the fetch's error. */
static void
fetch_title (BraidResult *result, gpointer clock)
{
  const char *title = braid_result_get_value (result);

  braid_result_chain (result, poetry_fetch (clock, title));
}

/* Fetches the best-known poem of @author: a lookup, then a fetch. The
 * caller gets one deferred for both steps. */
BraidDeferred *
poetry_fetch_by_author (BraidClock *clock, const char *author)
{
  BraidDeferred *deferred = poetry_lookup_title (clock, author);

  braid_deferred_add_callback (deferred, fetch_title, g_object_ref (clock), g_object_unref);
  return deferred;
}

/* A callback that replaces a poem by its first line. */
void
poetry_keep_first_line (BraidResult *result, gpointer user_data)
{
  const char *poem = braid_result_get_value (result);
  const char *end = strchr (poem, '\n');

  braid_result_set_value (result, g_strndup (poem, end ? (gsize) (end - poem) : strlen (poem)),
                          g_free);
}
