/* braid-idle-timeout-private.h: the hooks BraidProtocol calls, so that an
 * idle timeout sees every byte received and every connection end without
 * the protocol's cooperation. */
#pragma once

#include "core/braid-idle-timeout.h"
#include "core/braid-protocol.h"

G_BEGIN_DECLS

void               braid_idle_timeout_note_activity    (BraidIdleTimeout *self);
void               braid_idle_timeout_connection_lost  (BraidIdleTimeout *self);
BraidIdleTimeout **braid_protocol_get_idle_timeout_slot (BraidProtocol   *protocol);

G_END_DECLS
