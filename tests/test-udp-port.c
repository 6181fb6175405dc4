/* test-udp-port.c: the real UDP port of the GLib reactor, on 127.0.0.1:
 * echo, connected ports and refusals, oversized datagrams, the strictness
 * table shared with the fake, multicast options, shutdown. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datagram-recorder.h"
#include "reactor-test-common.h"

/* A blocking UDP socket on 127.0.0.1 outside the reactor; sets @port. */
static int
raw_udp (guint16 *port)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  struct timeval tv = { .tv_sec = 5 };

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &sin, &len), ==, 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  *port = ntohs (sin.sin_port);
  return fd;
}

static void
raw_send (int fd, guint16 port, const void *data, gsize len)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };

  g_assert_cmpint (sendto (fd, data, len, 0, (struct sockaddr *) &sin, sizeof sin), ==, (gssize) len);
}

/* Sets up @env and a UDP port on 127.0.0.1 serving @protocol; sets
 * @server_port (when not %NULL) to its port. */
static BraidDatagramTransport *
listen_udp_local (TestEnv *env, DgRecorder *protocol, gsize max_packet_size, guint16 *server_port)
{
  g_autoptr (GError) error = NULL;
  BraidDatagramTransport *port;

  test_env_init (env);
  port = braid_reactor_listen_udp (env->reactor, 0, BRAID_DATAGRAM_PROTOCOL (protocol),
                                   "127.0.0.1", max_packet_size, &error);
  g_assert_no_error (error);
  if (server_port != NULL)
    *server_port = braid_listening_port_get_port (BRAID_LISTENING_PORT (port));
  return port;
}

static void
test_echo (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  BraidDatagramTransport *port;
  guint16 client_port, server_port;
  int fd = raw_udp (&client_port);
  char reply[64];

  g_test_summary ("A UDP port on 127.0.0.1 hears datagrams with their sender and writes "
                  "back to it; empty datagrams too");
  protocol->echo = TRUE;
  port = listen_udp_local (&env, protocol, 0, &server_port);
  g_assert_true (BRAID_IS_UDP_PORT (port));
  g_assert_cmpuint (protocol->started, ==, 1);
  g_assert_cmpuint (server_port, !=, 0);
  g_assert_cmpuint (braid_datagram_transport_get_max_packet_size (port), ==,
                    BRAID_DEFAULT_MAX_PACKET_SIZE);

  raw_send (fd, server_port, "ping", 4);
  raw_send (fd, server_port, "", 0);
  WAIT_FOR (&env, protocol->datagrams->len == 2);
  g_assert_cmpuint (g_inet_socket_address_get_port (g_ptr_array_index (protocol->senders, 0)), ==,
                    client_port);
  g_assert_cmpint (recv (fd, reply, sizeof reply, 0), ==, 4);
  g_assert_cmpmem (reply, 4, "ping", 4);
  g_assert_cmpint (recv (fd, reply, sizeof reply, 0), ==, 0);
  close (fd);
  test_env_clear (&env);
  g_assert_cmpuint (protocol->stopped, ==, 1);
}

static void
test_senders (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  guint16 first_port, second_port, server_port;
  int first = raw_udp (&first_port), second = raw_udp (&second_port);

  g_test_summary ("Each datagram carries its own sender, and a sender's datagrams in a row "
                  "share one address object (not one allocation per datagram)");
  listen_udp_local (&env, protocol, 0, &server_port);
  raw_send (first, server_port, "1", 1);
  raw_send (first, server_port, "2", 1);
  raw_send (second, server_port, "3", 1);
  raw_send (first, server_port, "4", 1);
  WAIT_FOR (&env, protocol->datagrams->len == 4);
  g_assert_cmpuint (g_inet_socket_address_get_port (g_ptr_array_index (protocol->senders, 0)), ==,
                    first_port);
  g_assert_true (g_ptr_array_index (protocol->senders, 1) == g_ptr_array_index (protocol->senders, 0));
  g_assert_cmpuint (g_inet_socket_address_get_port (g_ptr_array_index (protocol->senders, 2)), ==,
                    second_port);
  g_assert_cmpuint (g_inet_socket_address_get_port (g_ptr_array_index (protocol->senders, 3)), ==,
                    first_port);
  close (first);
  close (second);
  test_env_clear (&env);
}

static void
test_oversized_dropped (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  guint16 client_port, server_port;
  int fd = raw_udp (&client_port);
  char big[100] = { 0 };

  g_test_summary ("A datagram bigger than the maximum packet size is dropped whole, with "
                  "a logged reason (the first one), and the next ones still arrive");
  listen_udp_local (&env, protocol, 10, &server_port);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*dropped a datagram of 100 bytes*");
  raw_send (fd, server_port, big, sizeof big);
  raw_send (fd, server_port, big, 11);
  raw_send (fd, server_port, "exactly10!", 10);
  WAIT_FOR (&env, protocol->datagrams->len == 1);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (protocol->datagrams, 0)), ==, 10);
  close (fd);
  test_env_clear (&env);
}

static void
test_connected_refused (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) peer = NULL;
  BraidDatagramTransport *port;
  guint16 dead_port;
  int fd = raw_udp (&dead_port);

  g_test_summary ("A connected port whose peer has no socket hears connection_refused "
                  "(the ICMP port unreachable), and the port stays open");
  close (fd);   /* nothing listens on dead_port now */
  port = listen_udp_local (&env, protocol, 0, NULL);
  peer = dg_address ("127.0.0.1", dead_port);
  g_assert_true (braid_datagram_transport_connect (port, peer, &error));
  g_assert_no_error (error);
  g_assert_true (braid_datagram_transport_write (port, (const guint8 *) "anyone?", 7, NULL, &error));
  g_assert_no_error (error);
  WAIT_FOR (&env, protocol->refused >= 1);
  /* The refusal pending on the socket when the next write is made: the
   * write meets it, tells the protocol at once, and still succeeds. */
  g_assert_true (braid_datagram_transport_write (port, (const guint8 *) "again", 5, NULL, &error));
  g_assert_no_error (error);
  g_usleep (100 * 1000);   /* the ICMP answer arrives; the reactor is not run */
  g_assert_true (braid_datagram_transport_write (port, (const guint8 *) "and again", 9, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (protocol->refused, ==, 2);
  g_assert_true (braid_datagram_transport_is_listening (port));
  test_env_clear (&env);
}

static void
test_connected_filters_senders (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) peer = NULL;
  BraidDatagramTransport *port;
  guint16 peer_port, stranger_port, server_port;
  int peer_fd = raw_udp (&peer_port), stranger_fd = raw_udp (&stranger_port);
  char reply[16];

  g_test_summary ("A connected port hears only its peer and writes to it without an address");
  port = listen_udp_local (&env, protocol, 0, &server_port);
  peer = dg_address ("127.0.0.1", peer_port);
  g_assert_true (braid_datagram_transport_connect (port, peer, &error));
  raw_send (stranger_fd, server_port, "stranger", 8);
  raw_send (peer_fd, server_port, "peer", 4);
  WAIT_FOR (&env, protocol->datagrams->len == 1);
  test_env_iterate_for (&env, 0.05);
  g_assert_cmpuint (protocol->datagrams->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (protocol->datagrams, 0), NULL), 4, "peer", 4);
  g_assert_true (braid_datagram_transport_write (port, (const guint8 *) "hi", 2, NULL, &error));
  g_assert_cmpint (recv (peer_fd, reply, sizeof reply, 0), ==, 2);
  close (peer_fd);
  close (stranger_fd);
  test_env_clear (&env);
}

static void
test_strictness (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (GSocketAddress) peer = NULL;
  BraidDatagramTransport *port;
  guint16 peer_port;
  int fd = raw_udp (&peer_port);

  g_test_summary ("The real port fails exactly as the fake does (the shared table)");
  port = listen_udp_local (&env, protocol, 0, NULL);
  peer = dg_address ("127.0.0.1", peer_port);
  dg_check_strictness (port, peer);
  g_assert_cmpuint (protocol->stopped, ==, 1);
  close (fd);
  test_env_clear (&env);
}

static void
test_multicast (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  BraidDatagramTransport *port;

  g_test_summary ("Joining a group twice and leaving one not joined fail as on the fake");
  test_env_init (&env);
  port = braid_reactor_listen_udp (env.reactor, 0, BRAID_DATAGRAM_PROTOCOL (protocol), NULL, 0,
                                   &error);
  g_assert_no_error (error);
  if (!braid_datagram_transport_join_group (port, "239.255.77.1", NULL, &error))
    {
      g_test_skip_printf ("this machine cannot join multicast groups: %s", error->message);
      test_env_clear (&env);
      return;
    }
  g_assert_false (braid_datagram_transport_join_group (port, "239.255.77.1", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_true (braid_datagram_transport_leave_group (port, "239.255.77.1", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (braid_datagram_transport_leave_group (port, "239.255.77.1", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  test_env_clear (&env);
}

static void
test_listen_errors (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (DgRecorder) other = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  guint16 taken;

  g_test_summary ("A port in use and an interface that is not an IP address fail with a "
                  "clear error, and the protocol is not started");
  listen_udp_local (&env, protocol, 0, &taken);
  g_assert_null (braid_reactor_listen_udp (env.reactor, taken, BRAID_DATAGRAM_PROTOCOL (other),
                                           "127.0.0.1", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_null (braid_reactor_listen_udp (env.reactor, 0, BRAID_DATAGRAM_PROTOCOL (other),
                                           "localhost", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (other->started, ==, 0);
  test_env_clear (&env);
}

static void
test_ipv6 (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (DgRecorder) client = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  BraidDatagramTransport *server, *sender;

  g_test_summary ("An IPv6 port on ::1 talks to another, and carries up to 65527 bytes");
  test_env_init (&env);
  protocol->echo = TRUE;
  server = braid_reactor_listen_udp (env.reactor, 0, BRAID_DATAGRAM_PROTOCOL (protocol), "::1", 0,
                                     &error);
  if (server == NULL)
    {
      g_test_skip_printf ("no IPv6 loopback: %s", error->message);
      test_env_clear (&env);
      return;
    }
  sender = braid_reactor_listen_udp (env.reactor, 0, BRAID_DATAGRAM_PROTOCOL (client), "::1", 0,
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_datagram_transport_get_max_write_size (sender), ==,
                    BRAID_UDP_MAX_IPV6_PAYLOAD);
  g_assert_true (braid_datagram_transport_write (sender, (const guint8 *) "six", 3,
                                                 braid_datagram_transport_get_host (server),
                                                 &error));
  g_assert_no_error (error);
  WAIT_FOR (&env, client->datagrams->len == 1);
  test_env_clear (&env);
}

/* Whether the kernel holds a datagram for UDP port @port on 127.0.0.1
 * (its rx_queue in /proc/net/udp): loopback datagrams may still be on
 * their way when sendto returns, on a busy machine. */
static gboolean
udp_queued (guint16 port)
{
  g_autofree char *text = NULL;
  g_autofree char *local = g_strdup_printf ("0100007F:%04X", port);
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/net/udp", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr (GPtrArray) words = g_ptr_array_new ();

      for (guint k = 0; fields[k] != NULL; k++)
        if (fields[k][0] != '\0')
          g_ptr_array_add (words, fields[k]);
      /* sl local_address rem_address st tx_queue:rx_queue ... */
      if (words->len > 4 && strcmp (g_ptr_array_index (words, 1), local) == 0)
        return strcmp (strchr (g_ptr_array_index (words, 4), ':') + 1, "00000000") != 0;
    }
  return FALSE;
}

static void
test_flood_read_in_turns (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) flooded = dg_recorder_new ();
  g_autoptr (DgRecorder) quiet = dg_recorder_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  guint16 client_port, flooded_port, quiet_port;
  int fd = raw_udp (&client_port);
  const char *first_q;

  g_test_summary ("A flooded port is read 64 datagrams per wakeup, so another port's "
                  "datagram is not kept waiting behind the whole flood; every datagram arrives");
  listen_udp_local (&env, flooded, 0, &flooded_port);
  quiet_port = braid_listening_port_get_port (BRAID_LISTENING_PORT (
    braid_reactor_listen_udp (env.reactor, 0, BRAID_DATAGRAM_PROTOCOL (quiet), "127.0.0.1", 0, NULL)));
  flooded->log = quiet->log = log;
  flooded->tag = 'f';
  quiet->tag = 'q';
  for (guint i = 0; i < 200; i++)
    raw_send (fd, flooded_port, "x", 1);
  raw_send (fd, quiet_port, "y", 1);
  /* Both ports are readable when the reactor first looks. */
  for (guint i = 0; !udp_queued (quiet_port); i++)
    {
      g_assert_cmpuint (i, <, 500);
      g_usleep (10 * 1000);
    }
  WAIT_FOR (&env, flooded->datagrams->len == 200 && quiet->datagrams->len == 1);
  first_q = strchr (log->str, 'q');
  g_test_message ("order: %s", log->str);
  /* Read whole, the flood (200 small datagrams, under the 256 KiB byte
   * limit) would come first; in turns, the quiet port's datagram comes
   * after the first 64 (or 64 more per dispatch that ran out of time
   * budget first, on a slow machine or under valgrind). */
  g_assert_cmpint (first_q - log->str, <, 200);
  close (fd);
  test_env_clear (&env);
}

static void
test_stop_listening_from_datagram_received (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  guint16 client_port, server_port;
  int fd = raw_udp (&client_port);

  g_test_summary ("A protocol that stops listening from datagram_received gets no more "
                  "datagrams, not even those already queued");
  listen_udp_local (&env, protocol, 0, &server_port);
  protocol->stop_on_datagram = TRUE;
  raw_send (fd, server_port, "1", 1);
  raw_send (fd, server_port, "2", 1);
  raw_send (fd, server_port, "3", 1);
  WAIT_FOR (&env, protocol->stopped == 1);
  test_env_iterate_for (&env, 0.05);
  g_assert_cmpuint (protocol->datagrams->len, ==, 1);
  close (fd);
  test_env_clear (&env);
}

static void
test_kernel_refuses_write_and_connect (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) broadcast = NULL;
  BraidDatagramTransport *port;

  g_test_summary ("A write or a connect the kernel refuses (a broadcast address, without "
                  "SO_BROADCAST) fails with its error; the port stays open and unconnected");
  port = listen_udp_local (&env, protocol, 0, NULL);
  broadcast = dg_address ("127.255.255.255", 9);
  g_assert_false (braid_datagram_transport_write (port, (const guint8 *) "all", 3, broadcast,
                                                  &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_connect (port, broadcast, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (braid_datagram_transport_get_connected_address (port));
  g_assert_true (braid_datagram_transport_is_listening (port));
  g_assert_cmpuint (protocol->refused, ==, 0);
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/udp-port/echo", test_echo);
  g_test_add_func ("/udp-port/senders", test_senders);
  g_test_add_func ("/udp-port/oversized-dropped", test_oversized_dropped);
  g_test_add_func ("/udp-port/connected-refused", test_connected_refused);
  g_test_add_func ("/udp-port/connected-filters-senders", test_connected_filters_senders);
  g_test_add_func ("/udp-port/strictness", test_strictness);
  g_test_add_func ("/udp-port/multicast", test_multicast);
  g_test_add_func ("/udp-port/listen-errors", test_listen_errors);
  g_test_add_func ("/udp-port/ipv6", test_ipv6);
  g_test_add_func ("/udp-port/flood-read-in-turns", test_flood_read_in_turns);
  g_test_add_func ("/udp-port/stop-listening-from-datagram-received",
                   test_stop_listening_from_datagram_received);
  g_test_add_func ("/udp-port/kernel-refuses-write-and-connect", test_kernel_refuses_write_and_connect);
  return g_test_run ();
}
