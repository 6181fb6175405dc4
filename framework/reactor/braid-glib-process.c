/* braid-glib-process.c: a child process on the GLib main loop, with
 * non-blocking pipes to its stdin, stdout and stderr, reaped by a child
 * watch. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "core/braid-process.h"
#include "core/braid-producer.h"
#include "core/braid-transport.h"
#include "core/braid-write-limit.h"
#include "reactor/braid-glib-process.h"
#include "reactor/braid-glib-reactor-private.h"

#define READ_SIZE (64 * 1024)

struct _BraidGLibProcess
{
  GObject parent_instance;

  GMainContext *context;
  BraidProcessProtocol *protocol;   /* held until process_ended */
  GPid pid;                         /* 0 once reaped */
  int fds[3];                       /* the parent's ends; -1 once closed */
  GSource *watches[3];              /* one fd source per open pipe */
  GIOCondition stdin_condition;     /* what watches[0] waits for */
  GSource *child_watch;
  GSource *deliver;                 /* pending pipe losses */
  GByteArray *in_buffer;            /* bytes waiting for stdin */
  gboolean lost_pending[3];         /* closed, child_connection_lost not yet delivered */
  gboolean lost[3];                 /* child_connection_lost delivered */
  gboolean stdin_closing;           /* close stdin once in_buffer is flushed */
  gboolean exited;
  gboolean ended;
  int exit_code;
  int exit_signal;
  GError *reason;

  BraidProducer *producer;
  gboolean streaming;
  gboolean producer_paused;
  gboolean reading_paused;          /* pause_producing on the transport */
};

static void braid_glib_process_producer_init (BraidProducerInterface *iface);
static void braid_glib_process_transport_init (BraidTransportInterface *iface);
static void braid_glib_process_process_transport_init (BraidProcessTransportInterface *iface);

/**
 * BraidGLibProcess:
 *
 * The [iface@Braid.ProcessTransport] of a real child process, made by
 * [method@Braid.Reactor.spawn_process] on a [class@Braid.GLibReactor].
 *
 * The parent's ends of the three pipes are non-blocking and close-on-exec,
 * watched on the reactor's main context; the child is reaped by a GLib
 * child watch, so it never stays a zombie while the context runs.
 * Writes to stdin are buffered: a streaming producer registered on the
 * transport is paused above %BRAID_GLIB_PROCESS_HIGH_WATER bytes and
 * resumed below %BRAID_GLIB_PROCESS_LOW_WATER; past the transport's write
 * buffer limit ([method@Braid.Transport.set_write_buffer_limit]) stdin is
 * closed, with a logged reason. A child that closes its stdin (or exits)
 * is noticed even while nothing is written: the pipe is closed and
 * `in_connection_lost` follows; further writes are dropped, as in Twisted.
 *
 * Writing to a pipe whose reader is gone raises `SIGPIPE`: the first
 * spawn makes this process ignore `SIGPIPE` (as Python, and so Twisted,
 * does), and restores the default disposition in each child.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidGLibProcess, braid_glib_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_glib_process_producer_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_glib_process_transport_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PROCESS_TRANSPORT,
                                                      braid_glib_process_process_transport_init))

static void update_stdin_watch (BraidGLibProcess *self);
static void watch_output (BraidGLibProcess *self, int i);

/* --- Ending ---------------------------------------------------------------- */

/* process_ended, once the child has exited and every pipe's loss was
 * delivered; then the transport lets go of the protocol and of itself. */
static void
maybe_end (BraidGLibProcess *self)
{
  g_autoptr (BraidProcessProtocol) protocol = NULL;

  if (self->ended || !self->exited || !self->lost[0] || !self->lost[1] || !self->lost[2])
    return;
  self->ended = TRUE;
  protocol = g_steal_pointer (&self->protocol);
  braid_process_protocol_process_ended (protocol, self->reason);
  g_object_unref (self);            /* the reference the spawn took */
}

static gboolean
deliver_losses (gpointer data)
{
  BraidGLibProcess *self = data;
  g_autoptr (BraidGLibProcess) alive G_GNUC_UNUSED = g_object_ref (self);  /* kept alive while it runs */

  g_source_unref (g_steal_pointer (&self->deliver));   /* this source */
  for (int i = 0; i < 3; i++)
    if (self->lost_pending[i])
      {
        self->lost_pending[i] = FALSE;
        self->lost[i] = TRUE;
        braid_process_protocol_child_connection_lost (self->protocol, i);
      }
  maybe_end (self);
  return G_SOURCE_REMOVE;
}

/* Closes the parent's end of one pipe now; the protocol hears of it from
 * the loop, as with a socket. */
static void
close_pipe (BraidGLibProcess *self, int i)
{
  if (self->fds[i] < 0)
    return;
  if (self->watches[i] != NULL)
    {
      g_source_destroy (self->watches[i]);
      g_source_unref (g_steal_pointer (&self->watches[i]));
    }
  close (self->fds[i]);
  self->fds[i] = -1;
  self->lost_pending[i] = TRUE;
  if (i == 0)
    {
      g_byte_array_set_size (self->in_buffer, 0);
      if (self->producer != NULL)
        {
          /* Nothing more can be written: stop the producer, as a socket
           * transport does when its connection is lost. */
          g_autoptr (BraidProducer) producer = g_steal_pointer (&self->producer);

          braid_producer_stop_producing (producer);
        }
    }
  if (self->deliver == NULL)
    {
      self->deliver = g_idle_source_new ();
      g_source_set_priority (self->deliver, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->deliver, deliver_losses, self, NULL);
      g_source_set_name (self->deliver, "Braid process pipe closed");
      g_source_attach (self->deliver, self->context);
    }
}

static void
on_child_exit (GPid pid, gint wait_status, gpointer data)
{
  BraidGLibProcess *self = data;
  g_autoptr (BraidGLibProcess) alive G_GNUC_UNUSED = g_object_ref (self);  /* kept alive while it runs */

  g_source_unref (g_steal_pointer (&self->child_watch));   /* this source */
  self->pid = 0;
  self->exited = TRUE;
  if (WIFSIGNALED (wait_status))
    {
      self->exit_code = -1;
      self->exit_signal = WTERMSIG (wait_status);
    }
  else
    self->exit_code = WEXITSTATUS (wait_status);
  self->reason = braid_process_exit_reason (self->exit_code, self->exit_signal);
  /* The protocol is held until process_ended, which waits for this. */
  braid_process_protocol_process_exited (self->protocol, self->reason);
  maybe_end (self);
}

/* --- Reading stdout and stderr -------------------------------------------- */

static gboolean
on_readable (BraidGLibProcess *self, int i)
{
  g_autoptr (BraidGLibProcess) alive G_GNUC_UNUSED = g_object_ref (self);  /* kept alive while it runs */
  guint8 buffer[READ_SIZE];
  gssize n = read (self->fds[i], buffer, sizeof buffer);

  if (n > 0)
    {
      /* The protocol is held until process_ended, which waits for this
       * pipe to be closed, and its watch with it. */
      braid_process_protocol_child_data_received (self->protocol, i, buffer, (gsize) n);
      return G_SOURCE_CONTINUE;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n < 0)
    g_debug ("Reading the child's fd %d: %s", i, g_strerror (errno));
  close_pipe (self, i);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stdout (int fd, GIOCondition condition, gpointer data)
{
  return on_readable (data, 1);
}

static gboolean
on_stderr (int fd, GIOCondition condition, gpointer data)
{
  return on_readable (data, 2);
}

/* Reads stdout (1) or stderr (2), if open, not paused, not watched yet. */
static void
watch_output (BraidGLibProcess *self, int i)
{
  if (self->fds[i] < 0 || self->reading_paused || self->watches[i] != NULL)
    return;
  self->watches[i] = g_unix_fd_source_new (self->fds[i], G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (self->watches[i], G_SOURCE_FUNC (i == 1 ? on_stdout : on_stderr),
                         self, NULL);
  g_source_set_name (self->watches[i], i == 1 ? "Braid process stdout" : "Braid process stderr");
  g_source_attach (self->watches[i], self->context);
}

/* --- Writing stdin ---------------------------------------------------------- */

static void
check_high_water (BraidGLibProcess *self)
{
  if (self->in_buffer->len > BRAID_GLIB_PROCESS_HIGH_WATER && self->producer != NULL
      && self->streaming && !self->producer_paused)
    {
      g_autoptr (BraidProducer) producer = g_object_ref (self->producer);

      self->producer_paused = TRUE;
      braid_producer_pause_producing (producer);
    }
}

static void
check_low_water (BraidGLibProcess *self)
{
  g_autoptr (BraidProducer) producer = NULL;

  if (self->producer == NULL)
    return;
  producer = g_object_ref (self->producer);
  if (self->streaming && self->producer_paused
      && self->in_buffer->len < BRAID_GLIB_PROCESS_LOW_WATER)
    {
      self->producer_paused = FALSE;
      braid_producer_resume_producing (producer);
    }
  else if (!self->streaming && self->in_buffer->len == 0)
    braid_producer_resume_producing (producer);
}

/* Writes what it can; FALSE when the pipe broke (and is now closed). */
static gboolean
flush_stdin (BraidGLibProcess *self)
{
  while (self->in_buffer->len > 0)
    {
      gssize n = write (self->fds[0], self->in_buffer->data, self->in_buffer->len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return TRUE;
      if (n < 0)
        {
          /* EPIPE: the child closed its stdin or exited. Twisted drops
           * the data and reports the pipe lost. */
          g_debug ("Writing to the child's stdin: %s", g_strerror (errno));
          close_pipe (self, 0);
          return FALSE;
        }
      g_byte_array_remove_range (self->in_buffer, 0, (guint) n);
    }
  return TRUE;
}

static gboolean
on_stdin (int fd, GIOCondition condition, gpointer data)
{
  BraidGLibProcess *self = data;
  g_autoptr (BraidGLibProcess) alive G_GNUC_UNUSED = g_object_ref (self);  /* kept alive while it runs */

  if (condition & (G_IO_ERR | G_IO_HUP))
    {
      /* The read end is gone: the child closed its stdin or exited. */
      close_pipe (self, 0);
      return G_SOURCE_REMOVE;
    }
  if (!flush_stdin (self))
    return G_SOURCE_REMOVE;
  if (self->in_buffer->len == 0 && self->stdin_closing)
    {
      close_pipe (self, 0);
      return G_SOURCE_REMOVE;
    }
  update_stdin_watch (self);
  check_low_water (self);
  return G_SOURCE_CONTINUE;
}

/* Stdin is watched for errors always (to notice a child that closes it),
 * for writability only while bytes wait. */
static void
update_stdin_watch (BraidGLibProcess *self)
{
  GIOCondition wanted = G_IO_ERR | G_IO_HUP;

  if (self->fds[0] < 0)
    return;
  if (self->in_buffer->len > 0)
    wanted |= G_IO_OUT;
  if (self->watches[0] != NULL)
    {
      if (self->stdin_condition == wanted)
        return;
      g_source_destroy (self->watches[0]);
      g_source_unref (g_steal_pointer (&self->watches[0]));
    }
  self->stdin_condition = wanted;
  self->watches[0] = g_unix_fd_source_new (self->fds[0], wanted);
  g_source_set_callback (self->watches[0], G_SOURCE_FUNC (on_stdin), self, NULL);
  g_source_set_name (self->watches[0], "Braid process stdin");
  g_source_attach (self->watches[0], self->context);
}

static gboolean
accepts_writes (BraidGLibProcess *self)
{
  return self->fds[0] >= 0 && !self->stdin_closing;
}

/* A pull producer is asked for more each time the buffer drains, which
 * only shows as a writable event if the bytes went through the buffer; so
 * while one is registered, writes are never sent directly (as the socket
 * transport does). */
static void
append_to_stdin (BraidGLibProcess *self, const guint8 *data, gsize len)
{
  gboolean direct = self->in_buffer->len == 0 && (self->producer == NULL || self->streaming);

  g_byte_array_append (self->in_buffer, data, (guint) len);
  if (direct && !flush_stdin (self))
    return;
  update_stdin_watch (self);
  check_high_water (self);
}

/* Past the write buffer limit: the child is not reading its stdin. */
static gboolean
close_stdin_past_limit (BraidGLibProcess *self)
{
  GError *too_much = braid_transport_check_write_buffer (BRAID_TRANSPORT (self),
                                                         self->in_buffer->len);

  if (too_much == NULL)
    return FALSE;
  g_error_free (too_much);
  close_pipe (self, 0);
  return TRUE;
}

static void
braid_glib_process_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  if (len == 0 || !accepts_writes (self) || close_stdin_past_limit (self))
    return;
  append_to_stdin (self, data, len);
}

static void
braid_glib_process_write_sequence (BraidTransport      *transport,
                                   const GOutputVector *vectors,
                                   gsize                n_vectors)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);
  g_autoptr (GByteArray) joined = g_byte_array_new ();

  if (!accepts_writes (self) || close_stdin_past_limit (self))
    return;
  for (gsize i = 0; i < n_vectors; i++)
    g_byte_array_append (joined, vectors[i].buffer, (guint) vectors[i].size);
  if (joined->len > 0)
    append_to_stdin (self, joined->data, joined->len);
}

/* --- The transport's other methods ------------------------------------------ */

static void
braid_glib_process_close_child_fd (BraidProcessTransport *transport, int child_fd)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  if (child_fd == 0 && self->fds[0] >= 0 && self->in_buffer->len > 0)
    {
      self->stdin_closing = TRUE;   /* once flushed: see on_stdin */
      return;
    }
  close_pipe (self, child_fd);
}

static void
braid_glib_process_lose_connection (BraidTransport *transport)
{
  BraidProcessTransport *self = BRAID_PROCESS_TRANSPORT (transport);

  braid_glib_process_close_child_fd (self, 0);
  braid_glib_process_close_child_fd (self, 1);
  braid_glib_process_close_child_fd (self, 2);
}

static void
braid_glib_process_abort_connection (BraidTransport *transport)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  for (int i = 0; i < 3; i++)
    close_pipe (self, i);
}

static void
braid_glib_process_lose_write_connection (BraidTransport *transport)
{
  braid_glib_process_close_child_fd (BRAID_PROCESS_TRANSPORT (transport), 0);
}

static GSocketAddress *
braid_glib_process_get_address (BraidTransport *transport)
{
  return NULL;
}

static void
braid_glib_process_register_producer (BraidTransport *transport,
                                      BraidProducer  *producer,
                                      gboolean        streaming)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  if (self->producer != NULL)
    {
      g_critical ("braid_transport_register_producer: a producer is already registered");
      return;
    }
  if (self->fds[0] < 0)
    {
      /* Twisted's rule: a producer registered on a closed pipe is stopped. */
      braid_producer_stop_producing (producer);
      return;
    }
  self->producer = g_object_ref (producer);
  self->streaming = streaming;
  self->producer_paused = FALSE;
  if (!streaming)
    braid_producer_resume_producing (producer);
  else
    check_high_water (self);
}

static void
braid_glib_process_unregister_producer (BraidTransport *transport)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  if (self->producer == NULL)
    {
      g_critical ("braid_transport_unregister_producer: no producer is registered");
      return;
    }
  g_object_unref (g_steal_pointer (&self->producer));
  self->producer_paused = FALSE;
}

static gboolean
braid_glib_process_is_disconnecting (BraidTransport *transport)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  return self->stdin_closing;
}

static void
braid_glib_process_transport_init (BraidTransportInterface *iface)
{
  iface->write = braid_glib_process_write;
  iface->write_sequence = braid_glib_process_write_sequence;
  iface->lose_connection = braid_glib_process_lose_connection;
  iface->abort_connection = braid_glib_process_abort_connection;
  iface->lose_write_connection = braid_glib_process_lose_write_connection;
  iface->get_peer = braid_glib_process_get_address;
  iface->get_host = braid_glib_process_get_address;
  iface->register_producer = braid_glib_process_register_producer;
  iface->unregister_producer = braid_glib_process_unregister_producer;
  iface->is_disconnecting = braid_glib_process_is_disconnecting;
}

static gboolean
braid_glib_process_signal_process (BraidProcessTransport  *transport,
                                   int                     signal_number,
                                   GError                **error)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (transport);

  if (self->exited)
    {
      g_set_error (error, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_EXITED_ALREADY,
                   "cannot send signal %d: the process has exited already", signal_number);
      return FALSE;
    }
  if (kill (self->pid, signal_number) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot send signal %d to process %d: %s", signal_number,
                   (int) self->pid, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static GPid
braid_glib_process_get_pid (BraidProcessTransport *transport)
{
  return BRAID_GLIB_PROCESS (transport)->pid;
}

static int
braid_glib_process_get_exit_code (BraidProcessTransport *transport)
{
  return BRAID_GLIB_PROCESS (transport)->exit_code;
}

static int
braid_glib_process_get_exit_signal (BraidProcessTransport *transport)
{
  return BRAID_GLIB_PROCESS (transport)->exit_signal;
}

static void
braid_glib_process_process_transport_init (BraidProcessTransportInterface *iface)
{
  iface->close_child_fd = braid_glib_process_close_child_fd;
  iface->signal_process = braid_glib_process_signal_process;
  iface->get_pid = braid_glib_process_get_pid;
  iface->get_exit_code = braid_glib_process_get_exit_code;
  iface->get_exit_signal = braid_glib_process_get_exit_signal;
}

/**
 * braid_glib_process_get_buffered_size:
 * @self: a process transport
 *
 * Counts the bytes written to the child's stdin that it has not read yet.
 *
 * Returns: the bytes waiting in the transport
 */
gsize
braid_glib_process_get_buffered_size (BraidGLibProcess *self)
{
  g_return_val_if_fail (BRAID_IS_GLIB_PROCESS (self), 0);
  return self->in_buffer->len;
}

/* --- As a producer: what the child writes ------------------------------------ */

/* Pausing stops reading stdout and stderr (the child blocks once the pipes
 * are full); resuming starts again. Twisted's Process does the same. */
static void
braid_glib_process_pause_producing (BraidProducer *producer)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (producer);

  self->reading_paused = TRUE;
  for (int i = 1; i <= 2; i++)
    if (self->watches[i] != NULL)
      {
        g_source_destroy (self->watches[i]);
        g_source_unref (g_steal_pointer (&self->watches[i]));
      }
}

static void
braid_glib_process_resume_producing (BraidProducer *producer)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (producer);

  self->reading_paused = FALSE;
  for (int i = 1; i <= 2; i++)
    watch_output (self, i);
}

static void
braid_glib_process_stop_producing (BraidProducer *producer)
{
  braid_glib_process_lose_connection (BRAID_TRANSPORT (producer));
}

static void
braid_glib_process_producer_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_glib_process_pause_producing;
  iface->resume_producing = braid_glib_process_resume_producing;
  iface->stop_producing = braid_glib_process_stop_producing;
}

/* --- Life cycle --------------------------------------------------------------- */

static void
braid_glib_process_finalize (GObject *object)
{
  BraidGLibProcess *self = BRAID_GLIB_PROCESS (object);

  /* Only reached once the process has ended (the spawn's reference), or
   * when spawning failed: nothing is open or watched any more. */
  g_clear_error (&self->reason);
  g_byte_array_unref (self->in_buffer);
  g_main_context_unref (self->context);   /* set as soon as it is made */
  G_OBJECT_CLASS (braid_glib_process_parent_class)->finalize (object);
}

static void
braid_glib_process_class_init (BraidGLibProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_glib_process_finalize;
}

static void
braid_glib_process_init (BraidGLibProcess *self)
{
  self->fds[0] = self->fds[1] = self->fds[2] = -1;
  self->in_buffer = g_byte_array_new ();
  self->exit_code = -1;
}

/* In the child, between fork and exec: the parent ignores SIGPIPE, the
 * child must not inherit that (a `yes | head` in it would never stop).
 * test-process-glib's stop-producing test shows it works; gcov cannot:
 * the child execs before it would write its counters. */
/* LCOV_EXCL_START: runs only in the forked child, whose counters the exec discards */
static void
restore_sigpipe (gpointer data)
{
  signal (SIGPIPE, SIG_DFL);
}
/* LCOV_EXCL_STOP */


BraidProcessTransport *
braid_glib_process_spawn (GMainContext          *context,
                          BraidProcessProtocol  *protocol,
                          const char * const    *argv,
                          const char * const    *envp,
                          const char            *working_directory,
                          GError               **error)
{
  static gsize sigpipe_ignored;
  BraidGLibProcess *self;
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES
                      | (envp != NULL ? G_SPAWN_SEARCH_PATH_FROM_ENVP : G_SPAWN_SEARCH_PATH);
  GPid pid;

  if (g_once_init_enter (&sigpipe_ignored))
    {
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&sigpipe_ignored, 1);
    }

  self = g_object_new (BRAID_TYPE_GLIB_PROCESS, NULL);
  self->context = g_main_context_ref (context);
  if (!g_spawn_async_with_pipes_and_fds (working_directory, argv, envp, flags,
                                         restore_sigpipe, NULL, -1, -1, -1, NULL, NULL, 0,
                                         &pid, &self->fds[0], &self->fds[1], &self->fds[2],
                                         error))
    {
      g_object_unref (self);
      return NULL;
    }
  self->pid = pid;
  for (int i = 0; i < 3; i++)
    g_unix_set_fd_nonblocking (self->fds[i], TRUE, NULL);
  self->protocol = g_object_ref (protocol);

  update_stdin_watch (self);
  watch_output (self, 1);
  watch_output (self, 2);
  self->child_watch = g_child_watch_source_new (pid);
  g_source_set_callback (self->child_watch, G_SOURCE_FUNC (on_child_exit), self, NULL);
  g_source_set_name (self->child_watch, "Braid process exit");
  g_source_attach (self->child_watch, self->context);

  /* The spawn's reference, dropped after process_ended. */
  braid_process_protocol_make_connection (protocol, BRAID_PROCESS_TRANSPORT (self));
  return BRAID_PROCESS_TRANSPORT (self);
}
