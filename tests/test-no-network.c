/* test-no-network.c: proves that the unit suite's socket guard works. */
#include <braid-fakes.h>

static void
test_opening_a_socket_fails_the_test (void)
{
  if (g_test_subprocess ())
    {
      GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL);

      /* Not reached while the guard works: socket() aborts. */
      g_clear_object (&socket);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*a unit test tried to open a socket*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("A unit test that opens a socket fails, naming the rule it broke.");
  g_test_add_func ("/no-network/socket-fails-the-test", test_opening_a_socket_fails_the_test);
  return g_test_run ();
}
