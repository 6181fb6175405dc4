/* test-chat-integration.c: lesson 10's chat on a real reactor and real
 * sockets (127.0.0.1, a port chosen by the system). */
#include <string.h>

#include <braid-fakes.h>

#include "chat.h"
#include "lesson-integration.h"

#define ANSWER "What's your name?\r\nWelcome, alice!\r\n"

static void
test_a_real_client_registers (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (AskingFactory) client = asking_factory_new ("alice\r\n", strlen (ANSWER));
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;

  port = chat_server_listen (reactor, 0, &error);
  g_assert_no_error (error);
  asking_factory_connect (client, reactor, braid_listening_port_get_port (port));
  g_assert_true (lesson_run_until (reactor, asking_factory_is_done, client,
                                   LESSON_INTEGRATION_TIMEOUT));
  g_assert_null (asking_factory_get_failure (client));
  g_assert_cmpstr (asking_factory_get_answer (client), ==, ANSWER);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 10's chat on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-10/integration/register", test_a_real_client_registers);
  return g_test_run ();
}
