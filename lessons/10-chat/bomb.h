/* bomb.h: the bomb of lesson 10's chat (its exercise).
 *
 * In the CHAT state, "/bomb SECONDS" is handed to chat_bomb_command(). The
 * reference is solution/bomb.c (the program is built with it);
 * exercise/bomb.c is yours. */
#pragma once

#include "chat.h"

G_BEGIN_DECLS

/* The longest delay a bomb may be armed with, in seconds. */
#define CHAT_BOMB_MAX_DELAY 3600

void chat_bomb_command (ChatProtocol *armer,
                        const char   *arguments);
void chat_bomb_explode (gpointer      factory);

G_END_DECLS
