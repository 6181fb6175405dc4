#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BRAID_UDP_MAX_IPV4_PAYLOAD:
 *
 * The largest datagram UDP over IPv4 carries: 65507 bytes (65535 less the
 * IPv4 and UDP headers). Writing more fails with
 * %G_IO_ERROR_MESSAGE_TOO_LARGE, as the system's `sendto` does (Twisted's
 * `MessageLengthError`).
 */
#define BRAID_UDP_MAX_IPV4_PAYLOAD 65507

/**
 * BRAID_UDP_MAX_IPV6_PAYLOAD:
 *
 * The largest datagram UDP over IPv6 carries without jumbograms: 65527
 * bytes (65535 less the UDP header).
 */
#define BRAID_UDP_MAX_IPV6_PAYLOAD 65527

/**
 * BRAID_DEFAULT_MAX_PACKET_SIZE:
 *
 * The size of the biggest datagram a UDP port receives when none is
 * given: 8192 bytes, as in Twisted.
 */
#define BRAID_DEFAULT_MAX_PACKET_SIZE 8192

#define BRAID_TYPE_DATAGRAM_TRANSPORT (braid_datagram_transport_get_type ())
G_DECLARE_INTERFACE (BraidDatagramTransport, braid_datagram_transport,
                     BRAID, DATAGRAM_TRANSPORT, GObject)

/**
 * BraidDatagramTransportInterface:
 * @g_iface: the parent interface
 * @is_listening: whether the port is open
 * @write: send one datagram to @address, or to the connected peer when
 *   @address is %NULL (already checked by the wrapper)
 * @connect: from now on, send to and hear from @address only
 * @get_connected_address: the peer after @connect, else %NULL
 * @get_max_packet_size: the biggest datagram the port receives
 * @join_group: join a multicast group (already checked to be one)
 * @leave_group: leave a multicast group
 * @get_ttl: the time to live of multicast datagrams sent
 * @set_ttl: set it
 * @get_loopback: whether multicast datagrams sent come back to this host
 * @set_loopback: set it
 *
 * The virtual methods of [iface@Braid.DatagramTransport]. The wrappers
 * check the arguments and the port's state before calling them, so every
 * implementation, real or fake, is exactly as strict.
 */
struct _BraidDatagramTransportInterface
{
  GTypeInterface g_iface;

  gboolean        (*is_listening)          (BraidDatagramTransport *self);
  gboolean        (*write)                 (BraidDatagramTransport *self,
                                            const guint8           *data,
                                            gsize                   len,
                                            GSocketAddress         *address,
                                            GError                **error);
  gboolean        (*connect)               (BraidDatagramTransport *self,
                                            GSocketAddress         *address,
                                            GError                **error);
  GSocketAddress *(*get_connected_address) (BraidDatagramTransport *self);
  gsize           (*get_max_packet_size)   (BraidDatagramTransport *self);
  gboolean        (*join_group)            (BraidDatagramTransport *self,
                                            GInetAddress           *group,
                                            const char             *interface,
                                            GError                **error);
  gboolean        (*leave_group)           (BraidDatagramTransport *self,
                                            GInetAddress           *group,
                                            const char             *interface,
                                            GError                **error);
  guint           (*get_ttl)               (BraidDatagramTransport *self);
  gboolean        (*set_ttl)               (BraidDatagramTransport *self,
                                            guint                   ttl,
                                            GError                **error);
  gboolean        (*get_loopback)          (BraidDatagramTransport *self);
  gboolean        (*set_loopback)          (BraidDatagramTransport *self,
                                            gboolean                loopback,
                                            GError                **error);

  /*< private >*/
  gpointer padding[8];
};

gboolean        braid_datagram_transport_is_listening          (BraidDatagramTransport *self);
gboolean        braid_datagram_transport_write                 (BraidDatagramTransport *self,
                                                                const guint8           *data,
                                                                gsize                   len,
                                                                GSocketAddress         *address,
                                                                GError                **error);
gboolean        braid_datagram_transport_connect               (BraidDatagramTransport *self,
                                                                GSocketAddress         *address,
                                                                GError                **error);
GSocketAddress *braid_datagram_transport_get_connected_address (BraidDatagramTransport *self);
GSocketAddress *braid_datagram_transport_get_host              (BraidDatagramTransport *self);
void            braid_datagram_transport_stop_listening        (BraidDatagramTransport *self);
gsize           braid_datagram_transport_get_max_packet_size   (BraidDatagramTransport *self);
gsize           braid_datagram_transport_get_max_write_size    (BraidDatagramTransport *self);
gboolean        braid_datagram_transport_join_group            (BraidDatagramTransport *self,
                                                                const char             *group,
                                                                const char             *interface,
                                                                GError                **error);
gboolean        braid_datagram_transport_leave_group           (BraidDatagramTransport *self,
                                                                const char             *group,
                                                                const char             *interface,
                                                                GError                **error);
guint           braid_datagram_transport_get_ttl               (BraidDatagramTransport *self);
gboolean        braid_datagram_transport_set_ttl               (BraidDatagramTransport *self,
                                                                guint                   ttl,
                                                                GError                **error);
gboolean        braid_datagram_transport_get_loopback          (BraidDatagramTransport *self);
gboolean        braid_datagram_transport_set_loopback          (BraidDatagramTransport *self,
                                                                gboolean                loopback,
                                                                GError                **error);
gboolean        braid_socket_address_equal                     (GSocketAddress         *a,
                                                                GSocketAddress         *b);

G_END_DECLS
