/* process-recorder.c: a process protocol that logs its events. */
#include "process-recorder.h"

G_DEFINE_FINAL_TYPE (ProcessRecorder, process_recorder, BRAID_TYPE_PROCESS_PROTOCOL)

static void
recorder_connection_made (BraidProcessProtocol *protocol)
{
  g_string_append (PROCESS_RECORDER (protocol)->log, "made;");
}

static void
recorder_out (BraidProcessProtocol *protocol, const guint8 *data, gsize len)
{
  ProcessRecorder *self = PROCESS_RECORDER (protocol);

  g_string_append_len (self->out, (const char *) data, (gssize) len);
  if (!g_str_has_suffix (self->log->str, "out;"))
    g_string_append (self->log, "out;");
}

static void
recorder_err (BraidProcessProtocol *protocol, const guint8 *data, gsize len)
{
  ProcessRecorder *self = PROCESS_RECORDER (protocol);

  g_string_append_len (self->err, (const char *) data, (gssize) len);
  if (!g_str_has_suffix (self->log->str, "err;"))
    g_string_append (self->log, "err;");
}

static void
recorder_in_lost (BraidProcessProtocol *protocol)
{
  ProcessRecorder *self = PROCESS_RECORDER (protocol);

  g_string_append (self->log, "lost:0;");
  if (self->on_in_lost != NULL)
    self->on_in_lost (self);
}

static void
recorder_out_lost (BraidProcessProtocol *protocol)
{
  g_string_append (PROCESS_RECORDER (protocol)->log, "lost:1;");
}

static void
recorder_err_lost (BraidProcessProtocol *protocol)
{
  g_string_append (PROCESS_RECORDER (protocol)->log, "lost:2;");
}

static void
recorder_exited (BraidProcessProtocol *protocol, const GError *reason)
{
  ProcessRecorder *self = PROCESS_RECORDER (protocol);

  g_assert_null (self->exited);
  self->exited = g_error_copy (reason);
  g_string_append_printf (self->log, "exited:%d;", reason->code);
}

static void
recorder_ended (BraidProcessProtocol *protocol, const GError *reason)
{
  ProcessRecorder *self = PROCESS_RECORDER (protocol);

  self->n_ended++;
  g_clear_error (&self->ended);
  self->ended = g_error_copy (reason);
  g_string_append_printf (self->log, "ended:%d;", reason->code);
}

static void
process_recorder_finalize (GObject *object)
{
  ProcessRecorder *self = PROCESS_RECORDER (object);

  g_string_free (self->log, TRUE);
  g_string_free (self->out, TRUE);
  g_string_free (self->err, TRUE);
  g_clear_error (&self->exited);
  g_clear_error (&self->ended);
  G_OBJECT_CLASS (process_recorder_parent_class)->finalize (object);
}

static void
process_recorder_class_init (ProcessRecorderClass *klass)
{
  BraidProcessProtocolClass *protocol_class = BRAID_PROCESS_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = process_recorder_finalize;
  protocol_class->connection_made = recorder_connection_made;
  protocol_class->out_received = recorder_out;
  protocol_class->err_received = recorder_err;
  protocol_class->in_connection_lost = recorder_in_lost;
  protocol_class->out_connection_lost = recorder_out_lost;
  protocol_class->err_connection_lost = recorder_err_lost;
  protocol_class->process_exited = recorder_exited;
  protocol_class->process_ended = recorder_ended;
}

static void
process_recorder_init (ProcessRecorder *self)
{
  self->log = g_string_new (NULL);
  self->out = g_string_new (NULL);
  self->err = g_string_new (NULL);
}

ProcessRecorder *
process_recorder_new (void)
{
  return g_object_new (process_recorder_get_type (), NULL);
}
