/* commands.c: lesson 09's exercise, the "/who" command.
 *
 * A line that starts with '/' is not published: pubsub.c hands it here,
 * without the '/'. Today every command is unknown. Make "/who" answer, to
 * the client who asked and to nobody else, with the number of connected
 * clients and their addresses, in the order they connected:
 *
 *   Connected (2): 127.0.0.1:40001, 127.0.0.1:40002
 *
 * Any other command keeps its answer, "Unknown command: /NAME (try /who)".
 *
 * Check your work with `tools/start check 09` (by hand:
 * `ninja -C build lessons/check-09-pubsub && build/lessons/check-09-pubsub`).
 * Stuck? `tools/start hint 09`. */
#include "commands.h"

void
pub_protocol_command (PubProtocol *self, const char *command)
{
  BraidLineReceiver *receiver = BRAID_LINE_RECEIVER (self);
  g_autofree char *answer = NULL;

  /* EXERCISE: when command is "who", send the list of connected clients
   * (the factory is braid_protocol_get_factory (BRAID_PROTOCOL (self)))
   * and return. */

  answer = g_strdup_printf ("Unknown command: /%s (try /who)", command);
  braid_line_receiver_send_line (receiver, answer);
}
