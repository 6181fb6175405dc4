/* check-commands.c: the check of lesson 09's exercise, "/who". */
#include <braid-fakes.h>

#include "commands.h"
#include "recording-protocol.h"

/* One client: its server-side protocol and a string transport that
 * pretends the client is at 127.0.0.1:@port. */
typedef struct
{
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Client;

static void
client_connect (Client *client, PubFactory *factory, guint16 port)
{
  g_autoptr (GSocketAddress) peer = g_inet_socket_address_new_from_string ("127.0.0.1", port);

  client->transport = braid_string_transport_new ();
  braid_string_transport_set_peer (client->transport, peer);
  client->protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  braid_protocol_make_connection (client->protocol, BRAID_TRANSPORT (client->transport));
}

static void
client_say (Client *client, const char *text)
{
  braid_protocol_data_received (client->protocol, (const guint8 *) text, strlen (text));
}

static void
client_leave (Client *client)
{
  g_autoptr (GError) done = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                                 "the client closed the connection");

  braid_protocol_connection_lost (client->protocol, done);
}

static void
client_clear (Client *client)
{
  g_clear_object (&client->protocol);
  g_clear_object (&client->transport);
}

static void
test_who_answers_the_asker_only (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice, bob, carol;

  client_connect (&alice, factory, 40001);
  client_connect (&bob, factory, 40002);
  client_connect (&carol, factory, 40003);

  client_say (&bob, "/who\r\n");
  braid_assert_transport_wrote (bob.transport,
                                "Connected (3): 127.0.0.1:40001, 127.0.0.1:40002, 127.0.0.1:40003\r\n");
  braid_assert_transport_wrote (alice.transport, "");
  braid_assert_transport_wrote (carol.transport, "");

  client_leave (&alice);
  client_clear (&alice);
  client_say (&carol, "/who\r\n");
  braid_assert_transport_wrote (carol.transport,
                                "Connected (2): 127.0.0.1:40002, 127.0.0.1:40003\r\n");
  braid_assert_transport_wrote (bob.transport, "");

  client_leave (&bob);
  client_leave (&carol);
  client_clear (&bob);
  client_clear (&carol);
}

static void
test_who_when_alone (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice;

  client_connect (&alice, factory, 40001);
  client_say (&alice, "/who\r\n");
  braid_assert_transport_wrote (alice.transport, "Connected (1): 127.0.0.1:40001\r\n");
  client_leave (&alice);
  client_clear (&alice);
}

static void
test_other_commands_are_unknown (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice, bob;

  client_connect (&alice, factory, 40001);
  client_connect (&bob, factory, 40002);
  client_say (&alice, "/whom\r\n/\r\n");
  braid_assert_transport_wrote (alice.transport,
                                "Unknown command: /whom (try /who)\r\n"
                                "Unknown command: / (try /who)\r\n");
  braid_assert_transport_wrote (bob.transport, "");

  /* Ordinary lines are still published to everyone. */
  client_say (&alice, "who?\r\n");
  braid_assert_transport_wrote (alice.transport, "<127.0.0.1:40001> who?\r\n");
  braid_assert_transport_wrote (bob.transport, "<127.0.0.1:40001> who?\r\n");

  client_leave (&alice);
  client_leave (&bob);
  client_clear (&alice);
  client_clear (&bob);
}

/* Through a loopback, one byte at a time. */
static void
test_who_byte_by_byte (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  g_autoptr (BraidProtocol) server = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("/who\r\n");
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (server, BRAID_PROTOCOL (client));

  braid_loopback_set_chunk_size (loopback, 1);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (recording_protocol_get_received (client), ==,
                   "Connected (1): 127.0.0.1:54321\r\n");
  braid_loopback_close (loopback);
  g_assert_cmpuint (pub_factory_get_num_clients (factory), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 09 exercise: /who lists the connected clients, to the asker only");

  braid_test_add_func ("/lesson09/exercise/who-answers-the-asker", test_who_answers_the_asker_only);
  braid_test_add_func ("/lesson09/exercise/who-alone", test_who_when_alone);
  braid_test_add_func ("/lesson09/exercise/other-commands", test_other_commands_are_unknown);
  braid_test_add_func ("/lesson09/exercise/who-byte-by-byte", test_who_byte_by_byte);
  return g_test_run ();
}
