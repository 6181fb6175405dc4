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
  GQueue untried;                     /* GSocketAddress, owned: not tried yet */
  GPtrArray *attempts;                /* Attempt, owned: sockets connecting now */
  BraidDelayedCall *stagger_call;     /* owned: starts the next attempt early */
  GError *last_attempt_error;         /* why the latest attempt failed */
  BraidSocketTransport *transport;    /* not owned, while connected */
};

/* One socket connecting to one of the resolved addresses. A name may resolve
 * to several (localhost: ::1 and 127.0.0.1); they are raced as in "happy
 * eyeballs" (RFC 8305), like Twisted's HostnameEndpoint. */
typedef struct
{
  BraidWatch watch;                   /* the socket */
  BraidSocketConnector *connector;    /* not owned: the connector owns the attempt */
  GSocketAddress *address;
} Attempt;

/* How long an attempt has before the next address is tried alongside it
 * (RFC 8305 recommends 250 ms; Twisted's HostnameEndpoint waits 300 ms). A
 * failed attempt starts the next one at once. */
#define NEXT_ATTEMPT_DELAY 0.25

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
 *    GIO's resolver (the default one: g_resolver_set_default() replaces it,
 *    in a test for instance); the attempt as a whole must finish within the
 *    timeout.
 *
 *    A name may resolve to several addresses (`localhost` gives ::1 and
 *    127.0.0.1). Like Twisted's `HostnameEndpoint`, the connector tries
 *    them all, in the resolver's order, staggered as in "happy eyeballs"
 *    (RFC 8305): the next address is tried as soon as an attempt fails, or
 *    alongside it after 250 ms (Twisted waits 300 ms; 250 ms is the RFC's
 *    figure). The first to connect wins and the others are closed. If all
 *    fail, the error is the last attempt's, naming the address it tried.
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

static inline Attempt *
attempt_from_watch (BraidWatch *watch)
{
  return (Attempt *) ((guint8 *) watch - G_STRUCT_OFFSET (Attempt, watch));
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

/* "localhost:8000 ([::1]:8000)": the destination, and which of its
 * addresses when it was a name. */
static char *
describe_address (BraidSocketConnector *self, GSocketAddress *address)
{
  g_autofree char *where = describe (self);
  g_autofree char *which = NULL;

  if (self->path != NULL || g_hostname_is_ip_address (self->host))
    return g_steal_pointer (&where);
  which = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
  return g_strdup_printf ("%s (%s)", where, which);
}

/* Closes the attempt's socket (if it still has one) and frees it. */
static void
attempt_free (gpointer data)
{
  Attempt *attempt = data;

  if (attempt->watch.fd >= 0)
    {
      g_autoptr (GError) ignored = NULL;
      BraidGLibReactor *reactor = attempt->connector->reactor;

      if (reactor != NULL)
        braid_glib_reactor_watch_set (reactor, &attempt->watch, 0, &ignored);
      close (attempt->watch.fd);
    }
  g_object_unref (attempt->address);   /* set when the attempt is made */
  g_free (attempt);
}

static void
cancel_stagger (BraidSocketConnector *self)
{
  if (self->stagger_call == NULL)
    return;
  /* Cleared when it fires (on_next_attempt_due): still pending here. */
  braid_delayed_call_cancel (self->stagger_call, NULL);
  braid_delayed_call_unref (g_steal_pointer (&self->stagger_call));
}

/* Undoes what an attempt set up: resolution, timers, sockets. */
static void
clean_up_attempt (BraidSocketConnector *self)
{
  if (self->resolving != NULL)
    {
      g_cancellable_cancel (self->resolving);
      g_object_unref (g_steal_pointer (&self->resolving));
    }
  if (self->timeout_call != NULL)
    {
      /* Cleared when it fires (on_timeout): still pending here. */
      braid_delayed_call_cancel (self->timeout_call, NULL);
      braid_delayed_call_unref (g_steal_pointer (&self->timeout_call));
    }
  cancel_stagger (self);
  g_ptr_array_set_size (self->attempts, 0);
  g_queue_clear_full (&self->untried, g_object_unref);
  g_clear_error (&self->last_attempt_error);
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
  braid_delayed_call_unref (g_steal_pointer (&self->failure_call));   /* this call */
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
  self->failure_call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (self->reactor), 0,
                                                                       deliver_failure, self, NULL));
}

static void try_next_addresses (BraidSocketConnector *self);

static GError *
errno_error (BraidSocketConnector *self, GSocketAddress *address, const char *doing,
             int saved_errno)
{
  g_autofree char *where = describe_address (self, address);

  return g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                      "Could not %s %s: %s", doing, where, g_strerror (saved_errno));
}

/* The attempt on @attempt's address failed with @error (taken): remember
 * why, drop it, and go on with the next address. Once every address has
 * failed, the connection fails with the last attempt's error, as Twisted's
 * HostnameEndpoint does. */
static void
attempt_failed (BraidSocketConnector *self, Attempt *attempt, GError *error)
{
  g_clear_error (&self->last_attempt_error);
  self->last_attempt_error = error;
  g_ptr_array_remove_fast (self->attempts, attempt);
  try_next_addresses (self);
}


/* @winner connected: the other attempts are closed, untried addresses
 * dropped, and the connection handed to a new transport. */
static void
connected (BraidSocketConnector *self, Attempt *winner)
{
  g_autoptr (BraidSocketTransport) transport = NULL;
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (GError) ignored = NULL;
  int fd = winner->watch.fd;

  braid_glib_reactor_watch_set (self->reactor, &winner->watch, 0, &ignored);
  winner->watch.fd = -1;   /* the transport owns the socket now */
  transport = braid_socket_transport_new (self->reactor, fd, winner->address);
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
  Attempt *attempt = attempt_from_watch (watch);
  BraidSocketConnector *self = attempt->connector;
  int error = 0;
  socklen_t len = sizeof error;

  if (getsockopt (watch->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
    error = errno;
  if (error != 0)
    attempt_failed (self, attempt, errno_error (self, attempt->address, "connect to", error));
  else
    connected (self, attempt);
}

/* Starts connecting to @address (taken). Returns FALSE if the attempt
 * failed at once (it is then recorded and dropped, and the next address is
 * not started: the caller does that). */
static gboolean
start_attempt (BraidSocketConnector *self, GSocketAddress *address)
{
  struct sockaddr_storage native;
  gssize len = g_socket_address_get_native_size (address);
  g_autoptr (GError) error = NULL;
  Attempt *attempt = g_new0 (Attempt, 1);
  int fd;

  attempt->connector = self;
  attempt->address = address;
  attempt->watch.fd = -1;
  g_ptr_array_add (self->attempts, attempt);

  fd = socket (g_socket_address_get_family (address),
               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto failed_with_errno_creating;
  braid_watch_init (&attempt->watch, fd, on_connect_result);

  if (self->bind_address != NULL)
    {
      gssize bind_len = g_socket_address_get_native_size (self->bind_address);

      if (!g_socket_address_to_native (self->bind_address, &native, sizeof native, &error))
        goto failed;
      if (bind (fd, (struct sockaddr *) &native, bind_len) < 0)
        goto failed_with_errno_binding;
    }

  if (!g_socket_address_to_native (address, &native, sizeof native, &error))
    goto failed;
  /* Even a connection made at once (a UNIX socket) is reported from the
   * loop, when the socket shows writable: the protocol's connection_made
   * never runs inside the call to connect. Only EINPROGRESS means "under
   * way": EAGAIN (a UNIX socket whose backlog is full, or no local TCP port
   * left) means nothing is under way, and the socket would show writable at
   * once without being connected. */
  if (connect (fd, (struct sockaddr *) &native, len) < 0 && errno != EINPROGRESS)
    goto failed_with_errno_connecting;
  if (!braid_glib_reactor_watch_set (self->reactor, &attempt->watch, EPOLLOUT, &error))
    goto failed;
  return TRUE;

  /* Recorded without trying the next address: try_next_addresses does. */
failed_with_errno_creating:
  error = errno_error (self, address, "create a socket for", errno);
  goto failed;
failed_with_errno_binding:
  error = errno_error (self, address, "bind the connection to", errno);
  goto failed;
failed_with_errno_connecting:
  error = errno_error (self, address, "connect to", errno);
failed:
  g_clear_error (&self->last_attempt_error);
  self->last_attempt_error = g_steal_pointer (&error);
  g_ptr_array_remove_fast (self->attempts, attempt);
  return FALSE;
}

static void
on_next_attempt_due (gpointer data)
{
  BraidSocketConnector *self = data;

  braid_delayed_call_unref (g_steal_pointer (&self->stagger_call));   /* this call */
  try_next_addresses (self);
}

/* Starts attempts on the untried addresses until one is under way; if more
 * are left, the next starts after NEXT_ATTEMPT_DELAY unless an attempt
 * fails first. With nothing left to try and nothing under way, the
 * connection fails with the last error. */
static void
try_next_addresses (BraidSocketConnector *self)
{
  cancel_stagger (self);
  while (!g_queue_is_empty (&self->untried))
    {
      if (start_attempt (self, g_queue_pop_head (&self->untried)))
        {
          if (!g_queue_is_empty (&self->untried))
            self->stagger_call = braid_delayed_call_ref (
                        braid_clock_call_later (BRAID_CLOCK (self->reactor), NEXT_ATTEMPT_DELAY,
                                                on_next_attempt_due, self, NULL));
          return;
        }
    }
  if (self->attempts->len == 0)
    {
      GError *error = g_steal_pointer (&self->last_attempt_error);

      if (error == NULL)   /* a resolver that answered with no address */
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no address",
                             self->host);
      fail (self, error);
    }
}

/* Races connections to @addresses (GSocketAddress, taken, with the list). */
static void
connect_to_addresses (BraidSocketConnector *self, GList *addresses)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    g_queue_push_tail (&self->untried, l->data);
  g_list_free (addresses);
  try_next_addresses (self);
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (BraidSocketConnector) self = data;   /* the reference taken for the lookup */
  g_autoptr (GError) error = NULL;
  GList *addresses;
  GList *socket_addresses = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* stopped, timed out or abandoned meanwhile: already handled */
  g_clear_object (&self->resolving);
  if (addresses == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  /* In the resolver's order (getaddrinfo's, RFC 6724), as Twisted does. */
  for (GList *l = addresses; l != NULL; l = l->next)
    socket_addresses = g_list_prepend (socket_addresses,
                                       g_inet_socket_address_new (l->data, self->port));
  g_resolver_free_addresses (addresses);
  connect_to_addresses (self, g_list_reverse (socket_addresses));
}

static void
on_timeout (gpointer data)
{
  BraidSocketConnector *self = data;
  g_autofree char *where = describe (self);

  braid_delayed_call_unref (g_steal_pointer (&self->timeout_call));   /* this call */
  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Connection to %s timed out after %g seconds", where,
                           self->timeout));
}

static void
resolve_and_connect (BraidSocketConnector *self)
{
  g_autoptr (GInetAddress) literal = NULL;
  g_autoptr (GResolver) resolver = NULL;
  GMainContext *context;

  if (self->path != NULL)
    {
      connect_to_addresses (self, g_list_prepend (NULL, g_unix_socket_address_new (self->path)));
      return;
    }

  literal = g_inet_address_new_from_string (self->host);
  if (literal != NULL)
    {
      connect_to_addresses (self, g_list_prepend (NULL, g_inet_socket_address_new (literal,
                                                                                  self->port)));
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

  self->timeout_call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (self->reactor),
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
      braid_delayed_call_unref (g_steal_pointer (&self->failure_call));
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

  g_assert (self->attempts->len == 0);
  g_ptr_array_unref (self->attempts);
  g_queue_clear_full (&self->untried, g_object_unref);
  if (self->reactor != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->reactor), (gpointer *) &self->reactor);
  g_clear_object (&self->factory);
  g_clear_object (&self->bind_address);
  g_clear_object (&self->destination);
  g_clear_pointer (&self->stagger_call, braid_delayed_call_unref);
  g_clear_error (&self->last_attempt_error);
  g_clear_pointer (&self->timeout_call, braid_delayed_call_unref);
  g_clear_pointer (&self->failure_call, braid_delayed_call_unref);
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
  self->attempts = g_ptr_array_new_with_free_func (attempt_free);
  g_queue_init (&self->untried);
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
