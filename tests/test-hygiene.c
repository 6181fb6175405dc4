/* test-hygiene.c: the check that fails a test which leaves things behind. */
#include <string.h>

#include "test-protocols.h"

static void
noop (gpointer data)
{
}

/* Each helper returns the line where the leftover is made, so that the
 * parent process knows what the child's failure message must name. */
static int
schedule_leftover (BraidClock *clock)
{
  braid_clock_call_later (clock, 5, noop, NULL, NULL); return __LINE__;
}

static int
open_leftover_loopback (BraidLoopback **loopback, BraidProtocol *server, BraidProtocol *client)
{
  *loopback = braid_loopback_new (server, client); return __LINE__;
}

static BraidFakeClock *kept_clock;
static BraidLoopback *kept_loopback;

/* ---- What the tests do in a child process, to fail on purpose. ---- */

static void
leave_a_pending_call (void)
{
  kept_clock = braid_fake_clock_new ();
  schedule_leftover (BRAID_CLOCK (kept_clock));
}

static void
destroy_a_clock_with_a_pending_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  schedule_leftover (BRAID_CLOCK (clock));
}

static void
leave_a_loopback_open (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);

  open_leftover_loopback (&kept_loopback, BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
}

static void
destroy_an_open_loopback (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = NULL;

  open_leftover_loopback (&loopback, BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));
}

/* ---- The tests proper. ---- */

static int
line_of_call_leftover (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  int line = schedule_leftover (BRAID_CLOCK (clock));
  g_autoptr (GPtrArray) calls = braid_fake_clock_get_delayed_calls (clock);
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_delayed_call_cancel (g_ptr_array_index (calls, 0), &error));
  return line;
}

static int
line_of_loopback_leftover (void)
{
  g_autoptr (RecordingProtocol) server = recording_protocol_new ("server", NULL);
  g_autoptr (RecordingProtocol) client = recording_protocol_new ("client", NULL);
  g_autoptr (BraidLoopback) loopback = NULL;
  int line = open_leftover_loopback (&loopback, BRAID_PROTOCOL (server), BRAID_PROTOCOL (client));

  braid_loopback_close (loopback);
  return line;
}

/* Runs the current test again in a child process, where @leave_leftover
 * runs instead and braid_test_add_func()'s check must then fail it. */
static void
run_child (const char *expected_pattern)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (expected_pattern);
}

static void
test_pending_call_fails_the_test_and_names_its_line (void)
{
  g_autofree char *pattern = NULL;

  if (g_test_subprocess ())
    {
      leave_a_pending_call ();
      return;
    }
  pattern =
    g_strdup_printf ("*the test left things behind:*a delayed call scheduled at "
                     "*test-hygiene.c:%d is still pending (due at 5 s on a BraidFakeClock)*",
                     line_of_call_leftover ());

  run_child (pattern);
}

static void
test_clock_destroyed_with_pending_call_fails_the_test (void)
{
  g_autofree char *pattern = NULL;

  if (g_test_subprocess ())
    {
      destroy_a_clock_with_a_pending_call ();
      return;
    }
  pattern =
    g_strdup_printf ("*the test left things behind:*test-hygiene.c:%d is still pending*",
                     line_of_call_leftover ());

  run_child (pattern);
}

static void
test_open_loopback_fails_the_test_and_names_its_line (void)
{
  g_autofree char *pattern = NULL;

  if (g_test_subprocess ())
    {
      leave_a_loopback_open ();
      return;
    }
  pattern =
    g_strdup_printf ("*the test left things behind:*a loopback created at "
                     "*test-hygiene.c:%d is still open (server RecordingProtocol, "
                     "client RecordingProtocol)*", line_of_loopback_leftover ());

  run_child (pattern);
}

static void
test_loopback_destroyed_open_fails_the_test (void)
{
  g_autofree char *pattern = NULL;

  if (g_test_subprocess ())
    {
      destroy_an_open_loopback ();
      return;
    }
  pattern =
    g_strdup_printf ("*the test left things behind:*a loopback created at "
                     "*test-hygiene.c:%d was destroyed while its connection was still open*",
                     line_of_loopback_leftover ());

  run_child (pattern);
}

static void
test_a_clean_test_collects_nothing (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();

  braid_clock_call_later (BRAID_CLOCK (clock), 1, noop, NULL, NULL);
  braid_fake_clock_advance (clock, 1);
  g_assert_null (braid_hygiene_collect ());
  braid_assert_no_leftovers ();
}

static char *
always_busy (GObject *object)
{
  return g_strdup_printf ("%s is busy", G_OBJECT_TYPE_NAME (object));
}

static void
test_custom_watch_and_report (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  braid_hygiene_watch (object, always_busy);
  braid_hygiene_report_leftover ("a socket opened at somewhere.c:12 was never closed");
  first = braid_hygiene_collect ();
  g_assert_cmpstr (first, ==, "a socket opened at somewhere.c:12 was never closed\nGObject is busy");

  /* Reports are forgotten once collected; live objects are asked again. */
  second = braid_hygiene_collect ();
  g_assert_cmpstr (second, ==, "GObject is busy");

  /* A finalized object is no longer watched. */
  g_object_unref (object);
  third = braid_hygiene_collect ();
  g_assert_null (third);
}

static void
test_misuse_is_refused (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*check != NULL*");
  braid_hygiene_watch (object, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*what != NULL*");
  braid_hygiene_report_leftover (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*testpath != NULL*");
  braid_test_add_func (NULL, test_misuse_is_refused);
  g_test_assert_expected_messages ();
  g_object_unref (object);
  g_assert_null (braid_hygiene_collect ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The test-hygiene check: a test that leaves a delayed call pending or a "
                  "loopback open fails, and the message names where each was created.");

  braid_test_add_func ("/hygiene/pending-call", test_pending_call_fails_the_test_and_names_its_line);
  braid_test_add_func ("/hygiene/destroyed-clock", test_clock_destroyed_with_pending_call_fails_the_test);
  braid_test_add_func ("/hygiene/open-loopback", test_open_loopback_fails_the_test_and_names_its_line);
  braid_test_add_func ("/hygiene/destroyed-loopback", test_loopback_destroyed_open_fails_the_test);
  braid_test_add_func ("/hygiene/clean", test_a_clean_test_collects_nothing);
  braid_test_add_func ("/hygiene/custom-watch-and-report", test_custom_watch_and_report);
  braid_test_add_func ("/hygiene/misuse", test_misuse_is_refused);

  return g_test_run ();
}
