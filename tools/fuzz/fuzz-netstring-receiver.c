/* fuzz-netstring-receiver.c: libFuzzer target for BraidNetstringReceiver. */
#include "fuzz-common.h"

G_DECLARE_FINAL_TYPE (FuzzNetstring, fuzz_netstring, FUZZ, NETSTRING, BraidNetstringReceiver)
struct _FuzzNetstring
{
  BraidNetstringReceiver parent_instance;
  GPtrArray *frames;
};
G_DEFINE_FINAL_TYPE (FuzzNetstring, fuzz_netstring, BRAID_TYPE_NETSTRING_RECEIVER)

static void
fuzz_netstring_string_received (BraidNetstringReceiver *receiver, const guint8 *data, gsize len)
{
  g_ptr_array_add (FUZZ_NETSTRING (receiver)->frames, g_bytes_new (data, len));
}

static void
fuzz_netstring_finalize (GObject *object)
{
  g_ptr_array_unref (FUZZ_NETSTRING (object)->frames);
  G_OBJECT_CLASS (fuzz_netstring_parent_class)->finalize (object);
}

static void
fuzz_netstring_class_init (FuzzNetstringClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fuzz_netstring_finalize;
  BRAID_NETSTRING_RECEIVER_CLASS (klass)->string_received = fuzz_netstring_string_received;
}

static void
fuzz_netstring_init (FuzzNetstring *self)
{
  self->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

typedef struct
{
  FuzzNetstring *receiver;
  BraidStringTransport *transport;
} Run;

static Run
run (const guint8 *data, gsize len, gsize chunk, gsize max_length)
{
  Run r;

  r.receiver = g_object_new (fuzz_netstring_get_type (), NULL);
  braid_netstring_receiver_set_max_length (BRAID_NETSTRING_RECEIVER (r.receiver), max_length);
  r.transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (r.receiver), BRAID_TRANSPORT (r.transport));
  fuzz_feed (BRAID_PROTOCOL (r.receiver), data, len, chunk);
  return r;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  gsize max_length, chunk;
  Run whole, chunked;
  GString *encoded;

  if (size < 3)
    return 0;
  fuzz_quiet_logs ();
  chunk = (data[0] & 0x07) + 1;
  max_length = data[1] * 2;
  data += 2;
  size -= 2;

  whole = run (data, size, 0, max_length);
  chunked = run (data, size, chunk, max_length);
  fuzz_check_same_frames (whole.receiver->frames, chunked.receiver->frames);
  FUZZ_CHECK (braid_string_transport_get_aborted (whole.transport)
              == braid_string_transport_get_aborted (chunked.transport));

  /* The frames, encoded again, are exactly the start of the input. */
  encoded = g_string_new (NULL);
  for (guint i = 0; i < whole.receiver->frames->len; i++)
    {
      gsize len;
      const char *frame = g_bytes_get_data (g_ptr_array_index (whole.receiver->frames, i), &len);

      FUZZ_CHECK (len <= max_length);
      g_string_append_printf (encoded, "%" G_GSIZE_FORMAT ":", len);
      g_string_append_len (encoded, frame, len);
      g_string_append_c (encoded, ',');
    }
  FUZZ_CHECK (encoded->len <= size);
  FUZZ_CHECK (memcmp (encoded->str, data, encoded->len) == 0);
  /* A closed connection means the input went wrong right after them. */
  if (braid_string_transport_get_aborted (whole.transport))
    FUZZ_CHECK (encoded->len < size);

  g_string_free (encoded, TRUE);
  g_object_unref (whole.receiver);
  g_object_unref (whole.transport);
  g_object_unref (chunked.receiver);
  g_object_unref (chunked.transport);
  return 0;
}
