/* braid-glib-reactor-private.h: what the socket types and the reactor share.
 *
 * Every socket of a BraidGLibReactor is registered with the reactor's one
 * epoll instance through a BraidWatch embedded in the object that owns the
 * socket (a transport, a listening port, a connector). epoll hands back a
 * pointer to the watch, and the owner is found from it, so dispatching an
 * event costs no lookup. */
#pragma once

#include <sys/epoll.h>

#include "core/braid-client-factory.h"
#include "core/braid-factory.h"
#include "core/braid-protocol.h"
#include "reactor/braid-glib-reactor.h"
#include "reactor/braid-socket-connector.h"
#include "reactor/braid-socket-port.h"
#include "reactor/braid-socket-transport.h"
#include "reactor/braid-udp-port.h"

typedef struct _BraidWatch BraidWatch;

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP). */
typedef void (*BraidWatchFunc) (BraidWatch *watch, guint32 events);

struct _BraidWatch
{
  int fd;
  guint32 events;           /* the mask registered with epoll; 0 = not registered */
  BraidWatchFunc func;
};

void    braid_watch_init                (BraidWatch *watch,
                                         int         fd,
                                         BraidWatchFunc func);
gboolean braid_glib_reactor_watch_set   (BraidGLibReactor *self,
                                         BraidWatch       *watch,
                                         guint32           events,
                                         GError          **error);

guint8 *braid_glib_reactor_get_read_buffer (BraidGLibReactor *self,
                                            gsize            *size);

void    braid_glib_reactor_add_connection     (BraidGLibReactor     *self,
                                               BraidSocketTransport *transport,
                                               GList                *link);
void    braid_glib_reactor_connection_closed  (BraidGLibReactor     *self,
                                               GList                *link);
void    braid_glib_reactor_keep_connector     (BraidGLibReactor     *self,
                                               BraidSocketConnector *connector);
void    braid_glib_reactor_forget_connector   (BraidGLibReactor     *self,
                                               BraidSocketConnector *connector);

/* braid-socket-transport.c */
BraidSocketTransport *braid_socket_transport_new          (BraidGLibReactor *reactor,
                                                           int               fd,
                                                           GSocketAddress   *peer);
gboolean              braid_socket_transport_start        (BraidSocketTransport *self,
                                                           BraidProtocol        *protocol,
                                                           BraidSocketConnector *connector);
void                  braid_socket_transport_deliver_lost (BraidSocketTransport *self);
void                  braid_socket_transport_shutdown     (BraidSocketTransport *self,
                                                           gboolean              abort);

/* braid-socket-port.c */
BraidSocketPort *braid_socket_port_new_tcp  (BraidGLibReactor *reactor,
                                             guint16           port,
                                             BraidFactory     *factory,
                                             int               backlog,
                                             const char       *interface,
                                             gboolean          reuse_port,
                                             GError          **error);
BraidSocketPort *braid_socket_port_new_unix (BraidGLibReactor *reactor,
                                             const char       *path,
                                             BraidFactory     *factory,
                                             int               backlog,
                                             GError          **error);
BraidSocketPort *braid_socket_port_new_adopted (BraidGLibReactor *reactor,
                                                int               fd,
                                                GSocketFamily     family,
                                                BraidFactory     *factory,
                                                GError          **error);

/* braid-glib-process.c */
BraidProcessTransport *braid_glib_process_spawn (GMainContext          *context,
                                                 BraidProcessProtocol  *protocol,
                                                 const char * const    *argv,
                                                 const char * const    *envp,
                                                 const char            *working_directory,
                                                 GError               **error);

/* braid-socket-connector.c */
BraidSocketConnector *braid_socket_connector_new_tcp  (BraidGLibReactor   *reactor,
                                                       const char         *host,
                                                       guint16             port,
                                                       BraidClientFactory *factory,
                                                       gdouble             timeout,
                                                       GSocketAddress     *bind_address);
BraidSocketConnector *braid_socket_connector_new_unix (BraidGLibReactor   *reactor,
                                                       const char         *path,
                                                       BraidClientFactory *factory,
                                                       gdouble             timeout);
void braid_socket_connector_connection_lost (BraidSocketConnector *self,
                                             const GError         *reason);
void braid_socket_connector_abandon         (BraidSocketConnector *self);

/* braid-udp-port.c */
BraidUdpPort *braid_udp_port_new (BraidGLibReactor      *reactor,
                                  guint16                port,
                                  BraidDatagramProtocol *protocol,
                                  const char            *interface,
                                  gsize                  max_packet_size,
                                  GError               **error);
