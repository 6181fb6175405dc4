#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_SOCKET_TRANSPORT (braid_socket_transport_get_type ())
G_DECLARE_FINAL_TYPE (BraidSocketTransport, braid_socket_transport, BRAID, SOCKET_TRANSPORT, GObject)

/**
 * BRAID_SOCKET_TRANSPORT_HIGH_WATER:
 *
 * Bytes buffered for the peer above which a transport pauses its
 * registered streaming producer: 64 KiB.
 */
#define BRAID_SOCKET_TRANSPORT_HIGH_WATER (64 * 1024)

/**
 * BRAID_SOCKET_TRANSPORT_LOW_WATER:
 *
 * Bytes buffered for the peer below which a paused streaming producer is
 * resumed: 16 KiB.
 */
#define BRAID_SOCKET_TRANSPORT_LOW_WATER (16 * 1024)

gsize braid_socket_transport_get_buffered_size (BraidSocketTransport *self);

G_END_DECLS
