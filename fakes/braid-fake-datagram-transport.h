#pragma once

#include <braid.h>

G_BEGIN_DECLS

/**
 * BraidDatagramWrite:
 * @data: the datagram
 * @address: where it was sent: the address given, or the peer of a
 *   connected port
 *
 * One datagram written on a [class@Braid.FakeDatagramTransport].
 */
typedef struct {
  GBytes *data;
  GSocketAddress *address;
} BraidDatagramWrite;

#define BRAID_TYPE_FAKE_DATAGRAM_TRANSPORT (braid_fake_datagram_transport_get_type ())
G_DECLARE_FINAL_TYPE (BraidFakeDatagramTransport, braid_fake_datagram_transport,
                      BRAID, FAKE_DATAGRAM_TRANSPORT, GObject)

BraidFakeDatagramTransport *braid_fake_datagram_transport_new          (const char                 *interface,
                                                                        guint16                     port,
                                                                        gsize                       max_packet_size);
void                        braid_fake_datagram_transport_attach       (BraidFakeDatagramTransport *self,
                                                                        BraidDatagramProtocol      *protocol);
GPtrArray                  *braid_fake_datagram_transport_get_writes   (BraidFakeDatagramTransport *self);
BraidDatagramWrite         *braid_fake_datagram_transport_get_write    (BraidFakeDatagramTransport *self,
                                                                        guint                       index);
void                        braid_fake_datagram_transport_clear_writes (BraidFakeDatagramTransport *self);
gboolean                    braid_fake_datagram_transport_deliver      (BraidFakeDatagramTransport *self,
                                                                        const guint8               *data,
                                                                        gsize                       len,
                                                                        GSocketAddress             *from);
gboolean                    braid_fake_datagram_transport_refuse       (BraidFakeDatagramTransport *self);
gboolean                    braid_fake_datagram_transport_in_group     (BraidFakeDatagramTransport *self,
                                                                        const char                 *group);
void                        braid_fake_datagram_transport_set_write_error (BraidFakeDatagramTransport *self,
                                                                           const GError               *error);

G_END_DECLS
