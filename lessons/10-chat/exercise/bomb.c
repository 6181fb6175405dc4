/* bomb.c: lesson 10's exercise, the seeds' bomb.
 *
 * In the chat, "/bomb SECONDS" arms a bomb (chat.c hands SECONDS here, as
 * text). Today the bomb is not built. Make it work:
 *
 * - SECONDS must be a whole number from 1 to CHAT_BOMB_MAX_DELAY (3600);
 *   anything else answers, to the armer only,
 *   "Usage: /bomb SECONDS (1 to 3600).";
 * - one bomb at a time: while one is ticking, "/bomb" answers
 *   "A bomb is already ticking.";
 * - otherwise everyone in the room, the armer included, is warned:
 *   "alice armed a bomb: it explodes in 10 seconds!" ("1 second!" for 1),
 *   and the bomb is set on the factory's clock, and kept by the factory
 *   (chat_factory_set_bomb), which cancels it if the room empties;
 * - when it explodes, everyone still in the room hears
 *   "BOOM! The bomb exploded. Goodbye." and is disconnected; those who
 *   left in time are safe, and so are connections still choosing a name.
 *
 * Check your work with `tools/start check 10` (by hand:
 * `ninja -C build lessons/check-10-chat && build/lessons/check-10-chat`).
 * Stuck? `tools/start hint 10`. */
#include "bomb.h"

void
chat_bomb_command (ChatProtocol *armer, const char *arguments)
{
  /* EXERCISE: read the delay from arguments, warn the room, and arm the
   * bomb: braid_clock_call_later on chat_factory_get_clock, calling
   * chat_bomb_explode with the factory. */
  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (armer), "The bomb is not built yet.");
}

void
chat_bomb_explode (gpointer data)
{
  /* EXERCISE: the bomb goes off: say goodbye to everyone in the room
   * (chat_factory_list_users) and hang up on them. */
}
