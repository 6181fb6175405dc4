/* test-socket-port.c: a real listening port -- TCP and UNIX listening,
 * listening errors and refusals, addresses, stopping, a factory that
 * refuses, accept() out of descriptors. 127.0.0.1, ::1 and UNIX sockets in a
 * temporary directory only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "reactor-test-common.h"

#if __has_include(<valgrind/valgrind.h>)
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

static void
test_unix_port_refuses_and_names_its_path (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-port-XXXXXX", &error);
  g_autofree char *path = NULL;
  BraidListeningPort *listening;
  GSocketAddress *host;

  g_test_summary ("A UNIX port's host is its path; a factory that builds no protocol "
                  "refuses the connection, and the port keeps accepting");
  g_assert_no_error (error);
  path = g_build_filename (dir, "socket", NULL);
  test_env_init (&env);
  server->refuse = TRUE;
  listening = braid_reactor_listen_unix (env.reactor, path, BRAID_FACTORY (server), &error);
  g_assert_no_error (error);
  host = braid_listening_port_get_host (listening);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (host));
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (host)), ==, path);

  braid_reactor_connect_unix (env.reactor, path, BRAID_CLIENT_FACTORY (client), 5);
  WAIT_FOR (&env, client->client_lost != NULL);
  g_assert_cmpuint (rec_factory_state (client, 0)->made, ==, 1);
  g_assert_cmpuint (server->protocols->len, ==, 0);

  server->refuse = FALSE;
  braid_reactor_connect_unix (env.reactor, path, BRAID_CLIENT_FACTORY (client), 5);
  WAIT_FOR (&env, server->protocols->len == 1);
  braid_listening_port_stop_listening (listening);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  test_env_clear (&env);
  g_rmdir (dir);
}

static void
test_unix_listen_errors (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-port-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *in_missing_dir = NULL;
  BraidListeningPort *listening;

  g_test_summary ("Listening on a UNIX path in a missing directory, or on a path already "
                  "listened on, fails with a clear error and starts no factory");
  g_assert_no_error (error);
  path = g_build_filename (dir, "socket", NULL);
  in_missing_dir = g_build_filename (dir, "no-such-dir", "socket", NULL);
  test_env_init (&env);
  g_assert_null (braid_reactor_listen_unix (env.reactor, in_missing_dir,
                                            BRAID_FACTORY (server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);

  listening = braid_reactor_listen_unix (env.reactor, path, BRAID_FACTORY (server), &error);
  g_assert_no_error (error);
  g_assert_null (braid_reactor_listen_unix (env.reactor, path, BRAID_FACTORY (server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 1);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  braid_listening_port_stop_listening (listening);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  test_env_clear (&env);
  g_rmdir (dir);
}

static void
test_burst_is_served_over_several_wakeups (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  int clients[40];
  guint16 port;

  g_test_summary ("More connections than one wakeup accepts (a burst of 40) are all "
                  "served, over several wakeups");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == G_N_ELEMENTS (clients));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    g_assert_cmpuint (rec_factory_state (server, i)->made, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    close (clients[i]);
  WAIT_FOR (&env, rec_factory_state (server, G_N_ELEMENTS (clients) - 1)->lost != NULL);
  test_env_clear (&env);
}

/* Takes every descriptor left under a lowered limit: accept() then fails
 * with EMFILE. */
static GArray *
hog_descriptors (void)
{
  GArray *hogs = g_array_new (FALSE, FALSE, sizeof (int));
  int hog;

  while ((hog = dup (0)) >= 0)
    g_array_append_val (hogs, hog);
  g_assert_cmpint (errno, ==, EMFILE);
  return hogs;
}

static void
free_descriptors (GArray *hogs)
{
  for (guint i = 0; i < hogs->len; i++)
    close (g_array_index (hogs, int, i));
  g_array_unref (hogs);
}

static void
test_stop_listening_while_backing_off (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  struct rlimit saved, low;
  BraidListeningPort *listening;
  GArray *hogs;
  int clients[2];
  guint16 port;

  g_test_summary ("Out of descriptors, the port backs off again and again with one "
                  "warning; it serves the waiting clients once descriptors are free; "
                  "stop_listening during a back-off ends it and stops the factory");
  /* Valgrind emulates RLIMIT_NOFILE itself: when the kernel's accept()
   * returns a descriptor above the emulated limit, valgrind closes it and
   * reports EMFILE, so the waiting client's connection is destroyed and
   * can never be served. The scenario runs natively in every other build
   * (plain, coverage, ASan). */
  if (RUNNING_ON_VALGRIND)
    {
      g_test_skip ("valgrind closes descriptors accepted above its emulated fd limit");
      return;
    }
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server),
                                        "127.0.0.1", &error);
  g_assert_no_error (error);
  port = braid_listening_port_get_port (listening);
  clients[0] = raw_connect (port);

  low = saved;
  low.rlim_cur = 64;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
  hogs = hog_descriptors ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Cannot accept connections on 127.0.0.1:*");
  /* Back-offs of 0.1, 0.2, 0.4 and 0.8 s, then 1 s at most: the retries
   * fail too, silently. */
  test_env_iterate_for (&env, 1.6);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (server->protocols->len, ==, 0);

  free_descriptors (hogs);
  WAIT_FOR (&env, server->protocols->len == 1);

  clients[1] = raw_connect (port);
  hogs = hog_descriptors ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Cannot accept connections on*");
  test_env_iterate_for (&env, 0.05);
  g_test_assert_expected_messages ();
  braid_listening_port_stop_listening (listening);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  free_descriptors (hogs);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  test_env_iterate_for (&env, 0.3);
  g_assert_cmpuint (server->protocols->len, ==, 1);

  close (clients[0]);
  close (clients[1]);
  test_env_clear (&env);
}

/* A factory that stops its port when it builds its first protocol. */
#define ONCE_TYPE_FACTORY (once_factory_get_type ())
G_DECLARE_FINAL_TYPE (OnceFactory, once_factory, ONCE, FACTORY, BraidFactory)

struct _OnceFactory
{
  BraidFactory parent_instance;
  BraidListeningPort *port;   /* not owned: the reactor owns it */
  guint built;
};

G_DEFINE_FINAL_TYPE (OnceFactory, once_factory, BRAID_TYPE_FACTORY)

static BraidProtocol *
once_build_protocol (BraidFactory *factory, GSocketAddress *peer)
{
  OnceFactory *self = ONCE_FACTORY (factory);

  self->built++;
  braid_listening_port_stop_listening (self->port);
  return BRAID_FACTORY_CLASS (once_factory_parent_class)->build_protocol (factory, peer);
}

static void
once_factory_class_init (OnceFactoryClass *klass)
{
  BRAID_FACTORY_CLASS (klass)->build_protocol = once_build_protocol;
}

static void
once_factory_init (OnceFactory *self)
{
}

static void
test_stop_listening_from_build_protocol (void)
{
  TestEnv env;
  g_autoptr (OnceFactory) server = g_object_new (ONCE_TYPE_FACTORY, "protocol-type",
                                                 REC_TYPE_PROTOCOL, NULL);
  g_autoptr (GError) error = NULL;
  int clients[3];
  guint16 port;

  g_test_summary ("A factory that stops its port from build_protocol gets no further "
                  "connection, even with more waiting in the same wakeup");
  test_env_init (&env);
  server->port = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server),
                                           "127.0.0.1", &error);
  g_assert_no_error (error);
  port = braid_listening_port_get_port (server->port);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = raw_connect (port);
  WAIT_FOR (&env, server->built == 1);
  test_env_iterate_for (&env, 0.1);
  g_assert_cmpuint (server->built, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    close (clients[i]);
  test_env_clear (&env);
}

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

static void
test_adopt_stream_port (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 0;
  int fd = raw_listen (&port);
  int client;

  g_test_summary ("A socket that already listens is adopted (Twisted's adoptStreamPort): "
                  "the port accepts on it and names its address; the caller's descriptor "
                  "stays open after the port stops");
  test_env_init (&env);
  listening = braid_reactor_adopt_stream_port (env.reactor, fd, G_SOCKET_FAMILY_IPV4,
                                               BRAID_FACTORY (server), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 1);
  g_assert_cmpuint (g_inet_socket_address_get_port (
                      G_INET_SOCKET_ADDRESS (braid_listening_port_get_host (listening))), ==, port);
  client = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 1);
  g_assert_cmpuint (rec_factory_state (server, 0)->made, ==, 1);
  braid_listening_port_stop_listening (listening);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
  close (client);
  close (fd);
  test_env_clear (&env);
}

static void
test_adopt_refuses_what_does_not_listen (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  guint16 port = 0;
  int listener = raw_listen (&port);
  int unbound = socket (AF_INET, SOCK_STREAM, 0);
  int pipe_fds[2];

  g_test_summary ("Adopting a socket that does not listen, a pipe, a closed descriptor or a "
                  "socket of another family fails with an error naming the descriptor, "
                  "and starts no factory");
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  test_env_init (&env);
  g_assert_null (braid_reactor_adopt_stream_port (env.reactor, unbound, G_SOCKET_FAMILY_IPV4,
                                                  BRAID_FACTORY (server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_suffix (error->message, "the socket is not listening"));
  g_clear_error (&error);
  g_assert_null (braid_reactor_adopt_stream_port (env.reactor, pipe_fds[0], G_SOCKET_FAMILY_IPV4,
                                                  BRAID_FACTORY (server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  close (pipe_fds[0]);
  g_assert_null (braid_reactor_adopt_stream_port (env.reactor, pipe_fds[0], G_SOCKET_FAMILY_IPV4,
                                                  BRAID_FACTORY (server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (braid_reactor_adopt_stream_port (env.reactor, listener, G_SOCKET_FAMILY_UNIX,
                                                  BRAID_FACTORY (server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_suffix (error->message, "not of the family asked for"));
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  /* The duplicate went with the failed GSocket: the original still listens. */
  g_assert_cmpint (fcntl (listener, F_GETFD), >=, 0);
  close (pipe_fds[1]);
  close (unbound);
  close (listener);
  test_env_clear (&env);
}

static void
test_reuse_port_shares_a_port (void)
{
  TestEnv env;
  g_autoptr (RecFactory) first = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) second = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *a, *b;
  guint16 port;
  int clients[64];

  g_test_summary ("Two ports listen on one TCP port with SO_REUSEPORT and the kernel spreads "
                  "connections between them; a port without it is refused the address");
  test_env_init (&env);
  a = braid_reactor_listen_tcp_reuse_port (env.reactor, 0, BRAID_FACTORY (first),
                                           BRAID_DEFAULT_BACKLOG, "127.0.0.1", &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (braid_listening_port_get_host (a)));
  b = braid_reactor_listen_tcp_reuse_port (env.reactor, port, BRAID_FACTORY (second),
                                           BRAID_DEFAULT_BACKLOG, "127.0.0.1", &error);
  g_assert_no_error (error);
  g_assert_null (braid_reactor_listen_tcp (env.reactor, port, BRAID_FACTORY (second),
                                           "127.0.0.1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  /* The kernel hashes each connection's addresses and ports: 64
   * connections all landing on one socket has odds of 2^-63. */
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = raw_connect (port);
  WAIT_FOR (&env, first->protocols->len + second->protocols->len == G_N_ELEMENTS (clients));
  g_assert_cmpuint (first->protocols->len, >, 0);
  g_assert_cmpuint (second->protocols->len, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    close (clients[i]);
  braid_listening_port_stop_listening (a);
  braid_listening_port_stop_listening (b);
  test_env_clear (&env);
}

static void
test_reuse_port_refused_beside_a_plain_port (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  guint16 port = 0;
  int plain = raw_listen (&port);
  g_autofree char *expected = g_strdup_printf ("Error binding to address 127.0.0.1:%u: "
                                               "Address already in use", port);

  g_test_summary ("A port with SO_REUSEPORT cannot share an address with a socket that "
                  "listens without it: the error names the address, no factory starts");
  test_env_init (&env);
  g_assert_null (braid_reactor_listen_tcp_reuse_port (env.reactor, port, BRAID_FACTORY (server),
                                                      BRAID_DEFAULT_BACKLOG, "127.0.0.1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  close (plain);
  test_env_clear (&env);
}

static void
test_adopt_without_descriptors_left (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  struct rlimit saved, none;
  guint16 port = 0;
  int fd;

  g_test_summary ("Adopting a socket when no descriptor is left for its duplicate fails "
                  "with an error naming the descriptor, and starts no factory");
  if (RUNNING_ON_VALGRIND)
    {
      g_test_skip ("valgrind keeps descriptors of its own above the limit");
      return;
    }
  test_env_init (&env);
  fd = raw_listen (&port);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  none = saved;
  none.rlim_cur = 3;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &none), ==, 0);
  g_assert_null (braid_reactor_adopt_stream_port (env.reactor, fd, G_SOCKET_FAMILY_IPV4,
                                                  BRAID_FACTORY (server), &error));
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Cannot adopt file descriptor "));
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  close (fd);
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/socket-port/unix/refuses-and-names-its-path", test_unix_port_refuses_and_names_its_path);
  braid_test_add_func ("/socket-port/unix/listen-errors", test_unix_listen_errors);
  braid_test_add_func ("/socket-port/tcp/burst-over-several-wakeups", test_burst_is_served_over_several_wakeups);
  braid_test_add_func ("/socket-port/tcp/stop-listening-while-backing-off", test_stop_listening_while_backing_off);
  braid_test_add_func ("/socket-port/tcp/stop-listening-from-build-protocol", test_stop_listening_from_build_protocol);
  braid_test_add_func ("/socket-port/tcp/factory-returns-null", test_factory_refusing_closes_the_connection);
  braid_test_add_func ("/socket-port/tcp/stop-listening", test_stop_listening);
  braid_test_add_func ("/socket-port/tcp/listen-errors", test_listen_errors);
  braid_test_add_func ("/socket-port/tcp/accept-under-emfile", test_accept_under_emfile);
  braid_test_add_func ("/socket-port/unix/exchange-and-cleanup", test_unix_sockets);
  braid_test_add_func ("/socket-port/adopt/accepts", test_adopt_stream_port);
  braid_test_add_func ("/socket-port/adopt/refuses-what-does-not-listen", test_adopt_refuses_what_does_not_listen);
  braid_test_add_func ("/socket-port/tcp/reuse-port-shares-a-port", test_reuse_port_shares_a_port);
  braid_test_add_func ("/socket-port/tcp/reuse-port-beside-a-plain-port", test_reuse_port_refused_beside_a_plain_port);
  braid_test_add_func ("/socket-port/adopt/no-descriptor-left", test_adopt_without_descriptors_left);

  return g_test_run ();
}
