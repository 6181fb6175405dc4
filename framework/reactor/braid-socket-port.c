/* braid-socket-port.c: a listening TCP or UNIX socket.
 *
 * Running out of file descriptors
 * -------------------------------
 * When accept() fails with EMFILE or ENFILE the connection stays in the
 * kernel's backlog, so the listening socket stays readable: a naive loop
 * would call accept() again at once, forever, at 100% CPU. The port instead
 * takes itself out of epoll for a back-off that starts at 100 ms and doubles
 * up to 1 s, logs one warning per episode, and tries again; as soon as a
 * connection is accepted the episode is over. (libuv closes a reserved fd to
 * accept-and-drop the connection; Braid prefers to let waiting clients wait:
 * they get served once descriptors are free, rather than refused.)
 */
#define _GNU_SOURCE /* accept4 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <gio/gunixsocketaddress.h>
#include <fcntl.h>
#include <unistd.h>

#include "reactor/braid-glib-reactor-private.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "core/braid-listening-port.h"

/* Connections accepted per wakeup, at most: enough to empty a burst, few
 * enough that a flood on one port does not starve other connections. */
#define ACCEPTS_PER_WAKEUP 32

#define FIRST_BACKOFF_SECONDS 0.1
#define MAX_BACKOFF_SECONDS 1.0

struct _BraidSocketPort
{
  GObject parent_instance;

  BraidGLibReactor *reactor;   /* not owned: the reactor owns the port */
  BraidFactory *factory;
  GSocket *socket;
  BraidWatch watch;
  GSocketAddress *host;
  char *unix_path;             /* unlinked when the port stops */

  gboolean listening;
  gboolean starved;            /* in an EMFILE/ENFILE episode */
  gdouble backoff;
  BraidDelayedCall *retry;     /* owned */
};

static void braid_socket_port_listening_port_init (BraidListeningPortInterface *iface);

/**
 * BraidSocketPort:
 *
 * The [iface@Braid.ListeningPort] of a [class@Braid.GLibReactor]: a TCP or
 * UNIX socket accepting connections, as returned by
 * [method@Braid.Reactor.listen_tcp] and [method@Braid.Reactor.listen_unix].
 *
 * Its life: the reactor binds and listens, and the factory's `start_factory`
 * runs. Each connection accepted gets a protocol from the factory's
 * `build_protocol` (a factory that returns %NULL refuses the connection: it
 * is closed and the refusal logged at the info level). When the process
 * runs out of file descriptors the port pauses accepting, with a growing
 * back-off, and carries on once descriptors are free.
 * [method@Braid.ListeningPort.stop_listening] closes the socket (removing a
 * UNIX socket's file) and runs the factory's `stop_factory`; connections
 * already accepted go on.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSocketPort, braid_socket_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT,
                                                      braid_socket_port_listening_port_init))

static inline BraidSocketPort *
port_from_watch (BraidWatch *watch)
{
  return (BraidSocketPort *) ((guint8 *) watch - G_STRUCT_OFFSET (BraidSocketPort, watch));
}

static char *
describe (BraidSocketPort *self)
{
  if (self->unix_path != NULL)
    return g_strdup (self->unix_path);
  /* Every port has its address: wrap_listening fails without one. */
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (self->host));
}

static void back_off (BraidSocketPort *self, int saved_errno);

static void
resume_accepting (gpointer data)
{
  BraidSocketPort *self = data;
  g_autoptr (GError) error = NULL;

  /* Set when this call was made, and cancelled by stop_listening: the
   * port is still listening. */
  braid_delayed_call_unref (g_steal_pointer (&self->retry));
  if (!braid_glib_reactor_watch_set (self->reactor, &self->watch, EPOLLIN, &error))
    {
      g_autofree char *where = describe (self);

      /* Left unwatched, the port would never accept again: try later. */
      g_warning ("Cannot accept connections on %s: %s; retrying later", where, error->message);
      back_off (self, 0);
    }
}

/* Out of descriptors: stop watching the socket for a while. */
static void
back_off (BraidSocketPort *self, int saved_errno)
{
  g_autoptr (GError) ignored = NULL;

  if (!self->starved)
    {
      g_autofree char *where = describe (self);

      g_warning ("Cannot accept connections on %s: %s; retrying with a back-off "
                 "until file descriptors are free", where, g_strerror (saved_errno));
      self->starved = TRUE;
      self->backoff = FIRST_BACKOFF_SECONDS;
    }
  braid_glib_reactor_watch_set (self->reactor, &self->watch, 0, &ignored);
  /* No retry is pending: the socket is not watched while one is, and
   * resume_accepting let go of its own before calling here. */
  self->retry = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (self->reactor),
                                                                self->backoff, resume_accepting,
                                                                self, NULL));
  self->backoff = MIN (self->backoff * 2, MAX_BACKOFF_SECONDS);
}

static void
serve (BraidSocketPort *self, int fd, struct sockaddr_storage *storage, socklen_t len)
{
  g_autoptr (GSocketAddress) peer = g_socket_address_new_from_native (storage, len);
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (self->factory, peer);
  g_autoptr (BraidSocketTransport) transport = NULL;

  if (protocol == NULL)
    {
      g_autofree char *where = describe (self);

      g_info ("The factory of %s built no protocol: connection refused", where);
      close (fd);
      return;
    }
  /* The transport finds its peer's address again when asked: keeping it
   * would cost each idle connection a third of its memory. */
  transport = braid_socket_transport_new (self->reactor, fd, NULL);
  braid_socket_transport_start (transport, protocol, NULL);
}

/* What to do after accept() failed with @saved_errno. */
typedef enum
{
  ACCEPT_DONE,       /* nothing more is waiting (EAGAIN; EWOULDBLOCK is the same on Linux) */
  ACCEPT_NEXT,       /* this connection failed: try the next one */
  ACCEPT_BACK_OFF,   /* out of resources, or an unexpected error: pause accepting */
} AcceptAction;

static AcceptAction
accept_action (int saved_errno)
{
  switch (saved_errno)
    {
    case EAGAIN:
      return ACCEPT_DONE;
    /* Interrupted, the peer gave up before we accepted (ECONNABORTED), or a
     * network error is pending on the new socket. */
    case EINTR: case ECONNABORTED: case EPROTO: case EPERM: case ENETDOWN:
    case EHOSTUNREACH: case ENETUNREACH: case ENOPROTOOPT: case EHOSTDOWN:
    case ENONET: case EOPNOTSUPP:
      return ACCEPT_NEXT;
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
      return ACCEPT_BACK_OFF;
    default:
      g_warning ("accept failed: %s", g_strerror (saved_errno));
      return ACCEPT_BACK_OFF;
    }
}

static void
on_acceptable (BraidWatch *watch, guint32 events)
{
  BraidSocketPort *self = port_from_watch (watch);

  g_object_ref (self);
  for (int i = 0; i < ACCEPTS_PER_WAKEUP && self->listening; i++)
    {
      struct sockaddr_storage storage;
      socklen_t len = sizeof storage;
      int fd = accept4 (watch->fd, (struct sockaddr *) &storage, &len,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          int saved_errno = errno;
          AcceptAction action = accept_action (saved_errno);

          if (action == ACCEPT_NEXT)
            continue;
          if (action == ACCEPT_BACK_OFF)
            back_off (self, saved_errno);
          break;
        }
      if (self->starved)
        {
          g_autofree char *where = describe (self);

          g_message ("Accepting connections on %s again", where);
          self->starved = FALSE;
        }
      serve (self, fd, &storage, len);
    }
  g_object_unref (self);
}

static GSocketAddress *
braid_socket_port_get_host (BraidListeningPort *port)
{
  return BRAID_SOCKET_PORT (port)->host;
}

static void
braid_socket_port_stop_listening (BraidListeningPort *port)
{
  BraidSocketPort *self = BRAID_SOCKET_PORT (port);
  g_autoptr (GError) ignored = NULL;

  if (!self->listening)
    return;
  self->listening = FALSE;
  braid_glib_reactor_watch_set (self->reactor, &self->watch, 0, &ignored);
  if (self->retry != NULL)
    {
      braid_delayed_call_cancel (self->retry, NULL);
      braid_delayed_call_unref (g_steal_pointer (&self->retry));
    }
  g_socket_close (self->socket, NULL);
  if (self->unix_path != NULL)
    unlink (self->unix_path);
  braid_factory_do_stop (self->factory);
}

static void
braid_socket_port_listening_port_init (BraidListeningPortInterface *iface)
{
  iface->get_host = braid_socket_port_get_host;
  iface->stop_listening = braid_socket_port_stop_listening;
}

static void
braid_socket_port_finalize (GObject *object)
{
  BraidSocketPort *self = BRAID_SOCKET_PORT (object);

  g_object_unref (self->socket);    /* both set by wrap_listening at once */
  g_object_unref (self->factory);
  g_clear_object (&self->host);
  g_clear_pointer (&self->retry, braid_delayed_call_unref);
  g_free (self->unix_path);
  G_OBJECT_CLASS (braid_socket_port_parent_class)->finalize (object);
}

static void
braid_socket_port_class_init (BraidSocketPortClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_socket_port_finalize;
}

static void
braid_socket_port_init (BraidSocketPort *self)
{
}

/* Wraps @socket, bound and listening, in a port that accepts on @reactor;
 * takes @socket. */
static BraidSocketPort *
wrap_listening (BraidGLibReactor  *reactor,
                GSocket           *socket,
                BraidFactory      *factory,
                GError           **error)
{
  g_autoptr (GSocket) owned = socket;
  g_autoptr (BraidSocketPort) self = NULL;

  self = g_object_new (BRAID_TYPE_SOCKET_PORT, NULL);
  self->reactor = reactor;
  self->factory = g_object_ref (factory);
  self->socket = g_steal_pointer (&owned);
  self->host = g_socket_get_local_address (self->socket, error);
  if (self->host == NULL)
    return NULL;
  braid_watch_init (&self->watch, g_socket_get_fd (self->socket), on_acceptable);
  if (!braid_glib_reactor_watch_set (reactor, &self->watch, EPOLLIN, error))
    return NULL;
  self->listening = TRUE;
  braid_factory_do_start (factory);
  return g_steal_pointer (&self);
}

/* Binds @socket to @address with SO_REUSEADDR and SO_REUSEPORT.
 * g_socket_bind() cannot: it clears SO_REUSEPORT on stream sockets. */
static gboolean
bind_reusing_port (GSocket *socket, GSocketAddress *address, GError **error)
{
  struct sockaddr_storage native;
  gssize len = g_socket_address_get_native_size (address);
  int fd = g_socket_get_fd (socket);
  int on = 1;

  if (!g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;
  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0
      || bind (fd, (struct sockaddr *) &native, (socklen_t) len) != 0)
    {
      int saved_errno = errno;
      g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Error binding to address %s: %s", where, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Binds @socket to @address, listens, and wraps it; takes @socket. */
static BraidSocketPort *
start_listening (BraidGLibReactor  *reactor,
                 GSocket           *socket,
                 GSocketAddress    *address,
                 BraidFactory      *factory,
                 int                backlog,
                 gboolean           reuse_port,
                 GError           **error)
{
  g_autoptr (GSocket) owned = socket;

  /* allow_reuse sets SO_REUSEADDR on TCP, so a restarted server can bind
   * at once while old connections linger in TIME_WAIT. */
  if (reuse_port ? !bind_reusing_port (socket, address, error)
                 : !g_socket_bind (socket, address, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_listen (socket, error))
    return NULL;
  return wrap_listening (reactor, g_steal_pointer (&owned), factory, error);
}

/* Listens on TCP @port of @interface (all addresses, IPv6 and IPv4, when
 * %NULL); with @reuse_port, sets SO_REUSEPORT first, so that other sockets
 * with it (other processes of the same user) listen on the same port and
 * the kernel spreads the connections between them. */
BraidSocketPort *
braid_socket_port_new_tcp (BraidGLibReactor  *reactor,
                           guint16            port,
                           BraidFactory      *factory,
                           int                backlog,
                           const char        *interface,
                           gboolean           reuse_port,
                           GError           **error)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  GSocket *socket;

  if (interface != NULL)
    {
      inet = g_inet_address_new_from_string (interface);
      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Cannot listen on \"%s\": not an IP address", interface);
          return NULL;
        }
      socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, error);
      if (socket == NULL)
        return NULL;
    }
  else
    {
      /* Every address: one IPv6 socket that also takes IPv4 connections,
       * or an IPv4 one where the system has no IPv6. */
      socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, NULL);
      if (socket != NULL)
        {
          g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 0, NULL);
          inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
        }
      else
        {
          socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, error);
          if (socket == NULL)
            return NULL;
          inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
        }
    }
  address = g_inet_socket_address_new (inet, port);
  return start_listening (reactor, socket, address, factory, backlog, reuse_port, error);
}

/* Listens on the UNIX socket @path. */
BraidSocketPort *
braid_socket_port_new_unix (BraidGLibReactor  *reactor,
                            const char        *path,
                            BraidFactory      *factory,
                            int                backlog,
                            GError           **error)
{
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  GSocket *socket;
  BraidSocketPort *self;

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  self = start_listening (reactor, socket, address, factory, backlog, FALSE, error);
  if (self != NULL)
    self->unix_path = g_strdup (path);
  return self;
}

/* Accepts on @fd, a socket of @family already bound and listening, which
 * stays the caller's: the port listens on a duplicate of it. */
BraidSocketPort *
braid_socket_port_new_adopted (BraidGLibReactor  *reactor,
                               int                fd,
                               GSocketFamily      family,
                               BraidFactory      *factory,
                               GError           **error)
{
  g_autoptr (GSocket) socket = NULL;
  int listening = 0;
  socklen_t len = sizeof listening;
  int copy;

  /* Checked on @fd first: GSocket would take a bad duplicate anyway. */
  if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot adopt file descriptor %d: %s", fd, g_strerror (saved_errno));
      return NULL;
    }
  if (!listening)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot adopt file descriptor %d: the socket is not listening", fd);
      return NULL;
    }
  copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot adopt file descriptor %d: %s", fd, g_strerror (saved_errno));
      return NULL;
    }
  /* On failure the GSocket closes the duplicate itself. */
  socket = g_socket_new_from_fd (copy, error);
  if (socket == NULL)
    return NULL;
  if (g_socket_get_family (socket) != family)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot adopt file descriptor %d: the socket is not of the family asked for",
                   fd);
      return NULL;
    }
  return wrap_listening (reactor, g_steal_pointer (&socket), factory, error);
}
