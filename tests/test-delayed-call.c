/* test-delayed-call.c: who owns the call braid_clock_call_later()
 * returns. The clock does (transfer none); a caller keeps it with a
 * reference of its own. */
#include <braid-fakes.h>

static void
count_call (gpointer data)
{
  (*(guint *) data)++;
}

/* The natural mistake: holding the clock's call in a g_autoptr without a
 * reference. Dropping it at the end of the scope is reported, and the call
 * stays pending and fires, instead of the clock reading freed memory. */
static void
test_autoptr_without_a_reference_is_caught (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL,
                         "*test-delayed-call.c:*its clock owns it*(transfer none)*");
  {
    g_autoptr (BraidDelayedCall) call =
      braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL);

    g_assert_true (braid_delayed_call_active (call));
  }
  g_test_assert_expected_messages ();

  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
}

/* The right way: a reference of one's own, kept past the call. */
static void
test_autoptr_with_a_reference_keeps_the_call (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    g_object_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));

  braid_fake_clock_advance (clock, 1);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_true (braid_delayed_call_called (call));
  g_assert_cmpuint (G_OBJECT (call)->ref_count, ==, 1);
}

/* A clock that goes away cancels its pending calls: that drops its
 * references quietly, while the caller's own reference stays valid. */
static void
test_clock_freed_with_a_kept_call (void)
{
  BraidFakeClock *clock = braid_fake_clock_new ();
  guint calls = 0;
  g_autoptr (BraidDelayedCall) call =
    g_object_ref (braid_clock_call_later (BRAID_CLOCK (clock), 1, count_call, &calls, NULL));

  braid_delayed_call_cancel (call, NULL);
  g_object_unref (clock);
  g_assert_true (braid_delayed_call_cancelled (call));
  g_assert_cmpuint (calls, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/delayed-call/ownership/autoptr-without-reference",
                       test_autoptr_without_a_reference_is_caught);
  braid_test_add_func ("/delayed-call/ownership/autoptr-with-reference",
                       test_autoptr_with_a_reference_keeps_the_call);
  braid_test_add_func ("/delayed-call/ownership/clock-freed", test_clock_freed_with_a_kept_call);

  return g_test_run ();
}
