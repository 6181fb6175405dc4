#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/* A reference-counted boxed type, not a GObject (like GSource): programs
 * make millions of calls. Keep one with braid_delayed_call_ref(), never
 * g_object_ref(). */
#define BRAID_TYPE_DELAYED_CALL (braid_delayed_call_get_type ())

GType             braid_delayed_call_get_type    (void) G_GNUC_CONST;
BraidDelayedCall *braid_delayed_call_ref         (BraidDelayedCall *self);
void              braid_delayed_call_unref       (BraidDelayedCall *self);

gboolean    braid_delayed_call_cancel      (BraidDelayedCall *self,
                                            GError          **error);
gboolean    braid_delayed_call_reset       (BraidDelayedCall *self,
                                            gdouble           seconds_from_now,
                                            GError          **error);
gboolean    braid_delayed_call_delay       (BraidDelayedCall *self,
                                            gdouble           seconds_later,
                                            GError          **error);
gdouble     braid_delayed_call_get_time    (BraidDelayedCall *self);
gboolean    braid_delayed_call_active      (BraidDelayedCall *self);
gboolean    braid_delayed_call_called      (BraidDelayedCall *self);
gboolean    braid_delayed_call_cancelled   (BraidDelayedCall *self);
const char *braid_delayed_call_get_creator (BraidDelayedCall *self);

/* For clock implementations, with [struct@Braid.TimerQueue]. */
void        braid_delayed_call_run              (BraidDelayedCall *call);
gdouble     braid_delayed_call_get_scheduled_at (BraidDelayedCall *call);
guint64     braid_delayed_call_get_sequence     (BraidDelayedCall *call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidDelayedCall, braid_delayed_call_unref)

G_END_DECLS
