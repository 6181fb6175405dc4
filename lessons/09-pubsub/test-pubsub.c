/* test-pubsub.c: lesson 09's publish/subscribe server, tested with no socket. */
#include <string.h>

#include <braid-fakes.h>

#include "pubsub.h"
#include "recording-protocol.h"
#include "test-helpers.h"

static void
test_a_line_goes_to_everyone (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice, bob, carol;

  client_connect (&alice, factory, 40001);
  client_connect (&bob, factory, 40002);
  client_connect (&carol, factory, 40003);
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 3);

  client_say (&bob, "hello, all\r\n");
  braid_assert_transport_wrote (alice.transport, "<127.0.0.1:40002> hello, all\r\n");
  braid_assert_transport_wrote (bob.transport, "<127.0.0.1:40002> hello, all\r\n");
  braid_assert_transport_wrote (carol.transport, "<127.0.0.1:40002> hello, all\r\n");

  /* Two lines in one chunk are two messages; an empty line is published too. */
  client_say (&carol, "one\r\n\r\n");
  braid_assert_transport_wrote (alice.transport,
                                "<127.0.0.1:40003> one\r\n<127.0.0.1:40003> \r\n");

  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);
  client_leave (&bob, BRAID_ERROR_CONNECTION_DONE);
  client_leave (&carol, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
}

static void
test_the_list_follows_connections (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice, bob, carol;

  client_connect (&alice, factory, 40001);
  client_connect (&bob, factory, 40002);
  client_connect (&carol, factory, 40003);
  g_assert_cmpstr (pub_protocol_get_address (pub_factory_get_client (factory, 0)), ==,
                   "127.0.0.1:40001");

  /* A clean close and a lost connection both take the client off. */
  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);
  client_leave (&carol, BRAID_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 1);
  g_assert_true (pub_factory_get_client (factory, 0) == PUB_PROTOCOL (bob.protocol));

  /* Those who left hear nothing more. */
  braid_string_transport_clear (alice.transport);
  braid_string_transport_clear (carol.transport);
  client_say (&bob, "anyone?\r\n");
  braid_assert_transport_wrote (bob.transport, "<127.0.0.1:40002> anyone?\r\n");
  braid_assert_transport_wrote (alice.transport, "");
  braid_assert_transport_wrote (carol.transport, "");

  client_leave (&bob, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 0);
  client_clear (&alice);
  client_clear (&bob);
  client_clear (&carol);
}

static void
test_ipv6_addresses_are_bracketed (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice;

  client_connect_from (&alice, factory, "::1", 40001);
  client_say (&alice, "hi\r\n");
  braid_assert_transport_wrote (alice.transport, "<[::1]:40001> hi\r\n");
  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&alice);
}

/* A line over the limit: a clear answer, the connection closed, the
 * client off the list once the close completes; the others carry on. */
static void
test_an_endless_line_is_refused (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  g_autofree char *huge = g_strnfill (PUB_MAX_LINE_LENGTH + 1, 'a');
  Client alice, bob;

  client_connect (&alice, factory, 40001);
  client_connect (&bob, factory, 40002);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*closing 127.0.0.1:40001*");
  client_say (&alice, huge);
  g_test_assert_expected_messages ();
  braid_assert_transport_wrote (alice.transport, "Line too long (1024 bytes at most). Goodbye.\r\n");
  g_assert_true (braid_string_transport_get_disconnecting (alice.transport));
  braid_assert_transport_wrote (bob.transport, "");
  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);

  client_say (&bob, "still here\r\n");
  braid_assert_transport_wrote (bob.transport, "<127.0.0.1:40002> still here\r\n");
  braid_assert_transport_wrote (alice.transport, "");

  client_leave (&bob, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&alice);
  client_clear (&bob);
}

/* A protocol destroyed while it still thinks it is connected leaves no
 * dangling pointer in the factory's list. */
static void
test_a_destroyed_protocol_is_unlisted (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice;

  client_connect (&alice, factory, 40001);
  g_clear_object (&alice.transport);   /* the transport let go of the protocol... */
  g_clear_object (&alice.protocol);    /* ...and the last reference goes */
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 0);
  pub_factory_broadcast (factory, "nobody hears this");
}

/* Three clients through loopbacks, at chunk size 1 and all at once: one
 * leaves, the others keep talking. The loopback's client side is always at
 * 127.0.0.1:54321, so every message has the same prefix here. */
static void
run_loopback_conversation (gsize chunk_size)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  BraidProtocol *servers[3];
  RecordingProtocol *clients[3];
  BraidLoopback *loopbacks[3];

  for (guint i = 0; i < 3; i++)
    {
      servers[i] = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
      clients[i] = recording_protocol_new (NULL);
      loopbacks[i] = braid_loopback_new (servers[i], BRAID_PROTOCOL (clients[i]));
      braid_loopback_set_chunk_size (loopbacks[i], chunk_size);
    }

  recording_protocol_say (clients[0], "first\r\n");
  braid_loopback_flush (loopbacks[0]);   /* the sender's first, as below */
  for (guint i = 0; i < 3; i++)
    {
      braid_loopback_flush (loopbacks[i]);
      g_assert_cmpstr (recording_protocol_get_received (clients[i]), ==,
                       "<127.0.0.1:54321> first\r\n");
      recording_protocol_clear (clients[i]);
    }

  /* The second client hangs up: its protocol leaves the list. */
  braid_transport_lose_connection (braid_loopback_get_client_transport (loopbacks[1]));
  braid_loopback_flush (loopbacks[1]);
  g_assert_false (braid_loopback_is_open (loopbacks[1]));
  g_assert_true (braid_error_is_clean_close (recording_protocol_get_reason (clients[1])));
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 2);

  /* The sender's loopback first: it carries the line to the server, which
   * writes to every client; then the others deliver what it wrote. */
  recording_protocol_say (clients[2], "second\r\n");
  braid_loopback_flush (loopbacks[2]);
  for (guint i = 0; i < 3; i++)
    if (braid_loopback_is_open (loopbacks[i]))
      braid_loopback_flush (loopbacks[i]);
  g_assert_cmpstr (recording_protocol_get_received (clients[0]), ==,
                   "<127.0.0.1:54321> second\r\n");
  g_assert_cmpstr (recording_protocol_get_received (clients[1]), ==, "");
  g_assert_cmpstr (recording_protocol_get_received (clients[2]), ==,
                   "<127.0.0.1:54321> second\r\n");

  for (guint i = 0; i < 3; i++)
    {
      if (braid_loopback_is_open (loopbacks[i]))
        braid_loopback_close (loopbacks[i]);
      g_object_unref (loopbacks[i]);
      g_object_unref (clients[i]);
      g_object_unref (servers[i]);
    }
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 0);
}

static void
test_loopbacks_byte_by_byte (void)
{
  run_loopback_conversation (1);
}

static void
test_loopbacks_all_at_once (void)
{
  run_loopback_conversation (0);
}

static void
test_server_listens_with_a_pub_factory (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *record;

  g_assert_nonnull (pubsub_server_listen (BRAID_REACTOR (reactor), 8009, &error));
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_cmpuint (record->port, ==, 8009);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (PUB_IS_FACTORY (record->factory));
  {
    /* The program's factory times silent connections out, on the reactor. */
    g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
    g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (record->factory, NULL);

    braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
    g_assert_nonnull (braid_protocol_get_idle_timeout (protocol));
    g_assert_cmpfloat (braid_idle_timeout_get_seconds (braid_protocol_get_idle_timeout (protocol)),
                       ==, PUB_IDLE_TIMEOUT_SECONDS);
    {
      g_autoptr (GError) done = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                                     "done");

      braid_protocol_connection_lost (protocol, done);
    }
  }
}

/* A connection that says nothing is closed, with the factory's timeout. */
static void
test_a_silent_connection_is_closed (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client talker, silent;

  g_test_summary ("With an idle timeout (the program's is PUB_IDLE_TIMEOUT_SECONDS), a "
                  "connection that sends nothing for that long is aborted and unlisted; "
                  "one that talks stays");
  pub_factory_set_idle_timeout (factory, BRAID_CLOCK (clock), PUB_IDLE_TIMEOUT_SECONDS);
  client_connect (&talker, factory, 1001);
  client_connect (&silent, factory, 1002);
  braid_fake_clock_advance (clock, PUB_IDLE_TIMEOUT_SECONDS - 1);
  client_say (&talker, "still here\r\n");
  braid_fake_clock_advance (clock, 2);
  g_assert_true (braid_string_transport_get_aborted (silent.transport));
  g_assert_false (braid_string_transport_get_disconnecting (talker.transport));

  /* What the reactor does next: connection_lost, which unlists it. */
  client_leave (&silent, BRAID_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 1);
  client_leave (&talker, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  client_clear (&talker);
  client_clear (&silent);
}

/* A client that publishes but never reads is dropped; the others go on. */
static void
test_a_client_that_does_not_read_is_dropped (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  g_autofree char *message = g_strnfill (1000, 'x');
  g_autofree char *said = g_strconcat (message, "\r\n", NULL);
  Client flooder, reader;
  guint lines = BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT / 1000 + 10;

  g_test_summary ("A client that floods without reading (it gets its own lines back) is "
                  "aborted once its write buffer limit is passed, logged, while a client "
                  "that reads gets every line");
  client_connect (&flooder, factory, 1001);
  client_connect (&reader, factory, 1002);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "Closing the connection to 127.0.0.1:1001: peer is not reading*");
  for (guint i = 0; i < lines && !braid_string_transport_get_aborted (flooder.transport); i++)
    {
      gsize len;

      client_say (&flooder, said);
      /* The reader reads everything, every time: each line reached it. */
      braid_string_transport_peek (reader.transport, &len);
      g_assert_cmpuint (len, ==, strlen ("<127.0.0.1:1001> ") + 1000 + 2);
      braid_string_transport_clear (reader.transport);
    }
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (flooder.transport));
  /* An aborted connection's input is not processed any more. */
  client_say (&flooder, said);
  g_assert_cmpstr (braid_string_transport_peek (reader.transport, NULL), ==, "");
  g_assert_false (braid_string_transport_get_disconnecting (reader.transport));
  client_leave (&flooder, BRAID_ERROR_PEER_NOT_READING);
  client_leave (&reader, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&flooder);
  client_clear (&reader);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 09: every line goes to every client, prefixed with the sender's address.");

  braid_test_add_func ("/lesson09/pubsub/to-everyone", test_a_line_goes_to_everyone);
  braid_test_add_func ("/lesson09/pubsub/list-follows-connections", test_the_list_follows_connections);
  braid_test_add_func ("/lesson09/pubsub/ipv6", test_ipv6_addresses_are_bracketed);
  braid_test_add_func ("/lesson09/pubsub/endless-line", test_an_endless_line_is_refused);
  braid_test_add_func ("/lesson09/pubsub/destroyed-protocol", test_a_destroyed_protocol_is_unlisted);
  braid_test_add_func ("/lesson09/pubsub/loopbacks-byte-by-byte", test_loopbacks_byte_by_byte);
  braid_test_add_func ("/lesson09/pubsub/loopbacks-all-at-once", test_loopbacks_all_at_once);
  braid_test_add_func ("/lesson09/pubsub-server/listens", test_server_listens_with_a_pub_factory);
  braid_test_add_func ("/lesson09/pubsub/silent-connection-closed", test_a_silent_connection_is_closed);
  braid_test_add_func ("/lesson09/pubsub/non-reader-dropped", test_a_client_that_does_not_read_is_dropped);
  return g_test_run ();
}
