#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_PRODUCER (braid_producer_get_type ())
G_DECLARE_INTERFACE (BraidProducer, braid_producer, BRAID, PRODUCER, GObject)

/**
 * BraidProducerInterface:
 * @g_iface: the parent interface
 * @pause_producing: stop producing data until resumed (streaming producers)
 * @resume_producing: start producing again; for a non-streaming (pull)
 *   producer, produce one more piece
 * @stop_producing: stop for good: the consumer is gone
 *
 * The virtual methods of [iface@Braid.Producer].
 */
struct _BraidProducerInterface
{
  GTypeInterface g_iface;

  void (*pause_producing)  (BraidProducer *self);
  void (*resume_producing) (BraidProducer *self);
  void (*stop_producing)   (BraidProducer *self);

  /*< private >*/
  gpointer padding[4];
};

void braid_producer_pause_producing  (BraidProducer *self);
void braid_producer_resume_producing (BraidProducer *self);
void braid_producer_stop_producing   (BraidProducer *self);

G_END_DECLS
