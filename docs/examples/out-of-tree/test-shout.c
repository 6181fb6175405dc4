/* test-shout.c: the protocol's unit test on Braid's fakes (pkg-config
 * braid-fakes-1): no socket, no real time. A GTest program: run it, or let
 * `meson test` / `make check` run it. */
#include <braid-fakes.h>

#include "shout.h"

static void
test_shout_answers_in_upper_case (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (SHOUT_TYPE_PROTOCOL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) shout = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (shout, BRAID_TRANSPORT (transport));
  braid_protocol_data_received (shout, (const guint8 *) "hello", 5);
  braid_assert_transport_wrote (transport, "HELLO");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shout/answers-in-upper-case", test_shout_answers_in_upper_case);
  return g_test_run ();
}
