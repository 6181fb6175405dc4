/* test-fault-injection-io.c: the socket transport when recv(), send() and
 * getpeername() fail with errors a peer cannot provoke on demand.
 *
 * As tests/test-fault-injection.c does for accept4() and epoll_ctl(), this
 * binary defines recv(), send() and getpeername() itself, which interposes
 * them for libbraid, and makes the next call fail when a test arms it;
 * otherwise they call the C library's. The tests' own raw sockets use
 * read() and write(), so only Braid's calls are affected. Real sockets on
 * 127.0.0.1, so suite 'integration'. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"

/* --- The interposed calls ------------------------------------------------ */

static int recv_error;          /* when not 0: the next recv() fails with it */
static int send_error;          /* when not 0: the next send() fails with it */
static int getpeername_error;   /* when not 0: every getpeername() fails with it */

ssize_t
recv (int fd, void *buffer, size_t length, int flags)
{
  static ssize_t (*real_recv) (int, void *, size_t, int);

  if (recv_error != 0)
    {
      errno = recv_error;
      recv_error = 0;
      return -1;
    }
  if (real_recv == NULL)
    real_recv = dlsym (RTLD_NEXT, "recv");
  return real_recv (fd, buffer, length, flags);
}

ssize_t
send (int fd, const void *buffer, size_t length, int flags)
{
  static ssize_t (*real_send) (int, const void *, size_t, int);

  if (send_error != 0)
    {
      errno = send_error;
      send_error = 0;
      return -1;
    }
  if (real_send == NULL)
    real_send = dlsym (RTLD_NEXT, "send");
  return real_send (fd, buffer, length, flags);
}

int
getpeername (int fd, struct sockaddr *address, socklen_t *length)
{
  static int (*real_getpeername) (int, struct sockaddr *, socklen_t *);

  if (getpeername_error != 0)
    {
      errno = getpeername_error;
      return -1;
    }
  if (real_getpeername == NULL)
    real_getpeername = dlsym (RTLD_NEXT, "getpeername");
  return real_getpeername (fd, address, length);
}

static void
reset_faults (void)
{
  recv_error = send_error = getpeername_error = 0;
}

static BraidTransport *
server_transport (RecFactory *server)
{
  return braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0));
}

/* --- recv() -------------------------------------------------------------- */

static void
test_recv_error_closes_with_its_name (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  int client;

  g_test_summary ("recv() failing with an error other than a reset (EIO) closes that "
                  "connection with BRAID_ERROR_CONNECTION_LOST naming the error");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1);
  recv_error = EIO;
  g_assert_cmpint (write (client, "x", 1), ==, 1);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (rec_factory_state (server, 0)->lost->message, g_strerror (EIO)));
  g_assert_cmpstr (rec_factory_state (server, 0)->received->str, ==, "");
  close (client);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_recv_interrupted_is_retried (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  int client;

  g_test_summary ("recv() interrupted by a signal (EINTR) is retried: the bytes arrive");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1);
  recv_error = EINTR;
  g_assert_cmpint (write (client, "hello", 5), ==, 5);
  WAIT_FOR (&env, rec_factory_state (server, 0)->received->len == 5);
  g_assert_cmpint (recv_error, ==, 0);
  g_assert_null (rec_factory_state (server, 0)->lost);
  close (client);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  test_env_clear (&env);
  reset_faults ();
}

/* --- send() -------------------------------------------------------------- */

static void
test_send_would_block_buffers (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  char reply[6] = { 0 };
  gsize got = 0;
  int client;

  g_test_summary ("A direct send() that would block (EAGAIN) keeps the bytes and sends "
                  "them when the socket is writable");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1);
  send_error = EAGAIN;
  braid_transport_write_string (server_transport (server), "hello!");
  g_assert_cmpuint (braid_socket_transport_get_buffered_size (
                      BRAID_SOCKET_TRANSPORT (server_transport (server))), ==, 6);
  while (got < 6)
    {
      ssize_t n;

      WAIT_FOR (&env, braid_socket_transport_get_buffered_size (
                        BRAID_SOCKET_TRANSPORT (server_transport (server))) == 0);
      n = read (client, reply + got, 6 - got);
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  g_assert_cmpmem (reply, 6, "hello!", 6);
  close (client);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_send_error_closes_with_its_name (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) other = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  char echo[3];
  guint16 port;
  int client, bystander;

  g_test_summary ("send() failing with an error other than a reset (ENOBUFS) closes only "
                  "that connection, with BRAID_ERROR_CONNECTION_LOST naming the error");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  client = raw_connect (port);
  bystander = raw_connect (listen_local (&env, BRAID_FACTORY (other)));
  WAIT_FOR (&env, server->protocols->len == 1 && other->protocols->len == 1);
  send_error = ENOBUFS;
  braid_transport_write_string (server_transport (server), "lost");
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (rec_factory_state (server, 0)->lost->message, g_strerror (ENOBUFS)));

  /* The other connection carries on. */
  g_assert_cmpint (write (bystander, "abc", 3), ==, 3);
  WAIT_FOR (&env, rec_factory_state (other, 0)->received->len == 3);
  g_assert_cmpint (read (bystander, echo, 3), ==, 3);
  g_assert_cmpmem (echo, 3, "abc", 3);
  close (client);
  close (bystander);
  WAIT_FOR (&env, rec_factory_state (other, 0)->lost != NULL);
  test_env_clear (&env);
  reset_faults ();
}

/* --- getpeername() ------------------------------------------------------- */

static void
test_peer_unknown_when_getpeername_fails (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidTransport *transport;
  int client;

  g_test_summary ("When getpeername() fails (the peer already went), get_peer returns "
                  "NULL, and the write buffer limit still names the connection it cuts off");
  test_env_init (&env);
  getpeername_error = ENOTCONN;
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1);
  transport = server_transport (server);
  g_assert_null (braid_transport_get_peer (transport));
  braid_transport_set_write_buffer_limit (transport, 1);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "Closing the connection to an unknown peer: peer is not reading*");
  {
    g_autoptr (GError) error = braid_transport_check_write_buffer (transport, 2);

    g_assert_error (error, BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING);
  }
  g_test_assert_expected_messages ();
  reset_faults ();
  close (client);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/fault-injection/recv/error-closes-with-its-name",
                       test_recv_error_closes_with_its_name);
  braid_test_add_func ("/fault-injection/recv/interrupted-is-retried",
                       test_recv_interrupted_is_retried);
  braid_test_add_func ("/fault-injection/send/would-block-buffers", test_send_would_block_buffers);
  braid_test_add_func ("/fault-injection/send/error-closes-with-its-name",
                       test_send_error_closes_with_its_name);
  braid_test_add_func ("/fault-injection/getpeername/peer-unknown",
                       test_peer_unknown_when_getpeername_fails);

  return g_test_run ();
}
