#pragma once

#include "braid-types.h"
#include "app/braid-service.h"
#include "time/braid-looping-call.h"

G_BEGIN_DECLS

#define BRAID_TYPE_TIMER_SERVICE (braid_timer_service_get_type ())
G_DECLARE_FINAL_TYPE (BraidTimerService, braid_timer_service, BRAID, TIMER_SERVICE, BraidService)

BraidTimerService *braid_timer_service_new              (BraidClock        *clock,
                                                         gdouble            interval,
                                                         BraidLoopingFunc   func,
                                                         gpointer           user_data,
                                                         GDestroyNotify     destroy);
BraidLoopingCall  *braid_timer_service_get_looping_call (BraidTimerService *self);

G_END_DECLS
