/* braid-fake-process.c: a child process that is not there. */
#include "config.h"

#include <string.h>

#include "braid-fake-process.h"

struct _BraidFakeProcess
{
  GObject parent_instance;

  BraidProcessProtocol *protocol;   /* held until process_ended */
  GPid pid;
  GByteArray *stdin_bytes;          /* what the protocol wrote */
  GArray *signals;                  /* of int: the signals sent */
  gboolean closed[3];               /* the pipe is closed (lost delivered) */
  gboolean started;
  gboolean exited;
  gboolean ended;
  int exit_code;
  int exit_signal;
  GError *reason;
  BraidProducer *producer;
  gboolean streaming;
  BraidProducerState reading;       /* the fake as a producer of stdout */
};

static void braid_fake_process_producer_init (BraidProducerInterface *iface);
static void braid_fake_process_transport_init (BraidTransportInterface *iface);
static void braid_fake_process_process_transport_init (BraidProcessTransportInterface *iface);

/**
 * BraidFakeProcess:
 *
 * A [iface@Braid.ProcessTransport] with no process behind it, to test a
 * [class@Braid.ProcessProtocol]: it records what the protocol writes to
 * stdin and the signals it sends, and the test plays the child: it
 * writes to stdout or stderr ([method@Braid.FakeProcess.write_stdout]),
 * closes its pipes ([method@Braid.FakeProcess.child_closes]) and exits
 * ([method@Braid.FakeProcess.exit]). The memory reactor's `spawn_process`
 * returns one.
 *
 * It is as strict as the real transport ([class@Braid.GLibProcess]): the
 * protocol's events come in the same order (`process_ended` exactly once,
 * last, when the child has exited and all three pipes are closed); writes
 * after stdin was closed are dropped; a signal sent after the exit fails
 * with %BRAID_PROCESS_ERROR_EXITED_ALREADY and the pid is then 0;
 * `lose_connection` closes the three pipes; a producer is stopped when
 * stdin closes. Two differences, both for the test's convenience: the
 * child reads everything written at once (no producer is ever paused),
 * and a pipe's loss is delivered at once rather than from the loop.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidFakeProcess, braid_fake_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_fake_process_producer_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_fake_process_transport_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PROCESS_TRANSPORT,
                                                      braid_fake_process_process_transport_init))

static void
maybe_end (BraidFakeProcess *self)
{
  g_autoptr (BraidProcessProtocol) protocol = NULL;

  if (self->ended || !self->exited || !self->closed[0] || !self->closed[1] || !self->closed[2])
    return;
  self->ended = TRUE;
  protocol = g_steal_pointer (&self->protocol);
  if (protocol != NULL)
    braid_process_protocol_process_ended (protocol, self->reason);
}

static void
close_pipe (BraidFakeProcess *self, int i)
{
  g_autoptr (BraidFakeProcess) alive G_GNUC_UNUSED = g_object_ref (self);

  if (self->closed[i])
    return;
  self->closed[i] = TRUE;
  if (i == 0 && self->producer != NULL)
    {
      g_autoptr (BraidProducer) producer = g_steal_pointer (&self->producer);

      braid_producer_stop_producing (producer);
    }
  if (self->protocol != NULL)
    braid_process_protocol_child_connection_lost (self->protocol, i);
  maybe_end (self);
}

/* --- The transport --------------------------------------------------------- */

static void
braid_fake_process_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (transport);

  if (!self->closed[0])
    g_byte_array_append (self->stdin_bytes, data, (guint) len);
}

static void
braid_fake_process_write_sequence (BraidTransport      *transport,
                                   const GOutputVector *vectors,
                                   gsize                n_vectors)
{
  for (gsize i = 0; i < n_vectors; i++)
    braid_fake_process_write (transport, vectors[i].buffer, vectors[i].size);
}

static void
braid_fake_process_close_child_fd (BraidProcessTransport *transport, int child_fd)
{
  close_pipe (BRAID_FAKE_PROCESS (transport), child_fd);
}

static void
braid_fake_process_lose_connection (BraidTransport *transport)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (transport);

  for (int i = 0; i < 3; i++)
    close_pipe (self, i);
}

static void
braid_fake_process_lose_write_connection (BraidTransport *transport)
{
  close_pipe (BRAID_FAKE_PROCESS (transport), 0);
}

static GSocketAddress *
braid_fake_process_get_address (BraidTransport *transport)
{
  return NULL;
}

static void
braid_fake_process_register_producer (BraidTransport *transport,
                                      BraidProducer  *producer,
                                      gboolean        streaming)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (transport);

  if (self->producer != NULL)
    {
      g_critical ("braid_transport_register_producer: a producer is already registered");
      return;
    }
  if (self->closed[0])
    {
      braid_producer_stop_producing (producer);
      return;
    }
  self->producer = g_object_ref (producer);
  self->streaming = streaming;
  if (!streaming)
    braid_producer_resume_producing (producer);
}

static void
braid_fake_process_unregister_producer (BraidTransport *transport)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (transport);

  if (self->producer == NULL)
    {
      g_critical ("braid_transport_unregister_producer: no producer is registered");
      return;
    }
  g_clear_object (&self->producer);
}

static gboolean
braid_fake_process_is_disconnecting (BraidTransport *transport)
{
  /* The fake flushes at once: stdin is never "closing", only closed. */
  return FALSE;
}

static void
braid_fake_process_transport_init (BraidTransportInterface *iface)
{
  iface->write = braid_fake_process_write;
  iface->write_sequence = braid_fake_process_write_sequence;
  iface->lose_connection = braid_fake_process_lose_connection;
  iface->abort_connection = braid_fake_process_lose_connection;
  iface->lose_write_connection = braid_fake_process_lose_write_connection;
  iface->get_peer = braid_fake_process_get_address;
  iface->get_host = braid_fake_process_get_address;
  iface->register_producer = braid_fake_process_register_producer;
  iface->unregister_producer = braid_fake_process_unregister_producer;
  iface->is_disconnecting = braid_fake_process_is_disconnecting;
}

static gboolean
braid_fake_process_signal_process (BraidProcessTransport  *transport,
                                   int                     signal_number,
                                   GError                **error)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (transport);

  if (self->exited)
    {
      g_set_error (error, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_EXITED_ALREADY,
                   "cannot send signal %d: the process has exited already", signal_number);
      return FALSE;
    }
  g_array_append_val (self->signals, signal_number);
  return TRUE;
}

static GPid
braid_fake_process_get_pid (BraidProcessTransport *transport)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (transport);

  return self->exited ? 0 : self->pid;
}

static int
braid_fake_process_get_exit_code (BraidProcessTransport *transport)
{
  return BRAID_FAKE_PROCESS (transport)->exit_code;
}

static int
braid_fake_process_get_exit_signal (BraidProcessTransport *transport)
{
  return BRAID_FAKE_PROCESS (transport)->exit_signal;
}

static void
braid_fake_process_process_transport_init (BraidProcessTransportInterface *iface)
{
  iface->close_child_fd = braid_fake_process_close_child_fd;
  iface->signal_process = braid_fake_process_signal_process;
  iface->get_pid = braid_fake_process_get_pid;
  iface->get_exit_code = braid_fake_process_get_exit_code;
  iface->get_exit_signal = braid_fake_process_get_exit_signal;
}

/* As a producer, the transport produces what the child writes: a
 * protocol that cannot keep up pauses it. The fake records the state; the
 * test decides what the child writes meanwhile. */
static void
braid_fake_process_pause_producing (BraidProducer *producer)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (producer);

  if (self->reading != BRAID_PRODUCER_STATE_STOPPED)
    self->reading = BRAID_PRODUCER_STATE_PAUSED;
}

static void
braid_fake_process_resume_producing (BraidProducer *producer)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (producer);

  if (self->reading != BRAID_PRODUCER_STATE_STOPPED)
    self->reading = BRAID_PRODUCER_STATE_PRODUCING;
}

static void
braid_fake_process_stop_producing (BraidProducer *producer)
{
  BRAID_FAKE_PROCESS (producer)->reading = BRAID_PRODUCER_STATE_STOPPED;
  braid_fake_process_lose_connection (BRAID_TRANSPORT (producer));
}

static void
braid_fake_process_producer_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_fake_process_pause_producing;
  iface->resume_producing = braid_fake_process_resume_producing;
  iface->stop_producing = braid_fake_process_stop_producing;
}

/**
 * braid_fake_process_get_reading_state:
 * @self: a fake process
 *
 * Says what the protocol asked of the transport as a producer of the
 * child's output: paused, resumed or stopped.
 *
 * Returns: the state
 */
BraidProducerState
braid_fake_process_get_reading_state (BraidFakeProcess *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_PROCESS (self), BRAID_PRODUCER_STATE_PRODUCING);
  return self->reading;
}

/* --- Life cycle -------------------------------------------------------------- */

static void
braid_fake_process_dispose (GObject *object)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (object);

  g_clear_object (&self->protocol);
  g_clear_object (&self->producer);
  G_OBJECT_CLASS (braid_fake_process_parent_class)->dispose (object);
}

static void
braid_fake_process_finalize (GObject *object)
{
  BraidFakeProcess *self = BRAID_FAKE_PROCESS (object);

  g_byte_array_unref (self->stdin_bytes);
  g_array_unref (self->signals);
  g_clear_error (&self->reason);
  G_OBJECT_CLASS (braid_fake_process_parent_class)->finalize (object);
}

static void
braid_fake_process_class_init (BraidFakeProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_fake_process_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_fake_process_finalize;
}

static void
braid_fake_process_init (BraidFakeProcess *self)
{
  self->stdin_bytes = g_byte_array_new ();
  self->signals = g_array_new (FALSE, FALSE, sizeof (int));
  self->exit_code = -1;
}

/**
 * braid_fake_process_new:
 * @pid: the process id to report (any positive number)
 *
 * Creates a fake child process, running, with its three pipes open.
 * Connect a protocol with [method@Braid.FakeProcess.start].
 *
 * Returns: (transfer full): the fake process
 */
BraidFakeProcess *
braid_fake_process_new (GPid pid)
{
  BraidFakeProcess *self;

  g_return_val_if_fail (pid > 0, NULL);
  self = g_object_new (BRAID_TYPE_FAKE_PROCESS, NULL);
  self->pid = pid;
  return self;
}

/**
 * braid_fake_process_start:
 * @self: a fake process
 * @protocol: the protocol to connect
 *
 * Connects @protocol to @self (its `connection_made` runs), as a spawn
 * does. A fake process is started once.
 */
void
braid_fake_process_start (BraidFakeProcess *self, BraidProcessProtocol *protocol)
{
  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  g_return_if_fail (BRAID_IS_PROCESS_PROTOCOL (protocol));
  g_return_if_fail (!self->started);
  self->started = TRUE;
  self->protocol = g_object_ref (protocol);
  braid_process_protocol_make_connection (protocol, BRAID_PROCESS_TRANSPORT (self));
}

/**
 * braid_fake_process_peek_stdin:
 * @self: a fake process
 * @len: (out) (optional): return location for the length
 *
 * Gets what the protocol wrote to the child's stdin so far (since the
 * last [method@Braid.FakeProcess.clear_stdin]), NUL-terminated for
 * convenience.
 *
 * Returns: (transfer none): the bytes, valid until the next write
 */
const char *
braid_fake_process_peek_stdin (BraidFakeProcess *self, gsize *len)
{
  static const guint8 nul = 0;

  g_return_val_if_fail (BRAID_IS_FAKE_PROCESS (self), NULL);
  if (len != NULL)
    *len = self->stdin_bytes->len;
  g_byte_array_append (self->stdin_bytes, &nul, 1);
  g_byte_array_set_size (self->stdin_bytes, self->stdin_bytes->len - 1);
  return (const char *) self->stdin_bytes->data;
}

/**
 * braid_fake_process_clear_stdin:
 * @self: a fake process
 *
 * Forgets what was written to stdin so far.
 */
void
braid_fake_process_clear_stdin (BraidFakeProcess *self)
{
  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  g_byte_array_set_size (self->stdin_bytes, 0);
}

/**
 * braid_fake_process_get_child_fd_closed:
 * @self: a fake process
 * @child_fd: 0, 1 or 2
 *
 * Says whether a pipe is closed, by either side.
 *
 * Returns: whether the pipe to @child_fd is closed
 */
gboolean
braid_fake_process_get_child_fd_closed (BraidFakeProcess *self, int child_fd)
{
  g_return_val_if_fail (BRAID_IS_FAKE_PROCESS (self), FALSE);
  g_return_val_if_fail (child_fd >= 0 && child_fd <= 2, FALSE);
  return self->closed[child_fd];
}

/**
 * braid_fake_process_get_signals:
 * @self: a fake process
 *
 * Lists the signals the protocol sent to the child.
 *
 * Returns: (transfer none) (element-type int): the signal numbers, in order
 */
GArray *
braid_fake_process_get_signals (BraidFakeProcess *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_PROCESS (self), NULL);
  return self->signals;
}

/**
 * braid_fake_process_get_producer:
 * @self: a fake process
 * @streaming: (out) (optional): whether it was registered as streaming
 *
 * Gets the producer registered on @self, if any.
 *
 * Returns: (transfer none) (nullable): the producer
 */
BraidProducer *
braid_fake_process_get_producer (BraidFakeProcess *self, gboolean *streaming)
{
  g_return_val_if_fail (BRAID_IS_FAKE_PROCESS (self), NULL);
  if (streaming != NULL)
    *streaming = self->streaming;
  return self->producer;
}

static void
child_writes (BraidFakeProcess *self, int fd, const char *data, gssize len)
{
  g_autoptr (BraidFakeProcess) alive = NULL;

  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  g_return_if_fail (data != NULL);
  /* The real child's bytes after a close go nowhere (EPIPE): a test that
   * writes them made a mistake. */
  g_return_if_fail (!self->closed[fd]);
  alive = g_object_ref (self);
  if (len < 0)
    len = (gssize) strlen (data);
  if (self->protocol != NULL && len > 0)
    braid_process_protocol_child_data_received (self->protocol, fd, (const guint8 *) data,
                                                (gsize) len);
}

/**
 * braid_fake_process_write_stdout:
 * @self: a fake process
 * @data: (array length=len): bytes the child writes to its stdout
 * @len: their length, or -1 for a NUL-terminated string
 *
 * Plays the child writing to stdout: the protocol's `out_received` runs.
 * Writing to a closed stdout is a mistake in the test (a critical).
 */
void
braid_fake_process_write_stdout (BraidFakeProcess *self, const char *data, gssize len)
{
  child_writes (self, 1, data, len);
}

/**
 * braid_fake_process_write_stderr:
 * @self: a fake process
 * @data: (array length=len): bytes the child writes to its stderr
 * @len: their length, or -1 for a NUL-terminated string
 *
 * Plays the child writing to stderr: the protocol's `err_received` runs.
 */
void
braid_fake_process_write_stderr (BraidFakeProcess *self, const char *data, gssize len)
{
  child_writes (self, 2, data, len);
}

/**
 * braid_fake_process_child_closes:
 * @self: a fake process
 * @child_fd: 0 (the child closes its stdin), 1 or 2
 *
 * Plays the child closing one of its pipes: the protocol's
 * `child_connection_lost` runs (if the pipe was open).
 */
void
braid_fake_process_child_closes (BraidFakeProcess *self, int child_fd)
{
  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  g_return_if_fail (child_fd >= 0 && child_fd <= 2);
  close_pipe (self, child_fd);
}

static void
exit_with (BraidFakeProcess *self, int exit_code, int signal_number)
{
  g_autoptr (BraidFakeProcess) alive G_GNUC_UNUSED = g_object_ref (self);

  self->exited = TRUE;
  self->exit_code = exit_code;
  self->exit_signal = signal_number;
  self->reason = braid_process_exit_reason (exit_code, signal_number);
  if (self->protocol != NULL)
    braid_process_protocol_process_exited (self->protocol, self->reason);
  maybe_end (self);
}

/**
 * braid_fake_process_exit:
 * @self: a fake process
 * @exit_code: the code the child exits with
 *
 * Plays the child exiting (and being reaped): `process_exited` runs, and
 * `process_ended` too if the three pipes are closed already. Pipes still
 * open stay open (as when a grandchild holds them) until the test closes
 * them.
 */
void
braid_fake_process_exit (BraidFakeProcess *self, int exit_code)
{
  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  g_return_if_fail (!self->exited);
  exit_with (self, exit_code, 0);
}

/**
 * braid_fake_process_exit_by_signal:
 * @self: a fake process
 * @signal_number: the signal that kills the child
 *
 * Plays the child being killed by a signal.
 */
void
braid_fake_process_exit_by_signal (BraidFakeProcess *self, int signal_number)
{
  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  g_return_if_fail (!self->exited);
  g_return_if_fail (signal_number > 0);
  exit_with (self, -1, signal_number);
}

/**
 * braid_fake_process_finish:
 * @self: a fake process
 * @exit_code: the code the child exits with
 *
 * Plays a child that ends normally: its open pipes close (stdin, stdout,
 * then stderr) and it exits with @exit_code (unless it has exited
 * already), so `process_ended` runs last.
 */
void
braid_fake_process_finish (BraidFakeProcess *self, int exit_code)
{
  g_autoptr (BraidFakeProcess) alive = NULL;

  g_return_if_fail (BRAID_IS_FAKE_PROCESS (self));
  alive = g_object_ref (self);
  for (int i = 0; i < 3; i++)
    close_pipe (self, i);
  if (!self->exited)
    exit_with (self, exit_code, 0);
}

/**
 * braid_fake_process_get_ended:
 * @self: a fake process
 *
 * Says whether `process_ended` was delivered.
 *
 * Returns: whether the process ended
 */
gboolean
braid_fake_process_get_ended (BraidFakeProcess *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_PROCESS (self), FALSE);
  return self->ended;
}
