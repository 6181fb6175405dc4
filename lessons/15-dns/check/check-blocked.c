/* check-blocked.c: the check of lesson 15's exercise, the blocklist, on a
 * fake UDP port: each name is asked as dig would ask it. */
#include <braid-fakes.h>

#include "blocker.h"

static const char * const blocklist[] = { "facebook.com", "twitter.com", "reddit.com", NULL };

/* Asks the blocker for @name's A record; returns the reply's rcode and sets
 * @answers to the number of answers. */
static guint
ask (const char *name, guint *answers)
{
  g_autoptr (BlockerProtocol) blocker = blocker_protocol_new (blocklist);
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new ("127.0.0.1", 5553, 0);
  g_autoptr (GSocketAddress) dig = g_inet_socket_address_new_from_string ("127.0.0.1", 40000);
  g_autoptr (BraidDnsMessage) query = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) reply = NULL;
  g_autoptr (GBytes) bytes = NULL;
  BraidDatagramWrite *write;

  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (blocker));
  query->id = 4242;
  braid_dns_message_add_question (query, name, BRAID_DNS_TYPE_A);
  bytes = braid_dns_message_encode (query, NULL);
  braid_fake_datagram_transport_deliver (port, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes), dig);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (port)->len, ==, 1);
  write = braid_fake_datagram_transport_get_write (port, 0);
  reply = braid_dns_message_parse (g_bytes_get_data (write->data, NULL),
                                   g_bytes_get_size (write->data), NULL);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->id, ==, 4242);
  *answers = reply->answers->len;
  return reply->rcode;
}

static void
expect_blocked (const char *name)
{
  guint answers;

  if (ask (name, &answers) != BRAID_DNS_RCODE_OK || answers != 1)
    g_error ("\"%s\" should be blocked (answered 127.0.0.1), but the blocker answered "
             "NXDOMAIN", name);
}

static void
expect_not_blocked (const char *name)
{
  guint answers;

  if (ask (name, &answers) != BRAID_DNS_RCODE_NAME_ERROR)
    g_error ("\"%s\" is another site: it should get NXDOMAIN, but the blocker answered "
             "127.0.0.1", name);
}

static void
test_the_blocklist_itself (void)
{
  expect_blocked ("facebook.com");
  expect_blocked ("twitter.com");
  expect_blocked ("reddit.com");
}

static void
test_any_case_and_final_dot (void)
{
  expect_blocked ("FaceBook.COM");
  expect_blocked ("facebook.com.");
  expect_blocked ("REDDIT.com.");
}

static void
test_names_under_a_blocked_name (void)
{
  expect_blocked ("www.facebook.com");
  expect_blocked ("m.facebook.com");
  expect_blocked ("a.b.twitter.com");
  expect_blocked ("Old.Reddit.Com.");
}

static void
test_other_sites_are_not_blocked (void)
{
  expect_not_blocked ("example.org");
  expect_not_blocked ("notfacebook.com");
  expect_not_blocked ("facebook.com.evil.example");
  expect_not_blocked ("com");
  expect_not_blocked ("ebook.com");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blocked/the-blocklist-itself", test_the_blocklist_itself);
  g_test_add_func ("/blocked/any-case-and-final-dot", test_any_case_and_final_dot);
  g_test_add_func ("/blocked/names-under-a-blocked-name", test_names_under_a_blocked_name);
  g_test_add_func ("/blocked/other-sites-are-not-blocked", test_other_sites_are_not_blocked);
  return g_test_run ();
}
