/* test-echo-client-integration.c: lesson 03's echo client against lesson
 * 01's echo server, both on one real reactor, over TCP on 127.0.0.1. */
#include <braid-fakes.h>

#include "echo-client.h"
#include "echo.h"
#include "lesson-integration.h"

/* A LessonCondition: the exchange is over, well or not. */
static gboolean
exchange_over (gpointer factory)
{
  g_autoptr (GError) error = NULL;

  return echo_client_factory_succeeded (ECHO_CLIENT_FACTORY (factory), &error)
         || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING);
}

static void
test_client_and_server_talk (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (EchoClientFactory) client = echo_client_factory_new ("Hello, world!");
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;

  port = echo_server_listen (reactor, 0, &error);
  g_assert_no_error (error);
  braid_reactor_connect_tcp (reactor, "127.0.0.1", braid_listening_port_get_port (port),
                             BRAID_CLIENT_FACTORY (client));

  /* The client stops the reactor itself; the timeout is only a guard. */
  g_assert_true (lesson_run_until (reactor, exchange_over, client,
                                   LESSON_INTEGRATION_TIMEOUT));
  g_assert_true (echo_client_factory_succeeded (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (echo_client_factory_get_reply (client), ==, "Hello, world!");
}

/* Nobody listens any more on the port: the connection is refused, and the
 * client stops the reactor with that reason. */
static void
test_refused_connection_is_reported (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (EchoClientFactory) client = echo_client_factory_new ("anyone?");
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;
  guint16 closed_port;

  port = echo_server_listen (reactor, 0, &error);
  g_assert_no_error (error);
  closed_port = braid_listening_port_get_port (port);
  braid_listening_port_stop_listening (port);

  braid_reactor_connect_tcp (reactor, "127.0.0.1", closed_port, BRAID_CLIENT_FACTORY (client));
  g_assert_true (lesson_run_until (reactor, exchange_over, client,
                                   LESSON_INTEGRATION_TIMEOUT));
  g_assert_false (echo_client_factory_succeeded (client, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 03's echo client and lesson 01's echo server on one real "
                  "reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-03/integration/talk", test_client_and_server_talk);
  braid_test_add_func ("/lesson-03/integration/refused", test_refused_connection_is_reported);

  return g_test_run ();
}
