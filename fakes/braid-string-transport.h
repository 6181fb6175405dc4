#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_STRING_TRANSPORT (braid_string_transport_get_type ())
G_DECLARE_FINAL_TYPE (BraidStringTransport, braid_string_transport, BRAID, STRING_TRANSPORT, GObject)

/**
 * BraidProducerState:
 * @BRAID_PRODUCER_STATE_PRODUCING: reading (the transport was never paused, or was resumed)
 * @BRAID_PRODUCER_STATE_PAUSED: paused by `pause_producing`
 * @BRAID_PRODUCER_STATE_STOPPED: stopped by `stop_producing`
 *
 * What a protocol asked of a [class@Braid.StringTransport] as a producer.
 */
typedef enum {
  BRAID_PRODUCER_STATE_PRODUCING,
  BRAID_PRODUCER_STATE_PAUSED,
  BRAID_PRODUCER_STATE_STOPPED,
} BraidProducerState;

BraidStringTransport *braid_string_transport_new                (void);
GBytes               *braid_string_transport_get_value          (BraidStringTransport *self);
const char           *braid_string_transport_peek               (BraidStringTransport *self,
                                                                 gsize                *len);
void                  braid_string_transport_clear              (BraidStringTransport *self);
gboolean              braid_string_transport_get_disconnecting  (BraidStringTransport *self);
gboolean              braid_string_transport_get_aborted        (BraidStringTransport *self);
gboolean              braid_string_transport_get_write_closed   (BraidStringTransport *self);
BraidProducer        *braid_string_transport_get_producer       (BraidStringTransport *self,
                                                                 gboolean             *streaming);
BraidProducerState    braid_string_transport_get_producer_state (BraidStringTransport *self);
void                  braid_string_transport_set_peer           (BraidStringTransport *self,
                                                                 GSocketAddress       *peer);
void                  braid_string_transport_set_host           (BraidStringTransport *self,
                                                                 GSocketAddress       *host);

G_END_DECLS
