/* test-two-servers-integration.c: lesson 04's two servers on one real
 * reactor, in one thread, over TCP on 127.0.0.1. */
#include <string.h>

#include <braid-fakes.h>

#include "greeters.h"
#include "lesson-integration.h"

typedef struct
{
  AskingFactory *hello_client;
  AskingFactory *bonjour_client;
} Clients;

static gboolean
both_done (gpointer data)
{
  Clients *clients = data;

  return asking_factory_is_done (clients->hello_client)
         && asking_factory_is_done (clients->bonjour_client);
}

static void
test_both_servers_answer_at_once (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (AskingFactory) hello_client =
    asking_factory_new ("world\n", strlen ("Hello, world\n"));
  g_autoptr (AskingFactory) bonjour_client =
    asking_factory_new ("le monde\n", strlen ("Bonjour, le monde\n"));
  g_autoptr (GError) error = NULL;
  Clients clients = { hello_client, bonjour_client };
  BraidListeningPort *hello, *bonjour;

  g_assert_true (two_servers_listen (reactor, 0, 0, &hello, &bonjour, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (braid_listening_port_get_port (hello), !=,
                    braid_listening_port_get_port (bonjour));

  /* Both clients connect before the reactor runs: the one thread serves
   * the two conversations interleaved. */
  asking_factory_connect (hello_client, reactor, braid_listening_port_get_port (hello));
  asking_factory_connect (bonjour_client, reactor, braid_listening_port_get_port (bonjour));
  g_assert_true (lesson_run_until (reactor, both_done, &clients, LESSON_INTEGRATION_TIMEOUT));

  g_assert_null (asking_factory_get_failure (hello_client));
  g_assert_null (asking_factory_get_failure (bonjour_client));
  g_assert_cmpstr (asking_factory_get_answer (hello_client), ==, "Hello, world\n");
  g_assert_cmpstr (asking_factory_get_answer (bonjour_client), ==, "Bonjour, le monde\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 04's Hello and Bonjour servers on one real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-04/integration/both-answer", test_both_servers_answer_at_once);

  return g_test_run ();
}
