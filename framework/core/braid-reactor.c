/* braid-reactor.c: the interface of the event loop. */
#include "config.h"

#include "time/braid-clock.h"
#include "core/braid-client-factory.h"
#include "core/braid-connector.h"
#include "core/braid-datagram-protocol.h"
#include "core/braid-datagram-transport.h"
#include "core/braid-factory.h"
#include "core/braid-listening-port.h"
#include "core/braid-process.h"
#include "core/braid-reactor.h"

/**
 * BraidReactor:
 *
 * The event loop: Twisted's reactor. It waits for events (a socket is
 * readable, a timer is due) and calls the code that handles them, one at a
 * time, in one thread.
 *
 * A reactor is a [iface@Braid.Clock] that can also listen and connect.
 * Braid has two: `BraidGLibReactor`, the real one, on a GLib main
 * context; and `BraidMemoryReactor` in libbraid-fakes, which only records
 * what it was asked to do, so a test can check that a program listens on
 * the right port without opening it.
 *
 * A program builds its factories, asks the reactor to listen or connect,
 * then gives control to [method@Braid.Reactor.run], which returns after
 * [method@Braid.Reactor.stop]:
 *
 * ```c
 * if (!braid_reactor_listen_tcp (reactor, 8000, factory, NULL, &error))
 *   return braid_exit_with_error (error);
 * braid_reactor_run (reactor);
 * ```
 *
 * Nothing in a protocol or factory should reach for a global reactor: give
 * them the reactor (or just the clock) they need, so a test can pass a fake.
 */
G_DEFINE_INTERFACE_WITH_CODE (BraidReactor, braid_reactor, G_TYPE_OBJECT,
                              g_type_interface_add_prerequisite (g_define_type_id,
                                                                 BRAID_TYPE_CLOCK))

static void
braid_reactor_default_init (BraidReactorInterface *iface)
{
}

/**
 * braid_reactor_run:
 * @self: a reactor
 *
 * Runs the event loop until [method@Braid.Reactor.stop] is called.
 *
 * A reactor runs once. Its shutdown closes every port and connection and
 * fires the `shutdown` triggers, so, as with Twisted's
 * `ReactorNotRestartable`, running it again after it stopped is a
 * programming error: it logs a critical and returns at once. Running it
 * while it runs is the same error. Create a new reactor instead.
 */
void
braid_reactor_run (BraidReactor *self)
{
  g_return_if_fail (BRAID_IS_REACTOR (self));
  BRAID_REACTOR_GET_IFACE (self)->run (self);
}

/**
 * braid_reactor_stop:
 * @self: a reactor
 *
 * Stops the event loop: the `before shutdown` triggers run, transports
 * flush what they can, then [method@Braid.Reactor.run] returns.
 *
 * Stopping a reactor that is already stopping (or has stopped) does
 * nothing, silently: a client that is done, a signal and a shutdown
 * trigger may each stop the reactor without checking
 * [method@Braid.Reactor.is_running] first. Stopping a reactor that was
 * never run is a programming error (it logs a critical): to stop it as
 * soon as it runs, stop it from a function given to
 * [method@Braid.Reactor.call_when_running].
 */
void
braid_reactor_stop (BraidReactor *self)
{
  g_return_if_fail (BRAID_IS_REACTOR (self));
  BRAID_REACTOR_GET_IFACE (self)->stop (self);
}

/**
 * braid_reactor_is_running:
 * @self: a reactor
 *
 * Tells whether the reactor is running.
 *
 * Returns: %TRUE while [method@Braid.Reactor.run] runs and no stop was asked
 */
gboolean
braid_reactor_is_running (BraidReactor *self)
{
  g_return_val_if_fail (BRAID_IS_REACTOR (self), FALSE);
  return BRAID_REACTOR_GET_IFACE (self)->is_running (self);
}

/**
 * braid_reactor_call_when_running:
 * @self: a reactor
 * @func: (scope notified) (closure user_data) (destroy destroy): what to call
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data after the call
 *
 * Runs @func once the reactor runs: at once if it already does, else as an
 * `after startup` system event trigger (as in Twisted), in order with the
 * other ones.
 */
void
braid_reactor_call_when_running (BraidReactor   *self,
                                 BraidCallFunc   func,
                                 gpointer        user_data,
                                 GDestroyNotify  destroy)
{
  g_return_if_fail (BRAID_IS_REACTOR (self));
  g_return_if_fail (func != NULL);
  BRAID_REACTOR_GET_IFACE (self)->call_when_running (self, func, user_data, destroy);
}

/**
 * braid_reactor_listen_tcp:
 * @self: a reactor
 * @port: the TCP port, or 0 to let the system choose
 * @factory: builds a protocol for each accepted connection
 * @interface: (nullable): the address to listen on (`"127.0.0.1"`, `"::1"`);
 *   %NULL for every IPv4 and IPv6 address
 * @error: return location for a #GError
 *
 * Listens for TCP connections with the default backlog; see
 * [method@Braid.Reactor.listen_tcp_full].
 *
 * Returns: (transfer none) (nullable): the listening port, owned by the
 *   reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
braid_reactor_listen_tcp (BraidReactor  *self,
                          guint16        port,
                          BraidFactory  *factory,
                          const char    *interface,
                          GError       **error)
{
  return braid_reactor_listen_tcp_full (self, port, factory, BRAID_DEFAULT_BACKLOG,
                                        interface, error);
}

/**
 * braid_reactor_listen_tcp_full:
 * @self: a reactor
 * @port: the TCP port, or 0 to let the system choose
 * @factory: builds a protocol for each accepted connection
 * @backlog: how many connections may wait to be accepted
 * @interface: (nullable): the address to listen on; %NULL for all
 * @error: return location for a #GError
 *
 * Listens for TCP connections: Twisted's `listenTCP`. Each connection
 * accepted gets a protocol from @factory.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by the
 *   reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
braid_reactor_listen_tcp_full (BraidReactor  *self,
                               guint16        port,
                               BraidFactory  *factory,
                               int            backlog,
                               const char    *interface,
                               GError       **error)
{
  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (backlog > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return BRAID_REACTOR_GET_IFACE (self)->listen_tcp (self, port, factory, backlog,
                                                     interface, error);
}

/**
 * braid_reactor_listen_tcp_reuse_port:
 * @self: a reactor
 * @port: the TCP port, or 0 to let the system choose
 * @factory: builds a protocol for each accepted connection
 * @backlog: how many connections may wait to be accepted
 * @interface: (nullable): the address to listen on; %NULL for all
 * @error: return location for a #GError
 *
 * Listens for TCP connections as [method@Braid.Reactor.listen_tcp_full]
 * does, with `SO_REUSEPORT` set on the socket before it is bound: other
 * sockets that set it too (in other processes of the same user) may listen
 * on the same port, and the kernel spreads the new connections between
 * them. This is how `braidd --workers N` shares a port between N
 * processes. Twisted's `listenTCP` has no such option (Twisted programs
 * set the option on a socket of their own and adopt it with
 * [method@Braid.Reactor.adopt_stream_port]).
 *
 * Returns: (transfer none) (nullable): the listening port, owned by the
 *   reactor; %NULL with @error set if the port could not be opened, or
 *   with %G_IO_ERROR_NOT_SUPPORTED if @self cannot set the option
 */
BraidListeningPort *
braid_reactor_listen_tcp_reuse_port (BraidReactor  *self,
                                     guint16        port,
                                     BraidFactory  *factory,
                                     int            backlog,
                                     const char    *interface,
                                     GError       **error)
{
  BraidReactorInterface *iface;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (backlog > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = BRAID_REACTOR_GET_IFACE (self);
  if (iface->listen_tcp_reuse_port == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s cannot share a TCP port (SO_REUSEPORT)", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return iface->listen_tcp_reuse_port (self, port, factory, backlog, interface, error);
}

/**
 * braid_reactor_adopt_stream_port:
 * @self: a reactor
 * @fd: a stream socket, already bound and listening
 * @family: the socket's family: %G_SOCKET_FAMILY_IPV4,
 *   %G_SOCKET_FAMILY_IPV6 or %G_SOCKET_FAMILY_UNIX
 * @factory: builds a protocol for each accepted connection
 * @error: return location for a #GError
 *
 * Accepts connections on a socket that already listens, such as one that
 * systemd passed (socket activation): Twisted's `adoptStreamPort`. As in
 * Twisted, @fd stays the caller's, who may close it at once: the port
 * listens on a duplicate, closed when it stops listening. The port never
 * unlinks a UNIX socket's file (its owner, who made it, does).
 *
 * Returns: (transfer none) (nullable): the listening port, owned by the
 *   reactor; %NULL with @error set if @fd is not a listening socket of
 *   @family, or with %G_IO_ERROR_NOT_SUPPORTED if @self cannot adopt sockets
 */
BraidListeningPort *
braid_reactor_adopt_stream_port (BraidReactor   *self,
                                 int             fd,
                                 GSocketFamily   family,
                                 BraidFactory   *factory,
                                 GError        **error)
{
  BraidReactorInterface *iface;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = BRAID_REACTOR_GET_IFACE (self);
  if (iface->adopt_stream_port == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s cannot adopt a listening socket", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return iface->adopt_stream_port (self, fd, family, factory, error);
}

/**
 * braid_reactor_connect_tcp:
 * @self: a reactor
 * @host: a host name or address
 * @port: the TCP port
 * @factory: builds the protocol once connected, and hears how it went
 *
 * Connects to a TCP server with the default timeout and no bind address;
 * see [method@Braid.Reactor.connect_tcp_full].
 *
 * Returns: (transfer none): the connector, owned by the reactor
 */
BraidConnector *
braid_reactor_connect_tcp (BraidReactor       *self,
                           const char         *host,
                           guint16             port,
                           BraidClientFactory *factory)
{
  return braid_reactor_connect_tcp_full (self, host, port, factory,
                                         BRAID_DEFAULT_CONNECT_TIMEOUT, NULL);
}

/**
 * braid_reactor_connect_tcp_full:
 * @self: a reactor
 * @host: a host name or address, resolved asynchronously
 * @port: the TCP port
 * @factory: builds the protocol once connected, and hears how it went
 * @timeout: seconds before the attempt fails with `G_IO_ERROR_TIMED_OUT`
 * @bind_address: (nullable): the local address to connect from
 *
 * Connects to a TCP server: Twisted's `connectTCP`. The outcome arrives
 * later, through @factory: a protocol and its `connection_made`, or
 * `client_connection_failed`.
 *
 * Returns: (transfer none): the connector, owned by the reactor
 */
BraidConnector *
braid_reactor_connect_tcp_full (BraidReactor       *self,
                                const char         *host,
                                guint16             port,
                                BraidClientFactory *factory,
                                gdouble             timeout,
                                GSocketAddress     *bind_address)
{
  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (BRAID_IS_CLIENT_FACTORY (factory), NULL);
  g_return_val_if_fail (timeout > 0, NULL);
  g_return_val_if_fail (bind_address == NULL || G_IS_SOCKET_ADDRESS (bind_address), NULL);

  return BRAID_REACTOR_GET_IFACE (self)->connect_tcp (self, host, port, factory,
                                                      timeout, bind_address);
}

/**
 * braid_reactor_listen_unix:
 * @self: a reactor
 * @path: the socket's path in the file system
 * @factory: builds a protocol for each accepted connection
 * @error: return location for a #GError
 *
 * Listens on a UNIX domain socket.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by the
 *   reactor; %NULL with @error set on failure
 */
BraidListeningPort *
braid_reactor_listen_unix (BraidReactor  *self,
                           const char    *path,
                           BraidFactory  *factory,
                           GError       **error)
{
  BraidReactorInterface *iface;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = BRAID_REACTOR_GET_IFACE (self);
  if (iface->listen_unix == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s cannot listen on UNIX sockets", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return iface->listen_unix (self, path, factory, BRAID_DEFAULT_BACKLOG, error);
}

/**
 * braid_reactor_connect_unix:
 * @self: a reactor
 * @path: the socket's path in the file system
 * @factory: builds the protocol once connected, and hears how it went
 * @timeout: seconds before the attempt fails
 *
 * Connects to a UNIX domain socket.
 *
 * Returns: (transfer none) (nullable): the connector, owned by the reactor,
 *   or %NULL if @self has no UNIX sockets
 */
BraidConnector *
braid_reactor_connect_unix (BraidReactor       *self,
                            const char         *path,
                            BraidClientFactory *factory,
                            gdouble             timeout)
{
  BraidReactorInterface *iface;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (BRAID_IS_CLIENT_FACTORY (factory), NULL);
  g_return_val_if_fail (timeout > 0, NULL);

  iface = BRAID_REACTOR_GET_IFACE (self);
  g_return_val_if_fail (iface->connect_unix != NULL, NULL);
  return iface->connect_unix (self, path, factory, timeout);
}

/**
 * braid_reactor_add_system_event_trigger:
 * @self: a reactor
 * @phase: before, during or after @event
 * @event: `"startup"` or `"shutdown"`
 * @func: (scope notified) (closure user_data) (destroy destroy): what to call
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data once the trigger ran or was removed
 *
 * Runs @func around a system event: Twisted's `addSystemEventTrigger`. A
 * `before shutdown` trigger is where a server says goodbye to its clients.
 *
 * The triggers of one phase run in the order they were added, each once;
 * every reactor keeps them in a [struct@Braid.TriggerList].
 *
 * Returns: an id for [method@Braid.Reactor.remove_system_event_trigger]
 */
guint
braid_reactor_add_system_event_trigger (BraidReactor      *self,
                                        BraidTriggerPhase  phase,
                                        const char        *event,
                                        BraidCallFunc      func,
                                        gpointer           user_data,
                                        GDestroyNotify     destroy)
{
  g_return_val_if_fail (BRAID_IS_REACTOR (self), 0);
  g_return_val_if_fail (event != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);
  return BRAID_REACTOR_GET_IFACE (self)->add_system_event_trigger (self, phase, event,
                                                                   func, user_data,
                                                                   destroy);
}

/**
 * braid_reactor_remove_system_event_trigger:
 * @self: a reactor
 * @trigger_id: what [method@Braid.Reactor.add_system_event_trigger] returned
 *
 * Removes a trigger that has not run yet. Removing one that already ran,
 * or was removed, is a programming error, reported with a critical.
 */
void
braid_reactor_remove_system_event_trigger (BraidReactor *self, guint trigger_id)
{
  g_return_if_fail (BRAID_IS_REACTOR (self));
  BRAID_REACTOR_GET_IFACE (self)->remove_system_event_trigger (self, trigger_id);
}

/**
 * braid_reactor_call_from_thread:
 * @self: a reactor
 * @func: (scope notified) (closure user_data) (destroy destroy): what to call
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data after the call
 *
 * Runs @func in the reactor's thread soon: the one reactor call that is
 * safe from any thread (Twisted's `callFromThread`).
 */
void
braid_reactor_call_from_thread (BraidReactor   *self,
                                BraidCallFunc   func,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  g_return_if_fail (BRAID_IS_REACTOR (self));
  g_return_if_fail (func != NULL);
  BRAID_REACTOR_GET_IFACE (self)->call_from_thread (self, func, user_data, destroy);
}

/**
 * braid_reactor_listen_udp:
 * @self: a reactor
 * @port: the UDP port, or 0 to let the system choose
 * @protocol: hears every datagram the port receives
 * @interface: (nullable): the address to bind (`"127.0.0.1"`, `"::"` for
 *   every IPv6 address); %NULL for every IPv4 address, as Twisted's `""`
 * @max_packet_size: the biggest datagram to receive; 0 for
 *   %BRAID_DEFAULT_MAX_PACKET_SIZE
 * @error: return location for a #GError
 *
 * Opens a UDP port: Twisted's `listenUDP`. The protocol is given the port
 * ([method@Braid.DatagramProtocol.make_connection]) at once, so its
 * `start_protocol` runs before this returns.
 *
 * A datagram bigger than @max_packet_size is dropped whole and the drop
 * logged (the first one at the message level, the rest at debug): Twisted
 * reads at most `maxPacketSize` bytes and so hands the protocol the
 * truncated head of the datagram, as if that were all; Braid prefers no
 * datagram to a wrong one.
 *
 * Returns: (transfer none) (nullable): the port, owned by the reactor;
 *   %NULL with @error set if it could not be opened
 */
BraidDatagramTransport *
braid_reactor_listen_udp (BraidReactor          *self,
                          guint16                port,
                          BraidDatagramProtocol *protocol,
                          const char            *interface,
                          gsize                  max_packet_size,
                          GError               **error)
{
  BraidReactorInterface *iface;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = BRAID_REACTOR_GET_IFACE (self);
  if (iface->listen_udp == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s cannot listen on UDP", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  if (max_packet_size == 0)
    max_packet_size = BRAID_DEFAULT_MAX_PACKET_SIZE;
  return iface->listen_udp (self, port, protocol, interface, max_packet_size, error);
}

/**
 * braid_reactor_spawn_process:
 * @self: a reactor
 * @protocol: the protocol that hears the child's events
 * @argv: (array zero-terminated=1): the program and its arguments; a
 *   program without a `/` is looked up in the `PATH` of @envp (or of this
 *   process when @envp is %NULL)
 * @envp: (array zero-terminated=1) (nullable): the child's environment,
 *   `NAME=value` strings; %NULL passes this process's environment on
 *   (Twisted's `env=None`)
 * @working_directory: (nullable): the child's working directory; %NULL
 *   for this process's
 * @error: return location for an error
 *
 * Starts a child process with pipes to its stdin, stdout and stderr, and
 * connects @protocol to it: Twisted's `spawnProcess`. `connection_made`
 * is called before this returns; the other events follow from the loop
 * (see [class@Braid.ProcessProtocol]).
 *
 * The child gets no other file descriptor of this process (every
 * descriptor Braid opens is close-on-exec, and the spawn closes the rest),
 * and it is reaped when it exits: no zombie is left.
 *
 * Unlike Twisted, which forks and lets the child fail (a traceback on its
 * stderr and exit code 1), a program that cannot be started (not found,
 * not executable, a working directory that does not exist) fails here,
 * with a `G_SPAWN_ERROR` naming the program, and @protocol hears nothing.
 *
 * Returns: (transfer none) (nullable): the child's transport (the reactor
 *   and @protocol hold it), or %NULL with @error set
 */
BraidProcessTransport *
braid_reactor_spawn_process (BraidReactor          *self,
                             BraidProcessProtocol  *protocol,
                             const char * const    *argv,
                             const char * const    *envp,
                             const char            *working_directory,
                             GError               **error)
{
  BraidReactorInterface *iface;

  g_return_val_if_fail (BRAID_IS_REACTOR (self), NULL);
  g_return_val_if_fail (BRAID_IS_PROCESS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  iface = BRAID_REACTOR_GET_IFACE (self);
  if (iface->spawn_process == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s cannot spawn processes", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return iface->spawn_process (self, protocol, argv, envp, working_directory, error);
}
