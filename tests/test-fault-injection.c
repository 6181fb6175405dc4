/* test-fault-injection.c: the real reactor when system calls fail.
 *
 * Some failures cannot be provoked from outside on demand: accept() losing
 * a connection the peer gave up on, epoll refusing a socket for want of
 * memory. This binary defines accept4() and epoll_ctl() itself, which
 * interposes them for libbraid (as tests/no-network.c does for socket()),
 * and makes them fail when a test arms them; otherwise they call the C
 * library's. Real sockets on 127.0.0.1, so suite 'integration'. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"

/* --- The interposed calls ------------------------------------------------ */

/* Errors the next accept4() calls return, in order, one per call, without
 * taking the pending connection: it is still there for the next call. */
static int accept_errors[8];
static guint n_accept_errors;

/* When not 0: the epoll_ctl() call with this operation that comes after
 * epoll_ops_to_let_through others with it fails with epoll_error, once. */
static int failing_epoll_op;
static int epoll_error;
static guint epoll_ops_to_let_through;

int
accept4 (int fd, struct sockaddr *address, socklen_t *length, int flags)
{
  static int (*real_accept4) (int, struct sockaddr *, socklen_t *, int);

  if (n_accept_errors > 0)
    {
      errno = accept_errors[0];
      memmove (accept_errors, accept_errors + 1, --n_accept_errors * sizeof (int));
      return -1;
    }
  if (real_accept4 == NULL)
    real_accept4 = dlsym (RTLD_NEXT, "accept4");
  return real_accept4 (fd, address, length, flags);
}

int
epoll_ctl (int epoll_fd, int op, int fd, struct epoll_event *event)
{
  static int (*real_epoll_ctl) (int, int, int, struct epoll_event *);

  if (failing_epoll_op != 0 && op == failing_epoll_op && epoll_ops_to_let_through-- == 0)
    {
      failing_epoll_op = 0;
      errno = epoll_error;
      return -1;
    }
  if (real_epoll_ctl == NULL)
    real_epoll_ctl = dlsym (RTLD_NEXT, "epoll_ctl");
  return real_epoll_ctl (epoll_fd, op, fd, event);
}

static void
fail_next_accepts (const int *errors, guint n)
{
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (accept_errors));
  memcpy (accept_errors, errors, n * sizeof (int));
  n_accept_errors = n;
}

/* Fails the epoll_ctl() with @op that comes after @let_through others. */
static void
fail_epoll_ctl (int op, int error, guint let_through)
{
  failing_epoll_op = op;
  epoll_error = error;
  epoll_ops_to_let_through = let_through;
}

static void
reset_faults (void)
{
  n_accept_errors = 0;
  failing_epoll_op = 0;
}

/* --- accept() ------------------------------------------------------------ */

static void
test_transient_accept_errors_are_skipped (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  const int errors[] = { ECONNABORTED, EINTR, EPROTO };
  int client;

  g_test_summary ("accept() failing for one connection (the peer gave up, a signal, a "
                  "protocol error) is skipped silently: the port accepts the next one");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  fail_next_accepts (errors, G_N_ELEMENTS (errors));
  WAIT_FOR (&env, server->protocols->len == 1);
  g_assert_cmpuint (n_accept_errors, ==, 0);
  g_assert_cmpuint (rec_factory_state (server, 0)->made, ==, 1);
  close (client);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_unexpected_accept_error_backs_off (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  const int errors[] = { EINVAL };
  int client;

  g_test_summary ("An accept() error Braid does not expect is logged, and the port "
                  "backs off instead of spinning, then serves the waiting client");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  fail_next_accepts (errors, G_N_ELEMENTS (errors));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "accept failed: Invalid argument");
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Cannot accept connections on 127.0.0.1:*: Invalid argument;*");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "Accepting connections on * again");
  WAIT_FOR (&env, server->protocols->len == 1);
  g_test_assert_expected_messages ();
  close (client);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  test_env_clear (&env);
  reset_faults ();
}

/* --- epoll_ctl() --------------------------------------------------------- */

static void
test_listening_fails_cleanly_if_epoll_refuses (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;

  g_test_summary ("If epoll refuses the listening socket, listen_tcp fails with an error "
                  "that says so, and the factory is never started");
  test_env_init (&env);
  fail_epoll_ctl (EPOLL_CTL_ADD, ENOMEM, 0);
  port = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server), "127.0.0.1",
                                   &error);
  g_assert_null (port);
  g_assert_error (error, G_IO_ERROR, (int) g_io_error_from_errno (ENOMEM));
  g_assert_true (g_str_has_prefix (error->message, "Cannot watch socket"));
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (server)), ==, 0);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_connection_epoll_refuses_again_is_closed (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_PAUSE_ON_MADE);
  g_autoptr (RecFactory) other = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  BraidProtocol *paused;
  RecState *state;
  int client, bystander;
  char byte = 'x';

  g_test_summary ("A connection whose socket epoll refuses to watch again (after a pause) "
                  "is closed with a logged reason rather than left hanging; other "
                  "connections carry on");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  bystander = raw_connect (listen_local (&env, BRAID_FACTORY (other)));
  WAIT_FOR (&env, server->protocols->len == 1 && other->protocols->len == 1);
  paused = g_ptr_array_index (server->protocols, 0);
  state = rec_factory_state (server, 0);

  /* Paused, the socket is out of epoll; resuming must add it again. */
  fail_epoll_ctl (EPOLL_CTL_ADD, ENOSPC, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "RecProtocol: Cannot watch socket *: closing the connection");
  braid_producer_resume_producing (BRAID_PRODUCER (braid_protocol_get_transport (paused)));
  g_test_assert_expected_messages ();
  WAIT_FOR (&env, state->lost != NULL);
  g_assert_error (state->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (state->lost->message, "Cannot watch socket"));

  /* The peer sees the close; the other connection still echoes. */
  g_assert_cmpint (read (client, &byte, 1), ==, 0);
  g_assert_cmpint (write (bystander, "y", 1), ==, 1);
  WAIT_FOR (&env, rec_factory_state (other, 0)->received->len == 1);
  g_assert_cmpint (read (bystander, &byte, 1), ==, 1);
  g_assert_cmpint (byte, ==, 'y');
  close (client);
  close (bystander);
  WAIT_FOR (&env, rec_factory_state (other, 0)->lost != NULL);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_connecting_fails_cleanly_if_epoll_refuses (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("If epoll refuses the connecting socket, the attempt fails through "
                  "client_connection_failed with that error, and nothing leaks");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fail_epoll_ctl (EPOLL_CTL_ADD, ENOMEM, 0);
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, (int) g_io_error_from_errno (ENOMEM));
  g_assert_true (g_str_has_prefix (client->failed->message, "Cannot watch socket"));
  g_assert_cmpuint (client->protocols->len, ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (client)), ==, 0);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_connected_socket_epoll_refuses_fails_the_attempt (void)
{
  TestEnv env;
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;
  int listener, accepted;
  char byte;

  g_test_summary ("If the connection is made but epoll refuses to watch it as a "
                  "connection, the attempt fails (logged), connection_made never runs, "
                  "and the peer sees the socket close");
  test_env_init (&env);
  /* A raw listener outside the reactor: the connection completes in the
   * kernel, so the reactor's only registrations are the client's. The
   * connector's own goes through; the transport's, the next one, does not. */
  listener = raw_listen (&port);
  fail_epoll_ctl (EPOLL_CTL_ADD, ENOMEM, 1);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "RecProtocol: Cannot watch socket *");
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_test_assert_expected_messages ();
  g_assert_error (client->failed, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_nonnull (strstr (client->failed->message, "could not watch"));
  g_assert_cmpuint (client->protocols->len, ==, 1);
  g_assert_cmpuint (rec_factory_state (client, 0)->made, ==, 0);
  /* A RecProtocol lets go of its factory in connection_lost, which this
   * one, never connected, does not get: break the factory <-> protocol
   * cycle of the test helper by hand. */
  braid_protocol_set_factory (g_ptr_array_index (client->protocols, 0), NULL);

  accepted = accept (listener, NULL, NULL);
  g_assert_cmpint (accepted, >=, 0);
  g_assert_cmpint (read (accepted, &byte, 1), ==, 0);
  close (accepted);
  close (listener);
  test_env_clear (&env);
  reset_faults ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/fault-injection/accept/transient-errors-are-skipped", test_transient_accept_errors_are_skipped);
  braid_test_add_func ("/fault-injection/accept/unexpected-error-backs-off", test_unexpected_accept_error_backs_off);
  braid_test_add_func ("/fault-injection/epoll/listen-fails-cleanly", test_listening_fails_cleanly_if_epoll_refuses);
  braid_test_add_func ("/fault-injection/epoll/connection-refused-again-is-closed", test_connection_epoll_refuses_again_is_closed);
  braid_test_add_func ("/fault-injection/epoll/connect-fails-cleanly", test_connecting_fails_cleanly_if_epoll_refuses);
  braid_test_add_func ("/fault-injection/epoll/connected-socket-refused-fails-the-attempt", test_connected_socket_epoll_refuses_fails_the_attempt);

  return g_test_run ();
}
