/* echo-client-main.c: lesson 03's program. Start lesson 01's server first. */
#include <braid.h>

#include "echo-client.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (EchoClientFactory) factory = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *host = NULL;      /* NULL until given: the defaults */
  g_autofree char *message = NULL;   /* are set after parsing, below */
  guint16 port = 8000;
  GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host, "The server's address", "HOST" },
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, "What to send", "TEXT" },
    { NULL }
  };

  if (!lesson_parse_options (&argc, &argv, "Lesson 03: an echo client.",
                             &port, entries, &error))
    return braid_exit_with_error (error);

  if (host == NULL)
    host = g_strdup ("127.0.0.1");
  if (message == NULL)
    message = g_strdup ("Hello, world!");
  if (message[0] == '\0')
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--message must not be empty: an empty echo never ends");
      return braid_exit_with_error (error);
    }

  factory = echo_client_factory_new (message);
  g_print ("Connecting to %s:%u to say \"%s\"\n", host, port, message);
  braid_reactor_connect_tcp (reactor, host, port, BRAID_CLIENT_FACTORY (factory));
  braid_reactor_run (reactor);

  if (!echo_client_factory_succeeded (factory, &error))
    return braid_exit_with_error (error);
  g_print ("Server said: %s\n", echo_client_factory_get_reply (factory));
  return 0;
}
