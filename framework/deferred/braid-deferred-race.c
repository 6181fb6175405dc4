/* braid-deferred-race.c: the first of several deferreds to succeed. */
#include "config.h"

#include "deferred/braid-deferred-private.h"
#include "braid-error.h"
#include "deferred/braid-deferred-race.h"

/* Who owns what: as in braid-deferred-list.c. Each contestant gets one link
 * (a Slot) holding a reference to the race deferred and to the shared
 * state; the state points at the contestants without owning them, and a
 * slot clears its pointer when its contestant fires or is freed. */
typedef struct
{
  guint n_contestants;
  guint n_failed;
  gboolean won;
  BraidDeferred **contestants;   /* not owned; NULL once fired or freed */
  GError **errors;               /* each contestant's error, by position */
} RaceState;

typedef struct
{
  RaceState *state;              /* a reference */
  BraidDeferred *race;           /* a reference */
  guint index;
} Slot;

static void
race_state_clear (gpointer data)
{
  RaceState *state = data;

  for (guint i = 0; i < state->n_contestants; i++)
    g_clear_error (&state->errors[i]);
  g_free (state->errors);
  g_free (state->contestants);
}

static void
race_state_release (gpointer data)
{
  g_rc_box_release_full (data, race_state_clear);
}

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  slot->state->contestants[slot->index] = NULL;
  race_state_release (slot->state);
  braid_deferred_unref (slot->race);
  g_free (slot);
}

/* Cancels every contestant still running, except @spared (or none). */
static void
cancel_contestants (RaceState *state, BraidDeferred *spared)
{
  for (guint i = 0; i < state->n_contestants; i++)
    {
      BraidDeferred *contestant = state->contestants[i];

      if (contestant == NULL || contestant == spared)
        continue;
      braid_deferred_ref (contestant);
      braid_deferred_cancel (contestant);
      braid_deferred_unref (contestant);
    }
}

static void
cancel_race (BraidDeferred *race, gpointer data)
{
  cancel_contestants (data, NULL);
}

/* One error that names every contestant's error, in their order. */
static GError *
all_failed_error (RaceState *state)
{
  g_autoptr (GString) message = g_string_new (NULL);

  g_string_printf (message, "All %u deferreds of the race failed", state->n_contestants);
  for (guint i = 0; i < state->n_contestants; i++)
    {
      const GError *error = state->errors[i];

      g_string_append_printf (message, "%s [%u] %s (%s, %d)", i == 0 ? ":" : ";",
                              i, error->message, g_quark_to_string (error->domain),
                              error->code);
    }
  return g_error_new_literal (BRAID_ERROR, BRAID_ERROR_ALL_FAILED, message->str);
}

static void
contestant_succeeded (BraidResult *result, gpointer data)
{
  Slot *slot = data;
  RaceState *state = slot->state;
  g_autoptr (BraidResult) winner = NULL;

  if (state->won || braid_deferred_is_called (slot->race))
    {
      /* Too late (a canceller that answered with a value, or the race was
       * cancelled): the value is not wanted, as in Twisted. */
      braid_result_set_value (result, NULL, NULL);
      return;
    }

  state->won = TRUE;
  winner = braid_result_new_value (result->value, result->destroy);
  result->value = NULL;
  result->destroy = NULL;
  braid_result_set_index_internal (winner, slot->index);

  /* The others' results can no longer go anywhere: stop their work. The
   * winner is spared, since its caller may still use it. */
  cancel_contestants (state, state->contestants[slot->index]);
  braid_deferred_fire_result_internal (slot->race, winner, slot->race->created_at);
}

static void
contestant_failed (BraidResult *result, gpointer data)
{
  Slot *slot = data;
  RaceState *state = slot->state;

  /* The race handles every contestant's error: the contestant carries on
   * with a NULL value, as Twisted's race leaves it None. */
  state->errors[slot->index] = braid_result_steal_error (result);
  state->n_failed++;
  if (state->n_failed == state->n_contestants && !braid_deferred_is_called (slot->race))
    braid_deferred_errback_full (slot->race, all_failed_error (state),
                                 slot->race->created_at);
}

/**
 * braid_deferred_race_full:
 * @deferreds: (array length=n_deferreds) (transfer none): the contestants
 * @n_deferreds: how many
 * @created_at: where the race is made (the braid_deferred_race() macro
 *   passes `G_STRLOC`)
 *
 * Makes a deferred that fires with the first value any of @deferreds gets,
 * and cancels the others: Twisted's `race`. For "whichever server answers
 * first", or an operation raced against a timer.
 *
 * - The first contestant to succeed wins: the race fires with its value,
 *   and braid_result_get_index() says which contestant it was (Twisted
 *   fires with an `(index, value)` pair). The race takes the value: the
 *   winner's own later callbacks see %NULL. Every other contestant still
 *   running is cancelled; the winner is not.
 * - If every contestant fails, the race fails with %BRAID_ERROR_ALL_FAILED.
 *   Twisted raises a `FailureGroup` holding every failure; a `GError` holds
 *   one domain, code and message, so the message lists each contestant's
 *   error, in order, as `[index] message (domain, code)`.
 * - The race handles its contestants' errors: each contestant carries on
 *   with a %NULL value, and no error is reported twice.
 * - Cancelling the race cancels every contestant. Each then fails with
 *   %G_IO_ERROR_CANCELLED (unless its canceller answered otherwise), so
 *   the race fails with %BRAID_ERROR_ALL_FAILED listing those errors, as
 *   Twisted's does.
 *
 * A race of no contestants fails at once with %BRAID_ERROR_ALL_FAILED
 * (every one of none failed). Twisted's never fires, which only ever hangs
 * its caller.
 *
 * The race does not keep its contestants alive; it lives as long as one may
 * still fire it.
 *
 * Returns: (transfer full): the race, a deferred
 */
BraidDeferred *
braid_deferred_race_full (BraidDeferred * const *deferreds,
                          guint                  n_deferreds,
                          const char            *created_at)
{
  RaceState *state;
  BraidDeferred *race;

  g_return_val_if_fail (deferreds != NULL || n_deferreds == 0, NULL);

  state = g_rc_box_new0 (RaceState);
  state->n_contestants = n_deferreds;
  state->contestants = g_new0 (BraidDeferred *, MAX (n_deferreds, 1));
  state->errors = g_new0 (GError *, MAX (n_deferreds, 1));
  for (guint i = 0; i < n_deferreds; i++)
    state->contestants[i] = deferreds[i];

  /* The race's canceller holds the state; so does this function while it
   * adds the links (a contestant that had a value fires the race at once,
   * which drops its canceller). */
  race = braid_deferred_new_full (cancel_race, g_rc_box_acquire (state), race_state_release,
                                  created_at);

  if (n_deferreds == 0)
    braid_deferred_errback_full (race, all_failed_error (state), created_at);

  /* Every contestant gets its link, even once the race is won (a
   * contestant that had a value already wins at once, and cancels the rest
   * before they have links): the link handles the error they are left with. */
  for (guint i = 0; i < n_deferreds; i++)
    {
      Slot *slot = g_new (Slot, 1);

      slot->state = g_rc_box_acquire (state);
      slot->race = braid_deferred_ref (race);
      slot->index = i;
      braid_deferred_add_callbacks (deferreds[i], contestant_succeeded, contestant_failed,
                                    slot, slot_free);
    }
  race_state_release (state);
  return race;
}
