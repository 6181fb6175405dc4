/* braid-fake-datagram-transport.c: a UDP port that records what is sent. */
#include "config.h"

#include "braid-fakes.h"

/**
 * BraidFakeDatagramTransport:
 *
 * A [iface@Braid.DatagramTransport] for tests: what
 * `twisted.test.proto_helpers` would call a fake UDP port. It sends
 * nothing; it records each datagram written with its address
 * ([method@Braid.FakeDatagramTransport.get_writes]), and a test plays the
 * network with [method@Braid.FakeDatagramTransport.deliver] and
 * [method@Braid.FakeDatagramTransport.refuse]:
 *
 * ```c
 * g_autoptr (BraidFakeDatagramTransport) port = braid_fake_datagram_transport_new (NULL, 53, 0);
 * braid_fake_datagram_transport_attach (port, protocol);
 * braid_fake_datagram_transport_deliver (port, query, len, client);
 * BraidDatagramWrite *reply = braid_fake_datagram_transport_get_write (port, 0);
 * ```
 *
 * It is exactly as strict as the real port: the checks of
 * [iface@Braid.DatagramTransport] are shared, a datagram bigger than the
 * maximum packet size is dropped (and the drop logged) rather than
 * delivered, a connected port hears only from its peer, and nothing is
 * delivered once it stopped listening. The multicast calls keep the set of
 * groups joined; joining a group twice fails with
 * %G_IO_ERROR_ADDRESS_IN_USE and leaving one not joined with
 * %G_IO_ERROR_FAILED (EADDRNOTAVAIL, which GIO has no code for), as they
 * do on Linux.
 *
 * The transport does not keep its protocol alive (the protocol holds the
 * transport): drop the protocol and both go.
 */
struct _BraidFakeDatagramTransport
{
  GObject parent_instance;

  BraidDatagramProtocol *protocol;   /* weak */
  GSocketAddress *host;
  GSocketAddress *peer;
  gsize max_packet_size;
  gboolean listening;
  GPtrArray *writes;                 /* of BraidDatagramWrite* */
  GPtrArray *groups;                 /* of char*, "group%interface" */
  guint ttl;
  gboolean loopback;
  GError *write_error;
};

static void braid_fake_datagram_transport_port_init (BraidListeningPortInterface *iface);
static void braid_fake_datagram_transport_iface_init (BraidDatagramTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidFakeDatagramTransport, braid_fake_datagram_transport,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT,
                                                      braid_fake_datagram_transport_port_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_DATAGRAM_TRANSPORT,
                                                      braid_fake_datagram_transport_iface_init))

static void
datagram_write_free (gpointer data)
{
  BraidDatagramWrite *write = data;

  g_bytes_unref (write->data);
  g_object_unref (write->address);
  g_free (write);
}

static GSocketAddress *
braid_fake_datagram_transport_get_host (BraidListeningPort *port)
{
  return BRAID_FAKE_DATAGRAM_TRANSPORT (port)->host;
}

static void
braid_fake_datagram_transport_stop_listening (BraidListeningPort *port)
{
  BraidFakeDatagramTransport *self = BRAID_FAKE_DATAGRAM_TRANSPORT (port);

  if (!self->listening)
    return;
  self->listening = FALSE;
  if (self->protocol != NULL)
    braid_datagram_protocol_do_stop (self->protocol);
}

static void
braid_fake_datagram_transport_port_init (BraidListeningPortInterface *iface)
{
  iface->get_host = braid_fake_datagram_transport_get_host;
  iface->stop_listening = braid_fake_datagram_transport_stop_listening;
}

static gboolean
fake_is_listening (BraidDatagramTransport *transport)
{
  return BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->listening;
}

static gboolean
fake_write (BraidDatagramTransport *transport, const guint8 *data, gsize len,
            GSocketAddress *address, GError **error)
{
  BraidFakeDatagramTransport *self = BRAID_FAKE_DATAGRAM_TRANSPORT (transport);
  BraidDatagramWrite *write;

  if (self->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->write_error));
      return FALSE;
    }
  write = g_new (BraidDatagramWrite, 1);
  write->data = g_bytes_new (data, len);
  write->address = g_object_ref (address != NULL ? address : self->peer);
  g_ptr_array_add (self->writes, write);
  return TRUE;
}

static gboolean
fake_connect (BraidDatagramTransport *transport, GSocketAddress *address, GError **error)
{
  BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->peer = g_object_ref (address);
  return TRUE;
}

static GSocketAddress *
fake_get_connected_address (BraidDatagramTransport *transport)
{
  return BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->peer;
}

static gsize
fake_get_max_packet_size (BraidDatagramTransport *transport)
{
  return BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->max_packet_size;
}

static char *
group_key (GInetAddress *group, const char *interface)
{
  g_autofree char *text = g_inet_address_to_string (group);

  return g_strdup_printf ("%s%%%s", text, interface != NULL ? interface : "");
}

static gboolean
find_group (BraidFakeDatagramTransport *self, const char *key, guint *index)
{
  return g_ptr_array_find_with_equal_func (self->groups, key, g_str_equal, index);
}

static gboolean
fake_join_group (BraidDatagramTransport *transport, GInetAddress *group,
                 const char *interface, GError **error)
{
  BraidFakeDatagramTransport *self = BRAID_FAKE_DATAGRAM_TRANSPORT (transport);
  char *key = group_key (group, interface);

  if (find_group (self, key, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "Error joining multicast group: Address already in use");
      g_free (key);
      return FALSE;
    }
  g_ptr_array_add (self->groups, key);
  return TRUE;
}

static gboolean
fake_leave_group (BraidDatagramTransport *transport, GInetAddress *group,
                  const char *interface, GError **error)
{
  BraidFakeDatagramTransport *self = BRAID_FAKE_DATAGRAM_TRANSPORT (transport);
  g_autofree char *key = group_key (group, interface);
  guint index;

  if (!find_group (self, key, &index))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Error leaving multicast group: Cannot assign requested address");
      return FALSE;
    }
  g_ptr_array_remove_index (self->groups, index);
  return TRUE;
}

static guint
fake_get_ttl (BraidDatagramTransport *transport)
{
  return BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->ttl;
}

static gboolean
fake_set_ttl (BraidDatagramTransport *transport, guint ttl, GError **error)
{
  BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->ttl = ttl;
  return TRUE;
}

static gboolean
fake_get_loopback (BraidDatagramTransport *transport)
{
  return BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->loopback;
}

static gboolean
fake_set_loopback (BraidDatagramTransport *transport, gboolean loopback, GError **error)
{
  BRAID_FAKE_DATAGRAM_TRANSPORT (transport)->loopback = loopback;
  return TRUE;
}

static void
braid_fake_datagram_transport_iface_init (BraidDatagramTransportInterface *iface)
{
  iface->is_listening = fake_is_listening;
  iface->write = fake_write;
  iface->connect = fake_connect;
  iface->get_connected_address = fake_get_connected_address;
  iface->get_max_packet_size = fake_get_max_packet_size;
  iface->join_group = fake_join_group;
  iface->leave_group = fake_leave_group;
  iface->get_ttl = fake_get_ttl;
  iface->set_ttl = fake_set_ttl;
  iface->get_loopback = fake_get_loopback;
  iface->set_loopback = fake_set_loopback;
}

static void
braid_fake_datagram_transport_finalize (GObject *object)
{
  BraidFakeDatagramTransport *self = BRAID_FAKE_DATAGRAM_TRANSPORT (object);

  if (self->protocol != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->protocol), (gpointer *) &self->protocol);
  g_clear_object (&self->host);
  g_clear_object (&self->peer);
  g_ptr_array_unref (self->writes);
  g_ptr_array_unref (self->groups);
  g_clear_error (&self->write_error);
  G_OBJECT_CLASS (braid_fake_datagram_transport_parent_class)->finalize (object);
}

static void
braid_fake_datagram_transport_class_init (BraidFakeDatagramTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_fake_datagram_transport_finalize;
}

static void
braid_fake_datagram_transport_init (BraidFakeDatagramTransport *self)
{
  self->writes = g_ptr_array_new_with_free_func (datagram_write_free);
  self->groups = g_ptr_array_new_with_free_func (g_free);
  self->ttl = 1;
  self->loopback = TRUE;
  self->listening = TRUE;
}

/**
 * braid_fake_datagram_transport_new:
 * @interface: (nullable): the address the port is bound to; %NULL for
 *   0.0.0.0, as [method@Braid.Reactor.listen_udp]
 * @port: its port
 * @max_packet_size: the biggest datagram it receives; 0 for
 *   %BRAID_DEFAULT_MAX_PACKET_SIZE
 *
 * Creates a fake UDP port, listening, with no protocol yet: give it one
 * with [method@Braid.FakeDatagramTransport.attach]. An @interface that is
 * not an IP address is a programming error (a critical, and %NULL).
 *
 * Returns: (transfer full) (nullable): the transport
 */
BraidFakeDatagramTransport *
braid_fake_datagram_transport_new (const char *interface, guint16 port, gsize max_packet_size)
{
  GSocketAddress *host =
    g_inet_socket_address_new_from_string (interface != NULL ? interface : "0.0.0.0", port);
  BraidFakeDatagramTransport *self;

  g_return_val_if_fail (host != NULL, NULL);
  self = g_object_new (BRAID_TYPE_FAKE_DATAGRAM_TRANSPORT, NULL);
  self->host = host;
  self->max_packet_size = max_packet_size != 0 ? max_packet_size : BRAID_DEFAULT_MAX_PACKET_SIZE;
  return self;
}

/**
 * braid_fake_datagram_transport_attach:
 * @self: a fake datagram transport
 * @protocol: the protocol to serve
 *
 * Gives @protocol this port, as the reactor does: its `start_protocol`
 * runs. A port serves one protocol: attaching a second is a programming
 * error (a critical).
 */
void
braid_fake_datagram_transport_attach (BraidFakeDatagramTransport *self,
                                      BraidDatagramProtocol      *protocol)
{
  g_return_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self));
  g_return_if_fail (BRAID_IS_DATAGRAM_PROTOCOL (protocol));
  g_return_if_fail (self->protocol == NULL);

  self->protocol = protocol;
  g_object_add_weak_pointer (G_OBJECT (protocol), (gpointer *) &self->protocol);
  braid_datagram_protocol_make_connection (protocol, BRAID_DATAGRAM_TRANSPORT (self));
}

/**
 * braid_fake_datagram_transport_get_writes:
 * @self: a fake datagram transport
 *
 * Lists the datagrams written, oldest first.
 *
 * Returns: (transfer none) (element-type BraidDatagramWrite): the writes
 */
GPtrArray *
braid_fake_datagram_transport_get_writes (BraidFakeDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self), NULL);
  return self->writes;
}

/**
 * braid_fake_datagram_transport_get_write:
 * @self: a fake datagram transport
 * @index: which datagram, from 0
 *
 * One record of [method@Braid.FakeDatagramTransport.get_writes]. Asking
 * for one that was not written is a programming error (a critical).
 *
 * Returns: (transfer none) (nullable): the @index-th datagram written
 */
BraidDatagramWrite *
braid_fake_datagram_transport_get_write (BraidFakeDatagramTransport *self, guint index)
{
  g_return_val_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self), NULL);
  g_return_val_if_fail (index < self->writes->len, NULL);
  return g_ptr_array_index (self->writes, index);
}

/**
 * braid_fake_datagram_transport_clear_writes:
 * @self: a fake datagram transport
 *
 * Forgets the datagrams written so far.
 */
void
braid_fake_datagram_transport_clear_writes (BraidFakeDatagramTransport *self)
{
  g_return_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self));
  g_ptr_array_set_size (self->writes, 0);
}

/**
 * braid_fake_datagram_transport_deliver:
 * @self: a fake datagram transport
 * @data: (array length=len): the datagram
 * @len: its length
 * @from: the sender's address
 *
 * Plays a datagram arriving from @from: the protocol's
 * `datagram_received` runs, unless the real port would not deliver it:
 * the port stopped listening, is connected to another peer, or the
 * datagram is bigger than the maximum packet size (dropped, and the drop
 * logged at the message level, as the real port does).
 *
 * Returns: %TRUE if the protocol got the datagram
 */
gboolean
braid_fake_datagram_transport_deliver (BraidFakeDatagramTransport *self,
                                       const guint8               *data,
                                       gsize                       len,
                                       GSocketAddress             *from)
{
  g_return_val_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (from), FALSE);

  if (!self->listening || self->protocol == NULL)
    return FALSE;
  if (self->peer != NULL && !braid_socket_address_equal (self->peer, from))
    return FALSE;
  if (len > self->max_packet_size)
    {
      g_message ("Fake UDP port: dropped a datagram of %" G_GSIZE_FORMAT " bytes: "
                 "bigger than the port's maximum packet size, %" G_GSIZE_FORMAT,
                 len, self->max_packet_size);
      return FALSE;
    }
  braid_datagram_protocol_datagram_received (self->protocol, data, len, from);
  return TRUE;
}

/**
 * braid_fake_datagram_transport_refuse:
 * @self: a fake datagram transport
 *
 * Plays the peer's system refusing a datagram (an ICMP "port
 * unreachable"): a connected port's protocol hears `connection_refused`.
 * An unconnected port hears nothing, as on Linux.
 *
 * Returns: %TRUE if the protocol was told
 */
gboolean
braid_fake_datagram_transport_refuse (BraidFakeDatagramTransport *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self), FALSE);
  if (!self->listening || self->protocol == NULL || self->peer == NULL)
    return FALSE;
  braid_datagram_protocol_connection_refused (self->protocol);
  return TRUE;
}

/**
 * braid_fake_datagram_transport_in_group:
 * @self: a fake datagram transport
 * @group: a multicast group's address
 *
 * Tells whether @group was joined (on any interface) and not left.
 *
 * Returns: %TRUE if joined
 */
gboolean
braid_fake_datagram_transport_in_group (BraidFakeDatagramTransport *self, const char *group)
{
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);
  prefix = g_strconcat (group, "%", NULL);
  for (guint i = 0; i < self->groups->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (self->groups, i), prefix))
      return TRUE;
  return FALSE;
}

/**
 * braid_fake_datagram_transport_set_write_error:
 * @self: a fake datagram transport
 * @error: (nullable): the error every write fails with from now on
 *   (%G_IO_ERROR_WOULD_BLOCK plays a full send buffer); %NULL to succeed
 *   again
 *
 * Makes writes fail after the shared checks passed, as the system may.
 */
void
braid_fake_datagram_transport_set_write_error (BraidFakeDatagramTransport *self,
                                               const GError               *error)
{
  g_return_if_fail (BRAID_IS_FAKE_DATAGRAM_TRANSPORT (self));
  g_clear_error (&self->write_error);
  if (error != NULL)
    self->write_error = g_error_copy (error);
}
