/* two-servers.c: lesson 04's program: two servers, one reactor, one thread. */
#include <braid.h>

#include "greeters.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *hello, *bonjour;
  guint16 port = 1234;
  int bonjour_port = -1;      /* -1: not given, the next port after --port */
  GOptionEntry entries[] = {
    { "bonjour-port", 'b', 0, G_OPTION_ARG_INT, &bonjour_port,
      "The Bonjour server's port (default: the --port after)", "N" },
    { NULL }
  };

  if (!lesson_parse_options (&argc, &argv, "Lesson 04: two servers, one thread.",
                             &port, entries, &error))
    return braid_exit_with_error (error);
  if (bonjour_port < 0)
    bonjour_port = port == 0 ? 0 : port + 1;
  if (bonjour_port > 65535)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the Bonjour port must be at most 65535, not %d", bonjour_port);
      return braid_exit_with_error (error);
    }

  if (!two_servers_listen (reactor, port, (guint16) bonjour_port,
                           &hello, &bonjour, &error))
    return braid_exit_with_error (error);

  g_print ("Hello server listening on 127.0.0.1:%u    (nc 127.0.0.1 %u)\n",
           braid_listening_port_get_port (hello), braid_listening_port_get_port (hello));
  g_print ("Bonjour server listening on 127.0.0.1:%u  (nc 127.0.0.1 %u)\n",
           braid_listening_port_get_port (bonjour), braid_listening_port_get_port (bonjour));
  g_print ("One thread serves both. Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
