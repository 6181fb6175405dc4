#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT:
 *
 * How many bytes a transport buffers for a peer that does not read before
 * it aborts the connection, unless
 * [method@Braid.Transport.set_write_buffer_limit] says otherwise: 4 MiB.
 *
 * Large enough for any well-behaved peer of an interactive protocol (the
 * kernel already buffers a few MiB of its own on a TCP connection), small
 * enough that a thousand peers that never read cost a server 4 GiB, not
 * all its memory.
 */
#define BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT (4 * 1024 * 1024)

void    braid_transport_set_write_buffer_limit (BraidTransport *self,
                                                gsize           limit);
gsize   braid_transport_get_write_buffer_limit (BraidTransport *self);
GError *braid_transport_check_write_buffer     (BraidTransport *self,
                                                gsize           buffered);

G_END_DECLS
