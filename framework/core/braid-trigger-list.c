/* braid-trigger-list.c: system event triggers, shared by every reactor.
 *
 * The rules are Twisted's (_ThreePhaseEvent in twisted/internet/base.py):
 * the triggers of one phase of one event run in the order they were added;
 * each runs once and is then forgotten, so removing it afterwards is an
 * error; a trigger may add or remove triggers while its phase fires, and a
 * trigger added to the phase being fired runs in the same firing.
 */
#include "config.h"

#include "core/braid-trigger-list.h"

typedef struct
{
  guint id;
  BraidTriggerPhase phase;
  const char *event;        /* interned, so events compare by pointer */
  BraidCallFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} Trigger;

/**
 * BraidTriggerList:
 *
 * The system event triggers of a reactor, waiting for their event: what
 * [method@Braid.Reactor.add_system_event_trigger] adds to and
 * [method@Braid.Reactor.remove_system_event_trigger] removes from. A reactor
 * fires each phase of an event with [method@Braid.TriggerList.fire].
 *
 * Only reactor implementations need it.
 */
struct _BraidTriggerList
{
  GPtrArray *triggers;      /* of Trigger*, in the order they were added */
  guint next_id;
};

static void
trigger_free (gpointer data)
{
  Trigger *trigger = data;

  if (trigger->destroy != NULL)
    trigger->destroy (trigger->user_data);
  g_free (trigger);
}

/**
 * braid_trigger_list_new: (skip)
 *
 * Creates an empty list.
 *
 * Returns: (transfer full): a new list, freed with [method@Braid.TriggerList.free]
 */
BraidTriggerList *
braid_trigger_list_new (void)
{
  BraidTriggerList *list = g_new0 (BraidTriggerList, 1);

  list->triggers = g_ptr_array_new_with_free_func (trigger_free);
  return list;
}

/**
 * braid_trigger_list_free: (skip)
 * @list: (transfer full): a list
 *
 * Frees the list. The triggers still waiting do not run; their destroy
 * notifies do.
 */
void
braid_trigger_list_free (BraidTriggerList *list)
{
  if (list == NULL)
    return;
  g_ptr_array_unref (list->triggers);
  g_free (list);
}

/**
 * braid_trigger_list_add: (skip)
 * @list: a list
 * @phase: when the trigger runs, relative to @event
 * @event: the event, such as `"startup"` or `"shutdown"`
 * @func: what to call
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the trigger ran or was removed
 *
 * Adds a trigger that runs once, when @phase of @event fires.
 *
 * Returns: the trigger's id, never 0, for [method@Braid.TriggerList.remove]
 */
guint
braid_trigger_list_add (BraidTriggerList  *list,
                        BraidTriggerPhase  phase,
                        const char        *event,
                        BraidCallFunc      func,
                        gpointer           user_data,
                        GDestroyNotify     destroy)
{
  Trigger *trigger = g_new0 (Trigger, 1);

  trigger->id = ++list->next_id;
  trigger->phase = phase;
  trigger->event = g_intern_string (event);
  trigger->func = func;
  trigger->user_data = user_data;
  trigger->destroy = destroy;
  g_ptr_array_add (list->triggers, trigger);
  return trigger->id;
}

/**
 * braid_trigger_list_remove: (skip)
 * @list: a list
 * @trigger_id: an id from [method@Braid.TriggerList.add]
 *
 * Removes a trigger that has not run yet; its destroy notify runs.
 *
 * Returns: %FALSE if no waiting trigger has that id (it was removed, or it
 *   already ran): the caller reports the mistake
 */
gboolean
braid_trigger_list_remove (BraidTriggerList *list, guint trigger_id)
{
  for (guint i = 0; i < list->triggers->len; i++)
    if (((Trigger *) g_ptr_array_index (list->triggers, i))->id == trigger_id)
      {
        g_ptr_array_remove_index (list->triggers, i);
        return TRUE;
      }
  return FALSE;
}

/**
 * braid_trigger_list_call_when_running: (skip)
 * @list: a list
 * @running: whether the reactor runs now
 * @func: what to call
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data after the call
 *
 * What [method@Braid.Reactor.call_when_running] does, for every reactor:
 * as in Twisted, @func runs now if the reactor runs, else it becomes an
 * `after startup` trigger, in order with the other ones.
 */
void
braid_trigger_list_call_when_running (BraidTriggerList *list,
                                      gboolean          running,
                                      BraidCallFunc     func,
                                      gpointer          user_data,
                                      GDestroyNotify    destroy)
{
  if (!running)
    {
      braid_trigger_list_add (list, BRAID_TRIGGER_AFTER, "startup", func, user_data, destroy);
      return;
    }
  func (user_data);
  if (destroy != NULL)
    destroy (user_data);
}

/* The first waiting trigger of @phase of @event, taken out of the list. */
static Trigger *
steal_next (BraidTriggerList *list, const char *event, BraidTriggerPhase phase)
{
  for (guint i = 0; i < list->triggers->len; i++)
    {
      Trigger *candidate = g_ptr_array_index (list->triggers, i);

      if (candidate->event == event && candidate->phase == phase)
        return g_ptr_array_steal_index (list->triggers, i);
    }
  return NULL;
}

/**
 * braid_trigger_list_fire: (skip)
 * @list: a list
 * @event: the event that happens
 * @phase: which of its phases
 *
 * Runs the triggers of @phase of @event, in the order they were added, and
 * forgets each once it ran. A trigger may add or remove triggers: the list
 * is searched again after each one, so a trigger added to this phase runs
 * now, and one removed before its turn never runs.
 */
void
braid_trigger_list_fire (BraidTriggerList  *list,
                         const char        *event,
                         BraidTriggerPhase  phase)
{
  const char *interned = g_intern_string (event);
  Trigger *trigger;

  while ((trigger = steal_next (list, interned, phase)) != NULL)
    {
      trigger->func (trigger->user_data);
      trigger_free (trigger);
    }
}

/**
 * braid_trigger_list_get_length: (skip)
 * @list: a list
 *
 * Counts the triggers still waiting for their event.
 *
 * Returns: how many triggers have neither run nor been removed
 */
guint
braid_trigger_list_get_length (BraidTriggerList *list)
{
  return list->triggers->len;
}
