/* datagram-recorder.c: see datagram-recorder.h. */
#include <gio/gunixsocketaddress.h>

#include "datagram-recorder.h"

G_DEFINE_FINAL_TYPE (DgRecorder, dg_recorder, BRAID_TYPE_DATAGRAM_PROTOCOL)

static void
dg_start (BraidDatagramProtocol *protocol)
{
  DG_RECORDER (protocol)->started++;
}

static void
dg_stop (BraidDatagramProtocol *protocol)
{
  DgRecorder *self = DG_RECORDER (protocol);

  self->stopped++;
  self->transport_at_stop = braid_datagram_protocol_get_transport (protocol) != NULL;
}

static void
dg_received (BraidDatagramProtocol *protocol, const guint8 *data, gsize len,
             GSocketAddress *address)
{
  DgRecorder *self = DG_RECORDER (protocol);

  g_ptr_array_add (self->datagrams, g_bytes_new (data, len));
  g_ptr_array_add (self->senders, g_object_ref (address));
  if (self->log != NULL)
    g_string_append_c (self->log, self->tag);
  if (self->stop_on_datagram)
    braid_listening_port_stop_listening (BRAID_LISTENING_PORT (braid_datagram_protocol_get_transport (protocol)));
  if (self->echo)
    {
      g_autoptr (GError) error = NULL;

      braid_datagram_transport_write (braid_datagram_protocol_get_transport (protocol),
                                      data, len, address, &error);
      g_assert_no_error (error);
    }
}

static void
dg_refused (BraidDatagramProtocol *protocol)
{
  DG_RECORDER (protocol)->refused++;
}

static void
dg_recorder_finalize (GObject *object)
{
  DgRecorder *self = DG_RECORDER (object);

  g_ptr_array_unref (self->datagrams);
  g_ptr_array_unref (self->senders);
  G_OBJECT_CLASS (dg_recorder_parent_class)->finalize (object);
}

static void
dg_recorder_class_init (DgRecorderClass *klass)
{
  BraidDatagramProtocolClass *protocol_class = BRAID_DATAGRAM_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = dg_recorder_finalize;
  protocol_class->start_protocol = dg_start;
  protocol_class->stop_protocol = dg_stop;
  protocol_class->datagram_received = dg_received;
  protocol_class->connection_refused = dg_refused;
}

static void
dg_recorder_init (DgRecorder *self)
{
  self->datagrams = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->senders = g_ptr_array_new_with_free_func (g_object_unref);
}

DgRecorder *
dg_recorder_new (void)
{
  return g_object_new (DG_TYPE_RECORDER, NULL);
}

GSocketAddress *
dg_address (const char *ip, guint16 port)
{
  return g_inet_socket_address_new_from_string (ip, port);
}

static void
expect_write_error (BraidDatagramTransport *transport, gsize len, GSocketAddress *to,
                    int code)
{
  g_autofree guint8 *data = g_malloc0 (MAX (len, 1));
  g_autoptr (GError) error = NULL;

  g_assert_false (braid_datagram_transport_write (transport, data, len, to, &error));
  g_assert_error (error, G_IO_ERROR, code);
}

void
dg_check_strictness (BraidDatagramTransport *transport, GSocketAddress *peer)
{
  g_autoptr (GSocketAddress) v6 = dg_address ("::1", 9);
  g_autoptr (GSocketAddress) other = dg_address ("127.0.0.1", 1);
  g_autoptr (GSocketAddress) unix_address = g_unix_socket_address_new ("/tmp/x");
  g_autofree guint8 *big = g_malloc0 (BRAID_UDP_MAX_IPV4_PAYLOAD);
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (braid_datagram_transport_get_max_write_size (transport), ==,
                    BRAID_UDP_MAX_IPV4_PAYLOAD);
  /* The largest datagram goes; one byte more does not. */
  g_assert_true (braid_datagram_transport_write (transport, big, BRAID_UDP_MAX_IPV4_PAYLOAD,
                                                 peer, &error));
  g_assert_no_error (error);
  expect_write_error (transport, BRAID_UDP_MAX_IPV4_PAYLOAD + 1, peer,
                      G_IO_ERROR_MESSAGE_TOO_LARGE);
  expect_write_error (transport, 3, NULL, G_IO_ERROR_NOT_CONNECTED);
  expect_write_error (transport, 3, v6, G_IO_ERROR_INVALID_ARGUMENT);
  expect_write_error (transport, 3, unix_address, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (braid_datagram_transport_connect (transport, v6, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Multicast: only group addresses, of the port's family; TTL 0-255. */
  g_assert_false (braid_datagram_transport_join_group (transport, "127.0.0.1", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_join_group (transport, "ff02::1", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_leave_group (transport, "not an address", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (braid_datagram_transport_get_ttl (transport), ==, 1);
  g_assert_false (braid_datagram_transport_set_ttl (transport, 256, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (braid_datagram_transport_set_ttl (transport, 5, &error));
  g_assert_cmpuint (braid_datagram_transport_get_ttl (transport), ==, 5);
  g_assert_true (braid_datagram_transport_get_loopback (transport));
  g_assert_true (braid_datagram_transport_set_loopback (transport, FALSE, &error));
  g_assert_false (braid_datagram_transport_get_loopback (transport));
  g_assert_no_error (error);

  /* Connected: no address, or the peer's; another one is refused. */
  g_assert_true (braid_datagram_transport_connect (transport, peer, &error));
  g_assert_no_error (error);
  g_assert_true (braid_socket_address_equal (braid_datagram_transport_get_connected_address (transport),
                                             peer));
  g_assert_true (braid_datagram_transport_write (transport, (const guint8 *) "a", 1, NULL, &error));
  g_assert_true (braid_datagram_transport_write (transport, (const guint8 *) "b", 1, peer, &error));
  g_assert_no_error (error);
  expect_write_error (transport, 3, other, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (braid_datagram_transport_connect (transport, other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Stopped: everything fails with CLOSED; stopping again does nothing. */
  braid_datagram_transport_stop_listening (transport);
  g_assert_false (braid_datagram_transport_is_listening (transport));
  expect_write_error (transport, 3, NULL, G_IO_ERROR_CLOSED);
  g_assert_false (braid_datagram_transport_connect (transport, peer, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_join_group (transport, "239.1.2.3", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_leave_group (transport, "239.1.2.3", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_set_ttl (transport, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (braid_datagram_transport_set_loopback (transport, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  braid_datagram_transport_stop_listening (transport);
}
