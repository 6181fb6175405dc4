/* commands.h: the commands of lesson 09's server (its exercise).
 *
 * A line that starts with '/' is not published: the server hands it, without
 * the '/', to pub_protocol_command(). The reference is solution/commands.c
 * (the program is built with it); exercise/commands.c is yours. */
#pragma once

#include "pubsub.h"

G_BEGIN_DECLS

void pub_protocol_command (PubProtocol *self,
                           const char  *command);

G_END_DECLS
