/* test-chat.c: lesson 10's chat, tested with no socket and no real time. */
#include <string.h>

#include <braid-fakes.h>

#include "chat.h"
#include "recording-protocol.h"
#include "test-helpers.h"

/* One connection on a string transport, for exact answers to one client. */
typedef struct
{
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Line;

static void
line_connect (Line *line, ChatFactory *factory)
{
  line->transport = braid_string_transport_new ();
  line->protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  braid_protocol_make_connection (line->protocol, BRAID_TRANSPORT (line->transport));
  braid_assert_transport_wrote (line->transport, "What's your name?\r\n");
}

static void
line_send (Line *line, const char *text, gsize len)
{
  braid_protocol_data_received (line->protocol, (const guint8 *) text, len);
}

static void
line_clear (Line *line)
{
  g_autoptr (GError) done = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE, "done");

  braid_protocol_connection_lost (line->protocol, done);
  g_clear_object (&line->protocol);
  g_clear_object (&line->transport);
}

static void
run_conversation (gsize chunk_size)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice, bob, carol;

  user_connect (&alice, factory, chunk_size);
  user_hears (&alice, "What's your name?\r\n");
  user_say (&alice, "alice\r\n");
  user_hears (&alice, "Welcome, alice!\r\n");
  g_assert_cmpint (chat_protocol_get_state (CHAT_PROTOCOL (alice.server)), ==, CHAT_STATE_CHAT);

  user_connect (&bob, factory, chunk_size);
  user_say (&bob, "bob\r\n");
  user_hears (&bob, "What's your name?\r\nWelcome, bob!\r\n");
  user_hears (&alice, "bob has joined the channel.\r\n");

  /* Carol is connected but has not chosen a name: she hears nothing. */
  user_connect (&carol, factory, chunk_size);
  user_hears (&carol, "What's your name?\r\n");

  user_say (&alice, "hi bob\r\nhow are you?\r\n");
  user_hears (&bob, "<alice> hi bob\r\n<alice> how are you?\r\n");
  user_hears (&alice, "");
  user_hears (&carol, "");

  user_say (&carol, "carol\r\n");
  user_hears (&carol, "Welcome, carol!\r\n");
  user_hears (&alice, "carol has joined the channel.\r\n");
  user_hears (&bob, "carol has joined the channel.\r\n");
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 3);

  user_leave (&bob);
  g_assert_true (braid_error_is_clean_close (recording_protocol_get_reason (bob.client)));
  user_hears (&alice, "bob has left the channel.\r\n");
  user_hears (&carol, "bob has left the channel.\r\n");
  user_hears (&bob, "");
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 2);

  /* The name is free again. */
  user_clear (&bob);
  user_connect (&bob, factory, chunk_size);
  user_say (&bob, "bob\r\n");
  user_hears (&bob, "What's your name?\r\nWelcome, bob!\r\n");

  user_clear (&alice);
  user_clear (&bob);
  user_clear (&carol);
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 0);
}

static void
test_conversation_byte_by_byte (void)
{
  run_conversation (1);
}

static void
test_conversation_all_at_once (void)
{
  run_conversation (0);
}

static void
test_a_taken_name_is_refused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice, other;

  user_connect (&alice, factory, 0);
  user_say (&alice, "alice\r\n");
  user_connect (&other, factory, 0);
  user_say (&other, "alice\r\n");
  user_hears (&other, "What's your name?\r\nName taken, please choose another.\r\n");
  g_assert_cmpint (chat_protocol_get_state (CHAT_PROTOCOL (other.server)), ==, CHAT_STATE_REGISTER);
  user_hears (&alice, "What's your name?\r\nWelcome, alice!\r\n");

  user_say (&other, "alice2\r\n");
  user_hears (&other, "Welcome, alice2!\r\n");
  user_hears (&alice, "alice2 has joined the channel.\r\n");
  user_clear (&alice);
  user_clear (&other);
}

static void
test_bad_names_get_a_clear_answer (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  const char *invalid = "Name invalid (no spaces or control characters), please choose another.\r\n";
  Line line;

  line_connect (&line, factory);
  line_send (&line, "\r\n", 2);
  braid_assert_transport_wrote (line.transport, "Name empty, please choose another.\r\n");
  line_send (&line, "a b\r\n", 5);
  braid_assert_transport_wrote (line.transport, invalid);
  line_send (&line, "a\tb\r\n", 5);
  braid_assert_transport_wrote (line.transport, invalid);
  line_send (&line, "\x1b[2Jx\r\n", 7);
  braid_assert_transport_wrote (line.transport, invalid);
  line_send (&line, "\xff\xfe\r\n", 4);
  braid_assert_transport_wrote (line.transport,
                                "Name invalid (it must be UTF-8 text), please choose another.\r\n");
  line_send (&line, "a\0b\r\n", 5);   /* a NUL byte is not text either */
  braid_assert_transport_wrote (line.transport,
                                "Name invalid (it must be UTF-8 text), please choose another.\r\n");
  line_send (&line, "abcdefghijklmnopqrstu\r\n", 23);   /* 21 characters */
  braid_assert_transport_wrote (line.transport,
                                "Name too long (20 characters at most), please choose another.\r\n");
  g_assert_cmpint (chat_protocol_get_state (CHAT_PROTOCOL (line.protocol)), ==, CHAT_STATE_REGISTER);
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 0);

  /* 20 characters are fine, even when some take two bytes. */
  line_send (&line, "\xc3\xa9tienne-de-la-bo\xc3\xa9tie\r\n", 24);
  braid_assert_transport_wrote (line.transport, "Welcome, \xc3\xa9tienne-de-la-bo\xc3\xa9tie!\r\n");
  line_clear (&line);
}

/* Who never registered was never in the room: no one hears them leave. */
static void
test_leaving_before_registering_is_silent (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice, shy;

  user_connect (&alice, factory, 0);
  user_say (&alice, "alice\r\n");
  user_hears (&alice, "What's your name?\r\nWelcome, alice!\r\n");
  user_connect (&shy, factory, 0);
  user_leave (&shy);
  user_hears (&alice, "");
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 1);
  user_clear (&alice);
  user_clear (&shy);
}

/* An unclean end (a reset) announces the leaving just the same. */
static void
test_a_lost_connection_announces_the_leaving (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  g_autoptr (GError) lost = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "reset");
  Line alice, bob;

  line_connect (&alice, factory);
  line_send (&alice, "alice\r\n", 7);
  line_connect (&bob, factory);
  line_send (&bob, "bob\r\n", 5);
  braid_string_transport_clear (alice.transport);
  braid_protocol_connection_lost (bob.protocol, lost);
  braid_assert_transport_wrote (alice.transport, "bob has left the channel.\r\n");
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 1);
  g_clear_object (&bob.protocol);
  g_clear_object (&bob.transport);
  line_clear (&alice);
}

static void
test_an_endless_line_is_refused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  g_autofree char *huge = g_strnfill (CHAT_MAX_LINE_LENGTH + 1, 'a');
  const char *refusal = "Line too long (1024 bytes at most). Goodbye.\r\n";
  User alice, bob, carol;

  user_connect (&alice, factory, 0);
  user_say (&alice, "alice\r\n");
  user_hears (&alice, "What's your name?\r\nWelcome, alice!\r\n");

  /* While registering: the answer, the close, and nobody hears of it. */
  user_connect (&bob, factory, 0);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*closing a connection*");
  user_say (&bob, huge);
  g_test_assert_expected_messages ();
  user_hears (&bob, "What's your name?\r\nLine too long (1024 bytes at most). Goodbye.\r\n");
  g_assert_false (braid_loopback_is_open (bob.loopback));
  user_hears (&alice, "");

  /* While chatting: the others hear that the user left. */
  user_connect (&carol, factory, 0);
  user_say (&carol, "carol\r\n");
  user_hears (&alice, "carol has joined the channel.\r\n");
  user_hears (&carol, "What's your name?\r\nWelcome, carol!\r\n");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*closing a connection*");
  user_say (&carol, huge);
  g_test_assert_expected_messages ();
  user_hears (&carol, refusal);
  g_assert_false (braid_loopback_is_open (carol.loopback));
  user_hears (&alice, "carol has left the channel.\r\n");

  user_clear (&alice);
  user_clear (&bob);
  user_clear (&carol);
}

static void
test_commands_and_empty_lines (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  Line alice, bob;

  line_connect (&alice, factory);
  line_send (&alice, "alice\r\n", 7);
  line_connect (&bob, factory);
  line_send (&bob, "bob\r\n", 5);
  braid_string_transport_clear (alice.transport);
  braid_string_transport_clear (bob.transport);

  line_send (&alice, "/dance now\r\n\r\n/\r\n", 17);
  braid_assert_transport_wrote (alice.transport,
                                "Unknown command: /dance (try /bomb SECONDS)\r\n"
                                "Unknown command: / (try /bomb SECONDS)\r\n");
  braid_assert_transport_wrote (bob.transport, "");

  /* In REGISTER, a line starting with '/' is only a name like another. */
  line_clear (&bob);
  line_connect (&bob, factory);
  line_send (&bob, "/bomb\r\n", 7);
  braid_assert_transport_wrote (bob.transport, "Welcome, /bomb!\r\n");
  line_clear (&bob);
  line_clear (&alice);
}

/* A protocol destroyed while in the room leaves no dangling pointer. */
static void
test_a_destroyed_protocol_leaves_the_room (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  Line alice;

  line_connect (&alice, factory);
  line_send (&alice, "alice\r\n", 7);
  g_clear_object (&alice.transport);
  g_clear_object (&alice.protocol);
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 0);
  chat_factory_broadcast (factory, NULL, "nobody hears this");
}

static void
record_call (gpointer data)
{
  (*(guint *) data)++;
}

/* The factory keeps the room's bomb: replacing it cancels the old one,
 * and an empty room cancels it, so no timer outlives the connections. */
static void
test_the_factory_never_forgets_a_bomb (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  BraidDelayedCall *first;
  guint calls = 0;
  Line alice;

  line_connect (&alice, factory);
  line_send (&alice, "alice\r\n", 7);
  first = braid_clock_call_later (BRAID_CLOCK (clock), 10, record_call, &calls, NULL);
  chat_factory_set_bomb (factory, first);
  g_assert_true (chat_factory_get_bomb (factory) == first);
  chat_factory_set_bomb (factory, braid_clock_call_later (BRAID_CLOCK (clock), 10,
                                                          record_call, &calls, NULL));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);

  line_clear (&alice);   /* the last user leaves */
  g_assert_null (chat_factory_get_bomb (factory));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  braid_fake_clock_advance (clock, 20);
  g_assert_cmpuint (calls, ==, 0);
}

static void
test_server_listens_with_the_reactor_as_clock (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *record;

  g_assert_nonnull (chat_server_listen (BRAID_REACTOR (reactor), 8010, &error));
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_cmpuint (record->port, ==, 8010);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (CHAT_IS_FACTORY (record->factory));
  g_assert_true (chat_factory_get_clock (CHAT_FACTORY (record->factory)) == BRAID_CLOCK (reactor));
  g_assert_cmpfloat (chat_factory_get_idle_timeout (CHAT_FACTORY (record->factory)), ==,
                     CHAT_IDLE_TIMEOUT_SECONDS);
}

/* Names that look like another user's, or that turn the text around. */
static void
test_invisible_and_bidi_names_are_refused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  const char *invalid = "Name invalid (no invisible or direction-changing characters), "
                        "please choose another.\r\n";
  const char *look_alikes[] = {
    "alice\xe2\x80\x8b",        /* U+200B ZERO WIDTH SPACE */
    "al\xe2\x80\x8dice",        /* U+200D ZERO WIDTH JOINER */
    "\xe2\x80\xaegnp.exe",      /* U+202E RIGHT-TO-LEFT OVERRIDE */
    "a\xe2\x81\xa6" "b",        /* U+2066 LEFT-TO-RIGHT ISOLATE */
    "\xe2\x80\x8f" "bob",       /* U+200F RIGHT-TO-LEFT MARK */
    "\xef\xbb\xbf" "bob",       /* U+FEFF ZERO WIDTH NO-BREAK SPACE */
    "bob\xc2\xad",              /* U+00AD SOFT HYPHEN (a format character) */
    "\xe3\x85\xa4",             /* U+3164 HANGUL FILLER: a letter that draws nothing */
  };
  Line line;

  g_test_summary ("The chat refuses names with invisible or direction-changing code points "
                  "(Unicode format characters, bidi controls, zero-widths, fillers), so no "
                  "name can pass for another user's");
  line_connect (&line, factory);
  for (guint i = 0; i < G_N_ELEMENTS (look_alikes); i++)
    {
      g_autofree char *sent = g_strconcat (look_alikes[i], "\r\n", NULL);

      line_send (&line, sent, strlen (sent));
      braid_assert_transport_wrote (line.transport, invalid);
    }
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 0);
  /* Letters from any script are still welcome. */
  line_send (&line, "\xd0\xb0\xd0\xbb\xd0\xb8\xd1\x81\xd0\xb0\r\n", 12);
  braid_assert_transport_wrote (line.transport,
                                "Welcome, \xd0\xb0\xd0\xbb\xd0\xb8\xd1\x81\xd0\xb0!\r\n");
  line_clear (&line);
}

/* A connection that never speaks does not stay forever. */
static void
test_a_silent_connection_is_closed (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice, silent;

  g_test_summary ("With an idle timeout (the program's is CHAT_IDLE_TIMEOUT_SECONDS), a "
                  "connection that sends nothing for that long is closed, registered or not; "
                  "talking keeps it open, and the room hears a registered user leave");
  chat_factory_set_idle_timeout (factory, CHAT_IDLE_TIMEOUT_SECONDS);
  user_connect (&alice, factory, 0);
  user_say (&alice, "alice\r\n");
  user_connect (&silent, factory, 0);
  user_hears (&alice, "What's your name?\r\nWelcome, alice!\r\n");

  braid_fake_clock_advance (clock, CHAT_IDLE_TIMEOUT_SECONDS - 1);
  user_say (&alice, "still here");
  braid_fake_clock_advance (clock, 2);
  braid_loopback_flush (silent.loopback);
  g_assert_false (braid_loopback_is_open (silent.loopback));
  /* The server aborted it (its protocol got G_IO_ERROR_TIMED_OUT). */
  g_assert_error (recording_protocol_get_reason (silent.client),
                  BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_true (braid_loopback_is_open (alice.loopback));

  braid_fake_clock_advance (clock, CHAT_IDLE_TIMEOUT_SECONDS);
  braid_loopback_flush (alice.loopback);
  g_assert_false (braid_loopback_is_open (alice.loopback));
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 0);
  user_clear (&alice);
  user_clear (&silent);
}

/* One member who does not read is dropped; the others carry on. */
static void
test_a_member_who_does_not_read_is_dropped (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  g_autofree char *message = g_strnfill (1000, 'x');
  g_autofree char *said = g_strconcat (message, "\r\n", NULL);
  User alice, bob, carol;

  g_test_summary ("When one member stops reading while another floods the room, the "
                  "server drops the non-reader once its write buffer limit is passed "
                  "(logged), the room hears it leave, and the readers get every line");
  user_connect (&alice, factory, 0);
  user_say (&alice, "alice\r\n");
  user_connect (&bob, factory, 0);
  user_say (&bob, "bob\r\n");
  user_connect (&carol, factory, 0);
  user_say (&carol, "carol\r\n");
  user_hears (&carol, "What's your name?\r\nWelcome, carol!\r\n");

  /* Carol reads after every line; bob's side is never pumped. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*peer is not reading*");
  for (guint i = 0; i < BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT / 1000 + 10; i++)
    {
      recording_protocol_say (alice.client, said);
      braid_loopback_flush (alice.loopback);
      braid_loopback_flush (carol.loopback);
      g_assert_cmpuint (recording_protocol_get_received (carol.client)[0], ==, '<');
      recording_protocol_clear (carol.client);
    }
  g_test_assert_expected_messages ();
  braid_loopback_flush (bob.loopback);
  g_assert_false (braid_loopback_is_open (bob.loopback));
  g_assert_error (recording_protocol_get_reason (bob.client),
                  BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING);
  user_hears (&carol, "bob has left the channel.\r\n");
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 2);
  user_clear (&alice);
  user_clear (&bob);
  user_clear (&carol);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 10: the chat's states (REGISTER, CHAT), its room and its checks.");

  braid_test_add_func ("/lesson10/chat/conversation-byte-by-byte", test_conversation_byte_by_byte);
  braid_test_add_func ("/lesson10/chat/conversation-all-at-once", test_conversation_all_at_once);
  braid_test_add_func ("/lesson10/chat/name-taken", test_a_taken_name_is_refused);
  braid_test_add_func ("/lesson10/chat/bad-names", test_bad_names_get_a_clear_answer);
  braid_test_add_func ("/lesson10/chat/leaving-unregistered", test_leaving_before_registering_is_silent);
  braid_test_add_func ("/lesson10/chat/lost-connection", test_a_lost_connection_announces_the_leaving);
  braid_test_add_func ("/lesson10/chat/endless-line", test_an_endless_line_is_refused);
  braid_test_add_func ("/lesson10/chat/commands", test_commands_and_empty_lines);
  braid_test_add_func ("/lesson10/chat/destroyed-protocol", test_a_destroyed_protocol_leaves_the_room);
  braid_test_add_func ("/lesson10/chat/bomb-is-never-forgotten", test_the_factory_never_forgets_a_bomb);
  braid_test_add_func ("/lesson10/chat-server/listens", test_server_listens_with_the_reactor_as_clock);
  braid_test_add_func ("/lesson10/chat/invisible-and-bidi-names", test_invisible_and_bidi_names_are_refused);
  braid_test_add_func ("/lesson10/chat/silent-connection-closed", test_a_silent_connection_is_closed);
  braid_test_add_func ("/lesson10/chat/non-reader-dropped", test_a_member_who_does_not_read_is_dropped);
  return g_test_run ();
}
