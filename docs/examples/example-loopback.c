/* example-loopback.c: docs/testing.md, "Two protocols on a loopback, in chunks".
 *
 * TCP delivers a stream, not messages: data_received may get half a
 * message, or two. A BraidLoopback connects a client and a server protocol
 * in memory and, with a chunk size, delivers the bytes split at every
 * boundary, so a test proves the protocol copes. The server here answers
 * each newline-terminated line with its length; the client, a
 * BraidRecordingProtocol, records the answers. */
#include <string.h>

#include <braid-fakes.h>

/* The server: buffers until "\n", then answers "N\n" (N: the line's length). */
G_DECLARE_FINAL_TYPE (LengthProtocol, length_protocol, LENGTH, PROTOCOL, BraidProtocol)
struct _LengthProtocol
{
  BraidProtocol parent_instance;
  GString *line;
};
G_DEFINE_FINAL_TYPE (LengthProtocol, length_protocol, BRAID_TYPE_PROTOCOL)

static void
length_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  LengthProtocol *self = LENGTH_PROTOCOL (protocol);

  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *answer = NULL;

      if (data[i] != '\n')
        {
          g_string_append_c (self->line, (char) data[i]);
          continue;
        }
      answer = g_strdup_printf ("%zu\n", self->line->len);
      braid_transport_write_string (braid_protocol_get_transport (protocol), answer);
      g_string_truncate (self->line, 0);
    }
}

static void
length_protocol_finalize (GObject *object)
{
  g_string_free (LENGTH_PROTOCOL (object)->line, TRUE);
  G_OBJECT_CLASS (length_protocol_parent_class)->finalize (object);
}

static void
length_protocol_class_init (LengthProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = length_protocol_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = length_protocol_data_received;
}

static void
length_protocol_init (LengthProtocol *self)
{
  self->line = g_string_new (NULL);
}

/* The client is a BraidRecordingProtocol, from the fakes: it keeps
 * everything it receives and the reason its connection ended. */

/* The same conversation at every chunk size; 0 means "all at once". */
static void
test_lengths_at_every_chunk_size (void)
{
  const gsize chunk_sizes[] = { 1, 2, 3, 7, 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (chunk_sizes); i++)
    {
      g_autoptr (BraidProtocol) server = g_object_new (length_protocol_get_type (), NULL);
      g_autoptr (BraidRecordingProtocol) client = braid_recording_protocol_new ();
      g_autoptr (BraidLoopback) loopback = braid_loopback_new (server, BRAID_PROTOCOL (client));

      braid_loopback_set_chunk_size (loopback, chunk_sizes[i]);
      braid_transport_write_string (braid_loopback_get_client_transport (loopback),
                                    "hello\nbraid\n\nlonger line\n");
      braid_loopback_flush (loopback);
      g_assert_cmpstr (braid_recording_protocol_peek (client, NULL), ==, "5\n5\n0\n11\n");

      braid_transport_lose_connection (braid_loopback_get_client_transport (loopback));
      braid_loopback_flush (loopback);
      g_assert_false (braid_loopback_is_open (loopback));
      g_assert_true (braid_error_is_clean_close (braid_recording_protocol_get_reason (client)));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("docs/testing.md: a client and a server on a BraidLoopback, in chunks.");
  braid_test_add_func ("/docs/loopback/every-chunk-size", test_lengths_at_every_chunk_size);
  return g_test_run ();
}
