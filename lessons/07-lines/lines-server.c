/* lines-server.c: lesson 07's program.
 *
 *   lines-server           numbered echo on port 8007 (nc 127.0.0.1 8007)
 *   lines-server --http    the HTTP echo (curl http://127.0.0.1:8007/) */
#include <braid.h>

#include "lesson-options.h"
#include "lines.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidFactory) factory = NULL;
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8007;
  gboolean http = FALSE;
  GOptionEntry entries[] = {
    { "http", 0, 0, G_OPTION_ARG_NONE, &http, "Run the HTTP echo server", NULL },
    { NULL }
  };

  if (!lesson_parse_options (&argc, &argv, "Lesson 07: lines.", &port, entries, &error))
    return braid_exit_with_error (error);

  /* The HTTP echo closes a client that leaves its request unfinished. */
  factory = http ? http_echo_factory_new (BRAID_CLOCK (reactor))
                 : braid_factory_new (NUMBERED_TYPE_ECHO);
  listening = braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", &error);
  if (listening == NULL)
    return braid_exit_with_error (error);
  port = braid_listening_port_get_port (listening);   /* the real one, if 0 was asked */
  if (http)
    g_print ("HTTP echo on 127.0.0.1:%u; try:  curl -i http://127.0.0.1:%u/\n", port, port);
  else
    g_print ("Numbered echo on 127.0.0.1:%u; try:  nc -C 127.0.0.1 %u\n", port, port);
  braid_reactor_run (reactor);
  return 0;
}
