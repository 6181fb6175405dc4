/* chat.h: lesson 10's state-machine chat, shared by the program and its
 * tests. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* The longest line a client may send, in bytes (without "\r\n"). */
#define CHAT_MAX_LINE_LENGTH 1024
/* The longest name, in characters. */
#define CHAT_MAX_NAME_LENGTH 20

/* The program closes a connection that sends nothing for this long (the
 * others hear that its user left): a chat server cannot keep every silent
 * socket forever. Five minutes is long for a person, short for a flood of
 * connections that never speak. */
#define CHAT_IDLE_TIMEOUT_SECONDS 300

/* Where a connection is in its conversation: first it chooses a name
 * (REGISTER), then it talks (CHAT). */
typedef enum
{
  CHAT_STATE_REGISTER,
  CHAT_STATE_CHAT,
} ChatState;

#define CHAT_TYPE_FACTORY (chat_factory_get_type ())
G_DECLARE_FINAL_TYPE (ChatFactory, chat_factory, CHAT, FACTORY, BraidFactory)

#define CHAT_TYPE_PROTOCOL (chat_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ChatProtocol, chat_protocol, CHAT, PROTOCOL, BraidLineReceiver)

ChatFactory        *chat_factory_new           (BraidClock       *clock);
BraidClock         *chat_factory_get_clock     (ChatFactory      *self);
void                chat_factory_set_idle_timeout (ChatFactory   *self,
                                                   gdouble        seconds);
gdouble             chat_factory_get_idle_timeout (ChatFactory   *self);
guint               chat_factory_get_num_users (ChatFactory      *self);
GPtrArray          *chat_factory_list_users    (ChatFactory      *self);
void                chat_factory_broadcast     (ChatFactory      *self,
                                                ChatProtocol     *except,
                                                const char       *line);
BraidDelayedCall   *chat_factory_get_bomb      (ChatFactory      *self);
void                chat_factory_set_bomb      (ChatFactory      *self,
                                                BraidDelayedCall *bomb);

ChatState           chat_protocol_get_state    (ChatProtocol     *self);
const char         *chat_protocol_get_name     (ChatProtocol     *self);
ChatFactory        *chat_protocol_get_chat_factory (ChatProtocol *self);

BraidListeningPort *chat_server_listen         (BraidReactor     *reactor,
                                                guint16           port,
                                                GError          **error);

G_END_DECLS
