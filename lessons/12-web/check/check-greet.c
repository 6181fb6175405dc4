/* check-greet.c: the check of lesson 12's exercise, /greet/NAME and
 * /greet-later/NAME, on a fake clock and fake requests: each request walks
 * the tree as a site would walk it. */
#include <braid-fakes.h>

#include "test-helpers.h"

typedef struct
{
  BraidFakeClock *clock;
  BraidResource *root;
} Site;

/* A root with /greet and /greet-later, as web-server has them. */
static void
site_open (Site *s)
{
  g_autoptr (BraidResource) greet = NULL;
  g_autoptr (BraidResource) greet_later = NULL;

  s->clock = braid_fake_clock_new ();
  s->root = braid_resource_new ();
  greet = greet_resource_new (BRAID_CLOCK (s->clock), 0);
  greet_later = greet_resource_new (BRAID_CLOCK (s->clock), GREET_LATER_SECONDS);
  braid_resource_put_child (s->root, "greet", greet);
  braid_resource_put_child (s->root, "greet-later", greet_later);
}

static void
site_close (Site *s)
{
  g_clear_object (&s->root);
  g_clear_object (&s->clock);
}

static void
test_a_child_per_segment (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) alice = NULL;
  g_autoptr (BraidFakeRequest) bob = NULL;

  site_open (&s);
  alice = web_test_get (s.root, "/greet/alice");
  web_assert_answer (alice, 200, "Hello, alice!\n", "each name is a child of /greet");
  g_assert_cmpstr (braid_request_get_response_header (BRAID_REQUEST (alice), "Content-Type"), ==,
                   "text/plain; charset=utf-8");
  bob = web_test_get (s.root, "/greet/bob");
  web_assert_answer (bob, 200, "Hello, bob!\n", "any name, not only one");
  site_close (&s);
}

static void
test_segments_are_decoded (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) request = NULL;

  site_open (&s);
  request = web_test_get (s.root, "/greet/J%C3%BCrgen");
  web_assert_answer (request, 200, "Hello, J\xc3\xbcrgen!\n",
                     "the segment arrives percent-decoded: greet it as it is");
  site_close (&s);
}

static void
test_no_name_is_not_found (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) empty = NULL;
  g_autoptr (BraidFakeRequest) deeper = NULL;

  site_open (&s);
  empty = web_test_get (s.root, "/greet/");
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (empty)));
  if (braid_request_get_response_code (BRAID_REQUEST (empty)) != 404)
    g_error ("GET /greet/ has no name: it should be a 404, but it answered %u",
             braid_request_get_response_code (BRAID_REQUEST (empty)));
  deeper = web_test_get (s.root, "/greet/alice/more");
  if (braid_request_get_response_code (BRAID_REQUEST (deeper)) != 404)
    g_error ("GET /greet/alice/more: a name has no children, it should be a 404, "
             "but it answered %u", braid_request_get_response_code (BRAID_REQUEST (deeper)));
  site_close (&s);
}

static void
test_greet_later_answers_after_a_second (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) request = NULL;

  site_open (&s);
  request = web_test_get (s.root, "/greet-later/bob");
  web_assert_waiting (request, "the answer comes one second later, not at once");
  braid_fake_clock_advance (s.clock, GREET_LATER_SECONDS - 0.001);
  web_assert_waiting (request, "still waiting, a millisecond before the second is over");
  braid_fake_clock_advance (s.clock, 0.001);
  web_assert_answer (request, 200, "Hello, bob!\n", "one second later, the greeting");
  site_close (&s);
}

static void
test_greet_later_does_not_block (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) first = NULL;
  g_autoptr (BraidFakeRequest) second = NULL;
  g_autoptr (BraidFakeRequest) now = NULL;

  site_open (&s);
  first = web_test_get (s.root, "/greet-later/alice");
  second = web_test_get (s.root, "/greet-later/bob");
  now = web_test_get (s.root, "/greet/carol");
  web_assert_answer (now, 200, "Hello, carol!\n",
                     "while two greetings wait, other pages answer at once");
  braid_fake_clock_advance (s.clock, GREET_LATER_SECONDS);
  web_assert_answer (first, 200, "Hello, alice!\n", "both waiting greetings come after one second");
  web_assert_answer (second, 200, "Hello, bob!\n",
                     "both come after the same second, not one after the other");
  site_close (&s);
}

static void
test_client_goes_away (void)
{
  Site s;
  g_autoptr (BraidFakeRequest) request = NULL;

  site_open (&s);
  request = web_test_get (s.root, "/greet-later/bob");
  braid_fake_clock_advance (s.clock, 0.5);
  braid_request_connection_lost (BRAID_REQUEST (request), NULL);
  if (braid_fake_clock_get_pending_count (s.clock) != 0)
    g_error ("the client went away: the timer of its greeting should be cancelled, but %u "
             "call(s) still wait on the clock", braid_fake_clock_get_pending_count (s.clock));
  braid_fake_clock_advance (s.clock, GREET_LATER_SECONDS);
  web_assert_waiting (request, "nothing is written for a client that went away");
  site_close (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  braid_test_add_func ("/greet/a-child-per-segment", test_a_child_per_segment);
  braid_test_add_func ("/greet/segments-are-decoded", test_segments_are_decoded);
  braid_test_add_func ("/greet/no-name-is-not-found", test_no_name_is_not_found);
  braid_test_add_func ("/greet-later/after-a-second", test_greet_later_answers_after_a_second);
  braid_test_add_func ("/greet-later/does-not-block", test_greet_later_does_not_block);
  braid_test_add_func ("/greet-later/client-goes-away", test_client_goes_away);
  return g_test_run ();
}
