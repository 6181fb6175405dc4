/* braid-stream-server-service.c: a service that listens while it runs --
 * Twisted's `StreamServerEndpointService`. */
#include "config.h"

#include "deferred/braid-result.h"
#include "core/braid-factory.h"
#include "core/braid-listening-port.h"
#include "core/braid-reactor.h"
#include "app/braid-app-private.h"
#include "app/braid-endpoint.h"
#include "app/braid-service.h"
#include "app/braid-stream-server-service.h"

/**
 * BraidStreamServerService:
 *
 * A [class@Braid.Service] that listens on a [class@Braid.ServerEndpoint]
 * with a factory while it runs: Twisted's `StreamServerEndpointService`
 * (what `strports.service` makes).
 *
 * It listens in [method@Braid.Service.privileged_start_service], so that a
 * port in use is an error the program reports before it runs; if nothing
 * called that, [method@Braid.Service.start_service] listens and logs the
 * error. [method@Braid.Service.stop_service] stops listening (connections
 * already accepted carry on, as in Twisted; the reactor's shutdown closes
 * them). Braid's ports stop listening at once, so the deferred it returns
 * has already fired.
 */
struct _BraidStreamServerService
{
  BraidService parent_instance;

  BraidReactor *reactor;
  BraidServerEndpoint *endpoint;
  BraidFactory *factory;
  BraidListeningPort *port;     /* while listening */
};

G_DEFINE_FINAL_TYPE (BraidStreamServerService, braid_stream_server_service, BRAID_TYPE_SERVICE)

static gboolean
braid_stream_server_service_privileged_start_service (BraidService *service, GError **error)
{
  BraidStreamServerService *self = BRAID_STREAM_SERVER_SERVICE (service);
  BraidListeningPort *port;

  /* (BraidService's own privileged start does nothing.) Listening twice
   * would be a second port: once is enough. */
  if (self->port != NULL)
    return TRUE;
  port = braid_server_endpoint_listen (self->endpoint, self->reactor, self->factory, error);
  if (port == NULL)
    return FALSE;
  self->port = g_object_ref (port);
  return TRUE;
}

static void
braid_stream_server_service_start_service (BraidService *service)
{
  BraidStreamServerService *self = BRAID_STREAM_SERVER_SERVICE (service);
  g_autoptr (GError) error = NULL;

  BRAID_SERVICE_CLASS (braid_stream_server_service_parent_class)->start_service (service);
  if (self->port == NULL && !braid_stream_server_service_privileged_start_service (service, &error))
    g_warning ("Service '%s' cannot listen on %s: %s", braid_service_get_display_name (service),
               braid_server_endpoint_get_description (self->endpoint), error->message);
}

static BraidDeferred *
braid_stream_server_service_stop_service (BraidService *service)
{
  BraidStreamServerService *self = BRAID_STREAM_SERVER_SERVICE (service);

  BRAID_SERVICE_CLASS (braid_stream_server_service_parent_class)->stop_service (service);
  if (self->port != NULL)
    {
      braid_listening_port_stop_listening (self->port);
      g_object_unref (g_steal_pointer (&self->port));
    }
  return NULL;
}

static void
braid_stream_server_service_dispose (GObject *object)
{
  BraidStreamServerService *self = BRAID_STREAM_SERVER_SERVICE (object);

  /* Dropped while listening (a program that exits without stopping): the
   * port stops, so nothing is left half-open. */
  if (self->port != NULL)
    {
      braid_listening_port_stop_listening (self->port);
      g_object_unref (g_steal_pointer (&self->port));
    }
  G_OBJECT_CLASS (braid_stream_server_service_parent_class)->dispose (object);
}

static void
braid_stream_server_service_finalize (GObject *object)
{
  BraidStreamServerService *self = BRAID_STREAM_SERVER_SERVICE (object);

  /* All three are set by braid_stream_server_service_new(). */
  g_object_unref (self->reactor);
  g_object_unref (self->endpoint);
  g_object_unref (self->factory);
  G_OBJECT_CLASS (braid_stream_server_service_parent_class)->finalize (object);
}

static void
braid_stream_server_service_class_init (BraidStreamServerServiceClass *klass)
{
  BraidServiceClass *service_class = BRAID_SERVICE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = braid_stream_server_service_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_stream_server_service_finalize;
  service_class->privileged_start_service = braid_stream_server_service_privileged_start_service;
  service_class->start_service = braid_stream_server_service_start_service;
  service_class->stop_service = braid_stream_server_service_stop_service;
}

static void
braid_stream_server_service_init (BraidStreamServerService *self)
{
}

/**
 * braid_stream_server_service_new:
 * @reactor: the reactor to listen on
 * @endpoint: where to listen
 * @factory: builds a protocol for each connection
 *
 * Creates a service that listens on @endpoint with @factory while it
 * runs. Name it with [method@Braid.Service.set_name].
 *
 * Returns: (transfer full): the new service
 */
BraidStreamServerService *
braid_stream_server_service_new (BraidReactor        *reactor,
                                 BraidServerEndpoint *endpoint,
                                 BraidFactory        *factory)
{
  BraidStreamServerService *self;

  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_SERVER_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);

  self = g_object_new (BRAID_TYPE_STREAM_SERVER_SERVICE, NULL);
  self->reactor = g_object_ref (reactor);
  self->endpoint = g_object_ref (endpoint);
  self->factory = g_object_ref (factory);
  return self;
}

/**
 * braid_stream_server_service_get_port:
 * @self: a stream server service
 *
 * Gets the listening port of @self while it runs.
 *
 * Returns: (transfer none) (nullable): the port it listens on, %NULL when
 *   it does not listen
 */
BraidListeningPort *
braid_stream_server_service_get_port (BraidStreamServerService *self)
{
  g_return_val_if_fail (BRAID_IS_STREAM_SERVER_SERVICE (self), NULL);
  return self->port;
}

/**
 * braid_stream_server_service_get_endpoint:
 * @self: a stream server service
 *
 * Gets the endpoint @self listens on.
 *
 * Returns: (transfer none): where it listens
 */
BraidServerEndpoint *
braid_stream_server_service_get_endpoint (BraidStreamServerService *self)
{
  g_return_val_if_fail (BRAID_IS_STREAM_SERVER_SERVICE (self), NULL);
  return self->endpoint;
}

/**
 * braid_stream_server_service_get_factory:
 * @self: a stream server service
 *
 * Gets the factory @self listens with: what another service of the same
 * application reaches through the parent collection
 * ([method@Braid.MultiService.get_service_named]) to share its state, as
 * a cache's status page finds the cache's store.
 *
 * Returns: (transfer none): the factory
 */
BraidFactory *
braid_stream_server_service_get_factory (BraidStreamServerService *self)
{
  g_return_val_if_fail (BRAID_IS_STREAM_SERVER_SERVICE (self), NULL);
  return self->factory;
}
