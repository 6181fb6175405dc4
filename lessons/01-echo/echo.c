/* echo.c: the echo protocol, and the one call that puts it on a port. */
#include "echo.h"

/**
 * EchoProtocol:
 *
 * Sends back every byte it receives, as soon as it receives it.
 *
 * One `EchoProtocol` is made for each connection by the factory that
 * echo_server_listen() gives the reactor, and lives as long as that
 * connection. It keeps no state: the bytes in, the same bytes out.
 */
struct _EchoProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoProtocol, echo_protocol, BRAID_TYPE_PROTOCOL)

/* TCP is a stream: @data is whatever piece of it arrived, not a message.
 * An echo does not care where the pieces are cut, so it writes each one
 * back at once and keeps nothing. */
static void
echo_protocol_data_received (BraidProtocol *protocol,
                             const guint8  *data,
                             gsize          len)
{
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

static void
echo_protocol_class_init (EchoProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = echo_protocol_data_received;
}

static void
echo_protocol_init (EchoProtocol *self)
{
}

/**
 * echo_server_listen:
 * @reactor: the reactor to listen with (a real one, or a memory reactor in
 *   a test)
 * @port: the TCP port, or 0 to let the system choose one
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1:@port, answering every connection with an
 * [type@EchoProtocol].
 *
 * Returns: (transfer none) (nullable): the listening port, owned by
 *   @reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
echo_server_listen (BraidReactor *reactor, guint16 port, GError **error)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (ECHO_TYPE_PROTOCOL);

  return braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", error);
}

/**
 * echo_tls_server_listen:
 * @reactor: the reactor to listen with
 * @port: the TCP port, or 0 to let the system choose one
 * @options: the server's TLS options: its certificate and key
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1:@port with the same [type@EchoProtocol], behind
 * TLS: the factory is wrapped, the protocol does not change.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by
 *   @reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
echo_tls_server_listen (BraidReactor *reactor, guint16 port, BraidTlsOptions *options,
                        GError **error)
{
  g_autoptr (BraidFactory) echo = braid_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (BraidTlsFactory) tls = braid_tls_factory_new (options, echo);

  return braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (tls), "127.0.0.1", error);
}
