/* braid-socket-connector.c: an outgoing TCP or UNIX connection. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "reactor/braid-glib-reactor-private.h"
#include "braid-error.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "core/braid-connector.h"
#include "core/braid-reactor.h"
#include "core/braid-transport.h"

typedef enum {
  CONNECTOR_DISCONNECTED,
  CONNECTOR_CONNECTING,
  CONNECTOR_FAILING,        /* the failure is about to be delivered */
  CONNECTOR_CONNECTED,
} ConnectorState;

struct _BraidSocketConnector
{
  GObject parent_instance;

  BraidGLibReactor *reactor;          /* a weak pointer: NULL once the reactor is gone */
  BraidClientFactory *factory;
  char *host;                         /* TCP */
  guint16 port;
  char *path;                         /* UNIX */
  gdouble timeout;
  GSocketAddress *bind_address;
  GSocketConnectable *destination;

  ConnectorState state;
  gboolean factory_started;
  GCancellable *resolving;            /* while the host name is resolved */
  BraidDelayedCall *timeout_call;     /* owned, while connecting */
  BraidDelayedCall *failure_call;     /* owned, while failing */
  GError *failure;
  BraidWatch watch;                   /* the socket, while connecting */
  GSocketAddress *address;            /* what we connect to, once known */
  BraidSocketTransport *transport;    /* not owned, while connected */
};

static void braid_socket_connector_connector_init (BraidConnectorInterface *iface);

/**
 * BraidSocketConnector:
 *
 * The [iface@Braid.Connector] of a [class@Braid.GLibReactor]: one outgoing
 * TCP or UNIX connection, as returned by [method@Braid.Reactor.connect_tcp]
 * and [method@Braid.Reactor.connect_unix].
 *
 * Its life, told through the client factory's events:
 *
 * 1. `connect`: the factory starts (`start_factory`, once), then hears
 *    `started_connecting`. A host name is resolved asynchronously with
 *    GIO's resolver; the attempt as a whole must finish within the timeout.
 * 2. Success: the factory builds the protocol, whose `connection_made`
 *    runs. When the connection ends the factory hears
 *    `client_connection_lost` with the protocol's reason.
 * 3. Failure: `client_connection_failed`, always asynchronously, with
 *    `G_IO_ERROR_CONNECTION_REFUSED`, `G_IO_ERROR_TIMED_OUT`, the
 *    resolver's error for a host that does not resolve, or
 *    `G_IO_ERROR_CANCELLED` after [method@Braid.Connector.stop_connecting].
 *
 * From either callback the factory may call [method@Braid.Connector.connect]
 * again (a reconnecting client). If it does not, the factory stops
 * (`stop_factory`) and the reactor lets go of the connector: keep a
 * reference to use it after that.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSocketConnector, braid_socket_connector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CONNECTOR,
                                                      braid_socket_connector_connector_init))

static inline BraidSocketConnector *
connector_from_watch (BraidWatch *watch)
{
  return (BraidSocketConnector *) ((guint8 *) watch - G_STRUCT_OFFSET (BraidSocketConnector, watch));
}

static char *
describe (BraidSocketConnector *self)
{
  if (self->path != NULL)
    return g_strdup (self->path);
  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", self->host, self->port);
  return g_strdup_printf ("%s:%u", self->host, self->port);
}

/* Undoes what an attempt set up: resolution, timer, socket. */
static void
clean_up_attempt (BraidSocketConnector *self)
{
  if (self->resolving != NULL)
    {
      g_cancellable_cancel (self->resolving);
      g_clear_object (&self->resolving);
    }
  if (self->timeout_call != NULL)
    {
      if (braid_delayed_call_active (self->timeout_call))
        braid_delayed_call_cancel (self->timeout_call, NULL);
      g_clear_object (&self->timeout_call);
    }
  if (self->watch.fd >= 0)
    {
      g_autoptr (GError) ignored = NULL;

      if (self->reactor != NULL)
        braid_glib_reactor_watch_set (self->reactor, &self->watch, 0, &ignored);
      close (self->watch.fd);
      self->watch.fd = -1;
    }
  g_clear_object (&self->address);
}

/* The attempt is over and nobody asked for another: stop the factory and
 * let the reactor forget us. */
static void
finish_if_idle (BraidSocketConnector *self)
{
  if (self->state != CONNECTOR_DISCONNECTED)
    return;
  if (self->factory_started)
    {
      self->factory_started = FALSE;
      braid_factory_do_stop (BRAID_FACTORY (self->factory));
    }
  if (self->reactor != NULL)
    braid_glib_reactor_forget_connector (self->reactor, self);
}

static void
deliver_failure (gpointer data)
{
  BraidSocketConnector *self = data;
  g_autoptr (GError) failure = g_steal_pointer (&self->failure);

  g_object_ref (self);
  g_clear_object (&self->failure_call);
  self->state = CONNECTOR_DISCONNECTED;
  braid_client_factory_client_connection_failed (self->factory, BRAID_CONNECTOR (self), failure);
  finish_if_idle (self);
  g_object_unref (self);
}

/* Fails the attempt with @error (taken). The factory hears it from a
 * delayed call, never from inside the call that caused it: a factory that
 * reconnects from client_connection_failed then cannot recurse. */
static void
fail (BraidSocketConnector *self, GError *error)
{
  clean_up_attempt (self);
  self->state = CONNECTOR_FAILING;
  self->failure = error;
  self->failure_call = g_object_ref (braid_clock_call_later (BRAID_CLOCK (self->reactor), 0,
                                                             deliver_failure, self, NULL));
}

static void
fail_with_errno (BraidSocketConnector *self, const char *doing, int saved_errno)
{
  g_autofree char *where = describe (self);

  fail (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           "Could not %s %s: %s", doing, where, g_strerror (saved_errno)));
}

static void
connected (BraidSocketConnector *self)
{
  g_autoptr (BraidSocketTransport) transport = NULL;
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (GError) ignored = NULL;
  int fd = self->watch.fd;

  braid_glib_reactor_watch_set (self->reactor, &self->watch, 0, &ignored);
  self->watch.fd = -1;   /* the transport owns the socket now */
  transport = braid_socket_transport_new (self->reactor, fd, self->address);
  clean_up_attempt (self);

  protocol = braid_factory_build_protocol (BRAID_FACTORY (self->factory),
                                           braid_transport_get_peer (BRAID_TRANSPORT (transport)));
  if (protocol == NULL)
    {
      g_autofree char *where = describe (self);

      g_info ("The factory connecting to %s built no protocol: connection closed", where);
      fail (self, g_error_new (BRAID_ERROR, BRAID_ERROR_FAILED,
                               "The factory built no protocol for the connection to %s",
                               where));
      return;
    }
  self->state = CONNECTOR_CONNECTED;
  self->transport = transport;
  if (!braid_socket_transport_start (transport, protocol, self))
    {
      self->transport = NULL;
      fail (self, g_error_new_literal (BRAID_ERROR, BRAID_ERROR_FAILED,
                                       "The reactor could not watch the new connection"));
    }
}

static void
on_connect_result (BraidWatch *watch, guint32 events)
{
  BraidSocketConnector *self = connector_from_watch (watch);
  int error = 0;
  socklen_t len = sizeof error;

  if (getsockopt (watch->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
    error = errno;
  if (error != 0)
    fail_with_errno (self, "connect to", error);
  else
    connected (self);
}

static void
connect_to_address (BraidSocketConnector *self, GSocketAddress *address)
{
  struct sockaddr_storage native;
  gssize len = g_socket_address_get_native_size (address);
  g_autoptr (GError) error = NULL;
  int fd;

  self->address = g_object_ref (address);
  fd = socket (g_socket_address_get_family (address),
               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      fail_with_errno (self, "create a socket for", errno);
      return;
    }
  braid_watch_init (&self->watch, fd, on_connect_result);

  if (self->bind_address != NULL)
    {
      gssize bind_len = g_socket_address_get_native_size (self->bind_address);

      if (!g_socket_address_to_native (self->bind_address, &native, sizeof native, &error))
        {
          fail (self, g_steal_pointer (&error));
          return;
        }
      if (bind (fd, (struct sockaddr *) &native, bind_len) < 0)
        {
          fail_with_errno (self, "bind the connection to", errno);
          return;
        }
    }

  if (!g_socket_address_to_native (address, &native, sizeof native, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  /* Even a connection made at once (a UNIX socket) is reported from the
   * loop, when the socket shows writable: the protocol's connection_made
   * never runs inside the call to connect. Only EINPROGRESS means "under
   * way": EAGAIN (a UNIX socket whose backlog is full, or no local TCP port
   * left) means nothing is under way, and the socket would show writable at
   * once without being connected. */
  if (connect (fd, (struct sockaddr *) &native, len) < 0 && errno != EINPROGRESS)
    {
      fail_with_errno (self, "connect to", errno);
      return;
    }
  if (!braid_glib_reactor_watch_set (self->reactor, &self->watch, EPOLLOUT, &error))
    fail (self, g_steal_pointer (&error));
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (BraidSocketConnector) self = data;   /* the reference taken for the lookup */
  g_autoptr (GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* stopped, timed out or abandoned meanwhile: already handled */
  g_clear_object (&self->resolving);
  if (addresses == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  {
    g_autoptr (GSocketAddress) address =
      g_inet_socket_address_new (addresses->data, self->port);

    g_resolver_free_addresses (addresses);
    connect_to_address (self, address);
  }
}

static void
on_timeout (gpointer data)
{
  BraidSocketConnector *self = data;
  g_autofree char *where = describe (self);

  g_clear_object (&self->timeout_call);
  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Connection to %s timed out after %g seconds", where,
                           self->timeout));
}

static void
resolve_and_connect (BraidSocketConnector *self)
{
  g_autoptr (GInetAddress) literal = NULL;
  g_autoptr (GResolver) resolver = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  GMainContext *context;

  if (self->path != NULL)
    {
      address = g_unix_socket_address_new (self->path);
      connect_to_address (self, address);
      return;
    }

  literal = g_inet_address_new_from_string (self->host);
  if (literal != NULL)
    {
      address = g_inet_socket_address_new (literal, self->port);
      connect_to_address (self, address);
      return;
    }

  /* GIO calls back on the thread-default context of the caller: make that
   * the reactor's, whichever context the caller was on. */
  context = braid_glib_reactor_get_context (self->reactor);
  resolver = g_resolver_get_default ();
  self->resolving = g_cancellable_new ();
  g_main_context_push_thread_default (context);
  g_resolver_lookup_by_name_async (resolver, self->host, self->resolving, on_resolved,
                                   g_object_ref (self));
  g_main_context_pop_thread_default (context);
}

static void
braid_socket_connector_connect (BraidConnector *connector)
{
  BraidSocketConnector *self = BRAID_SOCKET_CONNECTOR (connector);

  if (self->state != CONNECTOR_DISCONNECTED || self->reactor == NULL)
    {
      g_critical ("braid_connector_connect: the connector is busy, or its reactor is gone");
      return;
    }
  self->state = CONNECTOR_CONNECTING;
  braid_glib_reactor_keep_connector (self->reactor, self);
  if (!self->factory_started)
    {
      self->factory_started = TRUE;
      braid_factory_do_start (BRAID_FACTORY (self->factory));
    }
  braid_client_factory_started_connecting (self->factory, connector);
  if (self->state != CONNECTOR_CONNECTING)
    return;   /* the factory stopped the attempt already */

  self->timeout_call = g_object_ref (braid_clock_call_later (BRAID_CLOCK (self->reactor),
                                                             self->timeout, on_timeout,
                                                             self, NULL));
  resolve_and_connect (self);
}

static void
braid_socket_connector_stop_connecting (BraidConnector *connector)
{
  BraidSocketConnector *self = BRAID_SOCKET_CONNECTOR (connector);

  if (self->state != CONNECTOR_CONNECTING)
    {
      g_critical ("braid_connector_stop_connecting: the connector is not connecting");
      return;
    }
  fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   "The connection attempt was cancelled"));
}

static void
braid_socket_connector_disconnect (BraidConnector *connector)
{
  BraidSocketConnector *self = BRAID_SOCKET_CONNECTOR (connector);

  if (self->state == CONNECTOR_CONNECTING)
    braid_socket_connector_stop_connecting (connector);
  else if (self->state == CONNECTOR_CONNECTED)   /* then the transport is set */
    braid_transport_lose_connection (BRAID_TRANSPORT (self->transport));
}

static GSocketConnectable *
braid_socket_connector_get_destination (BraidConnector *connector)
{
  return BRAID_SOCKET_CONNECTOR (connector)->destination;
}

static BraidReactor *
braid_socket_connector_get_reactor (BraidConnector *connector)
{
  BraidSocketConnector *self = BRAID_SOCKET_CONNECTOR (connector);

  return self->reactor != NULL ? BRAID_REACTOR (self->reactor) : NULL;
}

static void
braid_socket_connector_connector_init (BraidConnectorInterface *iface)
{
  iface->connect = braid_socket_connector_connect;
  iface->stop_connecting = braid_socket_connector_stop_connecting;
  iface->disconnect = braid_socket_connector_disconnect;
  iface->get_destination = braid_socket_connector_get_destination;
  iface->get_reactor = braid_socket_connector_get_reactor;
}

/* The established connection ended (the transport calls this after the
 * protocol's connection_lost). */
void
braid_socket_connector_connection_lost (BraidSocketConnector *self, const GError *reason)
{
  g_object_ref (self);
  self->transport = NULL;
  self->state = CONNECTOR_DISCONNECTED;
  braid_client_factory_client_connection_lost (self->factory, BRAID_CONNECTOR (self), reason);
  finish_if_idle (self);
  g_object_unref (self);
}

/* The reactor shuts down or goes away: drop the attempt without calling the
 * factory back (its stop_factory still runs), and forget the reactor. */
void
braid_socket_connector_abandon (BraidSocketConnector *self)
{
  BraidGLibReactor *reactor = self->reactor;

  g_object_ref (self);
  clean_up_attempt (self);
  if (self->failure_call != NULL)
    {
      braid_delayed_call_cancel (self->failure_call, NULL);
      g_clear_object (&self->failure_call);
    }
  g_clear_error (&self->failure);
  if (self->state != CONNECTOR_CONNECTED)
    self->state = CONNECTOR_DISCONNECTED;
  if (self->factory_started && self->state == CONNECTOR_DISCONNECTED)
    {
      self->factory_started = FALSE;
      braid_factory_do_stop (BRAID_FACTORY (self->factory));
    }
  braid_glib_reactor_forget_connector (reactor, self);
  g_object_unref (self);
}

static void
braid_socket_connector_finalize (GObject *object)
{
  BraidSocketConnector *self = BRAID_SOCKET_CONNECTOR (object);

  g_assert (self->watch.fd < 0);
  if (self->reactor != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->reactor), (gpointer *) &self->reactor);
  g_clear_object (&self->factory);
  g_clear_object (&self->bind_address);
  g_clear_object (&self->destination);
  g_clear_object (&self->address);
  g_clear_object (&self->timeout_call);
  g_clear_object (&self->failure_call);
  g_clear_object (&self->resolving);
  g_clear_error (&self->failure);
  g_free (self->host);
  g_free (self->path);
  G_OBJECT_CLASS (braid_socket_connector_parent_class)->finalize (object);
}

static void
braid_socket_connector_class_init (BraidSocketConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_socket_connector_finalize;
}

static void
braid_socket_connector_init (BraidSocketConnector *self)
{
  self->watch.fd = -1;
}

static BraidSocketConnector *
connector_new (BraidGLibReactor *reactor, BraidClientFactory *factory, gdouble timeout)
{
  BraidSocketConnector *self = g_object_new (BRAID_TYPE_SOCKET_CONNECTOR, NULL);

  /* Weak: the reactor keeps the connectors it uses, and a program may keep
   * a connector after dropping the reactor. */
  self->reactor = reactor;
  g_object_add_weak_pointer (G_OBJECT (reactor), (gpointer *) &self->reactor);
  self->factory = g_object_ref (factory);
  self->timeout = timeout;
  return self;
}

/* A connector to TCP @host:@port; call connect to start it. */
BraidSocketConnector *
braid_socket_connector_new_tcp (BraidGLibReactor   *reactor,
                                const char         *host,
                                guint16             port,
                                BraidClientFactory *factory,
                                gdouble             timeout,
                                GSocketAddress     *bind_address)
{
  BraidSocketConnector *self = connector_new (reactor, factory, timeout);

  self->host = g_strdup (host);
  self->port = port;
  self->destination = g_network_address_new (host, port);
  if (bind_address != NULL)
    self->bind_address = g_object_ref (bind_address);
  return self;
}

/* A connector to the UNIX socket @path; call connect to start it. */
BraidSocketConnector *
braid_socket_connector_new_unix (BraidGLibReactor   *reactor,
                                 const char         *path,
                                 BraidClientFactory *factory,
                                 gdouble             timeout)
{
  BraidSocketConnector *self = connector_new (reactor, factory, timeout);

  self->path = g_strdup (path);
  self->destination = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path));
  return self;
}
