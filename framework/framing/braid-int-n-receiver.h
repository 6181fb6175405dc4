#pragma once

#include "braid-types.h"
#include "core/braid-protocol.h"

G_BEGIN_DECLS

#define BRAID_TYPE_INT_N_RECEIVER (braid_int_n_receiver_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidIntNReceiver, braid_int_n_receiver, BRAID, INT_N_RECEIVER, BraidProtocol)

/**
 * BraidIntNReceiverClass:
 * @parent_class: the parent class
 * @string_received: a complete frame arrived (its payload, without the prefix)
 * @length_limit_exceeded: a prefix announced more than `max_length` bytes;
 *   the default closes the connection with `G_IO_ERROR_MESSAGE_TOO_LARGE`
 *
 * The events of a [class@Braid.IntNReceiver], on top of those of
 * [class@Braid.Protocol] (whose `data_received` it implements: do not
 * override it).
 */
struct _BraidIntNReceiverClass
{
  BraidProtocolClass parent_class;

  void (*string_received)       (BraidIntNReceiver *self,
                                 const guint8      *data,
                                 gsize              len);
  void (*length_limit_exceeded) (BraidIntNReceiver *self,
                                 gsize              length);

  /*< private >*/
  gpointer padding[8];
};

void     braid_int_n_receiver_set_prefix_bits (BraidIntNReceiver *self,
                                               guint              bits);
guint    braid_int_n_receiver_get_prefix_bits (BraidIntNReceiver *self);
void     braid_int_n_receiver_set_max_length  (BraidIntNReceiver *self,
                                               gsize              max_length);
gsize    braid_int_n_receiver_get_max_length  (BraidIntNReceiver *self);
gboolean braid_int_n_receiver_send_string     (BraidIntNReceiver *self,
                                               const guint8      *data,
                                               gsize              len,
                                               GError           **error);

G_END_DECLS
