/* test-socket-transport.c: the socket transport's less travelled paths
 * (partial vectored writes, half-close orders, producers at the edges),
 * against a raw peer socket on 127.0.0.1 that the test drives by hand. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
                  "with none is harmless; an unregistered producer is not stopped; a producer "
                  "registered on a closed transport is stopped at once");
  test_env_init (&env);
  fd = connect_raw_peer (&env, server);
  transport = server_transport (server);
  braid_transport_unregister_producer (transport);
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

  return g_test_run ();
}
