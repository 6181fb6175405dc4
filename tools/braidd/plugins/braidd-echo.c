/* braidd-echo.c: the `echo` plugin of braidd -- sends back what each
 * client sends, after an optional banner. */
#include <gmodule.h>

#include "braidd-plugin.h"

#define ECHO_TYPE_PROTOCOL (echo_protocol_get_type ())
G_DECLARE_FINAL_TYPE (EchoProtocol, echo_protocol, ECHO, PROTOCOL, BraidProtocol)

struct _EchoProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoProtocol, echo_protocol, BRAID_TYPE_PROTOCOL)

#define ECHO_TYPE_FACTORY (echo_factory_get_type ())
G_DECLARE_FINAL_TYPE (EchoFactory, echo_factory, ECHO, FACTORY, BraidFactory)

struct _EchoFactory
{
  BraidFactory parent_instance;
  char *banner;   /* sent to each client as it connects, or NULL */
};

G_DEFINE_FINAL_TYPE (EchoFactory, echo_factory, BRAID_TYPE_FACTORY)

static void
echo_connection_made (BraidProtocol *protocol)
{
  EchoFactory *factory = ECHO_FACTORY (braid_protocol_get_factory (protocol));

  /* An info line (shown with G_MESSAGES_DEBUG=all): with the pid braidd
   * puts on every line, it tells which worker of `--workers N` served.
   * Asked for only when shown: the transport keeps the peer's address
   * once asked, which would cost each idle connection 150 bytes. */
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_INFO, G_LOG_DOMAIN))
    {
      GSocketAddress *peer = braid_transport_get_peer (braid_protocol_get_transport (protocol));
      g_autofree char *from =
        peer != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (peer)) : g_strdup ("?");

      g_info ("%s: connection from %s", braid_protocol_get_log_prefix (protocol), from);
    }

  if (factory->banner != NULL)
    {
      braid_transport_write_string (braid_protocol_get_transport (protocol), factory->banner);
      braid_transport_write_string (braid_protocol_get_transport (protocol), "\r\n");
    }
}

static void
echo_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

static void
echo_protocol_class_init (EchoProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = echo_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->data_received = echo_data_received;
}

static void
echo_protocol_init (EchoProtocol *self)
{
}

static void
echo_factory_finalize (GObject *object)
{
  g_free (ECHO_FACTORY (object)->banner);
  G_OBJECT_CLASS (echo_factory_parent_class)->finalize (object);
}

static void
echo_factory_class_init (EchoFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echo_factory_finalize;
}

static void
echo_factory_init (EchoFactory *self)
{
}

static BraidService *
echo_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                   GHashTable *options, GError **error)
{
  g_autoptr (EchoFactory) factory = g_object_new (ECHO_TYPE_FACTORY,
                                                  "protocol-type", ECHO_TYPE_PROTOCOL, NULL);

  factory->banner = g_strdup (braidd_plugin_get_option (options, "banner", NULL));
  return BRAID_SERVICE (braid_stream_server_service_new (reactor, endpoint, BRAID_FACTORY (factory)));
}

static const GOptionEntry echo_options[] = {
  { "banner", 0, 0, G_OPTION_ARG_STRING, NULL, "Send TEXT to each client as it connects", "TEXT" },
  { NULL }
};

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "echo",
  .description = "Sends back what each client sends",
  .default_endpoint = "tcp:8000:interface=127.0.0.1",
  .options = echo_options,
  .make_service = echo_make_service,
};
