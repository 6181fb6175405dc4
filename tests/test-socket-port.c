/* test-socket-port.c: the paths of a real listening port that test-tcp.c
 * leaves out: UNIX listening errors and refusals, addresses, stopping.
 * 127.0.0.1, ::1 and UNIX sockets in a temporary directory only. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "reactor-test-common.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/socket-port/unix/refuses-and-names-its-path", test_unix_port_refuses_and_names_its_path);
  braid_test_add_func ("/socket-port/unix/listen-errors", test_unix_listen_errors);
  return g_test_run ();
}
