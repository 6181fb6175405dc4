/* braid-udp-port.c: a UDP socket serving one datagram protocol.
 *
 * Reading: the socket is non-blocking and level-triggered in the reactor's
 * epoll; each wakeup reads datagrams until the socket is empty (EAGAIN),
 * but at most READ_BYTES_PER_WAKEUP bytes or READS_PER_WAKEUP datagrams,
 * so a flood on one port does not starve the others (Twisted reads up to
 * 256 KiB per wakeup, `maxThroughput`). Each read asks the kernel for the
 * datagram's real length (MSG_TRUNC), so a datagram bigger than the port's
 * maximum packet size is seen whole and dropped with a logged reason
 * rather than delivered cut.
 *
 * Refusals: on a connected socket the kernel reports an ICMP "port
 * unreachable" as ECONNREFUSED on the next recv or send (and EPOLLERR
 * meanwhile); either one calls the protocol's connection_refused. Linux
 * reports ICMP errors only on a connected UDP socket (without IP_RECVERR,
 * which Braid does not set), and a port once connected stays so: an
 * unconnected port never sees ECONNREFUSED, so the refusals an unconnected
 * Twisted port ignores (one meant for an earlier datagram, to anyone) do
 * not reach this code at all.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "reactor/braid-glib-reactor-private.h"
#include "core/braid-datagram-protocol.h"
#include "core/braid-datagram-transport.h"
#include "core/braid-listening-port.h"

#define READS_PER_WAKEUP 64
#define READ_BYTES_PER_WAKEUP (256 * 1024)

struct _BraidUdpPort
{
  GObject parent_instance;

  BraidGLibReactor *reactor;   /* not owned: the reactor owns the port */
  BraidDatagramProtocol *protocol;
  GSocket *socket;
  BraidWatch watch;
  GSocketAddress *host;
  GSocketAddress *peer;        /* after connect */
  gsize max_packet_size;
  guint8 *buffer;              /* max_packet_size bytes */
  gboolean listening;
  guint64 oversized;           /* datagrams dropped for their size */
  /* The last sender, as the kernel gave it and as an address: a peer
   * sending many datagrams gets one (immutable) GSocketAddress. */
  struct sockaddr_storage last_native;
  socklen_t last_native_len;
  GSocketAddress *last_from;
};

static void braid_udp_port_listening_port_init (BraidListeningPortInterface *iface);
static void braid_udp_port_datagram_transport_init (BraidDatagramTransportInterface *iface);

/**
 * BraidUdpPort:
 *
 * The [iface@Braid.DatagramTransport] of a [class@Braid.GLibReactor]: a
 * non-blocking UDP socket, as returned by
 * [method@Braid.Reactor.listen_udp]. See [iface@Braid.DatagramTransport]
 * for what it does and how it fails.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidUdpPort, braid_udp_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT,
                                                      braid_udp_port_listening_port_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_DATAGRAM_TRANSPORT,
                                                      braid_udp_port_datagram_transport_init))

static inline BraidUdpPort *
port_from_watch (BraidWatch *watch)
{
  return (BraidUdpPort *) ((guint8 *) watch - G_STRUCT_OFFSET (BraidUdpPort, watch));
}

static void
drop_oversized (BraidUdpPort *self, gssize real_len, GSocketAddress *from)
{
  g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (self->host));
  g_autofree char *sender = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (from));

  if (self->oversized++ == 0)
    g_message ("UDP port %s: dropped a datagram of %" G_GSSIZE_FORMAT " bytes from %s: "
               "bigger than the port's maximum packet size, %" G_GSIZE_FORMAT
               " (further drops are logged at debug level)",
               where, real_len, sender, self->max_packet_size);
  else
    g_debug ("UDP port %s: dropped a datagram of %" G_GSSIZE_FORMAT " bytes from %s "
             "(%" G_GUINT64_FORMAT " so far)", where, real_len, sender, self->oversized);
}

/* The sender of the datagram just read, in @storage: the last one's
 * address again when it is the same. Returns: (transfer none) (nullable) */
static GSocketAddress *
sender_address (BraidUdpPort *self, const struct sockaddr_storage *storage, socklen_t len)
{
  if (self->last_from != NULL && len == self->last_native_len
      && memcmp (storage, &self->last_native, len) == 0)
    return self->last_from;
  g_clear_object (&self->last_from);
  self->last_from = g_socket_address_new_from_native ((gpointer) storage, len);
  if (self->last_from != NULL)
    {
      memcpy (&self->last_native, storage, len);
      self->last_native_len = len;
    }
  return self->last_from;
}

static void
on_readable (BraidWatch *watch, guint32 events)
{
  BraidUdpPort *self = port_from_watch (watch);
  gsize bytes = 0;

  g_object_ref (self);
  for (int i = 0; i < READS_PER_WAKEUP && bytes < READ_BYTES_PER_WAKEUP && self->listening; i++)
    {
      struct sockaddr_storage storage;
      socklen_t addr_len = sizeof storage;
      gssize n = recvfrom (watch->fd, self->buffer, self->max_packet_size, MSG_TRUNC,
                           (struct sockaddr *) &storage, &addr_len);
      GSocketAddress *from;

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          if (saved_errno == ECONNREFUSED)
            {
              /* Only ever on a connected port: see the top of the file. */
              braid_datagram_protocol_connection_refused (self->protocol);
              continue;
            }
          if (saved_errno != EAGAIN)
            {
              g_autofree char *where =
                g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (self->host));

              g_warning ("UDP port %s: receiving failed: %s", where, g_strerror (saved_errno));
            }
          break;
        }
      from = sender_address (self, &storage, addr_len);
      if (from == NULL)
        continue;
      if ((gsize) n > self->max_packet_size)
        {
          drop_oversized (self, n, from);
          continue;
        }
      bytes += n;
      braid_datagram_protocol_datagram_received (self->protocol, self->buffer, n, from);
    }
  g_object_unref (self);
}

static GSocketAddress *
braid_udp_port_get_host (BraidListeningPort *port)
{
  return BRAID_UDP_PORT (port)->host;
}

static void
braid_udp_port_stop_listening (BraidListeningPort *port)
{
  BraidUdpPort *self = BRAID_UDP_PORT (port);
  g_autoptr (GError) ignored = NULL;

  if (!self->listening)
    return;
  self->listening = FALSE;
  braid_glib_reactor_watch_set (self->reactor, &self->watch, 0, &ignored);
  g_socket_close (self->socket, NULL);
  braid_datagram_protocol_do_stop (self->protocol);
}

static void
braid_udp_port_listening_port_init (BraidListeningPortInterface *iface)
{
  iface->get_host = braid_udp_port_get_host;
  iface->stop_listening = braid_udp_port_stop_listening;
}

static gboolean
braid_udp_port_is_listening (BraidDatagramTransport *transport)
{
  return BRAID_UDP_PORT (transport)->listening;
}

static gboolean
braid_udp_port_write (BraidDatagramTransport *transport,
                      const guint8           *data,
                      gsize                   len,
                      GSocketAddress         *address,
                      GError                **error)
{
  BraidUdpPort *self = BRAID_UDP_PORT (transport);
  g_autoptr (GError) local = NULL;
  gssize sent;

  /* GSocket retries EINTR itself; EAGAIN is G_IO_ERROR_WOULD_BLOCK. */
  if (address != NULL)
    sent = g_socket_send_to (self->socket, address, (const char *) data, len, NULL, &local);
  else
    sent = g_socket_send (self->socket, (const char *) data, len, NULL, &local);
  if (sent >= 0)
    return TRUE;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      /* As Twisted, a connected port tells its protocol (only a connected
       * port hears refusals: see the top of the file); the write itself
       * is done. */
      braid_datagram_protocol_connection_refused (self->protocol);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static gboolean
braid_udp_port_connect (BraidDatagramTransport *transport,
                        GSocketAddress         *address,
                        GError                **error)
{
  BraidUdpPort *self = BRAID_UDP_PORT (transport);

  if (!g_socket_connect (self->socket, address, NULL, error))
    return FALSE;
  self->peer = g_object_ref (address);
  return TRUE;
}

static GSocketAddress *
braid_udp_port_get_connected_address (BraidDatagramTransport *transport)
{
  return BRAID_UDP_PORT (transport)->peer;
}

static gsize
braid_udp_port_get_max_packet_size (BraidDatagramTransport *transport)
{
  return BRAID_UDP_PORT (transport)->max_packet_size;
}

static gboolean
braid_udp_port_join_group (BraidDatagramTransport *transport,
                           GInetAddress           *group,
                           const char             *interface,
                           GError                **error)
{
  return g_socket_join_multicast_group (BRAID_UDP_PORT (transport)->socket, group, FALSE,
                                        interface, error);
}

static gboolean
braid_udp_port_leave_group (BraidDatagramTransport *transport,
                            GInetAddress           *group,
                            const char             *interface,
                            GError                **error)
{
  return g_socket_leave_multicast_group (BRAID_UDP_PORT (transport)->socket, group, FALSE,
                                         interface, error);
}

static guint
braid_udp_port_get_ttl (BraidDatagramTransport *transport)
{
  return g_socket_get_multicast_ttl (BRAID_UDP_PORT (transport)->socket);
}

static gboolean
braid_udp_port_set_ttl (BraidDatagramTransport *transport, guint ttl, GError **error)
{
  g_socket_set_multicast_ttl (BRAID_UDP_PORT (transport)->socket, ttl);
  return TRUE;
}

static gboolean
braid_udp_port_get_loopback (BraidDatagramTransport *transport)
{
  return g_socket_get_multicast_loopback (BRAID_UDP_PORT (transport)->socket);
}

static gboolean
braid_udp_port_set_loopback (BraidDatagramTransport *transport, gboolean loopback,
                             GError **error)
{
  g_socket_set_multicast_loopback (BRAID_UDP_PORT (transport)->socket, loopback);
  return TRUE;
}

static void
braid_udp_port_datagram_transport_init (BraidDatagramTransportInterface *iface)
{
  iface->is_listening = braid_udp_port_is_listening;
  iface->write = braid_udp_port_write;
  iface->connect = braid_udp_port_connect;
  iface->get_connected_address = braid_udp_port_get_connected_address;
  iface->get_max_packet_size = braid_udp_port_get_max_packet_size;
  iface->join_group = braid_udp_port_join_group;
  iface->leave_group = braid_udp_port_leave_group;
  iface->get_ttl = braid_udp_port_get_ttl;
  iface->set_ttl = braid_udp_port_set_ttl;
  iface->get_loopback = braid_udp_port_get_loopback;
  iface->set_loopback = braid_udp_port_set_loopback;
}

static void
braid_udp_port_finalize (GObject *object)
{
  BraidUdpPort *self = BRAID_UDP_PORT (object);

  g_clear_object (&self->socket);
  g_clear_object (&self->host);
  g_clear_object (&self->peer);
  g_clear_object (&self->last_from);
  g_clear_object (&self->protocol);
  g_free (self->buffer);
  G_OBJECT_CLASS (braid_udp_port_parent_class)->finalize (object);
}

static void
braid_udp_port_class_init (BraidUdpPortClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_udp_port_finalize;
}

static void
braid_udp_port_init (BraidUdpPort *self)
{
}

/* Binds UDP @port of @interface (every IPv4 address when %NULL, as
 * Twisted's ""), watches it, and starts @protocol. */
BraidUdpPort *
braid_udp_port_new (BraidGLibReactor      *reactor,
                    guint16                port,
                    BraidDatagramProtocol *protocol,
                    const char            *interface,
                    gsize                  max_packet_size,
                    GError               **error)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (BraidUdpPort) self = NULL;

  inet = interface != NULL ? g_inet_address_new_from_string (interface)
                           : g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen on UDP \"%s\": not an IP address", interface);
      return NULL;
    }
  self = g_object_new (BRAID_TYPE_UDP_PORT, NULL);
  self->socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                               G_SOCKET_PROTOCOL_UDP, error);
  if (self->socket == NULL)
    return NULL;
  g_socket_set_blocking (self->socket, FALSE);
  address = g_inet_socket_address_new (inet, port);
  /* No SO_REUSEADDR: two UDP sockets on one port would split the traffic. */
  if (!g_socket_bind (self->socket, address, FALSE, error))
    return NULL;
  self->host = g_socket_get_local_address (self->socket, error);
  if (self->host == NULL)
    return NULL;
  self->reactor = reactor;
  self->max_packet_size = max_packet_size;
  self->buffer = g_malloc (max_packet_size);
  braid_watch_init (&self->watch, g_socket_get_fd (self->socket), on_readable);
  if (!braid_glib_reactor_watch_set (reactor, &self->watch, EPOLLIN, error))
    return NULL;
  self->listening = TRUE;
  self->protocol = g_object_ref (protocol);
  braid_datagram_protocol_make_connection (protocol, BRAID_DATAGRAM_TRANSPORT (self));
  return g_steal_pointer (&self);
}
