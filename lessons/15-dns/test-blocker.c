/* test-blocker.c: lesson 15's DNS blocker on a fake UDP port -- no socket:
 * a query is a datagram delivered to the protocol, the reply the datagram
 * it writes. */
#include <braid-fakes.h>

#include "blocker.h"

static const char * const blocklist[] = { "facebook.com", "twitter.com", "reddit.com", NULL };

typedef struct
{
  BlockerProtocol *blocker;
  BraidFakeDatagramTransport *port;
  GSocketAddress *dig;
} Fixture;

static void
set_up (Fixture *f, gconstpointer unused)
{
  f->blocker = blocker_protocol_new (blocklist);
  f->port = braid_fake_datagram_transport_new ("127.0.0.1", 5553, 0);
  f->dig = g_inet_socket_address_new_from_string ("127.0.0.1", 40000);
  braid_fake_datagram_transport_attach (f->port, BRAID_DATAGRAM_PROTOCOL (f->blocker));
}

static void
tear_down (Fixture *f, gconstpointer unused)
{
  g_object_unref (f->blocker);
  g_object_unref (f->port);
  g_object_unref (f->dig);
}

static void
send_query (Fixture *f, guint16 id, const char *name, guint16 type)
{
  g_autoptr (BraidDnsMessage) query = braid_dns_message_new ();
  g_autoptr (GBytes) bytes = NULL;

  query->id = id;
  query->recursion_desired = TRUE;
  braid_dns_message_add_question (query, name, type);
  bytes = braid_dns_message_encode (query, NULL);
  braid_fake_datagram_transport_deliver (f->port, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes), f->dig);
}

static BraidDnsMessage *
reply (Fixture *f, guint index)
{
  BraidDatagramWrite *write = braid_fake_datagram_transport_get_write (f->port, index);

  g_assert_true (braid_socket_address_equal (write->address, f->dig));
  return braid_dns_message_parse (g_bytes_get_data (write->data, NULL),
                                  g_bytes_get_size (write->data), NULL);
}

static void
test_blocked_name_is_this_machine (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) answer = NULL;
  g_autofree char *address = NULL;
  BraidDnsRecord *record;

  send_query (f, 1234, "facebook.com", BRAID_DNS_TYPE_A);
  answer = reply (f, 0);
  g_assert_cmpuint (answer->id, ==, 1234);
  g_assert_true (answer->response);
  g_assert_cmpuint (answer->rcode, ==, BRAID_DNS_RCODE_OK);
  g_assert_cmpuint (answer->answers->len, ==, 1);
  record = g_ptr_array_index (answer->answers, 0);
  address = g_inet_address_to_string (record->address);
  g_assert_cmpstr (address, ==, BLOCKER_ADDRESS);
  g_assert_cmpuint (record->ttl, ==, BLOCKER_TTL);
  g_assert_cmpuint (blocker_protocol_get_served (f->blocker), ==, 1);
}

static void
test_other_names_do_not_exist (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) answer = NULL;

  send_query (f, 7, "example.org", BRAID_DNS_TYPE_A);
  answer = reply (f, 0);
  g_assert_cmpuint (answer->rcode, ==, BRAID_DNS_RCODE_NAME_ERROR);
  g_assert_cmpuint (answer->answers->len, ==, 0);
}

static void
test_blocked_name_has_no_ipv6 (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) answer = NULL;

  send_query (f, 8, "twitter.com", BRAID_DNS_TYPE_AAAA);
  answer = reply (f, 0);
  g_assert_cmpuint (answer->rcode, ==, BRAID_DNS_RCODE_OK);
  g_assert_cmpuint (answer->answers->len, ==, 0);
}

static void
test_one_reply_per_query_in_order (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) first = NULL;
  g_autoptr (BraidDnsMessage) second = NULL;

  send_query (f, 1, "reddit.com", BRAID_DNS_TYPE_A);
  send_query (f, 2, "example.org", BRAID_DNS_TYPE_A);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 2);
  first = reply (f, 0);
  second = reply (f, 1);
  g_assert_cmpuint (first->id, ==, 1);
  g_assert_cmpuint (second->id, ==, 2);
}

static void
test_garbage_is_dropped (Fixture *f, gconstpointer unused)
{
  static const guint8 garbage[] = { 'h', 'e', 'l', 'l', 'o' };

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "dropped a datagram that is not a query*");
  braid_fake_datagram_transport_deliver (f->port, garbage, sizeof garbage, f->dig);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/blocker/" path, Fixture, NULL, set_up, func, tear_down)
  ADD ("blocked-name-is-this-machine", test_blocked_name_is_this_machine);
  ADD ("other-names-do-not-exist", test_other_names_do_not_exist);
  ADD ("blocked-name-has-no-ipv6", test_blocked_name_has_no_ipv6);
  ADD ("one-reply-per-query-in-order", test_one_reply_per_query_in_order);
  ADD ("garbage-is-dropped", test_garbage_is_dropped);
#undef ADD
  return g_test_run ();
}
