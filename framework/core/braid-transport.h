#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_TRANSPORT (braid_transport_get_type ())
G_DECLARE_INTERFACE (BraidTransport, braid_transport, BRAID, TRANSPORT, GObject)

/**
 * BraidTransportInterface:
 * @g_iface: the parent interface
 * @write: buffer bytes for the peer
 * @write_sequence: buffer several pieces at once (one `writev` for a socket)
 * @lose_connection: flush what is buffered, then close
 * @abort_connection: close now, dropping what is buffered
 * @lose_write_connection: half-close: flush, then shut down the sending side
 * @get_peer: the address of the other end
 * @get_host: the address of this end
 * @register_producer: attach a producer that feeds this transport
 * @unregister_producer: detach it
 * @is_disconnecting: whether a close has been asked for
 *
 * The virtual methods of [iface@Braid.Transport]. Every one must be
 * implemented but @lose_write_connection (a missing one means half-close is
 * not supported: the call closes the whole connection instead).
 */
struct _BraidTransportInterface
{
  GTypeInterface g_iface;

  void            (*write)                 (BraidTransport       *self,
                                            const guint8         *data,
                                            gsize                 len);
  void            (*write_sequence)        (BraidTransport       *self,
                                            const GOutputVector  *vectors,
                                            gsize                 n_vectors);
  void            (*lose_connection)       (BraidTransport       *self);
  void            (*abort_connection)      (BraidTransport       *self);
  void            (*lose_write_connection) (BraidTransport       *self);
  GSocketAddress *(*get_peer)              (BraidTransport       *self);
  GSocketAddress *(*get_host)              (BraidTransport       *self);
  void            (*register_producer)     (BraidTransport       *self,
                                            BraidProducer        *producer,
                                            gboolean              streaming);
  void            (*unregister_producer)   (BraidTransport       *self);
  gboolean        (*is_disconnecting)      (BraidTransport       *self);

  /*< private >*/
  gpointer padding[8];
};

void            braid_transport_write                 (BraidTransport      *self,
                                                       const guint8        *data,
                                                       gsize                len);
void            braid_transport_write_string          (BraidTransport      *self,
                                                       const char          *text);
void            braid_transport_write_sequence        (BraidTransport      *self,
                                                       const GOutputVector *vectors,
                                                       gsize                n_vectors);
void            braid_transport_lose_connection       (BraidTransport      *self);
void            braid_transport_abort_connection      (BraidTransport      *self);
void            braid_transport_lose_write_connection (BraidTransport      *self);
GSocketAddress *braid_transport_get_peer              (BraidTransport      *self);
GSocketAddress *braid_transport_get_host              (BraidTransport      *self);
void            braid_transport_register_producer     (BraidTransport      *self,
                                                       BraidProducer       *producer,
                                                       gboolean             streaming);
void            braid_transport_unregister_producer   (BraidTransport      *self);
gboolean        braid_transport_is_disconnecting      (BraidTransport      *self);

G_END_DECLS
