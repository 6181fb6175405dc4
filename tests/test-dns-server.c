/* test-dns-server.c: hosts files and the DNS server, on the memory reactor:
 * answers from the hosts file, NXDOMAIN, forwarding upstream with its
 * timeout on the fake clock, and bad queries. No socket. */
#include <glib/gstdio.h>

#include <braid-fakes.h>

static const char hosts_text[] =
  "# /etc/hosts-alike format\n"
  "127.0.0.1 facebook.com\n"
  "127.0.0.1\ttwitter.com   www.Twitter.com  # trailing comment\n"
  "::1 facebook.com\n"
  "\n"
  "127.0.0.1 reddit.com \r\n";

typedef struct
{
  BraidMemoryReactor *reactor;
  BraidDnsHosts *hosts;
  BraidDnsServer *server;
  BraidFakeDatagramTransport *port;
  GSocketAddress *client;
  GSocketAddress *upstream;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer with_upstream)
{
  g_autoptr (GError) error = NULL;

  f->reactor = braid_memory_reactor_new ();
  f->hosts = braid_dns_hosts_new ();
  braid_dns_hosts_load_data (f->hosts, hosts_text, "test hosts");
  f->server = braid_dns_server_new (BRAID_REACTOR (f->reactor), f->hosts);
  f->client = g_inet_socket_address_new_from_string ("10.0.0.7", 40000);
  f->upstream = g_inet_socket_address_new_from_string ("10.0.0.53", 53);
  if (with_upstream != NULL)
    braid_dns_server_set_upstream (f->server, f->upstream);
  braid_reactor_listen_udp (BRAID_REACTOR (f->reactor), 5553, BRAID_DATAGRAM_PROTOCOL (f->server),
                            "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  f->port = braid_memory_reactor_get_udp_server (f->reactor, 0)->transport;
}

static void
fixture_tear_down (Fixture *f, gconstpointer unused)
{
  g_object_unref (f->server);
  g_object_unref (f->hosts);
  g_object_unref (f->reactor);
  g_object_unref (f->client);
  g_object_unref (f->upstream);
}

static GBytes *
make_query (guint16 id, const char *name, guint16 type)
{
  g_autoptr (BraidDnsMessage) query = braid_dns_message_new ();

  query->id = id;
  query->recursion_desired = TRUE;
  braid_dns_message_add_question (query, name, type);
  return braid_dns_message_encode (query, NULL);
}

static void
send_to (BraidFakeDatagramTransport *port, GBytes *bytes, GSocketAddress *from)
{
  g_assert_true (braid_fake_datagram_transport_deliver (port, g_bytes_get_data (bytes, NULL),
                                                        g_bytes_get_size (bytes), from));
}

/* Asks @name, returns the one reply the server sent to the client. */
static BraidDnsMessage *
ask (Fixture *f, guint16 id, const char *name, guint16 type)
{
  g_autoptr (GBytes) query = make_query (id, name, type);
  BraidDatagramWrite *write;

  braid_fake_datagram_transport_clear_writes (f->port);
  send_to (f->port, query, f->client);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 1);
  write = braid_fake_datagram_transport_get_write (f->port, 0);
  g_assert_true (braid_socket_address_equal (write->address, f->client));
  return braid_dns_message_parse (g_bytes_get_data (write->data, NULL),
                                  g_bytes_get_size (write->data), NULL);
}

static const char *
answer_address (BraidDnsMessage *reply, guint index, char **text)
{
  BraidDnsRecord *record = g_ptr_array_index (reply->answers, index);

  *text = g_inet_address_to_string (record->address);
  return *text;
}

static void
test_hosts_file (void)
{
  g_autoptr (BraidDnsHosts) hosts = braid_dns_hosts_new ();
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-hosts-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "hosts", NULL);
  g_autoptr (BraidDnsHosts) from_file = NULL;

  g_test_summary ("hosts(5): comments, blanks, tabs, aliases, names in any case; a bad line "
                  "is skipped with its number logged; a missing file is an error");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "here line 2: skipped: the first field is not an IP address");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "here line 3: skipped: an address with no name");
  braid_dns_hosts_load_data (hosts, "10.0.0.1 a.example\nnot-an-ip b.example\n10.0.0.2\n"
                                    "10.0.0.3 A.Example. c.example\n", "here");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_dns_hosts_get_name_count (hosts), ==, 2);
  g_assert_true (braid_dns_hosts_has_name (hosts, "a.EXAMPLE."));
  g_assert_false (braid_dns_hosts_has_name (hosts, "b.example"));
  found = braid_dns_hosts_lookup (hosts, "a.example", G_SOCKET_FAMILY_INVALID);
  g_assert_cmpuint (found->len, ==, 2);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = braid_dns_hosts_lookup (hosts, "a.example", G_SOCKET_FAMILY_IPV6);
  g_assert_cmpuint (found->len, ==, 0);

  g_assert_true (g_file_set_contents (path, hosts_text, -1, NULL));
  from_file = braid_dns_hosts_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_dns_hosts_get_name_count (from_file), ==, 4);
  g_assert_true (braid_dns_hosts_has_name (from_file, "www.twitter.com"));
  g_unlink (path);
  g_rmdir (dir);
  g_assert_null (braid_dns_hosts_new_from_file (path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_answers_from_hosts (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) a = ask (f, 7, "Facebook.COM", BRAID_DNS_TYPE_A);
  g_autoptr (BraidDnsMessage) aaaa = ask (f, 8, "facebook.com", BRAID_DNS_TYPE_AAAA);
  g_autoptr (BraidDnsMessage) any = ask (f, 9, "facebook.com", BRAID_DNS_TYPE_ANY);
  g_autoptr (BraidDnsMessage) mx = ask (f, 10, "twitter.com", BRAID_DNS_TYPE_MX);
  g_autoptr (BraidDnsMessage) only_v4 = ask (f, 11, "reddit.com", BRAID_DNS_TYPE_AAAA);
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;
  BraidDnsRecord *record;

  g_test_summary ("The seeds' hosts file: facebook.com answers 127.0.0.1 (A) and ::1 (AAAA), "
                  "authoritative, TTL 3600, in the case asked; a name without the type asked "
                  "gets an empty NOERROR");
  g_assert_nonnull (a);
  g_assert_cmpuint (a->id, ==, 7);
  g_assert_true (a->response && a->authoritative && a->recursion_desired);
  g_assert_false (a->recursion_available);
  g_assert_cmpuint (a->rcode, ==, BRAID_DNS_RCODE_OK);
  g_assert_cmpuint (a->questions->len, ==, 1);
  g_assert_cmpuint (a->answers->len, ==, 1);
  record = g_ptr_array_index (a->answers, 0);
  g_assert_cmpstr (record->name, ==, "Facebook.COM");
  g_assert_cmpuint (record->ttl, ==, BRAID_DNS_HOSTS_TTL);
  g_assert_cmpstr (answer_address (a, 0, &t1), ==, "127.0.0.1");

  g_assert_cmpuint (aaaa->answers->len, ==, 1);
  g_assert_cmpstr (answer_address (aaaa, 0, &t2), ==, "::1");
  g_assert_cmpuint (any->answers->len, ==, 2);
  g_assert_cmpuint (mx->rcode, ==, BRAID_DNS_RCODE_OK);
  g_assert_cmpuint (mx->answers->len, ==, 0);
  g_assert_cmpuint (only_v4->rcode, ==, BRAID_DNS_RCODE_OK);
  g_assert_cmpuint (only_v4->answers->len, ==, 0);
  (void) t3;
}

static void
test_nxdomain_without_upstream (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) reply = ask (f, 99, "example.org", BRAID_DNS_TYPE_A);

  g_test_summary ("Without an upstream, a name not in the hosts file is NXDOMAIN");
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_NAME_ERROR);
  g_assert_cmpuint (reply->id, ==, 99);
  g_assert_cmpuint (reply->answers->len, ==, 0);
  g_assert_cmpuint (braid_memory_reactor_get_udp_servers (f->reactor)->len, ==, 1);
}

static GBytes *
last_reply_bytes (Fixture *f)
{
  GPtrArray *writes = braid_fake_datagram_transport_get_writes (f->port);

  g_assert_cmpuint (writes->len, >, 0);
  return ((BraidDatagramWrite *) g_ptr_array_index (writes, writes->len - 1))->data;
}

static BraidDnsMessage *
last_reply (Fixture *f)
{
  GBytes *bytes = last_reply_bytes (f);

  return braid_dns_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
}

static void
test_bad_queries (Fixture *f, gconstpointer unused)
{
  static const guint8 garbage[] = { 0xab, 0xcd, 0x01, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1 };
  static const guint8 tiny[] = { 1, 2, 3 };
  g_autoptr (BraidDnsMessage) two = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) notify = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) response = braid_dns_message_new ();
  g_autoptr (BraidDnsMessage) reply = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_test_summary ("Bad queries: FORMERR when the header can be read, dropped when not, NOTIMP "
                  "for another opcode, FORMERR for two questions, replies ignored; each logged");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "DNS server: query from 10.0.0.7:40000: "
                         "Malformed DNS message: the header counts 65535 questions*: FORMERR");
  braid_fake_datagram_transport_deliver (f->port, garbage, sizeof garbage, f->client);
  g_test_assert_expected_messages ();
  reply = last_reply (f);
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_FORMAT_ERROR);
  g_assert_cmpuint (reply->id, ==, 0xabcd);
  g_assert_true (reply->recursion_desired);
  g_clear_pointer (&reply, braid_dns_message_free);

  braid_fake_datagram_transport_clear_writes (f->port);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "DNS server: dropped a datagram from*");
  braid_fake_datagram_transport_deliver (f->port, tiny, sizeof tiny, f->client);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);

  braid_dns_message_add_question (two, "facebook.com", BRAID_DNS_TYPE_A);
  braid_dns_message_add_question (two, "twitter.com", BRAID_DNS_TYPE_A);
  bytes = braid_dns_message_encode (two, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*with 2 questions: FORMERR");
  send_to (f->port, bytes, f->client);
  g_test_assert_expected_messages ();
  reply = last_reply (f);
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_FORMAT_ERROR);
  g_clear_pointer (&reply, braid_dns_message_free);
  g_clear_pointer (&bytes, g_bytes_unref);

  notify->opcode = 4;
  braid_dns_message_add_question (notify, "facebook.com", BRAID_DNS_TYPE_SOA);
  bytes = braid_dns_message_encode (notify, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*with opcode 4: NOTIMP");
  send_to (f->port, bytes, f->client);
  g_test_assert_expected_messages ();
  reply = last_reply (f);
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_NOT_IMPLEMENTED);
  g_assert_cmpuint (reply->opcode, ==, 4);
  g_clear_pointer (&bytes, g_bytes_unref);

  braid_fake_datagram_transport_clear_writes (f->port);
  response->response = TRUE;
  bytes = braid_dns_message_encode (response, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*dropped a reply sent to the server*");
  send_to (f->port, bytes, f->client);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
}

/* The query the server forwarded, as the upstream sees it. */
static BraidDnsMessage *
forwarded (Fixture *f, BraidFakeDatagramTransport *up, guint index)
{
  BraidDatagramWrite *write = braid_fake_datagram_transport_get_write (up, index);

  g_assert_true (braid_socket_address_equal (write->address, f->upstream));
  return braid_dns_message_parse (g_bytes_get_data (write->data, NULL),
                                  g_bytes_get_size (write->data), NULL);
}

static void
upstream_answers (BraidFakeDatagramTransport *up, BraidDnsMessage *query, const char *address,
                  GSocketAddress *from)
{
  g_autoptr (BraidDnsMessage) reply = braid_dns_message_new_reply (query);
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr (GBytes) bytes = NULL;
  const BraidDnsQuestion *question = g_ptr_array_index (query->questions, 0);

  reply->recursion_available = TRUE;
  braid_dns_message_add_answer (reply, braid_dns_record_new_address (question->name, 300, inet));
  bytes = braid_dns_message_encode (reply, NULL);
  braid_fake_datagram_transport_deliver (up, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes), from);
}

static void
test_forwards_upstream (Fixture *f, gconstpointer unused)
{
  BraidUdpServerRecord *record;
  BraidFakeDatagramTransport *up;
  g_autoptr (GBytes) query = make_query (0x4242, "example.org", BRAID_DNS_TYPE_A);
  g_autoptr (BraidDnsMessage) sent = NULL;
  g_autoptr (BraidDnsMessage) reply = NULL;
  g_autofree char *text = NULL;

  g_test_summary ("With an upstream, a name not in the hosts file is forwarded with a fresh "
                  "identifier on a port connected to the upstream, and its reply relayed to "
                  "the client with the client's identifier; hosts names are still answered "
                  "here");
  g_assert_cmpuint (braid_memory_reactor_get_udp_servers (f->reactor)->len, ==, 2);
  record = braid_memory_reactor_get_udp_server (f->reactor, 1);
  g_assert_cmpuint (record->port, ==, 0);
  g_assert_cmpuint (record->max_packet_size, ==, G_MAXUINT16);
  up = record->transport;
  g_assert_true (BRAID_DATAGRAM_TRANSPORT (up) == braid_dns_server_get_upstream_port (f->server));
  g_assert_true (braid_socket_address_equal (
    braid_datagram_transport_get_connected_address (BRAID_DATAGRAM_TRANSPORT (up)), f->upstream));

  send_to (f->port, query, f->client);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 1);
  sent = forwarded (f, up, 0);
  g_assert_cmpstr (((BraidDnsQuestion *) g_ptr_array_index (sent->questions, 0))->name, ==,
                   "example.org");
  upstream_answers (up, sent, "93.184.216.34", f->upstream);
  reply = last_reply (f);
  g_assert_cmpuint (reply->id, ==, 0x4242);
  g_assert_true (reply->recursion_available);
  g_assert_cmpstr (answer_address (reply, 0, &text), ==, "93.184.216.34");
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 0);

  /* The reply came once; the same again is stray. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*stray message from upstream*");
  upstream_answers (up, sent, "93.184.216.34", f->upstream);
  g_test_assert_expected_messages ();

  {
    g_autoptr (BraidDnsMessage) local = ask (f, 5, "twitter.com", BRAID_DNS_TYPE_A);

    g_assert_cmpuint (local->answers->len, ==, 1);
    g_assert_true (local->recursion_available);
    g_assert_cmpuint (braid_fake_datagram_transport_get_writes (up)->len, ==, 1);
  }
}

static void
test_upstream_forgeries (Fixture *f, gconstpointer unused)
{
  BraidFakeDatagramTransport *up = braid_memory_reactor_get_udp_server (f->reactor, 1)->transport;
  g_autoptr (GBytes) query = make_query (1, "example.org", BRAID_DNS_TYPE_A);
  g_autoptr (BraidDnsMessage) sent = NULL;
  g_autoptr (BraidDnsMessage) other = NULL;
  g_autoptr (GSocketAddress) stranger = g_inet_socket_address_new_from_string ("10.6.6.6", 53);
  static const guint8 junk[] = { 1, 2, 3 };

  g_test_summary ("A reply from elsewhere, for another question, or unreadable is dropped; "
                  "the query stays pending");
  send_to (f->port, query, f->client);
  sent = forwarded (f, up, 0);
  /* The upstream port is connected: a stranger is not even heard. */
  upstream_answers (up, sent, "6.6.6.6", stranger);
  other = braid_dns_message_copy (sent);
  g_free (((BraidDnsQuestion *) g_ptr_array_index (other->questions, 0))->name);
  ((BraidDnsQuestion *) g_ptr_array_index (other->questions, 0))->name = g_strdup ("bank.com");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*reply for another question (bank.com)");
  upstream_answers (up, other, "6.6.6.6", f->upstream);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*dropped a reply from upstream: Malformed*");
  braid_fake_datagram_transport_deliver (up, junk, sizeof junk, f->upstream);
  g_test_assert_expected_messages ();
  /* The same name for another type; a query (not a response) with the
   * pending identifier; a response with no question. */
  {
    g_autoptr (BraidDnsMessage) aaaa = braid_dns_message_copy (sent);
    g_autoptr (BraidDnsMessage) as_query = braid_dns_message_copy (sent);
    g_autoptr (BraidDnsMessage) bare = braid_dns_message_new ();
    g_autoptr (GBytes) query_bytes = NULL;
    g_autoptr (GBytes) bare_bytes = NULL;

    ((BraidDnsQuestion *) g_ptr_array_index (aaaa->questions, 0))->type = BRAID_DNS_TYPE_AAAA;
    g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*reply for another question (example.org)");
    upstream_answers (up, aaaa, "6.6.6.6", f->upstream);
    g_test_assert_expected_messages ();

    query_bytes = braid_dns_message_encode (as_query, NULL);
    bare->id = sent->id;
    bare->response = TRUE;
    bare_bytes = braid_dns_message_encode (bare, NULL);
    g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*stray message from upstream*");
    g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*stray message from upstream*");
    send_to (up, query_bytes, f->upstream);
    send_to (up, bare_bytes, f->upstream);
    g_test_assert_expected_messages ();
  }
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 1);
}

static void
test_upstream_timeout (Fixture *f, gconstpointer unused)
{
  g_autoptr (GBytes) query = make_query (77, "slow.example", BRAID_DNS_TYPE_AAAA);
  g_autoptr (BraidDnsMessage) reply = NULL;

  g_test_summary ("An upstream that does not answer within the timeout gets the client a "
                  "SERVFAIL, on the reactor's clock, logged");
  braid_dns_server_set_upstream_timeout (f->server, 2.0);
  send_to (f->port, query, f->client);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f->reactor), 1.9);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "DNS server: upstream 10.0.0.53:53 did not answer slow.example within 2 s: SERVFAIL");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f->reactor), 0.1);
  g_test_assert_expected_messages ();
  reply = last_reply (f);
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_SERVER_FAILURE);
  g_assert_cmpuint (reply->id, ==, 77);
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 0);
}

static void
test_upstream_refused (Fixture *f, gconstpointer unused)
{
  BraidFakeDatagramTransport *up = braid_memory_reactor_get_udp_server (f->reactor, 1)->transport;
  g_autoptr (GBytes) q1 = make_query (1, "a.example", BRAID_DNS_TYPE_A);
  g_autoptr (GBytes) q2 = make_query (2, "b.example", BRAID_DNS_TYPE_A);

  g_test_summary ("An upstream whose system refuses (nothing listens) fails every waiting "
                  "query with SERVFAIL at once");
  send_to (f->port, q1, f->client);
  send_to (f->port, q2, f->client);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*refused the query*2 queries waiting");
  g_assert_true (braid_fake_datagram_transport_refuse (up));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 2);
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 0);
  /* No timer left behind. */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (f->reactor)), ==, 0);
}

static void
test_upstream_write_fails (Fixture *f, gconstpointer unused)
{
  BraidFakeDatagramTransport *up = braid_memory_reactor_get_udp_server (f->reactor, 1)->transport;
  g_autoptr (GError) full = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "buffer full");
  g_autoptr (BraidDnsMessage) reply = NULL;

  g_test_summary ("A query that cannot be sent upstream gets SERVFAIL at once");
  braid_fake_datagram_transport_set_write_error (up, full);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*cannot forward upstream: buffer full: SERVFAIL");
  reply = ask (f, 3, "x.example", BRAID_DNS_TYPE_A);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_SERVER_FAILURE);
}

static void
test_reply_write_fails (Fixture *f, gconstpointer unused)
{
  static const guint8 bad_response[] = { 0xab, 0xcd, 0x81, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1 };
  g_autoptr (GError) full = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "buffer full");
  g_autoptr (GBytes) query = make_query (1, "facebook.com", BRAID_DNS_TYPE_A);
  g_autoptr (BraidDnsMessage) reply = NULL;

  g_test_summary ("A reply the port cannot send is logged and dropped, and the server answers "
                  "the next query; a malformed message with the response bit set gets no "
                  "FORMERR (it is no query)");
  braid_fake_datagram_transport_set_write_error (f->port, full);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "DNS server: reply not sent: buffer full");
  send_to (f->port, query, f->client);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
  braid_fake_datagram_transport_set_write_error (f->port, NULL);
  reply = ask (f, 2, "facebook.com", BRAID_DNS_TYPE_A);
  g_assert_cmpuint (reply->answers->len, ==, 1);

  braid_fake_datagram_transport_clear_writes (f->port);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "DNS server: dropped a datagram from 10.0.0.7:40000:*");
  braid_fake_datagram_transport_deliver (f->port, bad_response, sizeof bad_response, f->client);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
}

static void
test_relay_write_fails (Fixture *f, gconstpointer unused)
{
  BraidFakeDatagramTransport *up = braid_memory_reactor_get_udp_server (f->reactor, 1)->transport;
  g_autoptr (GError) full = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "buffer full");
  g_autoptr (GBytes) query = make_query (0x4242, "example.org", BRAID_DNS_TYPE_A);
  g_autoptr (BraidDnsMessage) sent = NULL;

  g_test_summary ("An upstream reply that cannot be relayed to the client is logged and "
                  "dropped; the query is no longer pending");
  send_to (f->port, query, f->client);
  sent = forwarded (f, up, 0);
  braid_fake_datagram_transport_set_write_error (f->port, full);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "DNS server: reply not relayed: buffer full");
  upstream_answers (up, sent, "93.184.216.34", f->upstream);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (f->port)->len, ==, 0);
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 0);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (f->reactor)), ==, 0);
}

static void
test_too_many_pending (Fixture *f, gconstpointer unused)
{
  g_autoptr (BraidDnsMessage) reply = NULL;

  g_test_summary ("Beyond BRAID_DNS_MAX_PENDING queries waiting, the next gets SERVFAIL at once");
  for (guint i = 0; i < BRAID_DNS_MAX_PENDING; i++)
    {
      g_autoptr (GBytes) query = make_query (i, "many.example", BRAID_DNS_TYPE_A);

      send_to (f->port, query, f->client);
    }
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, BRAID_DNS_MAX_PENDING);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*too many queries pending*");
  reply = ask (f, 9, "one-more.example", BRAID_DNS_TYPE_A);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_SERVER_FAILURE);
}

static void
test_stop_cleans_up (Fixture *f, gconstpointer unused)
{
  BraidFakeDatagramTransport *up = braid_memory_reactor_get_udp_server (f->reactor, 1)->transport;
  g_autoptr (GBytes) query = make_query (1, "a.example", BRAID_DNS_TYPE_A);

  g_test_summary ("Stopping the server's port stops the upstream port and forgets the "
                  "queries waiting, timers included");
  send_to (f->port, query, f->client);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (f->port));
  g_assert_false (braid_datagram_transport_is_listening (BRAID_DATAGRAM_TRANSPORT (up)));
  g_assert_null (braid_dns_server_get_upstream_port (f->server));
  g_assert_cmpuint (braid_dns_server_get_pending_count (f->server), ==, 0);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (f->reactor)), ==, 0);
}

static void
test_upstream_port_fails (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidDnsHosts) hosts = braid_dns_hosts_new ();
  g_autoptr (BraidDnsServer) server = braid_dns_server_new (BRAID_REACTOR (reactor), hosts);
  g_autoptr (GSocketAddress) upstream = g_inet_socket_address_new_from_string ("::1", 53);
  g_autoptr (GSocketAddress) client = g_inet_socket_address_new_from_string ("::1", 4000);
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new ("::", 53, 0);
  g_autoptr (GError) denied = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied");
  g_autoptr (GBytes) query = make_query (1, "a.example", BRAID_DNS_TYPE_A);
  BraidDnsMessage *reply;
  BraidDatagramWrite *write;

  g_test_summary ("When the port to the upstream cannot be opened, a warning says so and "
                  "forwarded queries get SERVFAIL");
  braid_dns_server_set_upstream (server, upstream);
  braid_memory_reactor_set_listen_error (reactor, denied);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "DNS server: cannot open a port to upstream [::1]:53: denied*");
  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (server));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*no port to the upstream*");
  send_to (port, query, client);
  g_test_assert_expected_messages ();
  write = braid_fake_datagram_transport_get_write (port, 0);
  reply = braid_dns_message_parse (g_bytes_get_data (write->data, NULL),
                                   g_bytes_get_size (write->data), NULL);
  g_assert_cmpuint (reply->rcode, ==, BRAID_DNS_RCODE_SERVER_FAILURE);
  braid_dns_message_free (reply);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (port));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns-server/hosts-file", test_hosts_file);
#define ADD(path, func, upstream) \
  g_test_add ("/dns-server/" path, Fixture, upstream, fixture_set_up, func, fixture_tear_down)
  ADD ("answers-from-hosts", test_answers_from_hosts, NULL);
  ADD ("nxdomain-without-upstream", test_nxdomain_without_upstream, NULL);
  ADD ("bad-queries", test_bad_queries, NULL);
  ADD ("forwards-upstream", test_forwards_upstream, "upstream");
  ADD ("upstream-forgeries", test_upstream_forgeries, "upstream");
  ADD ("upstream-timeout", test_upstream_timeout, "upstream");
  ADD ("upstream-refused", test_upstream_refused, "upstream");
  ADD ("upstream-write-fails", test_upstream_write_fails, "upstream");
  ADD ("too-many-pending", test_too_many_pending, "upstream");
  ADD ("reply-write-fails", test_reply_write_fails, NULL);
  ADD ("relay-write-fails", test_relay_write_fails, "upstream");
  ADD ("stop-cleans-up", test_stop_cleans_up, "upstream");
#undef ADD
  g_test_add_func ("/dns-server/upstream-port-fails", test_upstream_port_fails);
  return g_test_run ();
}
