/* braid-factory.c: makes one protocol per connection, and outlives them. */
#include "config.h"

#include "core/braid-factory.h"
#include "core/braid-protocol.h"
#include "time/braid-clock.h"

/**
 * BraidFactory:
 *
 * Makes a [class@Braid.Protocol] for each connection: Twisted's `Factory`.
 *
 * A protocol lives as long as one connection; a factory lives as long as
 * the server or client that uses it. State shared by every connection (a
 * count of clients, the users of a chat room, a configuration) belongs in
 * the factory; each protocol reaches it with
 * [method@Braid.Protocol.get_factory].
 *
 * The simplest factory just names the protocol type to build:
 *
 * ```c
 * g_autoptr (BraidFactory) factory = braid_factory_new (echo_protocol_get_type ());
 * ```
 *
 * Subclass it to hold shared state or to override `build_protocol`
 * (returning %NULL from it refuses a connection).
 *
 * A factory can listen on several ports at once. `start_factory` runs when
 * the first port or connector starts using it, `stop_factory` when the last
 * one stops: open and close shared resources there (Twisted's
 * `doStart`/`doStop`).
 *
 * A factory can also carry the [iface@Braid.Clock] its protocols use for
 * timers and timeouts ([property@Braid.Factory:clock]): the reactor in a
 * program, a [class@Braid.FakeClock] in a test. A protocol reaches it with
 * [method@Braid.Protocol.get_clock], so it needs no factory subclass just
 * to carry a clock:
 *
 * ```c
 * g_autoptr (BraidFactory) factory = braid_factory_new (chat_protocol_get_type ());
 * braid_factory_set_clock (factory, BRAID_CLOCK (reactor));
 * ```
 */

typedef struct
{
  GType protocol_type;
  guint num_users;
  BraidClock *clock;   /* weak: NULL once the clock is gone */
} BraidFactoryPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidFactory, braid_factory, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROTOCOL_TYPE,
  PROP_CLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Whether @self is the kind of factory @protocol_type declared it needs
 * (braid_protocol_class_set_factory_type); if not, says so, naming both
 * types and what to do, in a g_critical that begins with @doing. */
static gboolean
factory_fits_protocol (BraidFactory *self, GType protocol_type, const char *doing)
{
  BraidProtocolClass *klass = g_type_class_ref (protocol_type);
  GType needed = braid_protocol_class_get_factory_type (klass);
  gboolean fits = G_TYPE_CHECK_INSTANCE_TYPE (self, needed);

  g_type_class_unref (klass);
  if (!fits)
    g_critical ("%s: a %s needs a %s as its factory (braid_protocol_class_set_factory_type), "
                "not a %s: create the factory as a %s, not with braid_factory_new (%s)",
                doing, g_type_name (protocol_type), g_type_name (needed),
                G_OBJECT_TYPE_NAME (self), g_type_name (needed), g_type_name (protocol_type));
  return fits;
}

static BraidProtocol *
braid_factory_real_build_protocol (BraidFactory *self, GSocketAddress *addr)
{
  BraidFactoryPrivate *priv = braid_factory_get_instance_private (self);
  BraidProtocol *protocol;

  if (priv->protocol_type == G_TYPE_NONE)
    {
      g_critical ("%s has no protocol type: pass one to braid_factory_new() "
                  "or override build_protocol", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  if (!factory_fits_protocol (self, priv->protocol_type, "braid_factory_build_protocol"))
    return NULL;   /* refused: the connection is closed */
  protocol = g_object_new (priv->protocol_type, NULL);
  braid_protocol_set_factory (protocol, self);
  return protocol;
}

static void
braid_factory_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BraidFactoryPrivate *priv =
    braid_factory_get_instance_private (BRAID_FACTORY (object));

  switch (prop_id)
    {
    case PROP_PROTOCOL_TYPE:
      priv->protocol_type = g_value_get_gtype (value);
      /* Said once here, where the factory is made; build_protocol refuses. */
      if (g_type_is_a (priv->protocol_type, BRAID_TYPE_PROTOCOL))
        factory_fits_protocol (BRAID_FACTORY (object), priv->protocol_type,
                               "creating the factory");
      break;
    case PROP_CLOCK:
      braid_factory_set_clock (BRAID_FACTORY (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_factory_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BraidFactoryPrivate *priv =
    braid_factory_get_instance_private (BRAID_FACTORY (object));

  switch (prop_id)
    {
    case PROP_PROTOCOL_TYPE:
      g_value_set_gtype (value, priv->protocol_type);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, priv->clock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
braid_factory_dispose (GObject *object)
{
  braid_factory_set_clock (BRAID_FACTORY (object), NULL);
  G_OBJECT_CLASS (braid_factory_parent_class)->dispose (object);
}

static void
braid_factory_class_init (BraidFactoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = braid_factory_dispose;
  object_class->set_property = braid_factory_set_property;
  object_class->get_property = braid_factory_get_property;
  klass->build_protocol = braid_factory_real_build_protocol;

  /**
   * BraidFactory:protocol-type:
   *
   * The [class@Braid.Protocol] subclass the default `build_protocol`
   * instantiates, or `G_TYPE_NONE` when a subclass builds protocols itself.
   */
  properties[PROP_PROTOCOL_TYPE] =
    g_param_spec_gtype ("protocol-type", NULL, NULL,
                        G_TYPE_NONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BraidFactory:clock:
   *
   * The clock the factory's protocols use for timers and timeouts (see
   * [method@Braid.Protocol.get_clock]), or %NULL. The factory does not keep
   * it alive: a reactor, the usual clock, keeps the factories of its ports,
   * so a reference back would be a cycle. It reads %NULL once the clock is
   * gone.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         BRAID_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
braid_factory_init (BraidFactory *self)
{
  BraidFactoryPrivate *priv = braid_factory_get_instance_private (self);

  priv->protocol_type = G_TYPE_NONE;
}

/**
 * braid_factory_new:
 * @protocol_type: a subclass of [class@Braid.Protocol]
 *
 * Creates a factory that builds one @protocol_type object per connection.
 *
 * Returns: (transfer full): the new factory
 */
BraidFactory *
braid_factory_new (GType protocol_type)
{
  g_return_val_if_fail (g_type_is_a (protocol_type, BRAID_TYPE_PROTOCOL), NULL);

  return g_object_new (BRAID_TYPE_FACTORY, "protocol-type", protocol_type, NULL);
}

/**
 * braid_factory_build_protocol: (virtual build_protocol)
 * @self: a factory
 * @addr: (nullable): the address of the peer
 *
 * Makes the protocol for a new connection. The reactor calls it for every
 * accepted or established connection; a test calls it to get a protocol.
 *
 * Returns: (transfer full) (nullable): a new protocol, or %NULL to refuse
 *   the connection
 */
BraidProtocol *
braid_factory_build_protocol (BraidFactory *self, GSocketAddress *addr)
{
  BraidProtocol *protocol;

  g_return_val_if_fail (BRAID_IS_FACTORY (self), NULL);
  g_return_val_if_fail (addr == NULL || G_IS_SOCKET_ADDRESS (addr), NULL);

  protocol = BRAID_FACTORY_GET_CLASS (self)->build_protocol (self, addr);
  if (protocol != NULL && braid_protocol_get_factory (protocol) == NULL)
    braid_protocol_set_factory (protocol, self);
  return protocol;
}

/**
 * braid_factory_get_protocol_type:
 * @self: a factory
 *
 * Tells which protocol type the default `build_protocol` instantiates.
 *
 * Returns: the [property@Braid.Factory:protocol-type]
 */
GType
braid_factory_get_protocol_type (BraidFactory *self)
{
  BraidFactoryPrivate *priv;

  g_return_val_if_fail (BRAID_IS_FACTORY (self), G_TYPE_NONE);
  priv = braid_factory_get_instance_private (self);
  return priv->protocol_type;
}

/**
 * braid_factory_set_clock:
 * @self: a factory
 * @clock: (nullable): the clock its protocols should use
 *
 * Sets the [property@Braid.Factory:clock]: the reactor in a program, a
 * [class@Braid.FakeClock] in a test.
 */
void
braid_factory_set_clock (BraidFactory *self, BraidClock *clock)
{
  BraidFactoryPrivate *priv;

  g_return_if_fail (BRAID_IS_FACTORY (self));
  g_return_if_fail (clock == NULL || BRAID_IS_CLOCK (clock));
  priv = braid_factory_get_instance_private (self);
  if (priv->clock == clock)
    return;
  if (priv->clock != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->clock), (gpointer *) &priv->clock);
  priv->clock = clock;
  if (clock != NULL)
    g_object_add_weak_pointer (G_OBJECT (clock), (gpointer *) &priv->clock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOCK]);
}

/**
 * braid_factory_get_clock:
 * @self: a factory
 *
 * Gets the [property@Braid.Factory:clock].
 *
 * Returns: (transfer none) (nullable): the clock, or %NULL if none was set
 *   or it is gone
 */
BraidClock *
braid_factory_get_clock (BraidFactory *self)
{
  BraidFactoryPrivate *priv;

  g_return_val_if_fail (BRAID_IS_FACTORY (self), NULL);
  priv = braid_factory_get_instance_private (self);
  return priv->clock;
}

/**
 * braid_factory_do_start:
 * @self: a factory
 *
 * Counts one more user (a port or connector); the first one runs
 * `start_factory`. Reactors call this; call it yourself only when driving
 * a factory by hand.
 */
void
braid_factory_do_start (BraidFactory *self)
{
  BraidFactoryPrivate *priv;
  BraidFactoryClass *klass;

  g_return_if_fail (BRAID_IS_FACTORY (self));
  priv = braid_factory_get_instance_private (self);
  klass = BRAID_FACTORY_GET_CLASS (self);
  if (priv->num_users++ == 0 && klass->start_factory != NULL)
    klass->start_factory (self);
}

/**
 * braid_factory_do_stop:
 * @self: a factory
 *
 * Counts one user less; the last one runs `stop_factory`. Calling it more
 * often than [method@Braid.Factory.do_start] is a programming error.
 */
void
braid_factory_do_stop (BraidFactory *self)
{
  BraidFactoryPrivate *priv;
  BraidFactoryClass *klass;

  g_return_if_fail (BRAID_IS_FACTORY (self));
  priv = braid_factory_get_instance_private (self);
  g_return_if_fail (priv->num_users > 0);
  klass = BRAID_FACTORY_GET_CLASS (self);
  if (--priv->num_users == 0 && klass->stop_factory != NULL)
    klass->stop_factory (self);
}

/**
 * braid_factory_get_num_users:
 * @self: a factory
 *
 * Tells how many ports and connectors have started @self and not yet stopped
 * it (the count behind `start_factory` and `stop_factory`).
 *
 * Returns: how many ports and connectors use @self now
 */
guint
braid_factory_get_num_users (BraidFactory *self)
{
  BraidFactoryPrivate *priv;

  g_return_val_if_fail (BRAID_IS_FACTORY (self), 0);
  priv = braid_factory_get_instance_private (self);
  return priv->num_users;
}
