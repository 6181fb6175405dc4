/* test-clock-conformance-fake.c: the clock conformance suite on the fakes.
 *
 * BraidFakeClock and BraidMemoryReactor (a fake clock too) run the suite
 * that the real reactor also runs (see clock-conformance.h). */
#include "clock-conformance.h"

static BraidClock *
new_fake_clock (void)
{
  return BRAID_CLOCK (braid_fake_clock_new ());
}

static BraidClock *
new_memory_reactor (void)
{
  return BRAID_CLOCK (braid_memory_reactor_new ());
}

static void
advance_fake_clock (BraidClock *clock, gdouble seconds)
{
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (clock), seconds);
}

static void
free_clock (BraidClock *clock)
{
  g_object_unref (clock);
}

static const ClockConformanceHarness fake_clock_harness = {
  .new_clock = new_fake_clock,
  .advance = advance_fake_clock,
  .free_clock = free_clock,
  .time_scale = 1.0,
};

static const ClockConformanceHarness memory_reactor_harness = {
  .new_clock = new_memory_reactor,
  .advance = advance_fake_clock,
  .free_clock = free_clock,
  .time_scale = 1.0,
};

/* Odd units catch a clock that rounds deadlines to whole seconds. */
static const ClockConformanceHarness fine_fake_clock_harness = {
  .new_clock = new_fake_clock,
  .advance = advance_fake_clock,
  .free_clock = free_clock,
  .time_scale = 0.001,
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The clock conformance suite (ordering, cancel, reset, re-entrancy), "
                  "run on BraidFakeClock and BraidMemoryReactor.");

  clock_conformance_add_tests ("/clock-conformance/fake-clock", &fake_clock_harness);
  clock_conformance_add_tests ("/clock-conformance/fake-clock-ms", &fine_fake_clock_harness);
  clock_conformance_add_tests ("/clock-conformance/memory-reactor", &memory_reactor_harness);

  return g_test_run ();
}
