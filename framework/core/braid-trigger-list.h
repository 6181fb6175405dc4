#pragma once

#include "core/braid-reactor.h"

G_BEGIN_DECLS

/* The trigger list is the part of a reactor that keeps its system event
 * triggers. It is public so that every BraidReactor implementation -- the
 * real reactor in libbraid, the memory reactor in libbraid-fakes -- shares
 * one rule for when a trigger runs and what removing it means. */

typedef struct _BraidTriggerList BraidTriggerList;

BraidTriggerList *braid_trigger_list_new        (void);
void              braid_trigger_list_free       (BraidTriggerList  *list);
guint             braid_trigger_list_add        (BraidTriggerList  *list,
                                                 BraidTriggerPhase  phase,
                                                 const char        *event,
                                                 BraidCallFunc      func,
                                                 gpointer           user_data,
                                                 GDestroyNotify     destroy);
gboolean          braid_trigger_list_remove     (BraidTriggerList  *list,
                                                 guint              trigger_id);
void              braid_trigger_list_call_when_running (BraidTriggerList *list,
                                                        gboolean          running,
                                                        BraidCallFunc     func,
                                                        gpointer          user_data,
                                                        GDestroyNotify    destroy);
void              braid_trigger_list_fire       (BraidTriggerList  *list,
                                                 const char        *event,
                                                 BraidTriggerPhase  phase);
guint             braid_trigger_list_get_length (BraidTriggerList  *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidTriggerList, braid_trigger_list_free)

G_END_DECLS
