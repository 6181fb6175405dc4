/* braid-listening-port.c: the interface of a server socket. */
#include "config.h"

#include "core/braid-listening-port.h"

/**
 * BraidListeningPort:
 *
 * A listening socket, as [method@Braid.Reactor.listen_tcp] returns it:
 * Twisted's `IListeningPort`. The reactor owns it until
 * [method@Braid.ListeningPort.stop_listening].
 */
G_DEFINE_INTERFACE (BraidListeningPort, braid_listening_port, G_TYPE_OBJECT)

static void
braid_listening_port_default_init (BraidListeningPortInterface *iface)
{
}

/**
 * braid_listening_port_get_host:
 * @self: a listening port
 *
 * Gets the address @self listens on, with the real port when port 0 was asked
 * for.
 *
 * Returns: (transfer none): the address @self listens on
 */
GSocketAddress *
braid_listening_port_get_host (BraidListeningPort *self)
{
  g_return_val_if_fail (BRAID_IS_LISTENING_PORT (self), NULL);
  return BRAID_LISTENING_PORT_GET_IFACE (self)->get_host (self);
}

/**
 * braid_listening_port_get_port:
 * @self: a listening port
 *
 * The TCP port @self listens on: the one the system chose when port 0 was
 * asked for. Tests listen on port 0 and read the port here.
 *
 * Returns: the port number, or 0 for a non-IP port (UNIX sockets)
 */
guint16
braid_listening_port_get_port (BraidListeningPort *self)
{
  GSocketAddress *host = braid_listening_port_get_host (self);

  if (G_IS_INET_SOCKET_ADDRESS (host))
    return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (host));
  return 0;
}

/**
 * braid_listening_port_stop_listening:
 * @self: a listening port
 *
 * Closes the listening socket; connections already accepted go on. The
 * factory's `stop_factory` runs if this was its last port.
 */
void
braid_listening_port_stop_listening (BraidListeningPort *self)
{
  g_return_if_fail (BRAID_IS_LISTENING_PORT (self));
  BRAID_LISTENING_PORT_GET_IFACE (self)->stop_listening (self);
}
