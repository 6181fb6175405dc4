/* braid-tls-endpoint.c: the `tls:` server and client endpoints, on top of
 * `tcp:` and tls/'s factory -- Twisted's `ssl:` / `tls:` strings. */
#include "config.h"

#include <string.h>

#include "core/braid-client-factory.h"
#include "core/braid-factory.h"
#include "tls/braid-tls-factory.h"
#include "tls/braid-tls-options.h"
#include "app/braid-app-private.h"
#include "app/braid-endpoint.h"

/* The keywords that are TLS's, taken out before the rest is read as tcp:. */
static BraidEndpointDescription *
tcp_part (const BraidEndpointDescription *description, const char * const *tls_keys,
          GHashTable *taken)
{
  BraidEndpointDescription *tcp = braid_endpoint_description_copy (description);
  const char *interface;

  for (guint i = 0; tls_keys[i] != NULL; i++)
    {
      char *key = NULL, *value = NULL;

      if (g_hash_table_steal_extended (tcp->kwargs, tls_keys[i], (gpointer *) &key, (gpointer *) &value))
        g_hash_table_insert (taken, key, value);
    }
  g_free (tcp->type);
  interface = g_hash_table_lookup (tcp->kwargs, "interface");
  tcp->type = g_strdup (interface != NULL && strchr (interface, ':') != NULL ? "tcp6" : "tcp");
  return tcp;
}

/* The tcp: part's errors name the type the user wrote: tls:. */
static void
say_tls (GError *error)
{
  const char *rest = NULL;
  char *message;

  if (error == NULL)
    return;
  if (g_str_has_prefix (error->message, "tcp: "))
    rest = error->message + strlen ("tcp: ");
  else if (g_str_has_prefix (error->message, "tcp6: "))
    rest = error->message + strlen ("tcp6: ");
  if (rest == NULL)
    return;
  message = g_strconcat ("tls: ", rest, NULL);
  g_free (error->message);
  error->message = message;
}

/* ---------------------------------------------------------------------- */

#define TLS_TYPE_SERVER_ENDPOINT (tls_server_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (TlsServerEndpoint, tls_server_endpoint, TLS, SERVER_ENDPOINT, BraidServerEndpoint)

struct _TlsServerEndpoint
{
  BraidServerEndpoint parent_instance;

  BraidServerEndpoint *tcp;
  BraidTlsOptions *options;
};

G_DEFINE_FINAL_TYPE (TlsServerEndpoint, tls_server_endpoint, BRAID_TYPE_SERVER_ENDPOINT)

static BraidListeningPort *
tls_server_endpoint_listen (BraidServerEndpoint *endpoint, BraidReactor *reactor,
                            BraidFactory *factory, GError **error)
{
  TlsServerEndpoint *self = TLS_SERVER_ENDPOINT (endpoint);
  g_autoptr (BraidTlsFactory) tls = braid_tls_factory_new (self->options, factory);

  return braid_server_endpoint_listen (self->tcp, reactor, BRAID_FACTORY (tls), error);
}

static void
tls_server_endpoint_finalize (GObject *object)
{
  TlsServerEndpoint *self = TLS_SERVER_ENDPOINT (object);

  g_clear_object (&self->tcp);
  g_clear_object (&self->options);
  G_OBJECT_CLASS (tls_server_endpoint_parent_class)->finalize (object);
}

static void
tls_server_endpoint_class_init (TlsServerEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tls_server_endpoint_finalize;
  BRAID_SERVER_ENDPOINT_CLASS (klass)->listen = tls_server_endpoint_listen;
}

static void
tls_server_endpoint_init (TlsServerEndpoint *self)
{
}

/* tls:PORT:certKey=CERT:privateKey=KEY[:interface=ADDR][:backlog=N] */
BraidServerEndpoint *
braid_tls_server_endpoint_parse (const BraidEndpointDescription *description, GError **error)
{
  static const char * const keys[] = { "certKey", "privateKey", NULL };
  g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (BraidEndpointDescription) tcp = tcp_part (description, keys, taken);
  g_autoptr (TlsServerEndpoint) self = NULL;
  const char *key = g_hash_table_lookup (taken, "privateKey");
  const char *cert = g_hash_table_lookup (taken, "certKey");

  if (key == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "privateKey: missing (tls:PORT:certKey=CERT.pem:privateKey=KEY.pem)");
      return NULL;
    }
  self = g_object_new (TLS_TYPE_SERVER_ENDPOINT, NULL);
  self->tcp = braid_server_endpoint_new_builtin (tcp, error);
  if (self->tcp == NULL)
    {
      say_tls (error != NULL ? *error : NULL);
      return NULL;
    }
  self->options = braid_tls_options_new_server (cert != NULL ? cert : key, key, error);
  if (self->options == NULL)
    return NULL;
  return BRAID_SERVER_ENDPOINT (g_steal_pointer (&self));
}

/* ---------------------------------------------------------------------- */

#define TLS_TYPE_CLIENT_ENDPOINT (tls_client_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (TlsClientEndpoint, tls_client_endpoint, TLS, CLIENT_ENDPOINT, BraidClientEndpoint)

struct _TlsClientEndpoint
{
  BraidClientEndpoint parent_instance;

  BraidClientEndpoint *tcp;
  BraidTlsOptions *options;
};

G_DEFINE_FINAL_TYPE (TlsClientEndpoint, tls_client_endpoint, BRAID_TYPE_CLIENT_ENDPOINT)

static BraidConnector *
tls_client_endpoint_connect (BraidClientEndpoint *endpoint, BraidReactor *reactor,
                             BraidClientFactory *factory, GError **error)
{
  TlsClientEndpoint *self = TLS_CLIENT_ENDPOINT (endpoint);
  g_autoptr (BraidTlsFactory) tls = braid_tls_factory_new (self->options, BRAID_FACTORY (factory));

  return braid_client_endpoint_connect (self->tcp, reactor, BRAID_CLIENT_FACTORY (tls), error);
}

static void
tls_client_endpoint_finalize (GObject *object)
{
  TlsClientEndpoint *self = TLS_CLIENT_ENDPOINT (object);

  g_clear_object (&self->tcp);
  g_clear_object (&self->options);
  G_OBJECT_CLASS (tls_client_endpoint_parent_class)->finalize (object);
}

static void
tls_client_endpoint_class_init (TlsClientEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tls_client_endpoint_finalize;
  BRAID_CLIENT_ENDPOINT_CLASS (klass)->connect = tls_client_endpoint_connect;
}

static void
tls_client_endpoint_init (TlsClientEndpoint *self)
{
}

/* tls:host=H:port=P[:trustRoots=CA][:certificate=C:privateKey=K]
 *     [:timeout=S][:bindAddress=A] */
BraidClientEndpoint *
braid_tls_client_endpoint_parse (const BraidEndpointDescription *description, GError **error)
{
  static const char * const keys[] = { "trustRoots", "certificate", "privateKey", NULL };
  g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (BraidEndpointDescription) tcp = tcp_part (description, keys, taken);
  g_autoptr (TlsClientEndpoint) self = NULL;
  const char *trust = g_hash_table_lookup (taken, "trustRoots");
  const char *cert = g_hash_table_lookup (taken, "certificate");
  const char *key = g_hash_table_lookup (taken, "privateKey");
  const char *host;

  g_free (tcp->type);
  tcp->type = g_strdup ("tcp");
  self = g_object_new (TLS_TYPE_CLIENT_ENDPOINT, NULL);
  self->tcp = braid_client_endpoint_new_builtin (tcp, error);
  if (self->tcp == NULL)
    {
      say_tls (error != NULL ? *error : NULL);
      return NULL;
    }
  host = g_hash_table_lookup (tcp->kwargs, "host");
  if (host == NULL)
    host = tcp->args[0];
  self->options = braid_tls_options_new_client (host);
  if (trust != NULL && !braid_tls_options_set_trust_roots (self->options, trust, error))
    return NULL;
  if ((cert != NULL || key != NULL)
      && !braid_tls_options_add_certificate (self->options, cert != NULL ? cert : key,
                                             key != NULL ? key : cert, error))
    return NULL;
  return BRAID_CLIENT_ENDPOINT (g_steal_pointer (&self));
}
