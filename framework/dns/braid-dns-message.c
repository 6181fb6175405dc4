/* braid-dns-message.c: DNS messages (RFC 1035) to and from the wire.
 *
 * Parsing is defensive: every length is checked against the end of the
 * packet before it is read; a compression pointer must point backwards
 * (before itself), a name may follow at most MAX_POINTERS of them and be
 * at most 255 bytes long, so a loop of pointers ends in an error rather
 * than forever; labels longer than 63 bytes (the two "extended label" bit
 * patterns) are refused; and the header's counts are checked against what
 * the packet could possibly hold before anything is allocated for them. */
#include "config.h"

#include <string.h>

#include "dns/braid-dns-message.h"

#define HEADER_SIZE 12
#define MIN_QUESTION_SIZE 5     /* root name, type, class */
#define MIN_RECORD_SIZE 11      /* root name, type, class, ttl, rdlength */
#define MAX_POINTERS 64

G_DEFINE_BOXED_TYPE (BraidDnsMessage, braid_dns_message, braid_dns_message_copy,
                     braid_dns_message_free)
G_DEFINE_BOXED_TYPE (BraidDnsRecord, braid_dns_record, braid_dns_record_copy,
                     braid_dns_record_free)

static void
question_free (gpointer data)
{
  BraidDnsQuestion *question = data;

  g_free (question->name);
  g_free (question);
}

/**
 * braid_dns_record_free:
 * @self: (nullable): a record
 *
 * Frees a record.
 */
void
braid_dns_record_free (BraidDnsRecord *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_clear_object (&self->address);
  g_free (self->target);
  g_clear_pointer (&self->rdata, g_bytes_unref);
  g_free (self);
}

/**
 * braid_dns_record_copy:
 * @self: a record
 *
 * Copies a record.
 *
 * Returns: (transfer full): the copy
 */
BraidDnsRecord *
braid_dns_record_copy (const BraidDnsRecord *self)
{
  const BraidDnsRecord *record = self;
  BraidDnsRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (BraidDnsRecord, 1);

  copy->name = g_strdup (record->name);
  copy->type = record->type;
  copy->klass = record->klass;
  copy->ttl = record->ttl;
  copy->address = record->address != NULL ? g_object_ref (record->address) : NULL;
  copy->target = g_strdup (record->target);
  copy->rdata = record->rdata != NULL ? g_bytes_ref (record->rdata) : NULL;
  return copy;
}

/**
 * braid_dns_message_new:
 *
 * Creates an empty message: a standard query with identifier 0, no
 * question and no record.
 *
 * Returns: (transfer full): the message
 */
BraidDnsMessage *
braid_dns_message_new (void)
{
  BraidDnsMessage *self = g_new0 (BraidDnsMessage, 1);

  self->questions = g_ptr_array_new_with_free_func (question_free);
  self->answers = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_dns_record_free);
  self->authority = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_dns_record_free);
  self->additional = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_dns_record_free);
  return self;
}

/**
 * braid_dns_message_free:
 * @self: (nullable): a message
 *
 * Frees a message, its questions and its records.
 */
void
braid_dns_message_free (BraidDnsMessage *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->questions);
  g_ptr_array_unref (self->answers);
  g_ptr_array_unref (self->authority);
  g_ptr_array_unref (self->additional);
  g_free (self);
}

static void
copy_records (GPtrArray *to, GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, braid_dns_record_copy (g_ptr_array_index (from, i)));
}

/**
 * braid_dns_message_copy:
 * @self: a message
 *
 * Copies a message, questions and records included.
 *
 * Returns: (transfer full): the copy
 */
BraidDnsMessage *
braid_dns_message_copy (const BraidDnsMessage *self)
{
  BraidDnsMessage *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = braid_dns_message_new_reply (self);
  copy->response = self->response;
  copy->authoritative = self->authoritative;
  copy->truncated = self->truncated;
  copy->recursion_available = self->recursion_available;
  copy->z = self->z;
  copy->rcode = self->rcode;
  copy_records (copy->answers, self->answers);
  copy_records (copy->authority, self->authority);
  copy_records (copy->additional, self->additional);
  return copy;
}

/**
 * braid_dns_message_new_reply:
 * @query: the query to answer
 *
 * Starts the reply to @query: same identifier, opcode, recursion-desired
 * bit and questions; marked as a response, with no record and rcode 0.
 *
 * Returns: (transfer full): the reply
 */
BraidDnsMessage *
braid_dns_message_new_reply (const BraidDnsMessage *query)
{
  BraidDnsMessage *self;

  g_return_val_if_fail (query != NULL, NULL);
  self = braid_dns_message_new ();
  self->id = query->id;
  self->response = TRUE;
  self->opcode = query->opcode;
  self->recursion_desired = query->recursion_desired;
  for (guint i = 0; i < query->questions->len; i++)
    {
      const BraidDnsQuestion *question = g_ptr_array_index (query->questions, i);
      BraidDnsQuestion *copy = g_new (BraidDnsQuestion, 1);

      copy->name = g_strdup (question->name);
      copy->type = question->type;
      copy->klass = question->klass;
      g_ptr_array_add (self->questions, copy);
    }
  return self;
}

/**
 * braid_dns_message_add_question:
 * @self: a message
 * @name: the name to ask about
 * @type: the record type to ask for
 *
 * Adds a question of class IN.
 */
void
braid_dns_message_add_question (BraidDnsMessage *self, const char *name, guint16 type)
{
  BraidDnsQuestion *question;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);
  question = g_new (BraidDnsQuestion, 1);
  question->name = g_strdup (name);
  question->type = type;
  question->klass = BRAID_DNS_CLASS_IN;
  g_ptr_array_add (self->questions, question);
}

/**
 * braid_dns_message_add_answer:
 * @self: a message
 * @record: (transfer full): the record
 *
 * Adds a record to the answer section.
 */
void
braid_dns_message_add_answer (BraidDnsMessage *self, BraidDnsRecord *record)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (record != NULL);
  g_ptr_array_add (self->answers, record);
}

/**
 * braid_dns_record_new_address:
 * @name: the name
 * @ttl: seconds it may be cached
 * @address: an IPv4 address (an A record) or IPv6 one (AAAA)
 *
 * Creates an A or AAAA record, of class IN.
 *
 * Returns: (transfer full): the record
 */
BraidDnsRecord *
braid_dns_record_new_address (const char *name, guint32 ttl, GInetAddress *address)
{
  BraidDnsRecord *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  self = g_new0 (BraidDnsRecord, 1);
  self->name = g_strdup (name);
  self->type = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
               ? BRAID_DNS_TYPE_AAAA : BRAID_DNS_TYPE_A;
  self->klass = BRAID_DNS_CLASS_IN;
  self->ttl = ttl;
  self->address = g_object_ref (address);
  return self;
}

/**
 * braid_dns_record_new_cname:
 * @name: the alias
 * @ttl: seconds it may be cached
 * @target: the canonical name
 *
 * Creates a CNAME record, of class IN.
 *
 * Returns: (transfer full): the record
 */
BraidDnsRecord *
braid_dns_record_new_cname (const char *name, guint32 ttl, const char *target)
{
  BraidDnsRecord *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (target != NULL, NULL);
  self = g_new0 (BraidDnsRecord, 1);
  self->name = g_strdup (name);
  self->type = BRAID_DNS_TYPE_CNAME;
  self->klass = BRAID_DNS_CLASS_IN;
  self->ttl = ttl;
  self->target = g_strdup (target);
  return self;
}

/**
 * braid_dns_name_equal:
 * @a: a domain name
 * @b: another
 *
 * Compares two names as DNS does: ASCII letters in any case, and a final
 * dot or not (`"Example.COM."` is `"example.com"`).
 *
 * Returns: %TRUE if they name the same node
 */
gboolean
braid_dns_name_equal (const char *a, const char *b)
{
  gsize la, lb;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  la = strlen (a);
  lb = strlen (b);
  if (la > 0 && a[la - 1] == '.' && (la < 2 || a[la - 2] != '\\'))
    la--;
  if (lb > 0 && b[lb - 1] == '.' && (lb < 2 || b[lb - 2] != '\\'))
    lb--;
  return la == lb && g_ascii_strncasecmp (a, b, la) == 0;
}

/* --- Parsing --------------------------------------------------------------- */

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
} Reader;

static gboolean G_GNUC_PRINTF (2, 3)
malformed (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Malformed DNS message: %s", what);
  return FALSE;
}

static gboolean
read_u16 (Reader *reader, guint16 *value, const char *what, GError **error)
{
  if (reader->len - reader->pos < 2)
    return malformed (error, "%s runs past the end of the packet", what);
  *value = (guint16) (reader->data[reader->pos] << 8 | reader->data[reader->pos + 1]);
  reader->pos += 2;
  return TRUE;
}

static void
append_label (GString *out, const guint8 *label, gsize len)
{
  if (out->len > 0)
    g_string_append_c (out, '.');
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = label[i];

      if (c == '.' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x21 || c > 0x7e)
        g_string_append_printf (out, "\\%03u", c);
      else
        g_string_append_c (out, c);
    }
}

/* Reads a name at the reader's position, following compression pointers;
 * the reader moves past the name as it is in place. */
static char *
read_name (Reader *reader, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gsize pos = reader->pos;
  gsize wire = 1;            /* the final zero */
  guint pointers = 0;
  gboolean jumped = FALSE;

  for (;;)
    {
      guint8 b;

      if (pos >= reader->len)
        return malformed (error, "a name runs past the end of the packet"), NULL;
      b = reader->data[pos];
      if ((b & 0xC0) == 0xC0)
        {
          gsize target;

          if (pos + 1 >= reader->len)
            return malformed (error, "a compression pointer runs past the end of the packet"), NULL;
          target = (gsize) (b & 0x3F) << 8 | reader->data[pos + 1];
          if (target >= pos)
            return malformed (error, "a compression pointer at byte %" G_GSIZE_FORMAT
                              " points forward (to byte %" G_GSIZE_FORMAT ")", pos, target), NULL;
          if (++pointers > MAX_POINTERS)
            return malformed (error, "a name follows more than %d compression pointers "
                              "(a loop?)", MAX_POINTERS), NULL;
          if (!jumped)
            reader->pos = pos + 2;
          jumped = TRUE;
          pos = target;
          continue;
        }
      if ((b & 0xC0) != 0)
        return malformed (error, "a label at byte %" G_GSIZE_FORMAT " is longer than 63 bytes "
                          "(or of an unsupported extended type)", pos), NULL;
      if (b == 0)
        {
          if (!jumped)
            reader->pos = pos + 1;
          break;
        }
      if (reader->len - pos - 1 < b)
        return malformed (error, "a label runs past the end of the packet"), NULL;
      wire += b + 1;
      if (wire > BRAID_DNS_MAX_NAME_LENGTH)
        return malformed (error, "a name is longer than 255 bytes"), NULL;
      append_label (out, reader->data + pos + 1, b);
      pos += 1 + b;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static BraidDnsQuestion *
read_question (Reader *reader, GError **error)
{
  g_autofree char *name = read_name (reader, error);
  BraidDnsQuestion *question;
  guint16 type = 0, klass = 0;

  if (name == NULL || !read_u16 (reader, &type, "a question", error)
      || !read_u16 (reader, &klass, "a question", error))
    return NULL;
  question = g_new (BraidDnsQuestion, 1);
  question->name = g_steal_pointer (&name);
  question->type = type;
  question->klass = klass;
  return question;
}

static BraidDnsRecord *
read_record (Reader *reader, GError **error)
{
  g_autoptr (BraidDnsRecord) record = g_new0 (BraidDnsRecord, 1);
  guint16 ttl_high = 0, ttl_low = 0, rdlength = 0;
  gsize end;

  record->name = read_name (reader, error);
  if (record->name == NULL
      || !read_u16 (reader, &record->type, "a record", error)
      || !read_u16 (reader, &record->klass, "a record", error)
      || !read_u16 (reader, &ttl_high, "a record", error)
      || !read_u16 (reader, &ttl_low, "a record", error)
      || !read_u16 (reader, &rdlength, "a record", error))
    return NULL;
  record->ttl = (guint32) ttl_high << 16 | ttl_low;
  if (reader->len - reader->pos < rdlength)
    return malformed (error, "a record's data (%u bytes) runs past the end of the packet",
                      rdlength), NULL;
  end = reader->pos + rdlength;
  switch (record->type)
    {
    case BRAID_DNS_TYPE_A:
    case BRAID_DNS_TYPE_AAAA:
      if (rdlength != (record->type == BRAID_DNS_TYPE_A ? 4 : 16))
        return malformed (error, "an %s record of %u bytes",
                          record->type == BRAID_DNS_TYPE_A ? "A" : "AAAA", rdlength), NULL;
      record->address = g_inet_address_new_from_bytes (reader->data + reader->pos,
                                                       rdlength == 4 ? G_SOCKET_FAMILY_IPV4
                                                                     : G_SOCKET_FAMILY_IPV6);
      reader->pos = end;
      break;
    case BRAID_DNS_TYPE_CNAME:
      {
        Reader inner = { reader->data, end, reader->pos };

        record->target = read_name (&inner, error);
        if (record->target == NULL)
          return NULL;
        if (inner.pos != end)
          return malformed (error, "a CNAME record has bytes after its name"), NULL;
        reader->pos = end;
      }
      break;
    default:
      record->rdata = g_bytes_new (reader->data + reader->pos, rdlength);
      reader->pos = end;
      break;
    }
  return g_steal_pointer (&record);
}

static gboolean
read_records (Reader *reader, GPtrArray *into, guint count, GError **error)
{
  for (guint i = 0; i < count; i++)
    {
      BraidDnsRecord *record = read_record (reader, error);

      if (record == NULL)
        return FALSE;
      g_ptr_array_add (into, record);
    }
  return TRUE;
}

/**
 * braid_dns_message_parse:
 * @data: (array length=len): a DNS message as it came off the wire
 * @len: its length
 * @error: return location for a #GError
 *
 * Reads a DNS message: twisted.names' `Message.fromStr`. Anything
 * malformed (a packet shorter than its header says, a name longer than
 * 255 bytes, a label longer than 63, a compression pointer that points
 * forward or loops, a record whose data runs past the end, an A record
 * that is not 4 bytes) fails with %G_IO_ERROR_INVALID_DATA and a message
 * that says what and where. Bytes after the last record are ignored.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error
 *   set
 */
BraidDnsMessage *
braid_dns_message_parse (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (BraidDnsMessage) self = NULL;
  Reader reader = { data, len, 0 };
  guint16 id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < HEADER_SIZE)
    return malformed (error, "%" G_GSIZE_FORMAT " bytes, shorter than the 12-byte header", len),
           NULL;
  read_u16 (&reader, &id, "", NULL);
  read_u16 (&reader, &flags, "", NULL);
  read_u16 (&reader, &qd, "", NULL);
  read_u16 (&reader, &an, "", NULL);
  read_u16 (&reader, &ns, "", NULL);
  read_u16 (&reader, &ar, "", NULL);
  if ((gsize) qd * MIN_QUESTION_SIZE + ((gsize) an + ns + ar) * MIN_RECORD_SIZE > len - HEADER_SIZE)
    return malformed (error, "the header counts %u questions and %u records, more than "
                      "%" G_GSIZE_FORMAT " bytes can hold", qd, an + ns + ar, len), NULL;

  self = braid_dns_message_new ();
  self->id = id;
  self->response = (flags >> 15) & 1;
  self->opcode = (flags >> 11) & 0xF;
  self->authoritative = (flags >> 10) & 1;
  self->truncated = (flags >> 9) & 1;
  self->recursion_desired = (flags >> 8) & 1;
  self->recursion_available = (flags >> 7) & 1;
  self->z = (flags >> 4) & 0x7;
  self->rcode = flags & 0xF;
  for (guint i = 0; i < qd; i++)
    {
      BraidDnsQuestion *question = read_question (&reader, error);

      if (question == NULL)
        return NULL;
      g_ptr_array_add (self->questions, question);
    }
  if (!read_records (&reader, self->answers, an, error)
      || !read_records (&reader, self->authority, ns, error)
      || !read_records (&reader, self->additional, ar, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* --- Writing --------------------------------------------------------------- */

typedef struct
{
  GByteArray *out;
  GHashTable *suffixes;   /* lowercased name suffix -> offset, for compression */
} Writer;

static void
put_u16 (Writer *writer, guint16 value)
{
  guint8 bytes[2] = { value >> 8, value & 0xFF };

  g_byte_array_append (writer->out, bytes, 2);
}

static void
set_u16 (Writer *writer, gsize at, guint16 value)
{
  writer->out->data[at] = value >> 8;
  writer->out->data[at + 1] = value & 0xFF;
}

static gboolean
bad_name (const char *name, const char *why, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Cannot write the DNS name \"%s\": %s", name, why);
  return FALSE;
}

/* Splits a presentation-format name into its labels (raw bytes) and the
 * text of each suffix (from that label to the end), lowercased. */
static gboolean
split_name (const char *name, GPtrArray *labels, GPtrArray *suffixes, GError **error)
{
  gsize len = strlen (name);
  gsize wire = 1;
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr (GByteArray) label = g_byte_array_new ();
  gsize i = 0;

  if (len == 1 && name[0] == '.')
    len = 0;
  while (i < len)
    {
      g_array_append_val (starts, i);
      g_byte_array_set_size (label, 0);
      while (i < len && name[i] != '.')
        {
          guint8 c = name[i];

          if (c == '\\')
            {
              if (i + 3 < len && g_ascii_isdigit (name[i + 1]) && g_ascii_isdigit (name[i + 2])
                  && g_ascii_isdigit (name[i + 3]))
                {
                  guint value = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');

                  if (value > 255)
                    return bad_name (name, "an escape above \\255", error);
                  c = value;
                  i += 4;
                }
              else if (i + 1 < len)
                {
                  c = name[i + 1];
                  i += 2;
                }
              else
                return bad_name (name, "it ends with a backslash", error);
            }
          else
            i++;
          g_byte_array_append (label, &c, 1);
        }
      if (label->len == 0)
        return bad_name (name, "an empty label", error);
      if (label->len > BRAID_DNS_MAX_LABEL_LENGTH)
        return bad_name (name, "a label longer than 63 bytes", error);
      wire += label->len + 1;
      if (wire > BRAID_DNS_MAX_NAME_LENGTH)
        return bad_name (name, "longer than 255 bytes", error);
      g_ptr_array_add (labels, g_bytes_new (label->data, label->len));
      if (i < len)
        i++;   /* the dot; a final dot ends the name */
    }
  for (guint k = 0; k < starts->len; k++)
    {
      gsize start = g_array_index (starts, gsize, k);
      gsize end = len;

      if (end > start && name[end - 1] == '.' && (end < 2 || name[end - 2] != '\\'))
        end--;
      g_ptr_array_add (suffixes, g_ascii_strdown (name + start, end - start));
    }
  return TRUE;
}

static gboolean
write_name (Writer *writer, const char *name, GError **error)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray) suffixes = g_ptr_array_new_with_free_func (g_free);

  if (!split_name (name, labels, suffixes, error))
    return FALSE;
  for (guint i = 0; i < labels->len; i++)
    {
      char *suffix = g_ptr_array_index (suffixes, i);
      gpointer offset;
      gsize size;
      const guint8 *bytes;
      guint8 length;

      if (g_hash_table_lookup_extended (writer->suffixes, suffix, NULL, &offset))
        {
          put_u16 (writer, 0xC000 | GPOINTER_TO_UINT (offset));
          return TRUE;
        }
      if (writer->out->len < 0x4000)
        {
          /* The table takes the suffix over from the array. */
          g_ptr_array_index (suffixes, i) = NULL;
          g_hash_table_insert (writer->suffixes, suffix, GUINT_TO_POINTER (writer->out->len));
        }
      bytes = g_bytes_get_data (g_ptr_array_index (labels, i), &size);
      length = size;
      g_byte_array_append (writer->out, &length, 1);
      g_byte_array_append (writer->out, bytes, size);
    }
  g_byte_array_append (writer->out, (const guint8 *) "", 1);
  return TRUE;
}

static gboolean
write_record (Writer *writer, const BraidDnsRecord *record, GError **error)
{
  gsize length_at, start;

  if (!write_name (writer, record->name, error))
    return FALSE;
  put_u16 (writer, record->type);
  put_u16 (writer, record->klass);
  put_u16 (writer, record->ttl >> 16);
  put_u16 (writer, record->ttl & 0xFFFF);
  length_at = writer->out->len;
  put_u16 (writer, 0);
  start = writer->out->len;
  if (record->address != NULL)
    g_byte_array_append (writer->out, g_inet_address_to_bytes (record->address),
                         g_inet_address_get_native_size (record->address));
  else if (record->target != NULL)
    {
      if (!write_name (writer, record->target, error))
        return FALSE;
    }
  else if (record->rdata != NULL)
    {
      gsize size;
      const guint8 *bytes = g_bytes_get_data (record->rdata, &size);

      if (size > G_MAXUINT16)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Cannot write a DNS record of %" G_GSIZE_FORMAT " bytes", size);
          return FALSE;
        }
      g_byte_array_append (writer->out, bytes, size);
    }
  set_u16 (writer, length_at, writer->out->len - start);
  return TRUE;
}

/**
 * braid_dns_message_encode:
 * @self: a message
 * @error: return location for a #GError
 *
 * Writes a message for the wire, compressing names (each suffix already
 * written is replaced by a pointer to it): twisted.names' `Message.toStr`.
 * A name that cannot be written (an empty label, a label longer than 63
 * bytes, a name longer than 255) or a section of more than 65535 entries
 * fails with %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with @error set
 */
GBytes *
braid_dns_message_encode (const BraidDnsMessage *self, GError **error)
{
  Writer writer;
  GPtrArray *sections[3];
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sections[0] = self->answers;
  sections[1] = self->authority;
  sections[2] = self->additional;
  if (self->questions->len > G_MAXUINT16 || self->answers->len > G_MAXUINT16
      || self->authority->len > G_MAXUINT16 || self->additional->len > G_MAXUINT16)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot write a DNS section of more than 65535 entries");
      return NULL;
    }
  writer.out = g_byte_array_new ();
  writer.suffixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  put_u16 (&writer, self->id);
  put_u16 (&writer, (self->response ? 1 : 0) << 15 | (self->opcode & 0xF) << 11
                    | (self->authoritative ? 1 : 0) << 10 | (self->truncated ? 1 : 0) << 9
                    | (self->recursion_desired ? 1 : 0) << 8
                    | (self->recursion_available ? 1 : 0) << 7 | (self->z & 0x7) << 4
                    | (self->rcode & 0xF));
  put_u16 (&writer, self->questions->len);
  put_u16 (&writer, self->answers->len);
  put_u16 (&writer, self->authority->len);
  put_u16 (&writer, self->additional->len);
  for (guint i = 0; ok && i < self->questions->len; i++)
    {
      const BraidDnsQuestion *question = g_ptr_array_index (self->questions, i);

      ok = write_name (&writer, question->name, error);
      put_u16 (&writer, question->type);
      put_u16 (&writer, question->klass);
    }
  for (guint s = 0; ok && s < G_N_ELEMENTS (sections); s++)
    for (guint i = 0; ok && i < sections[s]->len; i++)
      ok = write_record (&writer, g_ptr_array_index (sections[s], i), error);
  g_hash_table_unref (writer.suffixes);
  if (!ok)
    {
      g_byte_array_unref (writer.out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (writer.out);
}
