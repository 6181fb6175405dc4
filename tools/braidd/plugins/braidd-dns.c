/* braidd-dns.c: the `dns` plugin of braidd -- `twistd dns --hosts-file`:
 * answers A and AAAA queries for the names of a hosts file, forwards the
 * rest to --upstream HOST:PORT when given, NXDOMAIN otherwise.
 *
 *   braidd dns --port 5553 --hosts-file hosts [--upstream 127.0.0.1:53]
 *   dig @127.0.0.1 -p 5553 facebook.com
 *
 * braidd hands every plugin a stream server endpoint (from --port or
 * --endpoint). DNS here is UDP only, so the plugin reads the port and the
 * interface out of that endpoint's description and listens on UDP there:
 * `--port N` is UDP port N of 127.0.0.1, `--endpoint tcp:N:interface=ADDR`
 * UDP port N of ADDR. (DNS over TCP, for replies too big for a datagram,
 * is not served: hosts-file answers always fit, and forwarded replies are
 * relayed as the upstream sent them, TC bit included, so the client
 * retries over TCP with the upstream itself.) */
#include <gmodule.h>

#include "braidd-plugin.h"

#define DNS_TYPE_SERVICE (dns_service_get_type ())
G_DECLARE_FINAL_TYPE (DnsService, dns_service, DNS, SERVICE, BraidService)

struct _DnsService
{
  BraidService parent_instance;

  BraidReactor *reactor;
  BraidDnsServer *server;
  guint16 port;
  char *interface;
  BraidDatagramTransport *transport;   /* owned by the reactor while listening */
};

G_DEFINE_FINAL_TYPE (DnsService, dns_service, BRAID_TYPE_SERVICE)

static gboolean
dns_service_privileged_start_service (BraidService *service, GError **error)
{
  DnsService *self = DNS_SERVICE (service);
  GSocketAddress *host;
  g_autofree char *where = NULL;

  if (self->transport != NULL)
    return TRUE;
  self->transport = braid_reactor_listen_udp (self->reactor, self->port,
                                              BRAID_DATAGRAM_PROTOCOL (self->server),
                                              self->interface, 0, error);
  if (self->transport == NULL)
    return FALSE;
  host = braid_datagram_transport_get_host (self->transport);
  where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (host));
  g_message ("Service '%s' answering DNS on UDP %s", braid_service_get_name (service), where);
  return TRUE;
}

static void
dns_service_start_service (BraidService *service)
{
  g_autoptr (GError) error = NULL;

  BRAID_SERVICE_CLASS (dns_service_parent_class)->start_service (service);
  if (DNS_SERVICE (service)->transport == NULL
      && !dns_service_privileged_start_service (service, &error))
    g_warning ("Service '%s' cannot listen on UDP: %s", braid_service_get_name (service),
               error->message);
}

static BraidDeferred *
dns_service_stop_service (BraidService *service)
{
  DnsService *self = DNS_SERVICE (service);

  BRAID_SERVICE_CLASS (dns_service_parent_class)->stop_service (service);
  if (self->transport != NULL)
    braid_datagram_transport_stop_listening (g_steal_pointer (&self->transport));
  return NULL;
}

static void
dns_service_finalize (GObject *object)
{
  DnsService *self = DNS_SERVICE (object);

  g_clear_object (&self->server);
  g_clear_object (&self->reactor);
  g_free (self->interface);
  G_OBJECT_CLASS (dns_service_parent_class)->finalize (object);
}

static void
dns_service_class_init (DnsServiceClass *klass)
{
  BraidServiceClass *service_class = BRAID_SERVICE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = dns_service_finalize;
  service_class->privileged_start_service = dns_service_privileged_start_service;
  service_class->start_service = dns_service_start_service;
  service_class->stop_service = dns_service_stop_service;
}

static void
dns_service_init (DnsService *self)
{
}

/* HOST:PORT, [V6]:PORT: an IP address, not a name (the server must not
 * itself depend on DNS to find its upstream). */
static GSocketAddress *
parse_upstream (const char *text, GError **error)
{
  g_autoptr (GSocketConnectable) parsed = g_network_address_parse (text, 53, error);
  g_autoptr (GInetAddress) address = NULL;

  if (parsed == NULL)
    return NULL;
  address = g_inet_address_new_from_string (
    g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)));
  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--upstream: '%s' is not an IP address and port (127.0.0.1:53, [::1]:53)",
                   text);
      return NULL;
    }
  return g_inet_socket_address_new (address, g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));
}

/* The port and interface of the endpoint braidd built. */
static gboolean
read_endpoint (BraidServerEndpoint *endpoint, DnsService *service, GError **error)
{
  const char *text = braid_server_endpoint_get_description (endpoint);
  g_autoptr (BraidEndpointDescription) description = braid_endpoint_description_parse (text, error);
  guint64 port;

  if (description == NULL)
    return FALSE;
  if (!g_str_equal (description->type, "tcp") || description->args[0] == NULL
      || !g_ascii_string_to_unsigned (description->args[0], 10, 0, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "dns serves UDP on the port and interface of a tcp:PORT[:interface=ADDR] "
                   "endpoint (or --port N); '%s' is not one", text);
      return FALSE;
    }
  service->port = port;
  service->interface = g_strdup (g_hash_table_lookup (description->kwargs, "interface"));
  return TRUE;
}

static BraidService *
dns_make_service (BraidReactor *reactor, BraidServerEndpoint *endpoint,
                  GHashTable *options, GError **error)
{
  const char *hosts_file = braidd_plugin_get_option (options, "hosts-file", NULL);
  const char *upstream_text = braidd_plugin_get_option (options, "upstream", NULL);
  const char *timeout_text = braidd_plugin_get_option (options, "timeout", NULL);
  g_autoptr (BraidDnsHosts) hosts = NULL;
  g_autoptr (DnsService) service = g_object_new (DNS_TYPE_SERVICE, NULL);

  if (!read_endpoint (endpoint, service, error))
    return NULL;
  if (hosts_file != NULL)
    {
      hosts = braid_dns_hosts_new_from_file (hosts_file, error);
      if (hosts == NULL)
        return NULL;
    }
  else
    hosts = braid_dns_hosts_new ();
  service->reactor = g_object_ref (reactor);
  service->server = braid_dns_server_new (reactor, hosts);
  if (upstream_text != NULL)
    {
      g_autoptr (GSocketAddress) upstream = parse_upstream (upstream_text, error);

      if (upstream == NULL)
        return NULL;
      braid_dns_server_set_upstream (service->server, upstream);
    }
  if (timeout_text != NULL)
    {
      char *end = NULL;
      gdouble seconds = g_ascii_strtod (timeout_text, &end);

      if (end == timeout_text || *end != '\0' || !(seconds > 0))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--timeout: '%s' is not a number of seconds above 0", timeout_text);
          return NULL;
        }
      braid_dns_server_set_upstream_timeout (service->server, seconds);
    }
  return BRAID_SERVICE (g_steal_pointer (&service));
}

static const GOptionEntry dns_options[] = {
  { "hosts-file", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Answer A and AAAA queries for the names in FILE (hosts(5) format)", "FILE" },
  { "upstream", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Forward other names to the DNS server at HOST:PORT (an IP address)", "HOST:PORT" },
  { "timeout", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Answer SERVFAIL when the upstream is silent for SECONDS (default 5)", "SECONDS" },
  { NULL }
};

G_MODULE_EXPORT extern const BraiddPlugin braidd_plugin;

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "dns",
  .description = "A DNS server answering from a hosts file (UDP), forwarding the rest",
  .default_endpoint = "tcp:5553:interface=127.0.0.1",
  .options = dns_options,
  .make_service = dns_make_service,
};
