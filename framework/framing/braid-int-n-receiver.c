/* braid-int-n-receiver.c: frames that start with their length. */
#include "config.h"

#include <string.h>

#include "framing/braid-framing-private.h"
#include "framing/braid-line-receiver.h"
#include "framing/braid-int-n-receiver.h"
#include "core/braid-producer.h"

/**
 * BraidIntNReceiver:
 *
 * A protocol whose frames ("strings") are a big-endian unsigned length of
 * 8, 16 or 32 bits followed by that many bytes: Twisted's
 * `Int8StringReceiver`, `Int16StringReceiver` and `Int32StringReceiver` in
 * one class. Binary data is at home here: nothing is escaped.
 *
 * ```
 * 00 00 00 05 'h' 'e' 'l' 'l' 'o'      a 32-bit prefix, then 5 bytes
 * ```
 *
 * ## Lifecycle
 *
 * 1. The factory creates the receiver; its `init` picks the prefix size
 *    ([method@Braid.IntNReceiver.set_prefix_bits], default 32) and may
 *    change `max_length` (default %BRAID_DEFAULT_MAX_FRAME_LENGTH). Set
 *    both before the first byte arrives.
 * 2. Each complete frame is handed to `string_received` (the payload only,
 *    valid during the call); [method@Braid.IntNReceiver.send_string] sends
 *    one.
 * 3. `connection_lost` as for any protocol.
 *
 * ## Bad input
 *
 * The length is checked as soon as the prefix is complete, before a byte
 * of the payload is buffered: a prefix announcing more than `max_length`
 * calls `length_limit_exceeded (length)`, whose default logs the reason
 * and closes the connection at once; `connection_lost` then receives
 * `G_IO_ERROR_MESSAGE_TOO_LARGE`. An override that leaves the connection
 * open gets the receiver to skip the announced payload (counting, not
 * storing, its bytes) and carry on with the next frame. See
 * `docs/framing.md` for the contract shared with the other receivers.
 *
 * ## Flow control
 *
 * As for [class@Braid.LineReceiver]: frames stop coming once the transport
 * is disconnecting, and the receiver is a [iface@Braid.Producer] that can be
 * paused and resumed, holding back frames already received.
 */

enum {
  PROP_0,
  PROP_PREFIX_BITS,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  BraidFramingInput in;
  guint prefix_bytes;
  gsize max_length;
  guint8 header[4];
  guint header_len;       /* bytes of the prefix received so far */
  gboolean in_payload;
  gsize expected;         /* the payload's length, once the prefix is in */
  GByteArray *payload;    /* the payload so far, when it is cut by a chunk */
  gsize skip;             /* bytes of a refused frame still to skip */
} BraidIntNReceiverPrivate;

static void braid_int_n_receiver_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_TYPE_WITH_CODE (BraidIntNReceiver, braid_int_n_receiver, BRAID_TYPE_PROTOCOL,
                         G_ADD_PRIVATE (BraidIntNReceiver)
                         G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                braid_int_n_receiver_producer_iface_init))

#define PRIV(self) ((BraidIntNReceiverPrivate *) braid_int_n_receiver_get_instance_private (self))

static gsize
decode_length (const guint8 *bytes, guint n)
{
  gsize length = 0;

  for (guint i = 0; i < n; i++)
    length = (length << 8) | bytes[i];
  return length;
}

static void
deliver (BraidIntNReceiver *self, const guint8 *data, gsize len)
{
  BraidIntNReceiverClass *klass = BRAID_INT_N_RECEIVER_GET_CLASS (self);

  PRIV (self)->in_payload = FALSE;
  if (klass->string_received != NULL)
    klass->string_received (self, data, len);
}

/* The prefix is complete: check the length before buffering anything. */
static void
prefix_received (BraidIntNReceiver *self, gsize length)
{
  BraidIntNReceiverPrivate *priv = PRIV (self);

  if (length > priv->max_length)
    {
      priv->skip = length;
      BRAID_INT_N_RECEIVER_GET_CLASS (self)->length_limit_exceeded (self, length);
      return;
    }
  priv->expected = length;
  priv->in_payload = TRUE;
  if (length == 0)
    deliver (self, (const guint8 *) "", 0);
}

static void
feed_strings (gpointer receiver)
{
  BraidIntNReceiver *self = receiver;
  BraidIntNReceiverPrivate *priv = PRIV (self);
  BraidFramingInput *in = &priv->in;

  while (!in->paused && !braid_framing_should_stop (in, BRAID_PROTOCOL (self))
         && in->cur_pos < in->cur_len)
    {
      const guint8 *data = in->cur + in->cur_pos;
      gsize avail = in->cur_len - in->cur_pos;

      if (priv->skip > 0)
        {
          gsize n = MIN (priv->skip, avail);

          priv->skip -= n;
          in->cur_pos += n;
        }
      else if (!priv->in_payload)
        {
          gsize n = MIN (priv->prefix_bytes - priv->header_len, avail);

          memcpy (priv->header + priv->header_len, data, n);
          priv->header_len += n;
          in->cur_pos += n;
          if (priv->header_len == priv->prefix_bytes)
            {
              priv->header_len = 0;
              prefix_received (self, decode_length (priv->header, priv->prefix_bytes));
            }
        }
      else if (priv->payload->len == 0 && avail >= priv->expected)
        {
          /* The whole payload is in this chunk: deliver it in place. */
          in->cur_pos += priv->expected;
          deliver (self, data, priv->expected);
        }
      else
        {
          gsize n = MIN (priv->expected - priv->payload->len, avail);

          g_byte_array_append (priv->payload, data, n);
          in->cur_pos += n;
          if (priv->payload->len == priv->expected)
            {
              deliver (self, priv->payload->data, priv->payload->len);
              g_byte_array_set_size (priv->payload, 0);
            }
        }
    }
}

static void
braid_int_n_receiver_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BraidIntNReceiverPrivate *priv = PRIV (BRAID_INT_N_RECEIVER (protocol));

  braid_framing_input_receive (&priv->in, protocol, feed_strings, data, len);
}

static void
braid_int_n_receiver_real_length_limit_exceeded (BraidIntNReceiver *self, gsize length)
{
  BraidIntNReceiverPrivate *priv = PRIV (self);

  braid_framing_reject (&priv->in, BRAID_PROTOCOL (self), G_IO_ERROR_MESSAGE_TOO_LARGE,
                        "frame of %" G_GSIZE_FORMAT " bytes announced; the limit is %"
                        G_GSIZE_FORMAT, length, priv->max_length);
}

static void
braid_int_n_receiver_pause_producing (BraidProducer *producer)
{
  BraidIntNReceiver *self = BRAID_INT_N_RECEIVER (producer);

  braid_framing_pause (&PRIV (self)->in, BRAID_PROTOCOL (self));
}

static void
braid_int_n_receiver_resume_producing (BraidProducer *producer)
{
  BraidIntNReceiver *self = BRAID_INT_N_RECEIVER (producer);

  braid_framing_resume (&PRIV (self)->in, BRAID_PROTOCOL (self), feed_strings);
}

static void
braid_int_n_receiver_stop_producing (BraidProducer *producer)
{
  BraidIntNReceiver *self = BRAID_INT_N_RECEIVER (producer);

  braid_framing_stop (&PRIV (self)->in, BRAID_PROTOCOL (self));
}

static void
braid_int_n_receiver_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_int_n_receiver_pause_producing;
  iface->resume_producing = braid_int_n_receiver_resume_producing;
  iface->stop_producing = braid_int_n_receiver_stop_producing;
}

static void
braid_int_n_receiver_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BraidIntNReceiver *self = BRAID_INT_N_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_PREFIX_BITS:
      braid_int_n_receiver_set_prefix_bits (self, g_value_get_uint (value));
      break;
    case PROP_MAX_LENGTH:
      braid_int_n_receiver_set_max_length (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_int_n_receiver_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BraidIntNReceiver *self = BRAID_INT_N_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_PREFIX_BITS:
      g_value_set_uint (value, braid_int_n_receiver_get_prefix_bits (self));
      break;
    case PROP_MAX_LENGTH:
      g_value_set_uint64 (value, braid_int_n_receiver_get_max_length (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_int_n_receiver_finalize (GObject *object)
{
  BraidIntNReceiverPrivate *priv = PRIV (BRAID_INT_N_RECEIVER (object));

  braid_framing_input_clear (&priv->in);
  g_byte_array_unref (priv->payload);
  G_OBJECT_CLASS (braid_int_n_receiver_parent_class)->finalize (object);
}

static void
braid_int_n_receiver_class_init (BraidIntNReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = braid_int_n_receiver_set_property;
  object_class->get_property = braid_int_n_receiver_get_property;
  object_class->finalize = braid_int_n_receiver_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = braid_int_n_receiver_data_received;
  klass->length_limit_exceeded = braid_int_n_receiver_real_length_limit_exceeded;

  /**
   * BraidIntNReceiver:prefix-bits:
   *
   * The size of the length prefix: 8, 16 or 32 bits.
   */
  properties[PROP_PREFIX_BITS] =
    g_param_spec_uint ("prefix-bits", NULL, NULL, 8, 32, 32,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BraidIntNReceiver:max-length:
   *
   * The longest payload accepted, in bytes.
   */
  properties[PROP_MAX_LENGTH] =
    g_param_spec_uint64 ("max-length", NULL, NULL, 0, G_MAXUINT32,
                         BRAID_DEFAULT_MAX_FRAME_LENGTH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
braid_int_n_receiver_init (BraidIntNReceiver *self)
{
  BraidIntNReceiverPrivate *priv = PRIV (self);

  braid_framing_input_init (&priv->in);
  priv->prefix_bytes = 4;
  priv->max_length = BRAID_DEFAULT_MAX_FRAME_LENGTH;
  priv->payload = g_byte_array_new ();
}

/**
 * braid_int_n_receiver_set_prefix_bits:
 * @self: an int-N receiver
 * @bits: 8, 16 or 32
 *
 * Sets the size of the big-endian length prefix (default 32). Set it before
 * any byte is received or sent.
 */
void
braid_int_n_receiver_set_prefix_bits (BraidIntNReceiver *self, guint bits)
{
  g_return_if_fail (BRAID_IS_INT_N_RECEIVER (self));
  g_return_if_fail (bits == 8 || bits == 16 || bits == 32);

  if (PRIV (self)->prefix_bytes == bits / 8)
    return;
  PRIV (self)->prefix_bytes = bits / 8;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFIX_BITS]);
}

/**
 * braid_int_n_receiver_get_prefix_bits:
 * @self: an int-N receiver
 *
 * Tells the size of the length prefix: 8, 16 or 32 bits.
 *
 * Returns: the size of the length prefix, in bits
 */
guint
braid_int_n_receiver_get_prefix_bits (BraidIntNReceiver *self)
{
  g_return_val_if_fail (BRAID_IS_INT_N_RECEIVER (self), 0);
  return PRIV (self)->prefix_bytes * 8;
}

/**
 * braid_int_n_receiver_set_max_length:
 * @self: an int-N receiver
 * @max_length: the longest payload accepted, in bytes
 *
 * Sets the maximum payload length (default
 * %BRAID_DEFAULT_MAX_FRAME_LENGTH). It bounds what one connection can make
 * the receiver buffer, and applies to what
 * [method@Braid.IntNReceiver.send_string] sends too.
 */
void
braid_int_n_receiver_set_max_length (BraidIntNReceiver *self, gsize max_length)
{
  g_return_if_fail (BRAID_IS_INT_N_RECEIVER (self));
  g_return_if_fail (max_length <= G_MAXUINT32);

  if (PRIV (self)->max_length == max_length)
    return;
  PRIV (self)->max_length = max_length;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LENGTH]);
}

/**
 * braid_int_n_receiver_get_max_length:
 * @self: an int-N receiver
 *
 * Tells the longest message the receiver accepts.
 *
 * Returns: the longest payload accepted, in bytes
 */
gsize
braid_int_n_receiver_get_max_length (BraidIntNReceiver *self)
{
  g_return_val_if_fail (BRAID_IS_INT_N_RECEIVER (self), 0);
  return PRIV (self)->max_length;
}

/**
 * braid_int_n_receiver_send_string:
 * @self: a connected int-N receiver
 * @data: (array length=len): the payload
 * @len: its length
 * @error: return location for a #GError
 *
 * Writes the length prefix and @data, in one write. A payload that the
 * prefix cannot announce (more than 255 bytes with 8 bits, 65535 with 16)
 * or longer than `max_length` is not sent at all: a truncated prefix would
 * desynchronise the peer.
 *
 * Returns: %TRUE if the frame was written; %FALSE with
 *   `G_IO_ERROR_MESSAGE_TOO_LARGE` if it is too long
 */
gboolean
braid_int_n_receiver_send_string (BraidIntNReceiver *self,
                                  const guint8      *data,
                                  gsize              len,
                                  GError           **error)
{
  BraidIntNReceiverPrivate *priv;
  BraidTransport *transport;
  guint64 prefix_max;
  guint8 header[4];
  GOutputVector vectors[2];

  g_return_val_if_fail (BRAID_IS_INT_N_RECEIVER (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = PRIV (self);
  transport = braid_framing_transport_to_send (BRAID_PROTOCOL (self), G_STRFUNC);
  if (transport == NULL)
    return FALSE;

  prefix_max = (G_GUINT64_CONSTANT (1) << (priv->prefix_bytes * 8)) - 1;
  if (len > prefix_max)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "a %u-bit prefix cannot announce %" G_GSIZE_FORMAT " bytes (at most %"
                   G_GUINT64_FORMAT ")", priv->prefix_bytes * 8, len, prefix_max);
      return FALSE;
    }
  if (len > priv->max_length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "a frame of %" G_GSIZE_FORMAT " bytes is longer than max-length (%"
                   G_GSIZE_FORMAT ")", len, priv->max_length);
      return FALSE;
    }

  for (guint i = 0; i < priv->prefix_bytes; i++)
    header[i] = (guint8) (len >> (8 * (priv->prefix_bytes - 1 - i)));
  vectors[0].buffer = header;
  vectors[0].size = priv->prefix_bytes;
  vectors[1].buffer = data;
  vectors[1].size = len;
  braid_transport_write_sequence (transport, vectors, 2);
  return TRUE;
}
