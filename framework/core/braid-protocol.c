/* braid-protocol.c: the base class of every protocol. */
#include "config.h"

#include "core/braid-factory.h"
#include "core/braid-idle-timeout-private.h"
#include "core/braid-idle-timeout.h"
#include "core/braid-protocol.h"
#include "core/braid-transport.h"
#include "core/braid-type-cache-private.h"
#include "time/braid-clock.h"

/**
 * BraidProtocol:
 *
 * What a program does with one connection: Twisted's `Protocol`.
 *
 * A protocol object is created for each connection by a
 * [class@Braid.Factory] and lives as long as the connection. You write a
 * protocol by subclassing `BraidProtocol` and overriding the events you
 * care about. They come in this order:
 *
 * 1. `make_connection (transport)`: the reactor (or a test) attaches the
 *    transport; the default stores it and calls `connection_made`;
 * 2. `connection_made ()`: once; greet the peer, start timers;
 * 3. `data_received (data, len)`: any number of times, with bytes in any
 *    split: TCP is a stream, so one message may arrive in pieces and two
 *    messages in one piece (the framing protocols, such as
 *    `BraidLineReceiver`, put messages back together);
 * 4. `connection_lost (reason)`: once; @reason is never %NULL and
 *    [func@Braid.error_is_clean_close] tells a clean close from a lost one.
 *
 * A protocol is given its transport and factory; it never reaches for a
 * global reactor, so a test can hand it a `BraidStringTransport` instead
 * of a socket:
 *
 * ```c
 * static void
 * echo_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
 * {
 *   braid_transport_write (braid_protocol_get_transport (protocol), data, len);
 * }
 * ```
 *
 * The protocol holds a reference to its transport and to its factory; the
 * transport holds the protocol only while the connection is open.
 */

typedef struct
{
  BraidTransport *transport;
  BraidFactory *factory;
  gboolean connected;
  GError *close_reason;   /* set by braid_protocol_abort_with_reason() */
  BraidIdleTimeout *idle_timeout;  /* see braid-idle-timeout.c */
} BraidProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidProtocol, braid_protocol, G_TYPE_OBJECT)

static void
braid_protocol_dispose (GObject *object)
{
  BraidProtocolPrivate *priv =
    braid_protocol_get_instance_private (BRAID_PROTOCOL (object));

  braid_protocol_cancel_idle_timeout (BRAID_PROTOCOL (object));
  g_clear_object (&priv->transport);
  g_clear_object (&priv->factory);
  g_clear_error (&priv->close_reason);
  G_OBJECT_CLASS (braid_protocol_parent_class)->dispose (object);
}

static void
braid_protocol_real_make_connection (BraidProtocol *self, BraidTransport *transport)
{
  BraidProtocolPrivate *priv = braid_protocol_get_instance_private (self);

  g_set_object (&priv->transport, transport);
  priv->connected = TRUE;
  braid_protocol_connection_made (self);
}

static const char *
braid_protocol_real_log_prefix (BraidProtocol *self)
{
  return G_OBJECT_TYPE_NAME (self);
}

static void
braid_protocol_class_init (BraidProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_protocol_dispose;
  klass->make_connection = braid_protocol_real_make_connection;
  klass->log_prefix = braid_protocol_real_log_prefix;
}

/**
 * braid_protocol_get_log_prefix: (virtual log_prefix)
 * @self: a protocol
 *
 * Names @self's connection in log lines: Twisted's `logPrefix`. Braid
 * starts every line it logs about a connection (closed for bad input, for
 * idleness, or because the socket failed) with it. The default is the
 * protocol's type name; override the `log_prefix` virtual function to add
 * what tells connections apart (a user name, a session number).
 *
 * Returns: (transfer none): the prefix, owned by @self (or static); never
 *   %NULL
 */
const char *
braid_protocol_get_log_prefix (BraidProtocol *self)
{
  BraidProtocolClass *klass;
  const char *prefix;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (self), "(not a protocol)");

  klass = BRAID_PROTOCOL_GET_CLASS (self);
  prefix = klass->log_prefix != NULL ? klass->log_prefix (self) : NULL;
  return prefix != NULL ? prefix : G_OBJECT_TYPE_NAME (self);
}

static void
braid_protocol_init (BraidProtocol *self)
{
}

/**
 * braid_protocol_make_connection: (virtual make_connection)
 * @self: a protocol
 * @transport: the transport of the new connection
 *
 * Attaches @transport to @self and starts the connection: what the reactor
 * calls once a connection is set up, and what a test calls to connect a
 * protocol to a `BraidStringTransport`.
 */
void
braid_protocol_make_connection (BraidProtocol *self, BraidTransport *transport)
{
  g_return_if_fail (BRAID_IS_PROTOCOL (self));
  g_return_if_fail (BRAID_IS_TRANSPORT (transport));

  BRAID_PROTOCOL_GET_CLASS (self)->make_connection (self, transport);
}

/**
 * braid_protocol_connection_made: (virtual connection_made)
 * @self: a protocol
 *
 * Called once the connection is up.
 */
void
braid_protocol_connection_made (BraidProtocol *self)
{
  BraidProtocolClass *klass;

  g_return_if_fail (BRAID_IS_PROTOCOL (self));
  klass = BRAID_PROTOCOL_GET_CLASS (self);
  if (klass->connection_made != NULL)
    klass->connection_made (self);
}

/**
 * braid_protocol_data_received: (virtual data_received)
 * @self: a protocol
 * @data: (array length=len): the bytes that arrived
 * @len: how many
 *
 * Delivers bytes from the peer. @data belongs to the caller and is valid only
 * during the call: copy what you keep.
 */
void
braid_protocol_data_received (BraidProtocol *self, const guint8 *data, gsize len)
{
  /* The class from a cache of the classes seen, not BRAID_IS_PROTOCOL():
   * its fast path is for an instance of exactly BraidProtocol, never the
   * case, so every call of every connection asked GObject's type tree
   * (braid-type-cache.c). */
  static BraidTypeCache cache;
  BraidProtocolClass *klass = braid_type_cache_lookup (&cache, self, braid_protocol_get_type);
  BraidProtocolPrivate *priv;

  g_return_if_fail (klass != NULL || BRAID_IS_PROTOCOL (self));
  g_return_if_fail (data != NULL || len == 0);
  /* Received data is activity, whether or not the subclass says so. */
  priv = braid_protocol_get_instance_private (self);
  if (priv->idle_timeout != NULL)
    braid_idle_timeout_note_activity (priv->idle_timeout);
  if (klass->data_received != NULL)
    klass->data_received (self, data, len);
}

/**
 * braid_protocol_connection_lost: (virtual connection_lost)
 * @self: a protocol
 * @reason: why the connection ended (never %NULL)
 *
 * Called once when the connection is gone. The protocol is marked as no
 * longer connected before the vfunc runs.
 */
void
braid_protocol_connection_lost (BraidProtocol *self, const GError *reason)
{
  BraidProtocolPrivate *priv;
  BraidProtocolClass *klass;

  g_return_if_fail (BRAID_IS_PROTOCOL (self));
  g_return_if_fail (reason != NULL);

  priv = braid_protocol_get_instance_private (self);
  priv->connected = FALSE;
  /* No timer outlives its connection. */
  if (priv->idle_timeout != NULL)
    braid_idle_timeout_connection_lost (priv->idle_timeout);
  klass = BRAID_PROTOCOL_GET_CLASS (self);
  /* A protocol that closed its connection for a reason of its own (bad
   * input, an idle timeout) hears that reason, not the transport's generic
   * "aborted": the reason is what a log or a test wants to see. */
  if (priv->close_reason != NULL)
    {
      g_autoptr (GError) own_reason = g_steal_pointer (&priv->close_reason);

      if (klass->connection_lost != NULL)
        klass->connection_lost (self, own_reason);
      return;
    }
  if (klass->connection_lost != NULL)
    klass->connection_lost (self, reason);
}

/**
 * braid_protocol_abort_with_reason:
 * @self: a connected protocol
 * @reason: why @self closes its connection
 *
 * Aborts the connection (see [method@Braid.Transport.abort_connection])
 * because of @reason, and makes [vfunc@Braid.Protocol.connection_lost]
 * receive a copy of @reason instead of the transport's own "aborted"
 * reason. This is how the framing protocols close a connection that sent
 * bad input (`G_IO_ERROR_MESSAGE_TOO_LARGE`, `G_IO_ERROR_INVALID_DATA`)
 * and how [class@Braid.IdleTimeout] closes an idle one
 * (`G_IO_ERROR_TIMED_OUT`), so the protocol, its log and its tests all see
 * the real cause.
 *
 * Only the first reason counts: a second call while the first is pending
 * changes nothing. Without a transport, only the reason is recorded.
 */
void
braid_protocol_abort_with_reason (BraidProtocol *self, const GError *reason)
{
  BraidProtocolPrivate *priv;

  g_return_if_fail (BRAID_IS_PROTOCOL (self));
  g_return_if_fail (reason != NULL);

  priv = braid_protocol_get_instance_private (self);
  if (priv->close_reason != NULL)
    return;
  priv->close_reason = g_error_copy (reason);
  if (priv->transport != NULL)
    braid_transport_abort_connection (priv->transport);
}

/**
 * braid_protocol_read_connection_lost: (virtual read_connection_lost)
 * @self: a protocol that supports half-close
 *
 * Tells @self that the peer will send nothing more; @self may still write.
 */
void
braid_protocol_read_connection_lost (BraidProtocol *self)
{
  BraidProtocolClass *klass;

  g_return_if_fail (BRAID_IS_PROTOCOL (self));
  klass = BRAID_PROTOCOL_GET_CLASS (self);
  if (klass->read_connection_lost != NULL)
    klass->read_connection_lost (self);
}

/**
 * braid_protocol_supports_half_close:
 * @self: a protocol
 *
 * Tells whether @self can receive a half-close from its peer.
 *
 * Returns: %TRUE if @self's class handles `read_connection_lost`; a
 *   transport closes the whole connection on a peer's half-close otherwise
 */
gboolean
braid_protocol_supports_half_close (BraidProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_PROTOCOL (self), FALSE);
  return BRAID_PROTOCOL_GET_CLASS (self)->read_connection_lost != NULL;
}

/**
 * braid_protocol_get_transport:
 * @self: a protocol
 *
 * Gets the transport @self writes to.
 *
 * Returns: (transfer none) (nullable): the transport, once
 *   `make_connection` has run; it stays set after the connection is lost
 *   (writing to a closed transport does nothing)
 */
BraidTransport *
braid_protocol_get_transport (BraidProtocol *self)
{
  BraidProtocolPrivate *priv;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (self), NULL);
  priv = braid_protocol_get_instance_private (self);
  return priv->transport;
}

/**
 * braid_protocol_get_factory:
 * @self: a protocol
 *
 * Gets the factory that built @self, where protocols keep state shared by
 * every connection.
 *
 * Returns: (transfer none) (nullable): the factory that built @self
 */
BraidFactory *
braid_protocol_get_factory (BraidProtocol *self)
{
  BraidProtocolPrivate *priv;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (self), NULL);
  priv = braid_protocol_get_instance_private (self);
  return priv->factory;
}

/**
 * braid_protocol_set_factory:
 * @self: a protocol
 * @factory: (nullable): the factory that built @self
 *
 * Records the factory; [method@Braid.Factory.build_protocol] does it for
 * you. The protocol keeps a reference.
 */
void
braid_protocol_set_factory (BraidProtocol *self, BraidFactory *factory)
{
  BraidProtocolPrivate *priv;

  g_return_if_fail (BRAID_IS_PROTOCOL (self));
  g_return_if_fail (factory == NULL || BRAID_IS_FACTORY (factory));
  priv = braid_protocol_get_instance_private (self);
  g_set_object (&priv->factory, factory);
}

/**
 * braid_protocol_get_clock:
 * @self: a protocol
 *
 * Gets the clock of the factory that built @self
 * ([property@Braid.Factory:clock]): what the protocol schedules its timers
 * and timeouts on, for instance
 * `braid_protocol_set_idle_timeout (self, braid_protocol_get_clock (self), 30)`.
 * Twisted protocols reach for the global reactor instead; a clock handed
 * down by the factory lets a test swap in a [class@Braid.FakeClock].
 *
 * Returns: (transfer none) (nullable): the factory's clock, or %NULL if
 *   the protocol has no factory or its factory no clock
 */
BraidClock *
braid_protocol_get_clock (BraidProtocol *self)
{
  BraidFactory *factory;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (self), NULL);
  factory = braid_protocol_get_factory (self);
  return factory != NULL ? braid_factory_get_clock (factory) : NULL;
}

/* The factory type a protocol class declared, stored on its GType. */
static GQuark
factory_type_quark (void)
{
  return g_quark_from_static_string ("braid-protocol-factory-type");
}

/**
 * braid_protocol_class_set_factory_type:
 * @klass: a protocol class, in its `class_init`
 * @factory_type: the [class@Braid.Factory] subclass its protocols need
 *
 * Declares that the protocols of @klass (and of its subclasses) must be
 * built by a factory of @factory_type, because they cast what
 * [method@Braid.Protocol.get_factory] returns to it (to reach state that
 * every connection shares). Then a factory of another type is refused
 * with a message that names both types: when it is created for this
 * protocol type (`braid_factory_new (KV_TYPE_PROTOCOL)` instead of a
 * `KvFactory`), and again when it would build one, instead of a failed
 * cast (`invalid cast from 'BraidFactory' to 'KvFactory'`) deep inside the
 * protocol.
 *
 * Twisted has no such declaration (Python finds a missing attribute when
 * the protocol uses it); in C a wrong factory is otherwise found only by a
 * cast that fails at run time with no hint of where the factory came from.
 */
void
braid_protocol_class_set_factory_type (BraidProtocolClass *klass, GType factory_type)
{
  g_return_if_fail (BRAID_IS_PROTOCOL_CLASS (klass));
  g_return_if_fail (g_type_is_a (factory_type, BRAID_TYPE_FACTORY));

  g_type_set_qdata (G_TYPE_FROM_CLASS (klass), factory_type_quark (),
                    GSIZE_TO_POINTER (factory_type));
}

/**
 * braid_protocol_class_get_factory_type:
 * @klass: a protocol class
 *
 * Tells which factory type the protocols of @klass need, as declared with
 * braid_protocol_class_set_factory_type() by @klass or its nearest
 * ancestor.
 *
 * Returns: the factory type, or `BRAID_TYPE_FACTORY` if none was declared
 */
GType
braid_protocol_class_get_factory_type (BraidProtocolClass *klass)
{
  g_return_val_if_fail (BRAID_IS_PROTOCOL_CLASS (klass), G_TYPE_INVALID);

  for (GType type = G_TYPE_FROM_CLASS (klass); type != G_TYPE_INVALID; type = g_type_parent (type))
    {
      GType declared = GPOINTER_TO_SIZE (g_type_get_qdata (type, factory_type_quark ()));

      if (declared != 0)
        return declared;
    }
  return BRAID_TYPE_FACTORY;
}

/**
 * braid_protocol_is_connected:
 * @self: a protocol
 *
 * Tells whether @self has a live connection.
 *
 * Returns: %TRUE between `make_connection` and `connection_lost`
 */
gboolean
braid_protocol_is_connected (BraidProtocol *self)
{
  BraidProtocolPrivate *priv;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (self), FALSE);
  priv = braid_protocol_get_instance_private (self);
  return priv->connected;
}

/* The idle timeout's storage, for braid-idle-timeout.c. */
BraidIdleTimeout **
braid_protocol_get_idle_timeout_slot (BraidProtocol *protocol)
{
  BraidProtocolPrivate *priv = braid_protocol_get_instance_private (protocol);

  return &priv->idle_timeout;
}
