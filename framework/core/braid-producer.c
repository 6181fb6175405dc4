/* braid-producer.c: something that writes into a transport at its own pace. */
#include "config.h"

#include "core/braid-producer.h"

/**
 * BraidProducer:
 *
 * A source of data for a [iface@Braid.Transport], Twisted's `IPushProducer`
 * and `IPullProducer` in one interface.
 *
 * A producer is registered on a transport with
 * [method@Braid.Transport.register_producer]. A *streaming* (push) producer
 * writes whenever it likes; the transport calls `pause_producing` when its
 * write buffer is too full and `resume_producing` when it has drained: this
 * is backpressure. A *non-streaming* (pull) producer writes only when asked,
 * each time the transport calls `resume_producing`.
 *
 * A transport is itself a producer of the data it reads: pausing it stops
 * reading from the peer.
 */
G_DEFINE_INTERFACE (BraidProducer, braid_producer, G_TYPE_OBJECT)

static void
braid_producer_default_init (BraidProducerInterface *iface)
{
}

/**
 * braid_producer_pause_producing:
 * @self: a producer
 *
 * Asks the producer to stop producing until
 * [method@Braid.Producer.resume_producing]. A missing vfunc does nothing.
 */
void
braid_producer_pause_producing (BraidProducer *self)
{
  BraidProducerInterface *iface;

  g_return_if_fail (BRAID_IS_PRODUCER (self));
  iface = BRAID_PRODUCER_GET_IFACE (self);
  if (iface->pause_producing != NULL)
    iface->pause_producing (self);
}

/**
 * braid_producer_resume_producing:
 * @self: a producer
 *
 * Asks the producer to produce again (streaming), or to produce its next
 * piece (non-streaming). A missing vfunc does nothing.
 */
void
braid_producer_resume_producing (BraidProducer *self)
{
  BraidProducerInterface *iface;

  g_return_if_fail (BRAID_IS_PRODUCER (self));
  iface = BRAID_PRODUCER_GET_IFACE (self);
  if (iface->resume_producing != NULL)
    iface->resume_producing (self);
}

/**
 * braid_producer_stop_producing:
 * @self: a producer
 *
 * Tells the producer that its consumer is gone: it must not write again.
 * A missing vfunc does nothing.
 */
void
braid_producer_stop_producing (BraidProducer *self)
{
  BraidProducerInterface *iface;

  g_return_if_fail (BRAID_IS_PRODUCER (self));
  iface = BRAID_PRODUCER_GET_IFACE (self);
  if (iface->stop_producing != NULL)
    iface->stop_producing (self);
}
