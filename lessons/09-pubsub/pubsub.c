/* pubsub.c: lesson 09, a publish/subscribe server: every line a client
 * sends goes to every connected client, prefixed with the sender's
 * address. */
#include "pubsub.h"

#include "commands.h"

/**
 * PubFactory:
 *
 * Builds a [type@PubProtocol] for each connection and keeps the list of
 * the protocols that are connected now, in the order they connected.
 *
 * Ownership: each protocol holds a reference to its factory (every
 * [class@Braid.Protocol] does), so the factory outlives its protocols. The
 * list holds the protocols *without* a reference: a borrowed pointer. Were
 * it a reference, factory and protocol would hold each other and neither
 * could ever be freed unless something broke the cycle. Borrowing is safe
 * because a protocol is listed exactly from its `connection_made` to its
 * `connection_lost`, and during that time its transport holds it alive.
 */
struct _PubFactory
{
  BraidFactory parent_instance;

  GPtrArray *clients;   /* of PubProtocol*, borrowed */
  BraidClock *clock;    /* borrowed, for idle timeouts; NULL: none */
  gdouble idle_timeout; /* seconds */
};

G_DEFINE_FINAL_TYPE (PubFactory, pub_factory, BRAID_TYPE_FACTORY)

static void
pub_factory_finalize (GObject *object)
{
  g_ptr_array_unref (PUB_FACTORY (object)->clients);
  G_OBJECT_CLASS (pub_factory_parent_class)->finalize (object);
}

static void
pub_factory_class_init (PubFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pub_factory_finalize;
}

static void
pub_factory_init (PubFactory *self)
{
  /* No free function: the list owns nothing. */
  self->clients = g_ptr_array_new ();
}

/**
 * pub_factory_new:
 *
 * Returns: (transfer full): a publish/subscribe factory with no client yet
 */
PubFactory *
pub_factory_new (void)
{
  return g_object_new (PUB_TYPE_FACTORY, "protocol-type", PUB_TYPE_PROTOCOL, NULL);
}

/**
 * pub_factory_set_idle_timeout:
 * @self: a publish/subscribe factory
 * @clock: (nullable): the clock to time silences on (the reactor); it must
 *   outlive the factory. %NULL turns idle timeouts off (the default)
 * @seconds: how long a connection may send nothing before it is closed
 *
 * Gives every connection made from now on an idle timeout.
 * [func@pubsub_server_listen] sets %PUB_IDLE_TIMEOUT_SECONDS.
 */
void
pub_factory_set_idle_timeout (PubFactory *self, BraidClock *clock, gdouble seconds)
{
  g_return_if_fail (PUB_IS_FACTORY (self));
  g_return_if_fail (clock == NULL || BRAID_IS_CLOCK (clock));
  g_return_if_fail (seconds > 0);
  self->clock = clock;
  self->idle_timeout = seconds;
}

/**
 * pub_factory_get_num_clients:
 * @self: a publish/subscribe factory
 *
 * Returns: how many clients are connected now
 */
guint
pub_factory_get_num_clients (PubFactory *self)
{
  g_return_val_if_fail (PUB_IS_FACTORY (self), 0);
  return self->clients->len;
}

/**
 * pub_factory_get_client:
 * @self: a publish/subscribe factory
 * @index: from 0 to the number of clients, excluded
 *
 * Returns: (transfer none): the @index-th connected client, in the order
 *   they connected
 */
PubProtocol *
pub_factory_get_client (PubFactory *self, guint index)
{
  g_return_val_if_fail (PUB_IS_FACTORY (self), NULL);
  g_return_val_if_fail (index < self->clients->len, NULL);
  return g_ptr_array_index (self->clients, index);
}

/**
 * pub_factory_broadcast:
 * @self: a publish/subscribe factory
 * @line: a line, without its delimiter
 *
 * Sends @line to every connected client, the sender included.
 */
void
pub_factory_broadcast (PubFactory *self, const char *line)
{
  g_return_if_fail (PUB_IS_FACTORY (self));
  g_return_if_fail (line != NULL);

  /* Writing only buffers bytes: no transport calls a protocol back from
   * inside a write, so the list cannot change under this loop. */
  for (guint i = 0; i < self->clients->len; i++)
    braid_line_receiver_send_line (g_ptr_array_index (self->clients, i), line);
}

/**
 * PubProtocol:
 *
 * One client of the publish/subscribe server. When connected, it adds
 * itself to its [type@PubFactory]'s list and remembers the client's
 * address; each line it receives is published to every client as
 * `<ADDRESS> line`, where ADDRESS is the sender's `host:port`
 * (`127.0.0.1:54321`, or `[::1]:54321` for IPv6). A line starting with
 * '/' is a command (commands.h). When the connection ends, however it
 * ends, the protocol takes itself off the list. With the factory's idle
 * timeout, a connection that sends nothing that long is closed; one that
 * does not read what is published to it is closed by its transport's
 * write buffer limit.
 */
struct _PubProtocol
{
  BraidLineReceiver parent_instance;

  char *address;      /* the client's "host:port" */
  gboolean listed;    /* in the factory's list */
};

G_DEFINE_FINAL_TYPE (PubProtocol, pub_protocol, BRAID_TYPE_LINE_RECEIVER)

static PubFactory *
pub_protocol_get_pub_factory (PubProtocol *self)
{
  return PUB_FACTORY (braid_protocol_get_factory (BRAID_PROTOCOL (self)));
}

/* "127.0.0.1:54321": GLib writes an IPv4 or IPv6 address and its port. */
static char *
describe_peer (BraidTransport *transport)
{
  GSocketAddress *peer = braid_transport_get_peer (transport);

  if (peer == NULL)
    return g_strdup ("unknown");
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (peer));
}

static void
pub_protocol_connection_made (BraidProtocol *protocol)
{
  PubProtocol *self = PUB_PROTOCOL (protocol);
  PubFactory *factory = pub_protocol_get_pub_factory (self);

  self->address = describe_peer (braid_protocol_get_transport (protocol));
  g_ptr_array_add (factory->clients, self);
  self->listed = TRUE;
  if (factory->clock != NULL)
    braid_protocol_set_idle_timeout (protocol, factory->clock, factory->idle_timeout);
}

static void
pub_protocol_unlist (PubProtocol *self)
{
  if (!self->listed)
    return;
  g_ptr_array_remove (pub_protocol_get_pub_factory (self)->clients, self);
  self->listed = FALSE;
}

/* Called once, however the connection ends: the list cannot keep a client
 * that is gone. */
static void
pub_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  pub_protocol_unlist (PUB_PROTOCOL (protocol));
}

static void
pub_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  PubProtocol *self = PUB_PROTOCOL (receiver);
  g_autofree char *published = NULL;

  if (line[0] == '/')
    {
      pub_protocol_command (self, line + 1);
      return;
    }
  published = g_strdup_printf ("<%s> %s", self->address, line);
  pub_factory_broadcast (pub_protocol_get_pub_factory (self), published);
}

/* A line over PUB_MAX_LINE_LENGTH: say why, then hang up (the default
 * would only hang up). The other clients carry on. */
static void
pub_protocol_line_length_exceeded (BraidLineReceiver *receiver, gsize length)
{
  g_autofree char *answer = g_strdup_printf ("Line too long (%d bytes at most). Goodbye.",
                                             PUB_MAX_LINE_LENGTH);

  g_message ("pubsub: closing %s: a line of %" G_GSIZE_FORMAT " bytes or more",
             PUB_PROTOCOL (receiver)->address, length);
  braid_line_receiver_send_line (receiver, answer);
  braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (receiver)));
}

/* A protocol destroyed while still connected (a test that never ended its
 * connection) must not leave a dangling pointer in the list. */
static void
pub_protocol_dispose (GObject *object)
{
  pub_protocol_unlist (PUB_PROTOCOL (object));
  G_OBJECT_CLASS (pub_protocol_parent_class)->dispose (object);
}

static void
pub_protocol_finalize (GObject *object)
{
  g_free (PUB_PROTOCOL (object)->address);
  G_OBJECT_CLASS (pub_protocol_parent_class)->finalize (object);
}

static void
pub_protocol_class_init (PubProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);
  BraidLineReceiverClass *line_class = BRAID_LINE_RECEIVER_CLASS (klass);

  object_class->dispose = pub_protocol_dispose;
  object_class->finalize = pub_protocol_finalize;
  protocol_class->connection_made = pub_protocol_connection_made;
  protocol_class->connection_lost = pub_protocol_connection_lost;
  line_class->line_received = pub_protocol_line_received;
  line_class->line_length_exceeded = pub_protocol_line_length_exceeded;
}

static void
pub_protocol_init (PubProtocol *self)
{
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (self), PUB_MAX_LINE_LENGTH);
}

/**
 * pub_protocol_get_address:
 * @self: a connected publish/subscribe protocol
 *
 * Returns: (transfer none) (nullable): the client's address, `host:port`;
 *   %NULL before the connection is made
 */
const char *
pub_protocol_get_address (PubProtocol *self)
{
  g_return_val_if_fail (PUB_IS_PROTOCOL (self), NULL);
  return self->address;
}

/**
 * pubsub_server_listen:
 * @reactor: the reactor to listen with
 * @port: the TCP port, or 0 to let the system choose one
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1:@port with a new [type@PubFactory] whose
 * connections close after %PUB_IDLE_TIMEOUT_SECONDS of silence.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by
 *   @reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
pubsub_server_listen (BraidReactor *reactor, guint16 port, GError **error)
{
  g_autoptr (PubFactory) factory = pub_factory_new ();

  pub_factory_set_idle_timeout (factory, BRAID_CLOCK (reactor), PUB_IDLE_TIMEOUT_SECONDS);
  return braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (factory), "127.0.0.1", error);
}
