/* braid-timer-service.c: a service that calls a function at an interval
 * while it runs -- Twisted's `TimerService`. */
#include "config.h"

#include "deferred/braid-result.h"
#include "time/braid-clock.h"
#include "time/braid-looping-call.h"
#include "app/braid-app-private.h"
#include "app/braid-service.h"
#include "app/braid-timer-service.h"

/**
 * BraidTimerService:
 *
 * A [class@Braid.Service] that calls a function every interval while it
 * runs, through a [class@Braid.LoopingCall]: Twisted's `TimerService`. As
 * in Twisted, the first call is made when the service starts; a function
 * that fails stops the loop, and the failure is logged naming the service.
 * Stopping stops the loop at once (a Braid looping function is
 * synchronous, so there is no call in flight to wait for).
 */
struct _BraidTimerService
{
  BraidService parent_instance;

  BraidLoopingCall *call;
  gdouble interval;
};

G_DEFINE_FINAL_TYPE (BraidTimerService, braid_timer_service, BRAID_TYPE_SERVICE)

static void
braid_timer_service_start_service (BraidService *service)
{
  BraidTimerService *self = BRAID_TIMER_SERVICE (service);

  BRAID_SERVICE_CLASS (braid_timer_service_parent_class)->start_service (service);
  if (!braid_looping_call_is_running (self->call))
    braid_looping_call_start (self->call, self->interval, TRUE);
}

static BraidDeferred *
braid_timer_service_stop_service (BraidService *service)
{
  BraidTimerService *self = BRAID_TIMER_SERVICE (service);

  BRAID_SERVICE_CLASS (braid_timer_service_parent_class)->stop_service (service);
  if (braid_looping_call_is_running (self->call))
    braid_looping_call_stop (self->call);
  return NULL;
}

static void
loop_stopped (BraidLoopingCall *call, const GError *error, gpointer user_data)
{
  if (error != NULL)
    g_warning ("Timer service '%s' stopped calling its function: %s",
               braid_service_get_display_name (user_data), error->message);
}

static void
braid_timer_service_dispose (GObject *object)
{
  BraidTimerService *self = BRAID_TIMER_SERVICE (object);

  if (braid_looping_call_is_running (self->call))
    braid_looping_call_stop (self->call);
  G_OBJECT_CLASS (braid_timer_service_parent_class)->dispose (object);
}

static void
braid_timer_service_finalize (GObject *object)
{
  g_object_unref (BRAID_TIMER_SERVICE (object)->call);   /* made in _new() */
  G_OBJECT_CLASS (braid_timer_service_parent_class)->finalize (object);
}

static void
braid_timer_service_class_init (BraidTimerServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_timer_service_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_timer_service_finalize;
  BRAID_SERVICE_CLASS (klass)->start_service = braid_timer_service_start_service;
  BRAID_SERVICE_CLASS (klass)->stop_service = braid_timer_service_stop_service;
}

static void
braid_timer_service_init (BraidTimerService *self)
{
}

/**
 * braid_timer_service_new:
 * @clock: the clock to count time on (the reactor, or a fake clock)
 * @interval: seconds between calls, more than zero
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   function; returning %FALSE with an error stops the loop
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data with the service
 *
 * Creates a service that calls @func every @interval seconds while it
 * runs, the first time as it starts.
 *
 * Returns: (transfer full): the new service
 */
BraidTimerService *
braid_timer_service_new (BraidClock       *clock,
                         gdouble           interval,
                         BraidLoopingFunc  func,
                         gpointer          user_data,
                         GDestroyNotify    destroy)
{
  BraidTimerService *self;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (interval > 0, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (BRAID_TYPE_TIMER_SERVICE, NULL);
  self->interval = interval;
  self->call = braid_looping_call_new (clock, func, user_data, destroy);
  /* The stopped function must not keep the service alive: the service
   * owns the call and drops it in dispose. */
  braid_looping_call_set_stopped_func (self->call, loop_stopped, self, NULL);
  return self;
}

/**
 * braid_timer_service_get_looping_call:
 * @self: a timer service
 *
 * Gets the looping call that runs the timer service's function.
 *
 * Returns: (transfer none): the looping call behind the service
 */
BraidLoopingCall *
braid_timer_service_get_looping_call (BraidTimerService *self)
{
  g_return_val_if_fail (BRAID_IS_TIMER_SERVICE (self), NULL);
  return self->call;
}
