/* check-bomb.c: the check of lesson 10's exercise, the bomb, on a fake clock. */
#include <string.h>

#include <braid-fakes.h>

#include "bomb.h"
#include "recording-protocol.h"
#include "test-helpers.h"

#define BOOM "BOOM! The bomb exploded. Goodbye.\r\n"

/* Everyone is warned; whoever is in the room when it explodes is gone. */
static void
run_everyone_in_the_room (gsize chunk_size)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  const char *warning = "alice armed a bomb: it explodes in 10 seconds!\r\n";
  User alice, bob, carol;

  user_join (&alice, factory, "alice", chunk_size);
  user_join (&bob, factory, "bob", chunk_size);
  user_join (&carol, factory, "carol", chunk_size);
  user_hears (&alice, "bob has joined the channel.\r\ncarol has joined the channel.\r\n");
  user_hears (&bob, "carol has joined the channel.\r\n");

  user_say (&alice, "/bomb 10\r\n");
  user_hears (&alice, warning);
  user_hears (&bob, warning);
  user_hears (&carol, warning);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);

  braid_fake_clock_advance (clock, 9.9);
  user_hears (&bob, "");
  g_assert_true (braid_loopback_is_open (bob.loopback));

  braid_fake_clock_advance (clock, 0.1);
  user_hears (&alice, BOOM);
  user_hears (&bob, BOOM);
  user_hears (&carol, BOOM);
  g_assert_false (braid_loopback_is_open (alice.loopback));
  g_assert_false (braid_loopback_is_open (bob.loopback));
  g_assert_false (braid_loopback_is_open (carol.loopback));
  g_assert_cmpuint (chat_factory_get_num_users (factory), ==, 0);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);

  user_clear (&alice);
  user_clear (&bob);
  user_clear (&carol);
}

static void
test_everyone_in_the_room_byte_by_byte (void)
{
  run_everyone_in_the_room (1);
}

static void
test_everyone_in_the_room_all_at_once (void)
{
  run_everyone_in_the_room (0);
}

/* Bob leaves in time; Dave is still choosing a name: both are safe. */
static void
test_who_left_in_time_is_safe (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice, bob, dave;

  user_join (&alice, factory, "alice", 0);
  user_join (&bob, factory, "bob", 0);
  user_join (&dave, factory, NULL, 0);
  user_hears (&alice, "bob has joined the channel.\r\n");

  user_say (&bob, "/bomb 1\r\n");
  user_hears (&alice, "bob armed a bomb: it explodes in 1 second!\r\n");
  user_hears (&bob, "bob armed a bomb: it explodes in 1 second!\r\n");
  user_hears (&dave, "");

  braid_fake_clock_advance (clock, 0.5);
  user_leave (&bob);
  user_hears (&alice, "bob has left the channel.\r\n");
  braid_fake_clock_advance (clock, 0.5);

  user_hears (&alice, BOOM);
  g_assert_false (braid_loopback_is_open (alice.loopback));
  user_hears (&bob, "");
  g_assert_true (braid_error_is_clean_close (recording_protocol_get_reason (bob.client)));
  user_hears (&dave, "");
  g_assert_true (braid_loopback_is_open (dave.loopback));

  /* Once it went off, the room can be joined, and a new bomb armed. */
  user_say (&dave, "dave\r\n");
  user_hears (&dave, "Welcome, dave!\r\n");
  user_say (&dave, "/bomb 5\r\n");
  user_hears (&dave, "dave armed a bomb: it explodes in 5 seconds!\r\n");
  braid_fake_clock_advance (clock, 5);
  user_hears (&dave, BOOM);

  user_clear (&alice);
  user_clear (&bob);
  user_clear (&dave);
}

static void
test_bad_delays_are_refused (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  const char *usage = "Usage: /bomb SECONDS (1 to 3600).\r\n";
  const char *bad[] = { "/bomb\r\n", "/bomb \r\n", "/bomb 0\r\n", "/bomb ten\r\n",
                        "/bomb 3601\r\n", "/bomb -5\r\n", "/bomb 5s\r\n", "/bomb 99999999999999999999\r\n" };
  User alice, bob;

  user_join (&alice, factory, "alice", 0);
  user_join (&bob, factory, "bob", 0);
  user_hears (&alice, "bob has joined the channel.\r\n");
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      user_say (&alice, bad[i]);
      user_hears (&alice, usage);
      user_hears (&bob, "");
      g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
    }

  user_say (&alice, "/bomb 3600\r\n");
  user_hears (&bob, "alice armed a bomb: it explodes in 3600 seconds!\r\n");
  user_clear (&alice);
  user_clear (&bob);
}

static void
test_one_bomb_at_a_time (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice, bob;

  user_join (&alice, factory, "alice", 0);
  user_join (&bob, factory, "bob", 0);
  user_say (&alice, "/bomb 10\r\n");
  recording_protocol_clear (bob.client);
  user_hears (&bob, "alice armed a bomb: it explodes in 10 seconds!\r\n");

  user_say (&bob, "/bomb 2\r\n");
  user_hears (&bob, "A bomb is already ticking.\r\n");
  user_hears (&alice, "bob has joined the channel.\r\nalice armed a bomb: it explodes in 10 seconds!\r\n");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);

  braid_fake_clock_advance (clock, 2);
  user_hears (&bob, "");
  braid_fake_clock_advance (clock, 8);
  user_hears (&alice, BOOM);
  user_hears (&bob, BOOM);
  user_clear (&alice);
  user_clear (&bob);
}

/* The bomb is kept by the factory: when everyone has left, no timer is
 * left behind (the test-hygiene check would name it). */
static void
test_an_empty_room_defuses_the_bomb (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (clock));
  User alice;

  user_join (&alice, factory, "alice", 0);
  user_say (&alice, "/bomb 60\r\n");
  user_hears (&alice, "alice armed a bomb: it explodes in 60 seconds!\r\n");
  g_assert_nonnull (chat_factory_get_bomb (factory));
  user_leave (&alice);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
  user_clear (&alice);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 10 exercise: a bomb that disconnects whoever is still in the room");

  braid_test_add_func ("/lesson10/exercise/everyone-in-the-room-byte-by-byte", test_everyone_in_the_room_byte_by_byte);
  braid_test_add_func ("/lesson10/exercise/everyone-in-the-room-all-at-once", test_everyone_in_the_room_all_at_once);
  braid_test_add_func ("/lesson10/exercise/left-in-time", test_who_left_in_time_is_safe);
  braid_test_add_func ("/lesson10/exercise/bad-delays", test_bad_delays_are_refused);
  braid_test_add_func ("/lesson10/exercise/one-at-a-time", test_one_bomb_at_a_time);
  braid_test_add_func ("/lesson10/exercise/empty-room", test_an_empty_room_defuses_the_bomb);
  return g_test_run ();
}
