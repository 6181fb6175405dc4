#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_LOOPBACK (braid_loopback_get_type ())
G_DECLARE_FINAL_TYPE (BraidLoopback, braid_loopback, BRAID, LOOPBACK, GObject)

/**
 * BRAID_LOOPBACK_MAX_PUMPS:
 *
 * How many pumps [method@Braid.Loopback.flush] makes before it gives up
 * and fails the test: a conversation that is still moving data after that
 * many rounds is taken to be endless.
 */
#define BRAID_LOOPBACK_MAX_PUMPS 10000

BraidLoopback  *braid_loopback_new_full              (BraidProtocol *server,
                                                      BraidProtocol *client,
                                                      const char    *creator);

/**
 * braid_loopback_new:
 * @server: the server side's protocol
 * @client: the client side's protocol
 *
 * Connects @server and @client (always in that order) in memory; see
 * [ctor@Braid.Loopback.new_full]. Records where it was called from.
 *
 * Returns: (transfer full): the loopback
 */
#define braid_loopback_new(server, client) \
  braid_loopback_new_full ((server), (client), G_STRLOC)

void            braid_loopback_set_chunk_size        (BraidLoopback *self,
                                                      gsize          chunk_size);
void            braid_loopback_set_backpressure_limit (BraidLoopback *self,
                                                      gsize          limit);
gboolean        braid_loopback_pump_once             (BraidLoopback *self);
void            braid_loopback_flush                 (BraidLoopback *self);
void            braid_loopback_close                 (BraidLoopback *self);
gboolean        braid_loopback_is_open               (BraidLoopback *self);
BraidTransport *braid_loopback_get_server_transport  (BraidLoopback *self);
BraidTransport *braid_loopback_get_client_transport  (BraidLoopback *self);
gsize           braid_loopback_get_pending_bytes     (BraidLoopback *self,
                                                      BraidTransport *from);
const char     *braid_loopback_get_creator           (BraidLoopback *self);

G_END_DECLS
