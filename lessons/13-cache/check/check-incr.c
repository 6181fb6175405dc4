/* check-incr.c: the check of lesson 13's exercise, `incr KEY`. */
#include <braid-fakes.h>

#include "test-helpers.h"

static void
test_incr_counts (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "set hits 41\r\nincr hits\r\nincr hits\r\nget hits\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\n42\r\n43\r\n43\r\n");
  cache_close (&c);
}

static void
test_incr_missing_key (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "incr nothere\r\n");
  braid_assert_transport_wrote (c.transport, "NOT FOUND\r\n");
  cache_close (&c);
}

static void
test_incr_not_a_number (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "set name bob\r\nincr name\r\nget name\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\nERROR not a number\r\nbob\r\n");
  cache_close (&c);
}

static void
test_incr_usage (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "incr\r\nincr a b\r\n");
  braid_assert_transport_wrote (c.transport, "ERROR usage: incr KEY\r\nERROR usage: incr KEY\r\n");
  cache_close (&c);
}

static void
test_incr_wraps_at_64_bits (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "set big 18446744073709551615\r\nincr big\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\n0\r\n");
  cache_close (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/incr/counts", test_incr_counts);
  g_test_add_func ("/incr/missing-key", test_incr_missing_key);
  g_test_add_func ("/incr/not-a-number", test_incr_not_a_number);
  g_test_add_func ("/incr/usage", test_incr_usage);
  g_test_add_func ("/incr/wraps-at-64-bits", test_incr_wraps_at_64_bits);
  return g_test_run ();
}
