/* greeters.c: two small protocols, and the two servers that use them. */
#include <string.h>

#include "greeters.h"

/* Sends "@greeting, " followed by the bytes received. Two pieces, one
 * write_sequence: the transport sends them together, with no copy into a
 * joined buffer first. */
static void
greet (BraidProtocol *protocol, const char *greeting, const guint8 *data, gsize len)
{
  GOutputVector pieces[] = {
    { greeting, strlen (greeting) },
    { ", ", 2 },
    { data, len },
  };

  braid_transport_write_sequence (braid_protocol_get_transport (protocol),
                                  pieces, G_N_ELEMENTS (pieces));
}

/**
 * HelloProtocol:
 *
 * Answers every piece of data with "Hello, " and the data.
 */
struct _HelloProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (HelloProtocol, hello_protocol, BRAID_TYPE_PROTOCOL)

static void
hello_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  greet (protocol, "Hello", data, len);
}

static void
hello_protocol_class_init (HelloProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = hello_protocol_data_received;
}

static void
hello_protocol_init (HelloProtocol *self)
{
}

/**
 * BonjourProtocol:
 *
 * Answers every piece of data with "Bonjour, " and the data.
 */
struct _BonjourProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (BonjourProtocol, bonjour_protocol, BRAID_TYPE_PROTOCOL)

static void
bonjour_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  greet (protocol, "Bonjour", data, len);
}

static void
bonjour_protocol_class_init (BonjourProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = bonjour_protocol_data_received;
}

static void
bonjour_protocol_init (BonjourProtocol *self)
{
}

static BraidListeningPort *
listen_with (BraidReactor *reactor, guint16 port, GType protocol_type, GError **error)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (protocol_type);

  return braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", error);
}

/**
 * two_servers_listen:
 * @reactor: the one reactor both servers share
 * @hello_port: the port of the Hello server, or 0 to let the system choose
 * @bonjour_port: the port of the Bonjour server, or 0 likewise
 * @hello: (out) (optional) (transfer none): the Hello server's port
 * @bonjour: (out) (optional) (transfer none): the Bonjour server's port
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1 with both servers. Either both listen or neither
 * does: if the second port cannot be opened, the first is closed again.
 *
 * Returns: %TRUE if both listen; %FALSE with @error set otherwise
 */
gboolean
two_servers_listen (BraidReactor        *reactor,
                    guint16              hello_port,
                    guint16              bonjour_port,
                    BraidListeningPort **hello,
                    BraidListeningPort **bonjour,
                    GError             **error)
{
  BraidListeningPort *hello_listening;
  BraidListeningPort *bonjour_listening;

  hello_listening = listen_with (reactor, hello_port, HELLO_TYPE_PROTOCOL, error);
  if (hello_listening == NULL)
    return FALSE;

  bonjour_listening = listen_with (reactor, bonjour_port, BONJOUR_TYPE_PROTOCOL, error);
  if (bonjour_listening == NULL)
    {
      braid_listening_port_stop_listening (hello_listening);
      return FALSE;
    }

  if (hello != NULL)
    *hello = hello_listening;
  if (bonjour != NULL)
    *bonjour = bonjour_listening;
  return TRUE;
}
