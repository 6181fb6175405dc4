/* braid-datagram-transport.c: the interface of a UDP port, and the checks
 * every implementation shares. */
#include "config.h"

#include "core/braid-datagram-transport.h"
#include "core/braid-listening-port.h"

/**
 * BraidDatagramTransport:
 *
 * A UDP port, as [method@Braid.Reactor.listen_udp] returns it: Twisted's
 * `IUDPTransport` (with `IMulticastTransport`). It is also a
 * [iface@Braid.ListeningPort]: `get_host` and `stop_listening` are
 * there (and wrapped here for convenience). The reactor owns it until it
 * stops listening.
 *
 * A port sends to any address with [method@Braid.DatagramTransport.write],
 * or, once [method@Braid.DatagramTransport.connect]ed, to its one peer
 * only (and hears only from it; a refusal from the peer's system reaches
 * the protocol's `connection_refused`).
 *
 * Errors, the same for the real port and the fakes (the checks are made
 * here, before the implementation is called):
 *
 * - a datagram bigger than UDP carries (%BRAID_UDP_MAX_IPV4_PAYLOAD,
 *   %BRAID_UDP_MAX_IPV6_PAYLOAD): %G_IO_ERROR_MESSAGE_TOO_LARGE (Twisted's
 *   `MessageLengthError`);
 * - no address on a port that is not connected:
 *   %G_IO_ERROR_NOT_CONNECTED; an address other than the peer's on a
 *   connected one, an address that is not IP or not of the port's family:
 *   %G_IO_ERROR_INVALID_ARGUMENT (Twisted asserts; C reports);
 * - anything on a port that stopped listening: %G_IO_ERROR_CLOSED.
 *
 * Unlike a stream transport, a datagram transport queues nothing: a
 * datagram is sent at once or not at all. When the system's buffer is
 * full, `write` fails with %G_IO_ERROR_WOULD_BLOCK and the datagram is
 * lost, as UDP may lose any datagram (Twisted retries at once, in a loop;
 * Braid leaves the choice to the caller).
 */
G_DEFINE_INTERFACE_WITH_CODE (BraidDatagramTransport, braid_datagram_transport, G_TYPE_OBJECT,
                              g_type_interface_add_prerequisite (g_define_type_id,
                                                                 BRAID_TYPE_LISTENING_PORT))

static void
braid_datagram_transport_default_init (BraidDatagramTransportInterface *iface)
{
}

/**
 * braid_socket_address_equal:
 * @a: (nullable): an address
 * @b: (nullable): another address
 *
 * Compares two IP socket addresses: same IP address and same port.
 *
 * Returns: %TRUE if both are IP socket addresses with the same address and
 *   port
 */
gboolean
braid_socket_address_equal (GSocketAddress *a, GSocketAddress *b)
{
  GInetSocketAddress *ia, *ib;

  if (!G_IS_INET_SOCKET_ADDRESS (a) || !G_IS_INET_SOCKET_ADDRESS (b))
    return FALSE;
  ia = G_INET_SOCKET_ADDRESS (a);
  ib = G_INET_SOCKET_ADDRESS (b);
  return g_inet_socket_address_get_port (ia) == g_inet_socket_address_get_port (ib)
         && g_inet_address_equal (g_inet_socket_address_get_address (ia),
                                  g_inet_socket_address_get_address (ib));
}

static GSocketFamily
port_family (BraidDatagramTransport *self)
{
  return g_socket_address_get_family (braid_datagram_transport_get_host (self));
}

static gboolean
check_open (BraidDatagramTransport *self, const char *what, GError **error)
{
  if (braid_datagram_transport_is_listening (self))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
               "Cannot %s: the UDP port stopped listening", what);
  return FALSE;
}

/* An IP address of the port's family. */
static gboolean
check_address (BraidDatagramTransport *self, GSocketAddress *address, GError **error)
{
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A UDP address must be an IP address and port (a GInetSocketAddress)");
      return FALSE;
    }
  if (g_socket_address_get_family (address) != port_family (self))
    {
      g_autofree char *text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot send to %s from a UDP port on %s", text,
                   port_family (self) == G_SOCKET_FAMILY_IPV4 ? "IPv4" : "IPv6");
      return FALSE;
    }
  return TRUE;
}

/**
 * braid_datagram_transport_is_listening:
 * @self: a datagram transport
 *
 * Tells whether the port is open.
 *
 * Returns: %TRUE until the port stops listening
 */
gboolean
braid_datagram_transport_is_listening (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->is_listening (self);
}

/**
 * braid_datagram_transport_get_max_write_size:
 * @self: a datagram transport
 *
 * The largest datagram @self can send: %BRAID_UDP_MAX_IPV4_PAYLOAD or
 * %BRAID_UDP_MAX_IPV6_PAYLOAD, by the port's address family.
 *
 * Returns: the size in bytes
 */
gsize
braid_datagram_transport_get_max_write_size (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), 0);
  return port_family (self) == G_SOCKET_FAMILY_IPV6 ? BRAID_UDP_MAX_IPV6_PAYLOAD
                                                    : BRAID_UDP_MAX_IPV4_PAYLOAD;
}

/**
 * braid_datagram_transport_write:
 * @self: a datagram transport
 * @data: (array length=len): the datagram
 * @len: its length
 * @address: (nullable): where to send it; %NULL on a connected port
 * @error: return location for a #GError
 *
 * Sends one datagram: Twisted's `write (datagram, addr)`. On a connected
 * port, @address is %NULL or the peer's address. See
 * [iface@Braid.DatagramTransport] for the errors. On a connected port, a
 * refusal the system reports while sending goes to the protocol's
 * `connection_refused`, and the write itself succeeds, as in Twisted.
 *
 * Returns: %TRUE if the datagram was handed to the system
 */
gboolean
braid_datagram_transport_write (BraidDatagramTransport *self,
                                const guint8           *data,
                                gsize                   len,
                                GSocketAddress         *address,
                                GError                **error)
{
  GSocketAddress *peer;
  gsize limit;

  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "write", error))
    return FALSE;
  limit = braid_datagram_transport_get_max_write_size (self);
  if (len > limit)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "Message too long: a datagram of %" G_GSIZE_FORMAT " bytes is more "
                   "than the %" G_GSIZE_FORMAT " UDP carries", len, limit);
      return FALSE;
    }
  peer = braid_datagram_transport_get_connected_address (self);
  if (peer != NULL)
    {
      if (address != NULL && !braid_socket_address_equal (address, peer))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "A connected UDP port sends only to its peer: give no address");
          return FALSE;
        }
      address = NULL;
    }
  else if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "Cannot write a datagram without an address: the UDP port is "
                   "not connected");
      return FALSE;
    }
  else if (!check_address (self, address, error))
    return FALSE;
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->write (self, data, len, address, error);
}

/**
 * braid_datagram_transport_connect:
 * @self: a datagram transport
 * @address: the one peer, an IP address and port
 * @error: return location for a #GError
 *
 * Connects the port: from now on it sends only to @address (write with no
 * address) and hears only from it, and a refusal from the peer's system
 * reaches the protocol's `connection_refused`. As in Twisted, @address
 * must be an IP address, not a name, and a port connects once
 * (reconnecting fails with %G_IO_ERROR_INVALID_ARGUMENT).
 *
 * Returns: %TRUE if connected
 */
gboolean
braid_datagram_transport_connect (BraidDatagramTransport *self,
                                  GSocketAddress         *address,
                                  GError                **error)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, "connect", error))
    return FALSE;
  if (braid_datagram_transport_get_connected_address (self) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The UDP port is already connected; reconnecting is not supported");
      return FALSE;
    }
  if (!check_address (self, address, error))
    return FALSE;
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->connect (self, address, error);
}

/**
 * braid_datagram_transport_get_connected_address:
 * @self: a datagram transport
 *
 * Gets the peer of a connected port.
 *
 * Returns: (transfer none) (nullable): the peer, or %NULL when not connected
 */
GSocketAddress *
braid_datagram_transport_get_connected_address (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), NULL);
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->get_connected_address (self);
}

/**
 * braid_datagram_transport_get_host:
 * @self: a datagram transport
 *
 * Gets the address the port is bound to, with the real port when port 0
 * was asked for: [method@Braid.ListeningPort.get_host].
 *
 * Returns: (transfer none): the address
 */
GSocketAddress *
braid_datagram_transport_get_host (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), NULL);
  return braid_listening_port_get_host (BRAID_LISTENING_PORT (self));
}

/**
 * braid_datagram_transport_stop_listening:
 * @self: a datagram transport
 *
 * Closes the port; the protocol's `stop_protocol` runs if it was its last
 * port: [method@Braid.ListeningPort.stop_listening].
 */
void
braid_datagram_transport_stop_listening (BraidDatagramTransport *self)
{
  g_return_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self));
  braid_listening_port_stop_listening (BRAID_LISTENING_PORT (self));
}

/**
 * braid_datagram_transport_get_max_packet_size:
 * @self: a datagram transport
 *
 * Gets the size of the biggest datagram the port receives. A bigger one is
 * dropped, with a logged reason (see [method@Braid.Reactor.listen_udp]).
 *
 * Returns: the size in bytes
 */
gsize
braid_datagram_transport_get_max_packet_size (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), 0);
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->get_max_packet_size (self);
}

static GInetAddress *
parse_group (BraidDatagramTransport *self, const char *group, GError **error)
{
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (group);

  if (address == NULL || !g_inet_address_get_is_multicast (address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not a multicast group address", group);
      return NULL;
    }
  if (g_inet_address_get_family (address) != port_family (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot join %s on a UDP port of the other address family", group);
      return NULL;
    }
  return g_steal_pointer (&address);
}

/**
 * braid_datagram_transport_join_group:
 * @self: a datagram transport
 * @group: the multicast group's address (`"224.0.0.251"`)
 * @interface: (nullable): the name of the network interface to join on;
 *   %NULL for the system's choice
 * @error: return location for a #GError
 *
 * Joins a multicast group: Twisted's `joinGroup`. Twisted resolves a name
 * and returns a deferred; Braid takes an address and answers at once.
 *
 * Returns: %TRUE if joined
 */
gboolean
braid_datagram_transport_join_group (BraidDatagramTransport *self,
                                     const char             *group,
                                     const char             *interface,
                                     GError                **error)
{
  g_autoptr (GInetAddress) address = NULL;

  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);
  if (!check_open (self, "join a multicast group", error))
    return FALSE;
  address = parse_group (self, group, error);
  if (address == NULL)
    return FALSE;
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->join_group (self, address, interface, error);
}

/**
 * braid_datagram_transport_leave_group:
 * @self: a datagram transport
 * @group: the multicast group's address
 * @interface: (nullable): the network interface it was joined on
 * @error: return location for a #GError
 *
 * Leaves a multicast group joined with
 * [method@Braid.DatagramTransport.join_group]: Twisted's `leaveGroup`.
 *
 * Returns: %TRUE if left
 */
gboolean
braid_datagram_transport_leave_group (BraidDatagramTransport *self,
                                      const char             *group,
                                      const char             *interface,
                                      GError                **error)
{
  g_autoptr (GInetAddress) address = NULL;

  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);
  if (!check_open (self, "leave a multicast group", error))
    return FALSE;
  address = parse_group (self, group, error);
  if (address == NULL)
    return FALSE;
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->leave_group (self, address, interface, error);
}

/**
 * braid_datagram_transport_get_ttl:
 * @self: a datagram transport
 *
 * Gets the time to live of the multicast datagrams @self sends: Twisted's
 * `getTTL`.
 *
 * Returns: the number of hops (1, the system's default, keeps them on the
 *   local network)
 */
guint
braid_datagram_transport_get_ttl (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), 0);
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->get_ttl (self);
}

/**
 * braid_datagram_transport_set_ttl:
 * @self: a datagram transport
 * @ttl: hops, 0 to 255
 * @error: return location for a #GError
 *
 * Sets the time to live of the multicast datagrams @self sends: Twisted's
 * `setTTL`.
 *
 * Returns: %TRUE if set
 */
gboolean
braid_datagram_transport_set_ttl (BraidDatagramTransport *self, guint ttl, GError **error)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  if (!check_open (self, "set the multicast TTL", error))
    return FALSE;
  if (ttl > 255)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A multicast TTL is 0 to 255, not %u", ttl);
      return FALSE;
    }
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->set_ttl (self, ttl, error);
}

/**
 * braid_datagram_transport_get_loopback:
 * @self: a datagram transport
 *
 * Tells whether the multicast datagrams @self sends are also delivered to
 * this host: Twisted's `getLoopbackMode`.
 *
 * Returns: %TRUE when they are (the system's default)
 */
gboolean
braid_datagram_transport_get_loopback (BraidDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->get_loopback (self);
}

/**
 * braid_datagram_transport_set_loopback:
 * @self: a datagram transport
 * @loopback: whether multicast datagrams sent come back to this host
 * @error: return location for a #GError
 *
 * Sets the multicast loopback mode: Twisted's `setLoopbackMode`.
 *
 * Returns: %TRUE if set
 */
gboolean
braid_datagram_transport_set_loopback (BraidDatagramTransport *self,
                                       gboolean                loopback,
                                       GError                **error)
{
  g_return_val_if_fail (BRAID_IS_DATAGRAM_TRANSPORT (self), FALSE);
  if (!check_open (self, "set the multicast loopback", error))
    return FALSE;
  return BRAID_DATAGRAM_TRANSPORT_GET_IFACE (self)->set_loopback (self, loopback, error);
}
