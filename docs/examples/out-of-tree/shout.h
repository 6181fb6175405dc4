/* shout.h: a protocol of your own, built on the installed Braid
 * (docs/using.md). It answers every byte it receives in upper case. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define SHOUT_TYPE_PROTOCOL (shout_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ShoutProtocol, shout_protocol, SHOUT, PROTOCOL, BraidProtocol)

G_END_DECLS
