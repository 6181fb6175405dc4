/* braid-tls-factory.c: a factory that wraps every protocol of another in
 * TLS -- Twisted's TLSMemoryBIOFactory. */
#include "config.h"

#include "core/braid-client-factory.h"
#include "core/braid-factory.h"
#include "core/braid-protocol.h"
#include "tls/braid-tls-factory.h"
#include "tls/braid-tls-protocol.h"

/**
 * BraidTlsFactory:
 *
 * Wraps another factory so that each of its protocols talks TLS
 * (Twisted's `TLSMemoryBIOFactory`): give it to a port to make a TLS
 * server, to a connector to make a TLS client, with the matching
 * [class@Braid.TlsOptions].
 *
 * ```c
 * g_autoptr (BraidTlsOptions) options =
 *   braid_tls_options_new_server ("server.pem", "server-key.pem", &error);
 * g_autoptr (BraidTlsFactory) tls = braid_tls_factory_new (options, echo_factory);
 * braid_reactor_listen_tcp (reactor, 8443, BRAID_FACTORY (tls), NULL, &error);
 * ```
 *
 * Each protocol it builds is a [class@Braid.TlsProtocol] around the one
 * the wrapped factory builds (a %NULL from it refuses the connection).
 * Starting and stopping, and a client factory's connection events, are
 * passed on to the wrapped factory; it carries the wrapped factory's clock.
 * `tls:` endpoints ([class@Braid.ServerEndpoint]) use it.
 */
struct _BraidTlsFactory
{
  BraidClientFactory parent_instance;

  BraidTlsOptions *options;
  BraidFactory *wrapped;
};

G_DEFINE_FINAL_TYPE (BraidTlsFactory, braid_tls_factory, BRAID_TYPE_CLIENT_FACTORY)

static BraidProtocol *
braid_tls_factory_build_protocol (BraidFactory *factory, GSocketAddress *addr)
{
  BraidTlsFactory *self = BRAID_TLS_FACTORY (factory);
  g_autoptr (BraidProtocol) inner = braid_factory_build_protocol (self->wrapped, addr);
  BraidTlsProtocol *protocol;

  if (inner == NULL)
    return NULL;
  protocol = braid_tls_protocol_new (self->options, inner);
  braid_protocol_set_factory (BRAID_PROTOCOL (protocol), factory);
  return BRAID_PROTOCOL (protocol);
}

static void
braid_tls_factory_start_factory (BraidFactory *factory)
{
  braid_factory_do_start (BRAID_TLS_FACTORY (factory)->wrapped);
}

static void
braid_tls_factory_stop_factory (BraidFactory *factory)
{
  braid_factory_do_stop (BRAID_TLS_FACTORY (factory)->wrapped);
}

static void
braid_tls_factory_started_connecting (BraidClientFactory *factory, BraidConnector *connector)
{
  BraidFactory *wrapped = BRAID_TLS_FACTORY (factory)->wrapped;

  if (BRAID_IS_CLIENT_FACTORY (wrapped))
    braid_client_factory_started_connecting (BRAID_CLIENT_FACTORY (wrapped), connector);
}

static void
braid_tls_factory_client_connection_failed (BraidClientFactory *factory, BraidConnector *connector,
                                            const GError *reason)
{
  BraidFactory *wrapped = BRAID_TLS_FACTORY (factory)->wrapped;

  if (BRAID_IS_CLIENT_FACTORY (wrapped))
    braid_client_factory_client_connection_failed (BRAID_CLIENT_FACTORY (wrapped), connector, reason);
}

static void
braid_tls_factory_client_connection_lost (BraidClientFactory *factory, BraidConnector *connector,
                                          const GError *reason)
{
  BraidFactory *wrapped = BRAID_TLS_FACTORY (factory)->wrapped;

  if (BRAID_IS_CLIENT_FACTORY (wrapped))
    braid_client_factory_client_connection_lost (BRAID_CLIENT_FACTORY (wrapped), connector, reason);
}

static void
braid_tls_factory_finalize (GObject *object)
{
  BraidTlsFactory *self = BRAID_TLS_FACTORY (object);

  /* Both set by braid_tls_factory_new, the only constructor. */
  g_object_unref (self->options);
  g_object_unref (self->wrapped);
  G_OBJECT_CLASS (braid_tls_factory_parent_class)->finalize (object);
}

static void
braid_tls_factory_class_init (BraidTlsFactoryClass *klass)
{
  BraidFactoryClass *factory_class = BRAID_FACTORY_CLASS (klass);
  BraidClientFactoryClass *client_class = BRAID_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = braid_tls_factory_finalize;
  factory_class->build_protocol = braid_tls_factory_build_protocol;
  factory_class->start_factory = braid_tls_factory_start_factory;
  factory_class->stop_factory = braid_tls_factory_stop_factory;
  client_class->started_connecting = braid_tls_factory_started_connecting;
  client_class->client_connection_failed = braid_tls_factory_client_connection_failed;
  client_class->client_connection_lost = braid_tls_factory_client_connection_lost;
}

static void
braid_tls_factory_init (BraidTlsFactory *self)
{
}

/**
 * braid_tls_factory_new:
 * @options: a server's or a client's TLS options
 * @wrapped: the factory whose protocols talk inside the TLS (a
 *   [class@Braid.ClientFactory] for a client, to hear of failed and lost
 *   connections)
 *
 * Makes a factory that wraps each protocol of @wrapped in TLS.
 *
 * Returns: (transfer full): the factory
 */
BraidTlsFactory *
braid_tls_factory_new (BraidTlsOptions *options, BraidFactory *wrapped)
{
  BraidTlsFactory *self;

  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (options), NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (wrapped), NULL);

  self = g_object_new (BRAID_TYPE_TLS_FACTORY, NULL);
  self->options = g_object_ref (options);
  self->wrapped = g_object_ref (wrapped);
  braid_factory_set_clock (BRAID_FACTORY (self), braid_factory_get_clock (wrapped));
  return self;
}

/**
 * braid_tls_factory_get_wrapped_factory:
 * @self: a TLS factory
 *
 * Gets the factory whose protocols are wrapped.
 *
 * Returns: (transfer none): the wrapped factory
 */
BraidFactory *
braid_tls_factory_get_wrapped_factory (BraidTlsFactory *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_FACTORY (self), NULL);
  return self->wrapped;
}

/**
 * braid_tls_factory_get_options:
 * @self: a TLS factory
 *
 * Gets the TLS options of the connections @self makes.
 *
 * Returns: (transfer none): the options
 */
BraidTlsOptions *
braid_tls_factory_get_options (BraidTlsFactory *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_FACTORY (self), NULL);
  return self->options;
}
