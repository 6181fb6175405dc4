/* test-socket-connector.c: a real connector -- refusals, timeouts, stopping
 * and connecting again, resolving, misuse, abandonment. 127.0.0.1, ::1 and
 * UNIX sockets in a temporary directory only. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "reactor-test-common.h"

/* A TCP port on @interface that nothing listens on (it was just freed). */
static guint16
closed_port (const char *interface)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 0;

  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server),
                                        interface, &error);
  if (listening != NULL)
    {
      port = braid_listening_port_get_port (listening);
      braid_listening_port_stop_listening (listening);
    }
  test_env_clear (&env);
  return port;
}

static void
test_refused_on_ipv6_names_the_address (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *expected = NULL;
  guint16 port = closed_port ("::1");

  g_test_summary ("A refused connection to an IPv6 address names it as [address]:port "
                  "(skipped without IPv6)");
  if (port == 0)
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }
  test_env_init (&env);
  braid_reactor_connect_tcp (env.reactor, "::1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("[::1]:%u", port);
  g_assert_nonnull (strstr (client->failed->message, expected));
  test_env_clear (&env);
}

static void
test_host_name_is_resolved (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *expected = NULL;
  guint16 port = closed_port ("127.0.0.1");

  g_test_summary ("A host name (localhost, from /etc/hosts) is resolved, then connected "
                  "to: a closed port refuses");
  test_env_init (&env);
  braid_reactor_connect_tcp (env.reactor, "localhost", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("localhost:%u", port);
  g_assert_nonnull (strstr (client->failed->message, expected));
  g_assert_cmpuint (client->failed_count, ==, 1);
  test_env_clear (&env);
}

static void
test_stop_while_resolving (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidConnector *connector;
  guint16 port;

  g_test_summary ("stop_connecting while the host name is being resolved cancels the "
                  "lookup: the attempt fails once, cancelled, and never connects");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connector = braid_reactor_connect_tcp (env.reactor, "localhost", port,
                                         BRAID_CLIENT_FACTORY (client));
  braid_connector_stop_connecting (connector);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_env_iterate_for (&env, 0.2);
  g_assert_cmpuint (client->failed_count, ==, 1);
  g_assert_cmpuint (client->protocols->len, ==, 0);
  g_assert_cmpuint (server->protocols->len, ==, 0);
  test_env_clear (&env);
}

static void
test_client_factory_refuses (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("A client factory whose build_protocol returns NULL fails the attempt "
                  "with BRAID_ERROR_FAILED; the server sees the connection close");
  test_env_init (&env);
  client->refuse = TRUE;
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_null (client->client_lost);
  WAIT_FOR (&env, server->protocols->len == 1 && rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  test_env_clear (&env);
}

static void
test_bind_address_in_use (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GSocketAddress) bind_address = NULL;
  guint16 port;

  g_test_summary ("Binding the connection to an address already in use (the server's "
                  "own) fails the attempt with G_IO_ERROR_ADDRESS_IN_USE");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  bind_address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  braid_reactor_connect_tcp_full (env.reactor, "127.0.0.1", port,
                                  BRAID_CLIENT_FACTORY (client), 5, bind_address);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpuint (server->protocols->len, ==, 0);
  test_env_clear (&env);
}

static void
test_misuse_is_reported (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (BraidConnector) connector = NULL;
  guint16 port;

  g_test_summary ("connect on a busy connector or one whose reactor is gone, and "
                  "stop_connecting on an idle one, are refused with a critical; "
                  "disconnect on an idle connector does nothing");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connector = g_object_ref (braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port,
                                                       BRAID_CLIENT_FACTORY (client)));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*connector is busy*");
  braid_connector_connect (connector);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (client->started, ==, 1);
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->made == 1);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*not connecting*");
  braid_connector_stop_connecting (connector);
  g_test_assert_expected_messages ();
  g_assert_null (client->failed);

  braid_connector_disconnect (connector);
  WAIT_FOR (&env, client->client_lost != NULL);
  braid_connector_disconnect (connector);   /* idle now: nothing happens */
  test_env_iterate_for (&env, 0.1);
  g_assert_null (client->failed);
  g_assert_cmpuint (client->started, ==, 1);

  test_env_clear (&env);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*reactor is gone*");
  braid_connector_connect (connector);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (client->started, ==, 1);
}

/* A client factory that calls stop_connecting from started_connecting. */
#define STOP_TYPE_FACTORY (stop_factory_get_type ())
G_DECLARE_FINAL_TYPE (StopFactory, stop_factory, STOP, FACTORY, BraidClientFactory)

struct _StopFactory
{
  BraidClientFactory parent_instance;
  GError *failed;
  guint failed_count;
};

G_DEFINE_FINAL_TYPE (StopFactory, stop_factory, BRAID_TYPE_CLIENT_FACTORY)

static void
stop_started_connecting (BraidClientFactory *factory, BraidConnector *connector)
{
  braid_connector_stop_connecting (connector);
}

static void
stop_connection_failed (BraidClientFactory *factory, BraidConnector *connector,
                        const GError *reason)
{
  StopFactory *self = STOP_FACTORY (factory);

  g_clear_error (&self->failed);
  self->failed = g_error_copy (reason);
  self->failed_count++;
}

static void
stop_factory_finalize (GObject *object)
{
  g_clear_error (&STOP_FACTORY (object)->failed);
  G_OBJECT_CLASS (stop_factory_parent_class)->finalize (object);
}

static void
stop_factory_class_init (StopFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stop_factory_finalize;
  BRAID_CLIENT_FACTORY_CLASS (klass)->started_connecting = stop_started_connecting;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = stop_connection_failed;
}

static void
stop_factory_init (StopFactory *self)
{
}

static void
test_factory_stops_in_started_connecting (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (StopFactory) client = g_object_new (STOP_TYPE_FACTORY,
                                                 "protocol-type", REC_TYPE_PROTOCOL, NULL);
  guint16 port;

  g_test_summary ("A factory that stops the attempt from started_connecting gets it "
                  "cancelled, once; no connection is made and no timeout fires");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp_full (env.reactor, "127.0.0.1", port,
                                  BRAID_CLIENT_FACTORY (client), 0.1, NULL);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_env_iterate_for (&env, 0.3);
  g_assert_cmpuint (client->failed_count, ==, 1);
  g_assert_cmpuint (server->protocols->len, ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  test_env_clear (&env);
}

static void
test_reactor_gone_with_failure_pending (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-conn-XXXXXX", &error);
  g_autofree char *missing = NULL;
  g_autoptr (BraidConnector) connector = NULL;
  GSocketConnectable *destination;

  g_test_summary ("A UNIX connector names its path; when the reactor goes while a failure "
                  "waits to be delivered, the factory is stopped and never called back");
  g_assert_no_error (error);
  missing = g_build_filename (dir, "missing", NULL);
  test_env_init (&env);
  connector = g_object_ref (braid_reactor_connect_unix (env.reactor, missing,
                                                        BRAID_CLIENT_FACTORY (client), 5));
  destination = braid_connector_get_destination (connector);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (destination));
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (destination)), ==,
                   missing);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 1);
  test_env_clear (&env);
  g_assert_null (client->failed);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  g_assert_null (braid_connector_get_reactor (connector));
  g_rmdir (dir);
}

static void
test_unix_backlog_full_fails (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-conn-XXXXXX", &error);
  g_autofree char *path = NULL;
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  GArray *fillers = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean full = FALSE;
  int listener;

  g_test_summary ("Connecting to a UNIX socket whose backlog is full (EAGAIN) fails the "
                  "attempt with G_IO_ERROR_WOULD_BLOCK, rather than reporting a connection "
                  "that was never made");
  g_assert_no_error (error);
  path = g_build_filename (dir, "full", NULL);
  g_strlcpy (address.sun_path, path, sizeof address.sun_path);
  listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (bind (listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (listener, 0), ==, 0);
  for (int i = 0; i < 16; i++)
    {
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      int result = connect (fd, (struct sockaddr *) &address, sizeof address);

      g_array_append_val (fillers, fd);
      if (result < 0 && errno == EAGAIN)
        {
          full = TRUE;
          break;
        }
    }
  g_assert_true (full);

  test_env_init (&env);
  braid_reactor_connect_unix (env.reactor, path, BRAID_CLIENT_FACTORY (client), 0.3);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_nonnull (strstr (client->failed->message, path));
  g_assert_cmpuint (client->protocols->len, ==, 0);
  g_assert_null (client->client_lost);
  test_env_clear (&env);

  for (guint i = 0; i < fillers->len; i++)
    close (g_array_index (fillers, int, i));
  g_array_unref (fillers);
  close (listener);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_reactor_gone_while_connected (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (BraidConnector) connector = NULL;
  guint16 port;

  g_test_summary ("When the reactor goes while the connector is connected, the "
                  "connection is lost, the client factory hears it and is stopped, and "
                  "the connector forgets the reactor");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  connector = g_object_ref (braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port,
                                                       BRAID_CLIENT_FACTORY (client)));
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->made == 1);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 1);
  test_env_clear (&env);
  g_assert_nonnull (rec_factory_state (client, 0)->lost);
  g_assert_nonnull (client->client_lost);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  g_assert_null (braid_connector_get_reactor (connector));
}

static void
test_out_of_descriptors (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  struct rlimit saved, low;
  GArray *hogs = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *expected = NULL;
  guint16 port = closed_port ("127.0.0.1");
  int hog;

  g_test_summary ("A connector that cannot create its socket (no descriptor left) fails "
                  "the attempt with G_IO_ERROR_TOO_MANY_OPEN_FILES, naming the address");
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  test_env_init (&env);
  low = saved;
  low.rlim_cur = 64;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
  while ((hog = dup (0)) >= 0)
    g_array_append_val (hogs, hog);
  g_assert_cmpint (errno, ==, EMFILE);
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  for (guint i = 0; i < hogs->len; i++)
    close (g_array_index (hogs, int, i));
  g_array_unref (hogs);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES);
  expected = g_strdup_printf ("127.0.0.1:%u", port);
  g_assert_nonnull (strstr (client->failed->message, expected));
  test_env_clear (&env);
}

static BraidConnector *
connect_local (TestEnv *env, guint16 port, RecFactory *client)
{
  return braid_reactor_connect_tcp (env->reactor, "127.0.0.1", port,
                                    BRAID_CLIENT_FACTORY (client));
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

/* connecting to a name that resolves to several
 * addresses tries them all, staggered as in "happy eyeballs" (RFC 8305),
 * the first to connect winning, like Twisted's HostnameEndpoint.
 *
 * A fake resolver (set as GIO's default for the test) answers names under
 * .test (reserved, RFC 6761) with loopback addresses only: ::1 and
 * 127.0.0.1. Nothing leaves the machine. */
/* --- A resolver that answers from a table ------------------------------ */

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver parent_instance;
  GHashTable *answers;    /* name -> GStrv of addresses, in the order given */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
test_resolver_answer (TestResolver *self, const char *name, GError **error)
{
  GStrv answer = g_hash_table_lookup (self->answers, name);
  GList *addresses = NULL;

  if (answer == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No address for %s (test resolver)", name);
      return NULL;
    }
  for (guint i = 0; answer[i] != NULL; i++)
    addresses = g_list_append (addresses, g_inet_address_new_from_string (answer[i]));
  return addresses;
}

static GList *
test_resolver_lookup_by_name (GResolver *resolver, const char *name,
                              GCancellable *cancellable, GError **error)
{
  return test_resolver_answer (TEST_RESOLVER (resolver), name, error);
}

static void
test_resolver_lookup_by_name_async (GResolver *resolver, const char *name,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = test_resolver_answer (TEST_RESOLVER (resolver), name, &error);

  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static GList *
test_resolver_lookup_by_name_finish (GResolver *resolver, GAsyncResult *result,
                                     GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_finalize (GObject *object)
{
  g_hash_table_unref (TEST_RESOLVER (object)->answers);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  G_RESOLVER_CLASS (klass)->lookup_by_name = test_resolver_lookup_by_name;
  G_RESOLVER_CLASS (klass)->lookup_by_name_async = test_resolver_lookup_by_name_async;
  G_RESOLVER_CLASS (klass)->lookup_by_name_finish = test_resolver_lookup_by_name_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_strfreev);
}

/* Makes @name resolve to @addresses (NULL-terminated) for the rest of the
 * test; test_env_clear_resolver puts GIO's own resolver back. */
static GResolver *saved_resolver;

static void
resolve_name_to (const char *name, const char *const *addresses)
{
  g_autoptr (TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);

  g_hash_table_insert (resolver->answers, g_strdup (name), g_strdupv ((GStrv) addresses));
  saved_resolver = g_resolver_get_default ();
  g_resolver_set_default (G_RESOLVER (resolver));
}

static void
restore_resolver (void)
{
  g_resolver_set_default (saved_resolver);
  g_clear_object (&saved_resolver);
}

/* --- Helpers ----------------------------------------------------------- */

static const char *const ipv6_then_ipv4[] = { "::1", "127.0.0.1", NULL };

static gboolean
have_ipv6_loopback (void)
{
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in6 address = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = bind (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return ok;
}

/* Listens on [::1]:@port with a full accept queue: the kernel drops every
 * further SYN, so a connection to it hangs (until the client gives up)
 * instead of being refused. Returns the listener; *@filler is the one
 * connection that fills the queue. -1 if the port is taken on ::1. */
static int
listen_blackhole_ipv6 (guint16 port, int *filler)
{
  struct sockaddr_in6 address = { .sin6_family = AF_INET6, .sin6_port = htons (port),
                                  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int one = 1;
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), ==, 0);
  if (bind (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      close (fd);
      return -1;
    }
  /* A backlog of 0 holds one finished connection: the filler. */
  g_assert_cmpint (listen (fd, 0), ==, 0);
  *filler = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (*filler, (struct sockaddr *) &address, sizeof address), ==, 0);
  return fd;
}

static char *
peer_of (RecFactory *factory, guint index)
{
  BraidProtocol *protocol = g_ptr_array_index (factory->protocols, index);
  GSocketAddress *peer = braid_transport_get_peer (braid_protocol_get_transport (protocol));
  GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer));

  return g_inet_address_to_string (address);
}

/* --- Tests ------------------------------------------------------------- */

static void
test_localhost_reaches_an_ipv4_server (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("Connecting to 'localhost' reaches a server that listens on 127.0.0.1 "
                  "only, though the name resolves to ::1 first");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp (env.reactor, "localhost", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->protocols->len == 1 || client->failed != NULL);
  g_assert_no_error (client->failed);
  WAIT_FOR (&env, server->protocols->len == 1);
  test_env_clear (&env);
}

static void
test_refused_address_moves_on_to_the_next (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *peer = NULL;
  guint16 port;

  g_test_summary ("A name resolving to [::1, 127.0.0.1] with only 127.0.0.1 listening: the "
                  "refusal on ::1 starts the next attempt, which connects; the factory "
                  "hears no failure");
  resolve_name_to ("dual.test", ipv6_then_ipv4);
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp (env.reactor, "dual.test", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->protocols->len == 1 || client->failed != NULL);
  g_assert_no_error (client->failed);
  peer = peer_of (client, 0);
  g_assert_cmpstr (peer, ==, "127.0.0.1");
  WAIT_FOR (&env, server->protocols->len == 1);
  test_env_iterate_for (&env, 0.1);
  g_assert_cmpuint (client->failed_count, ==, 0);
  g_assert_cmpuint (client->protocols->len, ==, 1);
  test_env_clear (&env);
  restore_resolver ();
}

static void
test_every_address_refused_fails_once_with_the_last (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *expected = NULL;
  BraidListeningPort *listening;
  guint16 port;

  g_test_summary ("When every address of a name refuses, the attempt fails once, with the "
                  "last address's error, which names the name and the address");
  resolve_name_to ("dual.test", ipv6_then_ipv4);
  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server), "127.0.0.1",
                                        NULL);
  port = braid_listening_port_get_port (listening);
  braid_listening_port_stop_listening (listening);
  braid_reactor_connect_tcp (env.reactor, "dual.test", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("dual.test:%u (127.0.0.1:%u)", port, port);
  g_assert_nonnull (strstr (client->failed->message, expected));
  test_env_iterate_for (&env, 0.3);
  g_assert_cmpuint (client->failed_count, ==, 1);
  g_assert_cmpuint (client->protocols->len, ==, 0);
  test_env_clear (&env);
  restore_resolver ();
}

/* Sets up dual.test -> [::1 (hangs), 127.0.0.1 (listening)] on one port.
 * Returns FALSE (test skipped) without IPv6 or if the port is taken. */
static gboolean
set_up_slow_first_address (TestEnv *env, RecFactory *server, guint16 *port,
                           int *blackhole, int *filler)
{
  if (!have_ipv6_loopback ())
    {
      g_test_skip ("no IPv6 loopback");
      return FALSE;
    }
  *port = listen_local (env, BRAID_FACTORY (server));
  *blackhole = listen_blackhole_ipv6 (*port, filler);
  if (*blackhole < 0)
    {
      g_test_skip ("the port is taken on ::1");
      return FALSE;
    }
  resolve_name_to ("dual.test", ipv6_then_ipv4);
  return TRUE;
}

static void
test_slow_address_is_raced_by_the_next (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *peer = NULL;
  int blackhole = -1, filler = -1;
  guint16 port;
  gint64 started;

  g_test_summary ("A first address that neither answers nor refuses does not hold the "
                  "connection up: the next address is tried after a short delay and wins; "
                  "the slow attempt is dropped (skipped without IPv6)");
  test_env_init (&env);
  if (set_up_slow_first_address (&env, server, &port, &blackhole, &filler))
    {
      started = g_get_monotonic_time ();
      braid_reactor_connect_tcp (env.reactor, "dual.test", port, BRAID_CLIENT_FACTORY (client));
      WAIT_FOR (&env, client->protocols->len == 1 || client->failed != NULL);
      g_assert_no_error (client->failed);
      /* Not before the stagger delay: the first attempt had its turn. */
      g_assert_cmpint (g_get_monotonic_time () - started, >=, 200 * 1000);
      peer = peer_of (client, 0);
      g_assert_cmpstr (peer, ==, "127.0.0.1");
      test_env_iterate_for (&env, 0.3);
      g_assert_cmpuint (client->protocols->len, ==, 1);
      g_assert_cmpuint (client->failed_count, ==, 0);
      close (filler);
      close (blackhole);
      restore_resolver ();
    }
  test_env_clear (&env);
}

static void
test_stop_connecting_stops_every_attempt (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidConnector *connector;
  int blackhole = -1, filler = -1;
  guint16 port;

  g_test_summary ("stop_connecting while the first address hangs cancels it and the "
                  "pending next attempt: one CANCELLED failure, no connection later "
                  "(skipped without IPv6)");
  test_env_init (&env);
  if (set_up_slow_first_address (&env, server, &port, &blackhole, &filler))
    {
      connector = braid_reactor_connect_tcp (env.reactor, "dual.test", port,
                                             BRAID_CLIENT_FACTORY (client));
      test_env_iterate_for (&env, 0.1);
      braid_connector_stop_connecting (connector);
      WAIT_FOR (&env, client->failed != NULL);
      g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      test_env_iterate_for (&env, 0.4);
      g_assert_cmpuint (client->failed_count, ==, 1);
      g_assert_cmpuint (client->protocols->len, ==, 0);
      g_assert_cmpuint (server->protocols->len, ==, 0);
      close (filler);
      close (blackhole);
      restore_resolver ();
    }
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/socket-connector/refused/ipv6-names-the-address", test_refused_on_ipv6_names_the_address);
  braid_test_add_func ("/socket-connector/resolve/host-name", test_host_name_is_resolved);
  braid_test_add_func ("/socket-connector/resolve/stop-while-resolving", test_stop_while_resolving);
  braid_test_add_func ("/socket-connector/client-factory-refuses", test_client_factory_refuses);
  braid_test_add_func ("/socket-connector/bind-address-in-use", test_bind_address_in_use);
  braid_test_add_func ("/socket-connector/misuse", test_misuse_is_reported);
  braid_test_add_func ("/socket-connector/factory-stops-in-started-connecting", test_factory_stops_in_started_connecting);
  braid_test_add_func ("/socket-connector/reactor-gone-with-failure-pending", test_reactor_gone_with_failure_pending);
  braid_test_add_func ("/socket-connector/unix-backlog-full-fails", test_unix_backlog_full_fails);
  braid_test_add_func ("/socket-connector/reactor-gone-while-connected", test_reactor_gone_while_connected);
  braid_test_add_func ("/socket-connector/out-of-descriptors", test_out_of_descriptors);
  braid_test_add_func ("/socket-connector/refused/tcp", test_connection_refused);
  braid_test_add_func ("/socket-connector/connector-knows-its-reactor", test_connector_knows_its_reactor);
  braid_test_add_func ("/socket-connector/timeout", test_connection_timeout);
  braid_test_add_func ("/socket-connector/stop-then-connect-again", test_stop_connecting_then_connect_again);
  braid_test_add_func ("/socket-connector/disconnect-and-destination", test_connector_disconnect_and_destination);
  braid_test_add_func ("/socket-connector/unresolvable-host", test_unresolvable_host);


  braid_test_add_func ("/socket-connector/addresses/localhost-reaches-ipv4-server", test_localhost_reaches_an_ipv4_server);
  braid_test_add_func ("/socket-connector/addresses/refused-moves-on", test_refused_address_moves_on_to_the_next);
  braid_test_add_func ("/socket-connector/addresses/all-refused-fails-once", test_every_address_refused_fails_once_with_the_last);
  braid_test_add_func ("/socket-connector/addresses/slow-address-raced", test_slow_address_is_raced_by_the_next);
  braid_test_add_func ("/socket-connector/addresses/stop-connecting-stops-all", test_stop_connecting_stops_every_attempt);
  return g_test_run ();
}
