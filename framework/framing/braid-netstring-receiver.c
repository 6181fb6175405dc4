/* braid-netstring-receiver.c: D. J. Bernstein's netstrings. */
#include "config.h"

#include <string.h>

#include "framing/braid-framing-private.h"
#include "core/braid-producer.h"
#include "framing/braid-line-receiver.h"
#include "framing/braid-netstring-receiver.h"

/**
 * BraidNetstringReceiver:
 *
 * A protocol whose frames are netstrings: the payload's length in ASCII
 * decimal, a colon, the payload, a comma. Twisted's `NetstringReceiver`.
 *
 * ```
 * 12:hello world!,
 * 0:,                    (the empty string)
 * ```
 *
 * ## Lifecycle
 *
 * 1. The factory creates the receiver; `init` may change `max_length`
 *    (default %BRAID_DEFAULT_MAX_FRAME_LENGTH).
 * 2. Each complete netstring (comma included) is handed to
 *    `string_received` (the payload, valid during the call);
 *    [method@Braid.NetstringReceiver.send_string] sends one.
 * 3. `connection_lost` as for any protocol.
 *
 * ## Bad input
 *
 * The receiver checks each byte as it arrives and rejects, as soon as it
 * sees it: a byte other than a digit or `:` in the length, a leading zero
 * (`"012:"`; the empty string is `"0:,"`), a colon with no digit before it,
 * a length over `max_length` (while its digits are still arriving, so a
 * peer cannot make the receiver read a huge number), and a payload not
 * followed by `,`. A netstring stream cannot be resynchronised after such
 * an error, so the receiver always closes the connection: it logs the
 * reason and aborts, and `connection_lost` receives
 * `G_IO_ERROR_INVALID_DATA` (malformed) or `G_IO_ERROR_MESSAGE_TOO_LARGE`
 * (too long). See `docs/framing.md` for the contract shared with the
 * other receivers.
 *
 * ## Flow control
 *
 * As for [class@Braid.LineReceiver]: strings stop coming once the
 * transport is disconnecting, and the receiver is a [iface@Braid.Producer]
 * that can be paused and resumed, holding back strings already received.
 */

typedef enum {
  STATE_LENGTH,
  STATE_PAYLOAD,
  STATE_COMMA,
} NetstringState;

typedef struct
{
  BraidFramingInput in;
  gsize max_length;
  NetstringState state;
  gsize length;           /* the length read so far, then the payload's */
  guint digits;
  GByteArray *payload;    /* the payload so far, when it is cut by a chunk */
} BraidNetstringReceiverPrivate;

static void braid_netstring_receiver_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_TYPE_WITH_CODE (BraidNetstringReceiver, braid_netstring_receiver, BRAID_TYPE_PROTOCOL,
                         G_ADD_PRIVATE (BraidNetstringReceiver)
                         G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                braid_netstring_receiver_producer_iface_init))

#define PRIV(self) ((BraidNetstringReceiverPrivate *) braid_netstring_receiver_get_instance_private (self))

static void
deliver (BraidNetstringReceiver *self, const guint8 *data, gsize len)
{
  BraidNetstringReceiverClass *klass = BRAID_NETSTRING_RECEIVER_GET_CLASS (self);
  BraidNetstringReceiverPrivate *priv = PRIV (self);

  priv->state = STATE_LENGTH;
  priv->length = 0;
  priv->digits = 0;
  if (klass->string_received != NULL)
    klass->string_received (self, data, len);
}

/* How a byte is shown in a log: the character if printable, else hex. */
static char *
byte_name (guint8 byte)
{
  if (g_ascii_isprint (byte))
    return g_strdup_printf ("'%c'", byte);
  return g_strdup_printf ("0x%02x", byte);
}

static void
reject (BraidNetstringReceiver *self, gint code, char *message)
{
  braid_framing_reject (&PRIV (self)->in, BRAID_PROTOCOL (self), code, "%s", message);
  g_free (message);
}

static void
reject_byte (BraidNetstringReceiver *self, guint8 byte, const char *expected)
{
  g_autofree char *name = byte_name (byte);

  reject (self, G_IO_ERROR_INVALID_DATA,
          g_strdup_printf ("byte %s where %s was expected", name, expected));
}

/* Reads length digits; returns how many bytes it used. */
static gsize
read_length (BraidNetstringReceiver *self, const guint8 *data, gsize avail)
{
  BraidNetstringReceiverPrivate *priv = PRIV (self);

  for (gsize i = 0; i < avail; i++)
    {
      guint8 c = data[i];

      if (c == ':')
        {
          if (priv->digits == 0)
            {
              reject (self, G_IO_ERROR_INVALID_DATA,
                      g_strdup ("netstring with no length before ':'"));
              return avail;
            }
          priv->state = STATE_PAYLOAD;
          return i + 1;
        }
      if (!g_ascii_isdigit (c))
        {
          reject_byte (self, c, "a digit or ':' of a netstring length");
          return avail;
        }
      if (priv->digits > 0 && priv->length == 0)
        {
          reject (self, G_IO_ERROR_INVALID_DATA,
                  g_strdup ("leading zero in a netstring length"));
          return avail;
        }
      priv->length = priv->length * 10 + (gsize) (c - '0');
      priv->digits++;
      if (priv->length > priv->max_length)
        {
          reject (self, G_IO_ERROR_MESSAGE_TOO_LARGE,
                  g_strdup_printf ("netstring of at least %" G_GSIZE_FORMAT
                                   " bytes announced; the limit is %" G_GSIZE_FORMAT,
                                   priv->length, priv->max_length));
          return avail;
        }
    }
  return avail;
}

static void
feed_netstrings (gpointer receiver)
{
  BraidNetstringReceiver *self = receiver;
  BraidNetstringReceiverPrivate *priv = PRIV (self);
  BraidFramingInput *in = &priv->in;

  while (!in->paused && !braid_framing_should_stop (in, BRAID_PROTOCOL (self))
         && in->cur_pos < in->cur_len)
    {
      const guint8 *data = in->cur + in->cur_pos;
      gsize avail = in->cur_len - in->cur_pos;

      switch (priv->state)
        {
        case STATE_LENGTH:
          in->cur_pos += read_length (self, data, avail);
          break;

        case STATE_PAYLOAD:
          if (priv->payload->len == 0 && avail > priv->length)
            {
              /* Payload and comma are both here: check, deliver in place. */
              in->cur_pos += priv->length + 1;
              if (data[priv->length] != ',')
                reject_byte (self, data[priv->length], "',' (the end of a netstring)");
              else
                deliver (self, data, priv->length);
            }
          else
            {
              gsize n = MIN (priv->length - priv->payload->len, avail);

              g_byte_array_append (priv->payload, data, n);
              in->cur_pos += n;
              if (priv->payload->len == priv->length)
                priv->state = STATE_COMMA;
            }
          break;

        case STATE_COMMA:
          in->cur_pos += 1;
          if (data[0] != ',')
            reject_byte (self, data[0], "',' (the end of a netstring)");
          else
            {
              deliver (self, priv->payload->data, priv->payload->len);
              g_byte_array_set_size (priv->payload, 0);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static void
braid_netstring_receiver_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BraidNetstringReceiverPrivate *priv = PRIV (BRAID_NETSTRING_RECEIVER (protocol));

  braid_framing_input_receive (&priv->in, protocol, feed_netstrings, data, len);
}

static void
braid_netstring_receiver_pause_producing (BraidProducer *producer)
{
  BraidNetstringReceiver *self = BRAID_NETSTRING_RECEIVER (producer);

  braid_framing_pause (&PRIV (self)->in, BRAID_PROTOCOL (self));
}

static void
braid_netstring_receiver_resume_producing (BraidProducer *producer)
{
  BraidNetstringReceiver *self = BRAID_NETSTRING_RECEIVER (producer);

  braid_framing_resume (&PRIV (self)->in, BRAID_PROTOCOL (self), feed_netstrings);
}

static void
braid_netstring_receiver_stop_producing (BraidProducer *producer)
{
  BraidNetstringReceiver *self = BRAID_NETSTRING_RECEIVER (producer);

  braid_framing_stop (&PRIV (self)->in, BRAID_PROTOCOL (self));
}

static void
braid_netstring_receiver_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_netstring_receiver_pause_producing;
  iface->resume_producing = braid_netstring_receiver_resume_producing;
  iface->stop_producing = braid_netstring_receiver_stop_producing;
}

static void
braid_netstring_receiver_finalize (GObject *object)
{
  BraidNetstringReceiverPrivate *priv = PRIV (BRAID_NETSTRING_RECEIVER (object));

  braid_framing_input_clear (&priv->in);
  g_byte_array_unref (priv->payload);
  G_OBJECT_CLASS (braid_netstring_receiver_parent_class)->finalize (object);
}

static void
braid_netstring_receiver_class_init (BraidNetstringReceiverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_netstring_receiver_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = braid_netstring_receiver_data_received;
}

static void
braid_netstring_receiver_init (BraidNetstringReceiver *self)
{
  BraidNetstringReceiverPrivate *priv = PRIV (self);

  braid_framing_input_init (&priv->in);
  priv->max_length = BRAID_DEFAULT_MAX_FRAME_LENGTH;
  priv->payload = g_byte_array_new ();
}

/**
 * braid_netstring_receiver_set_max_length:
 * @self: a netstring receiver
 * @max_length: the longest payload accepted, in bytes
 *
 * Sets the maximum payload length (default
 * %BRAID_DEFAULT_MAX_FRAME_LENGTH); it applies to
 * [method@Braid.NetstringReceiver.send_string] too.
 */
void
braid_netstring_receiver_set_max_length (BraidNetstringReceiver *self, gsize max_length)
{
  g_return_if_fail (BRAID_IS_NETSTRING_RECEIVER (self));
  g_return_if_fail (max_length <= G_MAXSIZE / 10);
  PRIV (self)->max_length = max_length;
}

/**
 * braid_netstring_receiver_get_max_length:
 * @self: a netstring receiver
 *
 * Tells the longest netstring the receiver accepts.
 *
 * Returns: the longest payload accepted, in bytes
 */
gsize
braid_netstring_receiver_get_max_length (BraidNetstringReceiver *self)
{
  g_return_val_if_fail (BRAID_IS_NETSTRING_RECEIVER (self), 0);
  return PRIV (self)->max_length;
}

/**
 * braid_netstring_receiver_send_string:
 * @self: a connected netstring receiver
 * @data: (array length=len): the payload
 * @len: its length
 * @error: return location for a #GError
 *
 * Writes @data as one netstring (`LEN:DATA,`), in one write.
 *
 * Returns: %TRUE if it was written; %FALSE with
 *   `G_IO_ERROR_MESSAGE_TOO_LARGE` if @len is over `max_length` (then
 *   nothing is written)
 */
gboolean
braid_netstring_receiver_send_string (BraidNetstringReceiver *self,
                                      const guint8           *data,
                                      gsize                   len,
                                      GError                **error)
{
  BraidTransport *transport;
  char header[32];
  GOutputVector vectors[3];

  g_return_val_if_fail (BRAID_IS_NETSTRING_RECEIVER (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  transport = braid_framing_transport_to_send (BRAID_PROTOCOL (self), G_STRFUNC);
  if (transport == NULL)
    return FALSE;

  if (len > PRIV (self)->max_length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "a netstring of %" G_GSIZE_FORMAT " bytes is longer than max-length (%"
                   G_GSIZE_FORMAT ")", len, PRIV (self)->max_length);
      return FALSE;
    }
  vectors[0].buffer = header;
  vectors[0].size = (gsize) g_snprintf (header, sizeof header, "%" G_GSIZE_FORMAT ":", len);
  vectors[1].buffer = data;
  vectors[1].size = len;
  vectors[2].buffer = ",";
  vectors[2].size = 1;
  braid_transport_write_sequence (transport, vectors, 3);
  return TRUE;
}
