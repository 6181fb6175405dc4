/* framing.c: lesson 06, messages on a byte stream. */
#include "framing.h"

/* Part 1 ------------------------------------------------------------- */

struct _LengthEcho
{
  BraidProtocol parent_instance;
  gboolean have_length;   /* the space after the length was seen */
  guint digits;
  guint64 length;         /* how many bytes to echo */
  guint64 echoed;         /* how many were echoed so far */
};

G_DEFINE_FINAL_TYPE (LengthEcho, length_echo, BRAID_TYPE_PROTOCOL)

static void
refuse (BraidProtocol *protocol, const char *why)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  g_autofree char *line = g_strdup_printf ("error: %s\r\n", why);

  g_message ("length echo: closing the connection: %s", why);
  braid_transport_write_string (transport, line);
  braid_transport_lose_connection (transport);
}

/* Reads the length, byte by byte: it may arrive in any number of pieces.
 * Returns how many bytes of @data it used, or -1 on bad input. */
static gssize
read_length (LengthEcho *self, const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == ' ' && self->digits > 0)
        {
          self->have_length = TRUE;
          return (gssize) i + 1;
        }
      if (!g_ascii_isdigit (data[i]) || self->digits == LENGTH_ECHO_MAX_DIGITS)
        return -1;
      self->length = self->length * 10 + (guint64) (data[i] - '0');
      self->digits++;
    }
  return (gssize) len;
}

static void
length_echo_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  LengthEcho *self = LENGTH_ECHO (protocol);
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  gsize pos = 0;
  gsize n;

  if (braid_transport_is_disconnecting (transport))
    return;   /* done (or refused): whatever else arrives is ignored */

  if (!self->have_length)
    {
      gssize used = read_length (self, data, len);

      if (used < 0)
        {
          refuse (protocol, "expected a length: digits, then a space");
          return;
        }
      pos = (gsize) used;
    }
  if (!self->have_length)
    return;   /* the rest of the length comes with the next piece */

  /* Echo what belongs to the message, straight from the buffer. */
  n = (gsize) MIN ((guint64) (len - pos), self->length - self->echoed);
  braid_transport_write (transport, data + pos, n);
  self->echoed += n;
  if (self->echoed == self->length)
    braid_transport_lose_connection (transport);
}

static void
length_echo_class_init (LengthEchoClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = length_echo_data_received;
}

static void
length_echo_init (LengthEcho *self)
{
}

/* Part 2 ------------------------------------------------------------- */

struct _Int32Echo
{
  BraidIntNReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (Int32Echo, int32_echo, BRAID_TYPE_INT_N_RECEIVER)

static void
int32_echo_string_received (BraidIntNReceiver *receiver, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  /* What arrived within max_length can always be sent back. */
  if (!braid_int_n_receiver_send_string (receiver, data, len, &error))
    g_warning ("could not echo a frame: %s", error->message);
}

static void
int32_echo_class_init (Int32EchoClass *klass)
{
  BRAID_INT_N_RECEIVER_CLASS (klass)->string_received = int32_echo_string_received;
}

static void
int32_echo_init (Int32Echo *self)
{
  braid_int_n_receiver_set_prefix_bits (BRAID_INT_N_RECEIVER (self), 32);
}
