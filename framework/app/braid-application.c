/* braid-application.c: a tree of services tied to a reactor's life --
 * Twisted's `startApplication`. */
#include "config.h"

#include "deferred/braid-deferred.h"
#include "deferred/braid-result.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "core/braid-reactor.h"
#include "reactor/braid-glib-reactor.h"
#include "app/braid-application.h"
#include "app/braid-multi-service.h"
#include "app/braid-service.h"

/**
 * BraidApplication:
 *
 * A tree of services started when the reactor runs and stopped, in
 * order, when it shuts down: what Twisted's `app.startApplication` sets up
 * for `twistd`.
 *
 * Add services to [method@Braid.Application.get_root], then call
 * [method@Braid.Application.start] before running the reactor. It makes
 * the services' privileged start at once (a server binds its port there,
 * so a port in use is an error the program reports before it runs), and
 * starts them once the reactor runs.
 *
 * The shutdown is ordered. A stop of the reactor -- SIGTERM or SIGINT, as
 * the real reactor handles them, or [method@Braid.Reactor.stop] -- runs the
 * `before shutdown` triggers; one of them stops the root service, which
 * stops its children in reverse order; the reactor waits until every
 * service has finished stopping (the deferreds of
 * [method@Braid.Service.stop_service] have fired) and only then closes the
 * connections left and returns from [method@Braid.Reactor.run].
 *
 * A stop that never finishes is cut off after the shutdown timeout
 * (%BRAID_APPLICATION_DEFAULT_SHUTDOWN_TIMEOUT unless set), with a
 * warning that names the services still stopping; the shutdown then
 * carries on without them.
 *
 * The wait uses [method@Braid.GLibReactor.hold_shutdown], which only the
 * real reactor has: on [class@Braid.MemoryReactor], whose stop returns at
 * once, the services are stopped and the timeout runs on its fake clock,
 * but the stop does not wait for them.
 */
struct _BraidApplication
{
  GObject parent_instance;

  BraidReactor *reactor;
  BraidMultiService *root;
  gdouble shutdown_timeout;
  gboolean started;
  guint shutdown_trigger;
  BraidDeferred *stopping;          /* the root's stop, while waiting for it */
  BraidDelayedCall *cutoff;         /* the shutdown timeout, while waiting (the clock owns it) */
  gboolean holding;                 /* holds the GLib reactor's shutdown */
};

G_DEFINE_FINAL_TYPE (BraidApplication, braid_application, G_TYPE_OBJECT)

static void
release_shutdown (BraidApplication *self)
{
  if (self->cutoff != NULL)
    braid_delayed_call_cancel (self->cutoff, NULL);
  self->cutoff = NULL;
  g_clear_pointer (&self->stopping, braid_deferred_unref);
  if (self->holding)
    {
      self->holding = FALSE;
      braid_glib_reactor_release_shutdown (BRAID_GLIB_REACTOR (self->reactor));
    }
}

static void
services_stopped (BraidResult *result, gpointer user_data)
{
  g_autoptr (BraidApplication) self = g_weak_ref_get (user_data);

  /* (The root's stop never fails: a multi-service logs its children's
   * failures.) The application may be gone if it was dropped meanwhile. */
  if (self != NULL)
    release_shutdown (self);
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
shutdown_timed_out (gpointer user_data)
{
  BraidApplication *self = user_data;
  g_autoptr (GPtrArray) names = braid_multi_service_list_stopping (self->root);
  g_autoptr (GString) list = g_string_new (NULL);

  self->cutoff = NULL;
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (list, "%s'%s'", i > 0 ? ", " : "", (char *) g_ptr_array_index (names, i));
  g_warning ("Shutdown: service %s did not stop within %g s; shutting down without waiting for it",
             list->str, self->shutdown_timeout);
  release_shutdown (self);
}

static void
stop_services (gpointer user_data)
{
  BraidApplication *self = user_data;
  BraidDeferred *stopped;

  self->shutdown_trigger = 0;
  stopped = braid_service_stop_service (BRAID_SERVICE (self->root));
  if (braid_deferred_is_called (stopped))
    {
      braid_deferred_unref (stopped);
      return;
    }
  self->stopping = stopped;
  if (BRAID_IS_GLIB_REACTOR (self->reactor))
    {
      self->holding = TRUE;
      braid_glib_reactor_hold_shutdown (BRAID_GLIB_REACTOR (self->reactor));
    }
  self->cutoff = braid_clock_call_later (BRAID_CLOCK (self->reactor), self->shutdown_timeout,
                                         shutdown_timed_out, self, NULL);
  /* A weak reference: a stop that never finishes holds the services,
   * which the application holds; a strong one would make a cycle. */
  {
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, self);
    braid_deferred_add_both (stopped, services_stopped, weak, free_weak_ref);
  }
}

static void
start_services (gpointer user_data)
{
  g_autoptr (BraidApplication) self = g_weak_ref_get (user_data);

  if (self != NULL)
    braid_service_start_service (BRAID_SERVICE (self->root));
}

static void
braid_application_dispose (GObject *object)
{
  BraidApplication *self = BRAID_APPLICATION (object);

  if (self->shutdown_trigger != 0)
    braid_reactor_remove_system_event_trigger (self->reactor, self->shutdown_trigger);
  self->shutdown_trigger = 0;
  release_shutdown (self);
  G_OBJECT_CLASS (braid_application_parent_class)->dispose (object);
}

static void
braid_application_finalize (GObject *object)
{
  BraidApplication *self = BRAID_APPLICATION (object);

  g_object_unref (self->root);      /* made in init */
  g_object_unref (self->reactor);   /* set by braid_application_new() */
  G_OBJECT_CLASS (braid_application_parent_class)->finalize (object);
}

static void
braid_application_class_init (BraidApplicationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_application_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_application_finalize;
}

static void
braid_application_init (BraidApplication *self)
{
  self->shutdown_timeout = BRAID_APPLICATION_DEFAULT_SHUTDOWN_TIMEOUT;
  self->root = braid_multi_service_new ("application");
}

/**
 * braid_application_new:
 * @reactor: the reactor whose life the services follow
 *
 * Creates an application with an empty root service.
 *
 * Returns: (transfer full): the new application
 */
BraidApplication *
braid_application_new (BraidReactor *reactor)
{
  BraidApplication *self;

  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_CLOCK (reactor), NULL);

  self = g_object_new (BRAID_TYPE_APPLICATION, NULL);
  self->reactor = g_object_ref (reactor);
  return self;
}

/**
 * braid_application_get_root:
 * @self: an application
 *
 * Gets the root service of @self, to which the application's services are added.
 *
 * Returns: (transfer none): the root service: add the services to it
 */
BraidMultiService *
braid_application_get_root (BraidApplication *self)
{
  g_return_val_if_fail (BRAID_IS_APPLICATION (self), NULL);
  return self->root;
}

/**
 * braid_application_set_shutdown_timeout:
 * @self: an application
 * @seconds: how long a shutdown waits for the services, more than zero
 *
 * Sets how long a shutdown waits for the services to stop before it
 * carries on without them.
 */
void
braid_application_set_shutdown_timeout (BraidApplication *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_APPLICATION (self));
  g_return_if_fail (seconds > 0);
  self->shutdown_timeout = seconds;
}

/**
 * braid_application_start:
 * @self: an application
 * @error: set when a service's privileged start fails
 *
 * Makes the services' privileged start now, and arranges for them to
 * start when the reactor runs and to stop when it shuts down. If a
 * privileged start fails, the services already started are stopped again
 * (a port already opened is closed) and nothing is arranged.
 *
 * Returns: %TRUE on success
 */
gboolean
braid_application_start (BraidApplication *self, GError **error)
{
  g_return_val_if_fail (BRAID_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!braid_service_privileged_start_service (BRAID_SERVICE (self->root), error))
    {
      braid_deferred_unref (braid_service_stop_service (BRAID_SERVICE (self->root)));
      return FALSE;
    }
  self->started = TRUE;
  {
    /* Weak: the application holds the reactor, which holds this call
     * until it runs, maybe never. */
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, self);
    braid_reactor_call_when_running (self->reactor, start_services, weak, free_weak_ref);
  }
  self->shutdown_trigger =
    braid_reactor_add_system_event_trigger (self->reactor, BRAID_TRIGGER_BEFORE, "shutdown",
                                            stop_services, self, NULL);
  return TRUE;
}

/**
 * braid_application_is_shutting_down:
 * @self: an application
 *
 * Tells whether @self has begun its ordered shutdown.
 *
 * Returns: whether a shutdown is waiting for the services to stop
 */
gboolean
braid_application_is_shutting_down (BraidApplication *self)
{
  g_return_val_if_fail (BRAID_IS_APPLICATION (self), FALSE);
  return self->stopping != NULL;
}
