#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BRAID_PROCESS_ERROR:
 *
 * The error domain of child processes: how a process ended
 * ([enum@Braid.ProcessError]).
 */
#define BRAID_PROCESS_ERROR (braid_process_error_quark ())

/**
 * BraidProcessError:
 * @BRAID_PROCESS_ERROR_DONE: the process exited with code 0 (Twisted's
 *   `ProcessDone`)
 * @BRAID_PROCESS_ERROR_TERMINATED: the process exited with another code, or
 *   was killed by a signal (Twisted's `ProcessTerminated`)
 * @BRAID_PROCESS_ERROR_EXITED_ALREADY: a signal was sent to a process that
 *   has already exited (Twisted's `ProcessExitedAlready`)
 * @BRAID_PROCESS_ERROR_UNKNOWN_SIGNAL: a signal name Braid does not know
 *
 * Why a process's `process_exited` and `process_ended` were called, or
 * why a signal could not be sent.
 */
typedef enum {
  BRAID_PROCESS_ERROR_DONE,
  BRAID_PROCESS_ERROR_TERMINATED,
  BRAID_PROCESS_ERROR_EXITED_ALREADY,
  BRAID_PROCESS_ERROR_UNKNOWN_SIGNAL,
} BraidProcessError;

GQuark braid_process_error_quark (void);

/* --- The transport ------------------------------------------------------ */

#define BRAID_TYPE_PROCESS_TRANSPORT (braid_process_transport_get_type ())
G_DECLARE_INTERFACE (BraidProcessTransport, braid_process_transport,
                     BRAID, PROCESS_TRANSPORT, GObject)

/**
 * BraidProcessTransportInterface:
 * @g_iface: the parent interface
 * @close_child_fd: close the parent's end of the child's stdin (0), stdout
 *   (1) or stderr (2)
 * @signal_process: send a signal to the child
 * @get_pid: the child's process id, 0 once it has been reaped
 * @get_exit_code: the child's exit code once it has exited
 * @get_exit_signal: the signal that killed the child, if one did
 *
 * The virtual methods of [iface@Braid.ProcessTransport]. A process
 * transport is also a [iface@Braid.Transport]: `write` goes to the child's
 * stdin.
 */
struct _BraidProcessTransportInterface
{
  GTypeInterface g_iface;

  void     (*close_child_fd)  (BraidProcessTransport  *self,
                               int                     child_fd);
  gboolean (*signal_process)  (BraidProcessTransport  *self,
                               int                     signal_number,
                               GError                **error);
  GPid     (*get_pid)         (BraidProcessTransport  *self);
  int      (*get_exit_code)   (BraidProcessTransport  *self);
  int      (*get_exit_signal) (BraidProcessTransport  *self);

  /*< private >*/
  gpointer padding[8];
};

void     braid_process_transport_close_stdin            (BraidProcessTransport  *self);
void     braid_process_transport_close_stdout           (BraidProcessTransport  *self);
void     braid_process_transport_close_stderr           (BraidProcessTransport  *self);
void     braid_process_transport_close_child_fd         (BraidProcessTransport  *self,
                                                         int                     child_fd);
gboolean braid_process_transport_signal_process         (BraidProcessTransport  *self,
                                                         int                     signal_number,
                                                         GError                **error);
gboolean braid_process_transport_signal_process_by_name (BraidProcessTransport  *self,
                                                         const char             *name,
                                                         GError                **error);
GPid     braid_process_transport_get_pid                (BraidProcessTransport  *self);
int      braid_process_transport_get_exit_code          (BraidProcessTransport  *self);
int      braid_process_transport_get_exit_signal        (BraidProcessTransport  *self);

int      braid_process_signal_from_name                 (const char             *name);

/* --- The protocol ------------------------------------------------------- */

#define BRAID_TYPE_PROCESS_PROTOCOL (braid_process_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidProcessProtocol, braid_process_protocol,
                          BRAID, PROCESS_PROTOCOL, GObject)

/**
 * BraidProcessProtocolClass:
 * @parent_class: the parent class
 * @connection_made: the process was started; its transport is attached
 * @child_data_received: bytes from the child's stdout (1) or stderr (2);
 *   the default calls @out_received or @err_received
 * @out_received: bytes from the child's stdout
 * @err_received: bytes from the child's stderr
 * @child_connection_lost: one of the child's pipes closed; the default
 *   calls @in_connection_lost, @out_connection_lost or
 *   @err_connection_lost
 * @in_connection_lost: the child's stdin is closed
 * @out_connection_lost: the child's stdout is closed
 * @err_connection_lost: the child's stderr is closed
 * @process_exited: the child exited (it may still hold pipes open)
 * @process_ended: the child exited and all its pipes are closed: the last
 *   event
 *
 * The events of a child process: Twisted's `ProcessProtocol`. Override
 * the ones you need; each default does nothing (but the two dispatchers).
 */
struct _BraidProcessProtocolClass
{
  GObjectClass parent_class;

  void (*connection_made)       (BraidProcessProtocol  *self);
  void (*child_data_received)   (BraidProcessProtocol  *self,
                                 int                    child_fd,
                                 const guint8          *data,
                                 gsize                  len);
  void (*out_received)          (BraidProcessProtocol  *self,
                                 const guint8          *data,
                                 gsize                  len);
  void (*err_received)          (BraidProcessProtocol  *self,
                                 const guint8          *data,
                                 gsize                  len);
  void (*child_connection_lost) (BraidProcessProtocol  *self,
                                 int                    child_fd);
  void (*in_connection_lost)    (BraidProcessProtocol  *self);
  void (*out_connection_lost)   (BraidProcessProtocol  *self);
  void (*err_connection_lost)   (BraidProcessProtocol  *self);
  void (*process_exited)        (BraidProcessProtocol  *self,
                                 const GError          *reason);
  void (*process_ended)         (BraidProcessProtocol  *self,
                                 const GError          *reason);

  /*< private >*/
  gpointer padding[8];
};

void                   braid_process_protocol_make_connection       (BraidProcessProtocol  *self,
                                                                     BraidProcessTransport *transport);
void                   braid_process_protocol_child_data_received   (BraidProcessProtocol  *self,
                                                                     int                    child_fd,
                                                                     const guint8          *data,
                                                                     gsize                  len);
void                   braid_process_protocol_child_connection_lost (BraidProcessProtocol  *self,
                                                                     int                    child_fd);
void                   braid_process_protocol_process_exited        (BraidProcessProtocol  *self,
                                                                     const GError          *reason);
void                   braid_process_protocol_process_ended         (BraidProcessProtocol  *self,
                                                                     const GError          *reason);
BraidProcessTransport *braid_process_protocol_get_transport         (BraidProcessProtocol  *self);

GError                *braid_process_exit_reason                    (int                    exit_code,
                                                                     int                    signal_number);

G_END_DECLS
