#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_DATAGRAM_PROTOCOL (braid_datagram_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidDatagramProtocol, braid_datagram_protocol,
                          BRAID, DATAGRAM_PROTOCOL, GObject)

/**
 * BraidDatagramProtocolClass:
 * @parent_class: the parent class
 * @start_protocol: the protocol got its first port (it may now write)
 * @stop_protocol: the protocol's last port stopped listening
 * @datagram_received: one datagram arrived, whole, from @address
 * @connection_refused: on a connected port, the peer's system said nothing
 *   listens there (an ICMP "port unreachable")
 *
 * The events of a datagram protocol. Override the ones your protocol
 * handles; each default does nothing.
 */
struct _BraidDatagramProtocolClass
{
  GObjectClass parent_class;

  void (*start_protocol)     (BraidDatagramProtocol *self);
  void (*stop_protocol)      (BraidDatagramProtocol *self);
  void (*datagram_received)  (BraidDatagramProtocol *self,
                              const guint8          *data,
                              gsize                  len,
                              GSocketAddress        *address);
  void (*connection_refused) (BraidDatagramProtocol *self);

  /*< private >*/
  gpointer padding[8];
};

void                    braid_datagram_protocol_make_connection    (BraidDatagramProtocol  *self,
                                                                    BraidDatagramTransport *transport);
void                    braid_datagram_protocol_do_start           (BraidDatagramProtocol  *self);
void                    braid_datagram_protocol_do_stop            (BraidDatagramProtocol  *self);
void                    braid_datagram_protocol_datagram_received  (BraidDatagramProtocol  *self,
                                                                    const guint8           *data,
                                                                    gsize                   len,
                                                                    GSocketAddress         *address);
void                    braid_datagram_protocol_connection_refused (BraidDatagramProtocol  *self);
BraidDatagramTransport *braid_datagram_protocol_get_transport      (BraidDatagramProtocol  *self);

G_END_DECLS
