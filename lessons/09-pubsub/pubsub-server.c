/* pubsub-server.c: lesson 09's program. Connect several `nc -C 127.0.0.1 8009`
 * and type: every line goes to everyone. */
#include <braid.h>

#include "lesson-options.h"
#include "pubsub.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8009;

  if (!lesson_parse_options (&argc, &argv, "Lesson 09: a publish/subscribe server.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  listening = pubsub_server_listen (reactor, port, &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (listening);   /* the real one, if 0 was asked */
  g_print ("Publish/subscribe server on 127.0.0.1:%u\n", port);
  g_print ("Connect from several terminals:  nc -C 127.0.0.1 %u\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
