/* braid-process.c: child processes as Twisted sees them: a process
 * protocol (the events of a child) and a process transport (its pipes and
 * its pid). The real transport is in reactor/braid-glib-process.c, the fake
 * one in fakes/braid-fake-process.c. */
#include "config.h"

#include <signal.h>

#include "core/braid-process.h"
#include "core/braid-transport.h"

/**
 * braid_process_error_quark:
 *
 * The quark of %BRAID_PROCESS_ERROR.
 *
 * Returns: the error domain of child processes
 */
G_DEFINE_QUARK (braid-process-error-quark, braid_process_error)

/* --- The transport ------------------------------------------------------ */

/**
 * BraidProcessTransport:
 *
 * A running child process, seen from its [class@Braid.ProcessProtocol]:
 * Twisted's `IProcessTransport`. It is a [iface@Braid.Transport] too:
 * [method@Braid.Transport.write] writes to the child's stdin (buffered,
 * with a registered producer paused while the child does not read),
 * [method@Braid.Transport.lose_connection] closes all three pipes (after
 * stdin has been flushed), and the peer and host addresses are %NULL.
 *
 * [method@Braid.Reactor.spawn_process] returns one.
 */
G_DEFINE_INTERFACE (BraidProcessTransport, braid_process_transport, BRAID_TYPE_TRANSPORT)

static void
braid_process_transport_default_init (BraidProcessTransportInterface *iface)
{
}

/**
 * braid_process_transport_close_child_fd:
 * @self: a process transport
 * @child_fd: 0 (stdin), 1 (stdout) or 2 (stderr)
 *
 * Closes the parent's end of one of the child's pipes: Twisted's
 * `closeChildFD`. For stdin, what was written is sent first; the child
 * then reads end of file. For stdout or stderr, what the child still
 * writes there is lost (the child gets `SIGPIPE` or `EPIPE`). The
 * protocol's `child_connection_lost` follows once the pipe is closed;
 * closing a pipe twice does nothing.
 */
void
braid_process_transport_close_child_fd (BraidProcessTransport *self, int child_fd)
{
  g_return_if_fail (BRAID_IS_PROCESS_TRANSPORT (self));
  g_return_if_fail (child_fd >= 0 && child_fd <= 2);
  BRAID_PROCESS_TRANSPORT_GET_IFACE (self)->close_child_fd (self, child_fd);
}

/**
 * braid_process_transport_close_stdin:
 * @self: a process transport
 *
 * Closes the child's stdin once what was written to it is sent, so that
 * the child reads end of file: Twisted's `closeStdin`.
 */
void
braid_process_transport_close_stdin (BraidProcessTransport *self)
{
  braid_process_transport_close_child_fd (self, 0);
}

/**
 * braid_process_transport_close_stdout:
 * @self: a process transport
 *
 * Stops reading the child's stdout and closes it: Twisted's `closeStdout`.
 */
void
braid_process_transport_close_stdout (BraidProcessTransport *self)
{
  braid_process_transport_close_child_fd (self, 1);
}

/**
 * braid_process_transport_close_stderr:
 * @self: a process transport
 *
 * Stops reading the child's stderr and closes it: Twisted's `closeStderr`.
 */
void
braid_process_transport_close_stderr (BraidProcessTransport *self)
{
  braid_process_transport_close_child_fd (self, 2);
}

/**
 * braid_process_transport_signal_process:
 * @self: a process transport
 * @signal_number: the signal, such as `SIGTERM`
 * @error: return location for %BRAID_PROCESS_ERROR_EXITED_ALREADY
 *
 * Sends a signal to the child: Twisted's `signalProcess`. Once the child
 * has exited (and been reaped), this fails with
 * %BRAID_PROCESS_ERROR_EXITED_ALREADY, as Twisted raises
 * `ProcessExitedAlready`.
 *
 * Returns: whether the signal was sent
 */
gboolean
braid_process_transport_signal_process (BraidProcessTransport  *self,
                                        int                     signal_number,
                                        GError                **error)
{
  g_return_val_if_fail (BRAID_IS_PROCESS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (signal_number > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return BRAID_PROCESS_TRANSPORT_GET_IFACE (self)->signal_process (self, signal_number, error);
}

static const struct
{
  const char *name;
  int number;
} signal_names[] = {
  { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
  { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
  { "TERM", SIGTERM }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "WINCH", SIGWINCH },
};

/**
 * braid_process_signal_from_name:
 * @name: a signal's name, with or without `SIG` (`"TERM"`, `"SIGKILL"`), or
 *   its number in decimal (`"15"`)
 *
 * Looks a signal up by the name Twisted's `signalProcess` accepts.
 *
 * Returns: the signal's number, or 0 for a name Braid does not know
 */
int
braid_process_signal_from_name (const char *name)
{
  guint64 number;

  g_return_val_if_fail (name != NULL, 0);
  if (g_ascii_string_to_unsigned (name, 10, 1, 64, &number, NULL))
    return (int) number;
  if (g_str_has_prefix (name, "SIG"))
    name += 3;
  for (gsize i = 0; i < G_N_ELEMENTS (signal_names); i++)
    if (strcmp (signal_names[i].name, name) == 0)
      return signal_names[i].number;
  return 0;
}

/**
 * braid_process_transport_signal_process_by_name:
 * @self: a process transport
 * @name: `"TERM"`, `"KILL"`, `"INT"`... or a number (see
 *   [func@Braid.process_signal_from_name])
 * @error: return location for an error
 *
 * Sends the signal named @name to the child, as Twisted's
 * `signalProcess ("TERM")` does.
 *
 * Returns: whether the signal was sent; %FALSE with
 *   %BRAID_PROCESS_ERROR_UNKNOWN_SIGNAL for a name that is no signal, or
 *   with %BRAID_PROCESS_ERROR_EXITED_ALREADY
 */
gboolean
braid_process_transport_signal_process_by_name (BraidProcessTransport  *self,
                                                const char             *name,
                                                GError                **error)
{
  int number;

  g_return_val_if_fail (BRAID_IS_PROCESS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  number = braid_process_signal_from_name (name);
  if (number == 0)
    {
      g_set_error (error, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_UNKNOWN_SIGNAL,
                   "\"%s\" is not a signal name (try \"TERM\", \"KILL\" or \"INT\")", name);
      return FALSE;
    }
  return braid_process_transport_signal_process (self, number, error);
}

/**
 * braid_process_transport_get_pid:
 * @self: a process transport
 *
 * Gets the child's process id. Once the child has exited and has been
 * reaped, the id may belong to another process: it is then 0 (Twisted
 * sets `pid` to `None`).
 *
 * Returns: the child's process id, or 0 once it has been reaped
 */
GPid
braid_process_transport_get_pid (BraidProcessTransport *self)
{
  g_return_val_if_fail (BRAID_IS_PROCESS_TRANSPORT (self), 0);
  return BRAID_PROCESS_TRANSPORT_GET_IFACE (self)->get_pid (self);
}

/**
 * braid_process_transport_get_exit_code:
 * @self: a process transport
 *
 * Gets the code the child exited with (Twisted's `exitCode` on the
 * reason).
 *
 * Returns: the exit code, or -1 while the child runs or if a signal
 *   killed it
 */
int
braid_process_transport_get_exit_code (BraidProcessTransport *self)
{
  g_return_val_if_fail (BRAID_IS_PROCESS_TRANSPORT (self), -1);
  return BRAID_PROCESS_TRANSPORT_GET_IFACE (self)->get_exit_code (self);
}

/**
 * braid_process_transport_get_exit_signal:
 * @self: a process transport
 *
 * Gets the signal that killed the child (Twisted's `signal` on the
 * reason).
 *
 * Returns: the signal's number, or 0 while the child runs or if it exited
 *   by itself
 */
int
braid_process_transport_get_exit_signal (BraidProcessTransport *self)
{
  g_return_val_if_fail (BRAID_IS_PROCESS_TRANSPORT (self), 0);
  return BRAID_PROCESS_TRANSPORT_GET_IFACE (self)->get_exit_signal (self);
}

/**
 * braid_process_exit_reason:
 * @exit_code: the exit code, when @signal_number is 0
 * @signal_number: the signal that killed the process, or 0
 *
 * Builds the reason `process_exited` and `process_ended` get, worded as
 * Twisted's: %BRAID_PROCESS_ERROR_DONE "process ended with exit code 0",
 * otherwise %BRAID_PROCESS_ERROR_TERMINATED "process ended with exit code
 * N" or "process ended by signal N (Terminated)". For transport
 * implementations.
 *
 * Returns: (transfer full): the reason
 */
GError *
braid_process_exit_reason (int exit_code, int signal_number)
{
  if (signal_number != 0)
    return g_error_new (BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_TERMINATED,
                        "process ended by signal %d (%s)", signal_number,
                        g_strsignal (signal_number));
  return g_error_new (BRAID_PROCESS_ERROR,
                      exit_code == 0 ? BRAID_PROCESS_ERROR_DONE
                                     : BRAID_PROCESS_ERROR_TERMINATED,
                      "process ended with exit code %d", exit_code);
}

/* --- The protocol ------------------------------------------------------- */

typedef struct
{
  BraidProcessTransport *transport;
} BraidProcessProtocolPrivate;

/**
 * BraidProcessProtocol:
 *
 * The code that talks to a child process: Twisted's `ProcessProtocol`.
 * Its events, in order:
 *
 * 1. `connection_made`: the child runs; write to its stdin with
 *    [method@Braid.Transport.write] on
 *    [method@Braid.ProcessProtocol.get_transport].
 * 2. `out_received` and `err_received` as the child writes (through
 *    `child_data_received`).
 * 3. `in_connection_lost`, `out_connection_lost`, `err_connection_lost`
 *    as each pipe closes (through `child_connection_lost`), in whatever
 *    order that happens.
 * 4. `process_exited` when the child has exited and been reaped, with a
 *    reason in %BRAID_PROCESS_ERROR: `DONE` for exit code 0, `TERMINATED`
 *    otherwise (the exit code and the signal are on the transport). The
 *    child may exit before its pipes close (a grandchild holds them) or
 *    after.
 * 5. `process_ended`, with the same reason, once the child has exited
 *    AND all three pipes are closed: always the last event, exactly once.
 *
 * The protocol holds a reference to its transport; the transport holds
 * the protocol until `process_ended`.
 */
G_DEFINE_TYPE_WITH_PRIVATE (BraidProcessProtocol, braid_process_protocol, G_TYPE_OBJECT)

static void
braid_process_protocol_real_connection_made (BraidProcessProtocol *self)
{
}

static void
braid_process_protocol_real_child_data_received (BraidProcessProtocol *self,
                                                 int                   child_fd,
                                                 const guint8         *data,
                                                 gsize                 len)
{
  BraidProcessProtocolClass *klass = BRAID_PROCESS_PROTOCOL_GET_CLASS (self);

  if (child_fd == 1)
    klass->out_received (self, data, len);
  else if (child_fd == 2)
    klass->err_received (self, data, len);
}

static void
braid_process_protocol_real_data (BraidProcessProtocol *self, const guint8 *data, gsize len)
{
}

static void
braid_process_protocol_real_child_connection_lost (BraidProcessProtocol *self, int child_fd)
{
  BraidProcessProtocolClass *klass = BRAID_PROCESS_PROTOCOL_GET_CLASS (self);

  if (child_fd == 0)
    klass->in_connection_lost (self);
  else if (child_fd == 1)
    klass->out_connection_lost (self);
  else if (child_fd == 2)
    klass->err_connection_lost (self);
}

static void
braid_process_protocol_real_pipe_lost (BraidProcessProtocol *self)
{
}

static void
braid_process_protocol_real_reason (BraidProcessProtocol *self, const GError *reason)
{
}

static void
braid_process_protocol_dispose (GObject *object)
{
  BraidProcessProtocolPrivate *priv =
    braid_process_protocol_get_instance_private (BRAID_PROCESS_PROTOCOL (object));

  g_clear_object (&priv->transport);
  G_OBJECT_CLASS (braid_process_protocol_parent_class)->dispose (object);
}

static void
braid_process_protocol_class_init (BraidProcessProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_process_protocol_dispose;
  klass->connection_made = braid_process_protocol_real_connection_made;
  klass->child_data_received = braid_process_protocol_real_child_data_received;
  klass->out_received = braid_process_protocol_real_data;
  klass->err_received = braid_process_protocol_real_data;
  klass->child_connection_lost = braid_process_protocol_real_child_connection_lost;
  klass->in_connection_lost = braid_process_protocol_real_pipe_lost;
  klass->out_connection_lost = braid_process_protocol_real_pipe_lost;
  klass->err_connection_lost = braid_process_protocol_real_pipe_lost;
  klass->process_exited = braid_process_protocol_real_reason;
  klass->process_ended = braid_process_protocol_real_reason;
}

static void
braid_process_protocol_init (BraidProcessProtocol *self)
{
}

/**
 * braid_process_protocol_make_connection:
 * @self: a process protocol
 * @transport: the child's transport
 *
 * Attaches @transport to @self and calls `connection_made`: what
 * [method@Braid.Reactor.spawn_process] does once the child runs.
 */
void
braid_process_protocol_make_connection (BraidProcessProtocol  *self,
                                        BraidProcessTransport *transport)
{
  BraidProcessProtocolPrivate *priv;

  g_return_if_fail (BRAID_IS_PROCESS_PROTOCOL (self));
  g_return_if_fail (BRAID_IS_PROCESS_TRANSPORT (transport));
  priv = braid_process_protocol_get_instance_private (self);
  g_set_object (&priv->transport, transport);
  BRAID_PROCESS_PROTOCOL_GET_CLASS (self)->connection_made (self);
}

/**
 * braid_process_protocol_child_data_received:
 * @self: a process protocol
 * @child_fd: 1 (stdout) or 2 (stderr)
 * @data: (array length=len): the bytes
 * @len: how many
 *
 * Delivers bytes the child wrote; for transport implementations.
 */
void
braid_process_protocol_child_data_received (BraidProcessProtocol *self,
                                            int                   child_fd,
                                            const guint8         *data,
                                            gsize                 len)
{
  g_return_if_fail (BRAID_IS_PROCESS_PROTOCOL (self));
  g_return_if_fail (data != NULL || len == 0);
  BRAID_PROCESS_PROTOCOL_GET_CLASS (self)->child_data_received (self, child_fd, data, len);
}

/**
 * braid_process_protocol_child_connection_lost:
 * @self: a process protocol
 * @child_fd: 0 (stdin), 1 (stdout) or 2 (stderr)
 *
 * Tells @self that one of the child's pipes is closed; for transport
 * implementations.
 */
void
braid_process_protocol_child_connection_lost (BraidProcessProtocol *self, int child_fd)
{
  g_return_if_fail (BRAID_IS_PROCESS_PROTOCOL (self));
  BRAID_PROCESS_PROTOCOL_GET_CLASS (self)->child_connection_lost (self, child_fd);
}

/**
 * braid_process_protocol_process_exited:
 * @self: a process protocol
 * @reason: why (see [func@Braid.process_exit_reason])
 *
 * Tells @self that the child has exited; for transport implementations.
 */
void
braid_process_protocol_process_exited (BraidProcessProtocol *self, const GError *reason)
{
  g_return_if_fail (BRAID_IS_PROCESS_PROTOCOL (self));
  g_return_if_fail (reason != NULL);
  BRAID_PROCESS_PROTOCOL_GET_CLASS (self)->process_exited (self, reason);
}

/**
 * braid_process_protocol_process_ended:
 * @self: a process protocol
 * @reason: why (see [func@Braid.process_exit_reason])
 *
 * Tells @self that the child has exited and all its pipes are closed; for
 * transport implementations.
 */
void
braid_process_protocol_process_ended (BraidProcessProtocol *self, const GError *reason)
{
  g_return_if_fail (BRAID_IS_PROCESS_PROTOCOL (self));
  g_return_if_fail (reason != NULL);
  BRAID_PROCESS_PROTOCOL_GET_CLASS (self)->process_ended (self, reason);
}

/**
 * braid_process_protocol_get_transport:
 * @self: a process protocol
 *
 * Gets the transport of @self's child.
 *
 * Returns: (transfer none) (nullable): the transport, once
 *   `connection_made` was called
 */
BraidProcessTransport *
braid_process_protocol_get_transport (BraidProcessProtocol *self)
{
  BraidProcessProtocolPrivate *priv;

  g_return_val_if_fail (BRAID_IS_PROCESS_PROTOCOL (self), NULL);
  priv = braid_process_protocol_get_instance_private (self);
  return priv->transport;
}
