/* braid-non-streaming-producer.c: a pull producer that writes ten times,
 * for testing consumers of pull producers. */
#include "config.h"

#include <string.h>

#include "braid-non-streaming-producer.h"

/**
 * BraidNonStreamingProducer:
 *
 * A pull (non-streaming) producer for tests: Twisted's
 * `twisted.internet.testing.NonStreamingProducer`.
 *
 * Register it on the transport under test as a pull producer
 * (`braid_transport_register_producer (transport, producer, FALSE)`). Each
 * `resume_producing` writes the next of ten counter values, `"0"` to `"9"`,
 * to the transport; after the tenth it unregisters itself and fires its
 * result deferred with %NULL. `stop_producing` ends it early (the result
 * fires too, and braid_non_streaming_producer_get_stopped() tells).
 *
 * It is as strict as Twisted's: a pull producer is never paused, so
 * `pause_producing` is a bug in the consumer, and so is `resume_producing`
 * once it is done; either logs a critical message (which fails a test).
 *
 * It does not keep its transport alive (the transport holds it while it is
 * registered); once the transport is gone, it writes nothing.
 */
struct _BraidNonStreamingProducer
{
  GObject parent_instance;

  BraidTransport *consumer;   /* a weak pointer; NULL once done */
  BraidDeferred *result;
  guint counter;
  gboolean stopped;
  gboolean done;
};

#define NON_STREAMING_PRODUCER_WRITES 10

static void braid_non_streaming_producer_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidNonStreamingProducer, braid_non_streaming_producer,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_non_streaming_producer_producer_iface_init))

static void
forget_consumer (BraidNonStreamingProducer *self)
{
  if (self->consumer != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->consumer), (gpointer *) &self->consumer);
  self->consumer = NULL;
}

static void
finish (BraidNonStreamingProducer *self)
{
  self->done = TRUE;
  forget_consumer (self);
  braid_deferred_callback (self->result, NULL, NULL);
}

static void
braid_non_streaming_producer_resume_producing (BraidProducer *producer)
{
  BraidNonStreamingProducer *self = BRAID_NON_STREAMING_PRODUCER (producer);
  g_autoptr (BraidNonStreamingProducer) hold = NULL;
  char digit[16];

  if (self->done)
    {
      g_critical ("BraidNonStreamingProducer: resume_producing after it was done "
                  "(unregistered or stopped): a bug in the consumer");
      return;
    }
  if (self->consumer == NULL)
    return;   /* the transport is gone */

  /* Unregistering drops the transport's reference to us. */
  hold = g_object_ref (self);
  g_snprintf (digit, sizeof digit, "%u", self->counter);
  braid_transport_write (self->consumer, (const guint8 *) digit, strlen (digit));
  self->counter++;
  if (self->counter == NON_STREAMING_PRODUCER_WRITES)
    {
      BraidTransport *consumer = self->consumer;

      g_object_ref (consumer);
      braid_transport_unregister_producer (consumer);
      g_object_unref (consumer);
      if (!self->done)
        finish (self);
    }
}

static void
braid_non_streaming_producer_pause_producing (BraidProducer *producer)
{
  g_critical ("BraidNonStreamingProducer: pause_producing was called, but a pull producer "
              "is never paused: a bug in the consumer");
}

static void
braid_non_streaming_producer_stop_producing (BraidProducer *producer)
{
  BraidNonStreamingProducer *self = BRAID_NON_STREAMING_PRODUCER (producer);

  self->stopped = TRUE;
  if (!self->done)
    finish (self);
}

static void
braid_non_streaming_producer_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_non_streaming_producer_pause_producing;
  iface->resume_producing = braid_non_streaming_producer_resume_producing;
  iface->stop_producing = braid_non_streaming_producer_stop_producing;
}

static void
braid_non_streaming_producer_finalize (GObject *object)
{
  BraidNonStreamingProducer *self = BRAID_NON_STREAMING_PRODUCER (object);

  forget_consumer (self);
  braid_deferred_unref (self->result);
  G_OBJECT_CLASS (braid_non_streaming_producer_parent_class)->finalize (object);
}

static void
braid_non_streaming_producer_class_init (BraidNonStreamingProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_non_streaming_producer_finalize;
}

static void
braid_non_streaming_producer_init (BraidNonStreamingProducer *self)
{
  self->result = braid_deferred_new ();
}

/**
 * braid_non_streaming_producer_new:
 * @consumer: the transport it will write to (register it there yourself)
 *
 * Makes a pull producer that writes `"0"` to `"9"` to @consumer, one per
 * `resume_producing`.
 *
 * Returns: (transfer full): the producer
 */
BraidNonStreamingProducer *
braid_non_streaming_producer_new (BraidTransport *consumer)
{
  BraidNonStreamingProducer *self;

  g_return_val_if_fail (BRAID_IS_TRANSPORT (consumer), NULL);

  self = g_object_new (BRAID_TYPE_NON_STREAMING_PRODUCER, NULL);
  self->consumer = consumer;
  g_object_add_weak_pointer (G_OBJECT (consumer), (gpointer *) &self->consumer);
  return self;
}

/**
 * braid_non_streaming_producer_get_result:
 * @self: a producer
 *
 * The deferred that fires (with %NULL) once the producer is done: it wrote
 * its ten values and unregistered, or it was stopped.
 *
 * Returns: (transfer none): the result deferred, owned by @self
 */
BraidDeferred *
braid_non_streaming_producer_get_result (BraidNonStreamingProducer *self)
{
  g_return_val_if_fail (BRAID_IS_NON_STREAMING_PRODUCER (self), NULL);
  return self->result;
}

/**
 * braid_non_streaming_producer_get_counter:
 * @self: a producer
 *
 * Counts the values written so far.
 *
 * Returns: how many times it wrote, 0 to 10
 */
guint
braid_non_streaming_producer_get_counter (BraidNonStreamingProducer *self)
{
  g_return_val_if_fail (BRAID_IS_NON_STREAMING_PRODUCER (self), 0);
  return self->counter;
}

/**
 * braid_non_streaming_producer_get_stopped:
 * @self: a producer
 *
 * Tells whether `stop_producing` was called.
 *
 * Returns: %TRUE once it was stopped
 */
gboolean
braid_non_streaming_producer_get_stopped (BraidNonStreamingProducer *self)
{
  g_return_val_if_fail (BRAID_IS_NON_STREAMING_PRODUCER (self), FALSE);
  return self->stopped;
}
