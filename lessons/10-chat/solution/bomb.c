/* bomb.c: lesson 10's exercise, the bomb (the reference). */
#include "bomb.h"

void
chat_bomb_command (ChatProtocol *armer, const char *arguments)
{
  BraidLineReceiver *receiver = BRAID_LINE_RECEIVER (armer);
  ChatFactory *factory = chat_protocol_get_chat_factory (armer);
  g_autofree char *warning = NULL;
  guint64 seconds;

  if (!g_ascii_string_to_unsigned (arguments, 10, 1, CHAT_BOMB_MAX_DELAY, &seconds, NULL))
    {
      braid_line_receiver_send_line (receiver, "Usage: /bomb SECONDS (1 to 3600).");
      return;
    }
  if (chat_factory_get_bomb (factory) != NULL)
    {
      braid_line_receiver_send_line (receiver, "A bomb is already ticking.");
      return;
    }

  warning = g_strdup_printf ("%s armed a bomb: it explodes in %" G_GUINT64_FORMAT " second%s!",
                             chat_protocol_get_name (armer), seconds, seconds == 1 ? "" : "s");
  chat_factory_broadcast (factory, NULL, warning);
  /* The factory keeps the timer: it cancels it if the room empties. */
  chat_factory_set_bomb (factory, braid_clock_call_later (chat_factory_get_clock (factory),
                                                          seconds, chat_bomb_explode,
                                                          factory, NULL));
}

void
chat_bomb_explode (gpointer data)
{
  ChatFactory *factory = data;
  /* A snapshot: hanging up makes users leave the room. */
  g_autoptr (GPtrArray) victims = chat_factory_list_users (factory);

  chat_factory_set_bomb (factory, NULL);   /* it went off: none is ticking */
  for (guint i = 0; i < victims->len; i++)
    {
      ChatProtocol *victim = g_ptr_array_index (victims, i);

      braid_line_receiver_send_line (BRAID_LINE_RECEIVER (victim), "BOOM! The bomb exploded. Goodbye.");
      braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (victim)));
    }
}
