/* framing.h: lesson 06's two echo protocols. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* Part 1: "LENGTH DATA": an ASCII length, a space, then LENGTH bytes that
 * are echoed back; the connection closes once they all were. */
#define LENGTH_ECHO_MAX_DIGITS 9

#define LENGTH_TYPE_ECHO (length_echo_get_type ())
G_DECLARE_FINAL_TYPE (LengthEcho, length_echo, LENGTH, ECHO, BraidProtocol)

/* Part 2: the same idea with binary frames: a 32-bit big-endian length,
 * then the bytes; every frame is echoed back as a frame. */
#define INT32_TYPE_ECHO (int32_echo_get_type ())
G_DECLARE_FINAL_TYPE (Int32Echo, int32_echo, INT32, ECHO, BraidIntNReceiver)

G_END_DECLS
