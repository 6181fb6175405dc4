#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_NON_STREAMING_PRODUCER (braid_non_streaming_producer_get_type ())
G_DECLARE_FINAL_TYPE (BraidNonStreamingProducer, braid_non_streaming_producer, BRAID,
                      NON_STREAMING_PRODUCER, GObject)

BraidNonStreamingProducer *braid_non_streaming_producer_new         (BraidTransport *consumer);
BraidDeferred             *braid_non_streaming_producer_get_result  (BraidNonStreamingProducer *self);
guint                      braid_non_streaming_producer_get_counter (BraidNonStreamingProducer *self);
gboolean                   braid_non_streaming_producer_get_stopped (BraidNonStreamingProducer *self);

G_END_DECLS
