/* shout-server.c: lesson 01's exercise as a program you can talk to. It
 * serves YOUR exercise/shout.c (not the reference solution), so what `nc`
 * shows is what your code does.
 *
 *     ninja -C build lessons/01-echo/shout-server
 *     build/lessons/01-echo/shout-server        # then: nc 127.0.0.1 8000 */
#include <braid.h>

#include "lesson-options.h"
#include "shout.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidFactory) factory = braid_factory_new (SHOUT_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8000;

  if (!lesson_parse_options (&argc, &argv, "Lesson 01's exercise: an echo that shouts.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  listening = braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (listening);
  g_print ("Shout server listening on 127.0.0.1:%u\n", port);
  g_print ("Talk to it from another terminal:  nc 127.0.0.1 %u\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
