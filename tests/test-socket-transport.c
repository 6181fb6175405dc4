/* test-socket-transport.c: the socket transport -- exchanging bytes,
 * closing and half-closing, flow control and producers, misbehaving
 * protocols, partial vectored writes, IPv6 and UNIX peers. Between two
 * reactor ends, or against a raw peer socket on 127.0.0.1 that the test
 * drives by hand. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "reactor-test-common.h"

/* Listens with @server, connects a raw peer, and waits for the server's
 * connection: returns the peer's fd. */
static int
connect_raw_peer (TestEnv *env, RecFactory *server)
{
  int fd = raw_connect (listen_local (env, BRAID_FACTORY (server)));

  WAIT_FOR (env, server->protocols->len == 1 && rec_factory_state (server, 0)->made == 1);
  return fd;
}

static BraidTransport *
server_transport (RecFactory *server)
{
  BraidTransport *transport = braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0));

  /* These tests write many MiB to a peer that reads only when they say:
   * the write buffer limit (test-write-limit-tcp.c) would cut it off. */
  braid_transport_set_write_buffer_limit (transport, 0);
  return transport;
}

static gsize
buffered (BraidTransport *transport)
{
  return braid_socket_transport_get_buffered_size (BRAID_SOCKET_TRANSPORT (transport));
}

/* Reads from the raw peer, iterating the loop, until the peer sees EOF (or
 * an error); fails after a few seconds. */
static GString *
read_until_eof (TestEnv *env, int fd)
{
  GString *got = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) (WAIT_SECONDS * G_USEC_PER_SEC);
  char chunk[65536];

  for (;;)
    {
      ssize_t n = recv (fd, chunk, sizeof chunk, MSG_DONTWAIT);

      if (n > 0)
        g_string_append_len (got, chunk, n);
      else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        return got;
      else
        g_main_context_iteration (env->context, FALSE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

static void
fill_pattern (guint8 *data, gsize size, guint seed)
{
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + seed);
}

static void
test_write_sequence_partial_send (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  gsize size = 4 * 1024 * 1024;
  g_autofree guint8 *a = g_malloc (size);
  g_autofree guint8 *b = g_malloc (size);
  g_autofree guint8 *c = g_malloc (size);
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autoptr (GString) got = NULL;
  BraidTransport *transport;
  int fd;

  g_test_summary ("write_sequence with more than one send can take keeps the rest, "
                  "skipping empty pieces, and the peer gets every byte in order");
  fill_pattern (a, size, 1);
  fill_pattern (b, size, 2);
  fill_pattern (c, size, 3);
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  {
    GOutputVector vectors[] = { { a, size }, { "", 0 }, { b, size }, { c, size }, { "", 0 } };
    GOutputVector more[] = { { "tail", 4 }, { "", 0 }, { "!", 1 } };

    braid_transport_write_sequence (transport, vectors, G_N_ELEMENTS (vectors));
    g_assert_cmpuint (buffered (transport), >, 0);
    g_assert_cmpuint (buffered (transport), <, 3 * size);
    /* With bytes already waiting, these go behind them. */
    braid_transport_write_sequence (transport, more, G_N_ELEMENTS (more));
  }
  g_string_append_len (expected, (char *) a, size);
  g_string_append_len (expected, (char *) b, size);
  g_string_append_len (expected, (char *) c, size);
  g_string_append (expected, "tail!");
  braid_transport_lose_connection (transport);
  got = read_until_eof (&env, fd);
  g_assert_cmpuint (got->len, ==, expected->len);
  g_assert_true (memcmp (got->str, expected->str, got->len) == 0);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  close (fd);
  test_env_clear (&env);
}

static void
test_write_sequence_many_vectors (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  GOutputVector vectors[150];
  char pieces[150][8];
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autoptr (GString) got = NULL;
  int fd;

  g_test_summary ("write_sequence with more vectors than one sendmsg takes still sends "
                  "all of them, in order");
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_snprintf (pieces[i], sizeof pieces[i], "%u,", i);
      vectors[i].buffer = pieces[i];
      vectors[i].size = strlen (pieces[i]);
      g_string_append (expected, pieces[i]);
    }
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  braid_transport_write_sequence (server_transport (server), vectors, G_N_ELEMENTS (vectors));
  braid_transport_lose_connection (server_transport (server));
  got = read_until_eof (&env, fd);
  g_assert_cmpstr (got->str, ==, expected->str);
  close (fd);
  test_env_clear (&env);
}

static void
test_writes_after_lose_are_ignored (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  GOutputVector late[] = { { "late", 4 } };
  g_autoptr (GString) got = NULL;
  BraidTransport *transport;
  int fd;

  g_test_summary ("After lose_connection, write and write_sequence are ignored, a second "
                  "lose_connection and lose_write_connection change nothing");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_write_string (transport, "early");
  braid_transport_lose_connection (transport);
  braid_transport_write_string (transport, "late");
  braid_transport_write_sequence (transport, late, G_N_ELEMENTS (late));
  braid_transport_lose_connection (transport);
  braid_transport_lose_write_connection (transport);
  g_assert_true (braid_transport_is_disconnecting (transport));
  got = read_until_eof (&env, fd);
  g_assert_cmpstr (got->str, ==, "early");
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (rec_factory_state (server, 0)->lost_count, ==, 1);
  close (fd);
  test_env_clear (&env);
}

static void
test_half_close_write_side_first (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (HALF_REC_TYPE_PROTOCOL, 0);
  gsize size = 8 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc (size);
  g_autoptr (GString) got = NULL;
  BraidTransport *transport;
  int fd;

  g_test_summary ("lose_write_connection with bytes still buffered sends them, then shuts "
                  "the sending side; the peer can still send; its EOF then closes the connection "
                  "cleanly without a read_connection_lost");
  fill_pattern (big, size, 5);
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_write (transport, big, size);
  g_assert_cmpuint (buffered (transport), >, 0);
  braid_transport_lose_write_connection (transport);
  braid_transport_lose_write_connection (transport);
  braid_transport_write_string (transport, "ignored");
  g_assert_false (braid_transport_is_disconnecting (transport));
  got = read_until_eof (&env, fd);
  g_assert_cmpuint (got->len, ==, size);
  g_assert_true (memcmp (got->str, big, size) == 0);
  /* Reading still works. */
  g_assert_cmpint (write (fd, "after", 5), ==, 5);
  WAIT_FOR (&env, rec_factory_state (server, 0)->received->len == 5);
  g_assert_cmpstr (rec_factory_state (server, 0)->received->str, ==, "after");
  g_assert_null (rec_factory_state (server, 0)->lost);
  g_assert_cmpint (shutdown (fd, SHUT_WR), ==, 0);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  /* Both halves are now closed: connection_lost alone, as in Twisted. */
  g_assert_false (rec_factory_state (server, 0)->read_lost);
  close (fd);
  test_env_clear (&env);
}

static void
test_half_close_read_side_first (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (HALF_REC_TYPE_PROTOCOL, 0);
  g_autoptr (GString) got = NULL;
  BraidTransport *transport;
  int fd;

  g_test_summary ("After the peer's EOF (half-close), the protocol can still write; its "
                  "lose_write_connection then closes the connection cleanly");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  g_assert_cmpint (shutdown (fd, SHUT_WR), ==, 0);
  WAIT_FOR (&env, rec_factory_state (server, 0)->read_lost);
  g_assert_null (rec_factory_state (server, 0)->lost);
  braid_transport_write_string (transport, "reply");
  braid_transport_lose_write_connection (transport);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  got = read_until_eof (&env, fd);
  g_assert_cmpstr (got->str, ==, "reply");
  close (fd);
  test_env_clear (&env);
}

/* A producer that counts what it is told. */
#define TALLY_TYPE_PRODUCER (tally_producer_get_type ())
G_DECLARE_FINAL_TYPE (TallyProducer, tally_producer, TALLY, PRODUCER, GObject)
struct _TallyProducer
{
  GObject parent_instance;
  guint paused, resumed, stopped;
};
static void tally_producer_iface_init (BraidProducerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TallyProducer, tally_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      tally_producer_iface_init))
static void tally_pause (BraidProducer *p) { TALLY_PRODUCER (p)->paused++; }
static void tally_resume (BraidProducer *p) { TALLY_PRODUCER (p)->resumed++; }
static void tally_stop (BraidProducer *p) { TALLY_PRODUCER (p)->stopped++; }
static void
tally_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = tally_pause;
  iface->resume_producing = tally_resume;
  iface->stop_producing = tally_stop;
}
static void tally_producer_class_init (TallyProducerClass *klass) { }
static void tally_producer_init (TallyProducer *self) { }

static void
test_producer_registration_edges (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (TallyProducer) first = g_object_new (TALLY_TYPE_PRODUCER, NULL);
  g_autoptr (TallyProducer) second = g_object_new (TALLY_TYPE_PRODUCER, NULL);
  g_autoptr (TallyProducer) late = g_object_new (TALLY_TYPE_PRODUCER, NULL);
  BraidTransport *transport;
  int fd;

  g_test_summary ("Registering a second producer is refused with a critical; unregistering "
                  "with none is refused with a critical; an unregistered producer is not stopped; a producer "
                  "registered on a closed transport is stopped at once");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer is registered*");
  braid_transport_unregister_producer (transport);
  g_test_assert_expected_messages ();
  braid_transport_register_producer (transport, BRAID_PRODUCER (first), TRUE);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (transport, BRAID_PRODUCER (second), TRUE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (second->stopped + second->resumed + second->paused, ==, 0);
  /* Unregistered, the first producer is no longer told about the end. */
  braid_transport_unregister_producer (transport);
  braid_transport_abort_connection (transport);
  braid_transport_register_producer (transport, BRAID_PRODUCER (late), FALSE);
  g_assert_cmpuint (late->stopped, ==, 1);
  g_assert_cmpuint (late->resumed, ==, 0);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (first->stopped, ==, 0);
  g_assert_cmpuint (second->stopped, ==, 0);
  g_assert_cmpuint (late->stopped, ==, 1);
  close (fd);
  test_env_clear (&env);
}

static void
test_streaming_producer_on_a_full_buffer (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (TallyProducer) producer = g_object_new (TALLY_TYPE_PRODUCER, NULL);
  gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  g_autoptr (GString) got = NULL;
  BraidTransport *transport;
  int fd;

  g_test_summary ("A streaming producer registered while the buffer is above the "
                  "high-water mark is paused at once; once unregistered, draining does "
                  "not resume it");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_write (transport, big, size);
  g_assert_cmpuint (buffered (transport), >, BRAID_SOCKET_TRANSPORT_HIGH_WATER);
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
  g_assert_cmpuint (producer->paused, ==, 1);
  braid_transport_unregister_producer (transport);
  braid_transport_lose_connection (transport);
  got = read_until_eof (&env, fd);
  g_assert_cmpuint (got->len, ==, size);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (producer->resumed, ==, 0);
  g_assert_cmpuint (producer->stopped, ==, 0);
  close (fd);
  test_env_clear (&env);
}

static void
test_pull_producer_with_bytes_waiting (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (TallyProducer) producer = g_object_new (TALLY_TYPE_PRODUCER, NULL);
  gsize size = 8 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  g_autoptr (GString) got = NULL;
  BraidTransport *transport;
  int fd;

  g_test_summary ("A pull producer is asked again only once the buffer has fully drained, "
                  "and not at all once the transport is disconnecting");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), FALSE);
  g_assert_cmpuint (producer->resumed, ==, 1);
  braid_transport_write (transport, big, size);
  g_assert_cmpuint (buffered (transport), ==, size);   /* never sent directly */
  braid_transport_lose_connection (transport);
  got = read_until_eof (&env, fd);
  g_assert_cmpuint (got->len, ==, size);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (producer->resumed, ==, 1);
  g_assert_cmpuint (producer->stopped, ==, 1);
  close (fd);
  test_env_clear (&env);
}

static void
test_peer_reset_with_bytes_buffered (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_PAUSE_ON_MADE);
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };
  gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  BraidTransport *transport;
  int fd;

  g_test_summary ("A peer that resets the connection while bytes wait to be sent (and "
                  "reading is paused) ends it with BRAID_ERROR_CONNECTION_LOST");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_write (transport, big, size);
  g_assert_cmpuint (buffered (transport), >, 0);
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger), ==, 0);
  close (fd);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (buffered (transport), ==, 0);
  test_env_clear (&env);
}

static void
test_addresses_are_cached (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  struct sockaddr_in local;
  socklen_t len = sizeof local;
  BraidTransport *transport;
  GSocketAddress *host, *peer;
  int fd;

  g_test_summary ("get_host and get_peer name the two ends, and keep naming them after "
                  "the socket is closed");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &local, &len), ==, 0);
  transport = server_transport (server);
  host = braid_transport_get_host (transport);
  peer = braid_transport_get_peer (transport);
  g_assert_nonnull (host);
  g_assert_nonnull (peer);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer)), ==,
                    ntohs (local.sin_port));
  braid_transport_abort_connection (transport);
  g_assert_true (braid_transport_get_host (transport) == host);
  g_assert_true (braid_transport_get_peer (transport) == peer);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  close (fd);
  test_env_clear (&env);
}

/* Reads up to @want bytes from the raw peer into @got without blocking,
 * iterating the loop meanwhile. */
static void
read_some (TestEnv *env, int fd, GString *got, gsize want)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (WAIT_SECONDS * G_USEC_PER_SEC);
  char chunk[4096];

  while (want > 0)
    {
      ssize_t n = recv (fd, chunk, MIN (sizeof chunk, want), MSG_DONTWAIT);

      if (n > 0)
        {
          g_string_append_len (got, chunk, n);
          want -= n;
        }
      else
        g_main_context_iteration (env->context, FALSE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

static void
test_buffer_is_compacted (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc (size);
  g_autofree guint8 *more = NULL;
  g_autoptr (GString) got = g_string_new (NULL);
  g_autoptr (GString) rest = NULL;
  BraidTransport *transport;
  gsize first_buffered, now_buffered;
  int fd;

  g_test_summary ("Bytes written after part of the buffer went out reuse the space at "
                  "its front, and the peer still gets every byte in order");
  fill_pattern (big, size, 7);
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_write (transport, big, size);
  first_buffered = buffered (transport);
  g_assert_cmpuint (first_buffered, >, 0);
  /* The peer reads a little, until some of the buffer has gone out. */
  while (buffered (transport) == first_buffered)
    read_some (&env, fd, got, 4096);
  now_buffered = buffered (transport);
  g_assert_cmpuint (now_buffered, >, 0);
  /* Exactly what went out: it fits only once what is left moves to the front. */
  more = g_malloc (first_buffered - now_buffered);
  fill_pattern (more, first_buffered - now_buffered, 9);
  braid_transport_write (transport, more, first_buffered - now_buffered);
  g_assert_cmpuint (buffered (transport), ==, first_buffered);
  braid_transport_lose_connection (transport);
  rest = read_until_eof (&env, fd);
  g_string_append_len (got, rest->str, rest->len);
  g_assert_cmpuint (got->len, ==, size + first_buffered - now_buffered);
  g_assert_true (memcmp (got->str, big, size) == 0);
  g_assert_true (memcmp (got->str + size, more, first_buffered - now_buffered) == 0);
  close (fd);
  test_env_clear (&env);
}

static void
test_paused_streaming_producer_stays_paused (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (TallyProducer) producer = g_object_new (TALLY_TYPE_PRODUCER, NULL);
  gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *big = g_malloc0 (size);
  g_autoptr (GString) got = g_string_new (NULL);
  BraidTransport *transport;
  gsize before;
  int fd;

  g_test_summary ("A paused streaming producer is not paused again by more writes, nor "
                  "resumed while the buffer, though draining, is above the low-water mark");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
  braid_transport_write (transport, big, size);
  g_assert_cmpuint (producer->paused, ==, 1);
  braid_transport_write (transport, big, 1024);
  g_assert_cmpuint (producer->paused, ==, 1);
  before = buffered (transport);
  while (buffered (transport) == before)
    read_some (&env, fd, got, 4096);
  g_assert_cmpuint (buffered (transport), >, BRAID_SOCKET_TRANSPORT_LOW_WATER);
  g_assert_cmpuint (producer->resumed, ==, 0);
  braid_transport_abort_connection (transport);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_cmpuint (producer->stopped, ==, 1);
  close (fd);
  test_env_clear (&env);
}

static int
reset_peer (int fd)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger), ==, 0);
  return close (fd);
}

static void
test_direct_write_to_a_reset_peer (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidTransport *transport;
  int fd;

  g_test_summary ("A write that fails because the peer reset the connection closes the "
                  "transport with BRAID_ERROR_CONNECTION_LOST (and no SIGPIPE)");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  g_assert_cmpint (reset_peer (fd), ==, 0);
  braid_transport_write_string (transport, "into the void");
  g_assert_true (braid_transport_is_disconnecting (transport));
  g_assert_cmpuint (buffered (transport), ==, 0);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (rec_factory_state (server, 0)->lost_count, ==, 1);
  test_env_clear (&env);
}

static void
test_write_sequence_to_a_reset_peer (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  GOutputVector vectors[] = { { "into ", 5 }, { "the void", 8 } };
  BraidTransport *transport;
  int fd;

  g_test_summary ("A write_sequence that fails because the peer reset the connection "
                  "closes the transport with BRAID_ERROR_CONNECTION_LOST");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  g_assert_cmpint (reset_peer (fd), ==, 0);
  braid_transport_write_sequence (transport, vectors, G_N_ELEMENTS (vectors));
  g_assert_true (braid_transport_is_disconnecting (transport));
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  test_env_clear (&env);
}

static void
test_host_unknown_after_close (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidTransport *transport;
  int fd;

  g_test_summary ("get_host asked for the first time after the socket is closed returns "
                  "NULL rather than a stale address");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_abort_connection (transport);
  g_assert_null (braid_transport_get_host (transport));
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  close (fd);
  test_env_clear (&env);
}

/* A protocol that, on data, pauses every other connection of its factory. */
#define PAUSER_TYPE_PROTOCOL (pauser_protocol_get_type ())
G_DECLARE_FINAL_TYPE (PauserProtocol, pauser_protocol, PAUSER, PROTOCOL, RecProtocol)
struct _PauserProtocol { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (PauserProtocol, pauser_protocol, REC_TYPE_PROTOCOL)

static RecFactory *pausers;

static void
pauser_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BRAID_PROTOCOL_CLASS (pauser_protocol_parent_class)->data_received (protocol, data, len);
  for (guint i = 0; i < pausers->protocols->len; i++)
    {
      BraidProtocol *other = g_ptr_array_index (pausers->protocols, i);

      if (other != protocol)
        braid_producer_pause_producing (BRAID_PRODUCER (braid_protocol_get_transport (other)));
    }
}

static void
pauser_protocol_class_init (PauserProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = pauser_data_received;
}

static void pauser_protocol_init (PauserProtocol *self) { }

static void
test_reset_heard_once_resumed (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (PAUSER_TYPE_PROTOCOL, 0);
  RecState *talker, *resetter;
  guint16 port;
  int fd_talk, fd_reset;

  g_test_summary ("A connection paused by another one's callback while its peer's reset "
                  "waits in the same batch of events hears of it only once resumed");
  pausers = server;
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  fd_talk = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 1);
  fd_reset = raw_connect (port);
  WAIT_FOR (&env, server->protocols->len == 2);
  talker = rec_factory_state (server, 0);
  resetter = rec_factory_state (server, 1);
  g_assert_cmpint (write (fd_talk, "hi", 2), ==, 2);
  g_assert_cmpint (reset_peer (fd_reset), ==, 0);
  g_usleep (20 * 1000);   /* both ready before the next epoll_wait */
  WAIT_FOR (&env, talker->received->len == 2);
  g_assert_cmpstr (talker->received->str, ==, "hi");
  /* Paused, the connection hears nothing of its peer -- not even the reset
   * already in the batch -- until it is resumed. */
  test_env_iterate_for (&env, 0.1);
  g_assert_null (resetter->lost);
  braid_producer_resume_producing (BRAID_PRODUCER (braid_protocol_get_transport (
    g_ptr_array_index (server->protocols, 1))));
  WAIT_FOR (&env, resetter->lost != NULL);
  g_assert_error (resetter->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (resetter->lost->message, g_strerror (ECONNRESET)));
  g_assert_null (talker->lost);
  pausers = NULL;
  close (fd_talk);
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
  /* Both ends made: a reset that reaches the client before its connector
   * has seen the connection complete fails the connect instead. */
  WAIT_FOR (&env, server->protocols->len == 1 && client->protocols->len == 1);
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

/* An echo server and a peer that sends without reading: the server stops
 * reading from it, so its buffer stays near the high-water mark, and every
 * byte comes back once the peer reads. */
static void
check_echo_buffer_stays_bounded (RecFlags flags)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, flags);
  gsize chunk_size = 64 * 1024, sent = 0, echoed = 0, max_buffered = 0;
  g_autofree char *chunk = g_malloc0 (chunk_size);
  g_autofree char *sink = g_malloc (chunk_size);
  gboolean blocked = FALSE;
  guint16 port;
  int fd;

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

static void
test_backpressure_bounds_memory (void)
{
  g_test_summary ("An echo server whose transport is its own producer stops reading from "
                  "a peer that never reads: its buffer stays near the high-water mark");
  check_echo_buffer_stays_bounded (REC_ECHO | REC_SELF_PRODUCER);
}

static void
test_backpressure_without_a_producer (void)
{
  g_test_summary ("With no producer registered, a transport past its high-water mark stops "
                  "reading from the peer until the buffer drains: an echo server cannot be "
                  "made to buffer without bound (or be cut off) by a peer that never reads");
  check_echo_buffer_stays_bounded (REC_ECHO);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/socket-transport/write-sequence/partial-send", test_write_sequence_partial_send);
  braid_test_add_func ("/socket-transport/write-sequence/many-vectors", test_write_sequence_many_vectors);
  braid_test_add_func ("/socket-transport/close/writes-after-lose-are-ignored", test_writes_after_lose_are_ignored);
  braid_test_add_func ("/socket-transport/close/half-close-write-side-first", test_half_close_write_side_first);
  braid_test_add_func ("/socket-transport/close/half-close-read-side-first", test_half_close_read_side_first);
  braid_test_add_func ("/socket-transport/close/peer-reset-with-bytes-buffered", test_peer_reset_with_bytes_buffered);
  braid_test_add_func ("/socket-transport/producer/registration-edges", test_producer_registration_edges);
  braid_test_add_func ("/socket-transport/producer/streaming-on-a-full-buffer", test_streaming_producer_on_a_full_buffer);
  braid_test_add_func ("/socket-transport/producer/pull-with-bytes-waiting", test_pull_producer_with_bytes_waiting);
  braid_test_add_func ("/socket-transport/addresses-are-cached", test_addresses_are_cached);
  braid_test_add_func ("/socket-transport/host-unknown-after-close", test_host_unknown_after_close);
  braid_test_add_func ("/socket-transport/write/buffer-is-compacted", test_buffer_is_compacted);
  braid_test_add_func ("/socket-transport/write/direct-write-to-a-reset-peer", test_direct_write_to_a_reset_peer);
  braid_test_add_func ("/socket-transport/write-sequence/to-a-reset-peer", test_write_sequence_to_a_reset_peer);
  braid_test_add_func ("/socket-transport/producer/paused-stays-paused", test_paused_streaming_producer_stays_paused);
  braid_test_add_func ("/socket-transport/close/reset-while-paused-in-the-batch", test_reset_heard_once_resumed);

  braid_test_add_func ("/socket-transport/listen-connect-exchange", test_listen_connect_exchange);
  braid_test_add_func ("/socket-transport/write-sequence-and-bind-address", test_write_sequence_and_bind_address);
  braid_test_add_func ("/socket-transport/close/lose-flushes-everything", test_lose_connection_flushes_everything);
  braid_test_add_func ("/socket-transport/close/abort-drops-the-buffer", test_abort_drops_the_buffer);
  braid_test_add_func ("/socket-transport/close/peer-reset-names-the-error", test_peer_reset_names_the_error);
  braid_test_add_func ("/socket-transport/close/half-close", test_half_close);
  braid_test_add_func ("/socket-transport/close/peer-eof-without-half-close", test_peer_eof_closes_without_half_close);
  braid_test_add_func ("/socket-transport/flow/pause-reading", test_pause_reading);
  braid_test_add_func ("/socket-transport/flow/backpressure-bounds-memory", test_backpressure_bounds_memory);
  braid_test_add_func ("/socket-transport/flow/backpressure-without-producer",
                       test_backpressure_without_a_producer);
  braid_test_add_func ("/socket-transport/flow/streaming-producer", test_streaming_producer_is_paused_and_resumed);
  braid_test_add_func ("/socket-transport/flow/pull-producer", test_pull_producer_is_asked_for_more);
  braid_test_add_func ("/socket-transport/misbehaving/abort-inside-data-received", test_misbehaving_protocol_affects_only_its_connection);
  braid_test_add_func ("/socket-transport/misbehaving/nested-loop-in-a-callback", test_nested_loop_in_a_callback);
  braid_test_add_func ("/socket-transport/ipv6-loopback", test_ipv6_loopback);
  braid_test_add_func ("/socket-transport/unix/writing-to-a-vanished-peer", test_writing_to_a_vanished_peer);

  return g_test_run ();
}
