/* chatty.h: lesson 03's exercise. You complete exercise/chatty.c. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define CHATTY_TYPE_PROTOCOL (chatty_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ChattyProtocol, chatty_protocol, CHATTY, PROTOCOL, BraidProtocol)

ChattyProtocol *chatty_protocol_new       (const char * const *messages);
const char     *chatty_protocol_get_heard (ChattyProtocol     *self);

G_END_DECLS
