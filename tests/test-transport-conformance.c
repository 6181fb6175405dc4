/* test-transport-conformance.c: the conformance kit against every stream
 * transport: real TCP and UNIX sockets, the loopback at chunk 1 and whole,
 * SimNet links, the string transport (pumped by hand), and TLS over the
 * loopback and over real TCP (the test CA's certificates in
 * tests/fixtures/tls/). Adding a transport is a pair factory: open,
 * run_until, close. */
#include <braid-fakes.h>

#include <unistd.h>
#include <glib/gstdio.h>

/* ---------------------------------------------------------------------- */
/* Real sockets: a GLib reactor on its own context.                        */

typedef struct {
  GMainContext *context;
  BraidReactor *reactor;
  BraidListeningPort *port;
  BraidClientFactory *server_factory;
  BraidClientFactory *client_factory;
  BraidProtocol *server;
  BraidProtocol *client;
  char *dir;
} SocketPair;

static gboolean
socket_run_until (gpointer data, BraidConformanceDone done, gpointer done_data, gdouble seconds)
{
  SocketPair *pair = data;
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  do
    {
      while (g_main_context_iteration (pair->context, FALSE))
        ;
      if (done (done_data))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        break;
      g_usleep (200);
    }
  while (TRUE);
  return done (done_data);
}

static gboolean
both_made (gpointer data)
{
  SocketPair *pair = data;

  return braid_protocol_is_connected (pair->server) && braid_protocol_is_connected (pair->client);
}

static gpointer
socket_open (BraidProtocol *server, BraidProtocol *client, gboolean unix_socket)
{
  SocketPair *pair = g_new0 (SocketPair, 1);
  g_autoptr (GError) error = NULL;

  pair->context = g_main_context_new ();
  pair->reactor = braid_glib_reactor_new (pair->context);
  pair->server = server;
  pair->client = client;
  pair->server_factory = braid_conformance_factory_new (server);
  pair->client_factory = braid_conformance_factory_new (client);
  if (unix_socket)
    {
      g_autofree char *path = NULL;

      pair->dir = g_dir_make_tmp ("braid-conformance-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (pair->dir, "socket", NULL);
      pair->port = braid_reactor_listen_unix (pair->reactor, path,
                                              BRAID_FACTORY (pair->server_factory), &error);
      g_assert_no_error (error);
      braid_reactor_connect_unix (pair->reactor, path, pair->client_factory, 5);
    }
  else
    {
      pair->port = braid_reactor_listen_tcp (pair->reactor, 0, BRAID_FACTORY (pair->server_factory),
                                             "127.0.0.1", &error);
      g_assert_no_error (error);
      braid_reactor_connect_tcp (pair->reactor, "127.0.0.1",
                                 braid_listening_port_get_port (pair->port), pair->client_factory);
    }
  g_assert_true (socket_run_until (pair, both_made, pair, 5));
  return pair;
}

static gpointer
tcp_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  return socket_open (server, client, FALSE);
}

static gpointer
unix_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  return socket_open (server, client, TRUE);
}

static gboolean
both_gone (gpointer data)
{
  SocketPair *pair = data;

  return !braid_protocol_is_connected (pair->server) && !braid_protocol_is_connected (pair->client);
}

static void
socket_close (gpointer data)
{
  SocketPair *pair = data;

  if (braid_protocol_is_connected (pair->server))
    braid_transport_abort_connection (braid_protocol_get_transport (pair->server));
  if (braid_protocol_is_connected (pair->client))
    braid_transport_abort_connection (braid_protocol_get_transport (pair->client));
  g_assert_true (socket_run_until (pair, both_gone, pair, 5));
  braid_listening_port_stop_listening (pair->port);
  g_clear_object (&pair->reactor);
  while (g_main_context_iteration (pair->context, FALSE))
    ;
  g_main_context_unref (pair->context);
  g_clear_object (&pair->server_factory);
  g_clear_object (&pair->client_factory);
  if (pair->dir != NULL)
    {
      g_autofree char *path = g_build_filename (pair->dir, "socket", NULL);

      g_unlink (path);
      g_rmdir (pair->dir);
      g_free (pair->dir);
    }
  g_free (pair);
}

static const BraidTransportPairFactory tcp_pairs = {
  "tcp", BRAID_CONFORMANCE_ALL, tcp_open, socket_run_until, socket_close, NULL,
};

static const BraidTransportPairFactory unix_pairs = {
  "unix", BRAID_CONFORMANCE_NO_RESET, unix_open, socket_run_until, socket_close, NULL,
};

/* ---------------------------------------------------------------------- */
/* The loopback, at chunk 1 and whole.                                     */

static gpointer
loopback_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  BraidLoopback *loopback = braid_loopback_new (server, client);

  braid_loopback_set_chunk_size (loopback, GPOINTER_TO_SIZE (user_data));
  /* As a socket transport's high-water mark. */
  braid_loopback_set_backpressure_limit (loopback, BRAID_SOCKET_TRANSPORT_HIGH_WATER);
  return loopback;
}

static gboolean
loopback_run_until (gpointer pair, BraidConformanceDone done, gpointer done_data, gdouble seconds)
{
  BraidLoopback *loopback = pair;

  /* The loopback has no time: run until done or nothing moves. */
  for (guint i = 0; i < BRAID_LOOPBACK_MAX_PUMPS && !done (done_data); i++)
    if (!braid_loopback_pump_once (loopback))
      break;
  return done (done_data);
}

static void
loopback_close (gpointer pair)
{
  BraidLoopback *loopback = pair;

  if (braid_loopback_is_open (loopback))
    {
      braid_transport_abort_connection (braid_loopback_get_client_transport (loopback));
      braid_loopback_flush (loopback);
    }
  g_object_unref (loopback);
}

static const BraidTransportPairFactory loopback_chunk_1_pairs = {
  "loopback-chunk-1", BRAID_CONFORMANCE_ALL, loopback_open, loopback_run_until, loopback_close,
  GSIZE_TO_POINTER (1),
};

static const BraidTransportPairFactory loopback_whole_pairs = {
  "loopback-whole", BRAID_CONFORMANCE_ALL, loopback_open, loopback_run_until, loopback_close,
  GSIZE_TO_POINTER (0),
};

/* ---------------------------------------------------------------------- */
/* SimNet: two nodes, 5 ms ± 2 ms apart.                                   */

typedef struct {
  BraidSimNet *net;
  BraidClientFactory *server_factory;
  BraidClientFactory *client_factory;
  BraidProtocol *server;
  BraidProtocol *client;
} SimPair;

static gboolean
sim_made (gpointer data)
{
  SimPair *pair = data;

  return braid_protocol_is_connected (pair->server) && braid_protocol_is_connected (pair->client);
}

static gpointer
sim_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  SimPair *pair = g_new0 (SimPair, 1);
  g_autoptr (GError) error = NULL;
  BraidSimNode *a, *b;

  pair->net = braid_sim_net_new (GPOINTER_TO_UINT (user_data));
  braid_sim_link_set_latency (braid_sim_net_get_default_link (pair->net), 0.005, 0.002);
  a = braid_sim_net_add_node (pair->net, "server", "10.0.0.1");
  b = braid_sim_net_add_node (pair->net, "client", "10.0.0.2");
  pair->server = server;
  pair->client = client;
  pair->server_factory = braid_conformance_factory_new (server);
  pair->client_factory = braid_conformance_factory_new (client);
  braid_reactor_listen_tcp (BRAID_REACTOR (a), 8000, BRAID_FACTORY (pair->server_factory),
                            NULL, &error);
  g_assert_no_error (error);
  braid_reactor_connect_tcp (BRAID_REACTOR (b), "10.0.0.1", 8000, pair->client_factory);
  g_assert_true (braid_sim_net_run_until (pair->net, sim_made, pair, 5, &error));
  g_assert_no_error (error);
  return pair;
}

static gboolean
sim_run_until (gpointer data, BraidConformanceDone done, gpointer done_data, gdouble seconds)
{
  SimPair *pair = data;
  g_autoptr (GError) error = NULL;

  braid_sim_net_run_for (pair->net, 0);
  if (braid_sim_net_run_until (pair->net, done, done_data, seconds, &error))
    return TRUE;
  g_test_message ("%s", error->message);
  return FALSE;
}

static void
sim_close (gpointer data)
{
  SimPair *pair = data;

  g_clear_object (&pair->net);
  g_clear_object (&pair->server_factory);
  g_clear_object (&pair->client_factory);
  g_free (pair);
}

static const BraidTransportPairFactory sim_pairs = {
  "sim-net", BRAID_CONFORMANCE_ALL, sim_open, sim_run_until, sim_close, GUINT_TO_POINTER (17),
};

/* ---------------------------------------------------------------------- */
/* Two string transports, pumped by hand: what a test written on string  */
/* transports assumes of a connection.                                     */

typedef struct {
  BraidStringTransport *server_end;
  BraidStringTransport *client_end;
  BraidProtocol *server;
  BraidProtocol *client;
  gboolean closed;
} StringPair;

static gpointer
string_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  StringPair *pair = g_new0 (StringPair, 1);
  g_autoptr (GSocketAddress) server_address = g_inet_socket_address_new_from_string ("127.0.0.1", 8000);
  g_autoptr (GSocketAddress) client_address = g_inet_socket_address_new_from_string ("127.0.0.1", 54321);

  pair->server_end = braid_string_transport_new ();
  pair->client_end = braid_string_transport_new ();
  braid_string_transport_set_host (pair->server_end, server_address);
  braid_string_transport_set_peer (pair->server_end, client_address);
  braid_string_transport_set_host (pair->client_end, client_address);
  braid_string_transport_set_peer (pair->client_end, server_address);
  pair->server = server;
  pair->client = client;
  braid_protocol_make_connection (server, BRAID_TRANSPORT (pair->server_end));
  braid_protocol_make_connection (client, BRAID_TRANSPORT (pair->client_end));
  return pair;
}

/* Moves what @from's protocol wrote to @to's protocol. */
static gboolean
string_move (BraidStringTransport *from, BraidProtocol *to)
{
  g_autoptr (GBytes) written = braid_string_transport_get_value (from);
  gsize len;
  const guint8 *data = g_bytes_get_data (written, &len);

  if (len == 0)
    return FALSE;
  braid_string_transport_clear (from);
  braid_protocol_data_received (to, data, len);
  return TRUE;
}

static gboolean
string_pump (StringPair *pair)
{
  gboolean moved = FALSE;

  if (pair->closed)
    return FALSE;
  if (braid_string_transport_get_aborted (pair->server_end)
      || braid_string_transport_get_aborted (pair->client_end))
    {
      g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                                       "aborted");
      pair->closed = TRUE;
      braid_protocol_connection_lost (pair->server, reason);
      braid_protocol_connection_lost (pair->client, reason);
      return TRUE;
    }
  moved |= string_move (pair->server_end, pair->client);
  moved |= string_move (pair->client_end, pair->server);
  if (!moved && (braid_string_transport_get_disconnecting (pair->server_end)
                 || braid_string_transport_get_disconnecting (pair->client_end)))
    {
      g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                                       "closed");
      pair->closed = TRUE;
      braid_protocol_connection_lost (pair->server, reason);
      braid_protocol_connection_lost (pair->client, reason);
      return TRUE;
    }
  return moved;
}

static gboolean
string_run_until (gpointer data, BraidConformanceDone done, gpointer done_data, gdouble seconds)
{
  while (!done (done_data) && string_pump (data))
    ;
  return done (done_data);
}

static void
string_close (gpointer data)
{
  StringPair *pair = data;

  if (!pair->closed)
    {
      braid_transport_abort_connection (BRAID_TRANSPORT (pair->client_end));
      string_pump (pair);
    }
  g_object_unref (pair->server_end);
  g_object_unref (pair->client_end);
  g_free (pair);
}

/* A string transport has no peer and no buffer that fills: it records
 * half-close and producers, nothing acts on them. */
static const BraidTransportPairFactory string_pairs = {
  "string-transport", BRAID_CONFORMANCE_NO_HALF_CLOSE | BRAID_CONFORMANCE_NO_BACKPRESSURE,
  string_open, string_run_until, string_close, NULL,
};

/* ---------------------------------------------------------------------- */
/* TLS: the kit's protocols wrapped in BraidTlsProtocol, over the loopback */
/* (at chunk 1 and whole) and over real TCP (BraidTlsFactory). The server  */
/* has the test CA's "server" certificate for localhost; the client trusts */
/* the CA. TLS has no half-close: lose_write_connection closes the whole   */
/* connection (docs/tls.md), hence BRAID_CONFORMANCE_NO_HALF_CLOSE.        */

static BraidTlsOptions *
tls_server_options (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "server.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "server-key.pem", NULL);
  g_autoptr (GError) error = NULL;
  BraidTlsOptions *options = braid_tls_options_new_server (cert, key, &error);

  g_assert_no_error (error);
  return options;
}

static BraidTlsOptions *
tls_client_options (void)
{
  g_autofree char *ca = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "ca.pem", NULL);
  g_autoptr (GError) error = NULL;
  BraidTlsOptions *options = braid_tls_options_new_client ("localhost");

  g_assert_true (braid_tls_options_set_trust_roots (options, ca, &error));
  g_assert_no_error (error);
  return options;
}

typedef struct {
  BraidLoopback *loopback;
  BraidTlsProtocol *server_tls;
  BraidTlsProtocol *client_tls;
  BraidProtocol *server;       /* then client: tls_made reads them as an array */
  BraidProtocol *client;
} TlsLoopbackPair;

static gboolean
tls_loopback_run_until (gpointer data, BraidConformanceDone done, gpointer done_data,
                        gdouble seconds)
{
  TlsLoopbackPair *pair = data;

  return loopback_run_until (pair->loopback, done, done_data, seconds);
}

/* Whether @protocol's transport is a TLS connection past its handshake.
 * The wrapped protocols are connected at once, as in Twisted, but what
 * they write before the handshake ends waits in memory, outside the
 * connection's buffer and its backpressure (docs/tls.md): a pair is open
 * once both handshakes are done. */
static gboolean
tls_handshake_done (BraidProtocol *protocol)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  return braid_protocol_is_connected (protocol) && BRAID_IS_TLS_PROTOCOL (transport)
         && braid_tls_protocol_is_handshake_done (BRAID_TLS_PROTOCOL (transport));
}

static gboolean
tls_made (gpointer data)
{
  BraidProtocol **protocols = data;

  return tls_handshake_done (protocols[0]) && tls_handshake_done (protocols[1]);
}

static gpointer
tls_loopback_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  TlsLoopbackPair *pair = g_new0 (TlsLoopbackPair, 1);
  g_autoptr (BraidTlsOptions) server_options = tls_server_options ();
  g_autoptr (BraidTlsOptions) client_options = tls_client_options ();

  pair->server = server;
  pair->client = client;
  pair->server_tls = braid_tls_protocol_new (server_options, server);
  pair->client_tls = braid_tls_protocol_new (client_options, client);
  pair->loopback = loopback_open (BRAID_PROTOCOL (pair->server_tls),
                                  BRAID_PROTOCOL (pair->client_tls), user_data);
  g_assert_true (tls_loopback_run_until (pair, tls_made, &pair->server, 5));
  return pair;
}

static void
tls_loopback_close (gpointer data)
{
  TlsLoopbackPair *pair = data;

  loopback_close (pair->loopback);
  g_clear_object (&pair->server_tls);
  g_clear_object (&pair->client_tls);
  g_free (pair);
}

static const BraidTransportPairFactory tls_loopback_chunk_1_pairs = {
  "tls-loopback-chunk-1", BRAID_CONFORMANCE_NO_HALF_CLOSE,
  tls_loopback_open, tls_loopback_run_until, tls_loopback_close, GSIZE_TO_POINTER (1),
};

static const BraidTransportPairFactory tls_loopback_whole_pairs = {
  "tls-loopback-whole", BRAID_CONFORMANCE_NO_HALF_CLOSE,
  tls_loopback_open, tls_loopback_run_until, tls_loopback_close, GSIZE_TO_POINTER (0),
};

typedef struct {
  SocketPair sockets;            /* first: the socket helpers take it */
  BraidTlsFactory *server_tls;
  BraidTlsFactory *client_tls;
} TlsTcpPair;

static gpointer
tls_tcp_open (BraidProtocol *server, BraidProtocol *client, gpointer user_data)
{
  TlsTcpPair *pair = g_new0 (TlsTcpPair, 1);
  SocketPair *sockets = &pair->sockets;
  g_autoptr (BraidTlsOptions) server_options = tls_server_options ();
  g_autoptr (BraidTlsOptions) client_options = tls_client_options ();
  g_autoptr (GError) error = NULL;

  sockets->context = g_main_context_new ();
  sockets->reactor = braid_glib_reactor_new (sockets->context);
  sockets->server = server;
  sockets->client = client;
  sockets->server_factory = braid_conformance_factory_new (server);
  sockets->client_factory = braid_conformance_factory_new (client);
  pair->server_tls = braid_tls_factory_new (server_options, BRAID_FACTORY (sockets->server_factory));
  pair->client_tls = braid_tls_factory_new (client_options, BRAID_FACTORY (sockets->client_factory));
  sockets->port = braid_reactor_listen_tcp (sockets->reactor, 0, BRAID_FACTORY (pair->server_tls),
                                            "127.0.0.1", &error);
  g_assert_no_error (error);
  braid_reactor_connect_tcp (sockets->reactor, "127.0.0.1",
                             braid_listening_port_get_port (sockets->port),
                             BRAID_CLIENT_FACTORY (pair->client_tls));
  g_assert_true (socket_run_until (sockets, tls_made, &sockets->server, 5));
  return pair;
}

static void
tls_tcp_close (gpointer data)
{
  TlsTcpPair *pair = data;
  BraidTlsFactory *server_tls = pair->server_tls;
  BraidTlsFactory *client_tls = pair->client_tls;

  socket_close (&pair->sockets);   /* frees pair */
  g_object_unref (server_tls);
  g_object_unref (client_tls);
}

static const BraidTransportPairFactory tls_tcp_pairs = {
  "tls-tcp", BRAID_CONFORMANCE_NO_HALF_CLOSE, tls_tcp_open, socket_run_until, tls_tcp_close, NULL,
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_transport_conformance_add (&tcp_pairs);
  braid_transport_conformance_add (&unix_pairs);
  braid_transport_conformance_add (&loopback_chunk_1_pairs);
  braid_transport_conformance_add (&loopback_whole_pairs);
  braid_transport_conformance_add (&sim_pairs);
  braid_transport_conformance_add (&string_pairs);
  braid_transport_conformance_add (&tls_loopback_chunk_1_pairs);
  braid_transport_conformance_add (&tls_loopback_whole_pairs);
  braid_transport_conformance_add (&tls_tcp_pairs);
  return g_test_run ();
}
