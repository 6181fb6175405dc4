/* test-lossy-chat.c: lesson 14's server and client on string transports,
 * and their runs on a SimNet. */
#include <glib/gstdio.h>
#include <string.h>

#include <braid-fakes.h>

#include "lossy-chat.h"

typedef struct
{
  BraidProtocol *protocol;
  BraidStringTransport *transport;
} Conn;

static void
conn_open (Conn *c, BraidFactory *factory)
{
  c->protocol = braid_factory_build_protocol (factory, NULL);
  c->transport = braid_string_transport_new ();
  braid_protocol_make_connection (c->protocol, BRAID_TRANSPORT (c->transport));
}

static void
conn_close (Conn *c)
{
  if (!braid_string_transport_get_aborted (c->transport))
    braid_test_lose_connection (c->protocol, TRUE);
  g_clear_object (&c->protocol);
  g_clear_object (&c->transport);
}

static void
test_server_welcomes_acks_and_broadcasts (void)
{
  g_autoptr (LossyServer) server = lossy_server_new ();
  Conn alice, bob;

  conn_open (&alice, BRAID_FACTORY (server));
  conn_open (&bob, BRAID_FACTORY (server));
  braid_test_receive (alice.protocol, "HELLO alice\r\n");
  braid_assert_transport_wrote (alice.transport, "WELCOME 0\r\n");
  braid_test_receive (bob.protocol, "HELLO bob\r\n");
  braid_assert_transport_wrote (bob.transport, "WELCOME 0\r\n");
  braid_test_receive (alice.protocol, "MSG 1 hello there\r\n");
  braid_assert_transport_wrote (alice.transport, "ACK 1\r\n");
  braid_assert_transport_wrote (bob.transport, "<alice> hello there\r\n");
  g_assert_cmpuint (lossy_server_get_transcript (server)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (lossy_server_get_transcript (server), 0), ==,
                   "alice: hello there");
  g_assert_cmpuint (lossy_server_get_last (server, "alice"), ==, 1);
  g_assert_cmpuint (lossy_server_get_last (server, "bob"), ==, 0);
  conn_close (&alice);
  conn_close (&bob);
}

static void
test_server_drops_a_resend (void)
{
  g_autoptr (LossyServer) server = lossy_server_new ();
  Conn first, again;

  conn_open (&first, BRAID_FACTORY (server));
  braid_test_receive (first.protocol, "HELLO carol\r\nMSG 1 one\r\nMSG 2 two\r\n");
  braid_assert_transport_wrote (first.transport, "WELCOME 0\r\nACK 1\r\nACK 2\r\n");
  conn_close (&first);
  /* The ACKs were lost with the connection: carol resends from 1. */
  conn_open (&again, BRAID_FACTORY (server));
  braid_test_receive (again.protocol, "HELLO carol\r\n");
  braid_assert_transport_wrote (again.transport, "WELCOME 2\r\n");
  braid_test_receive (again.protocol, "MSG 2 two\r\nMSG 3 three\r\n");
  braid_assert_transport_wrote (again.transport, "ACK 2\r\nACK 3\r\n");
  g_assert_cmpuint (lossy_server_get_transcript (server)->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (lossy_server_get_transcript (server), 2), ==,
                   "carol: three");
  conn_close (&again);
}

static void
test_server_takes_over_a_ghost (void)
{
  g_autoptr (LossyServer) server = lossy_server_new ();
  Conn ghost, fresh;

  conn_open (&ghost, BRAID_FACTORY (server));
  braid_test_receive (ghost.protocol, "HELLO carol\r\nMSG 1 one\r\n");
  conn_open (&fresh, BRAID_FACTORY (server));
  braid_test_receive (fresh.protocol, "HELLO carol\r\n");
  braid_assert_transport_wrote (fresh.transport, "WELCOME 1\r\n");
  g_assert_true (braid_string_transport_get_aborted (ghost.transport));
  /* The ghost's loss does not take the new connection out of the room. */
  braid_test_lose_connection (ghost.protocol, FALSE);
  braid_test_receive (fresh.protocol, "MSG 2 two\r\n");
  braid_assert_transport_wrote (fresh.transport, "ACK 2\r\n");
  conn_close (&ghost);
  conn_close (&fresh);
}

static void
assert_refused (const char *input, const char *answer)
{
  g_autoptr (LossyServer) server = lossy_server_new ();
  Conn c;

  conn_open (&c, BRAID_FACTORY (server));
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "lossy-chat: closing a connection: *");
  braid_test_receive (c.protocol, input);
  g_test_assert_expected_messages ();
  braid_assert_transport_wrote (c.transport, answer);
  g_assert_true (braid_string_transport_get_disconnecting (c.transport));
  g_assert_cmpuint (lossy_server_get_transcript (server)->len, ==, 0);
  conn_close (&c);
}

static void
test_server_refuses_bad_input (void)
{
  assert_refused ("MSG 1 hi\r\n", "ERROR say HELLO NAME first\r\n");
  assert_refused ("HELLO \r\n", "ERROR a name is 1 to 20 characters, no spaces\r\n");
  assert_refused ("HELLO a b\r\n", "ERROR a name is 1 to 20 characters, no spaces\r\n");
  assert_refused ("HELLO abcdefghijklmnopqrstu\r\n",
                  "ERROR a name is 1 to 20 characters, no spaces\r\n");
  assert_refused ("HELLO a\r\nHELLO b\r\n", "WELCOME 0\r\nERROR HELLO twice\r\n");
  assert_refused ("HELLO a\r\nMSG x hi\r\n", "WELCOME 0\r\nERROR usage: MSG SEQ TEXT\r\n");
  assert_refused ("HELLO a\r\nMSG 0 hi\r\n", "WELCOME 0\r\nERROR usage: MSG SEQ TEXT\r\n");
  assert_refused ("HELLO a\r\nMSG 3\r\n", "WELCOME 0\r\nERROR usage: MSG SEQ TEXT\r\n");
  assert_refused ("HELLO a\r\nMSG 2 skipped one\r\n", "WELCOME 0\r\nERROR message 2 before 1\r\n");
  assert_refused ("WHAT\r\n", "ERROR unknown command (HELLO NAME, MSG SEQ TEXT)\r\n");
  assert_refused ("HELLO \xff\r\n", "ERROR a line must be UTF-8 text\r\n");
}

/* A client on a string transport, its clock a fake clock. */
typedef struct
{
  BraidFakeClock *clock;
  LossyClient *client;
  Conn conn;
} Client;

static void
client_open (Client *c)
{
  c->clock = braid_fake_clock_new ();
  c->client = lossy_client_new (BRAID_CLOCK (c->clock), "alice");
  conn_open (&c->conn, BRAID_FACTORY (c->client));
}

static void
client_close (Client *c)
{
  conn_close (&c->conn);
  g_clear_object (&c->client);
  g_clear_object (&c->clock);
}

static void
test_client_sends_after_welcome_and_forgets_acked (void)
{
  Client c;

  client_open (&c);
  braid_assert_transport_wrote (c.conn.transport, "HELLO alice\r\n");
  lossy_client_say (c.client, "early");
  braid_assert_transport_wrote (c.conn.transport, "");
  braid_test_receive (c.conn.protocol, "WELCOME 0\r\n");
  braid_assert_transport_wrote (c.conn.transport, "MSG 1 early\r\n");
  g_assert_cmpuint (lossy_client_get_connections (c.client), ==, 1);
  lossy_client_say (c.client, "later");
  braid_assert_transport_wrote (c.conn.transport, "MSG 2 later\r\n");
  g_assert_cmpuint (lossy_client_get_unacked (c.client), ==, 2);
  braid_test_receive (c.conn.protocol, "ACK 1\r\n<bob> hi\r\n");
  g_assert_cmpuint (lossy_client_get_unacked (c.client), ==, 1);
  braid_test_receive (c.conn.protocol, "ACK 2\r\n");
  g_assert_cmpuint (lossy_client_get_unacked (c.client), ==, 0);
  g_assert_cmpuint (lossy_client_get_said (c.client), ==, 2);
  /* Nothing waits for an ACK: no timer gives the connection up. */
  braid_fake_clock_advance (c.clock, 10 * LOSSY_CHAT_ACK_TIMEOUT);
  g_assert_false (braid_string_transport_get_aborted (c.conn.transport));
  client_close (&c);
}

static void
test_client_gives_up_a_silent_connection (void)
{
  Client c;

  client_open (&c);
  braid_test_receive (c.conn.protocol, "WELCOME 0\r\n");
  lossy_client_say (c.client, "anyone?");
  braid_fake_clock_advance (c.clock, LOSSY_CHAT_ACK_TIMEOUT - 0.1);
  g_assert_false (braid_string_transport_get_aborted (c.conn.transport));
  braid_fake_clock_advance (c.clock, 0.1);
  g_assert_true (braid_string_transport_get_aborted (c.conn.transport));
  g_assert_cmpuint (lossy_client_get_unacked (c.client), ==, 1);
  client_close (&c);
}

static void
test_client_closes_on_an_error (void)
{
  Client c;

  client_open (&c);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*the server said \"ERROR nope\"");
  braid_test_receive (c.conn.protocol, "ERROR nope\r\n");
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_disconnecting (c.conn.transport));
  client_close (&c);
}

/* The lesson's demo run: carol is cut off from 2 s to 5 s. */
static void
test_demo_run_delivers_everything (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) transcript = g_string_new (NULL);
  LossyChatRun run = { .seed = 7, .messages = 5, .transcript = transcript };

  g_assert_true (lossy_chat_run (&run, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (transcript->str, "carol: carol #5\n"));
  /* carol waited for the heal at 5 s. */
  g_assert_cmpfloat (run.finished_at, >, 5.0);
}

static gboolean
random_run (guint32 seed, gpointer data, GError **error)
{
  LossyChatRun run = { .seed = seed, .messages = 5, .random_faults = TRUE };

  return lossy_chat_run (&run, error);
}

static void
test_random_faults_under_seeds (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_sim_run_seeds (random_run, NULL, 1000, 20, &error));
  g_assert_no_error (error);
}

static char *
journal_of (guint32 seed, gpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("lossy-chat-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "journal.jsonl", NULL);
  char *journal = NULL;
  LossyChatRun run = { .seed = seed, .messages = 3, .random_faults = TRUE, .journal = path };

  g_assert_true (lossy_chat_run (&run, NULL));
  g_assert_true (g_file_get_contents (path, &journal, NULL, NULL));
  g_unlink (path);
  g_rmdir (dir);
  return journal;
}

static void
test_a_seed_replays_identically (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *one = journal_of (3, NULL);
  g_autofree char *other = journal_of (4, NULL);

  g_assert_true (braid_sim_check_determinism (journal_of, NULL, 3, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (one, "\"event\":\"partition\""));
  g_assert_cmpstr (one, !=, other);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lossy-chat/server/welcomes-acks-and-broadcasts",
                   test_server_welcomes_acks_and_broadcasts);
  g_test_add_func ("/lossy-chat/server/drops-a-resend", test_server_drops_a_resend);
  g_test_add_func ("/lossy-chat/server/takes-over-a-ghost", test_server_takes_over_a_ghost);
  g_test_add_func ("/lossy-chat/server/refuses-bad-input", test_server_refuses_bad_input);
  g_test_add_func ("/lossy-chat/client/sends-after-welcome", test_client_sends_after_welcome_and_forgets_acked);
  g_test_add_func ("/lossy-chat/client/gives-up-a-silent-connection",
                   test_client_gives_up_a_silent_connection);
  g_test_add_func ("/lossy-chat/client/closes-on-an-error", test_client_closes_on_an_error);
  g_test_add_func ("/lossy-chat/sim/demo-delivers-everything", test_demo_run_delivers_everything);
  g_test_add_func ("/lossy-chat/sim/random-faults-under-seeds", test_random_faults_under_seeds);
  g_test_add_func ("/lossy-chat/sim/a-seed-replays-identically", test_a_seed_replays_identically);
  return g_test_run ();
}
