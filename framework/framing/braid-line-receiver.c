/* braid-line-receiver.c: a protocol that receives lines. */
#include "config.h"

#include <string.h>

#include "framing/braid-framing-private.h"
#include "core/braid-producer.h"
#include "framing/braid-line-receiver.h"

/**
 * BraidLineReceiver:
 *
 * A protocol that turns the byte stream into lines: Twisted's
 * `LineReceiver`. Subclass it and override `line_received`; send with
 * [method@Braid.LineReceiver.send_line].
 *
 * ```c
 * static void
 * shout_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
 * {
 *   g_autofree char *upper = g_ascii_strup (line, len);
 *   braid_line_receiver_send_line (receiver, upper);
 * }
 * ```
 *
 * ## Lifecycle
 *
 * 1. The factory creates the receiver; its `init` (or the code that made
 *    it) may set the delimiter ([method@Braid.LineReceiver.set_delimiter],
 *    default `"\r\n"`) and the maximum line length
 *    ([method@Braid.LineReceiver.set_max_length], default
 *    %BRAID_DEFAULT_MAX_FRAME_LENGTH).
 * 2. Bytes arrive in any split. Each complete line is handed to
 *    `line_received` without its delimiter, NUL-terminated for
 *    convenience (@len counts the bytes, which may include NULs). The line
 *    is valid only during the call.
 * 3. A protocol that switches to raw mode
 *    ([method@Braid.LineReceiver.set_raw_mode], say after an HTTP header
 *    announcing a body) receives everything after the current line through
 *    `raw_data_received`, until it calls
 *    [method@Braid.LineReceiver.set_line_mode] with the bytes it did not
 *    consume.
 * 4. `connection_lost` as for any protocol.
 *
 * ## Bad input and the framing contract
 *
 * A line longer than `max_length` bytes (the delimiter not counted) is never
 * delivered. The receiver notices as soon as more than `max_length` bytes
 * of one line have arrived, without waiting for its end, and calls
 * `line_length_exceeded (length)`. The default logs the reason and closes
 * the connection at once ([method@Braid.Protocol.abort_with_reason]);
 * `connection_lost` then receives `G_IO_ERROR_MESSAGE_TOO_LARGE`. An
 * override that leaves the connection open gets the receiver to skip the
 * rest of that line (up to its delimiter) and carry on with the next one.
 * A line of exactly `max_length` bytes is accepted, however its delimiter
 * is split. The same rules hold for [class@Braid.IntNReceiver] and
 * [class@Braid.NetstringReceiver]; the contract of all three, written
 * once (`docs/framing.md` has it with every row explained):
 *
 * | receiver | bad input | detected | what the protocol sees |
 * |---|---|---|---|
 * | lines | line over `max_length` | once `max_length` + 1 bytes of it are in | `line_length_exceeded (length)`; default: abort, `connection_lost (G_IO_ERROR_MESSAGE_TOO_LARGE)`; an override that keeps the connection skips to the next delimiter |
 * | int-N | prefix over `max_length` | as soon as the prefix is complete | `length_limit_exceeded (length)`; default: abort, `MESSAGE_TOO_LARGE`; an override that keeps the connection skips the payload |
 * | netstring | length over `max_length` | while its digits arrive | abort, `MESSAGE_TOO_LARGE` |
 * | netstring | non-digit, leading zero, no digit, missing `,` | at that byte | abort, `G_IO_ERROR_INVALID_DATA` |
 * | all | anything after bad input or once disconnecting | — | nothing more is delivered |
 *
 * Every close for bad input is logged (`g_message`) with the peer and the
 * reason.
 *
 * ## Flow control
 *
 * Lines stop coming as soon as the transport is disconnecting, even from a
 * chunk that holds many lines. A receiver is also a [iface@Braid.Producer]:
 * `braid_producer_pause_producing (BRAID_PRODUCER (receiver))` (from
 * `line_received` too) holds back the lines already received and pauses
 * the transport's reading; resuming delivers the held lines, then resumes
 * the transport. Pause the receiver rather than the transport: a transport
 * has no way to tell its protocol that it was paused.
 *
 * Lines are found with memchr() in the buffer `data_received` was
 * given; only an incomplete line is copied, into a buffer that never grows
 * past `max_length` plus the delimiter.
 */

enum {
  PROP_0,
  PROP_DELIMITER,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  BraidFramingInput in;
  char *delimiter;
  gsize delimiter_len;
  gsize max_length;
  GByteArray *partial;    /* the incomplete line; while discarding, the
                           * last bytes seen, which may start a delimiter */
  GByteArray *line;       /* the line being delivered */
  gboolean raw_mode;
  gboolean discarding;    /* skipping the rest of an over-long line */
} BraidLineReceiverPrivate;

static void braid_line_receiver_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_TYPE_WITH_CODE (BraidLineReceiver, braid_line_receiver, BRAID_TYPE_PROTOCOL,
                         G_ADD_PRIVATE (BraidLineReceiver)
                         G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                braid_line_receiver_producer_iface_init))

#define PRIV(self) ((BraidLineReceiverPrivate *) braid_line_receiver_get_instance_private (self))

/* Copies @len bytes to the end of @array, keeping a NUL after them (not
 * counted): learners can use a line as a C string, and its length stays
 * exact for binary lines. */
static void
append_terminated (GByteArray *array, const guint8 *data, gsize len)
{
  guint old = array->len;

  g_byte_array_set_size (array, old + len + 1);
  memcpy (array->data + old, data, len);
  array->data[old + len] = '\0';
  array->len = old + len;
}

static void
deliver_line (BraidLineReceiver *self, GByteArray *line)
{
  BraidLineReceiverClass *klass = BRAID_LINE_RECEIVER_GET_CLASS (self);

  if (klass->line_received != NULL)
    klass->line_received (self, (const char *) line->data, line->len);
  line->len = 0;
}

/* The first delimiter in @data: memchr (vectorised in the C library) finds
 * candidates for its first byte, memcmp checks the rest; much faster than
 * glibc's memmem on the short needles delimiters are. */
static const guint8 *
find_delimiter (const guint8 *data, gsize len, const char *delimiter, gsize dlen)
{
  const guint8 *end = data + len;
  const guint8 *p = data;

  while (p + dlen <= end)
    {
      p = memchr (p, delimiter[0], (gsize) (end - p) - (dlen - 1));
      if (p == NULL)
        return NULL;
      if (memcmp (p + 1, delimiter + 1, dlen - 1) == 0)
        return p;
      p++;
    }
  return NULL;
}

/* Keeps only the last (delimiter length - 1) bytes of partial + data: all a
 * delimiter split across chunks needs. */
static void
keep_tail (BraidLineReceiverPrivate *priv, const guint8 *data, gsize len)
{
  gsize keep = priv->delimiter_len - 1;

  if (len >= keep)
    {
      g_byte_array_set_size (priv->partial, 0);
      g_byte_array_append (priv->partial, data + len - keep, keep);
      return;
    }
  g_byte_array_append (priv->partial, data, len);
  if (priv->partial->len > keep)
    g_byte_array_remove_range (priv->partial, 0, priv->partial->len - keep);
}

/* The length of the longest end of @partial that is the start of the
 * delimiter: bytes that may yet turn out not to be part of the line. */
static gsize
delimiter_start_at_end (BraidLineReceiverPrivate *priv)
{
  gsize plen = priv->partial->len;

  for (gsize k = MIN (priv->delimiter_len - 1, plen); k > 0; k--)
    if (memcmp (priv->partial->data + plen - k, priv->delimiter, k) == 0)
      return k;
  return 0;
}

static void
line_too_long (BraidLineReceiver *self, gsize length)
{
  BraidLineReceiverClass *klass = BRAID_LINE_RECEIVER_GET_CLASS (self);

  klass->line_length_exceeded (self, length);
}

/* No delimiter in the rest of the chunk: keep it as the start of a line,
 * unless that line is already too long. */
static void
buffer_incomplete_line (BraidLineReceiver *self, const guint8 *data, gsize avail)
{
  BraidLineReceiverPrivate *priv = PRIV (self);
  gsize total = priv->partial->len + avail;

  if (priv->discarding)
    {
      keep_tail (priv, data, avail);
      return;
    }
  if (total <= priv->max_length)
    {
      g_byte_array_append (priv->partial, data, avail);
      return;
    }
  /* Bytes that may start the delimiter do not count yet: a line of exactly
   * max_length whose "\r" arrives before its "\n" is fine. */
  if (total <= priv->max_length + priv->delimiter_len - 1)
    {
      g_byte_array_append (priv->partial, data, avail);
      if (total - delimiter_start_at_end (priv) <= priv->max_length)
        return;
      g_byte_array_set_size (priv->partial, priv->partial->len - avail);
    }
  keep_tail (priv, data, avail);
  priv->discarding = TRUE;
  line_too_long (self, total);
}

/* Finds where the line ends: the earliest delimiter, possibly begun in
 * partial. Returns FALSE if the chunk does not finish the line; else sets
 * the line's length and how many bytes of the chunk it uses up. */
static gboolean
find_line_end (BraidLineReceiverPrivate *priv,
               const guint8             *data,
               gsize                     avail,
               gsize                    *line_len,
               gsize                    *consumed,
               gsize                    *from_partial)
{
  gsize plen = priv->partial->len;
  gsize dlen = priv->delimiter_len;
  const guint8 *found;

  /* partial never holds a whole delimiter, but it may end with the start
   * of one; try the longest such start first (the earliest delimiter). */
  for (gsize k = MIN (dlen - 1, plen); k > 0; k--)
    if (avail >= dlen - k
        && memcmp (priv->partial->data + plen - k, priv->delimiter, k) == 0
        && memcmp (data, priv->delimiter + k, dlen - k) == 0)
      {
        *from_partial = plen - k;
        *line_len = plen - k;
        *consumed = dlen - k;
        return TRUE;
      }

  found = find_delimiter (data, avail, priv->delimiter, dlen);
  if (found == NULL)
    return FALSE;
  *from_partial = plen;
  *line_len = plen + (gsize) (found - data);
  *consumed = (gsize) (found - data) + dlen;
  return TRUE;
}

static void
feed_lines (gpointer receiver)
{
  BraidLineReceiver *self = receiver;
  BraidLineReceiverPrivate *priv = PRIV (self);
  BraidFramingInput *in = &priv->in;

  while (!in->paused && !braid_framing_should_stop (in, receiver)
         && in->cur_pos < in->cur_len)
    {
      const guint8 *data = in->cur + in->cur_pos;
      gsize avail = in->cur_len - in->cur_pos;
      gsize line_len, consumed, from_partial;

      if (priv->raw_mode)
        {
          BraidLineReceiverClass *klass = BRAID_LINE_RECEIVER_GET_CLASS (self);

          in->cur_pos = in->cur_len;
          if (klass->raw_data_received != NULL)
            klass->raw_data_received (self, data, avail);
          continue;
        }

      if (!find_line_end (priv, data, avail, &line_len, &consumed, &from_partial))
        {
          in->cur_pos = in->cur_len;
          buffer_incomplete_line (self, data, avail);
          continue;
        }

      in->cur_pos += consumed;
      if (priv->discarding)
        {
          /* The end of the over-long line: start afresh after it. */
          priv->discarding = FALSE;
          g_byte_array_set_size (priv->partial, 0);
          continue;
        }
      if (line_len > priv->max_length)
        {
          g_byte_array_set_size (priv->partial, 0);
          line_too_long (self, line_len);
          continue;
        }

      /* Assemble the line in priv->line: the partial start (if any) and
       * the bytes of this chunk up to the delimiter. */
      priv->partial->len = from_partial;
      if (from_partial > 0)
        {
          GByteArray *swap = priv->line;

          append_terminated (priv->partial, data, line_len - from_partial);
          priv->line = priv->partial;
          priv->partial = swap;
        }
      else
        append_terminated (priv->line, data, line_len);
      deliver_line (self, priv->line);
    }
}

static void
braid_line_receiver_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BraidLineReceiverPrivate *priv = PRIV (BRAID_LINE_RECEIVER (protocol));

  braid_framing_input_receive (&priv->in, protocol, feed_lines, data, len);
}

static void
braid_line_receiver_real_line_length_exceeded (BraidLineReceiver *self, gsize length)
{
  BraidLineReceiverPrivate *priv = PRIV (self);

  braid_framing_reject (&priv->in, BRAID_PROTOCOL (self), G_IO_ERROR_MESSAGE_TOO_LARGE,
                        "line longer than %" G_GSIZE_FORMAT " bytes (%" G_GSIZE_FORMAT
                        " bytes without a delimiter)", priv->max_length, length);
}

static void
braid_line_receiver_pause_producing (BraidProducer *producer)
{
  BraidLineReceiver *self = BRAID_LINE_RECEIVER (producer);

  braid_framing_pause (&PRIV (self)->in, BRAID_PROTOCOL (self));
}

static void
braid_line_receiver_resume_producing (BraidProducer *producer)
{
  BraidLineReceiver *self = BRAID_LINE_RECEIVER (producer);

  braid_framing_resume (&PRIV (self)->in, BRAID_PROTOCOL (self), feed_lines);
}

static void
braid_line_receiver_stop_producing (BraidProducer *producer)
{
  BraidLineReceiver *self = BRAID_LINE_RECEIVER (producer);

  braid_framing_stop (&PRIV (self)->in, BRAID_PROTOCOL (self));
}

static void
braid_line_receiver_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_line_receiver_pause_producing;
  iface->resume_producing = braid_line_receiver_resume_producing;
  iface->stop_producing = braid_line_receiver_stop_producing;
}

static void
braid_line_receiver_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BraidLineReceiver *self = BRAID_LINE_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_DELIMITER:
      braid_line_receiver_set_delimiter (self, g_value_get_string (value));
      break;
    case PROP_MAX_LENGTH:
      braid_line_receiver_set_max_length (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_line_receiver_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BraidLineReceiver *self = BRAID_LINE_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_DELIMITER:
      g_value_set_string (value, braid_line_receiver_get_delimiter (self));
      break;
    case PROP_MAX_LENGTH:
      g_value_set_uint64 (value, braid_line_receiver_get_max_length (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_line_receiver_finalize (GObject *object)
{
  BraidLineReceiverPrivate *priv = PRIV (BRAID_LINE_RECEIVER (object));

  braid_framing_input_clear (&priv->in);
  g_byte_array_unref (priv->partial);
  g_byte_array_unref (priv->line);
  g_free (priv->delimiter);
  G_OBJECT_CLASS (braid_line_receiver_parent_class)->finalize (object);
}

static void
braid_line_receiver_class_init (BraidLineReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = braid_line_receiver_set_property;
  object_class->get_property = braid_line_receiver_get_property;
  object_class->finalize = braid_line_receiver_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = braid_line_receiver_data_received;
  klass->line_length_exceeded = braid_line_receiver_real_line_length_exceeded;

  /**
   * BraidLineReceiver:delimiter:
   *
   * What ends a line; `"\r\n"` unless set.
   */
  properties[PROP_DELIMITER] =
    g_param_spec_string ("delimiter", NULL, NULL, "\r\n",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BraidLineReceiver:max-length:
   *
   * The longest line accepted, in bytes, delimiter not counted.
   */
  properties[PROP_MAX_LENGTH] =
    g_param_spec_uint64 ("max-length", NULL, NULL, 1, G_MAXSIZE / 2,
                         BRAID_DEFAULT_MAX_FRAME_LENGTH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
braid_line_receiver_init (BraidLineReceiver *self)
{
  BraidLineReceiverPrivate *priv = PRIV (self);

  braid_framing_input_init (&priv->in);
  priv->delimiter = g_strdup ("\r\n");
  priv->delimiter_len = 2;
  priv->max_length = BRAID_DEFAULT_MAX_FRAME_LENGTH;
  priv->partial = g_byte_array_new ();
  priv->line = g_byte_array_new ();
}

/* Gives bytes held for an unfinished line back to the parser (after a
 * change of delimiter or mode), parsing them now unless a callback runs. */
static void
reparse_partial (BraidLineReceiver *self)
{
  BraidLineReceiverPrivate *priv = PRIV (self);

  if (priv->discarding)
    {
      priv->discarding = FALSE;
      g_byte_array_set_size (priv->partial, 0);
    }
  if (priv->partial->len > 0)
    {
      g_autoptr (GByteArray) held = g_steal_pointer (&priv->partial);

      priv->partial = g_byte_array_new ();
      braid_framing_input_prepend (&priv->in, held->data, held->len);
    }
  braid_framing_input_drain (&priv->in, BRAID_PROTOCOL (self), feed_lines);
}

/**
 * braid_line_receiver_set_delimiter:
 * @self: a line receiver
 * @delimiter: what ends a line, at least one byte
 *
 * Sets the line delimiter (default `"\r\n"`); `"\n"` is common too. Bytes
 * already received for an unfinished line are parsed again with the new
 * delimiter.
 */
void
braid_line_receiver_set_delimiter (BraidLineReceiver *self, const char *delimiter)
{
  BraidLineReceiverPrivate *priv;

  g_return_if_fail (BRAID_IS_LINE_RECEIVER (self));
  g_return_if_fail (delimiter != NULL && delimiter[0] != '\0');

  priv = PRIV (self);
  if (g_strcmp0 (priv->delimiter, delimiter) == 0)
    return;
  g_free (priv->delimiter);
  priv->delimiter = g_strdup (delimiter);
  priv->delimiter_len = strlen (delimiter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIMITER]);
  reparse_partial (self);
}

/**
 * braid_line_receiver_get_delimiter:
 * @self: a line receiver
 *
 * Gets the bytes that end a line.
 *
 * Returns: (transfer none): what ends a line
 */
const char *
braid_line_receiver_get_delimiter (BraidLineReceiver *self)
{
  g_return_val_if_fail (BRAID_IS_LINE_RECEIVER (self), NULL);
  return PRIV (self)->delimiter;
}

/**
 * braid_line_receiver_set_max_length:
 * @self: a line receiver
 * @max_length: the longest line accepted, in bytes, delimiter not counted
 *
 * Sets the maximum line length (default %BRAID_DEFAULT_MAX_FRAME_LENGTH).
 * It also bounds the memory a connection can make the receiver hold.
 */
void
braid_line_receiver_set_max_length (BraidLineReceiver *self, gsize max_length)
{
  g_return_if_fail (BRAID_IS_LINE_RECEIVER (self));
  g_return_if_fail (max_length > 0 && max_length <= G_MAXSIZE / 2);

  if (PRIV (self)->max_length == max_length)
    return;
  PRIV (self)->max_length = max_length;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LENGTH]);
}

/**
 * braid_line_receiver_get_max_length:
 * @self: a line receiver
 *
 * Tells the longest line the receiver accepts.
 *
 * Returns: the longest line accepted, in bytes
 */
gsize
braid_line_receiver_get_max_length (BraidLineReceiver *self)
{
  g_return_val_if_fail (BRAID_IS_LINE_RECEIVER (self), 0);
  return PRIV (self)->max_length;
}

/**
 * braid_line_receiver_send_line_len:
 * @self: a connected line receiver
 * @line: (array length=len): the bytes of the line, without a delimiter
 * @len: how many
 *
 * Writes @line followed by the delimiter, in one write. The line is sent as
 * it is: it is up to the caller not to put a delimiter inside it.
 */
void
braid_line_receiver_send_line_len (BraidLineReceiver *self, const char *line, gsize len)
{
  BraidLineReceiverPrivate *priv;
  BraidTransport *transport;
  GOutputVector vectors[2];

  g_return_if_fail (BRAID_IS_LINE_RECEIVER (self));
  g_return_if_fail (line != NULL || len == 0);

  priv = PRIV (self);
  transport = braid_framing_transport_to_send (BRAID_PROTOCOL (self), G_STRFUNC);
  if (transport == NULL)
    return;
  vectors[0].buffer = line;
  vectors[0].size = len;
  vectors[1].buffer = priv->delimiter;
  vectors[1].size = priv->delimiter_len;
  braid_transport_write_sequence (transport, vectors, 2);
}

/**
 * braid_line_receiver_send_line:
 * @self: a connected line receiver
 * @line: a NUL-terminated line, without a delimiter
 *
 * Writes @line followed by the delimiter; see
 * [method@Braid.LineReceiver.send_line_len].
 */
void
braid_line_receiver_send_line (BraidLineReceiver *self, const char *line)
{
  g_return_if_fail (line != NULL);
  braid_line_receiver_send_line_len (self, line, strlen (line));
}

/**
 * braid_line_receiver_set_raw_mode:
 * @self: a line receiver
 *
 * Stops splitting lines: every byte from now on (the rest of the chunk
 * being parsed included) goes to `raw_data_received`. Bytes already held
 * for an unfinished line are delivered first, as raw data.
 */
void
braid_line_receiver_set_raw_mode (BraidLineReceiver *self)
{
  g_return_if_fail (BRAID_IS_LINE_RECEIVER (self));

  PRIV (self)->raw_mode = TRUE;
  reparse_partial (self);
}

/**
 * braid_line_receiver_set_line_mode:
 * @self: a line receiver
 * @extra: (array length=extra_len) (nullable): bytes to parse as lines
 *   first: what `raw_data_received` received but did not use
 * @extra_len: how many
 *
 * Goes back to splitting lines. @extra is parsed before anything received
 * after it, at once if no callback of @self is running, else as soon as it
 * returns.
 */
void
braid_line_receiver_set_line_mode (BraidLineReceiver *self,
                                   const guint8      *extra,
                                   gsize              extra_len)
{
  BraidLineReceiverPrivate *priv;

  g_return_if_fail (BRAID_IS_LINE_RECEIVER (self));
  g_return_if_fail (extra != NULL || extra_len == 0);

  priv = PRIV (self);
  priv->raw_mode = FALSE;
  braid_framing_input_prepend (&priv->in, extra, extra_len);
  braid_framing_input_drain (&priv->in, BRAID_PROTOCOL (self), feed_lines);
}

/**
 * braid_line_receiver_is_line_mode:
 * @self: a line receiver
 *
 * Tells whether the receiver cuts its input into lines or passes it on raw.
 *
 * Returns: %TRUE in line mode, %FALSE in raw mode
 */
gboolean
braid_line_receiver_is_line_mode (BraidLineReceiver *self)
{
  g_return_val_if_fail (BRAID_IS_LINE_RECEIVER (self), FALSE);
  return !PRIV (self)->raw_mode;
}

/**
 * braid_line_receiver_clear_line_buffer:
 * @self: a line receiver
 *
 * Forgets every byte received and not delivered yet: the unfinished line,
 * and, when called from `line_received`, the lines that followed in the
 * same chunk (or were held while paused).
 *
 * Returns: (transfer full): the bytes forgotten, in order
 */
GBytes *
braid_line_receiver_clear_line_buffer (BraidLineReceiver *self)
{
  BraidLineReceiverPrivate *priv;
  GByteArray *all;

  g_return_val_if_fail (BRAID_IS_LINE_RECEIVER (self), NULL);

  priv = PRIV (self);
  all = g_byte_array_new ();
  if (!priv->discarding)
    g_byte_array_append (all, priv->partial->data, priv->partial->len);
  if (priv->in.cur != NULL)
    {
      g_byte_array_append (all, priv->in.cur + priv->in.cur_pos,
                           priv->in.cur_len - priv->in.cur_pos);
      priv->in.cur_pos = priv->in.cur_len;
    }
  braid_framing_input_compact (&priv->in);
  g_byte_array_append (all, priv->in.held->data, priv->in.held->len);
  g_byte_array_set_size (priv->in.held, 0);
  g_byte_array_set_size (priv->partial, 0);
  priv->discarding = FALSE;
  return g_byte_array_free_to_bytes (all);
}
