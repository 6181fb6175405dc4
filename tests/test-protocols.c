/* test-protocols.c: small protocols and producers the tests share. */
#include "test-protocols.h"

#include <string.h>

typedef struct
{
  RecordingState state;
} RecordingProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (RecordingProtocol, recording_protocol, BRAID_TYPE_PROTOCOL)

RecordingState *
recording_protocol_state (RecordingProtocol *self)
{
  RecordingProtocolPrivate *priv = recording_protocol_get_instance_private (self);

  return &priv->state;
}

static void
log_event (RecordingState *state, const char *event)
{
  if (state->log != NULL)
    g_string_append_printf (state->log, "%s:%s;", state->name, event);
}

static void
recording_connection_made (BraidProtocol *protocol)
{
  RecordingState *state = recording_protocol_state (RECORDING_PROTOCOL (protocol));

  state->made_count++;
  log_event (state, "made");
}

static void
recording_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  RecordingState *state = recording_protocol_state (RECORDING_PROTOCOL (protocol));

  g_string_append_len (state->received, (const char *) data, len);
  state->data_calls++;
  state->largest_chunk = MAX (state->largest_chunk, len);
  if (state->echo)
    braid_transport_write (braid_protocol_get_transport (protocol), data, len);
  if (state->on_data != NULL)
    state->on_data (RECORDING_PROTOCOL (protocol), data, len, state->on_data_user_data);
}

static void
recording_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  RecordingState *state = recording_protocol_state (RECORDING_PROTOCOL (protocol));

  state->lost_count++;
  g_clear_error (&state->reason);
  state->reason = g_error_copy (reason);
  log_event (state, braid_error_is_clean_close (reason) ? "lost-clean" : "lost-unclean");
}

static void
recording_protocol_finalize (GObject *object)
{
  RecordingState *state = recording_protocol_state (RECORDING_PROTOCOL (object));

  g_string_free (state->received, TRUE);
  g_clear_error (&state->reason);
  G_OBJECT_CLASS (recording_protocol_parent_class)->finalize (object);
}

static void
recording_protocol_class_init (RecordingProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = recording_protocol_finalize;
  protocol_class->connection_made = recording_connection_made;
  protocol_class->data_received = recording_data_received;
  protocol_class->connection_lost = recording_connection_lost;
}

static void
recording_protocol_init (RecordingProtocol *self)
{
  RecordingState *state = recording_protocol_state (self);

  state->received = g_string_new (NULL);
  state->name = "?";
}

RecordingProtocol *
recording_protocol_new (const char *name, GString *log)
{
  RecordingProtocol *self = g_object_new (RECORDING_TYPE_PROTOCOL, NULL);

  recording_protocol_state (self)->name = name;
  recording_protocol_state (self)->log = log;
  return self;
}

struct _HalfCloseProtocol
{
  RecordingProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (HalfCloseProtocol, half_close_protocol, RECORDING_TYPE_PROTOCOL)

static void
half_close_read_connection_lost (BraidProtocol *protocol)
{
  RecordingState *state = recording_protocol_state (RECORDING_PROTOCOL (protocol));

  state->read_lost_count++;
  log_event (state, "read-lost");
}

static void
half_close_protocol_class_init (HalfCloseProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->read_connection_lost = half_close_read_connection_lost;
}

static void
half_close_protocol_init (HalfCloseProtocol *self)
{
}

RecordingProtocol *
half_close_protocol_new (const char *name, GString *log)
{
  RecordingProtocol *self = g_object_new (HALF_CLOSE_TYPE_PROTOCOL, NULL);

  recording_protocol_state (self)->name = name;
  recording_protocol_state (self)->log = log;
  return self;
}

static void counting_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CountingProducer, counting_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      counting_producer_iface_init))

static void
counting_pause (BraidProducer *producer)
{
  COUNTING_PRODUCER (producer)->pauses++;
}

static void
counting_resume (BraidProducer *producer)
{
  CountingProducer *self = COUNTING_PRODUCER (producer);

  self->resumes++;
  if (self->target == NULL || self->pieces_left == 0)
    return;
  braid_transport_write_string (self->target, self->piece);
  if (--self->pieces_left == 0)
    braid_transport_unregister_producer (self->target);
}

static void
counting_stop (BraidProducer *producer)
{
  COUNTING_PRODUCER (producer)->stops++;
}

static void
counting_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = counting_pause;
  iface->resume_producing = counting_resume;
  iface->stop_producing = counting_stop;
}

static void
counting_producer_class_init (CountingProducerClass *klass)
{
}

static void
counting_producer_init (CountingProducer *self)
{
}

CountingProducer *
counting_producer_new (void)
{
  return g_object_new (COUNTING_TYPE_PRODUCER, NULL);
}
