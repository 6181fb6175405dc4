/* braid-service.c: something a program starts and stops -- Twisted's
 * `Service`. */
#include "config.h"

#include "deferred/braid-deferred.h"
#include "deferred/braid-result.h"
#include "app/braid-app-private.h"
#include "app/braid-multi-service.h"
#include "app/braid-service.h"

/**
 * BraidService:
 *
 * Something a program starts when it runs and stops when it shuts down: a
 * listening port, a timer, a client that keeps a connection up. Twisted's
 * `twisted.application.service.Service`.
 *
 * A service has a name (unique among its siblings) and at most one parent,
 * a [class@Braid.MultiService] that holds a reference to it. Its life:
 *
 * 1. [method@Braid.Service.privileged_start_service] does what may fail
 *    before the reactor runs (a server binds its port here, so that a port
 *    in use is reported at once, before anything else happens);
 * 2. [method@Braid.Service.start_service], when the reactor runs;
 * 3. [method@Braid.Service.stop_service] at shutdown. It returns a deferred
 *    that fires once the service has finished stopping (a server has closed
 *    its port, a client its connection); a shutdown waits for it (see
 *    [class@Braid.Application]).
 *
 * The base class only keeps the running flag; subclasses override the
 * virtual methods and chain up.
 */

typedef struct
{
  char *name;
  BraidMultiService *parent;   /* weak: the parent holds a reference to us */
  gboolean running;
  guint pending_stops;         /* stop deferreds handed out, not yet fired */
} BraidServicePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidService, braid_service, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
braid_service_real_privileged_start_service (BraidService *self, GError **error)
{
  return TRUE;
}

static void
braid_service_real_start_service (BraidService *self)
{
  BraidServicePrivate *priv = braid_service_get_instance_private (self);

  priv->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static BraidDeferred *
braid_service_real_stop_service (BraidService *self)
{
  BraidServicePrivate *priv = braid_service_get_instance_private (self);

  priv->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return NULL;
}

static void
braid_service_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BraidService *self = BRAID_SERVICE (object);
  BraidServicePrivate *priv = braid_service_get_instance_private (self);

  switch (prop_id) /* LCOV_EXCL_BR_LINE: an unknown id is GObject's to catch */
    {
    case PROP_NAME:
      g_value_set_string (value, priv->name);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, priv->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_service_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BraidService *self = BRAID_SERVICE (object);

  switch (prop_id) /* LCOV_EXCL_BR_LINE: an unknown id is GObject's to catch */
    {
    case PROP_NAME:
      braid_service_set_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_service_finalize (GObject *object)
{
  BraidServicePrivate *priv = braid_service_get_instance_private (BRAID_SERVICE (object));

  g_free (priv->name);
  G_OBJECT_CLASS (braid_service_parent_class)->finalize (object);
}

static void
braid_service_class_init (BraidServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = braid_service_get_property;
  object_class->set_property = braid_service_set_property;
  object_class->finalize = braid_service_finalize;
  klass->privileged_start_service = braid_service_real_privileged_start_service;
  klass->start_service = braid_service_real_start_service;
  klass->stop_service = braid_service_real_stop_service;

  /**
   * BraidService:name:
   *
   * The service's name, unique among the children of one parent; %NULL
   * for an anonymous service.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * BraidService:running:
   *
   * Whether the service has been started and not stopped since.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
braid_service_init (BraidService *self)
{
}

/**
 * braid_service_new:
 * @name: (nullable): the service's name
 *
 * Creates a service that does nothing but keep its running flag: a
 * placeholder, or the base of a service written in a subclass.
 *
 * Returns: (transfer full): the new service
 */
BraidService *
braid_service_new (const char *name)
{
  return g_object_new (BRAID_TYPE_SERVICE, "name", name, NULL);
}

/**
 * braid_service_get_name:
 * @self: a service
 *
 * Gets the name of @self.
 *
 * Returns: (nullable): the service's name
 */
const char *
braid_service_get_name (BraidService *self)
{
  BraidServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_SERVICE (self), NULL);
  priv = braid_service_get_instance_private (self);
  return priv->name;
}

/**
 * braid_service_set_name:
 * @self: a service
 * @name: (nullable): the new name
 *
 * Names the service. As in Twisted, a service that has a parent cannot be
 * renamed (its parent finds it by name): that is a programming error.
 */
void
braid_service_set_name (BraidService *self, const char *name)
{
  BraidServicePrivate *priv;

  g_return_if_fail (BRAID_IS_SERVICE (self));
  priv = braid_service_get_instance_private (self);
  if (priv->parent != NULL)
    {
      g_critical ("braid_service_set_name: cannot rename service '%s' while it has a parent",
                  braid_service_get_display_name (self));
      return;
    }
  if (g_strcmp0 (priv->name, name) == 0)
    return;
  g_free (priv->name);
  priv->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
braid_service_get_display_name (BraidService *self)
{
  const char *name = braid_service_get_name (self);

  return name != NULL ? name : "(anonymous)";
}

/**
 * braid_service_get_parent:
 * @self: a service
 *
 * Gets the multi-service @self belongs to.
 *
 * Returns: (transfer none) (nullable): the multi-service that holds @self
 */
BraidMultiService *
braid_service_get_parent (BraidService *self)
{
  BraidServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_SERVICE (self), NULL);
  priv = braid_service_get_instance_private (self);
  return priv->parent;
}

void
braid_service_set_parent_pointer (BraidService *self, BraidMultiService *parent)
{
  BraidServicePrivate *priv = braid_service_get_instance_private (self);

  priv->parent = parent;
}

/**
 * braid_service_set_parent:
 * @self: a service
 * @parent: the multi-service to join
 * @error: set when @parent already has a service of the same name, or
 *   when starting @self (because @parent runs) fails
 *
 * Makes @self a child of @parent, leaving its previous parent first:
 * Twisted's `setServiceParent`. Same as
 * [method@Braid.MultiService.add_service].
 *
 * Returns: %TRUE if @self joined @parent
 */
gboolean
braid_service_set_parent (BraidService *self, BraidMultiService *parent, GError **error)
{
  g_return_val_if_fail (BRAID_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (BRAID_IS_MULTI_SERVICE (parent), FALSE);

  return braid_multi_service_add_service (parent, self, error);
}

/**
 * braid_service_disown_parent:
 * @self: a service that has a parent
 *
 * Leaves the parent: Twisted's `disownServiceParent`. A running service is
 * stopped.
 *
 * Returns: (transfer full): fires once @self has stopped (at once if it
 *   was not running)
 */
BraidDeferred *
braid_service_disown_parent (BraidService *self)
{
  BraidServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_SERVICE (self), NULL);
  priv = braid_service_get_instance_private (self);
  g_return_val_if_fail (priv->parent != NULL, NULL);

  return braid_multi_service_remove_service (priv->parent, self);
}

/**
 * braid_service_is_running:
 * @self: a service
 *
 * Tells whether @self has been started and not yet stopped.
 *
 * Returns: whether @self has been started and not stopped since
 */
gboolean
braid_service_is_running (BraidService *self)
{
  BraidServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_SERVICE (self), FALSE);
  priv = braid_service_get_instance_private (self);
  return priv->running;
}

/**
 * braid_service_is_stopping:
 * @self: a service
 *
 * Whether a stop of @self has begun and not finished: the deferred that
 * [method@Braid.Service.stop_service] returned has not fired yet. A
 * shutdown that gives up waiting names the services still stopping.
 *
 * Returns: whether @self is still stopping
 */
gboolean
braid_service_is_stopping (BraidService *self)
{
  BraidServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_SERVICE (self), FALSE);
  priv = braid_service_get_instance_private (self);
  return priv->pending_stops > 0;
}

/**
 * braid_service_privileged_start_service: (virtual privileged_start_service)
 * @self: a service
 * @error: where a failure is reported
 *
 * Does what must be done before the reactor runs and may fail, such as
 * binding a port: Twisted's `privilegedStartService`. Twisted runs it while
 * the process still has root's privileges; Braid calls it before the
 * reactor runs so that the failure (a port in use) is reported at once.
 *
 * Returns: %TRUE on success
 */
gboolean
braid_service_privileged_start_service (BraidService *self, GError **error)
{
  g_return_val_if_fail (BRAID_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return BRAID_SERVICE_GET_CLASS (self)->privileged_start_service (self, error);
}

/**
 * braid_service_start_service: (virtual start_service)
 * @self: a service
 *
 * Starts @self: Twisted's `startService`.
 */
void
braid_service_start_service (BraidService *self)
{
  g_return_if_fail (BRAID_IS_SERVICE (self));

  BRAID_SERVICE_GET_CLASS (self)->start_service (self);
}

static void
stop_finished (BraidResult *result, gpointer user_data)
{
  g_autoptr (BraidService) self = g_weak_ref_get (user_data);

  if (self != NULL)
    {
      BraidServicePrivate *priv = braid_service_get_instance_private (self);

      priv->pending_stops--;
    }
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/**
 * braid_service_stop_service: (virtual stop_service)
 * @self: a service
 *
 * Stops @self: Twisted's `stopService`. The virtual method may return
 * %NULL when the service stopped at once; this function then returns a
 * deferred that has already fired, so callers always get a deferred.
 *
 * Returns: (transfer full): fires once @self has stopped
 */
BraidDeferred *
braid_service_stop_service (BraidService *self)
{
  BraidServicePrivate *priv;
  BraidDeferred *stopped;

  g_return_val_if_fail (BRAID_IS_SERVICE (self), NULL);
  priv = braid_service_get_instance_private (self);

  stopped = BRAID_SERVICE_GET_CLASS (self)->stop_service (self);
  if (stopped == NULL)
    return braid_succeed (NULL, NULL);
  if (!braid_deferred_is_called (stopped))
    {
      GWeakRef *weak = g_new0 (GWeakRef, 1);

      /* Weak: a service commonly keeps its own pending stop, and a stop
       * that never finishes must not keep the service alive forever. */
      g_weak_ref_init (weak, self);
      priv->pending_stops++;
      braid_deferred_add_both (stopped, stop_finished, weak, free_weak_ref);
    }
  return stopped;
}
