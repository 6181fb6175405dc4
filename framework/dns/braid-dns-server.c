/* braid-dns-server.c: a DNS server answering from a hosts file,
 * forwarding the rest upstream. */
#include "config.h"

#include <string.h>

#include "core/braid-datagram-transport.h"
#include "core/braid-reactor.h"
#include "dns/braid-dns-message.h"
#include "dns/braid-dns-server.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"

/**
 * BraidDnsServer:
 *
 * A DNS server over UDP: the one `twistd dns --hosts-file=hosts` runs,
 * and the seeds' "cutting out social media" (a hosts file that sends
 * facebook.com to 127.0.0.1). It is a [class@Braid.DatagramProtocol]:
 * give it to [method@Braid.Reactor.listen_udp].
 *
 * For each query:
 *
 * - a name in the hosts file is answered from it: its IPv4 addresses for
 *   A, IPv6 ones for AAAA, both for ANY, with a TTL of
 *   %BRAID_DNS_HOSTS_TTL, authoritative; no record of the type asked is an
 *   empty NOERROR answer ("no data", RFC 2308; Twisted answers NXDOMAIN);
 * - any other name is forwarded to the upstream server when one is set
 *   ([method@Braid.DnsServer.set_upstream]) and its reply relayed as it is;
 *   an upstream that does not reply within the timeout (on the reactor's
 *   clock) gets the client a SERVFAIL, and so does one whose system
 *   refuses the query (nothing listens there) at once;
 * - without an upstream, NXDOMAIN.
 *
 * A query that cannot be read gets FORMERR when its header can (and is
 * dropped otherwise), one with other than one question FORMERR, an opcode
 * other than QUERY NOTIMP; a reply sent to the server is ignored. Each of
 * these is logged with its sender. Twisted drops what it cannot parse.
 *
 * Forwarded queries carry a fresh random identifier, and an upstream reply
 * is accepted only from the upstream's address with a pending identifier
 * and the same question: a stray or forged reply is dropped.
 */

typedef struct
{
  BraidDnsServer *server;          /* not owned */
  guint16 id;                      /* the identifier sent upstream */
  guint16 client_id;
  GSocketAddress *client;
  BraidDnsMessage *query;          /* as the client sent it */
  BraidDelayedCall *timeout;       /* owned */
} Pending;

#define BRAID_TYPE_DNS_UPSTREAM (braid_dns_upstream_get_type ())
G_DECLARE_FINAL_TYPE (BraidDnsUpstream, braid_dns_upstream, BRAID, DNS_UPSTREAM,
                      BraidDatagramProtocol)

/* The protocol of the port that talks to the upstream server. */
struct _BraidDnsUpstream
{
  BraidDatagramProtocol parent_instance;
  BraidDnsServer *server;          /* not owned: the server owns this */
};

G_DEFINE_FINAL_TYPE (BraidDnsUpstream, braid_dns_upstream, BRAID_TYPE_DATAGRAM_PROTOCOL)

struct _BraidDnsServer
{
  BraidDatagramProtocol parent_instance;

  BraidReactor *reactor;
  BraidDnsHosts *hosts;
  GSocketAddress *upstream;
  gdouble upstream_timeout;
  BraidDnsUpstream *upstream_protocol;
  BraidDatagramTransport *upstream_port;   /* owned by the reactor */
  GHashTable *pending;                     /* id -> Pending */
};

G_DEFINE_FINAL_TYPE (BraidDnsServer, braid_dns_server, BRAID_TYPE_DATAGRAM_PROTOCOL)

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  /* A timeout that fired was cleared (upstream_timed_out): one still
   * here has not. */
  if (pending->timeout != NULL)
    {
      braid_delayed_call_cancel (pending->timeout, NULL);
      braid_delayed_call_unref (pending->timeout);
    }
  g_object_unref (pending->client);
  braid_dns_message_free (pending->query);
  g_free (pending);
}

static void
send_message (BraidDnsServer *self, BraidDnsMessage *message, GSocketAddress *to)
{
  BraidDatagramTransport *transport =
    braid_datagram_protocol_get_transport (BRAID_DATAGRAM_PROTOCOL (self));
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = braid_dns_message_encode (message, &error);

  if (bytes == NULL)
    {
      g_warning ("DNS server: cannot write a reply: %s", error->message);
      return;
    }
  if (transport == NULL)
    return;
  if (!braid_datagram_transport_write (transport, g_bytes_get_data (bytes, NULL),
                                       g_bytes_get_size (bytes), to, &error))
    g_message ("DNS server: reply not sent: %s", error->message);
}

static void
reply_error (BraidDnsServer *self, const BraidDnsMessage *query, guint8 rcode,
             GSocketAddress *to)
{
  g_autoptr (BraidDnsMessage) reply = braid_dns_message_new_reply (query);

  reply->rcode = rcode;
  reply->recursion_available = self->upstream != NULL;
  send_message (self, reply, to);
}

static char *
describe (GSocketAddress *address)
{
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static void
upstream_timed_out (gpointer data)
{
  Pending *pending = data;
  BraidDnsServer *self = pending->server;
  g_autofree char *upstream = describe (self->upstream);
  const BraidDnsQuestion *question = g_ptr_array_index (pending->query->questions, 0);

  g_message ("DNS server: upstream %s did not answer %s within %g s: SERVFAIL",
             upstream, question->name, self->upstream_timeout);
  braid_delayed_call_unref (g_steal_pointer (&pending->timeout));   /* this call */
  reply_error (self, pending->query, BRAID_DNS_RCODE_SERVER_FAILURE, pending->client);
  g_hash_table_remove (self->pending, GUINT_TO_POINTER (pending->id));
}

/* Takes @query_taken: the pending entry keeps it to check the reply. */
static void
forward (BraidDnsServer *self, BraidDnsMessage *query_taken, const guint8 *data, gsize len,
         GSocketAddress *client)
{
  g_autoptr (BraidDnsMessage) query = query_taken;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *copy = NULL;
  Pending *pending;
  guint16 id;

  if (self->upstream_port == NULL
      || g_hash_table_size (self->pending) >= BRAID_DNS_MAX_PENDING)
    {
      g_message ("DNS server: cannot forward now (%s): SERVFAIL",
                 self->upstream_port == NULL ? "no port to the upstream"
                                             : "too many queries pending");
      reply_error (self, query, BRAID_DNS_RCODE_SERVER_FAILURE, client);
      return;
    }
  do
    id = g_random_int_range (0, 65536);
  while (g_hash_table_contains (self->pending, GUINT_TO_POINTER (id)));

  copy = g_memdup2 (data, len);
  copy[0] = id >> 8;
  copy[1] = id & 0xFF;
  if (!braid_datagram_transport_write (self->upstream_port, copy, len, NULL, &error))
    {
      g_message ("DNS server: cannot forward upstream: %s: SERVFAIL", error->message);
      reply_error (self, query, BRAID_DNS_RCODE_SERVER_FAILURE, client);
      return;
    }
  pending = g_new0 (Pending, 1);
  pending->server = self;
  pending->id = id;
  pending->client_id = query->id;
  pending->client = g_object_ref (client);
  pending->query = g_steal_pointer (&query);
  pending->timeout = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (self->reactor),
                                                                     self->upstream_timeout,
                                                                     upstream_timed_out, pending, NULL));
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (id), pending);
}

static void
answer_from_hosts (BraidDnsServer *self, BraidDnsMessage *query, GSocketAddress *client)
{
  const BraidDnsQuestion *question = g_ptr_array_index (query->questions, 0);
  g_autoptr (BraidDnsMessage) reply = braid_dns_message_new_reply (query);
  g_autoptr (GPtrArray) addresses = NULL;
  GSocketFamily family;

  switch (question->type)
    {
    case BRAID_DNS_TYPE_A: family = G_SOCKET_FAMILY_IPV4; break;
    case BRAID_DNS_TYPE_AAAA: family = G_SOCKET_FAMILY_IPV6; break;
    case BRAID_DNS_TYPE_ANY: family = G_SOCKET_FAMILY_INVALID; break;
    default: family = -1; break;
    }
  reply->authoritative = TRUE;
  reply->recursion_available = self->upstream != NULL;
  if ((int) family != -1)
    {
      addresses = braid_dns_hosts_lookup (self->hosts, question->name, family);
      for (guint i = 0; i < addresses->len; i++)
        braid_dns_message_add_answer (reply, braid_dns_record_new_address (
                                        question->name, BRAID_DNS_HOSTS_TTL,
                                        g_ptr_array_index (addresses, i)));
    }
  send_message (self, reply, client);
}

static void
braid_dns_server_datagram_received (BraidDatagramProtocol *protocol, const guint8 *data,
                                    gsize len, GSocketAddress *from)
{
  BraidDnsServer *self = BRAID_DNS_SERVER (protocol);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDnsMessage) query = braid_dns_message_parse (data, len, &error);
  g_autofree char *sender = NULL;   /* formatted only when a query is refused */
  const BraidDnsQuestion *question;

  if (query == NULL)
    {
      sender = describe (from);
      /* The header alone tells whom to answer, when there is one. */
      if (len >= 12 && !(data[2] & 0x80))
        {
          g_autoptr (BraidDnsMessage) header = braid_dns_message_new ();

          header->id = (guint16) (data[0] << 8 | data[1]);
          header->opcode = (data[2] >> 3) & 0xF;
          header->recursion_desired = data[2] & 1;
          g_message ("DNS server: query from %s: %s: FORMERR", sender, error->message);
          reply_error (self, header, BRAID_DNS_RCODE_FORMAT_ERROR, from);
        }
      else
        g_message ("DNS server: dropped a datagram from %s: %s", sender, error->message);
      return;
    }
  if (query->response)
    {
      sender = describe (from);
      g_message ("DNS server: dropped a reply sent to the server by %s", sender);
      return;
    }
  if (query->opcode != 0)
    {
      sender = describe (from);
      g_message ("DNS server: query from %s with opcode %u: NOTIMP", sender, query->opcode);
      reply_error (self, query, BRAID_DNS_RCODE_NOT_IMPLEMENTED, from);
      return;
    }
  if (query->questions->len != 1)
    {
      sender = describe (from);
      g_message ("DNS server: query from %s with %u questions: FORMERR", sender,
                 query->questions->len);
      reply_error (self, query, BRAID_DNS_RCODE_FORMAT_ERROR, from);
      return;
    }
  question = g_ptr_array_index (query->questions, 0);
  if (braid_dns_hosts_has_name (self->hosts, question->name))
    answer_from_hosts (self, query, from);
  else if (self->upstream != NULL)
    forward (self, g_steal_pointer (&query), data, len, from);
  else
    reply_error (self, query, BRAID_DNS_RCODE_NAME_ERROR, from);
}

static void
upstream_datagram_received (BraidDatagramProtocol *protocol, const guint8 *data, gsize len,
                            GSocketAddress *from)
{
  BraidDnsServer *self = BRAID_DNS_UPSTREAM (protocol)->server;
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDnsMessage) reply = braid_dns_message_parse (data, len, &error);
  g_autofree guint8 *copy = NULL;
  const BraidDnsQuestion *asked, *answered;
  Pending *pending;

  if (reply == NULL)
    {
      g_message ("DNS server: dropped a reply from upstream: %s", error->message);
      return;
    }
  pending = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (reply->id));
  if (!reply->response || pending == NULL || reply->questions->len != 1)
    {
      g_message ("DNS server: dropped a stray message from upstream (identifier %u)", reply->id);
      return;
    }
  asked = g_ptr_array_index (pending->query->questions, 0);
  answered = g_ptr_array_index (reply->questions, 0);
  if (asked->type != answered->type || !braid_dns_name_equal (asked->name, answered->name))
    {
      g_message ("DNS server: dropped an upstream reply for another question (%s)",
                 answered->name);
      return;
    }
  copy = g_memdup2 (data, len);
  copy[0] = pending->client_id >> 8;
  copy[1] = pending->client_id & 0xFF;
  if (!braid_datagram_transport_write (braid_datagram_protocol_get_transport (BRAID_DATAGRAM_PROTOCOL (self)),
                                       copy, len, pending->client, &error))
    g_message ("DNS server: reply not relayed: %s", error->message);
  g_hash_table_remove (self->pending, GUINT_TO_POINTER (pending->id));
}

/* The upstream's system says nothing listens there: every query waiting
 * for it fails now rather than at its timeout. */
static void
upstream_connection_refused (BraidDatagramProtocol *protocol)
{
  BraidDnsServer *self = BRAID_DNS_UPSTREAM (protocol)->server;
  g_autofree char *upstream = describe (self->upstream);
  GHashTableIter iter;
  Pending *pending;

  g_message ("DNS server: upstream %s refused the query (nothing listens there): SERVFAIL "
             "for the %u queries waiting", upstream, g_hash_table_size (self->pending));
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pending))
    {
      reply_error (self, pending->query, BRAID_DNS_RCODE_SERVER_FAILURE, pending->client);
      g_hash_table_iter_remove (&iter);
    }
}

static void
braid_dns_upstream_class_init (BraidDnsUpstreamClass *klass)
{
  BRAID_DATAGRAM_PROTOCOL_CLASS (klass)->datagram_received = upstream_datagram_received;
  BRAID_DATAGRAM_PROTOCOL_CLASS (klass)->connection_refused = upstream_connection_refused;
}

static void
braid_dns_upstream_init (BraidDnsUpstream *self)
{
}

static void
braid_dns_server_start_protocol (BraidDatagramProtocol *protocol)
{
  BraidDnsServer *self = BRAID_DNS_SERVER (protocol);
  g_autoptr (GError) error = NULL;
  gboolean v6;

  if (self->upstream == NULL)
    return;
  v6 = g_socket_address_get_family (self->upstream) == G_SOCKET_FAMILY_IPV6;
  self->upstream_protocol = g_object_new (BRAID_TYPE_DNS_UPSTREAM, NULL);
  self->upstream_protocol->server = self;
  self->upstream_port = braid_reactor_listen_udp (self->reactor, 0,
                                                  BRAID_DATAGRAM_PROTOCOL (self->upstream_protocol),
                                                  v6 ? "::" : "0.0.0.0", G_MAXUINT16, &error);
  if (self->upstream_port == NULL
      || !braid_datagram_transport_connect (self->upstream_port, self->upstream, &error))
    {
      g_autofree char *upstream = describe (self->upstream);

      g_warning ("DNS server: cannot open a port to upstream %s: %s; forwarded queries "
                 "will get SERVFAIL", upstream, error->message);
      if (self->upstream_port != NULL)
        braid_datagram_transport_stop_listening (self->upstream_port);
      self->upstream_port = NULL;
    }
}

static void
braid_dns_server_stop_protocol (BraidDatagramProtocol *protocol)
{
  BraidDnsServer *self = BRAID_DNS_SERVER (protocol);

  g_hash_table_remove_all (self->pending);
  if (self->upstream_port != NULL)
    braid_datagram_transport_stop_listening (self->upstream_port);
  self->upstream_port = NULL;
  g_clear_object (&self->upstream_protocol);
}

static void
braid_dns_server_dispose (GObject *object)
{
  BraidDnsServer *self = BRAID_DNS_SERVER (object);

  if (self->pending != NULL)
    g_hash_table_remove_all (self->pending);
  G_OBJECT_CLASS (braid_dns_server_parent_class)->dispose (object);
}

static void
braid_dns_server_finalize (GObject *object)
{
  BraidDnsServer *self = BRAID_DNS_SERVER (object);

  g_hash_table_unref (self->pending);
  g_clear_object (&self->upstream_protocol);
  g_clear_object (&self->upstream);
  g_clear_object (&self->hosts);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (braid_dns_server_parent_class)->finalize (object);
}

static void
braid_dns_server_class_init (BraidDnsServerClass *klass)
{
  BraidDatagramProtocolClass *protocol_class = BRAID_DATAGRAM_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = braid_dns_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_dns_server_finalize;
  protocol_class->start_protocol = braid_dns_server_start_protocol;
  protocol_class->stop_protocol = braid_dns_server_stop_protocol;
  protocol_class->datagram_received = braid_dns_server_datagram_received;
}

static void
braid_dns_server_init (BraidDnsServer *self)
{
  self->upstream_timeout = BRAID_DNS_DEFAULT_UPSTREAM_TIMEOUT;
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, pending_free);
}

/**
 * braid_dns_server_new:
 * @reactor: the reactor: its clock times the upstream, and it opens the
 *   port to the upstream
 * @hosts: the names to answer for
 *
 * Creates a DNS server answering from @hosts, NXDOMAIN for the rest until
 * an upstream is set. Start it with [method@Braid.Reactor.listen_udp].
 *
 * Returns: (transfer full): the server
 */
BraidDnsServer *
braid_dns_server_new (BraidReactor *reactor, BraidDnsHosts *hosts)
{
  BraidDnsServer *self;

  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_DNS_HOSTS (hosts), NULL);
  self = g_object_new (BRAID_TYPE_DNS_SERVER, NULL);
  self->reactor = g_object_ref (reactor);
  self->hosts = g_object_ref (hosts);
  return self;
}

/**
 * braid_dns_server_set_upstream:
 * @self: a DNS server
 * @upstream: (nullable): the server to forward names not in the hosts
 *   file to, an IP address and port; %NULL to answer NXDOMAIN instead
 *
 * Sets the upstream server. Set it before the server starts: the port to
 * the upstream opens when the server's port does.
 */
void
braid_dns_server_set_upstream (BraidDnsServer *self, GSocketAddress *upstream)
{
  g_return_if_fail (BRAID_IS_DNS_SERVER (self));
  g_return_if_fail (upstream == NULL || G_IS_INET_SOCKET_ADDRESS (upstream));
  g_return_if_fail (braid_datagram_protocol_get_transport (BRAID_DATAGRAM_PROTOCOL (self)) == NULL);
  g_set_object (&self->upstream, upstream);
}

/**
 * braid_dns_server_set_upstream_timeout:
 * @self: a DNS server
 * @seconds: how long to wait for the upstream, more than 0
 *
 * Sets how long a forwarded query waits for the upstream before the
 * client gets SERVFAIL (%BRAID_DNS_DEFAULT_UPSTREAM_TIMEOUT by default).
 */
void
braid_dns_server_set_upstream_timeout (BraidDnsServer *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_DNS_SERVER (self));
  g_return_if_fail (seconds > 0);
  self->upstream_timeout = seconds;
}

/**
 * braid_dns_server_get_pending_count:
 * @self: a DNS server
 *
 * Counts the queries forwarded and not yet answered.
 *
 * Returns: how many
 */
guint
braid_dns_server_get_pending_count (BraidDnsServer *self)
{
  g_return_val_if_fail (BRAID_IS_DNS_SERVER (self), 0);
  return g_hash_table_size (self->pending);
}

/**
 * braid_dns_server_get_upstream_port:
 * @self: a DNS server
 *
 * Gets the port the server talks to its upstream on.
 *
 * Returns: (transfer none) (nullable): the port, while the server runs
 *   with an upstream
 */
BraidDatagramTransport *
braid_dns_server_get_upstream_port (BraidDnsServer *self)
{
  g_return_val_if_fail (BRAID_IS_DNS_SERVER (self), NULL);
  return self->upstream_port;
}
