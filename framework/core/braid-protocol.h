#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_PROTOCOL (braid_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidProtocol, braid_protocol, BRAID, PROTOCOL, GObject)

/**
 * BraidProtocolClass:
 * @parent_class: the parent class
 * @make_connection: attach a transport; the default stores it, marks the
 *   protocol connected and calls @connection_made
 * @connection_made: the connection is up; the transport is available
 * @data_received: bytes arrived; they may be any part of what the peer sent
 * @connection_lost: the connection is gone; @reason is never %NULL
 * @read_connection_lost: the peer half-closed its side (it will send nothing
 *   more); leave it %NULL if the protocol does not support half-close, and
 *   the transport will close the whole connection instead
 * @log_prefix: names the connection in log lines; the default is the
 *   protocol's type name
 *
 * The events of a connection, in the order they happen. Override the ones
 * your protocol handles; each default does nothing but what is said above.
 */
struct _BraidProtocolClass
{
  GObjectClass parent_class;

  void (*make_connection)      (BraidProtocol  *self,
                                BraidTransport *transport);
  void (*connection_made)      (BraidProtocol  *self);
  void (*data_received)        (BraidProtocol  *self,
                                const guint8   *data,
                                gsize           len);
  void (*connection_lost)      (BraidProtocol  *self,
                                const GError   *reason);
  void (*read_connection_lost) (BraidProtocol  *self);
  const char *(*log_prefix)    (BraidProtocol  *self);

  /*< private >*/
  gpointer padding[11];
};

const char     *braid_protocol_get_log_prefix       (BraidProtocol  *self);
void            braid_protocol_make_connection      (BraidProtocol  *self,
                                                     BraidTransport *transport);
void            braid_protocol_connection_made      (BraidProtocol  *self);
void            braid_protocol_data_received        (BraidProtocol  *self,
                                                     const guint8   *data,
                                                     gsize           len);
void            braid_protocol_connection_lost      (BraidProtocol  *self,
                                                     const GError   *reason);
void            braid_protocol_read_connection_lost (BraidProtocol  *self);
gboolean        braid_protocol_supports_half_close  (BraidProtocol  *self);
void            braid_protocol_abort_with_reason    (BraidProtocol  *self,
                                                     const GError   *reason);

BraidTransport *braid_protocol_get_transport        (BraidProtocol  *self);
BraidFactory   *braid_protocol_get_factory          (BraidProtocol  *self);
void            braid_protocol_set_factory          (BraidProtocol  *self,
                                                     BraidFactory   *factory);
gboolean        braid_protocol_is_connected         (BraidProtocol  *self);
BraidClock     *braid_protocol_get_clock            (BraidProtocol  *self);

void            braid_protocol_class_set_factory_type (BraidProtocolClass *klass,
                                                       GType               factory_type);
GType           braid_protocol_class_get_factory_type (BraidProtocolClass *klass);

G_END_DECLS
