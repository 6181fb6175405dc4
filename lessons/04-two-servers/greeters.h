/* greeters.h: lesson 04's two protocols, shared by the program and its tests. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define HELLO_TYPE_PROTOCOL (hello_protocol_get_type ())
G_DECLARE_FINAL_TYPE (HelloProtocol, hello_protocol, HELLO, PROTOCOL, BraidProtocol)

#define BONJOUR_TYPE_PROTOCOL (bonjour_protocol_get_type ())
G_DECLARE_FINAL_TYPE (BonjourProtocol, bonjour_protocol, BONJOUR, PROTOCOL, BraidProtocol)

gboolean two_servers_listen (BraidReactor        *reactor,
                             guint16              hello_port,
                             guint16              bonjour_port,
                             BraidListeningPort **hello,
                             BraidListeningPort **bonjour,
                             GError             **error);

G_END_DECLS
