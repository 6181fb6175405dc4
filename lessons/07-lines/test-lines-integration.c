/* test-lines-integration.c: lesson 07's HTTP echo on a real reactor and
 * real sockets (127.0.0.1, a port chosen by the system). */
#include <string.h>

#include <braid-fakes.h>

#include "lines.h"
#include "lesson-integration.h"

static void
test_http_echo_over_tcp (void)
{
  const char *request = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  const char *response =
    "HTTP/1.0 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 44\r\n"
    "\r\n"
    "You said:\r\n\r\nGET / HTTP/1.0\r\nHost: 127.0.0.1";
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (BraidFactory) factory = braid_factory_new (HTTP_TYPE_ECHO);
  g_autoptr (AskingFactory) client = asking_factory_new (request, strlen (response));
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;

  port = braid_reactor_listen_tcp (reactor, 0, factory, "127.0.0.1", &error);
  g_assert_no_error (error);
  asking_factory_connect (client, reactor, braid_listening_port_get_port (port));
  g_assert_true (lesson_run_until (reactor, asking_factory_is_done, client,
                                   LESSON_INTEGRATION_TIMEOUT));
  g_assert_null (asking_factory_get_failure (client));
  g_assert_cmpstr (asking_factory_get_answer (client), ==, response);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 07's HTTP echo on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-07/integration/http-echo", test_http_echo_over_tcp);
  return g_test_run ();
}
