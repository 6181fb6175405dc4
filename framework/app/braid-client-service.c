/* braid-client-service.c: a service that keeps one connection up --
 * Twisted's `ClientService`. */
#include "config.h"

#include <math.h>

#include "deferred/braid-deferred.h"
#include "deferred/braid-result.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "core/braid-client-factory.h"
#include "core/braid-connector.h"
#include "core/braid-factory.h"
#include "core/braid-protocol.h"
#include "core/braid-reactor.h"
#include "core/braid-transport.h"
#include "app/braid-app-private.h"
#include "app/braid-client-service.h"
#include "app/braid-endpoint.h"
#include "app/braid-service.h"

/**
 * BraidClientService:
 *
 * A [class@Braid.Service] that keeps one outgoing connection up while it
 * runs: Twisted's `ClientService`. When an attempt fails, or the
 * connection is lost, it tries again after a delay that grows
 * exponentially with the failures in a row, plus jitter (by default
 * [func@Braid.backoff_delay] with Twisted's figures plus a random 0-1 s;
 * see [method@Braid.ClientService.set_retry_policy]). The delays run on
 * the reactor's clock, or on one given with
 * [method@Braid.ClientService.set_clock].
 *
 * The program gets the connection with
 * [method@Braid.ClientService.when_connected]: a deferred that fires with
 * the protocol the factory built, at once when connected, otherwise at
 * the next connection. Stopping the service stops the attempt or the
 * retry under way, or closes the connection, and its deferred fires once
 * the connection is gone; deferreds still waiting fail with
 * %G_IO_ERROR_CANCELLED.
 *
 * The protocol the factory builds is wrapped in a proxy that forwards
 * every event to it, so that the service hears when the connection is
 * made and lost; [method@Braid.Protocol.get_transport] of the protocol
 * handed out is the connection's transport, as usual.
 *
 * Twisted's `prepareConnection` hook (a setup step run before the
 * connection is handed out) is not there yet: do that setup in the
 * protocol's `connection_made`.
 */

typedef enum
{
  STATE_INIT,           /* never started */
  STATE_CONNECTING,     /* an attempt is under way */
  STATE_WAITING,        /* waiting to try again */
  STATE_CONNECTED,
  STATE_DISCONNECTING,  /* stopping: the connection is closing */
  STATE_RESTARTING,     /* started again while disconnecting */
  STATE_STOPPED,
} ClientState;

typedef struct
{
  BraidDeferred *deferred;
  guint remaining;      /* failures left before it fails; 0: never */
} Waiter;

struct _BraidClientService
{
  BraidService parent_instance;

  BraidReactor *reactor;
  BraidClock *clock;
  BraidClientEndpoint *endpoint;
  BraidFactory *factory;

  BraidRetryPolicy policy;
  gpointer policy_data;
  GDestroyNotify policy_destroy;

  ClientState state;
  guint failed_attempts;
  GObject *attempt_factory;      /* the wrapper of the attempt under way */
  BraidConnector *connector;     /* the attempt under way, or the connection's */
  BraidProtocol *proxy;          /* the connection, while connected */
  BraidProtocol *protocol;       /* what the factory built, inside the proxy */
  BraidDelayedCall *retry;       /* while waiting (the clock owns it) */
  GQueue waiters;                /* Waiter: when_connected() deferreds */
  GPtrArray *stop_deferreds;     /* stop_service() deferreds not yet fired */
};

G_DEFINE_FINAL_TYPE (BraidClientService, braid_client_service, BRAID_TYPE_SERVICE)

static void client_connect (BraidClientService *self);
static void connection_failed (BraidClientService *self, const GError *reason);
static void connection_made (BraidClientService *self, BraidProtocol *proxy, BraidProtocol *protocol);
static void connection_lost (BraidClientService *self, BraidProtocol *proxy);

/* ---------------------------------------------------------------------- */
/* The proxy protocol: forwards everything, tells the service.             */

#define CLIENT_TYPE_PROXY (client_proxy_get_type ())
G_DECLARE_FINAL_TYPE (ClientProxy, client_proxy, CLIENT, PROXY, BraidProtocol)

struct _ClientProxy
{
  BraidProtocol parent_instance;

  BraidProtocol *inner;
  GWeakRef service;      /* BraidClientService; cleared when abandoned */
};

G_DEFINE_FINAL_TYPE (ClientProxy, client_proxy, BRAID_TYPE_PROTOCOL)

static void
client_proxy_make_connection (BraidProtocol *protocol, BraidTransport *transport)
{
  ClientProxy *self = CLIENT_PROXY (protocol);
  g_autoptr (BraidClientService) service = g_weak_ref_get (&self->service);

  BRAID_PROTOCOL_CLASS (client_proxy_parent_class)->make_connection (protocol, transport);
  braid_protocol_make_connection (self->inner, transport);
  if (service != NULL)
    connection_made (service, protocol, self->inner);
  else
    braid_transport_lose_connection (transport);
}

static void
client_proxy_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  braid_protocol_data_received (CLIENT_PROXY (protocol)->inner, data, len);
}

static void
client_proxy_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  ClientProxy *self = CLIENT_PROXY (protocol);
  g_autoptr (BraidClientService) service = g_weak_ref_get (&self->service);

  braid_protocol_connection_lost (self->inner, reason);
  if (service != NULL)
    connection_lost (service, protocol);
}

static void
client_proxy_read_connection_lost (BraidProtocol *protocol)
{
  ClientProxy *self = CLIENT_PROXY (protocol);

  /* The proxy claims half-close for every protocol; one that does not
   * support it gets what a transport would do: the whole connection
   * closes. */
  if (braid_protocol_supports_half_close (self->inner))
    braid_protocol_read_connection_lost (self->inner);
  else
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
client_proxy_finalize (GObject *object)
{
  ClientProxy *self = CLIENT_PROXY (object);

  g_object_unref (self->inner);   /* set as the proxy is built */
  g_weak_ref_clear (&self->service);
  G_OBJECT_CLASS (client_proxy_parent_class)->finalize (object);
}

static void
client_proxy_class_init (ClientProxyClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = client_proxy_finalize;
  protocol_class->make_connection = client_proxy_make_connection;
  protocol_class->data_received = client_proxy_data_received;
  protocol_class->connection_lost = client_proxy_connection_lost;
  protocol_class->read_connection_lost = client_proxy_read_connection_lost;
}

static void
client_proxy_init (ClientProxy *self)
{
  g_weak_ref_init (&self->service, NULL);
}

/* ---------------------------------------------------------------------- */
/* The factory of one attempt: builds proxies, reports failures.           */

#define CLIENT_TYPE_ATTEMPT_FACTORY (client_attempt_factory_get_type ())
G_DECLARE_FINAL_TYPE (ClientAttemptFactory, client_attempt_factory, CLIENT, ATTEMPT_FACTORY,
                      BraidClientFactory)

struct _ClientAttemptFactory
{
  BraidClientFactory parent_instance;

  BraidFactory *factory;  /* the service's factory */
  GWeakRef service;       /* cleared when the service abandons the attempt */
};

G_DEFINE_FINAL_TYPE (ClientAttemptFactory, client_attempt_factory, BRAID_TYPE_CLIENT_FACTORY)

static BraidProtocol *
client_attempt_factory_build_protocol (BraidFactory *factory, GSocketAddress *addr)
{
  ClientAttemptFactory *self = CLIENT_ATTEMPT_FACTORY (factory);
  BraidProtocol *inner = braid_factory_build_protocol (self->factory, addr);
  ClientProxy *proxy;

  if (inner == NULL)
    return NULL;
  proxy = g_object_new (CLIENT_TYPE_PROXY, NULL);
  proxy->inner = inner;
  {
    g_autoptr (GObject) service = g_weak_ref_get (&self->service);

    g_weak_ref_set (&proxy->service, service);
  }
  braid_protocol_set_factory (BRAID_PROTOCOL (proxy), factory);
  return BRAID_PROTOCOL (proxy);
}

static void
client_attempt_factory_client_connection_failed (BraidClientFactory *factory,
                                                 BraidConnector     *connector,
                                                 const GError       *reason)
{
  ClientAttemptFactory *self = CLIENT_ATTEMPT_FACTORY (factory);
  g_autoptr (BraidClientService) service = g_weak_ref_get (&self->service);

  if (service != NULL && service->attempt_factory == (GObject *) self)
    connection_failed (service, reason);
}

static void
client_attempt_factory_finalize (GObject *object)
{
  ClientAttemptFactory *self = CLIENT_ATTEMPT_FACTORY (object);

  g_object_unref (self->factory);   /* set as the factory is made */
  g_weak_ref_clear (&self->service);
  G_OBJECT_CLASS (client_attempt_factory_parent_class)->finalize (object);
}

static void
client_attempt_factory_class_init (ClientAttemptFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = client_attempt_factory_finalize;
  BRAID_FACTORY_CLASS (klass)->build_protocol = client_attempt_factory_build_protocol;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed =
    client_attempt_factory_client_connection_failed;
}

static void
client_attempt_factory_init (ClientAttemptFactory *self)
{
  g_weak_ref_init (&self->service, NULL);
}

/* ---------------------------------------------------------------------- */
/* The service.                                                            */

/**
 * braid_backoff_delay:
 * @failed_attempts: failures in a row
 * @initial_delay: seconds, the base of the growth
 * @max_delay: the longest delay
 * @factor: how much the delay grows at each failure
 *
 * Twisted's `backoffPolicy` without its jitter:
 * `min (initial_delay * factor ^ failed_attempts, max_delay)` (the exponent
 * capped at 100, as in Twisted).
 *
 * Returns: seconds
 */
gdouble
braid_backoff_delay (guint failed_attempts, gdouble initial_delay, gdouble max_delay, gdouble factor)
{
  gdouble delay = initial_delay * pow (factor, MIN (failed_attempts, 100u));

  return isfinite (delay) ? MIN (delay, max_delay) : max_delay;
}

static gdouble
default_retry_policy (guint failed_attempts, gpointer user_data)
{
  return braid_backoff_delay (failed_attempts, BRAID_BACKOFF_INITIAL_DELAY,
                              BRAID_BACKOFF_MAX_DELAY, BRAID_BACKOFF_FACTOR)
         + g_random_double ();
}

static const char *
service_name (BraidClientService *self)
{
  return braid_service_get_display_name (BRAID_SERVICE (self));
}

static void
fire_stop_deferreds (BraidClientService *self)
{
  g_autoptr (GPtrArray) stops = g_steal_pointer (&self->stop_deferreds);

  self->stop_deferreds = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_deferred_unref);
  for (guint i = 0; i < stops->len; i++)
    braid_deferred_callback (g_ptr_array_index (stops, i), NULL, NULL);
}

static void
cancel_waiters (BraidClientService *self)
{
  Waiter *waiter;

  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      braid_deferred_errback (waiter->deferred,
                              g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           "client service '%s' stopped", service_name (self)));
      braid_deferred_unref (waiter->deferred);
      g_free (waiter);
    }
}

/* Forget the attempt under way: its late events are ignored. */
static void
abandon_attempt (BraidClientService *self)
{
  if (self->attempt_factory != NULL)
    {
      g_weak_ref_set (&CLIENT_ATTEMPT_FACTORY (self->attempt_factory)->service, NULL);
      g_object_unref (g_steal_pointer (&self->attempt_factory));
    }
  g_clear_object (&self->connector);
}

static void
retry_now (gpointer user_data)
{
  BraidClientService *self = user_data;

  /* Only a waiting service has a retry pending (a stop cancels it). */
  self->retry = NULL;
  client_connect (self);
}

static void
wait_and_retry (BraidClientService *self)
{
  gdouble delay;

  self->failed_attempts++;
  delay = self->policy (self->failed_attempts, self->policy_data);
  g_message ("Client service '%s': trying %s again in %.3g s (failure %u in a row)",
             service_name (self), braid_client_endpoint_get_description (self->endpoint),
             delay, self->failed_attempts);
  self->state = STATE_WAITING;
  self->retry = braid_clock_call_later (self->clock, fmax (delay, 0.0), retry_now, self, NULL);
}

static void
client_connect (BraidClientService *self)
{
  ClientAttemptFactory *factory;
  g_autoptr (GError) error = NULL;
  BraidConnector *connector;

  self->state = STATE_CONNECTING;
  factory = g_object_new (CLIENT_TYPE_ATTEMPT_FACTORY,
                          "protocol-type", braid_factory_get_protocol_type (self->factory), NULL);
  factory->factory = g_object_ref (self->factory);
  g_weak_ref_set (&factory->service, self);
  self->attempt_factory = G_OBJECT (factory);
  connector = braid_client_endpoint_connect (self->endpoint, self->reactor,
                                             BRAID_CLIENT_FACTORY (factory), &error);
  if (connector == NULL)
    {
      connection_failed (self, error);
      return;
    }
  self->connector = g_object_ref (connector);
}

static void
connection_failed (BraidClientService *self, const GError *reason)
{
  GQueue still_waiting = G_QUEUE_INIT;
  Waiter *waiter;

  /* Only the attempt under way reports (see the attempt factory). */
  g_assert (self->state == STATE_CONNECTING);
  g_message ("Client service '%s': cannot connect to %s: %s", service_name (self),
             braid_client_endpoint_get_description (self->endpoint), reason->message);
  abandon_attempt (self);
  wait_and_retry (self);

  /* Deliver the failure to the waiters whose patience ran out. */
  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      if (waiter->remaining == 0 || --waiter->remaining > 0)
        {
          g_queue_push_tail (&still_waiting, waiter);
          continue;
        }
      braid_deferred_errback (waiter->deferred, g_error_copy (reason));
      braid_deferred_unref (waiter->deferred);
      g_free (waiter);
    }
  self->waiters = still_waiting;
}

static void
connection_made (BraidClientService *self, BraidProtocol *proxy, BraidProtocol *protocol)
{
  Waiter *waiter;

  if (self->state != STATE_CONNECTING || self->proxy != NULL)
    {
      braid_transport_lose_connection (braid_protocol_get_transport (proxy));
      return;
    }
  self->state = STATE_CONNECTED;
  self->failed_attempts = 0;
  self->proxy = g_object_ref (proxy);
  self->protocol = g_object_ref (protocol);
  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      braid_deferred_callback (waiter->deferred, g_object_ref (protocol), g_object_unref);
      braid_deferred_unref (waiter->deferred);
      g_free (waiter);
    }
}

static void
connection_lost (BraidClientService *self, BraidProtocol *proxy)
{
  /* A connection refused in connection_made() is not the service's. */
  if (proxy != self->proxy)
    return;
  g_object_unref (g_steal_pointer (&self->proxy));
  g_object_unref (g_steal_pointer (&self->protocol));   /* set with the proxy */
  abandon_attempt (self);
  switch (self->state)
    {
    case STATE_CONNECTED:
      wait_and_retry (self);
      break;
    case STATE_DISCONNECTING:
      self->state = STATE_STOPPED;
      cancel_waiters (self);
      fire_stop_deferreds (self);
      break;
    case STATE_RESTARTING:
    default:
      /* Only a connected service has a proxy: this is the restart. */
      g_assert (self->state == STATE_RESTARTING);
      fire_stop_deferreds (self);
      client_connect (self);
      break;
    }
}

static void
braid_client_service_start_service (BraidService *service)
{
  BraidClientService *self = BRAID_CLIENT_SERVICE (service);

  BRAID_SERVICE_CLASS (braid_client_service_parent_class)->start_service (service);
  switch (self->state)
    {
    case STATE_INIT:
    case STATE_STOPPED:
      self->failed_attempts = 0;
      client_connect (self);
      break;
    case STATE_DISCONNECTING:
      self->state = STATE_RESTARTING;
      self->failed_attempts = 0;
      break;
    default:
      break;
    }
}

static BraidDeferred *
braid_client_service_stop_service (BraidService *service)
{
  BraidClientService *self = BRAID_CLIENT_SERVICE (service);
  BraidDeferred *stopped;

  BRAID_SERVICE_CLASS (braid_client_service_parent_class)->stop_service (service);
  switch (self->state)
    {
    case STATE_CONNECTING:
      braid_connector_stop_connecting (self->connector);
      abandon_attempt (self);
      self->state = STATE_STOPPED;
      cancel_waiters (self);
      return NULL;
    case STATE_WAITING:
      braid_delayed_call_cancel (self->retry, NULL);
      self->retry = NULL;
      self->state = STATE_STOPPED;
      cancel_waiters (self);
      return NULL;
    case STATE_CONNECTED:
    case STATE_DISCONNECTING:
    case STATE_RESTARTING:
      stopped = braid_deferred_new ();
      g_ptr_array_add (self->stop_deferreds, braid_deferred_ref (stopped));
      if (self->state == STATE_CONNECTED)
        {
          self->state = STATE_DISCONNECTING;
          braid_transport_lose_connection (braid_protocol_get_transport (self->proxy));
        }
      else
        self->state = STATE_DISCONNECTING;
      return stopped;
    case STATE_INIT:
    case STATE_STOPPED:
    default:
      /* Twisted leaves the deferreds of a service stopped before it ever
       * started waiting forever; they are told instead. */
      self->state = STATE_STOPPED;
      cancel_waiters (self);
      return NULL;
    }
}

static void
braid_client_service_dispose (GObject *object)
{
  BraidClientService *self = BRAID_CLIENT_SERVICE (object);

  if (self->retry != NULL)
    braid_delayed_call_cancel (self->retry, NULL);
  self->retry = NULL;
  if (self->state == STATE_CONNECTING)
    braid_connector_stop_connecting (self->connector);
  abandon_attempt (self);
  if (self->proxy != NULL)
    {
      g_weak_ref_set (&CLIENT_PROXY (self->proxy)->service, NULL);
      braid_transport_lose_connection (braid_protocol_get_transport (self->proxy));
    }
  g_clear_object (&self->proxy);
  g_clear_object (&self->protocol);
  self->state = STATE_STOPPED;
  cancel_waiters (self);
  fire_stop_deferreds (self);
  if (self->policy_destroy != NULL)
    self->policy_destroy (self->policy_data);
  self->policy_destroy = NULL;
  G_OBJECT_CLASS (braid_client_service_parent_class)->dispose (object);
}

static void
braid_client_service_finalize (GObject *object)
{
  BraidClientService *self = BRAID_CLIENT_SERVICE (object);

  /* All set by braid_client_service_new(). */
  g_object_unref (self->reactor);
  g_object_unref (self->clock);
  g_object_unref (self->endpoint);
  g_object_unref (self->factory);
  g_ptr_array_unref (self->stop_deferreds);
  G_OBJECT_CLASS (braid_client_service_parent_class)->finalize (object);
}

static void
braid_client_service_class_init (BraidClientServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_client_service_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_client_service_finalize;
  BRAID_SERVICE_CLASS (klass)->start_service = braid_client_service_start_service;
  BRAID_SERVICE_CLASS (klass)->stop_service = braid_client_service_stop_service;
}

static void
braid_client_service_init (BraidClientService *self)
{
  self->policy = default_retry_policy;
  self->state = STATE_INIT;
  self->stop_deferreds = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_deferred_unref);
  g_queue_init (&self->waiters);
}

/**
 * braid_client_service_new:
 * @reactor: the reactor to connect with (and, by default, its clock)
 * @endpoint: where to connect
 * @factory: builds the protocol of each connection
 *
 * Creates a service that keeps a connection to @endpoint while it runs.
 *
 * Returns: (transfer full): the new service
 */
BraidClientService *
braid_client_service_new (BraidReactor *reactor, BraidClientEndpoint *endpoint, BraidFactory *factory)
{
  BraidClientService *self;

  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_CLOCK (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);

  self = g_object_new (BRAID_TYPE_CLIENT_SERVICE, NULL);
  self->reactor = g_object_ref (reactor);
  self->clock = g_object_ref (BRAID_CLOCK (reactor));
  self->endpoint = g_object_ref (endpoint);
  self->factory = g_object_ref (factory);
  return self;
}

/**
 * braid_client_service_set_clock:
 * @self: a client service
 * @clock: the clock the retry delays run on
 *
 * Sets the clock the delays between attempts are counted on (the
 * reactor's by default).
 */
void
braid_client_service_set_clock (BraidClientService *self, BraidClock *clock)
{
  g_return_if_fail (BRAID_IS_CLIENT_SERVICE (self));
  g_return_if_fail (BRAID_IS_CLOCK (clock));
  g_return_if_fail (self->retry == NULL);

  g_set_object (&self->clock, clock);
}

/**
 * braid_client_service_set_retry_policy:
 * @self: a client service
 * @policy: (scope notified) (closure user_data) (destroy destroy): says how
 *   long to wait before the next attempt
 * @user_data: passed to @policy
 * @destroy: (nullable): frees @user_data
 *
 * Replaces the default policy: [func@Braid.backoff_delay] with
 * %BRAID_BACKOFF_INITIAL_DELAY, %BRAID_BACKOFF_MAX_DELAY and
 * %BRAID_BACKOFF_FACTOR, plus a random jitter of 0 to 1 s (Twisted's
 * `backoffPolicy()`). A test gives a policy with a fixed jitter.
 */
void
braid_client_service_set_retry_policy (BraidClientService *self, BraidRetryPolicy policy,
                                       gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (BRAID_IS_CLIENT_SERVICE (self));
  g_return_if_fail (policy != NULL);

  if (self->policy_destroy != NULL)
    self->policy_destroy (self->policy_data);
  self->policy = policy;
  self->policy_data = user_data;
  self->policy_destroy = destroy;
}

/**
 * braid_client_service_when_connected:
 * @self: a client service
 * @fail_after_failures: fail after this many failed attempts in a row
 *   from now; 0 to wait however many attempts it takes
 *
 * Gets the current connection: Twisted's `whenConnected`. The deferred
 * fires with the protocol (a reference, that the deferred's value owns)
 * at once if connected, otherwise when the next connection is made. It
 * fails with the attempt's error after @fail_after_failures failures, and
 * with %G_IO_ERROR_CANCELLED when the service stops (at once if it is
 * stopped).
 *
 * Returns: (transfer full): the deferred protocol
 */
BraidDeferred *
braid_client_service_when_connected (BraidClientService *self, guint fail_after_failures)
{
  Waiter *waiter;

  g_return_val_if_fail (BRAID_IS_CLIENT_SERVICE (self), NULL);

  if (self->state == STATE_CONNECTED)
    return braid_succeed (g_object_ref (self->protocol), g_object_unref);
  if (self->state == STATE_STOPPED)
    return braid_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                    "client service '%s' is stopped", service_name (self)));
  waiter = g_new0 (Waiter, 1);
  waiter->deferred = braid_deferred_new ();
  waiter->remaining = fail_after_failures;
  g_queue_push_tail (&self->waiters, waiter);
  return braid_deferred_ref (waiter->deferred);
}

/**
 * braid_client_service_get_failed_attempts:
 * @self: a client service
 *
 * Counts the connection attempts that failed since the last success.
 *
 * Returns: how many attempts failed in a row (0 once connected)
 */
guint
braid_client_service_get_failed_attempts (BraidClientService *self)
{
  g_return_val_if_fail (BRAID_IS_CLIENT_SERVICE (self), 0);
  return self->failed_attempts;
}
