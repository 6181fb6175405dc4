/* framing-server.c: lesson 06's program.
 *
 *   framing-server             "LENGTH DATA" echo on port 8006
 *   framing-server --binary    32-bit length-prefixed echo */
#include <braid.h>

#include "framing.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidFactory) factory = NULL;
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8006;
  gboolean binary = FALSE;
  GOptionEntry entries[] = {
    { "binary", 'b', 0, G_OPTION_ARG_NONE, &binary, "Echo 32-bit length-prefixed frames", NULL },
    { NULL }
  };

  if (!lesson_parse_options (&argc, &argv, "Lesson 06: framing.", &port, entries, &error))
    return braid_exit_with_error (error);

  factory = braid_factory_new (binary ? INT32_TYPE_ECHO : LENGTH_TYPE_ECHO);
  listening = braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", &error);
  if (listening == NULL)
    return braid_exit_with_error (error);
  port = braid_listening_port_get_port (listening);   /* the real one, if 0 was asked */
  g_print ("%s echo listening on 127.0.0.1:%u\n", binary ? "Int32" : "Length", port);
  if (binary)
    g_print ("Try:  printf '\\0\\0\\0\\5hello' | nc 127.0.0.1 %u | xxd\n", port);
  else
    g_print ("Try:  printf '5 hello world' | nc 127.0.0.1 %u\n", port);
  braid_reactor_run (reactor);
  return 0;
}
