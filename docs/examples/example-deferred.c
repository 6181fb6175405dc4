/* example-deferred.c: docs/testing.md, "Results that arrive later".
 *
 * A slow lookup answers through a BraidDeferred one second after it is
 * asked (a stand-in for a resolver or a remote server); it runs on a clock,
 * so the test gives it a fake one. The deferred assertions check the
 * deferred's state at each step without waiting: no result yet, a value,
 * an error. */
#include <braid-fakes.h>

typedef struct
{
  BraidDeferred *deferred;
  char *name;
} Lookup;

static void
lookup_answer (gpointer data)
{
  Lookup *lookup = data;

  braid_deferred_callback (lookup->deferred, g_strdup_printf ("hello, %s", lookup->name), g_free);
}

static void
lookup_free (gpointer data)
{
  Lookup *lookup = data;

  braid_deferred_unref (lookup->deferred);
  g_free (lookup->name);
  g_free (lookup);
}

/* The code under test: answers "hello, NAME" one second from now. */
static BraidDeferred *
slow_greeting (BraidClock *clock, const char *name)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->deferred = braid_deferred_new ();
  lookup->name = g_strdup (name);
  braid_clock_call_later (clock, 1.0, lookup_answer, lookup, lookup_free);
  return braid_deferred_ref (lookup->deferred);
}

static void
test_greeting_arrives_after_one_second (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) greeting = slow_greeting (BRAID_CLOCK (clock), "braid");

  braid_assert_no_result (greeting);
  braid_fake_clock_advance (clock, 1.0);
  g_assert_cmpstr (braid_assert_success_result (greeting), ==, "hello, braid");
}

static void
test_greeting_times_out (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidDeferred) greeting = slow_greeting (BRAID_CLOCK (clock), "braid");
  g_autoptr (GError) error = NULL;

  braid_deferred_add_timeout (greeting, 0.5, BRAID_CLOCK (clock));
  braid_fake_clock_advance (clock, 0.5);
  error = braid_assert_failure_result (greeting, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* The late answer is ignored (the deferred was cancelled by the timeout). */
  braid_fake_clock_advance (clock, 0.5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("docs/testing.md: a deferred on a fake clock, checked with the deferred assertions.");
  braid_test_add_func ("/docs/deferred/greeting-arrives", test_greeting_arrives_after_one_second);
  braid_test_add_func ("/docs/deferred/greeting-times-out", test_greeting_times_out);
  return g_test_run ();
}
