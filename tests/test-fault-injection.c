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

#include "datagram-recorder.h"
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

static void
test_backed_off_port_epoll_refuses_again (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  const int errors[] = { EMFILE };
  int client;

  g_test_summary ("A port backing off whose socket epoll refuses to watch again says so "
                  "and backs off again, rather than never accepting again; then it serves "
                  "the waiting client");
  test_env_init (&env);
  client = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  fail_next_accepts (errors, G_N_ELEMENTS (errors));
  /* The next ADD is the port's, when its back-off is over. */
  fail_epoll_ctl (EPOLL_CTL_ADD, ENOMEM, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Cannot accept connections on 127.0.0.1:*: Too many open files;*");
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Cannot accept connections on 127.0.0.1:*: Cannot watch socket *"
                         "; retrying later");
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

/* the socket transport when recv(), send() and
 * getpeername() fail with errors a peer cannot provoke on demand.
 *
 * As tests/test-fault-injection.c does for accept4() and epoll_ctl(), this
 * binary defines recv(), recvfrom() (the UDP port's), send() and
 * getpeername() itself, which interposes them for libbraid, and makes the
 * next call fail when a test arms it;
 * otherwise they call the C library's. The tests' own raw sockets use
 * read() and write(), so only Braid's calls are affected. Real sockets on
 * 127.0.0.1, so suite 'integration'. */
/* --- The interposed calls ------------------------------------------------ */

static int recv_error;          /* when not 0: the next recv() fails with it */
static int recvfrom_error;      /* when not 0: the next recvfrom() fails with it */
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

/* The UDP port reads with recvfrom(). */
ssize_t
recvfrom (int fd, void *buffer, size_t length, int flags, struct sockaddr *address,
          socklen_t *address_length)
{
  static ssize_t (*real_recvfrom) (int, void *, size_t, int, struct sockaddr *, socklen_t *);

  if (recvfrom_error != 0)
    {
      errno = recvfrom_error;
      recvfrom_error = 0;
      return -1;
    }
  if (real_recvfrom == NULL)
    real_recvfrom = dlsym (RTLD_NEXT, "recvfrom");
  return real_recvfrom (fd, buffer, length, flags, address, address_length);
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
reset_io_faults (void)
{
  recv_error = recvfrom_error = send_error = getpeername_error = 0;
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
  reset_io_faults ();
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
  reset_io_faults ();
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
  reset_io_faults ();
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
  reset_io_faults ();
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
  reset_io_faults ();
  close (client);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  test_env_clear (&env);
}

/* --- The UDP port ---------------------------------------------------------- */

/* A UDP port on 127.0.0.1 serving @protocol; sets @port. */
static BraidDatagramTransport *
listen_udp_local (TestEnv *env, DgRecorder *protocol, guint16 *port)
{
  g_autoptr (GError) error = NULL;
  BraidDatagramTransport *udp = braid_reactor_listen_udp (env->reactor, 0,
                                                          BRAID_DATAGRAM_PROTOCOL (protocol),
                                                          "127.0.0.1", 0, &error);

  g_assert_no_error (error);
  *port = braid_listening_port_get_port (BRAID_LISTENING_PORT (udp));
  return udp;
}

/* Sends one datagram to 127.0.0.1:@port from a socket of its own. */
static void
udp_send (guint16 port, const char *text)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (sendto (fd, text, strlen (text), 0, (struct sockaddr *) &sin, sizeof sin), ==,
                   (gssize) strlen (text));
  close (fd);
}

static void
test_listen_udp_fails_cleanly_if_epoll_refuses (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  g_autoptr (GError) error = NULL;

  g_test_summary ("If epoll refuses the UDP socket, listen_udp fails with an error that "
                  "says so, and the protocol is never started");
  test_env_init (&env);
  fail_epoll_ctl (EPOLL_CTL_ADD, ENOMEM, 0);
  g_assert_null (braid_reactor_listen_udp (env.reactor, 0, BRAID_DATAGRAM_PROTOCOL (protocol),
                                           "127.0.0.1", 0, &error));
  g_assert_error (error, G_IO_ERROR, (int) g_io_error_from_errno (ENOMEM));
  g_assert_true (g_str_has_prefix (error->message, "Cannot watch socket"));
  g_assert_cmpuint (protocol->started, ==, 0);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_recvfrom_interrupted_is_retried (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  guint16 port;

  g_test_summary ("recvfrom() interrupted by a signal (EINTR) is retried: the datagram "
                  "arrives in the same wakeup");
  test_env_init (&env);
  listen_udp_local (&env, protocol, &port);
  recvfrom_error = EINTR;
  udp_send (port, "hello");
  WAIT_FOR (&env, protocol->datagrams->len == 1);
  g_assert_cmpint (recvfrom_error, ==, 0);
  test_env_clear (&env);
  reset_faults ();
}

static void
test_recvfrom_error_is_logged_and_the_port_goes_on (void)
{
  TestEnv env;
  g_autoptr (DgRecorder) protocol = dg_recorder_new ();
  BraidDatagramTransport *udp;
  guint16 port;

  g_test_summary ("recvfrom() failing (EIO) is logged with the port and the error; the "
                  "port stays open and reads the datagram at the next wakeup");
  test_env_init (&env);
  udp = listen_udp_local (&env, protocol, &port);
  recvfrom_error = EIO;
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "UDP port 127.0.0.1:*: receiving failed: Input/output error");
  udp_send (port, "hello");
  WAIT_FOR (&env, protocol->datagrams->len == 1);
  g_test_assert_expected_messages ();
  g_assert_true (braid_datagram_transport_is_listening (udp));
  test_env_clear (&env);
  reset_faults ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/fault-injection/accept/transient-errors-are-skipped", test_transient_accept_errors_are_skipped);
  braid_test_add_func ("/fault-injection/accept/unexpected-error-backs-off", test_unexpected_accept_error_backs_off);
  braid_test_add_func ("/fault-injection/accept/epoll-refuses-after-back-off", test_backed_off_port_epoll_refuses_again);
  braid_test_add_func ("/fault-injection/epoll/listen-fails-cleanly", test_listening_fails_cleanly_if_epoll_refuses);
  braid_test_add_func ("/fault-injection/epoll/connection-refused-again-is-closed", test_connection_epoll_refuses_again_is_closed);
  braid_test_add_func ("/fault-injection/epoll/connect-fails-cleanly", test_connecting_fails_cleanly_if_epoll_refuses);
  braid_test_add_func ("/fault-injection/epoll/connected-socket-refused-fails-the-attempt", test_connected_socket_epoll_refuses_fails_the_attempt);


  braid_test_add_func ("/fault-injection/recv/error-closes-with-its-name",
                       test_recv_error_closes_with_its_name);
  braid_test_add_func ("/fault-injection/recv/interrupted-is-retried",
                       test_recv_interrupted_is_retried);
  braid_test_add_func ("/fault-injection/send/would-block-buffers", test_send_would_block_buffers);
  braid_test_add_func ("/fault-injection/send/error-closes-with-its-name",
                       test_send_error_closes_with_its_name);
  braid_test_add_func ("/fault-injection/getpeername/peer-unknown",
                       test_peer_unknown_when_getpeername_fails);
  braid_test_add_func ("/fault-injection/epoll/listen-udp-fails-cleanly",
                       test_listen_udp_fails_cleanly_if_epoll_refuses);
  braid_test_add_func ("/fault-injection/recvfrom/interrupted-is-retried",
                       test_recvfrom_interrupted_is_retried);
  braid_test_add_func ("/fault-injection/recvfrom/error-is-logged-and-the-port-goes-on",
                       test_recvfrom_error_is_logged_and_the_port_goes_on);

  return g_test_run ();
}
