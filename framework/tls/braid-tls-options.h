#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BRAID_TLS_ERROR:
 *
 * The error domain of TLS failures: [error@Braid.TlsError].
 */
#define BRAID_TLS_ERROR (braid_tls_error_quark ())

/**
 * BraidTlsError:
 * @BRAID_TLS_ERROR_FAILED: any other TLS failure; the message says which
 * @BRAID_TLS_ERROR_BAD_CERTIFICATE: a certificate or key file cannot be read,
 *   is not PEM, or the key does not belong to the certificate
 * @BRAID_TLS_ERROR_CERTIFICATE_EXPIRED: the peer's certificate has expired
 *   (or is not valid yet)
 * @BRAID_TLS_ERROR_HOSTNAME_MISMATCH: the peer's certificate is valid but
 *   for another name
 * @BRAID_TLS_ERROR_UNKNOWN_CA: the peer's certificate is signed by no
 *   authority this side trusts (self-signed, or a private CA not given)
 * @BRAID_TLS_ERROR_CERTIFICATE_INVALID: the peer's certificate is rejected
 *   for another reason (revoked, bad signature, wrong purpose, missing)
 * @BRAID_TLS_ERROR_PROTOCOL_VERSION: the two sides share no TLS version
 *   (Braid requires TLS 1.2 or later)
 * @BRAID_TLS_ERROR_NOT_TLS: the peer does not speak TLS (plain text to a
 *   TLS port)
 * @BRAID_TLS_ERROR_PEER_REJECTED: the peer ended the handshake with an
 *   alert: it refused this side's certificate or parameters
 *
 * Why a TLS handshake, or a TLS configuration, failed. A protocol behind
 * a [class@Braid.TlsProtocol] whose handshake fails gets one of these as
 * the reason of [vfunc@Braid.Protocol.connection_lost].
 */
typedef enum
{
  BRAID_TLS_ERROR_FAILED,
  BRAID_TLS_ERROR_BAD_CERTIFICATE,
  BRAID_TLS_ERROR_CERTIFICATE_EXPIRED,
  BRAID_TLS_ERROR_HOSTNAME_MISMATCH,
  BRAID_TLS_ERROR_UNKNOWN_CA,
  BRAID_TLS_ERROR_CERTIFICATE_INVALID,
  BRAID_TLS_ERROR_PROTOCOL_VERSION,
  BRAID_TLS_ERROR_NOT_TLS,
  BRAID_TLS_ERROR_PEER_REJECTED,
} BraidTlsError;

GQuark braid_tls_error_quark (void);

/**
 * BRAID_TLS_DEFAULT_PRIORITY:
 *
 * The GnuTLS priority string Braid uses unless told otherwise: GnuTLS's
 * defaults with every version before TLS 1.2 removed.
 */
#define BRAID_TLS_DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

#define BRAID_TYPE_TLS_OPTIONS (braid_tls_options_get_type ())
G_DECLARE_FINAL_TYPE (BraidTlsOptions, braid_tls_options, BRAID, TLS_OPTIONS, GObject)

BraidTlsOptions *braid_tls_options_new_server                (const char       *certificate_file,
                                                              const char       *key_file,
                                                              GError          **error);
BraidTlsOptions *braid_tls_options_new_client                (const char       *hostname);
gboolean         braid_tls_options_is_server                 (BraidTlsOptions  *self);
const char      *braid_tls_options_get_hostname              (BraidTlsOptions  *self);
gboolean         braid_tls_options_add_certificate           (BraidTlsOptions  *self,
                                                              const char       *certificate_file,
                                                              const char       *key_file,
                                                              GError          **error);
gboolean         braid_tls_options_set_trust_roots           (BraidTlsOptions  *self,
                                                              const char       *ca_file,
                                                              GError          **error);
void             braid_tls_options_set_require_client_certificate (BraidTlsOptions *self,
                                                              gboolean          require);
void             braid_tls_options_set_insecure_skip_verify  (BraidTlsOptions  *self,
                                                              gboolean          skip);
gboolean         braid_tls_options_get_insecure_skip_verify  (BraidTlsOptions  *self);
void             braid_tls_options_set_alpn_protocols        (BraidTlsOptions  *self,
                                                              const char * const *protocols);
const char * const *braid_tls_options_get_alpn_protocols     (BraidTlsOptions  *self);
gboolean         braid_tls_options_set_priority              (BraidTlsOptions  *self,
                                                              const char       *priority,
                                                              GError          **error);
const char      *braid_tls_options_get_priority              (BraidTlsOptions  *self);

G_END_DECLS
