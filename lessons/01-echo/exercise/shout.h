/* shout.h: lesson 01's exercise. You complete exercise/shout.c. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define SHOUT_TYPE_PROTOCOL (shout_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ShoutProtocol, shout_protocol, SHOUT, PROTOCOL, BraidProtocol)

G_END_DECLS
