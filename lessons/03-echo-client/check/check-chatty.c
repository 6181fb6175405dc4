/* check-chatty.c: the check of lesson 03's exercise (exercise/chatty.c). */
#include <braid-fakes.h>

#include "chatty.h"
#include "echo.h"   /* lesson 01's echo server */

static const char * const three_messages[] = { "one", "two", "three", NULL };

static ChattyProtocol *
connect_chatty (BraidStringTransport *transport, const char * const *messages)
{
  ChattyProtocol *chatty = chatty_protocol_new (messages);

  braid_protocol_make_connection (BRAID_PROTOCOL (chatty), BRAID_TRANSPORT (transport));
  return chatty;
}

/* Plays the echo server's part: sends @text to the client. */
static void
echo_back (ChattyProtocol *chatty, const char *text)
{
  braid_test_receive (BRAID_PROTOCOL (chatty), text);
}

static void
test_first_message_goes_out_when_connected (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (ChattyProtocol) chatty = connect_chatty (transport, three_messages);

  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (chatty)) == BRAID_TRANSPORT (transport));
  braid_assert_transport_wrote (transport, "one");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

static void
test_next_message_follows_each_echo (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (ChattyProtocol) chatty = connect_chatty (transport, three_messages);

  braid_assert_transport_wrote (transport, "one");
  echo_back (chatty, "one");
  braid_assert_transport_wrote (transport, "two");
  echo_back (chatty, "two");
  braid_assert_transport_wrote (transport, "three");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
}

/* TCP may cut the echo anywhere: the next message waits for all of it. */
static void
test_next_message_waits_for_the_whole_echo (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (ChattyProtocol) chatty = connect_chatty (transport, three_messages);

  braid_assert_transport_wrote (transport, "one");
  echo_back (chatty, "o");
  braid_assert_transport_wrote (transport, "");
  echo_back (chatty, "n");
  braid_assert_transport_wrote (transport, "");
  echo_back (chatty, "e");
  braid_assert_transport_wrote (transport, "two");
}

static void
test_closes_after_the_last_echo (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (ChattyProtocol) chatty = connect_chatty (transport, three_messages);

  echo_back (chatty, "one");
  echo_back (chatty, "two");
  echo_back (chatty, "thr");
  g_assert_false (braid_string_transport_get_disconnecting (transport));
  echo_back (chatty, "ee");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  g_assert_false (braid_string_transport_get_aborted (transport));
  braid_assert_transport_wrote (transport, "onetwothree");
  g_assert_cmpstr (chatty_protocol_get_heard (chatty), ==, "onetwothree");
}

static void
test_one_message_then_close (void)
{
  static const char * const one_message[] = { "hello", NULL };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (ChattyProtocol) chatty = connect_chatty (transport, one_message);

  echo_back (chatty, "hello");
  braid_assert_transport_wrote (transport, "hello");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
}

static void
test_nothing_to_say_closes_at_once (void)
{
  static const char * const no_message[] = { NULL };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (ChattyProtocol) chatty = connect_chatty (transport, no_message);

  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (chatty)) == BRAID_TRANSPORT (transport));
  braid_assert_transport_wrote (transport, "");
  g_assert_true (braid_string_transport_get_disconnecting (transport));
}

/* The whole conversation with lesson 01's echo server, through a loopback
 * that delivers @chunk_size bytes at a time. */
static void
talk_to_echo_server (gsize chunk_size)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (BraidProtocol) server = braid_factory_build_protocol (factory, NULL);
  g_autoptr (ChattyProtocol) chatty = chatty_protocol_new (three_messages);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (server, BRAID_PROTOCOL (chatty));

  braid_loopback_set_chunk_size (loopback, chunk_size);
  braid_loopback_flush (loopback);
  g_assert_cmpstr (chatty_protocol_get_heard (chatty), ==, "onetwothree");
  g_assert_false (braid_loopback_is_open (loopback));
}

static void
test_talks_to_the_echo_server (void)
{
  talk_to_echo_server (0);
}

static void
test_talks_to_the_echo_server_in_pieces (void)
{
  talk_to_echo_server (1);
  talk_to_echo_server (2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 03's exercise: a client that says several things, one echo at a time.");

  braid_test_add_func ("/lesson-03/chatty/first-message", test_first_message_goes_out_when_connected);
  braid_test_add_func ("/lesson-03/chatty/next-after-echo", test_next_message_follows_each_echo);
  braid_test_add_func ("/lesson-03/chatty/waits-for-whole-echo", test_next_message_waits_for_the_whole_echo);
  braid_test_add_func ("/lesson-03/chatty/closes-after-last", test_closes_after_the_last_echo);
  braid_test_add_func ("/lesson-03/chatty/one-message", test_one_message_then_close);
  braid_test_add_func ("/lesson-03/chatty/nothing-to-say", test_nothing_to_say_closes_at_once);
  braid_test_add_func ("/lesson-03/chatty/loopback/whole", test_talks_to_the_echo_server);
  braid_test_add_func ("/lesson-03/chatty/loopback/in-pieces", test_talks_to_the_echo_server_in_pieces);

  return g_test_run ();
}
