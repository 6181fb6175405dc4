/* fuzz-dns-message.c: libFuzzer target for the DNS message parser and
 * writer, and the DNS server behind them.
 *
 * The input is one datagram. Invariants, for any input:
 *
 * - parsing succeeds, or fails with G_IO_ERROR_INVALID_DATA and a message
 *   starting "Malformed DNS message: ";
 * - a message that parsed encodes again (names read off the wire are
 *   always writable), the encoding parses, and encoding that gives the
 *   same bytes (parse and encode are inverse once compressed);
 * - the DNS server, on the memory reactor, given the datagram from a
 *   client, sends at most one reply, and that reply parses. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_server (const guint8 *data, size_t size)
{
  static BraidMemoryReactor *reactor;
  static BraidDnsServer *server;
  static BraidFakeDatagramTransport *port;
  static GSocketAddress *client;
  GPtrArray *writes;

  if (reactor == NULL)
    {
      g_autoptr (BraidDnsHosts) hosts = braid_dns_hosts_new ();

      braid_dns_hosts_load_data (hosts, "127.0.0.1 facebook.com\n::1 facebook.com\n", NULL);
      reactor = braid_memory_reactor_new ();
      server = braid_dns_server_new (BRAID_REACTOR (reactor), hosts);
      port = braid_fake_datagram_transport_new ("127.0.0.1", 53, 0);
      braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (server));
      client = g_inet_socket_address_new_from_string ("127.0.0.1", 4000);
    }
  braid_fake_datagram_transport_clear_writes (port);
  braid_fake_datagram_transport_deliver (port, data, size, client);
  writes = braid_fake_datagram_transport_get_writes (port);
  FUZZ_CHECK (writes->len <= 1);
  if (writes->len == 1)
    {
      BraidDatagramWrite *write = g_ptr_array_index (writes, 0);
      g_autoptr (BraidDnsMessage) reply =
        braid_dns_message_parse (g_bytes_get_data (write->data, NULL),
                                 g_bytes_get_size (write->data), NULL);

      FUZZ_CHECK (reply != NULL && reply->response);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidDnsMessage) message = NULL;
  g_autoptr (BraidDnsMessage) again = NULL;
  g_autoptr (GBytes) encoded = NULL;
  g_autoptr (GBytes) reencoded = NULL;

  fuzz_quiet_logs ();
  message = braid_dns_message_parse (data, size, &error);
  if (message == NULL)
    {
      FUZZ_CHECK (error != NULL && error->domain == G_IO_ERROR
                  && error->code == G_IO_ERROR_INVALID_DATA);
      FUZZ_CHECK (g_str_has_prefix (error->message, "Malformed DNS message: "));
    }
  else
    {
      encoded = braid_dns_message_encode (message, &error);
      FUZZ_CHECK (encoded != NULL);
      again = braid_dns_message_parse (g_bytes_get_data (encoded, NULL),
                                       g_bytes_get_size (encoded), &error);
      FUZZ_CHECK (again != NULL);
      reencoded = braid_dns_message_encode (again, &error);
      FUZZ_CHECK (reencoded != NULL && g_bytes_equal (encoded, reencoded));
    }
  check_server (data, size);
  return 0;
}
