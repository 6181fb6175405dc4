/* braid-deferred-list.c: waiting for several deferreds at once. */
#include "config.h"

#include "deferred/braid-deferred-private.h"
#include "deferred/braid-deferred-list.h"

/* Who owns what.
 *
 * Each member gets one link (a Slot), which holds a reference to the list
 * deferred (so the list lives while a member may still fire it) and to the
 * shared state. The list's canceller holds the state too. The state points
 * at the members without owning them: the link a member holds clears its
 * pointer when the member fires or is freed. So nothing forms a cycle, and a
 * list whose members are all dropped unfired is freed with them. */
typedef struct
{
  BraidDeferredListFlags flags;
  guint n_members;
  guint n_fired;
  BraidDeferred **members;   /* not owned; NULL once fired or freed */
  GPtrArray *results;        /* of BraidResult*, NULL where not fired yet */
} ListState;

typedef struct
{
  ListState *state;          /* a reference */
  BraidDeferred *list;       /* a reference */
  guint index;
} Slot;

static void
list_state_clear (gpointer data)
{
  ListState *state = data;

  g_free (state->members);
  g_clear_pointer (&state->results, g_ptr_array_unref);
}

static void
list_state_release (gpointer data)
{
  g_rc_box_release_full (data, list_state_clear);
}

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  slot->state->members[slot->index] = NULL;
  list_state_release (slot->state);
  braid_deferred_unref (slot->list);
  g_free (slot);
}

/* How the list holds its own reference to a member's value: the member's
 * destroy function paired with the function that takes one more reference
 * (or makes a copy) of the same kind. */
typedef struct
{
  GDestroyNotify release;
  gpointer (*acquire) (gpointer value);
} ValueKind;

static gpointer
copy_error (gpointer error)
{
  return g_error_copy (error);
}

static const ValueKind shareable_kinds[] = {
  { g_object_unref, g_object_ref },
  { (GDestroyNotify) g_bytes_unref, (gpointer (*) (gpointer)) g_bytes_ref },
  { (GDestroyNotify) g_variant_unref, (gpointer (*) (gpointer)) g_variant_ref },
  { (GDestroyNotify) g_ptr_array_unref, (gpointer (*) (gpointer)) g_ptr_array_ref },
  { (GDestroyNotify) g_array_unref, (gpointer (*) (gpointer)) g_array_ref },
  { (GDestroyNotify) g_byte_array_unref, (gpointer (*) (gpointer)) g_byte_array_ref },
  { (GDestroyNotify) g_hash_table_unref, (gpointer (*) (gpointer)) g_hash_table_ref },
  { (GDestroyNotify) g_ref_string_release, (gpointer (*) (gpointer)) g_ref_string_acquire },
  { (GDestroyNotify) braid_deferred_unref, (gpointer (*) (gpointer)) braid_deferred_ref },
  { (GDestroyNotify) g_error_free, copy_error },
};

/* The list's own copy of a member's value, as Twisted's DeferredList keeps
 * a reference to the result and passes it on unchanged. A value nobody
 * frees is shared as is; a reference-counted value gets one more
 * reference. A value freed some other way (g_free()) cannot be shared
 * safely: the list takes it, and the member goes on with NULL. */
static BraidResult *
share_member_value (BraidResult *result)
{
  BraidResult *entry;

  if (result->destroy == NULL)
    return braid_result_new_value (result->value, NULL);
  if (result->value != NULL)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (shareable_kinds); i++)
        if (shareable_kinds[i].release == result->destroy)
          return braid_result_new_value (shareable_kinds[i].acquire (result->value),
                                         result->destroy);
    }
  entry = braid_result_new_value (result->value, result->destroy);
  result->value = NULL;
  result->destroy = NULL;
  return entry;
}

/* Shares the member's value, or takes (or copies) its error, into a
 * stand-alone result that remembers the member's index. */
static BraidResult *
take_member_result (BraidResult *result, ListState *state, guint index)
{
  BraidResult *entry;

  if (result->error == NULL)
    entry = share_member_value (result);
  else if (state->flags & BRAID_DEFERRED_LIST_CONSUME_ERRORS)
    entry = braid_result_new_error (braid_result_steal_error (result));
  else
    entry = braid_result_new_error (g_error_copy (result->error));
  braid_result_set_index_internal (entry, index);
  return entry;
}

static void
fire_with_all_results (BraidDeferred *list, ListState *state)
{
  GPtrArray *results = g_steal_pointer (&state->results);

  braid_deferred_callback_full (list, results, (GDestroyNotify) g_ptr_array_unref,
                                list->created_at);
}

static void
member_fired (BraidResult *result, gpointer data)
{
  Slot *slot = data;
  ListState *state = slot->state;
  gboolean is_error = result->error != NULL;
  g_autoptr (BraidResult) entry = NULL;

  if (braid_deferred_is_called (slot->list))
    {
      /* The list fired already (on one result, or it was cancelled): it
       * wants nothing more, but it still consumes errors if asked to. */
      if (is_error && (state->flags & BRAID_DEFERRED_LIST_CONSUME_ERRORS))
        braid_result_set_value (result, NULL, NULL);
      return;
    }

  entry = take_member_result (result, state, slot->index);
  state->n_fired++;

  if ((!is_error && (state->flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK))
      || (is_error && (state->flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK)))
    {
      braid_deferred_fire_result_internal (slot->list, entry, slot->list->created_at);
      return;
    }

  g_ptr_array_index (state->results, slot->index) = g_steal_pointer (&entry);
  if (state->n_fired == state->n_members)
    fire_with_all_results (slot->list, state);
}

static void
cancel_members (BraidDeferred *list, gpointer data)
{
  ListState *state = data;

  for (guint i = 0; i < state->n_members; i++)
    {
      BraidDeferred *member = state->members[i];

      if (member == NULL)
        continue;
      braid_deferred_ref (member);
      braid_deferred_cancel (member);
      braid_deferred_unref (member);
    }
}

/**
 * braid_deferred_list_new_full:
 * @deferreds: (array length=n_deferreds) (transfer none): the members
 * @n_deferreds: how many members
 * @flags: when the list fires, and whether it consumes errors
 * @created_at: where the list is made (the braid_deferred_list_new() macro
 *   passes `G_STRLOC`)
 *
 * Makes a deferred that waits for several others: Twisted's `DeferredList`.
 *
 * With %BRAID_DEFERRED_LIST_FIRE_ON_ALL (the default) the list fires once
 * every member has fired. Its value is a `GPtrArray` of @n_deferreds
 * [struct@Braid.Result]s, in the members' order, each a value or an error
 * (braid_result_is_error(); braid_result_get_index() gives its position).
 * An empty list fires at once with an empty array, unless it waits for one
 * value (%BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK): then it never fires,
 * as in Twisted.
 *
 * With %BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK, the list fires with the
 * first value a member gets (braid_result_get_index() says which member);
 * if every member fails, it fires with the array as above. With
 * %BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK, it fails with the first error a
 * member gets, keeping the error's domain and code so that errbacks can trap
 * it; braid_result_get_index() says which member failed.
 *
 * A member's value passes through unchanged, as in Twisted: its own later
 * callbacks see the same value, and the list holds its own reference to
 * it. That works for values nobody frees (@destroy %NULL) and for
 * reference-counted ones, recognised by their destroy function: a
 * `GObject` (g_object_unref()), `GBytes`, `GVariant`, `GPtrArray`,
 * `GArray`, `GByteArray`, `GHashTable`, a `g_ref_string`, a
 * [struct@Braid.Deferred], or a `GError` (copied). A value freed any other
 * way (a g_strdup() freed with g_free(), say) has one owner only, which C
 * cannot share: the list takes it and the member's later callbacks see
 * %NULL. Pass such a value as a `GBytes` or a `g_ref_string` to keep it on
 * both sides.
 *
 * A member's error is copied, and stays the member's to handle, unless
 * %BRAID_DEFERRED_LIST_CONSUME_ERRORS is given: then the list takes it
 * (even after the list has fired) and the member carries on with a %NULL
 * value.
 *
 * Cancelling the list cancels every member that has not fired. The list
 * does not keep its members alive; it lives as long as a member may still
 * fire it.
 *
 * Returns: (transfer full): the list, itself a deferred
 */
BraidDeferred *
braid_deferred_list_new_full (BraidDeferred * const *deferreds,
                              guint                  n_deferreds,
                              BraidDeferredListFlags flags,
                              const char            *created_at)
{
  ListState *state;
  BraidDeferred *list;

  g_return_val_if_fail (deferreds != NULL || n_deferreds == 0, NULL);

  state = g_rc_box_new0 (ListState);
  state->flags = flags;
  state->n_members = n_deferreds;
  state->members = g_new (BraidDeferred *, MAX (n_deferreds, 1));
  state->results = g_ptr_array_new_full (n_deferreds, (GDestroyNotify) braid_result_free);
  g_ptr_array_set_size (state->results, n_deferreds);
  for (guint i = 0; i < n_deferreds; i++)
    state->members[i] = deferreds[i];

  list = braid_deferred_new_full (cancel_members, state, list_state_release, created_at);

  if (n_deferreds == 0)
    {
      /* As in Twisted, an empty list waiting for one value never fires. */
      if (!(flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK))
        fire_with_all_results (list, state);
      return list;
    }

  /* A member that has fired already runs member_fired() at once, which
   * may fire the list, and firing the list drops its canceller's reference
   * to the state: hold one of our own until every member is linked. */
  g_rc_box_acquire (state);
  for (guint i = 0; i < n_deferreds; i++)
    {
      Slot *slot = g_new (Slot, 1);

      slot->state = g_rc_box_acquire (state);
      slot->list = braid_deferred_ref (list);
      slot->index = i;
      braid_deferred_add_both (deferreds[i], member_fired, slot, slot_free);
    }
  list_state_release (state);
  return list;
}

/**
 * braid_gather_results_full:
 * @deferreds: (array length=n_deferreds) (transfer none): the members
 * @n_deferreds: how many members
 * @created_at: where it is made (the braid_gather_results() macro passes
 *   `G_STRLOC`)
 *
 * Gathers the values of several deferreds: Twisted's `gatherResults`.
 *
 * The deferred returned fires once every member has a value, with a
 * `GPtrArray` of their results (each a value: read it with
 * `braid_result_get_value (g_ptr_array_index (results, i))`), in the
 * members' order. As soon as one member fails, it fails with that error
 * instead (braid_result_get_index() gives the member's position). It
 * consumes the members' errors (%BRAID_DEFERRED_LIST_CONSUME_ERRORS), so
 * the first error is reported once, by this deferred, and later ones are
 * dropped. An empty list fires at once with an empty array.
 *
 * Returns: (transfer full): a deferred
 */
BraidDeferred *
braid_gather_results_full (BraidDeferred * const *deferreds,
                           guint                  n_deferreds,
                           const char            *created_at)
{
  return braid_deferred_list_new_full (deferreds, n_deferreds,
                                       BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK
                                       | BRAID_DEFERRED_LIST_CONSUME_ERRORS,
                                       created_at);
}
