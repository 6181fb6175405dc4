/* braid-memory-reactor.c: a reactor that records what it is asked to do. */
#include "config.h"

#include "braid-fakes.h"

/**
 * BraidMemoryReactor:
 *
 * A [iface@Braid.Reactor] for tests: Twisted's `MemoryReactorClock`. It
 * opens nothing; it records every `listen_*` and `connect_*` call, so a test
 * checks that a program listens on the right port and builds protocols
 * from the factory it was given:
 *
 * ```c
 * g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
 * start_server (BRAID_REACTOR (reactor));      // the code under test
 * BraidTcpServerRecord *server =
 *   g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
 * g_assert_cmpuint (server->port, ==, 8000);
 * g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (server->factory, NULL);
 * ```
 *
 * It is a [class@Braid.FakeClock] too: `call_later` schedules on fake time,
 * moved by [method@Braid.FakeClock.advance].
 *
 * The lifecycle:
 *
 * - `listen_tcp` / `listen_unix` record the call and return a
 *   [class@Braid.FakeListeningPort]; like a real port, it starts the
 *   factory (braid_factory_do_start()) and stops it when
 *   `stop_listening` is called. Listening twice on the same interface and
 *   non-zero port while the first port still listens fails with
 *   %G_IO_ERROR_ADDRESS_IN_USE.
 * - `listen_tcp_reuse_port` records as `listen_tcp` does, with
 *   `reuse_port` set: two such ports share a port number, as
 *   `SO_REUSEPORT` sockets do, but a port without it still conflicts.
 * - `adopt_stream_port` records the file descriptor and family and
 *   returns a fake port whose host is the family's "any" address, port 0
 *   (Twisted's memory reactor does the same with `0.0.0.0:1234`). It never
 *   looks at the descriptor: a test adopts fd 3 with none open.
 * - `connect_tcp` / `connect_unix` record the call, tell the factory
 *   `started_connecting` (as Twisted's memory reactor does) and return a
 *   [class@Braid.FakeConnector] that counts `connect`, `stop_connecting`
 *   and `disconnect`. No connection is made: build the protocol from the
 *   recorded factory and connect it to a string transport or a loopback.
 * - [method@Braid.Reactor.run] does not loop: it marks the reactor
 *   running, fires the "startup" triggers (before, during, then after,
 *   where the `call_when_running` hooks are) and returns at once.
 *   [method@Braid.Reactor.stop] fires the "shutdown" triggers (before,
 *   during, after) and marks the reactor stopped. Triggers fire once and
 *   are then forgotten, as in Twisted. As with the real reactor, a second
 *   `stop` does nothing, and `run` after a stop is refused (a critical).
 * - `listen_udp` records the call and returns a
 *   [class@Braid.FakeDatagramTransport] serving the protocol (whose
 *   `start_protocol` runs): the test delivers datagrams to it and reads
 *   what the protocol wrote. Port 0 gets a port of its own from 40000 up,
 *   as the system would choose one; a port in use on the same interface
 *   fails with %G_IO_ERROR_ADDRESS_IN_USE.
 * - `call_from_thread` schedules the function on the fake clock with a
 *   zero delay: it runs at the next advance. The fake is not thread-safe;
 *   call it from the test's thread.
 * - `call_in_thread` runs the function at once, in the caller's thread,
 *   rather than on a pool (as the synchronous thread pools of Twisted's
 *   own tests do): a test stays single-threaded and deterministic, and
 *   what the function hands back with `call_from_thread` arrives at the
 *   next advance, as it would from the loop.
 *   [method@Braid.Reactor.defer_to_thread_full] therefore fires at the next
 *   advance. [method@Braid.Reactor.suggest_thread_pool_size] is recorded.
 * - `spawn_process` records the call (see
 *   [method@Braid.MemoryReactor.get_processes]) and connects the protocol
 *   to a [class@Braid.FakeProcess] (pids from 1000 up), which the test
 *   drives; with [method@Braid.MemoryReactor.set_spawn_error] it fails
 *   instead, as a program that does not exist does.
 */

/* ---------------------------------------------------------------------- */
/* The fake listening port.                                                */

/**
 * BraidFakeListeningPort:
 *
 * The [iface@Braid.ListeningPort] that [class@Braid.MemoryReactor] returns.
 * Its host is the interface asked for (0.0.0.0 when none) with the port
 * asked for; [method@Braid.FakeListeningPort.get_listening] says whether
 * `stop_listening` was called.
 */
struct _BraidFakeListeningPort
{
  GObject parent_instance;

  GSocketAddress *host;
  BraidFactory *factory;
  gboolean listening;
};

static void braid_fake_listening_port_iface_init (BraidListeningPortInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidFakeListeningPort, braid_fake_listening_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT,
                                                      braid_fake_listening_port_iface_init))

static GSocketAddress *
braid_fake_listening_port_get_host (BraidListeningPort *port)
{
  return BRAID_FAKE_LISTENING_PORT (port)->host;
}

static void
braid_fake_listening_port_stop_listening (BraidListeningPort *port)
{
  BraidFakeListeningPort *self = BRAID_FAKE_LISTENING_PORT (port);

  if (!self->listening)
    return;
  self->listening = FALSE;
  braid_factory_do_stop (self->factory);
}

static void
braid_fake_listening_port_iface_init (BraidListeningPortInterface *iface)
{
  iface->get_host = braid_fake_listening_port_get_host;
  iface->stop_listening = braid_fake_listening_port_stop_listening;
}

static void
braid_fake_listening_port_finalize (GObject *object)
{
  BraidFakeListeningPort *self = BRAID_FAKE_LISTENING_PORT (object);

  g_clear_object (&self->host);
  g_clear_object (&self->factory);
  G_OBJECT_CLASS (braid_fake_listening_port_parent_class)->finalize (object);
}

static void
braid_fake_listening_port_class_init (BraidFakeListeningPortClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_fake_listening_port_finalize;
}

static void
braid_fake_listening_port_init (BraidFakeListeningPort *self)
{
}

static BraidListeningPort *
fake_listening_port_new (GSocketAddress *host, BraidFactory *factory)
{
  BraidFakeListeningPort *self = g_object_new (BRAID_TYPE_FAKE_LISTENING_PORT, NULL);

  self->host = host;
  self->factory = g_object_ref (factory);
  self->listening = TRUE;
  braid_factory_do_start (factory);
  return BRAID_LISTENING_PORT (self);
}

/**
 * braid_fake_listening_port_get_listening:
 * @self: a fake listening port
 *
 * Tells whether the port still listens.
 *
 * Returns: %TRUE until `stop_listening` is called
 */
gboolean
braid_fake_listening_port_get_listening (BraidFakeListeningPort *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_LISTENING_PORT (self), FALSE);
  return self->listening;
}

/* ---------------------------------------------------------------------- */
/* The fake connector.                                                     */

/**
 * BraidFakeConnector:
 *
 * The [iface@Braid.Connector] that [class@Braid.MemoryReactor] returns. It
 * connects nowhere; it counts the calls made to it, so a test of a
 * reconnecting client checks that it tried again. Like a real connector,
 * [method@Braid.Connector.get_reactor] gives the reactor that made it.
 */
struct _BraidFakeConnector
{
  GObject parent_instance;

  GSocketConnectable *destination;
  BraidReactor *reactor;    /* a weak pointer: NULL once the reactor is gone */
  guint connect_count;
  gboolean stopped_connecting;
  gboolean disconnected;
};

static void braid_fake_connector_iface_init (BraidConnectorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidFakeConnector, braid_fake_connector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CONNECTOR,
                                                      braid_fake_connector_iface_init))

static void
braid_fake_connector_connect (BraidConnector *connector)
{
  BRAID_FAKE_CONNECTOR (connector)->connect_count++;
}

static void
braid_fake_connector_stop_connecting (BraidConnector *connector)
{
  BRAID_FAKE_CONNECTOR (connector)->stopped_connecting = TRUE;
}

static void
braid_fake_connector_disconnect (BraidConnector *connector)
{
  BRAID_FAKE_CONNECTOR (connector)->disconnected = TRUE;
}

static GSocketConnectable *
braid_fake_connector_get_destination (BraidConnector *connector)
{
  return BRAID_FAKE_CONNECTOR (connector)->destination;
}

static BraidReactor *
braid_fake_connector_get_reactor (BraidConnector *connector)
{
  return BRAID_FAKE_CONNECTOR (connector)->reactor;
}

static void
braid_fake_connector_iface_init (BraidConnectorInterface *iface)
{
  iface->connect = braid_fake_connector_connect;
  iface->stop_connecting = braid_fake_connector_stop_connecting;
  iface->disconnect = braid_fake_connector_disconnect;
  iface->get_destination = braid_fake_connector_get_destination;
  iface->get_reactor = braid_fake_connector_get_reactor;
}

static void
braid_fake_connector_finalize (GObject *object)
{
  BraidFakeConnector *self = BRAID_FAKE_CONNECTOR (object);

  g_clear_object (&self->destination);
  if (self->reactor != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->reactor), (gpointer *) &self->reactor);
  G_OBJECT_CLASS (braid_fake_connector_parent_class)->finalize (object);
}

static void
braid_fake_connector_class_init (BraidFakeConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_fake_connector_finalize;
}

static void
braid_fake_connector_init (BraidFakeConnector *self)
{
}

static BraidConnector *
fake_connector_new (BraidReactor *reactor, GSocketConnectable *destination)
{
  BraidFakeConnector *self = g_object_new (BRAID_TYPE_FAKE_CONNECTOR, NULL);

  self->destination = destination;
  /* Weak: the reactor owns its records, which own the connector. */
  self->reactor = reactor;
  g_object_add_weak_pointer (G_OBJECT (reactor), (gpointer *) &self->reactor);
  return BRAID_CONNECTOR (self);
}

/**
 * braid_fake_connector_get_connect_count:
 * @self: a fake connector
 *
 * Counts the times the code under test asked the connector to connect again.
 *
 * Returns: how many times `connect` was called (the first attempt, made by
 *   `connect_tcp` itself, is not counted)
 */
guint
braid_fake_connector_get_connect_count (BraidFakeConnector *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_CONNECTOR (self), 0);
  return self->connect_count;
}

/**
 * braid_fake_connector_get_stopped_connecting:
 * @self: a fake connector
 *
 * Tells whether the code under test asked the connector to stop connecting.
 *
 * Returns: %TRUE once `stop_connecting` was called
 */
gboolean
braid_fake_connector_get_stopped_connecting (BraidFakeConnector *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_CONNECTOR (self), FALSE);
  return self->stopped_connecting;
}

/**
 * braid_fake_connector_get_disconnected:
 * @self: a fake connector
 *
 * Tells whether the code under test asked the connector to disconnect.
 *
 * Returns: %TRUE once `disconnect` was called
 */
gboolean
braid_fake_connector_get_disconnected (BraidFakeConnector *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_CONNECTOR (self), FALSE);
  return self->disconnected;
}

/* ---------------------------------------------------------------------- */
/* The reactor.                                                            */

struct _BraidMemoryReactor
{
  BraidFakeClock parent_instance;

  GPtrArray *tcp_servers;   /* of BraidTcpServerRecord* */
  GPtrArray *tcp_clients;   /* of BraidTcpClientRecord* */
  GPtrArray *unix_servers;  /* of BraidUnixServerRecord* */
  GPtrArray *unix_clients;  /* of BraidUnixClientRecord* */
  GPtrArray *adopted_ports; /* of BraidAdoptedPortRecord* */
  GPtrArray *udp_servers;   /* of BraidUdpServerRecord* */
  guint16 next_udp_port;    /* what port 0 gets, as the system's ephemeral ports */
  BraidTriggerList *triggers;   /* system event triggers and call_when_running hooks */
  gboolean running;
  gboolean has_run;
  gboolean has_stopped;
  GError *listen_error;     /* listen_* fails with it, when set */
  GError *connect_error;    /* connect_* attempts fail with it, when set */
  GPtrArray *processes;     /* of BraidProcessRecord* */
  GError *spawn_error;      /* spawn_process fails with it, when set */
};

static void braid_memory_reactor_reactor_iface_init (BraidReactorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidMemoryReactor, braid_memory_reactor, BRAID_TYPE_FAKE_CLOCK,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_REACTOR,
                                                      braid_memory_reactor_reactor_iface_init))

/* A record owns its factory and its port or connector from the moment it is
 * made (see the listen_* and connect_* functions below), so freeing one
 * always drops both. */
static void
tcp_server_record_free (gpointer data)
{
  BraidTcpServerRecord *record = data;

  g_object_unref (record->factory);
  g_free (record->interface);
  g_object_unref (record->listening_port);
  g_free (record);
}

static void
tcp_client_record_free (gpointer data)
{
  BraidTcpClientRecord *record = data;

  g_free (record->host);
  g_object_unref (record->factory);
  g_clear_object (&record->bind_address);
  g_object_unref (record->connector);
  g_free (record);
}

static void
unix_server_record_free (gpointer data)
{
  BraidUnixServerRecord *record = data;

  g_free (record->path);
  g_object_unref (record->factory);
  g_object_unref (record->listening_port);
  g_free (record);
}

static void
adopted_port_record_free (gpointer data)
{
  BraidAdoptedPortRecord *record = data;

  g_object_unref (record->factory);
  g_object_unref (record->listening_port);
  g_free (record);
}

static void
unix_client_record_free (gpointer data)
{
  BraidUnixClientRecord *record = data;

  g_free (record->path);
  g_object_unref (record->factory);
  g_object_unref (record->connector);
  g_free (record);
}

static void
udp_server_record_free (gpointer data)
{
  BraidUdpServerRecord *record = data;

  g_object_unref (record->protocol);
  g_object_unref (record->transport);
  g_free (record->interface);
  g_free (record);
}

static void
process_record_free (gpointer data)
{
  BraidProcessRecord *record = data;

  g_strfreev (record->argv);
  g_strfreev (record->envp);
  g_free (record->working_directory);
  g_object_unref (record->protocol);
  g_object_unref (record->process);
  g_free (record);
}

static void
fire_event (BraidMemoryReactor *self, const char *event)
{
  braid_trigger_list_fire (self->triggers, event, BRAID_TRIGGER_BEFORE);
  braid_trigger_list_fire (self->triggers, event, BRAID_TRIGGER_DURING);
  braid_trigger_list_fire (self->triggers, event, BRAID_TRIGGER_AFTER);
}

static void
braid_memory_reactor_run (BraidReactor *reactor)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);

  if (self->running)
    {
      g_critical ("braid_reactor_run: this BraidMemoryReactor is already running");
      return;
    }
  /* Refused as the real reactor refuses it, so a test catches a program
   * that would run its reactor twice. */
  if (self->has_run)
    {
      g_critical ("braid_reactor_run: a reactor cannot be run again after it stopped");
      return;
    }
  self->running = TRUE;
  self->has_run = TRUE;
  fire_event (self, "startup");
}

static void
braid_memory_reactor_stop (BraidReactor *reactor)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);

  /* A second stop, even from a shutdown trigger, does nothing: as with
   * the real reactor, several parts of a program may each stop it. */
  if (self->has_stopped)
    return;
  if (!self->running)
    {
      g_critical ("braid_reactor_stop: this BraidMemoryReactor has not been run yet");
      return;
    }
  self->has_stopped = TRUE;
  fire_event (self, "shutdown");
  self->running = FALSE;
}

static gboolean
braid_memory_reactor_is_running (BraidReactor *reactor)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);

  /* FALSE as soon as a stop is asked, as with the real reactor. */
  return self->running && !self->has_stopped;
}

static guint
braid_memory_reactor_add_system_event_trigger (BraidReactor      *reactor,
                                               BraidTriggerPhase  phase,
                                               const char        *event,
                                               BraidCallFunc      func,
                                               gpointer           user_data,
                                               GDestroyNotify     destroy)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);

  return braid_trigger_list_add (self->triggers, phase, event, func, user_data, destroy);
}

static void
braid_memory_reactor_remove_system_event_trigger (BraidReactor *reactor, guint trigger_id)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);

  if (!braid_trigger_list_remove (self->triggers, trigger_id))
    g_critical ("braid_reactor_remove_system_event_trigger: no pending trigger has id %u "
                "(it was removed, or it already fired)", trigger_id);
}

static void
braid_memory_reactor_call_when_running (BraidReactor   *reactor,
                                        BraidCallFunc   func,
                                        gpointer        user_data,
                                        GDestroyNotify  destroy)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);

  braid_trigger_list_call_when_running (self->triggers, self->running,
                                        func, user_data, destroy);
}

static gboolean
address_in_use (BraidMemoryReactor *self, guint16 port, const char *interface,
                gboolean reuse_port)
{
  if (port == 0)
    return FALSE;
  for (guint i = 0; i < self->tcp_servers->len; i++)
    {
      BraidTcpServerRecord *record = g_ptr_array_index (self->tcp_servers, i);

      if (record->port == port && g_strcmp0 (record->interface, interface) == 0
          && !(reuse_port && record->reuse_port)
          && braid_fake_listening_port_get_listening
               (BRAID_FAKE_LISTENING_PORT (record->listening_port)))
        return TRUE;
    }
  return FALSE;
}

/* A connection attempt failing on demand (braid_memory_reactor_set_connect_error):
 * the factory hears of it at the clock's next step, as a real reactor
 * reports a failed connect from its loop, never from inside connect_*. */
typedef struct
{
  BraidClientFactory *factory;
  BraidConnector *connector;
  GError *error;
} FailedConnect;

static void
failed_connect_free (gpointer data)
{
  FailedConnect *failed = data;

  g_object_unref (failed->factory);
  g_object_unref (failed->connector);
  g_error_free (failed->error);
  g_free (failed);
}

static void
failed_connect_report (gpointer data)
{
  FailedConnect *failed = data;

  braid_client_factory_client_connection_failed (failed->factory, failed->connector,
                                                 failed->error);
}

static void
fail_connect_if_asked (BraidMemoryReactor *self,
                       BraidClientFactory *factory,
                       BraidConnector     *connector)
{
  FailedConnect *failed;

  if (self->connect_error == NULL)
    return;
  failed = g_new (FailedConnect, 1);
  failed->factory = g_object_ref (factory);
  failed->connector = g_object_ref (connector);
  failed->error = g_error_copy (self->connect_error);
  braid_clock_call_later (BRAID_CLOCK (self), 0, failed_connect_report, failed,
                          failed_connect_free);
}

static BraidListeningPort *
listen_tcp (BraidReactor  *reactor,
            guint16        port,
            BraidFactory  *factory,
            int            backlog,
            const char    *interface,
            gboolean       reuse_port,
            GError       **error)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidTcpServerRecord *record;
  GSocketAddress *host;

  if (self->listen_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->listen_error));
      return NULL;
    }
  if (address_in_use (self, port, interface, reuse_port))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "Port %u on %s is already in use (by an earlier listen_tcp "
                   "on this BraidMemoryReactor)", port, interface ? interface : "0.0.0.0");
      return NULL;
    }
  host = g_inet_socket_address_new_from_string (interface ? interface : "0.0.0.0", port);
  if (host == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not an IP address", interface);
      return NULL;
    }

  record = g_new0 (BraidTcpServerRecord, 1);
  record->port = port;
  record->factory = g_object_ref (factory);
  record->backlog = backlog;
  record->interface = g_strdup (interface);
  record->reuse_port = reuse_port;
  record->listening_port = fake_listening_port_new (host, factory);
  g_ptr_array_add (self->tcp_servers, record);
  return record->listening_port;
}

static BraidListeningPort *
braid_memory_reactor_listen_tcp (BraidReactor  *reactor,
                                 guint16        port,
                                 BraidFactory  *factory,
                                 int            backlog,
                                 const char    *interface,
                                 GError       **error)
{
  return listen_tcp (reactor, port, factory, backlog, interface, FALSE, error);
}

static BraidListeningPort *
braid_memory_reactor_listen_tcp_reuse_port (BraidReactor  *reactor,
                                            guint16        port,
                                            BraidFactory  *factory,
                                            int            backlog,
                                            const char    *interface,
                                            GError       **error)
{
  return listen_tcp (reactor, port, factory, backlog, interface, TRUE, error);
}

static BraidListeningPort *
braid_memory_reactor_adopt_stream_port (BraidReactor   *reactor,
                                        int             fd,
                                        GSocketFamily   family,
                                        BraidFactory   *factory,
                                        GError        **error)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidAdoptedPortRecord *record;
  GSocketAddress *host;

  if (self->listen_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->listen_error));
      return NULL;
    }
  if (family == G_SOCKET_FAMILY_UNIX)
    host = g_unix_socket_address_new_with_type ("", 0, G_UNIX_SOCKET_ADDRESS_ANONYMOUS);
  else if (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6)
    {
      g_autoptr (GInetAddress) any = g_inet_address_new_any (family);

      host = g_inet_socket_address_new (any, 0);
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot adopt file descriptor %d: the socket is not of the family asked for",
                   fd);
      return NULL;
    }
  record = g_new0 (BraidAdoptedPortRecord, 1);
  record->fd = fd;
  record->family = family;
  record->factory = g_object_ref (factory);
  record->listening_port = fake_listening_port_new (host, factory);
  g_ptr_array_add (self->adopted_ports, record);
  return record->listening_port;
}

static BraidConnector *
braid_memory_reactor_connect_tcp (BraidReactor       *reactor,
                                  const char         *host,
                                  guint16             port,
                                  BraidClientFactory *factory,
                                  gdouble             timeout,
                                  GSocketAddress     *bind_address)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidTcpClientRecord *record = g_new0 (BraidTcpClientRecord, 1);

  record->host = g_strdup (host);
  record->port = port;
  record->factory = g_object_ref (factory);
  record->timeout = timeout;
  record->bind_address = bind_address ? g_object_ref (bind_address) : NULL;
  record->connector = fake_connector_new (reactor, g_network_address_new (host, port));
  g_ptr_array_add (self->tcp_clients, record);
  braid_client_factory_started_connecting (factory, record->connector);
  fail_connect_if_asked (self, factory, record->connector);
  return record->connector;
}

static BraidListeningPort *
braid_memory_reactor_listen_unix (BraidReactor  *reactor,
                                  const char    *path,
                                  BraidFactory  *factory,
                                  int            backlog,
                                  GError       **error)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidUnixServerRecord *record;

  if (self->listen_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->listen_error));
      return NULL;
    }
  record = g_new0 (BraidUnixServerRecord, 1);
  record->path = g_strdup (path);
  record->factory = g_object_ref (factory);
  record->backlog = backlog;
  record->listening_port = fake_listening_port_new (g_unix_socket_address_new (path), factory);
  g_ptr_array_add (self->unix_servers, record);
  return record->listening_port;
}

static BraidConnector *
braid_memory_reactor_connect_unix (BraidReactor       *reactor,
                                   const char         *path,
                                   BraidClientFactory *factory,
                                   gdouble             timeout)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidUnixClientRecord *record = g_new0 (BraidUnixClientRecord, 1);

  record->path = g_strdup (path);
  record->factory = g_object_ref (factory);
  record->timeout = timeout;
  record->connector =
    fake_connector_new (reactor, G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path)));
  g_ptr_array_add (self->unix_clients, record);
  braid_client_factory_started_connecting (factory, record->connector);
  fail_connect_if_asked (self, factory, record->connector);
  return record->connector;
}

static BraidDatagramTransport *
braid_memory_reactor_listen_udp (BraidReactor          *reactor,
                                 guint16                port,
                                 BraidDatagramProtocol *protocol,
                                 const char            *interface,
                                 gsize                  max_packet_size,
                                 GError               **error)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidUdpServerRecord *record;
  g_autoptr (GInetAddress) inet = NULL;
  guint16 bound = port;

  if (self->listen_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->listen_error));
      return NULL;
    }
  inet = g_inet_address_new_from_string (interface != NULL ? interface : "0.0.0.0");
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen on UDP \"%s\": not an IP address", interface);
      return NULL;
    }
  for (guint i = 0; port != 0 && i < self->udp_servers->len; i++)
    {
      BraidUdpServerRecord *other = g_ptr_array_index (self->udp_servers, i);

      if (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (
            braid_datagram_transport_get_host (BRAID_DATAGRAM_TRANSPORT (other->transport)))) == port
          && g_strcmp0 (other->interface, interface) == 0
          && braid_datagram_transport_is_listening (BRAID_DATAGRAM_TRANSPORT (other->transport)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       "UDP port %u on %s is already in use (by an earlier listen_udp "
                       "on this BraidMemoryReactor)", port, interface ? interface : "0.0.0.0");
          return NULL;
        }
    }
  if (bound == 0)
    bound = self->next_udp_port++;

  record = g_new0 (BraidUdpServerRecord, 1);
  record->port = port;
  record->protocol = g_object_ref (protocol);
  record->interface = g_strdup (interface);
  record->max_packet_size = max_packet_size;
  record->transport = braid_fake_datagram_transport_new (interface, bound, max_packet_size);
  g_ptr_array_add (self->udp_servers, record);
  braid_fake_datagram_transport_attach (record->transport, protocol);
  return BRAID_DATAGRAM_TRANSPORT (record->transport);
}

static void
braid_memory_reactor_call_from_thread (BraidReactor   *reactor,
                                       BraidCallFunc   func,
                                       gpointer        user_data,
                                       GDestroyNotify  destroy)
{
  /* The real reactor wakes its loop from another thread; the fake has no
   * loop, so the call waits for the test's next advance. */
  braid_clock_call_later_full (BRAID_CLOCK (reactor), 0, func, user_data, destroy,
                               "braid_reactor_call_from_thread");
}

static BraidProcessTransport *
braid_memory_reactor_spawn_process (BraidReactor          *reactor,
                                    BraidProcessProtocol  *protocol,
                                    const char * const    *argv,
                                    const char * const    *envp,
                                    const char            *working_directory,
                                    GError               **error)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (reactor);
  BraidProcessRecord *record;

  if (self->spawn_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->spawn_error));
      return NULL;
    }
  record = g_new0 (BraidProcessRecord, 1);
  record->argv = g_strdupv ((char **) argv);
  record->envp = g_strdupv ((char **) envp);
  record->working_directory = g_strdup (working_directory);
  record->protocol = g_object_ref (protocol);
  record->process = braid_fake_process_new ((GPid) (1000 + self->processes->len));
  g_ptr_array_add (self->processes, record);
  braid_fake_process_start (record->process, protocol);
  return BRAID_PROCESS_TRANSPORT (record->process);
}

static void
braid_memory_reactor_call_in_thread (BraidReactor   *reactor,
                                     BraidCallFunc   func,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy)
{
  func (user_data);
  if (destroy != NULL)
    destroy (user_data);
}

static void
braid_memory_reactor_reactor_iface_init (BraidReactorInterface *iface)
{
  iface->run = braid_memory_reactor_run;
  iface->stop = braid_memory_reactor_stop;
  iface->is_running = braid_memory_reactor_is_running;
  iface->call_when_running = braid_memory_reactor_call_when_running;
  iface->listen_tcp = braid_memory_reactor_listen_tcp;
  iface->connect_tcp = braid_memory_reactor_connect_tcp;
  iface->listen_unix = braid_memory_reactor_listen_unix;
  iface->listen_tcp_reuse_port = braid_memory_reactor_listen_tcp_reuse_port;
  iface->adopt_stream_port = braid_memory_reactor_adopt_stream_port;
  iface->connect_unix = braid_memory_reactor_connect_unix;
  iface->add_system_event_trigger = braid_memory_reactor_add_system_event_trigger;
  iface->remove_system_event_trigger = braid_memory_reactor_remove_system_event_trigger;
  iface->call_from_thread = braid_memory_reactor_call_from_thread;
  iface->listen_udp = braid_memory_reactor_listen_udp;
  iface->spawn_process = braid_memory_reactor_spawn_process;
  iface->call_in_thread = braid_memory_reactor_call_in_thread;
}

static void
braid_memory_reactor_dispose (GObject *object)
{
  BraidMemoryReactor *self = BRAID_MEMORY_REACTOR (object);

  g_clear_pointer (&self->tcp_servers, g_ptr_array_unref);
  g_clear_pointer (&self->tcp_clients, g_ptr_array_unref);
  g_clear_pointer (&self->unix_servers, g_ptr_array_unref);
  g_clear_pointer (&self->unix_clients, g_ptr_array_unref);
  g_clear_pointer (&self->adopted_ports, g_ptr_array_unref);
  g_clear_pointer (&self->udp_servers, g_ptr_array_unref);
  g_clear_pointer (&self->triggers, braid_trigger_list_free);
  g_clear_error (&self->listen_error);
  g_clear_error (&self->connect_error);
  g_clear_pointer (&self->processes, g_ptr_array_unref);
  g_clear_error (&self->spawn_error);
  G_OBJECT_CLASS (braid_memory_reactor_parent_class)->dispose (object);
}

static void
braid_memory_reactor_class_init (BraidMemoryReactorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_memory_reactor_dispose;
}

static void
braid_memory_reactor_init (BraidMemoryReactor *self)
{
  self->tcp_servers = g_ptr_array_new_with_free_func (tcp_server_record_free);
  self->tcp_clients = g_ptr_array_new_with_free_func (tcp_client_record_free);
  self->unix_servers = g_ptr_array_new_with_free_func (unix_server_record_free);
  self->unix_clients = g_ptr_array_new_with_free_func (unix_client_record_free);
  self->adopted_ports = g_ptr_array_new_with_free_func (adopted_port_record_free);
  self->udp_servers = g_ptr_array_new_with_free_func (udp_server_record_free);
  self->next_udp_port = 40000;
  self->triggers = braid_trigger_list_new ();
  self->processes = g_ptr_array_new_with_free_func (process_record_free);
}

/**
 * braid_memory_reactor_new:
 *
 * Creates a memory reactor: not running, nothing recorded, its fake clock
 * at time 0.
 *
 * Returns: (transfer full): the reactor
 */
BraidMemoryReactor *
braid_memory_reactor_new (void)
{
  return g_object_new (BRAID_TYPE_MEMORY_REACTOR, NULL);
}

/**
 * braid_memory_reactor_get_tcp_servers:
 * @self: a memory reactor
 *
 * Lists the `listen_tcp` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidTcpServerRecord): every
 *   successful `listen_tcp` call, in order
 */
GPtrArray *
braid_memory_reactor_get_tcp_servers (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->tcp_servers;
}

/**
 * braid_memory_reactor_get_tcp_clients:
 * @self: a memory reactor
 *
 * Lists the `connect_tcp` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidTcpClientRecord): every
 *   `connect_tcp` call, in order
 */
GPtrArray *
braid_memory_reactor_get_tcp_clients (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->tcp_clients;
}

/**
 * braid_memory_reactor_get_tcp_server:
 * @self: a memory reactor
 * @index: which `listen_tcp` call, from 0 in call order
 *
 * One record of [method@Braid.MemoryReactor.get_tcp_servers], so a test
 * reads `braid_memory_reactor_get_tcp_server (reactor, 0)->port`. Asking
 * for a call that was not made is a programming error: it logs a critical
 * and returns %NULL.
 *
 * Returns: (transfer none) (nullable): the record of the @index-th
 *   successful `listen_tcp` call, or %NULL if there were not that many
 */
BraidTcpServerRecord *
braid_memory_reactor_get_tcp_server (BraidMemoryReactor *self, guint index)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  g_return_val_if_fail (index < self->tcp_servers->len, NULL);
  return g_ptr_array_index (self->tcp_servers, index);
}

/**
 * braid_memory_reactor_get_tcp_client:
 * @self: a memory reactor
 * @index: which `connect_tcp` call, from 0 in call order
 *
 * One record of [method@Braid.MemoryReactor.get_tcp_clients]: its host,
 * port, factory and the fake connector that was returned. Asking for a
 * call that was not made is a programming error: it logs a critical and
 * returns %NULL.
 *
 * Returns: (transfer none) (nullable): the record of the @index-th
 *   `connect_tcp` call, or %NULL if there were not that many
 */
BraidTcpClientRecord *
braid_memory_reactor_get_tcp_client (BraidMemoryReactor *self, guint index)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  g_return_val_if_fail (index < self->tcp_clients->len, NULL);
  return g_ptr_array_index (self->tcp_clients, index);
}

/**
 * braid_memory_reactor_get_unix_servers:
 * @self: a memory reactor
 *
 * Lists the `listen_unix` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidUnixServerRecord): every
 *   `listen_unix` call, in order
 */
GPtrArray *
braid_memory_reactor_get_unix_servers (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->unix_servers;
}

/**
 * braid_memory_reactor_get_adopted_ports:
 * @self: a memory reactor
 *
 * Lists the `adopt_stream_port` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidAdoptedPortRecord): every
 *   `adopt_stream_port` call, in order
 */
GPtrArray *
braid_memory_reactor_get_adopted_ports (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->adopted_ports;
}

/**
 * braid_memory_reactor_get_unix_clients:
 * @self: a memory reactor
 *
 * Lists the `connect_unix` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidUnixClientRecord): every
 *   `connect_unix` call, in order
 */
GPtrArray *
braid_memory_reactor_get_unix_clients (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->unix_clients;
}

/**
 * braid_memory_reactor_get_has_run:
 * @self: a memory reactor
 *
 * Tells whether the code under test ran the reactor.
 *
 * Returns: %TRUE once [method@Braid.Reactor.run] was called
 */
gboolean
braid_memory_reactor_get_has_run (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), FALSE);
  return self->has_run;
}

/**
 * braid_memory_reactor_get_has_stopped:
 * @self: a memory reactor
 *
 * Tells whether the code under test stopped the reactor.
 *
 * Returns: %TRUE once [method@Braid.Reactor.stop] was called
 */
gboolean
braid_memory_reactor_get_has_stopped (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), FALSE);
  return self->has_stopped;
}

/**
 * braid_memory_reactor_get_trigger_count:
 * @self: a memory reactor
 *
 * Counts the system event triggers still waiting.
 *
 * Returns: how many system event triggers (including `call_when_running`
 *   hooks) are waiting for their event
 */
guint
braid_memory_reactor_get_trigger_count (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), 0);
  return braid_trigger_list_get_length (self->triggers);
}

/* ---------------------------------------------------------------------- */
/* Failing on demand: Twisted's RaisingMemoryReactor */

/**
 * braid_memory_reactor_set_listen_error:
 * @self: a memory reactor
 * @error: (nullable): the error every later `listen_tcp` / `listen_unix`
 *   fails with, or %NULL to listen again
 *
 * Makes listening fail on demand, to test the code that handles it:
 * Twisted's `RaisingMemoryReactor(listenException=...)`, as an option of
 * the memory reactor. The failing call returns %NULL with a copy of @error
 * and records nothing, as a real reactor that could not bind has no port.
 */
void
braid_memory_reactor_set_listen_error (BraidMemoryReactor *self, const GError *error)
{
  g_return_if_fail (BRAID_IS_MEMORY_REACTOR (self));

  g_clear_error (&self->listen_error);
  if (error != NULL)
    self->listen_error = g_error_copy (error);
}

/**
 * braid_memory_reactor_set_connect_error:
 * @self: a memory reactor
 * @error: (nullable): the error every later `connect_tcp` / `connect_unix`
 *   attempt fails with, or %NULL to stop failing them
 *
 * Makes connecting fail on demand: Twisted's
 * `RaisingMemoryReactor(connectException=...)`. Unlike Twisted's, whose
 * `connectTCP` raises, the call is recorded and returns its connector as
 * usual, because a Braid `connect_tcp` has no error to return: a failed
 * attempt is reported to the factory's `client_connection_failed` (with a
 * copy of @error), at the reactor clock's next step (`advance (0)`), as the
 * real reactor reports it from its loop.
 */
void
braid_memory_reactor_set_connect_error (BraidMemoryReactor *self, const GError *error)
{
  g_return_if_fail (BRAID_IS_MEMORY_REACTOR (self));

  g_clear_error (&self->connect_error);
  if (error != NULL)
    self->connect_error = g_error_copy (error);
}

/**
 * braid_memory_reactor_get_udp_servers:
 * @self: a memory reactor
 *
 * Lists the `listen_udp` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidUdpServerRecord): every
 *   successful `listen_udp` call, in order
 */
GPtrArray *
braid_memory_reactor_get_udp_servers (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->udp_servers;
}

/**
 * braid_memory_reactor_get_udp_server:
 * @self: a memory reactor
 * @index: which `listen_udp` call, from 0 in call order
 *
 * One record of [method@Braid.MemoryReactor.get_udp_servers]. Asking for
 * a call that was not made is a programming error (a critical).
 *
 * Returns: (transfer none) (nullable): the record of the @index-th
 *   successful `listen_udp` call
 */
BraidUdpServerRecord *
braid_memory_reactor_get_udp_server (BraidMemoryReactor *self, guint index)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  g_return_val_if_fail (index < self->udp_servers->len, NULL);
  return g_ptr_array_index (self->udp_servers, index);
}

/**
 * braid_memory_reactor_get_processes:
 * @self: a memory reactor
 *
 * Lists the `spawn_process` calls recorded.
 *
 * Returns: (transfer none) (element-type BraidProcessRecord): every
 *   successful `spawn_process` call, in order
 */
GPtrArray *
braid_memory_reactor_get_processes (BraidMemoryReactor *self)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  return self->processes;
}

/**
 * braid_memory_reactor_get_process:
 * @self: a memory reactor
 * @index: which call, from 0
 *
 * Gets one recorded `spawn_process` call.
 *
 * Returns: (transfer none): the record
 */
BraidProcessRecord *
braid_memory_reactor_get_process (BraidMemoryReactor *self, guint index)
{
  g_return_val_if_fail (BRAID_IS_MEMORY_REACTOR (self), NULL);
  g_return_val_if_fail (index < self->processes->len, NULL);
  return g_ptr_array_index (self->processes, index);
}

/**
 * braid_memory_reactor_set_spawn_error:
 * @self: a memory reactor
 * @error: (nullable): the error `spawn_process` fails with, or %NULL to
 *   let it succeed again
 *
 * Makes `spawn_process` fail, as the real reactor does for a program that
 * does not exist (`G_SPAWN_ERROR_NOENT`).
 */
void
braid_memory_reactor_set_spawn_error (BraidMemoryReactor *self, const GError *error)
{
  g_return_if_fail (BRAID_IS_MEMORY_REACTOR (self));
  g_clear_error (&self->spawn_error);
  if (error != NULL)
    self->spawn_error = g_error_copy (error);
}
