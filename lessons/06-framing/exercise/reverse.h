/* reverse.h: lesson 06's exercise. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* A server whose frames have a 16-bit big-endian length prefix; it answers
 * every frame with a frame holding the same bytes in reverse order. */
#define REVERSE_TYPE_PROTOCOL (reverse_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ReverseProtocol, reverse_protocol, REVERSE, PROTOCOL, BraidIntNReceiver)

G_END_DECLS
