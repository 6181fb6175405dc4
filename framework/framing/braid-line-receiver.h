#pragma once

#include "braid-types.h"
#include "core/braid-protocol.h"

G_BEGIN_DECLS

/**
 * BRAID_DEFAULT_MAX_FRAME_LENGTH:
 *
 * The longest frame (a line, a length-prefixed string, a netstring) a
 * framing receiver accepts unless told otherwise: 16384 bytes, the same
 * for all three receivers.
 */
#define BRAID_DEFAULT_MAX_FRAME_LENGTH 16384

#define BRAID_TYPE_LINE_RECEIVER (braid_line_receiver_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidLineReceiver, braid_line_receiver, BRAID, LINE_RECEIVER, BraidProtocol)

/**
 * BraidLineReceiverClass:
 * @parent_class: the parent class
 * @line_received: a complete line arrived (without its delimiter)
 * @raw_data_received: bytes arrived in raw mode
 * @line_length_exceeded: a line grew longer than the maximum; the default
 *   closes the connection with `G_IO_ERROR_MESSAGE_TOO_LARGE`
 *
 * The events of a [class@Braid.LineReceiver], on top of those of
 * [class@Braid.Protocol] (whose `data_received` the line receiver
 * implements: do not override it).
 */
struct _BraidLineReceiverClass
{
  BraidProtocolClass parent_class;

  void (*line_received)        (BraidLineReceiver *self,
                                const char        *line,
                                gsize              len);
  void (*raw_data_received)    (BraidLineReceiver *self,
                                const guint8      *data,
                                gsize              len);
  void (*line_length_exceeded) (BraidLineReceiver *self,
                                gsize              length);

  /*< private >*/
  gpointer padding[8];
};

void        braid_line_receiver_set_delimiter  (BraidLineReceiver *self,
                                                const char        *delimiter);
const char *braid_line_receiver_get_delimiter  (BraidLineReceiver *self);
void        braid_line_receiver_set_max_length (BraidLineReceiver *self,
                                                gsize              max_length);
gsize       braid_line_receiver_get_max_length (BraidLineReceiver *self);
void        braid_line_receiver_send_line      (BraidLineReceiver *self,
                                                const char        *line);
void        braid_line_receiver_send_line_len  (BraidLineReceiver *self,
                                                const char        *line,
                                                gsize              len);
void        braid_line_receiver_set_raw_mode   (BraidLineReceiver *self);
void        braid_line_receiver_set_line_mode  (BraidLineReceiver *self,
                                                const guint8      *extra,
                                                gsize              extra_len);
gboolean    braid_line_receiver_is_line_mode   (BraidLineReceiver *self);
GBytes     *braid_line_receiver_clear_line_buffer (BraidLineReceiver *self);

G_END_DECLS
