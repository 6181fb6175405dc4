/* no-network.c: makes a unit test fail if it opens a socket.
 *
 * The `unit` suite promises "no socket, no real network". Rather than trust
 * that, every unit test binary is linked with this file. It defines
 * socket() itself: because a program's own definition of a function takes
 * precedence over the C library's for every caller in the process (symbol
 * interposition), any socket opened by the test, by libbraid or by GIO lands
 * here and aborts the test with a message naming the culprit. */
#include <sys/socket.h>

#include <glib.h>

int
socket (int domain, int type, int protocol)
{
  g_error ("a unit test tried to open a socket (domain %d, type %d): unit tests "
           "must use BraidStringTransport, BraidLoopback or BraidMemoryReactor; "
           "move tests that need the network to the 'integration' suite",
           domain, type);
  return -1;
}
