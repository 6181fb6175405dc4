#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_REACTOR (braid_reactor_get_type ())
G_DECLARE_INTERFACE (BraidReactor, braid_reactor, BRAID, REACTOR, GObject)

/**
 * BraidTriggerPhase:
 * @BRAID_TRIGGER_BEFORE: before the event (a `before shutdown` trigger runs
 *   while connections are still open)
 * @BRAID_TRIGGER_DURING: during the event
 * @BRAID_TRIGGER_AFTER: after the event
 *
 * When a system event trigger runs, relative to its event.
 */
typedef enum {
  BRAID_TRIGGER_BEFORE,
  BRAID_TRIGGER_DURING,
  BRAID_TRIGGER_AFTER,
} BraidTriggerPhase;

/**
 * BRAID_DEFAULT_BACKLOG:
 *
 * The listen backlog used when none is given: 50, as in Twisted.
 */
#define BRAID_DEFAULT_BACKLOG 50

/**
 * BRAID_DEFAULT_CONNECT_TIMEOUT:
 *
 * Seconds a connection attempt may take when no timeout is given: 30, as
 * in Twisted.
 */
#define BRAID_DEFAULT_CONNECT_TIMEOUT 30.0

/**
 * BraidReactorInterface:
 * @g_iface: the parent interface
 * @run: run the event loop until stopped
 * @stop: stop the event loop (after the shutdown triggers)
 * @is_running: whether the loop runs
 * @call_when_running: run a function once the loop runs (now if it does)
 * @listen_tcp: listen for TCP connections
 * @connect_tcp: connect to a TCP server
 * @listen_unix: listen on a UNIX socket path
 * @connect_unix: connect to a UNIX socket path
 * @add_system_event_trigger: run a function around `startup` or `shutdown`
 * @remove_system_event_trigger: remove such a function
 * @call_from_thread: run a function in the reactor's thread, from any thread
 * @listen_tcp_reuse_port: listen for TCP connections with `SO_REUSEPORT`;
 *   %NULL when the reactor cannot
 * @adopt_stream_port: accept on a socket that already listens; %NULL when
 *   the reactor cannot
 * @listen_udp: open a UDP port for a datagram protocol
 * @spawn_process: start a child process with pipes to its stdin, stdout and
 *   stderr
 * @call_in_thread: run a function in a worker thread; %NULL runs it on the
 *   reactor's thread pool ([method@Braid.Reactor.call_in_thread])
 *
 * The virtual methods of [iface@Braid.Reactor]. A reactor is also a
 * [iface@Braid.Clock].
 */
struct _BraidReactorInterface
{
  GTypeInterface g_iface;

  void                (*run)                         (BraidReactor       *self);
  void                (*stop)                        (BraidReactor       *self);
  gboolean            (*is_running)                  (BraidReactor       *self);
  void                (*call_when_running)           (BraidReactor       *self,
                                                      BraidCallFunc       func,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);
  BraidListeningPort *(*listen_tcp)                  (BraidReactor       *self,
                                                      guint16             port,
                                                      BraidFactory       *factory,
                                                      int                 backlog,
                                                      const char         *interface,
                                                      GError            **error);
  BraidConnector     *(*connect_tcp)                 (BraidReactor       *self,
                                                      const char         *host,
                                                      guint16             port,
                                                      BraidClientFactory *factory,
                                                      gdouble             timeout,
                                                      GSocketAddress     *bind_address);
  BraidListeningPort *(*listen_unix)                 (BraidReactor       *self,
                                                      const char         *path,
                                                      BraidFactory       *factory,
                                                      int                 backlog,
                                                      GError            **error);
  BraidConnector     *(*connect_unix)                (BraidReactor       *self,
                                                      const char         *path,
                                                      BraidClientFactory *factory,
                                                      gdouble             timeout);
  guint               (*add_system_event_trigger)    (BraidReactor       *self,
                                                      BraidTriggerPhase   phase,
                                                      const char         *event,
                                                      BraidCallFunc       func,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);
  void                (*remove_system_event_trigger) (BraidReactor       *self,
                                                      guint               trigger_id);
  void                (*call_from_thread)            (BraidReactor       *self,
                                                      BraidCallFunc       func,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);
  BraidListeningPort *(*listen_tcp_reuse_port)       (BraidReactor       *self,
                                                      guint16             port,
                                                      BraidFactory       *factory,
                                                      int                 backlog,
                                                      const char         *interface,
                                                      GError            **error);
  BraidListeningPort *(*adopt_stream_port)           (BraidReactor       *self,
                                                      int                 fd,
                                                      GSocketFamily       family,
                                                      BraidFactory       *factory,
                                                      GError            **error);
  BraidDatagramTransport *(*listen_udp)              (BraidReactor          *self,
                                                      guint16                port,
                                                      BraidDatagramProtocol *protocol,
                                                      const char            *interface,
                                                      gsize                  max_packet_size,
                                                      GError               **error);

  BraidProcessTransport *(*spawn_process)            (BraidReactor          *self,
                                                      BraidProcessProtocol  *protocol,
                                                      const char * const    *argv,
                                                      const char * const    *envp,
                                                      const char            *working_directory,
                                                      GError               **error);
  void                (*call_in_thread)              (BraidReactor       *self,
                                                      BraidCallFunc       func,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);

  /*< private >*/
  gpointer padding[7];
};

void                braid_reactor_run                         (BraidReactor       *self);
void                braid_reactor_stop                        (BraidReactor       *self);
gboolean            braid_reactor_is_running                  (BraidReactor       *self);
void                braid_reactor_call_when_running           (BraidReactor       *self,
                                                               BraidCallFunc       func,
                                                               gpointer            user_data,
                                                               GDestroyNotify      destroy);
BraidListeningPort *braid_reactor_listen_tcp                  (BraidReactor       *self,
                                                               guint16             port,
                                                               BraidFactory       *factory,
                                                               const char         *interface,
                                                               GError            **error);
BraidListeningPort *braid_reactor_listen_tcp_full             (BraidReactor       *self,
                                                               guint16             port,
                                                               BraidFactory       *factory,
                                                               int                 backlog,
                                                               const char         *interface,
                                                               GError            **error);
BraidListeningPort *braid_reactor_listen_tcp_reuse_port       (BraidReactor       *self,
                                                               guint16             port,
                                                               BraidFactory       *factory,
                                                               int                 backlog,
                                                               const char         *interface,
                                                               GError            **error);
BraidListeningPort *braid_reactor_adopt_stream_port           (BraidReactor       *self,
                                                               int                 fd,
                                                               GSocketFamily       family,
                                                               BraidFactory       *factory,
                                                               GError            **error);
BraidConnector     *braid_reactor_connect_tcp                 (BraidReactor       *self,
                                                               const char         *host,
                                                               guint16             port,
                                                               BraidClientFactory *factory);
BraidConnector     *braid_reactor_connect_tcp_full            (BraidReactor       *self,
                                                               const char         *host,
                                                               guint16             port,
                                                               BraidClientFactory *factory,
                                                               gdouble             timeout,
                                                               GSocketAddress     *bind_address);
BraidListeningPort *braid_reactor_listen_unix                 (BraidReactor       *self,
                                                               const char         *path,
                                                               BraidFactory       *factory,
                                                               GError            **error);
BraidConnector     *braid_reactor_connect_unix                (BraidReactor       *self,
                                                               const char         *path,
                                                               BraidClientFactory *factory,
                                                               gdouble             timeout);
guint               braid_reactor_add_system_event_trigger    (BraidReactor       *self,
                                                               BraidTriggerPhase   phase,
                                                               const char         *event,
                                                               BraidCallFunc       func,
                                                               gpointer            user_data,
                                                               GDestroyNotify      destroy);
void                braid_reactor_remove_system_event_trigger (BraidReactor       *self,
                                                               guint               trigger_id);
void                braid_reactor_call_from_thread            (BraidReactor       *self,
                                                               BraidCallFunc       func,
                                                               gpointer            user_data,
                                                               GDestroyNotify      destroy);
BraidDatagramTransport *braid_reactor_listen_udp             (BraidReactor          *self,
                                                               guint16                port,
                                                               BraidDatagramProtocol *protocol,
                                                               const char            *interface,
                                                               gsize                  max_packet_size,
                                                               GError               **error);
BraidProcessTransport *braid_reactor_spawn_process            (BraidReactor          *self,
                                                               BraidProcessProtocol  *protocol,
                                                               const char * const    *argv,
                                                               const char * const    *envp,
                                                               const char            *working_directory,
                                                               GError               **error);

G_END_DECLS
