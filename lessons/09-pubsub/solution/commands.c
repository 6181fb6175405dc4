/* commands.c: lesson 09's exercise, the "/who" command (the reference). */
#include "commands.h"

/* "Connected (2): 127.0.0.1:40001, 127.0.0.1:40002" */
static char *
describe_clients (PubFactory *factory)
{
  guint count = pub_factory_get_num_clients (factory);
  GString *answer = g_string_new (NULL);

  g_string_printf (answer, "Connected (%u): ", count);
  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        g_string_append (answer, ", ");
      g_string_append (answer, pub_protocol_get_address (pub_factory_get_client (factory, i)));
    }
  return g_string_free (answer, FALSE);
}

void
pub_protocol_command (PubProtocol *self, const char *command)
{
  BraidLineReceiver *receiver = BRAID_LINE_RECEIVER (self);
  g_autofree char *answer = NULL;

  if (g_strcmp0 (command, "who") == 0)
    {
      PubFactory *factory = PUB_FACTORY (braid_protocol_get_factory (BRAID_PROTOCOL (self)));

      answer = describe_clients (factory);
      braid_line_receiver_send_line (receiver, answer);
      return;
    }

  answer = g_strdup_printf ("Unknown command: /%s (try /who)", command);
  braid_line_receiver_send_line (receiver, answer);
}
