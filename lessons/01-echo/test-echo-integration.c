/* test-echo-integration.c: lesson 01's echo server on a real reactor and
 * real sockets (127.0.0.1, a port chosen by the system). */
#include <string.h>

#include <braid-fakes.h>

#include "echo.h"
#include "lesson-integration.h"

/* Starts the echo server, sends @question from a real client, and checks
 * that exactly @question comes back. */
static void
assert_echoes (const char *question)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (AskingFactory) client = asking_factory_new (question, strlen (question));
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;

  port = echo_server_listen (reactor, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (braid_listening_port_get_port (port), !=, 0);

  asking_factory_connect (client, reactor, braid_listening_port_get_port (port));
  g_assert_true (lesson_run_until (reactor, asking_factory_is_done, client,
                                   LESSON_INTEGRATION_TIMEOUT));
  g_assert_null (asking_factory_get_failure (client));
  g_assert_cmpstr (asking_factory_get_answer (client), ==, question);
}

static void
test_echo_over_tcp (void)
{
  assert_echoes ("hello, world\r\n");
}

/* Big enough to arrive in many pieces and to fill the socket buffers, so
 * the transport's write buffering is exercised too. */
static void
test_echo_of_a_large_message (void)
{
  gsize size = 512 * 1024;
  g_autofree char *question = g_malloc (size + 1);

  for (gsize i = 0; i < size; i++)
    question[i] = 'a' + (char) (i % 26);
  question[size] = '\0';
  assert_echoes (question);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 01's echo server on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-01/integration/echo", test_echo_over_tcp);
  braid_test_add_func ("/lesson-01/integration/large-message", test_echo_of_a_large_message);

  return g_test_run ();
}
