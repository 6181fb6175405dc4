#pragma once

#include <braid.h>
#include "braid-fake-clock.h"
#include "braid-fake-datagram-transport.h"
#include "braid-fake-process.h"

G_BEGIN_DECLS

#define BRAID_TYPE_MEMORY_REACTOR (braid_memory_reactor_get_type ())
G_DECLARE_FINAL_TYPE (BraidMemoryReactor, braid_memory_reactor, BRAID, MEMORY_REACTOR, BraidFakeClock)

/**
 * BraidTcpServerRecord:
 * @port: the port asked for
 * @factory: the factory given
 * @backlog: the backlog given
 * @interface: (nullable): the interface given
 * @listening_port: the fake port returned to the caller
 * @reuse_port: whether the call was
 *   [method@Braid.Reactor.listen_tcp_reuse_port] (`SO_REUSEPORT`)
 *
 * One `listen_tcp` (or `listen_tcp_reuse_port`) call recorded by
 * [class@Braid.MemoryReactor].
 */
typedef struct {
  guint16 port;
  BraidFactory *factory;
  int backlog;
  char *interface;
  BraidListeningPort *listening_port;
  gboolean reuse_port;
} BraidTcpServerRecord;

/**
 * BraidAdoptedPortRecord:
 * @fd: the file descriptor given
 * @family: the socket family given
 * @factory: the factory given
 * @listening_port: the fake port returned to the caller
 *
 * One `adopt_stream_port` call recorded by [class@Braid.MemoryReactor].
 */
typedef struct {
  int fd;
  GSocketFamily family;
  BraidFactory *factory;
  BraidListeningPort *listening_port;
} BraidAdoptedPortRecord;

/**
 * BraidTcpClientRecord:
 * @host: the host asked for
 * @port: the port asked for
 * @factory: the client factory given
 * @timeout: the timeout given
 * @bind_address: (nullable): the bind address given
 * @connector: the fake connector returned to the caller
 *
 * One `connect_tcp` call recorded by [class@Braid.MemoryReactor].
 */
typedef struct {
  char *host;
  guint16 port;
  BraidClientFactory *factory;
  gdouble timeout;
  GSocketAddress *bind_address;
  BraidConnector *connector;
} BraidTcpClientRecord;

/**
 * BraidUnixServerRecord:
 * @path: the socket path asked for
 * @factory: the factory given
 * @backlog: the backlog given
 * @listening_port: the fake port returned to the caller
 *
 * One `listen_unix` call recorded by [class@Braid.MemoryReactor].
 */
typedef struct {
  char *path;
  BraidFactory *factory;
  int backlog;
  BraidListeningPort *listening_port;
} BraidUnixServerRecord;

/**
 * BraidUnixClientRecord:
 * @path: the socket path asked for
 * @factory: the client factory given
 * @timeout: the timeout given
 * @connector: the fake connector returned to the caller
 *
 * One `connect_unix` call recorded by [class@Braid.MemoryReactor].
 */
typedef struct {
  char *path;
  BraidClientFactory *factory;
  gdouble timeout;
  BraidConnector *connector;
} BraidUnixClientRecord;

/**
 * BraidUdpServerRecord:
 * @port: the port asked for (0: the fake chose one, see the transport's host)
 * @protocol: the datagram protocol given
 * @interface: (nullable): the interface given
 * @max_packet_size: the maximum packet size (the default when 0 was given)
 * @transport: the fake port returned to the caller
 *
 * One `listen_udp` call recorded by [class@Braid.MemoryReactor].
 */
typedef struct {
  guint16 port;
  BraidDatagramProtocol *protocol;
  char *interface;
  gsize max_packet_size;
  BraidFakeDatagramTransport *transport;
} BraidUdpServerRecord;

/**
 * BraidProcessRecord:
 * @argv: the program and its arguments
 * @envp: (nullable): the environment asked for, %NULL for the parent's
 * @working_directory: (nullable): the working directory asked for
 * @protocol: the process protocol
 * @process: the fake process connected to @protocol
 *
 * A `spawn_process` call recorded by [class@Braid.MemoryReactor].
 */
typedef struct {
  char **argv;
  char **envp;
  char *working_directory;
  BraidProcessProtocol *protocol;
  BraidFakeProcess *process;
} BraidProcessRecord;

#define BRAID_TYPE_FAKE_LISTENING_PORT (braid_fake_listening_port_get_type ())
G_DECLARE_FINAL_TYPE (BraidFakeListeningPort, braid_fake_listening_port,
                      BRAID, FAKE_LISTENING_PORT, GObject)

#define BRAID_TYPE_FAKE_CONNECTOR (braid_fake_connector_get_type ())
G_DECLARE_FINAL_TYPE (BraidFakeConnector, braid_fake_connector,
                      BRAID, FAKE_CONNECTOR, GObject)

gboolean            braid_fake_listening_port_get_listening    (BraidFakeListeningPort *self);
guint               braid_fake_connector_get_connect_count     (BraidFakeConnector     *self);
gboolean            braid_fake_connector_get_stopped_connecting (BraidFakeConnector    *self);
gboolean            braid_fake_connector_get_disconnected      (BraidFakeConnector     *self);

BraidMemoryReactor *braid_memory_reactor_new             (void);
GPtrArray          *braid_memory_reactor_get_tcp_servers (BraidMemoryReactor *self);
GPtrArray          *braid_memory_reactor_get_tcp_clients (BraidMemoryReactor *self);
BraidTcpServerRecord *braid_memory_reactor_get_tcp_server (BraidMemoryReactor *self,
                                                          guint               index);
BraidTcpClientRecord *braid_memory_reactor_get_tcp_client (BraidMemoryReactor *self,
                                                          guint               index);
GPtrArray          *braid_memory_reactor_get_unix_servers (BraidMemoryReactor *self);
GPtrArray          *braid_memory_reactor_get_adopted_ports (BraidMemoryReactor *self);
GPtrArray          *braid_memory_reactor_get_unix_clients (BraidMemoryReactor *self);
GPtrArray          *braid_memory_reactor_get_udp_servers (BraidMemoryReactor *self);
BraidUdpServerRecord *braid_memory_reactor_get_udp_server (BraidMemoryReactor *self,
                                                          guint               index);
gboolean            braid_memory_reactor_get_has_run     (BraidMemoryReactor *self);
gboolean            braid_memory_reactor_get_has_stopped (BraidMemoryReactor *self);
guint               braid_memory_reactor_get_trigger_count (BraidMemoryReactor *self);
void                braid_memory_reactor_set_listen_error  (BraidMemoryReactor *self,
                                                            const GError       *error);
void                braid_memory_reactor_set_connect_error (BraidMemoryReactor *self,
                                                            const GError       *error);
GPtrArray          *braid_memory_reactor_get_processes     (BraidMemoryReactor *self);
BraidProcessRecord *braid_memory_reactor_get_process       (BraidMemoryReactor *self,
                                                            guint               index);
void                braid_memory_reactor_set_spawn_error   (BraidMemoryReactor *self,
                                                            const GError       *error);

G_END_DECLS
