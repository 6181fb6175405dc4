/* check-commands.c: the check of lesson 09's exercise, "/who". */
#include <braid-fakes.h>

#include "commands.h"
#include "recording-protocol.h"
#include "test-helpers.h"

/* /who answers only the client that asked, with everyone connected now
 * (a client that left is no longer listed). */
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

  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&alice);
  client_say (&carol, "/who\r\n");
  braid_assert_transport_wrote (carol.transport,
                                "Connected (2): 127.0.0.1:40002, 127.0.0.1:40003\r\n");
  braid_assert_transport_wrote (bob.transport, "");

  client_leave (&bob, BRAID_ERROR_CONNECTION_DONE);
  client_leave (&carol, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&bob);
  client_clear (&carol);
}

/* /who works when the asker is the only client. */
static void
test_who_when_alone (void)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();
  Client alice;

  client_connect (&alice, factory, 40001);
  client_say (&alice, "/who\r\n");
  braid_assert_transport_wrote (alice.transport, "Connected (1): 127.0.0.1:40001\r\n");
  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);
  client_clear (&alice);
}

/* Any other line that starts with / is an unknown command, answered to
 * its sender only; other lines are still published. */
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

  client_leave (&alice, BRAID_ERROR_CONNECTION_DONE);
  client_leave (&bob, BRAID_ERROR_CONNECTION_DONE);
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
