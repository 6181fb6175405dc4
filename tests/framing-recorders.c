/* framing-recorders.c: receivers that record what they deliver. */
#include "framing-recorders.h"

static void
record_init (Record *record)
{
  record->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  record->raw = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
record_clear (Record *record)
{
  g_ptr_array_unref (record->frames);
  g_ptr_array_unref (record->raw);
  g_clear_error (&record->lost_reason);
}

static void
record_frame (BraidProtocol *protocol, Record *record, const void *data, gsize len)
{
  g_ptr_array_add (record->frames, g_bytes_new (data, len));
  if (record->on_frame != NULL)
    record->on_frame (protocol, record);
}

static void
record_lost (Record *record, const GError *reason)
{
  g_assert_nonnull (reason);
  g_assert_null (record->lost_reason);
  record->lost_reason = g_error_copy (reason);
}

/* Lines */

G_DEFINE_FINAL_TYPE (RecLines, rec_lines, BRAID_TYPE_LINE_RECEIVER)

static void
rec_lines_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  /* The line is NUL-terminated, as documented. */
  g_assert_cmpint (line[len], ==, '\0');
  record_frame (BRAID_PROTOCOL (receiver), &REC_LINES (receiver)->record, line, len);
}

static void
rec_lines_raw_data_received (BraidLineReceiver *receiver, const guint8 *data, gsize len)
{
  g_ptr_array_add (REC_LINES (receiver)->record.raw, g_bytes_new (data, len));
}

static void
rec_lines_line_length_exceeded (BraidLineReceiver *receiver, gsize length)
{
  Record *record = &REC_LINES (receiver)->record;

  record->exceeded_calls++;
  record->exceeded_length = length;
  if (!record->keep_open)
    BRAID_LINE_RECEIVER_CLASS (rec_lines_parent_class)->line_length_exceeded (receiver, length);
}

static void
rec_lines_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  record_lost (&REC_LINES (protocol)->record, reason);
}

static void
rec_lines_finalize (GObject *object)
{
  record_clear (&REC_LINES (object)->record);
  G_OBJECT_CLASS (rec_lines_parent_class)->finalize (object);
}

static void
rec_lines_class_init (RecLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rec_lines_finalize;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = rec_lines_connection_lost;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = rec_lines_line_received;
  BRAID_LINE_RECEIVER_CLASS (klass)->raw_data_received = rec_lines_raw_data_received;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_length_exceeded = rec_lines_line_length_exceeded;
}

static void
rec_lines_init (RecLines *self)
{
  record_init (&self->record);
}

/* Int-N */

G_DEFINE_FINAL_TYPE (RecIntN, rec_int_n, BRAID_TYPE_INT_N_RECEIVER)

static void
rec_int_n_string_received (BraidIntNReceiver *receiver, const guint8 *data, gsize len)
{
  record_frame (BRAID_PROTOCOL (receiver), &REC_INT_N (receiver)->record, data, len);
}

static void
rec_int_n_length_limit_exceeded (BraidIntNReceiver *receiver, gsize length)
{
  Record *record = &REC_INT_N (receiver)->record;

  record->exceeded_calls++;
  record->exceeded_length = length;
  if (!record->keep_open)
    BRAID_INT_N_RECEIVER_CLASS (rec_int_n_parent_class)->length_limit_exceeded (receiver, length);
}

static void
rec_int_n_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  record_lost (&REC_INT_N (protocol)->record, reason);
}

static void
rec_int_n_finalize (GObject *object)
{
  record_clear (&REC_INT_N (object)->record);
  G_OBJECT_CLASS (rec_int_n_parent_class)->finalize (object);
}

static void
rec_int_n_class_init (RecIntNClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rec_int_n_finalize;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = rec_int_n_connection_lost;
  BRAID_INT_N_RECEIVER_CLASS (klass)->string_received = rec_int_n_string_received;
  BRAID_INT_N_RECEIVER_CLASS (klass)->length_limit_exceeded = rec_int_n_length_limit_exceeded;
}

static void
rec_int_n_init (RecIntN *self)
{
  record_init (&self->record);
}

/* Netstrings */

G_DEFINE_FINAL_TYPE (RecNetstring, rec_netstring, BRAID_TYPE_NETSTRING_RECEIVER)

static void
rec_netstring_string_received (BraidNetstringReceiver *receiver, const guint8 *data, gsize len)
{
  record_frame (BRAID_PROTOCOL (receiver), &REC_NETSTRING (receiver)->record, data, len);
}

static void
rec_netstring_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  record_lost (&REC_NETSTRING (protocol)->record, reason);
}

static void
rec_netstring_finalize (GObject *object)
{
  record_clear (&REC_NETSTRING (object)->record);
  G_OBJECT_CLASS (rec_netstring_parent_class)->finalize (object);
}

static void
rec_netstring_class_init (RecNetstringClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rec_netstring_finalize;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = rec_netstring_connection_lost;
  BRAID_NETSTRING_RECEIVER_CLASS (klass)->string_received = rec_netstring_string_received;
}

static void
rec_netstring_init (RecNetstring *self)
{
  record_init (&self->record);
}

Record *
record_of (BraidProtocol *protocol)
{
  if (REC_IS_LINES (protocol))
    return &REC_LINES (protocol)->record;
  if (REC_IS_INT_N (protocol))
    return &REC_INT_N (protocol)->record;
  g_assert_true (REC_IS_NETSTRING (protocol));
  return &REC_NETSTRING (protocol)->record;
}

static char *
join (GPtrArray *pieces)
{
  GString *all = g_string_new (NULL);

  for (guint i = 0; i < pieces->len; i++)
    {
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (pieces, i), &len);
      /* An empty GBytes may have NULL data. */
      g_autofree char *nul_terminated = len > 0 ? g_strndup (data, len) : g_strdup ("");
      g_autofree char *escaped = g_strescape (nul_terminated, NULL);

      /* g_strndup stops at a NUL byte: show one as \0 so it is not lost. */
      g_string_append_c (all, '[');
      g_string_append (all, escaped);
      if (strlen (nul_terminated) < len)
        g_string_append_printf (all, "\\0...(%" G_GSIZE_FORMAT " bytes)", len);
      g_string_append_c (all, ']');
    }
  return g_string_free (all, FALSE);
}

char *
record_frames_string (Record *record)
{
  return join (record->frames);
}

char *
record_raw_string (Record *record)
{
  return join (record->raw);
}

void
feed_in_chunks (BraidProtocol *protocol, const void *data, gsize len, gsize chunk)
{
  const guint8 *bytes = data;

  if (chunk == 0)
    chunk = MAX (len, 1);
  for (gsize pos = 0; pos < len; pos += chunk)
    braid_protocol_data_received (protocol, bytes + pos, MIN (chunk, len - pos));
}
