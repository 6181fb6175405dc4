#pragma once

#include "braid-types.h"
#include "core/braid-protocol.h"

G_BEGIN_DECLS

#define BRAID_TYPE_NETSTRING_RECEIVER (braid_netstring_receiver_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidNetstringReceiver, braid_netstring_receiver, BRAID, NETSTRING_RECEIVER, BraidProtocol)

/**
 * BraidNetstringReceiverClass:
 * @parent_class: the parent class
 * @string_received: a complete netstring arrived (its payload)
 *
 * The events of a [class@Braid.NetstringReceiver], on top of those of
 * [class@Braid.Protocol] (whose `data_received` it implements: do not
 * override it).
 */
struct _BraidNetstringReceiverClass
{
  BraidProtocolClass parent_class;

  void (*string_received) (BraidNetstringReceiver *self,
                           const guint8           *data,
                           gsize                   len);

  /*< private >*/
  gpointer padding[8];
};

void     braid_netstring_receiver_set_max_length (BraidNetstringReceiver *self,
                                                  gsize                   max_length);
gsize    braid_netstring_receiver_get_max_length (BraidNetstringReceiver *self);
gboolean braid_netstring_receiver_send_string    (BraidNetstringReceiver *self,
                                                  const guint8           *data,
                                                  gsize                   len,
                                                  GError                **error);

G_END_DECLS
