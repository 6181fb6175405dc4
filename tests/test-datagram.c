/* test-datagram.c: datagram protocols, the fake datagram transport and UDP
 * on the memory reactor. No socket. */
#include <gio/gunixsocketaddress.h>

#include "datagram-recorder.h"

static void
test_protocol_lifecycle (void)
{
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (BraidFakeDatagramTransport) first = braid_fake_datagram_transport_new (NULL, 53, 0);
  g_autoptr (BraidFakeDatagramTransport) second = braid_fake_datagram_transport_new ("127.0.0.1", 54, 0);
  BraidDatagramProtocol *p = BRAID_DATAGRAM_PROTOCOL (protocol);

  g_test_summary ("start_protocol runs when the first port starts, stop_protocol when the "
                  "last one stops, and the transport is dropped then (Twisted's numPorts)");
  g_assert_null (braid_datagram_protocol_get_transport (p));
  braid_fake_datagram_transport_attach (first, p);
  g_assert_cmpuint (protocol->started, ==, 1);
  g_assert_true (braid_datagram_protocol_get_transport (p) == BRAID_DATAGRAM_TRANSPORT (first));
  braid_fake_datagram_transport_attach (second, p);
  g_assert_cmpuint (protocol->started, ==, 1);
  g_assert_true (braid_datagram_protocol_get_transport (p) == BRAID_DATAGRAM_TRANSPORT (second));

  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (first));
  g_assert_cmpuint (protocol->stopped, ==, 0);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (second));
  g_assert_cmpuint (protocol->stopped, ==, 1);
  g_assert_true (protocol->transport_at_stop);
  g_assert_null (braid_datagram_protocol_get_transport (p));

  /* Stopping more than started is a programming error. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*ports > 0*");
  braid_datagram_protocol_do_stop (p);
  g_test_assert_expected_messages ();
}

static void
test_base_protocol_ignores_events (void)
{
  g_autoptr (BraidDatagramProtocol) protocol = g_object_new (BRAID_TYPE_DATAGRAM_PROTOCOL, NULL);
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new (NULL, 0, 0);
  g_autoptr (GSocketAddress) from = dg_address ("10.0.0.1", 5);

  g_test_summary ("The base class's events do nothing: a protocol overrides what it needs");
  braid_fake_datagram_transport_attach (port, protocol);
  g_assert_true (braid_fake_datagram_transport_deliver (port, (const guint8 *) "x", 1, from));
  braid_datagram_protocol_connection_refused (protocol);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (port));
  g_assert_null (braid_datagram_protocol_get_transport (protocol));
}

static void
test_fake_records_and_delivers (void)
{
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new (NULL, 9999, 16);
  g_autoptr (GSocketAddress) from = dg_address ("10.0.0.1", 5353);
  g_autofree guint8 *big = g_malloc0 (17);
  BraidDatagramWrite *write;

  g_test_summary ("The fake records writes with their address, delivers whole datagrams, "
                  "and drops one bigger than the maximum packet size with a logged reason");
  protocol->echo = TRUE;
  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (protocol));
  g_assert_cmpuint (braid_datagram_transport_get_max_packet_size (BRAID_DATAGRAM_TRANSPORT (port)),
                    ==, 16);
  g_assert_cmpuint (braid_listening_port_get_port (BRAID_LISTENING_PORT (port)), ==, 9999);

  g_assert_true (braid_fake_datagram_transport_deliver (port, (const guint8 *) "hello", 5, from));
  g_assert_true (braid_fake_datagram_transport_deliver (port, (const guint8 *) "", 0, from));
  g_assert_cmpuint (protocol->datagrams->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (protocol->datagrams, 1)), ==, 0);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (port)->len, ==, 2);
  write = braid_fake_datagram_transport_get_write (port, 0);
  g_assert_cmpmem (g_bytes_get_data (write->data, NULL), g_bytes_get_size (write->data), "hello", 5);
  g_assert_true (braid_socket_address_equal (write->address, from));

  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*dropped a datagram of 17 bytes*");
  g_assert_false (braid_fake_datagram_transport_deliver (port, big, 17, from));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (protocol->datagrams->len, ==, 2);

  braid_fake_datagram_transport_clear_writes (port);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (port)->len, ==, 0);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (port));
  g_assert_false (braid_fake_datagram_transport_deliver (port, (const guint8 *) "late", 4, from));
}

static void
test_socket_address_equal (void)
{
  g_autoptr (GSocketAddress) a = dg_address ("10.0.0.1", 53);
  g_autoptr (GSocketAddress) same = dg_address ("10.0.0.1", 53);
  g_autoptr (GSocketAddress) other_port = dg_address ("10.0.0.1", 54);
  g_autoptr (GSocketAddress) other_host = dg_address ("10.0.0.2", 53);
  g_autoptr (GSocketAddress) unix_address = g_unix_socket_address_new ("/tmp/braid-not-ip");

  g_test_summary ("Two IP socket addresses are equal by address and port; anything that is "
                  "not an IP socket address (a UNIX one, none) equals nothing");
  g_assert_true (braid_socket_address_equal (a, same));
  g_assert_false (braid_socket_address_equal (a, other_port));
  g_assert_false (braid_socket_address_equal (a, other_host));
  g_assert_false (braid_socket_address_equal (a, unix_address));
  g_assert_false (braid_socket_address_equal (unix_address, a));
  g_assert_false (braid_socket_address_equal (unix_address, unix_address));
  g_assert_false (braid_socket_address_equal (NULL, a));
  g_assert_false (braid_socket_address_equal (a, NULL));
}

static void
test_ipv6_port_refuses_ipv4_addresses (void)
{
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new ("::1", 9999, 0);
  g_autoptr (GSocketAddress) v4 = dg_address ("10.0.0.1", 53);
  g_autoptr (GError) error = NULL;

  g_test_summary ("An IPv6 port refuses to send to, or connect to, an IPv4 address, and "
                  "says which family it is");
  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (protocol));
  g_assert_false (braid_datagram_transport_write (BRAID_DATAGRAM_TRANSPORT (port),
                                                  (const guint8 *) "x", 1, v4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Cannot send to 10.0.0.1:53 from a UDP port on IPv6");
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_connect (BRAID_DATAGRAM_TRANSPORT (port), v4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (braid_fake_datagram_transport_get_writes (port)->len, ==, 0);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (port));
}

static void
test_fake_connected (void)
{
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new (NULL, 0, 0);
  g_autoptr (GSocketAddress) peer = dg_address ("10.0.0.1", 53);
  g_autoptr (GSocketAddress) stranger = dg_address ("10.0.0.2", 53);
  g_autoptr (GError) error = NULL;

  g_test_summary ("A connected fake hears only from its peer, writes go to the peer, and "
                  "a refusal reaches connection_refused only when connected");
  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (protocol));
  g_assert_false (braid_fake_datagram_transport_refuse (port));
  g_assert_cmpuint (protocol->refused, ==, 0);
  g_assert_true (braid_datagram_transport_connect (BRAID_DATAGRAM_TRANSPORT (port), peer, &error));
  g_assert_no_error (error);
  g_assert_true (braid_datagram_transport_write (BRAID_DATAGRAM_TRANSPORT (port),
                                                 (const guint8 *) "q", 1, NULL, &error));
  g_assert_true (braid_socket_address_equal (braid_fake_datagram_transport_get_write (port, 0)->address,
                                             peer));
  g_assert_false (braid_fake_datagram_transport_deliver (port, (const guint8 *) "x", 1, stranger));
  g_assert_true (braid_fake_datagram_transport_deliver (port, (const guint8 *) "x", 1, peer));
  g_assert_true (braid_fake_datagram_transport_refuse (port));
  g_assert_cmpuint (protocol->refused, ==, 1);
  braid_datagram_transport_stop_listening (BRAID_DATAGRAM_TRANSPORT (port));
  g_assert_false (braid_fake_datagram_transport_refuse (port));
}

static void
test_fake_strictness (void)
{
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new ("127.0.0.1", 0, 0);
  g_autoptr (GSocketAddress) peer = dg_address ("127.0.0.1", 9);

  g_test_summary ("The fake fails exactly as the real port does (the shared table)");
  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (protocol));
  dg_check_strictness (BRAID_DATAGRAM_TRANSPORT (port), peer);
  g_assert_cmpuint (protocol->stopped, ==, 1);
}

static void
test_fake_multicast_and_write_error (void)
{
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new (NULL, 0, 0);
  BraidDatagramTransport *t = BRAID_DATAGRAM_TRANSPORT (port);
  g_autoptr (GSocketAddress) peer = dg_address ("10.0.0.1", 53);
  g_autoptr (GError) full = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "full");
  g_autoptr (GError) error = NULL;

  g_test_summary ("The fake keeps the groups joined, fails a second join and a leave of a "
                  "group not joined as Linux does, and fails writes on demand");
  braid_fake_datagram_transport_attach (port, BRAID_DATAGRAM_PROTOCOL (protocol));
  g_assert_true (braid_datagram_transport_join_group (t, "239.1.2.3", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (braid_fake_datagram_transport_in_group (port, "239.1.2.3"));
  g_assert_false (braid_fake_datagram_transport_in_group (port, "239.1.2.4"));
  g_assert_false (braid_datagram_transport_join_group (t, "239.1.2.3", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_true (braid_datagram_transport_leave_group (t, "239.1.2.3", NULL, &error));
  g_assert_false (braid_fake_datagram_transport_in_group (port, "239.1.2.3"));
  g_assert_false (braid_datagram_transport_leave_group (t, "239.1.2.3", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  braid_fake_datagram_transport_set_write_error (port, full);
  g_assert_false (braid_datagram_transport_write (t, (const guint8 *) "x", 1, peer, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  braid_fake_datagram_transport_set_write_error (port, NULL);
  g_assert_true (braid_datagram_transport_write (t, (const guint8 *) "x", 1, peer, &error));
  braid_datagram_transport_stop_listening (t);
}

static void
test_memory_reactor_udp (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (DgRecorder) other = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) denied = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no");
  BraidDatagramTransport *port, *ephemeral;
  BraidUdpServerRecord *record;

  g_test_summary ("listen_udp on the memory reactor records the call and returns a fake "
                  "port serving the protocol; ports in use, bad interfaces and injected "
                  "errors fail as on the real reactor");
  port = braid_reactor_listen_udp (BRAID_REACTOR (reactor), 5353, BRAID_DATAGRAM_PROTOCOL (protocol),
                                   "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (protocol->started, ==, 1);
  g_assert_cmpuint (braid_memory_reactor_get_udp_servers (reactor)->len, ==, 1);
  record = braid_memory_reactor_get_udp_server (reactor, 0);
  g_assert_cmpuint (record->port, ==, 5353);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_cmpuint (record->max_packet_size, ==, BRAID_DEFAULT_MAX_PACKET_SIZE);
  g_assert_true (BRAID_DATAGRAM_TRANSPORT (record->transport) == port);
  g_assert_true (record->protocol == BRAID_DATAGRAM_PROTOCOL (protocol));

  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (reactor), 5353,
                                           BRAID_DATAGRAM_PROTOCOL (other), "127.0.0.1", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (reactor), 53,
                                           BRAID_DATAGRAM_PROTOCOL (other), "nowhere", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  ephemeral = braid_reactor_listen_udp (BRAID_REACTOR (reactor), 0, BRAID_DATAGRAM_PROTOCOL (other),
                                        NULL, 512, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_listening_port_get_port (BRAID_LISTENING_PORT (ephemeral)), !=, 0);
  g_assert_cmpuint (braid_datagram_transport_get_max_packet_size (ephemeral), ==, 512);

  /* Once stopped, the port is free again. */
  braid_datagram_transport_stop_listening (port);
  g_assert_cmpuint (protocol->stopped, ==, 1);
  g_assert_nonnull (braid_reactor_listen_udp (BRAID_REACTOR (reactor), 5353,
                                              BRAID_DATAGRAM_PROTOCOL (protocol), "127.0.0.1", 0,
                                              &error));
  g_assert_no_error (error);

  braid_memory_reactor_set_listen_error (reactor, denied);
  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (reactor), 1,
                                           BRAID_DATAGRAM_PROTOCOL (other), NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/datagram/protocol-lifecycle", test_protocol_lifecycle);
  g_test_add_func ("/datagram/base-protocol-ignores-events", test_base_protocol_ignores_events);
  g_test_add_func ("/datagram/fake-records-and-delivers", test_fake_records_and_delivers);
  g_test_add_func ("/datagram/fake-connected", test_fake_connected);
  g_test_add_func ("/datagram/socket-address-equal", test_socket_address_equal);
  g_test_add_func ("/datagram/ipv6-port-refuses-ipv4-addresses", test_ipv6_port_refuses_ipv4_addresses);
  g_test_add_func ("/datagram/fake-strictness", test_fake_strictness);
  g_test_add_func ("/datagram/fake-multicast-and-write-error", test_fake_multicast_and_write_error);
  g_test_add_func ("/datagram/memory-reactor-udp", test_memory_reactor_udp);
  return g_test_run ();
}
