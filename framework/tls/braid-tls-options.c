/* braid-tls-options.c: what a TLS connection needs to know: certificates,
 * keys, trust roots, verification, ALPN, versions. */
#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tls/braid-tls-options.h"
#include "tls/braid-tls-private.h"

/**
 * braid_tls_error_quark:
 *
 * The error domain of [error@Braid.TlsError]; use it through the
 * %BRAID_TLS_ERROR macro.
 *
 * Returns: the quark of the `BRAID_TLS_ERROR` domain
 */
G_DEFINE_QUARK (braid-tls-error-quark, braid_tls_error)

/**
 * BraidTlsOptions:
 *
 * What one side of TLS connections needs: Twisted's
 * `CertificateOptions` / `optionsForClientTLS`. One options object serves
 * any number of connections ([class@Braid.TlsFactory],
 * [class@Braid.TlsProtocol]).
 *
 * A server has a certificate chain and its private key, from PEM files:
 *
 * ```c
 * g_autoptr (BraidTlsOptions) options =
 *   braid_tls_options_new_server ("server.pem", "server-key.pem", &error);
 * ```
 *
 * More certificates added with [method@Braid.TlsOptions.add_certificate]
 * are chosen by the name the client asks for (SNI). A server asks for
 * client certificates with
 * [method@Braid.TlsOptions.set_require_client_certificate], verified
 * against the trust roots.
 *
 * A client names the host it connects to; **the server's certificate and
 * that name are verified by default**, against the system's trust roots
 * or those of [method@Braid.TlsOptions.set_trust_roots] (what Twisted's
 * `optionsForClientTLS` and `service_identity` do). The name is also sent
 * as SNI, unless it is an IP address. Turning verification off takes a
 * call whose name says what it does,
 * [method@Braid.TlsOptions.set_insecure_skip_verify]; a client certificate
 * is given with [method@Braid.TlsOptions.add_certificate].
 *
 * Both sides accept TLS 1.2 and 1.3 only (%BRAID_TLS_DEFAULT_PRIORITY);
 * [method@Braid.TlsOptions.set_priority] takes any GnuTLS priority string.
 * ALPN protocols are offered (client) or accepted in order of preference
 * (server) with [method@Braid.TlsOptions.set_alpn_protocols].
 *
 * Set the options before the first connection uses them.
 */
struct _BraidTlsOptions
{
  GObject parent_instance;

  gboolean server;
  char *hostname;                 /* client: the name verified and sent as SNI */
  gboolean send_sni;              /* client: hostname is a name, not an IP address */
  gnutls_certificate_credentials_t credentials;
  gboolean trust_set;             /* trust roots given; else the system's (client) */
  gboolean require_client_certificate;
  gboolean insecure_skip_verify;
  char **alpn;                    /* NULL-terminated, or NULL */
  gnutls_datum_t *alpn_data;      /* the same as GnuTLS takes them, for every session */
  guint n_alpn;
  char *priority;
  gnutls_priority_t priority_cache;
};

G_DEFINE_FINAL_TYPE (BraidTlsOptions, braid_tls_options, G_TYPE_OBJECT)

static void
braid_tls_options_finalize (GObject *object)
{
  BraidTlsOptions *self = BRAID_TLS_OPTIONS (object);

  g_free (self->hostname);
  gnutls_certificate_free_credentials (self->credentials);
  g_strfreev (self->alpn);
  g_free (self->alpn_data);
  g_free (self->priority);
  if (self->priority_cache != NULL)
    gnutls_priority_deinit (self->priority_cache);
  G_OBJECT_CLASS (braid_tls_options_parent_class)->finalize (object);
}

static void
braid_tls_options_class_init (BraidTlsOptionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_tls_options_finalize;
}

static void
braid_tls_options_init (BraidTlsOptions *self)
{
  int ret;

  ret = gnutls_certificate_allocate_credentials (&self->credentials);
  g_assert (ret == GNUTLS_E_SUCCESS);
  ret = gnutls_priority_init2 (&self->priority_cache, BRAID_TLS_DEFAULT_PRIORITY, NULL, 0);
  g_assert (ret == GNUTLS_E_SUCCESS);
  self->priority = g_strdup (BRAID_TLS_DEFAULT_PRIORITY);
}

/* A file's loading error, naming the file and what is wrong with it. */
static gboolean
check_readable (const char *what, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE,
                   "%s: cannot read %s: %s", what, path, local_error->message);
      return FALSE;
    }
  if (strstr (contents, "-----BEGIN ") == NULL)
    {
      g_set_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE,
                   "%s: %s is not a PEM file (no -----BEGIN line)", what, path);
      return FALSE;
    }
  return TRUE;
}

/**
 * braid_tls_options_add_certificate:
 * @self: TLS options
 * @certificate_file: a PEM file: the certificate, then the chain up to
 *   (not necessarily including) the root
 * @key_file: the certificate's private key, PEM (PKCS#1, PKCS#8 or SEC1)
 * @error: set when a file cannot be read or the key does not belong to
 *   the certificate
 *
 * Adds a certificate chain and its key. A server presents the one whose
 * names match what the client asked for (SNI), the first one otherwise; a
 * client presents its own when the server asks for one.
 *
 * Returns: %TRUE if the certificate was added
 */
gboolean
braid_tls_options_add_certificate (BraidTlsOptions *self, const char *certificate_file,
                                   const char *key_file, GError **error)
{
  int ret;

  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), FALSE);
  g_return_val_if_fail (certificate_file != NULL && key_file != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_readable ("certificate", certificate_file, error)
      || !check_readable ("private key", key_file, error))
    return FALSE;
  ret = gnutls_certificate_set_x509_key_file2 (self->credentials, certificate_file, key_file,
                                               GNUTLS_X509_FMT_PEM, NULL, 0);
  if (ret == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
    {
      g_set_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE,
                   "private key: %s is not the key of the certificate in %s",
                   key_file, certificate_file);
      return FALSE;
    }
  if (ret < 0)
    {
      g_set_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE,
                   "certificate: cannot load %s with the key %s: %s",
                   certificate_file, key_file, gnutls_strerror (ret));
      return FALSE;
    }
  return TRUE;
}

/**
 * braid_tls_options_new_server:
 * @certificate_file: the server's certificate chain, PEM (the server's
 *   certificate first)
 * @key_file: its private key, PEM
 * @error: set when a file cannot be read or the key does not fit
 *
 * Makes the options of a TLS server (Twisted's `certKey=` and
 * `privateKey=`).
 *
 * Returns: (transfer full) (nullable): the options, or %NULL with @error set
 */
BraidTlsOptions *
braid_tls_options_new_server (const char *certificate_file, const char *key_file, GError **error)
{
  g_autoptr (BraidTlsOptions) self = NULL;

  g_return_val_if_fail (certificate_file != NULL && key_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (BRAID_TYPE_TLS_OPTIONS, NULL);
  self->server = TRUE;
  if (!braid_tls_options_add_certificate (self, certificate_file, key_file, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * braid_tls_options_new_client:
 * @hostname: the name (or IP address) the server's certificate must carry
 *
 * Makes the options of a TLS client that verifies the server's
 * certificate, against the system's trust roots unless
 * [method@Braid.TlsOptions.set_trust_roots] says otherwise, and checks
 * that it was issued for @hostname. @hostname is sent as SNI unless it is
 * an IP address.
 *
 * Returns: (transfer full): the options
 */
BraidTlsOptions *
braid_tls_options_new_client (const char *hostname)
{
  g_autoptr (GInetAddress) address = NULL;
  BraidTlsOptions *self;

  g_return_val_if_fail (hostname != NULL && *hostname != '\0', NULL);

  self = g_object_new (BRAID_TYPE_TLS_OPTIONS, NULL);
  self->hostname = g_strdup (hostname);
  address = g_inet_address_new_from_string (hostname);
  self->send_sni = address == NULL;
  return self;
}

/**
 * braid_tls_options_is_server:
 * @self: TLS options
 *
 * Tells which side the options are for.
 *
 * Returns: %TRUE for a server's options, %FALSE for a client's
 */
gboolean
braid_tls_options_is_server (BraidTlsOptions *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), FALSE);
  return self->server;
}

/**
 * braid_tls_options_get_hostname:
 * @self: TLS options
 *
 * Gets the name a client verifies and sends as SNI.
 *
 * Returns: (nullable): the hostname, %NULL for a server
 */
const char *
braid_tls_options_get_hostname (BraidTlsOptions *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), NULL);
  return self->hostname;
}

/**
 * braid_tls_options_set_trust_roots:
 * @self: TLS options
 * @ca_file: a PEM file of one or more CA certificates
 * @error: set when the file cannot be read or holds no certificate
 *
 * Trusts the CAs of @ca_file, instead of the system's, to sign the peer's
 * certificate (Twisted's `trustRoots=`). A client verifies the server
 * with them; a server that requires client certificates verifies those.
 * May be called more than once: every CA given is trusted.
 *
 * Returns: %TRUE if at least one CA was added
 */
gboolean
braid_tls_options_set_trust_roots (BraidTlsOptions *self, const char *ca_file, GError **error)
{
  int ret;

  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), FALSE);
  g_return_val_if_fail (ca_file != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_readable ("trust roots", ca_file, error))
    return FALSE;
  ret = gnutls_certificate_set_x509_trust_file (self->credentials, ca_file, GNUTLS_X509_FMT_PEM);
  if (ret <= 0)
    {
      g_set_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE,
                   "trust roots: %s holds no CA certificate%s%s", ca_file,
                   ret < 0 ? ": " : "", ret < 0 ? gnutls_strerror (ret) : "");
      return FALSE;
    }
  self->trust_set = TRUE;
  return TRUE;
}

/**
 * braid_tls_options_set_require_client_certificate:
 * @self: a server's TLS options
 * @require: whether a client must present a certificate
 *
 * Makes a server require a certificate of each client, signed by one of
 * the trust roots ([method@Braid.TlsOptions.set_trust_roots]): a client
 * without one, or with one no trusted CA signed, fails the handshake.
 */
void
braid_tls_options_set_require_client_certificate (BraidTlsOptions *self, gboolean require)
{
  g_return_if_fail (BRAID_IS_TLS_OPTIONS (self));
  g_return_if_fail (self->server);
  self->require_client_certificate = require;
}

/**
 * braid_tls_options_set_insecure_skip_verify:
 * @self: a client's TLS options
 * @skip: %TRUE to accept any certificate for any name
 *
 * **Insecure**: makes a client accept whatever certificate the server
 * presents, expired, self-signed or issued for another name, so that
 * anyone on the path can read and change the traffic. For tests against
 * a throw-away certificate only; prefer giving the test CA with
 * [method@Braid.TlsOptions.set_trust_roots]. A warning is logged for each
 * connection made this way.
 */
void
braid_tls_options_set_insecure_skip_verify (BraidTlsOptions *self, gboolean skip)
{
  g_return_if_fail (BRAID_IS_TLS_OPTIONS (self));
  self->insecure_skip_verify = skip;
}

/**
 * braid_tls_options_get_insecure_skip_verify:
 * @self: TLS options
 *
 * Tells whether verification was turned off.
 *
 * Returns: %TRUE if [method@Braid.TlsOptions.set_insecure_skip_verify] turned it off
 */
gboolean
braid_tls_options_get_insecure_skip_verify (BraidTlsOptions *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), FALSE);
  return self->insecure_skip_verify;
}

/**
 * braid_tls_options_set_alpn_protocols:
 * @self: TLS options
 * @protocols: (array zero-terminated=1) (nullable): protocol names
 *   (`"h2"`, `"http/1.1"`), most preferred first; %NULL for none
 *
 * Sets the ALPN protocols a client offers or a server accepts. The one
 * chosen is [method@Braid.TlsProtocol.get_negotiated_protocol]; a peer
 * that offers only protocols a server does not accept fails the
 * handshake (RFC 7301).
 */
void
braid_tls_options_set_alpn_protocols (BraidTlsOptions *self, const char * const *protocols)
{
  g_return_if_fail (BRAID_IS_TLS_OPTIONS (self));
  g_strfreev (self->alpn);
  g_clear_pointer (&self->alpn_data, g_free);
  self->alpn = protocols != NULL && protocols[0] != NULL ? g_strdupv ((char **) protocols) : NULL;
  self->n_alpn = self->alpn != NULL ? g_strv_length (self->alpn) : 0;
  if (self->alpn != NULL)
    self->alpn_data = g_new (gnutls_datum_t, self->n_alpn);
  for (guint i = 0; i < self->n_alpn; i++)
    {
      self->alpn_data[i].data = (unsigned char *) self->alpn[i];
      self->alpn_data[i].size = strlen (self->alpn[i]);
    }
}

/**
 * braid_tls_options_get_alpn_protocols:
 * @self: TLS options
 *
 * Gets the ALPN protocols set on @self.
 *
 * Returns: (array zero-terminated=1) (nullable) (transfer none): the
 *   protocols, or %NULL
 */
const char * const *
braid_tls_options_get_alpn_protocols (BraidTlsOptions *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), NULL);
  return (const char * const *) self->alpn;
}

/**
 * braid_tls_options_set_priority:
 * @self: TLS options
 * @priority: a GnuTLS priority string, such as
 *   `"NORMAL:-VERS-ALL:+VERS-TLS1.3"` (TLS 1.3 only)
 * @error: set when GnuTLS does not understand @priority
 *
 * Sets the versions, ciphers and groups allowed, as a GnuTLS priority
 * string (gnutls_priority_init(3)). The default is
 * %BRAID_TLS_DEFAULT_PRIORITY.
 *
 * Returns: %TRUE if @priority was accepted
 */
gboolean
braid_tls_options_set_priority (BraidTlsOptions *self, const char *priority, GError **error)
{
  gnutls_priority_t cache;
  const char *where = NULL;
  int ret;

  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), FALSE);
  g_return_val_if_fail (priority != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ret = gnutls_priority_init2 (&cache, priority, &where, 0);
  if (ret < 0)
    {
      g_set_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED,
                   "priority: '%s' is not a GnuTLS priority string (at '%s'): %s",
                   priority, where != NULL ? where : "", gnutls_strerror (ret));
      return FALSE;
    }
  gnutls_priority_deinit (self->priority_cache);
  self->priority_cache = cache;
  g_free (self->priority);
  self->priority = g_strdup (priority);
  return TRUE;
}

/**
 * braid_tls_options_get_priority:
 * @self: TLS options
 *
 * Gets the GnuTLS priority string in use.
 *
 * Returns: the priority string
 */
const char *
braid_tls_options_get_priority (BraidTlsOptions *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (self), NULL);
  return self->priority;
}

/* A GnuTLS error as a GError: what failed, and GnuTLS's words. */
GError *
braid_tls_error_from_gnutls (int code, const char *what)
{
  return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED, "%s: %s", what,
                      gnutls_strerror (code));
}

/* A session configured from @self, for one connection. */
gnutls_session_t
braid_tls_options_new_session (BraidTlsOptions *self, GError **error)
{
  gnutls_session_t session = NULL;
  int ret;

  if (!self->server && !self->trust_set && !self->insecure_skip_verify)
    {
      /* The client's default: the system's trust roots, loaded once. */
      ret = gnutls_certificate_set_x509_system_trust (self->credentials);
      if (ret < 0)
        {
          g_propagate_error (error, braid_tls_error_from_gnutls (ret, "cannot load the system's trust roots"));
          return NULL;
        }
      self->trust_set = TRUE;
    }
  ret = gnutls_init (&session, (self->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK);
  if (ret < 0)
    {
      g_propagate_error (error, braid_tls_error_from_gnutls (ret, "cannot start a TLS session"));
      return NULL;
    }
  gnutls_priority_set (session, self->priority_cache);
  gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, self->credentials);
  /* A server refuses a client whose offers it supports none of, with
   * no_application_protocol (RFC 7301); one that offers none is served. */
  if (self->alpn != NULL)
    gnutls_alpn_set_protocols (session, self->alpn_data, self->n_alpn,
                               self->server ? GNUTLS_ALPN_SERVER_PRECEDENCE | GNUTLS_ALPN_MANDATORY : 0);
  if (self->server)
    {
      if (self->require_client_certificate)
        {
          gnutls_certificate_server_set_request (session, GNUTLS_CERT_REQUIRE);
          gnutls_session_set_verify_cert (session, NULL, 0);
        }
    }
  else
    {
      if (self->send_sni)
        gnutls_server_name_set (session, GNUTLS_NAME_DNS, self->hostname, strlen (self->hostname));
      if (!self->insecure_skip_verify)
        gnutls_session_set_verify_cert (session, self->hostname, 0);
    }
  return session;
}
