/* chat-server.c: lesson 10's program. Connect several `nc -C 127.0.0.1 8010`,
 * choose names and talk; "/bomb 10" arms the bomb. */
#include <braid.h>

#include "chat.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  guint16 port = 8010;

  if (!lesson_parse_options (&argc, &argv, "Lesson 10: a state-machine chat, with a bomb.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  /* The reactor is the chat's clock too: the bomb ticks on it. */
  listening = chat_server_listen (reactor, port, &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (listening);   /* the real one, if 0 was asked */
  g_print ("Chat server on 127.0.0.1:%u\n", port);
  g_print ("Connect from several terminals:  nc -C 127.0.0.1 %u\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
