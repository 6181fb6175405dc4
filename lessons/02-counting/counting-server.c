/* counting-server.c: lesson 02's program. Connect several `nc 127.0.0.1 8000`. */
#include <braid.h>

#include "counting.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8000;

  if (!lesson_parse_options (&argc, &argv,
                             "Lesson 02: an echo server that counts its clients.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  listening = counting_server_listen (reactor, port, &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (listening);
  g_print ("Counting echo server listening on 127.0.0.1:%u\n", port);
  g_print ("Connect from several terminals:  nc 127.0.0.1 %u\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
