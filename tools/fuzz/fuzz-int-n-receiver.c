/* fuzz-int-n-receiver.c: libFuzzer target for BraidIntNReceiver. */
#include "fuzz-common.h"

G_DECLARE_FINAL_TYPE (FuzzIntN, fuzz_int_n, FUZZ, INT_N, BraidIntNReceiver)
struct _FuzzIntN
{
  BraidIntNReceiver parent_instance;
  GPtrArray *frames;
  gboolean keep_open;
  guint exceeded;
};
G_DEFINE_FINAL_TYPE (FuzzIntN, fuzz_int_n, BRAID_TYPE_INT_N_RECEIVER)

static void
fuzz_int_n_string_received (BraidIntNReceiver *receiver, const guint8 *data, gsize len)
{
  g_ptr_array_add (FUZZ_INT_N (receiver)->frames, g_bytes_new (data, len));
}

static void
fuzz_int_n_length_limit_exceeded (BraidIntNReceiver *receiver, gsize length)
{
  FuzzIntN *self = FUZZ_INT_N (receiver);

  FUZZ_CHECK (length > braid_int_n_receiver_get_max_length (receiver));
  self->exceeded++;
  if (!self->keep_open)
    BRAID_INT_N_RECEIVER_CLASS (fuzz_int_n_parent_class)->length_limit_exceeded (receiver, length);
}

static void
fuzz_int_n_finalize (GObject *object)
{
  g_ptr_array_unref (FUZZ_INT_N (object)->frames);
  G_OBJECT_CLASS (fuzz_int_n_parent_class)->finalize (object);
}

static void
fuzz_int_n_class_init (FuzzIntNClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fuzz_int_n_finalize;
  BRAID_INT_N_RECEIVER_CLASS (klass)->string_received = fuzz_int_n_string_received;
  BRAID_INT_N_RECEIVER_CLASS (klass)->length_limit_exceeded = fuzz_int_n_length_limit_exceeded;
}

static void
fuzz_int_n_init (FuzzIntN *self)
{
  self->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

typedef struct
{
  FuzzIntN *receiver;
  BraidStringTransport *transport;
} Run;

static Run
run (const guint8 *data, gsize len, gsize chunk, guint bits, gsize max_length, gboolean keep_open)
{
  Run r;

  r.receiver = g_object_new (fuzz_int_n_get_type (), "prefix-bits", bits, NULL);
  r.receiver->keep_open = keep_open;
  braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (r.receiver), max_length);
  r.transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (r.receiver), BRAID_TRANSPORT (r.transport));
  fuzz_feed (BRAID_PROTOCOL (r.receiver), data, len, chunk);
  return r;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const guint bit_choices[] = { 8, 16, 32 };
  guint bits;
  gsize max_length, chunk;
  gboolean keep_open;
  Run whole, chunked;

  if (size < 3)
    return 0;
  fuzz_quiet_logs ();
  chunk = (data[0] & 0x07) + 1;
  keep_open = (data[0] & 0x08) != 0;
  bits = bit_choices[(data[0] >> 4) % 3];
  max_length = data[1] * 4;
  data += 2;
  size -= 2;

  whole = run (data, size, 0, bits, max_length, keep_open);
  chunked = run (data, size, chunk, bits, max_length, keep_open);
  fuzz_check_same_frames (whole.receiver->frames, chunked.receiver->frames);
  FUZZ_CHECK (whole.receiver->exceeded == chunked.receiver->exceeded);
  FUZZ_CHECK (braid_string_transport_get_aborted (whole.transport)
              == (!keep_open && whole.receiver->exceeded > 0));

  /* Re-encoding the frames gives back the start of the input. */
  if (whole.receiver->exceeded == 0)
    {
      g_autoptr (BraidStringTransport) out = braid_string_transport_new ();
      g_autoptr (FuzzIntN) encoder = g_object_new (fuzz_int_n_get_type (), "prefix-bits", bits, NULL);
      const char *encoded;
      gsize encoded_len;

      braid_int_n_receiver_set_max_length (BRAID_INT_N_RECEIVER (encoder), max_length);
      braid_protocol_make_connection (BRAID_PROTOCOL (encoder), BRAID_TRANSPORT (out));
      for (guint i = 0; i < whole.receiver->frames->len; i++)
        {
          gsize len;
          const guint8 *frame = g_bytes_get_data (g_ptr_array_index (whole.receiver->frames, i), &len);

          FUZZ_CHECK (len <= max_length);
          FUZZ_CHECK (braid_int_n_receiver_send_string (BRAID_INT_N_RECEIVER (encoder),
                                                        frame, len, NULL));
        }
      encoded = braid_string_transport_peek (out, &encoded_len);
      FUZZ_CHECK (encoded_len <= size);
      FUZZ_CHECK (encoded_len == 0 || memcmp (encoded, data, encoded_len) == 0);
    }

  g_object_unref (whole.receiver);
  g_object_unref (whole.transport);
  g_object_unref (chunked.receiver);
  g_object_unref (chunked.transport);
  return 0;
}
