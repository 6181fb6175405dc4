/* braid-multi-service.c: a service made of services -- Twisted's
 * `MultiService`. */
#include "config.h"

#include "deferred/braid-deferred-list.h"
#include "deferred/braid-deferred.h"
#include "deferred/braid-result.h"
#include "app/braid-app-private.h"
#include "app/braid-multi-service.h"
#include "app/braid-service.h"

/**
 * BraidMultiService:
 *
 * A [class@Braid.Service] that holds other services: Twisted's
 * `MultiService`. An application is a tree of them.
 *
 * Its privileged start makes its children's, in order, and stops at the
 * first that fails; the error is prefixed with the child's name
 * (`service 'web': ...`).
 *
 * Starting it starts its children in the order they were added; stopping
 * it stops them in the reverse order, all at once, and its deferred fires
 * once every child has finished stopping. A child that fails to stop is
 * logged (naming it) and does not keep the others from stopping. A child
 * added to a running multi-service is started at once; a running child
 * removed from it is stopped.
 */

typedef struct
{
  GPtrArray *services;     /* BraidService, in the order added */
} BraidMultiServicePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidMultiService, braid_multi_service, BRAID_TYPE_SERVICE)

static gboolean
braid_multi_service_privileged_start_service (BraidService *service, GError **error)
{
  BraidMultiServicePrivate *priv =
    braid_multi_service_get_instance_private (BRAID_MULTI_SERVICE (service));

  /* (BraidService's own privileged start does nothing.) */
  for (guint i = 0; i < priv->services->len; i++)
    {
      BraidService *child = g_ptr_array_index (priv->services, i);

      if (!braid_service_privileged_start_service (child, error))
        {
          /* Say which service failed: "service 'web': ...". */
          g_prefix_error (error, "service '%s': ", braid_service_get_display_name (child));
          return FALSE;
        }
    }
  return TRUE;
}

static void
braid_multi_service_start_service (BraidService *service)
{
  BraidMultiServicePrivate *priv =
    braid_multi_service_get_instance_private (BRAID_MULTI_SERVICE (service));
  g_autoptr (GPtrArray) children = NULL;

  BRAID_SERVICE_CLASS (braid_multi_service_parent_class)->start_service (service);
  /* A child's start may add or remove services: walk a copy. */
  children = g_ptr_array_copy (priv->services, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (children, g_object_unref);
  for (guint i = 0; i < children->len; i++)
    braid_service_start_service (g_ptr_array_index (children, i));
}

/* A child's stop failed: say which child, and let the others carry on. */
static void
log_stop_failure (BraidResult *result, gpointer user_data)
{
  const char *name = user_data;

  g_warning ("Service '%s' failed to stop: %s", name,
             braid_result_get_error (result)->message);
  braid_result_set_value (result, NULL, NULL);
}

static void
drop_list_value (BraidResult *result, gpointer user_data)
{
  braid_result_set_value (result, NULL, NULL);
}

static BraidDeferred *
braid_multi_service_stop_service (BraidService *service)
{
  BraidMultiServicePrivate *priv =
    braid_multi_service_get_instance_private (BRAID_MULTI_SERVICE (service));
  g_autoptr (GPtrArray) stops = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_deferred_unref);
  g_autoptr (GPtrArray) children = NULL;
  BraidDeferred *all_stopped;

  BRAID_SERVICE_CLASS (braid_multi_service_parent_class)->stop_service (service);
  children = g_ptr_array_copy (priv->services, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (children, g_object_unref);
  for (guint i = children->len; i > 0; i--)
    {
      BraidService *child = g_ptr_array_index (children, i - 1);
      BraidDeferred *stopped = braid_service_stop_service (child);

      /* The name, not the child: the child may hold its own stop. */
      braid_deferred_add_errback (stopped, log_stop_failure,
                                  g_strdup (braid_service_get_display_name (child)), g_free);
      g_ptr_array_add (stops, stopped);
    }
  all_stopped = braid_deferred_list_new ((BraidDeferred * const *) stops->pdata, stops->len,
                                         BRAID_DEFERRED_LIST_FIRE_ON_ALL);
  braid_deferred_add_callback (all_stopped, drop_list_value, NULL, NULL);
  return all_stopped;
}

static void
braid_multi_service_dispose (GObject *object)
{
  BraidMultiServicePrivate *priv =
    braid_multi_service_get_instance_private (BRAID_MULTI_SERVICE (object));

  for (guint i = 0; i < priv->services->len; i++)
    braid_service_set_parent_pointer (g_ptr_array_index (priv->services, i), NULL);
  g_ptr_array_set_size (priv->services, 0);
  G_OBJECT_CLASS (braid_multi_service_parent_class)->dispose (object);
}

static void
braid_multi_service_finalize (GObject *object)
{
  BraidMultiServicePrivate *priv =
    braid_multi_service_get_instance_private (BRAID_MULTI_SERVICE (object));

  g_ptr_array_unref (priv->services);
  G_OBJECT_CLASS (braid_multi_service_parent_class)->finalize (object);
}

static void
braid_multi_service_class_init (BraidMultiServiceClass *klass)
{
  BraidServiceClass *service_class = BRAID_SERVICE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = braid_multi_service_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_multi_service_finalize;
  service_class->privileged_start_service = braid_multi_service_privileged_start_service;
  service_class->start_service = braid_multi_service_start_service;
  service_class->stop_service = braid_multi_service_stop_service;
}

static void
braid_multi_service_init (BraidMultiService *self)
{
  BraidMultiServicePrivate *priv = braid_multi_service_get_instance_private (self);

  priv->services = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * braid_multi_service_new:
 * @name: (nullable): the service's name
 *
 * Creates an empty multi-service.
 *
 * Returns: (transfer full): the new multi-service
 */
BraidMultiService *
braid_multi_service_new (const char *name)
{
  return g_object_new (BRAID_TYPE_MULTI_SERVICE, "name", name, NULL);
}

/**
 * braid_multi_service_add_service:
 * @self: a multi-service
 * @service: the service to add; @self takes a reference
 * @error: set when @self already has a service named as @service, or when
 *   @self runs and @service fails its privileged start
 *
 * Adds @service as the last child of @self (leaving its previous parent
 * first). If @self is running, @service is started at once.
 *
 * Returns: %TRUE if @service was added
 */
gboolean
braid_multi_service_add_service (BraidMultiService *self, BraidService *service, GError **error)
{
  BraidMultiServicePrivate *priv;
  const char *name;

  g_return_val_if_fail (BRAID_IS_MULTI_SERVICE (self), FALSE);
  g_return_val_if_fail (BRAID_IS_SERVICE (service), FALSE);
  g_return_val_if_fail ((BraidService *) self != service, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  priv = braid_multi_service_get_instance_private (self);

  if (braid_service_get_parent (service) == self)
    return TRUE;
  name = braid_service_get_name (service);
  if (name != NULL && braid_multi_service_get_service_named (self, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "cannot have two services named '%s'", name);
      return FALSE;
    }

  g_object_ref (service);
  if (braid_service_get_parent (service) != NULL)
    /* Moving a service stops it if it ran; the stop goes on alone. */
    braid_deferred_unref (braid_service_disown_parent (service));
  if (braid_service_is_running (BRAID_SERVICE (self))
      && !braid_service_privileged_start_service (service, error))
    {
      g_object_unref (service);
      return FALSE;
    }
  g_ptr_array_add (priv->services, service);
  braid_service_set_parent_pointer (service, self);
  if (braid_service_is_running (BRAID_SERVICE (self)))
    braid_service_start_service (service);
  return TRUE;
}

/**
 * braid_multi_service_remove_service:
 * @self: a multi-service
 * @service: one of its children
 *
 * Removes @service from @self, stopping it if it runs.
 *
 * Returns: (transfer full): fires once @service has stopped (at once if it
 *   was not running)
 */
BraidDeferred *
braid_multi_service_remove_service (BraidMultiService *self, BraidService *service)
{
  BraidMultiServicePrivate *priv;
  g_autoptr (BraidService) removed = NULL;

  g_return_val_if_fail (BRAID_IS_MULTI_SERVICE (self), NULL);
  g_return_val_if_fail (BRAID_IS_SERVICE (service), NULL);
  g_return_val_if_fail (braid_service_get_parent (service) == self, NULL);
  priv = braid_multi_service_get_instance_private (self);

  removed = g_object_ref (service);
  braid_service_set_parent_pointer (service, NULL);
  g_ptr_array_remove (priv->services, service);
  if (braid_service_is_running (service))
    return braid_service_stop_service (service);
  return braid_succeed (NULL, NULL);
}

/**
 * braid_multi_service_get_service_named:
 * @self: a multi-service
 * @name: a name
 *
 * Finds the child of @self with the given name.
 *
 * Returns: (transfer none) (nullable): the child of @self called @name
 */
BraidService *
braid_multi_service_get_service_named (BraidMultiService *self, const char *name)
{
  BraidMultiServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_MULTI_SERVICE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  priv = braid_multi_service_get_instance_private (self);

  for (guint i = 0; i < priv->services->len; i++)
    {
      BraidService *child = g_ptr_array_index (priv->services, i);

      if (g_strcmp0 (braid_service_get_name (child), name) == 0)
        return child;
    }
  return NULL;
}

/**
 * braid_multi_service_get_services:
 * @self: a multi-service
 *
 * Lists the children of @self.
 *
 * Returns: (transfer none) (element-type Braid.Service): the children, in
 *   the order they were added (and are started)
 */
GPtrArray *
braid_multi_service_get_services (BraidMultiService *self)
{
  BraidMultiServicePrivate *priv;

  g_return_val_if_fail (BRAID_IS_MULTI_SERVICE (self), NULL);
  priv = braid_multi_service_get_instance_private (self);
  return priv->services;
}

static void
collect_stopping (BraidService *service, const char *prefix, GPtrArray *names)
{
  const char *name = braid_service_get_display_name (service);
  g_autofree char *path = NULL;
  guint before = names->len;

  if (prefix == NULL)
    path = g_strdup (name);
  else
    path = g_strdup_printf ("%s/%s", prefix, name);
  if (BRAID_IS_MULTI_SERVICE (service))
    {
      GPtrArray *children = braid_multi_service_get_services (BRAID_MULTI_SERVICE (service));

      for (guint i = 0; i < children->len; i++)
        collect_stopping (g_ptr_array_index (children, i), path, names);
    }
  /* A multi-service is named only when none of its children explains why
   * it is still stopping (a subclass with a stop of its own). */
  if (names->len == before && braid_service_is_stopping (service))
    g_ptr_array_add (names, g_steal_pointer (&path));
}

/**
 * braid_multi_service_list_stopping:
 * @self: a multi-service
 *
 * Names the services under @self that are still stopping (see
 * [method@Braid.Service.is_stopping]), as paths from @self's children
 * down: `"chat"`, or `"web/static"` for a child of a child.
 *
 * Returns: (transfer container) (element-type utf8): the names; empty when
 *   every service has finished stopping
 */
GPtrArray *
braid_multi_service_list_stopping (BraidMultiService *self)
{
  BraidMultiServicePrivate *priv;
  GPtrArray *names;

  g_return_val_if_fail (BRAID_IS_MULTI_SERVICE (self), NULL);
  priv = braid_multi_service_get_instance_private (self);

  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < priv->services->len; i++)
    collect_stopping (g_ptr_array_index (priv->services, i), NULL, names);
  return names;
}
