/* test-tcp.c: TCP and UNIX connections of the real reactor, on 127.0.0.1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "reactor-test-common.h"

static BraidConnector *
connect_local (TestEnv *env, guint16 port, RecFactory *client)
{
  return braid_reactor_connect_tcp (env->reactor, "127.0.0.1", port,
                                    BRAID_CLIENT_FACTORY (client));
}

static BraidSocketTransport *
transport_of (RecFactory *factory, guint index)
{
  BraidProtocol *protocol = g_ptr_array_index (factory->protocols, index);

  return BRAID_SOCKET_TRANSPORT (braid_protocol_get_transport (protocol));
}

static void
test_listen_connect_exchange (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  RecState *client_state, *server_state;
  GSocketAddress *peer;
  guint16 port;

  g_test_summary ("A client connects to a server on port 0, they exchange bytes, and a "
                  "lose_connection ends both sides cleanly");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  client->greeting = g_bytes_new_static ("hello", 5);
  connect_local (&env, port, client);
  g_assert_cmpuint (client->started, ==, 1);

  WAIT_FOR (&env, client->protocols->len == 1
                  && rec_factory_state (client, 0)->received->len == 5);
  client_state = rec_factory_state (client, 0);
  server_state = rec_factory_state (server, 0);
  g_assert_cmpstr (client_state->received->str, ==, "hello");
  g_assert_cmpstr (server_state->received->str, ==, "hello");
  g_assert_cmpuint (client_state->made, ==, 1);

  peer = braid_transport_get_peer (BRAID_TRANSPORT (transport_of (server, 0)));
  g_assert_nonnull (peer);
  {
    g_autofree char *text = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));
    g_assert_cmpstr (text, ==, "127.0.0.1");
  }
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (
                      braid_transport_get_peer (BRAID_TRANSPORT (transport_of (client, 0))))),
                    ==, port);

  braid_transport_lose_connection (BRAID_TRANSPORT (transport_of (client, 0)));
  WAIT_FOR (&env, server_state->lost != NULL && client->client_lost != NULL);
  g_assert_error (client_state->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (server_state->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (client->client_lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (client_state->lost_count, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 1);
  g_assert_cmpuint (braid_glib_reactor_get_n_connections (BRAID_GLIB_REACTOR (env.reactor)), ==, 0);
  test_env_clear (&env);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
}

static void
test_write_sequence_and_bind_address (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) bind_to = g_inet_socket_address_new (loopback, 0);
  GOutputVector pieces[] = { { "one ", 4 }, { "", 0 }, { "two ", 4 }, { "three", 5 } };
  guint16 port;

  g_test_summary ("write_sequence sends its pieces in order as one stream; a client can "
                  "bind its end to a given address");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp_full (env.reactor, "127.0.0.1", port,
                                  BRAID_CLIENT_FACTORY (client), 5, bind_to);
  WAIT_FOR (&env, client->protocols->len == 1 && server->protocols->len == 1
                  && rec_factory_state (client, 0)->made == 1);
  braid_transport_write_sequence (BRAID_TRANSPORT (transport_of (client, 0)),
                                  pieces, G_N_ELEMENTS (pieces));
  WAIT_FOR (&env, rec_factory_state (server, 0)->received->len == 13);
  g_assert_cmpstr (rec_factory_state (server, 0)->received->str, ==, "one two three");
  test_env_clear (&env);
}

static guint16
unused_port (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port;

  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server),
                                        "127.0.0.1", &error);
  g_assert_no_error (error);
  port = braid_listening_port_get_port (listening);
  braid_listening_port_stop_listening (listening);
  test_env_clear (&env);
  return port;
}

static void
test_connection_refused (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port = unused_port ();

  g_test_summary ("Connecting to a closed port fails with G_IO_ERROR_CONNECTION_REFUSED, "
                  "asynchronously, and stops the factory");
  test_env_init (&env);
  connect_local (&env, port, client);
  g_assert_cmpuint (client->started, ==, 1);
  g_assert_null (client->failed);   /* never from inside connect */
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (client->protocols->len, ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  test_env_clear (&env);
}

static void
test_connector_knows_its_reactor (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) refused = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (BraidConnector) kept = NULL;
  guint16 closed_port = unused_port ();
  guint16 port;

  g_test_summary ("braid_connector_get_reactor gives the reactor that made the connector, "
                  "in client_connection_failed and client_connection_lost; NULL once "
                  "the reactor is gone");
  test_env_init (&env);
  kept = g_object_ref (connect_local (&env, closed_port, refused));
  g_assert_true (braid_connector_get_reactor (kept) == env.reactor);
  WAIT_FOR (&env, refused->failed != NULL);
  g_assert_true (refused->callback_reactor == env.reactor);

  port = listen_local (&env, BRAID_FACTORY (server));
  connect_local (&env, port, client);
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->made == 1);
  braid_transport_lose_connection (braid_protocol_get_transport (g_ptr_array_index (client->protocols, 0)));
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_true (client->callback_reactor == env.reactor);

  test_env_clear (&env);
  g_assert_null (braid_connector_get_reactor (kept));
}

/* A listening socket that accepts nothing and whose backlog is full: a new
 * connection attempt to it hangs (the kernel drops its SYN). */
typedef struct
{
  int listener;
  int fillers[8];
  guint n_fillers;
  guint16 port;
} FullBacklog;

static void
full_backlog_open (FullBacklog *full)
{
  struct sockaddr_in address = { .sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof address;

  full->listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (bind (full->listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (full->listener, 0), ==, 0);
  g_assert_cmpint (getsockname (full->listener, (struct sockaddr *) &address, &len), ==, 0);
  full->port = ntohs (address.sin_port);

  /* Fill the accept queue: connections that complete are queued, then the
   * next ones stay in progress. */
  full->n_fillers = 0;
  for (guint i = 0; i < G_N_ELEMENTS (full->fillers); i++)
    {
      int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

      connect (fd, (struct sockaddr *) &address, sizeof address);
      full->fillers[full->n_fillers++] = fd;
    }
  g_usleep (50 * 1000);
}

static void
full_backlog_close (FullBacklog *full)
{
  for (guint i = 0; i < full->n_fillers; i++)
    close (full->fillers[i]);
  close (full->listener);
}

static void
test_connection_timeout (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  FullBacklog full;
  gint64 start;

  g_test_summary ("A connection attempt that does not complete in time fails with "
                  "G_IO_ERROR_TIMED_OUT");
  full_backlog_open (&full);
  test_env_init (&env);
  start = g_get_monotonic_time ();
  braid_reactor_connect_tcp_full (env.reactor, "127.0.0.1", full.port,
                                  BRAID_CLIENT_FACTORY (client), 0.3, NULL);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_assert_cmpuint (client->protocols->len, ==, 0);
  test_env_clear (&env);
  full_backlog_close (&full);
}

static void
test_stop_connecting_then_connect_again (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidConnector *connector;
  guint16 port;

  g_test_summary ("stop_connecting fails the attempt with G_IO_ERROR_CANCELLED; the "
                  "connector can connect again from client_connection_failed");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  client->reconnect_on_failure = TRUE;
  connector = connect_local (&env, port, client);
  braid_connector_stop_connecting (connector);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->made == 1);
  g_assert_cmpuint (client->started, ==, 2);
  g_assert_cmpuint (client->failed_count, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 1);
  test_env_clear (&env);
}

static void
test_connector_disconnect_and_destination (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (BraidConnector) connector = NULL;
  GSocketConnectable *destination;
  guint16 port;

  g_test_summary ("A connector names its destination; disconnect cancels an attempt, or "
                  "closes the established connection cleanly");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connector = g_object_ref (connect_local (&env, port, client));
  destination = braid_connector_get_destination (connector);
  g_assert_true (G_IS_NETWORK_ADDRESS (destination));
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (destination)), ==, "127.0.0.1");
  g_assert_cmpuint (g_network_address_get_port (G_NETWORK_ADDRESS (destination)), ==, port);

  braid_connector_disconnect (connector);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  braid_connector_connect (connector);
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->made == 1);
  braid_connector_disconnect (connector);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_error (client->client_lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (client->started, ==, 2);
  test_env_clear (&env);
}

static void
test_unresolvable_host (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);

  g_test_summary ("A host name that cannot be resolved fails the attempt with the "
                  "resolver's error");
  test_env_init (&env);
  /* Not a valid host name (a label may not start with a hyphen, and '_' is
   * not allowed), so the resolver refuses it without any network query. */
  braid_reactor_connect_tcp (env.reactor, "-no_such host.invalid", 80,
                             BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_true (client->failed->domain == G_RESOLVER_ERROR
                 || client->failed->domain == G_IO_ERROR);
  g_assert_false (g_error_matches (client->failed, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_cmpuint (client->protocols->len, ==, 0);
  test_env_clear (&env);
}

static void
test_lose_connection_flushes_everything (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_LOSE_ON_MADE);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  gsize size = 8 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc (size);
  guint16 port;

  g_test_summary ("lose_connection right after a write larger than the socket buffers "
                  "still delivers every byte, then ends cleanly");
  for (gsize i = 0; i < size; i++)
    big[i] = (guint8) (i * 7);
  server->greeting = g_bytes_new_static (big, size);
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connect_local (&env, port, client);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_error (client->client_lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (rec_factory_state (client, 0)->received->len, ==, size);
  g_assert_true (memcmp (rec_factory_state (client, 0)->received->str, big, size) == 0);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  test_env_clear (&env);
}

static void
test_abort_drops_the_buffer (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, REC_PAUSE_ON_MADE);
  gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  BraidSocketTransport *transport;
  guint16 port;

  g_test_summary ("abort_connection closes at once, dropping what was buffered, and "
                  "reports BRAID_ERROR_CONNECTION_LOST");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connect_local (&env, port, client);
  WAIT_FOR (&env, server->protocols->len == 1);
  transport = transport_of (server, 0);
  braid_transport_write (BRAID_TRANSPORT (transport), big, size);
  g_assert_cmpuint (braid_socket_transport_get_buffered_size (transport), >, 0);
  braid_transport_abort_connection (BRAID_TRANSPORT (transport));
  g_assert_cmpuint (braid_socket_transport_get_buffered_size (transport), ==, 0);
  g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (transport)));
  g_assert_null (rec_factory_state (server, 0)->lost);   /* delivered from the loop */
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  braid_producer_resume_producing (BRAID_PRODUCER (transport_of (client, 0)));
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpuint (rec_factory_state (client, 0)->received->len, <, size);
  test_env_clear (&env);
}

static void
test_peer_reset_names_the_error (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };
  guint16 port;
  int fd;

  g_test_summary ("A connection reset by the peer ends with BRAID_ERROR_CONNECTION_LOST, "
                  "and the message names the error");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 1);
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger), ==, 0);
  close (fd);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (rec_factory_state (server, 0)->lost->message, g_strerror (ECONNRESET)));
  test_env_clear (&env);
}

static void
test_half_close (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (HALF_REC_TYPE_PROTOCOL,
                                                   REC_ECHO | REC_BYE_ON_HALF);
  g_autoptr (RecFactory) client = rec_factory_new (HALF_REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("lose_write_connection shuts down the sending side only; a protocol "
                  "that supports half-close gets read_connection_lost and can still write");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  client->greeting = g_bytes_new_static ("ping", 4);
  connect_local (&env, port, client);
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->made == 1);
  braid_transport_lose_write_connection (BRAID_TRANSPORT (transport_of (client, 0)));
  braid_transport_write_string (BRAID_TRANSPORT (transport_of (client, 0)), "ignored");
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_true (rec_factory_state (server, 0)->read_lost);
  g_assert_cmpstr (rec_factory_state (server, 0)->received->str, ==, "ping");
  g_assert_cmpstr (rec_factory_state (client, 0)->received->str, ==, "pingbye");
  g_assert_error (client->client_lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  test_env_clear (&env);
}

static void
test_peer_eof_closes_without_half_close (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;
  int fd;

  g_test_summary ("A peer's half-close ends the connection cleanly for a protocol that "
                  "does not support half-close");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  g_assert_cmpint (write (fd, "abc", 3), ==, 3);
  g_assert_cmpint (shutdown (fd, SHUT_WR), ==, 0);
  WAIT_FOR (&env, server->protocols->len == 1 && rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpstr (rec_factory_state (server, 0)->received->str, ==, "abc");
  g_assert_false (rec_factory_state (server, 0)->read_lost);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  close (fd);
  test_env_clear (&env);
}

static void
test_pause_reading (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_PAUSE_ON_MADE);
  guint16 port;
  int fd;

  g_test_summary ("pause_producing on a transport stops data_received, even after the "
                  "peer hangs up; resume_producing delivers what waited");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  g_assert_cmpint (write (fd, "abc", 3), ==, 3);
  close (fd);
  WAIT_FOR (&env, server->protocols->len == 1);
  test_env_iterate_for (&env, 0.2);
  g_assert_cmpuint (rec_factory_state (server, 0)->received->len, ==, 0);
  g_assert_null (rec_factory_state (server, 0)->lost);
  braid_producer_resume_producing (BRAID_PRODUCER (transport_of (server, 0)));
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpstr (rec_factory_state (server, 0)->received->str, ==, "abc");
  test_env_clear (&env);
}

static void
test_backpressure_bounds_memory (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL,
                                                   REC_ECHO | REC_SELF_PRODUCER);
  gsize chunk_size = 64 * 1024, sent = 0, echoed = 0, max_buffered = 0;
  g_autofree char *chunk = g_malloc0 (chunk_size);
  g_autofree char *sink = g_malloc (chunk_size);
  gboolean blocked = FALSE;
  guint16 port;
  int fd;

  g_test_summary ("An echo server whose transport is its own producer stops reading from "
                  "a peer that never reads: its buffer stays near the high-water mark");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  g_assert_cmpint (fcntl (fd, F_SETFL, O_NONBLOCK), ==, 0);
  WAIT_FOR (&env, server->protocols->len == 1);

  /* Send until the peer's socket will take no more for a while: the server
   * stopped reading. Without backpressure it would read (and buffer) all. */
  for (gint64 quiet_since = 0; sent < 512 * 1024 * 1024;)
    {
      ssize_t n = send (fd, chunk, chunk_size, MSG_NOSIGNAL);

      if (n > 0)
        {
          sent += n;
          quiet_since = 0;
        }
      else
        {
          g_assert_cmpint (errno, ==, EAGAIN);
          if (quiet_since == 0)
            quiet_since = g_get_monotonic_time ();
          else if (g_get_monotonic_time () - quiet_since > 300 * 1000)
            {
              blocked = TRUE;
              break;
            }
        }
      g_main_context_iteration (env.context, FALSE);
      max_buffered = MAX (max_buffered, braid_socket_transport_get_buffered_size (transport_of (server, 0)));
    }
  g_assert_true (blocked);
  g_assert_cmpuint (max_buffered, >, 0);
  g_assert_cmpuint (max_buffered, <=, BRAID_SOCKET_TRANSPORT_HIGH_WATER + 256 * 1024);

  /* Reading resumes the server: every byte comes back. */
  while (echoed < sent)
    {
      ssize_t n = recv (fd, sink, chunk_size, 0);

      if (n > 0)
        echoed += n;
      else
        {
          g_assert_cmpint (errno, ==, EAGAIN);
          g_main_context_iteration (env.context, TRUE);
        }
    }
  g_assert_cmpuint (echoed, ==, sent);
  g_assert_cmpuint (rec_factory_state (server, 0)->received->len, ==, sent);
  close (fd);
  test_env_clear (&env);
}

/* A producer that counts what it is asked; a pull producer writes a piece
 * each time it is resumed, until it has written @pieces. */
#define COUNTING_TYPE_PRODUCER (counting_producer_get_type ())
G_DECLARE_FINAL_TYPE (CountingProducer, counting_producer, COUNTING, PRODUCER, GObject)
struct _CountingProducer
{
  GObject parent_instance;
  BraidTransport *transport;   /* not owned */
  guint paused, resumed, stopped;
  guint pieces;
};
static void counting_producer_iface_init (BraidProducerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (CountingProducer, counting_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      counting_producer_iface_init))

static void counting_pause (BraidProducer *p) { COUNTING_PRODUCER (p)->paused++; }
static void counting_stop (BraidProducer *p) { COUNTING_PRODUCER (p)->stopped++; }

static void
counting_resume (BraidProducer *producer)
{
  CountingProducer *self = COUNTING_PRODUCER (producer);

  self->resumed++;
  if (self->pieces > 0)
    {
      g_autofree char *piece = g_strdup_printf ("piece%u;", self->pieces);

      self->pieces--;
      braid_transport_write_string (self->transport, piece);
      if (self->pieces == 0)
        {
          braid_transport_unregister_producer (self->transport);
          braid_transport_lose_connection (self->transport);
        }
    }
}

static void
counting_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = counting_pause;
  iface->resume_producing = counting_resume;
  iface->stop_producing = counting_stop;
}

static void counting_producer_class_init (CountingProducerClass *klass) { }
static void counting_producer_init (CountingProducer *self) { }

static void
test_streaming_producer_is_paused_and_resumed (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, REC_PAUSE_ON_MADE);
  g_autoptr (CountingProducer) producer = g_object_new (COUNTING_TYPE_PRODUCER, NULL);
  gsize size = 32 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  BraidTransport *transport;
  guint16 port;

  g_test_summary ("A streaming producer is paused above the high-water mark, resumed "
                  "below the low-water mark, and stopped when the connection ends");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connect_local (&env, port, client);
  WAIT_FOR (&env, server->protocols->len == 1 && client->protocols->len == 1);
  transport = BRAID_TRANSPORT (transport_of (server, 0));
  producer->transport = transport;
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
  braid_transport_write (transport, big, size);
  g_assert_cmpuint (producer->paused, ==, 1);
  g_assert_cmpuint (producer->resumed, ==, 0);

  braid_producer_resume_producing (BRAID_PRODUCER (transport_of (client, 0)));
  WAIT_FOR (&env, producer->resumed == 1);
  g_assert_cmpuint (braid_socket_transport_get_buffered_size (BRAID_SOCKET_TRANSPORT (transport)),
                    <, BRAID_SOCKET_TRANSPORT_LOW_WATER);
  braid_transport_lose_connection (transport);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpuint (rec_factory_state (client, 0)->received->len, ==, size);
  WAIT_FOR (&env, producer->stopped == 1);
  test_env_clear (&env);
}

static void
test_pull_producer_is_asked_for_more (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (CountingProducer) producer = g_object_new (COUNTING_TYPE_PRODUCER, NULL);
  guint16 port;

  g_test_summary ("A non-streaming producer is asked for a piece when registered and "
                  "each time the buffer has drained");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connect_local (&env, port, client);
  WAIT_FOR (&env, server->protocols->len == 1);
  producer->transport = braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0));
  producer->pieces = 3;
  braid_transport_register_producer (producer->transport, BRAID_PRODUCER (producer), FALSE);
  g_assert_cmpuint (producer->resumed, ==, 1);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpuint (producer->resumed, ==, 3);
  g_assert_cmpstr (rec_factory_state (client, 0)->received->str, ==, "piece3;piece2;piece1;");
  g_assert_cmpuint (producer->paused, ==, 0);
  test_env_clear (&env);
}

static void
test_misbehaving_protocol_affects_only_its_connection (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ABORT_ON_DATA);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) echo_server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  g_autoptr (RecFactory) echo_client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port, echo_port;

  g_test_summary ("A protocol that aborts its own connection inside data_received, then "
                  "writes and closes again, loses only that connection, once");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  echo_port = listen_local (&env, BRAID_FACTORY (echo_server));
  client->greeting = g_bytes_new_static ("x", 1);
  connect_local (&env, port, client);
  connect_local (&env, echo_port, echo_client);
  WAIT_FOR (&env, server->protocols->len == 1 && rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (rec_factory_state (server, 0)->lost_count, ==, 1);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpuint (rec_factory_state (client, 0)->received->len, ==, 0);

  WAIT_FOR (&env, echo_client->protocols->len == 1 && rec_factory_state (echo_client, 0)->made);
  braid_transport_write_string (BRAID_TRANSPORT (transport_of (echo_client, 0)), "still here");
  WAIT_FOR (&env, rec_factory_state (echo_client, 0)->received->len == 10);
  test_env_clear (&env);
}

static void
test_nested_loop_in_a_callback (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_NESTED_LOOP);
  RecState *state;
  guint16 port;
  int fd;

  g_test_summary ("A callback that iterates the main context (a nested loop) is not "
                  "re-entered; other GLib sources run meanwhile; data waits until it returns");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 1);
  state = rec_factory_state (server, 0);
  state->poke_fd = fd;
  g_assert_cmpint (write (fd, "a", 1), ==, 1);
  WAIT_FOR (&env, state->received->len == 2);
  g_assert_cmpstr (state->received->str, ==, "ab");
  g_assert_cmpuint (state->max_depth, ==, 1);
  g_assert_cmpuint (state->nested_timeouts, ==, 1);
  close (fd);
  WAIT_FOR (&env, state->lost != NULL);
  test_env_clear (&env);
}

static void
test_factory_refusing_closes_the_connection (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("A factory whose build_protocol returns NULL refuses the connection: "
                  "it is closed, and the port keeps accepting");
  test_env_init (&env);
  server->refuse = TRUE;
  port = listen_local (&env, BRAID_FACTORY (server));
  connect_local (&env, port, client);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpuint (rec_factory_state (client, 0)->made, ==, 1);
  g_assert_cmpuint (server->protocols->len, ==, 0);

  server->refuse = FALSE;
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, server->protocols->len == 1);
  test_env_clear (&env);
}

static void
test_stop_listening (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port;

  g_test_summary ("stop_listening stops the factory and refuses new connections; open "
                  "connections go on");
  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server), "127.0.0.1", &error);
  g_assert_no_error (error);
  port = braid_listening_port_get_port (listening);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 1);
  connect_local (&env, port, client);
  WAIT_FOR (&env, server->protocols->len == 1 && client->protocols->len == 1);
  braid_listening_port_stop_listening (listening);
  braid_listening_port_stop_listening (listening);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);

  braid_transport_write_string (BRAID_TRANSPORT (transport_of (client, 0)), "on");
  WAIT_FOR (&env, rec_factory_state (server, 0)->received->len == 2);
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  test_env_clear (&env);
}

static void
test_listen_errors (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  guint16 port;

  g_test_summary ("Listening on a port in use, or on something that is not an address, "
                  "fails with a clear error");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  g_assert_null (braid_reactor_listen_tcp (env.reactor, port, BRAID_FACTORY (server),
                                           "127.0.0.1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_null (braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server),
                                           "localhost", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 1);
  test_env_clear (&env);
}

static void
test_ipv6_loopback (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;

  g_test_summary ("TCP works on the IPv6 loopback ::1 (skipped without IPv6)");
  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server), "::1", &error);
  if (listening == NULL)
    {
      g_test_skip (error->message);
      test_env_clear (&env);
      return;
    }
  client->greeting = g_bytes_new_static ("six", 3);
  braid_reactor_connect_tcp (env.reactor, "::1", braid_listening_port_get_port (listening),
                             BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, (client->protocols->len == 1
                   && rec_factory_state (client, 0)->received->len == 3)
                  || client->failed != NULL);
  g_assert_no_error (client->failed);
  g_assert_cmpstr (rec_factory_state (client, 0)->received->str, ==, "six");
  g_assert_cmpint (g_socket_address_get_family (braid_transport_get_host (
                     BRAID_TRANSPORT (transport_of (server, 0)))), ==, G_SOCKET_FAMILY_IPV6);
  test_env_clear (&env);
}

static void
test_unix_sockets (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (HALF_REC_TYPE_PROTOCOL,
                                                   REC_ECHO | REC_BYE_ON_HALF);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-unix-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  BraidListeningPort *listening;

  g_test_summary ("listen_unix and connect_unix exchange bytes like TCP; stop_listening "
                  "removes the socket file; a missing path is refused");
  g_assert_no_error (error);
  path = g_build_filename (dir, "socket", NULL);
  missing = g_build_filename (dir, "missing", NULL);
  test_env_init (&env);
  listening = braid_reactor_listen_unix (env.reactor, path, BRAID_FACTORY (server), &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  client->greeting = g_bytes_new_static ("unix", 4);
  braid_reactor_connect_unix (env.reactor, path, BRAID_CLIENT_FACTORY (client), 5);
  WAIT_FOR (&env, client->protocols->len == 1
                  && rec_factory_state (client, 0)->received->len == 4);
  g_assert_cmpstr (rec_factory_state (client, 0)->received->str, ==, "unix");
  braid_transport_lose_write_connection (BRAID_TRANSPORT (transport_of (client, 0)));
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpstr (rec_factory_state (client, 0)->received->str, ==, "unixbye");

  braid_listening_port_stop_listening (listening);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  braid_reactor_connect_unix (env.reactor, missing, BRAID_CLIENT_FACTORY (client), 5);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  test_env_clear (&env);
  g_rmdir (dir);
}

static void
test_writing_to_a_vanished_peer (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-unix-XXXXXX", &error);
  g_autofree char *path = NULL;
  GOutputVector pieces[] = { { "to ", 3 }, { "nobody", 6 } };
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  void (*previous) (int);
  int fd;

  g_test_summary ("Writing to a peer that has gone (EPIPE) loses the connection with "
                  "the error named, and never kills the process with SIGPIPE");
  g_assert_no_error (error);
  path = g_build_filename (dir, "socket", NULL);
  test_env_init (&env);
  braid_reactor_listen_unix (env.reactor, path, BRAID_FACTORY (server), &error);
  g_assert_no_error (error);
  g_strlcpy (address.sun_path, path, sizeof address.sun_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  WAIT_FOR (&env, server->protocols->len == 1);
  close (fd);
  /* GIO ignores SIGPIPE process-wide once GSocket is initialised; restore
   * the default (death) to check that the transport does not rely on it. */
  previous = signal (SIGPIPE, SIG_DFL);
  /* No iteration in between: the server has not seen the hang-up yet. */
  braid_transport_write_sequence (BRAID_TRANSPORT (transport_of (server, 0)), pieces, 2);
  signal (SIGPIPE, previous);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (rec_factory_state (server, 0)->lost->message, g_strerror (EPIPE)));
  test_env_clear (&env);
  g_rmdir (dir);
}

/* Run in a subprocess: the process's descriptor limit is lowered. */
static void
emfile_child (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  struct rlimit limit = { 64, 64 };
  GArray *hogs = g_array_new (FALSE, FALSE, sizeof (int));
  struct rusage before, after;
  gint64 start;
  guint16 port;
  int clients[3];
  char reply[4];
  int hog;

  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = raw_connect (port);
  /* Use up every descriptor left, so accept() fails with EMFILE. */
  while ((hog = dup (0)) >= 0)
    g_array_append_val (hogs, hog);
  g_assert_cmpint (errno, ==, EMFILE);

  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Cannot accept connections on*");
  getrusage (RUSAGE_SELF, &before);
  start = g_get_monotonic_time ();
  test_env_iterate_for (&env, 0.6);
  getrusage (RUSAGE_SELF, &after);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (server->protocols->len, ==, 0);
  {
    gint64 cpu = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * G_USEC_PER_SEC
                 + (after.ru_utime.tv_usec - before.ru_utime.tv_usec)
                 + (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * G_USEC_PER_SEC
                 + (after.ru_stime.tv_usec - before.ru_stime.tv_usec);

    /* Spinning on accept would burn the whole 0.6 s. */
    g_assert_cmpint (cpu, <, (g_get_monotonic_time () - start) / 2);
  }

  for (guint i = 0; i < hogs->len; i++)
    close (g_array_index (hogs, int, i));
  g_array_unref (hogs);
  WAIT_FOR (&env, server->protocols->len == G_N_ELEMENTS (clients));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      gsize got = 0;

      g_assert_cmpint (write (clients[i], "abc", 3), ==, 3);
      g_assert_cmpint (fcntl (clients[i], F_SETFL, O_NONBLOCK), ==, 0);
      while (got < 3)
        {
          ssize_t n = read (clients[i], reply + got, 3 - got);

          if (n > 0)
            got += n;
          else
            g_main_context_iteration (env.context, TRUE);
        }
      g_assert_cmpint (memcmp (reply, "abc", 3), ==, 0);
      close (clients[i]);
    }
  test_env_clear (&env);
}

static void
test_accept_under_emfile (void)
{
  g_test_summary ("When accept fails with EMFILE the port logs it once, backs off "
                  "without spinning, and serves the waiting clients once fds are free");
  if (g_test_subprocess ())
    {
      emfile_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* --- Fairness: busy sockets do not starve timers or other sources -------- */

/* A RecProtocol (so a RecFactory can build it and write its greeting) that
 * bounces every byte back until EXCHANGE_LIMIT bytes have come in, then
 * stops. A test that waits for a timer while two of these play ping-pong
 * fails, rather than hangs, if the reactor never leaves its socket loop. */
#define EXCHANGE_LIMIT 100000

G_DECLARE_FINAL_TYPE (PingPong, ping_pong, PING, PONG, RecProtocol)
struct _PingPong { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (PingPong, ping_pong, REC_TYPE_PROTOCOL)

static guint exchanges;   /* bytes bounced by both sides, in the running test */

static void
ping_pong_data_received (BraidProtocol *protocol, const guint8 *data, gsize length)
{
  exchanges += length;
  if (exchanges < EXCHANGE_LIMIT)
    braid_transport_write (braid_protocol_get_transport (protocol), data, length);
  else
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
ping_pong_class_init (PingPongClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = ping_pong_data_received;
}

static void
ping_pong_init (PingPong *self)
{
}

static void
note_exchanges_now (gpointer data)
{
  *(guint *) data = exchanges;
}

static gboolean
note_exchanges_from_glib (gpointer data)
{
  note_exchanges_now (data);
  return G_SOURCE_REMOVE;
}

static void
test_busy_sockets_do_not_starve_timers (void)
{
  TestEnv env;
  g_autoptr (BraidFactory) server = braid_factory_new (ping_pong_get_type ());
  g_autoptr (RecFactory) client = rec_factory_new (ping_pong_get_type (), 0);
  guint at_braid_timer = 0, at_glib_timeout = 0;
  g_autoptr (BraidDelayedCall) call = NULL;
  GSource *timeout;

  g_test_summary ("While two connections bounce bytes back and forth without a pause, "
                  "a Braid delayed call and a plain GLib timeout still fire on time");
  exchanges = 0;
  test_env_init (&env);
  client->greeting = g_bytes_new_static ("p", 1);
  connect_local (&env, listen_local (&env, server), client);
  WAIT_FOR (&env, exchanges > 10);

  call = g_object_ref (braid_clock_call_later (BRAID_CLOCK (env.reactor), 0.01,
                                               note_exchanges_now, &at_braid_timer, NULL));
  timeout = g_timeout_source_new (10);
  g_source_set_callback (timeout, note_exchanges_from_glib, &at_glib_timeout, NULL);
  g_source_attach (timeout, env.context);
  g_source_unref (timeout);
  WAIT_FOR (&env, at_braid_timer != 0 && at_glib_timeout != 0);

  /* Both fired while the ping-pong was still going, not after it ended. */
  g_assert_cmpuint (at_braid_timer, <, EXCHANGE_LIMIT);
  g_assert_cmpuint (at_glib_timeout, <, EXCHANGE_LIMIT);
  braid_transport_lose_connection (
    braid_protocol_get_transport (g_ptr_array_index (client->protocols, 0)));
  WAIT_FOR (&env, client->client_lost != NULL);
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/tcp/listen-connect-exchange", test_listen_connect_exchange);
  braid_test_add_func ("/tcp/write-sequence-and-bind-address", test_write_sequence_and_bind_address);
  braid_test_add_func ("/tcp/connect/refused", test_connection_refused);
  braid_test_add_func ("/tcp/connect/connector-knows-its-reactor", test_connector_knows_its_reactor);
  braid_test_add_func ("/tcp/connect/timeout", test_connection_timeout);
  braid_test_add_func ("/tcp/connect/stop-then-connect-again", test_stop_connecting_then_connect_again);
  braid_test_add_func ("/tcp/connect/disconnect-and-destination", test_connector_disconnect_and_destination);
  braid_test_add_func ("/tcp/connect/unresolvable-host", test_unresolvable_host);
  braid_test_add_func ("/tcp/close/lose-flushes-everything", test_lose_connection_flushes_everything);
  braid_test_add_func ("/tcp/close/abort-drops-the-buffer", test_abort_drops_the_buffer);
  braid_test_add_func ("/tcp/close/peer-reset-names-the-error", test_peer_reset_names_the_error);
  braid_test_add_func ("/tcp/close/half-close", test_half_close);
  braid_test_add_func ("/tcp/close/peer-eof-without-half-close", test_peer_eof_closes_without_half_close);
  braid_test_add_func ("/tcp/flow/pause-reading", test_pause_reading);
  braid_test_add_func ("/tcp/flow/backpressure-bounds-memory", test_backpressure_bounds_memory);
  braid_test_add_func ("/tcp/flow/streaming-producer", test_streaming_producer_is_paused_and_resumed);
  braid_test_add_func ("/tcp/flow/pull-producer", test_pull_producer_is_asked_for_more);
  braid_test_add_func ("/tcp/misbehaving/abort-inside-data-received", test_misbehaving_protocol_affects_only_its_connection);
  braid_test_add_func ("/tcp/misbehaving/nested-loop-in-a-callback", test_nested_loop_in_a_callback);
  braid_test_add_func ("/tcp/misbehaving/factory-returns-null", test_factory_refusing_closes_the_connection);
  braid_test_add_func ("/tcp/port/stop-listening", test_stop_listening);
  braid_test_add_func ("/tcp/port/listen-errors", test_listen_errors);
  braid_test_add_func ("/tcp/port/accept-under-emfile", test_accept_under_emfile);
  braid_test_add_func ("/tcp/fairness/busy-sockets-do-not-starve-timers", test_busy_sockets_do_not_starve_timers);
  braid_test_add_func ("/tcp/ipv6-loopback", test_ipv6_loopback);
  braid_test_add_func ("/unix/exchange-and-cleanup", test_unix_sockets);
  braid_test_add_func ("/unix/writing-to-a-vanished-peer", test_writing_to_a_vanished_peer);

  return g_test_run ();
}
