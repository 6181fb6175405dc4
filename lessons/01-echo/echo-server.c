/* echo-server.c: lesson 01's program. Run it, then `nc 127.0.0.1 8000`. */
#include <braid.h>

#include "echo.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8000;

  if (!lesson_parse_options (&argc, &argv, "Lesson 01: an echo server.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  listening = echo_server_listen (reactor, port, &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (listening);
  g_print ("Echo server listening on 127.0.0.1:%u\n", port);
  g_print ("Talk to it from another terminal:  nc 127.0.0.1 %u\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
