/* blocker.c: lesson 15's DNS server. One protocol object serves the whole
 * UDP port: each datagram is one query, answered with one datagram. */
#include "blocker.h"

struct _BlockerProtocol
{
  BraidDatagramProtocol parent_instance;
  char **blocklist;
  guint served;
};

G_DEFINE_FINAL_TYPE (BlockerProtocol, blocker_protocol, BRAID_TYPE_DATAGRAM_PROTOCOL)

static void
send_reply (BraidDatagramProtocol *protocol, BraidDnsMessage *reply, GSocketAddress *address)
{
  g_autoptr (GBytes) bytes = braid_dns_message_encode (reply, NULL);
  g_autoptr (GError) error = NULL;

  if (!braid_datagram_transport_write (braid_datagram_protocol_get_transport (protocol),
                                       g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                       address, &error))
    g_message ("reply to a query not sent: %s", error->message);
}

static void
blocker_datagram_received (BraidDatagramProtocol *protocol, const guint8 *data, gsize len,
                           GSocketAddress *address)
{
  BlockerProtocol *self = BLOCKER_PROTOCOL (protocol);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDnsMessage) query = braid_dns_message_parse (data, len, &error);
  g_autoptr (BraidDnsMessage) reply = NULL;
  BraidDnsQuestion *question;

  if (query == NULL || query->response || query->questions->len != 1)
    {
      g_message ("dropped a datagram that is not a query: %s",
                 error != NULL ? error->message : "not one question");
      return;
    }
  question = g_ptr_array_index (query->questions, 0);
  reply = braid_dns_message_new_reply (query);
  self->served++;

  if (!blocker_is_blocked (question->name, (const char * const *) self->blocklist))
    reply->rcode = BRAID_DNS_RCODE_NAME_ERROR;
  else if (question->type == BRAID_DNS_TYPE_A)
    {
      g_autoptr (GInetAddress) here = g_inet_address_new_from_string (BLOCKER_ADDRESS);

      braid_dns_message_add_answer (reply, braid_dns_record_new_address (question->name,
                                                                         BLOCKER_TTL, here));
    }
  send_reply (protocol, reply, address);
}

static void
blocker_protocol_finalize (GObject *object)
{
  g_strfreev (BLOCKER_PROTOCOL (object)->blocklist);
  G_OBJECT_CLASS (blocker_protocol_parent_class)->finalize (object);
}

static void
blocker_protocol_class_init (BlockerProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = blocker_protocol_finalize;
  BRAID_DATAGRAM_PROTOCOL_CLASS (klass)->datagram_received = blocker_datagram_received;
}

static void
blocker_protocol_init (BlockerProtocol *self)
{
}

BlockerProtocol *
blocker_protocol_new (const char * const *blocklist)
{
  BlockerProtocol *self = g_object_new (BLOCKER_TYPE_PROTOCOL, NULL);

  self->blocklist = g_strdupv ((char **) blocklist);
  return self;
}

guint
blocker_protocol_get_served (BlockerProtocol *self)
{
  return self->served;
}
