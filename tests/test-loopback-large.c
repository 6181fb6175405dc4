/* test-loopback-large.c: BraidLoopback delivering a large buffer in tiny
 * chunks, byte for byte right, including while the sender keeps writing
 * into the buffer being delivered. (Its speed is measured by
 * tools/bench/bench-lines and bench-growth, not here.) */
#include <string.h>

#include <braid-fakes.h>

/* The byte at position @i of the stream the client sends. */
static guint8
pattern_byte (gsize i)
{
  return (guint8) ((i * 7 + i / 251) % 251);
}

static void
append_pattern (GByteArray *array, gsize from, gsize len)
{
  for (gsize i = from; i < from + len; i++)
    {
      guint8 byte = pattern_byte (i);

      g_byte_array_append (array, &byte, 1);
    }
}

G_DECLARE_FINAL_TYPE (Collector, collector, TEST, COLLECTOR, BraidProtocol)
struct _Collector
{
  BraidProtocol parent_instance;
  GByteArray *received;
  BraidTransport *writer;   /* not owned: the client's transport, to write more */
  gsize written;            /* bytes the client has written so far */
  gsize limit;              /* write more, 1500 at a time, up to this */
  gsize next_write_at;      /* received bytes at which to write more */
};
G_DEFINE_FINAL_TYPE (Collector, collector, BRAID_TYPE_PROTOCOL)

static void
collector_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  Collector *self = TEST_COLLECTOR (protocol);

  g_byte_array_append (self->received, data, len);
  /* Every 1000 bytes, the sender writes 1500 more while the loopback is
   * still delivering what it wrote before. */
  while (self->writer != NULL && self->received->len >= self->next_write_at
         && self->written < self->limit)
    {
      g_autoptr (GByteArray) more = g_byte_array_new ();

      append_pattern (more, self->written, 1500);
      self->written += 1500;
      self->next_write_at += 1000;
      braid_transport_write (self->writer, more->data, more->len);
    }
}

static void
collector_finalize (GObject *object)
{
  g_byte_array_unref (TEST_COLLECTOR (object)->received);
  G_OBJECT_CLASS (collector_parent_class)->finalize (object);
}

static void
collector_class_init (CollectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = collector_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = collector_data_received;
}

static void
collector_init (Collector *self)
{
  self->received = g_byte_array_new ();
}

static void
assert_pattern (GByteArray *received, gsize len)
{
  g_assert_cmpuint (received->len, ==, len);
  for (gsize i = 0; i < len; i++)
    if (received->data[i] != pattern_byte (i))
      g_error ("byte %" G_GSIZE_FORMAT " is %u, expected %u", i, received->data[i],
               pattern_byte (i));
}

static void
test_large_write_delivered_one_byte_at_a_time (void)
{
  const gsize size = 512 * 1024;
  g_autoptr (Collector) server = g_object_new (collector_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  g_autoptr (GByteArray) stream = g_byte_array_new ();

  append_pattern (stream, 0, size);
  braid_loopback_set_chunk_size (loopback, 1);
  braid_transport_write (braid_loopback_get_client_transport (loopback), stream->data, size);
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback,
                                                      braid_loopback_get_client_transport (loopback)),
                    ==, size);
  braid_loopback_flush (loopback);
  assert_pattern (server->received, size);
  g_assert_cmpuint (braid_loopback_get_pending_bytes (loopback,
                                                      braid_loopback_get_client_transport (loopback)),
                    ==, 0);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

static void
test_writes_during_delivery_keep_their_order (void)
{
  g_autoptr (Collector) server = g_object_new (collector_get_type (), NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (BRAID_PROTOCOL (server), client);
  g_autoptr (GByteArray) first = g_byte_array_new ();
  const gsize chunks[] = { 1, 7, 333 };

  server->writer = braid_loopback_get_client_transport (loopback);
  server->limit = 200 * 1000;
  server->next_write_at = 1000;
  append_pattern (first, 0, 10000);
  server->written = first->len;
  /* A chunk size that changes between rounds, so that chunks, writes and
   * the dropped front of the buffer never line up. */
  for (guint round = 0; round < G_N_ELEMENTS (chunks); round++)
    {
      braid_loopback_set_chunk_size (loopback, chunks[round]);
      if (round == 0)
        braid_transport_write (server->writer, first->data, first->len);
      braid_loopback_pump_once (loopback);
    }
  braid_loopback_flush (loopback);
  g_assert_cmpuint (server->written, >=, server->limit);
  assert_pattern (server->received, server->written);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidLoopback: large buffers in tiny chunks, in order");

  braid_test_add_func ("/loopback-large/one-byte-chunks", test_large_write_delivered_one_byte_at_a_time);
  braid_test_add_func ("/loopback-large/writes-during-delivery",
                       test_writes_during_delivery_keep_their_order);

  return g_test_run ();
}
