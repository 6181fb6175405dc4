#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

#define BRAID_TYPE_LOOPING_CALL (braid_looping_call_get_type ())
G_DECLARE_FINAL_TYPE (BraidLoopingCall, braid_looping_call, BRAID, LOOPING_CALL, GObject)

/**
 * BraidLoopingFunc:
 * @call: the looping call
 * @intervals: how many intervals passed since the previous call (1 when
 *   on time, more when the clock jumped past missed ticks)
 * @user_data: the data given to [ctor@Braid.LoopingCall.new]
 * @error: set it, and return %FALSE, to stop the loop with that error
 *
 * The function a [class@Braid.LoopingCall] calls at every tick.
 *
 * Returns: %TRUE to go on; %FALSE (with @error set) to stop
 */
typedef gboolean (*BraidLoopingFunc) (BraidLoopingCall *call,
                                      guint64           intervals,
                                      gpointer          user_data,
                                      GError          **error);

/**
 * BraidLoopingStoppedFunc:
 * @call: the looping call
 * @error: (nullable): why it stopped: %NULL after
 *   [method@Braid.LoopingCall.stop], the function's error if it failed
 * @user_data: the data given with the function
 *
 * Called once each time a started [class@Braid.LoopingCall] stops.
 */
typedef void (*BraidLoopingStoppedFunc) (BraidLoopingCall *call,
                                         const GError     *error,
                                         gpointer          user_data);

BraidLoopingCall *braid_looping_call_new              (BraidClock              *clock,
                                                       BraidLoopingFunc         func,
                                                       gpointer                 user_data,
                                                       GDestroyNotify           destroy);
void              braid_looping_call_set_stopped_func (BraidLoopingCall        *self,
                                                       BraidLoopingStoppedFunc  func,
                                                       gpointer                 user_data,
                                                       GDestroyNotify           destroy);
void              braid_looping_call_start            (BraidLoopingCall        *self,
                                                       gdouble                  interval,
                                                       gboolean                 now);
void              braid_looping_call_stop             (BraidLoopingCall        *self);
void              braid_looping_call_reset            (BraidLoopingCall        *self);
void              braid_looping_call_wait_for         (BraidLoopingCall        *self,
                                                       BraidDeferred           *deferred);
void              braid_looping_call_set_interval     (BraidLoopingCall        *self,
                                                       gdouble                  interval);
BraidDeferred    *braid_looping_call_get_deferred     (BraidLoopingCall        *self);
gboolean          braid_looping_call_is_running       (BraidLoopingCall        *self);
gdouble           braid_looping_call_get_interval     (BraidLoopingCall        *self);
guint64           braid_looping_call_get_call_count   (BraidLoopingCall        *self);

G_END_DECLS
