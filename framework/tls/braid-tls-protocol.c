/* braid-tls-protocol.c: TLS between a transport and a protocol, driven
 * through memory -- Twisted's TLSMemoryBIOProtocol. */
#include "config.h"

#include <string.h>
#include <errno.h>
#include <sys/uio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "braid-error.h"
#include "core/braid-producer.h"
#include "core/braid-protocol.h"
#include "core/braid-transport.h"
#include "tls/braid-tls-options.h"
#include "tls/braid-tls-private.h"
#include "tls/braid-tls-protocol.h"

/**
 * BraidTlsProtocol:
 *
 * TLS as a protocol wrapper: Twisted's `TLSMemoryBIOProtocol`. It is the
 * protocol of a connection (TCP, UNIX, a loopback in a test: any
 * [iface@Braid.Transport]) and the transport of the protocol it wraps, which
 * reads and writes plain text and never knows TLS is there.
 *
 * ```
 * socket <-> transport <-> BraidTlsProtocol <-> your protocol
 *            (records)      (GnuTLS)            (plain text)
 * ```
 *
 * GnuTLS never touches the socket: its push and pull functions read the
 * records the connection delivered and write records to the connection,
 * in memory, so the same code runs over every transport and is tested on
 * the fakes with no socket.
 *
 * The wrapped protocol's `make_connection` is called at once, as in
 * Twisted: what it writes before the handshake is done is kept and sent
 * encrypted once it is. Its events are then those of any connection:
 *
 * - `data_received` with the decrypted bytes;
 * - `lose_connection` sends the TLS `close_notify` (once what was written
 *   is sent) and closes the connection when the peer's `close_notify`
 *   comes back, or when the peer closes it; a `close_notify` from the peer
 *   is answered with one and the connection closed. Either way
 *   `connection_lost` gets %BRAID_ERROR_CONNECTION_DONE;
 * - a connection closed without `close_notify` after the handshake (the
 *   peer's data may be truncated) gives %BRAID_ERROR_CONNECTION_LOST;
 * - a failed handshake gives a [error@Braid.TlsError] that says why
 *   (expired certificate, hostname mismatch, unknown CA, protocol version,
 *   a peer that does not speak TLS): the alert is sent to the peer and
 *   the connection closed;
 * - pausing the wrapper (it is a [iface@Braid.Producer]) pauses the
 *   connection and stops delivering decrypted data; a producer registered
 *   on it is registered on the connection, so backpressure passes through;
 * - `abort_connection` aborts the connection at once.
 *
 * The signal [signal@Braid.TlsProtocol::handshake-done] tells when the
 * peer's identity, the ALPN protocol and the version are known.
 *
 * Differences from Twisted: half-close (`lose_write_connection`) closes
 * the whole connection, as TLS 1.2 has no half-close; renegotiation is
 * refused; `lose_connection` with a producer still registered does not
 * wait for it to unregister.
 */

struct _BraidTlsProtocol
{
  BraidProtocol parent_instance;

  BraidTlsOptions *options;
  BraidProtocol *wrapped;        /* owned while the connection is open */
  gnutls_session_t session;

  GByteArray *incoming;          /* records received and left over, from incoming_start on */
  gsize incoming_start;
  const guint8 *arriving;        /* inside data_received: its bytes, read in place */
  gsize arriving_len;
  GByteArray *early;             /* plain text written before the handshake */
  gsize bytes_seen;              /* how many bytes the peer sent: for NOT_TLS */

  char *alpn;                    /* negotiated, or NULL */
  char *server_name;             /* the SNI name asked for (server), the hostname (client) */

  BraidProducer *producer;       /* the wrapped side's, registered below */
  GError *reason;                /* why TLS ended, if it failed */
  gboolean handshake_done;
  gboolean failed;               /* the handshake or a record failed */
  gboolean disconnecting;        /* the wrapped protocol asked to close */
  gboolean sent_close_notify;
  gboolean got_close_notify;
  gboolean lost;                 /* connection_lost was delivered */
  gboolean paused;               /* the wrapped protocol paused reading */
  gboolean delivering;           /* inside deliver(): no re-entry */
};

enum { SIGNAL_HANDSHAKE_DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void braid_tls_protocol_transport_iface_init (BraidTransportInterface *iface);
static void braid_tls_protocol_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidTlsProtocol, braid_tls_protocol, BRAID_TYPE_PROTOCOL,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_tls_protocol_producer_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_tls_protocol_transport_iface_init))

static BraidTransport *
lower (BraidTlsProtocol *self)
{
  return braid_protocol_get_transport (BRAID_PROTOCOL (self));
}

/* ---------------------------------------------------------------------- */
/* GnuTLS's side: records in and out, through memory.                      */

static ssize_t
push_vectors (gnutls_transport_ptr_t user_data, const giovec_t *iov, int iovcnt)
{
  BraidTlsProtocol *self = user_data;
  /* GnuTLS pushes a record as a header and a body, a corked flight as a
   * few more: handed down eight at a time from the stack, with no
   * allocation per record. */
  GOutputVector vectors[8];
  gsize total = 0;

  for (int start = 0; start < iovcnt; start += (int) G_N_ELEMENTS (vectors))
    {
      gsize n = MIN ((gsize) (iovcnt - start), G_N_ELEMENTS (vectors));

      for (gsize i = 0; i < n; i++)
        {
          vectors[i].buffer = iov[start + i].iov_base;
          vectors[i].size = iov[start + i].iov_len;
          total += iov[start + i].iov_len;
        }
      if (lower (self) != NULL && !self->lost)
        braid_transport_write_sequence (lower (self), vectors, n);
    }
  return (ssize_t) total;
}

/* How many received bytes GnuTLS has not read yet. */
static gsize
unread (BraidTlsProtocol *self)
{
  return self->incoming->len - self->incoming_start + self->arriving_len;
}

/* GnuTLS reads what was left over first, then the chunk being received,
 * in place: the bytes are copied only if they outlive data_received. */
static ssize_t
pull (gnutls_transport_ptr_t user_data, void *data, size_t size)
{
  BraidTlsProtocol *self = user_data;
  gsize available = self->incoming->len - self->incoming_start;
  gsize n;

  if (available == 0)
    {
      n = MIN (self->arriving_len, size);
      if (n == 0)
        {
          gnutls_transport_set_errno (self->session, EAGAIN);
          return -1;
        }
      memcpy (data, self->arriving, n);
      self->arriving += n;
      self->arriving_len -= n;
      return (ssize_t) n;
    }
  n = MIN (available, size);
  memcpy (data, self->incoming->data + self->incoming_start, n);
  self->incoming_start += n;
  if (self->incoming_start == self->incoming->len)
    {
      g_byte_array_set_size (self->incoming, 0);
      self->incoming_start = 0;
    }
  return (ssize_t) n;
}

/* ---------------------------------------------------------------------- */
/* Errors a person understands.                                            */

static char *
peer_names (gnutls_session_t session)
{
  const gnutls_datum_t *chain;
  unsigned int n = 0;
  gnutls_x509_crt_t cert;
  g_autoptr (GString) names = g_string_new (NULL);

  chain = gnutls_certificate_get_peers (session, &n);
  if (chain == NULL || n == 0 || gnutls_x509_crt_init (&cert) < 0)
    return g_strdup ("(no certificate)");
  if (gnutls_x509_crt_import (cert, &chain[0], GNUTLS_X509_FMT_DER) == 0)
    for (unsigned int i = 0; ; i++)
      {
        char name[256];
        size_t size = sizeof name;
        unsigned int critical;
        int type = gnutls_x509_crt_get_subject_alt_name (cert, i, name, &size, &critical);

        if (type < 0)
          break;
        if (type == GNUTLS_SAN_DNSNAME)
          g_string_append_printf (names, "%s%s", names->len ? ", " : "", name);
        else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16))
          {
            g_autoptr (GInetAddress) address =
              g_inet_address_new_from_bytes ((guint8 *) name, size == 4 ? G_SOCKET_FAMILY_IPV4
                                                                        : G_SOCKET_FAMILY_IPV6);
            g_autofree char *text = g_inet_address_to_string (address);

            g_string_append_printf (names, "%s%s", names->len ? ", " : "", text);
          }
      }
  if (names->len == 0)
    {
      char dn[512];
      size_t size = sizeof dn;

      if (gnutls_x509_crt_get_dn (cert, dn, &size) == 0)
        g_string_append (names, dn);
    }
  gnutls_x509_crt_deinit (cert);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static char *
alert_text (gnutls_session_t session)
{
  const char *name = gnutls_alert_get_name (gnutls_alert_get (session));

  return g_strdup (name != NULL ? name : "unknown alert");
}

static GError *
verification_error (BraidTlsProtocol *self)
{
  unsigned int status = gnutls_session_get_verify_cert_status (self->session);
  gboolean server = braid_tls_options_is_server (self->options);
  const char *whose = server ? "the client's certificate" : "the server's certificate";
  g_autofree char *names = peer_names (self->session);
  gnutls_datum_t printed = { NULL, 0 };
  GError *error;

  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    error = g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_UNKNOWN_CA,
                         "TLS handshake failed: %s (for %s) is signed by an unknown certificate "
                         "authority (self-signed, or a CA that is not in the trust roots: "
                         "give it with trustRoots=)", whose, names);
  else if (status & GNUTLS_CERT_EXPIRED)
    error = g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_CERTIFICATE_EXPIRED,
                         "TLS handshake failed: %s (for %s) has expired", whose, names);
  else if (status & GNUTLS_CERT_NOT_ACTIVATED)
    error = g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_CERTIFICATE_EXPIRED,
                         "TLS handshake failed: %s (for %s) is not valid yet", whose, names);
  else if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    error = g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_HOSTNAME_MISMATCH,
                         "TLS handshake failed: hostname mismatch: %s is for %s, not for %s",
                         whose, names, braid_tls_options_get_hostname (self->options));
  else
    {
      gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &printed, 0);
      error = g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_CERTIFICATE_INVALID,
                           "TLS handshake failed: %s (for %s) is not valid: %s", whose, names,
                           printed.data != NULL ? (char *) printed.data : "rejected");
      gnutls_free (printed.data);
    }
  return error;
}

static GError *
handshake_error (BraidTlsProtocol *self, int code)
{
  switch (code)
    {
    case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
      return verification_error (self);
    case GNUTLS_E_NO_CERTIFICATE_FOUND:
    case GNUTLS_E_CERTIFICATE_REQUIRED:
      return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_CERTIFICATE_INVALID,
                          "TLS handshake failed: the %s presented no certificate, and one is required",
                          braid_tls_options_is_server (self->options) ? "client" : "server");
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
      {
        gnutls_alert_description_t alert = gnutls_alert_get (self->session);
        g_autofree char *text = alert_text (self->session);

        if (alert == GNUTLS_A_PROTOCOL_VERSION)
          return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_PROTOCOL_VERSION,
                              "TLS handshake failed: the peer refused the protocol version "
                              "(no TLS version in common; Braid requires TLS 1.2 or later): %s", text);
        return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_PEER_REJECTED,
                            "TLS handshake failed: the peer ended the handshake with the alert "
                            "'%s'%s", text,
                            alert == GNUTLS_A_UNKNOWN_CA || alert == GNUTLS_A_BAD_CERTIFICATE
                            || alert == GNUTLS_A_CERTIFICATE_EXPIRED
                            || alert == GNUTLS_A_CERTIFICATE_UNKNOWN
                            || alert == GNUTLS_A_CERTIFICATE_REQUIRED
                            ? " (it does not accept this side's certificate)"
                            : alert == GNUTLS_A_HANDSHAKE_FAILURE
                            ? " (no TLS version or cipher in common?)" : "");
      }
    case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
    case GNUTLS_E_INSUFFICIENT_SECURITY:
      return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_PROTOCOL_VERSION,
                          "TLS handshake failed: the peer offered only a protocol version this "
                          "side does not accept (Braid requires TLS 1.2 or later): %s",
                          gnutls_strerror (code));
    case GNUTLS_E_NO_CIPHER_SUITES:
      return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_PROTOCOL_VERSION,
                          "TLS handshake failed: no TLS version or cipher suite in common with "
                          "the peer (this side allows '%s')",
                          braid_tls_options_get_priority (self->options));
    case GNUTLS_E_DECRYPTION_FAILED:
      /* OpenSSL's TLS 1.3 client sends its alert under keys GnuTLS's
       * server cannot use yet (interop tests: Python's ssl). */
      return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED,
                          "TLS handshake failed: the peer's last message could not be decrypted "
                          "(an OpenSSL peer that refuses this side's certificate ends this way)");
    case GNUTLS_E_NO_APPLICATION_PROTOCOL:
      return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED,
                          "TLS handshake failed: no ALPN protocol in common with the peer");
    default:
      return g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED,
                          "TLS handshake failed: %s", gnutls_strerror (code));
    }
}

/* Ends TLS for @reason: tell the peer (an alert), close the connection;
 * the wrapped protocol hears @reason when the connection is lost. */
static void
fail (BraidTlsProtocol *self, GError *reason, int code)
{
  if (self->failed || self->lost)
    {
      g_error_free (reason);
      return;
    }
  self->failed = TRUE;
  g_message ("%s: %s", braid_protocol_get_log_prefix (self->wrapped), reason->message);
  self->reason = reason;
  if (code != 0)
    gnutls_alert_send_appropriate (self->session, code);
  braid_transport_lose_connection (lower (self));
}

/* ---------------------------------------------------------------------- */
/* Moving plain text.                                                      */

static void
send_plain (BraidTlsProtocol *self, const guint8 *data, gsize len)
{
  while (len > 0 && !self->failed && !self->lost)
    {
      ssize_t sent = gnutls_record_send (self->session, data, len);

      if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED)
        continue;   /* the push never blocks: not expected, but harmless */
      if (sent < 0)
        {
          fail (self, braid_tls_error_from_gnutls ((int) sent, "TLS write failed"), 0);
          return;
        }
      data += sent;
      len -= (gsize) sent;
    }
}

/* Both sides have said close_notify (or we said it and the peer is gone):
 * close the connection. */
static void
send_close_notify (BraidTlsProtocol *self)
{
  if (self->sent_close_notify || self->failed || self->lost)
    return;
  self->sent_close_notify = TRUE;
  gnutls_bye (self->session, GNUTLS_SHUT_WR);
  if (self->got_close_notify)
    braid_transport_lose_connection (lower (self));
}

static void
peer_sent_close_notify (BraidTlsProtocol *self)
{
  self->got_close_notify = TRUE;
  if (!self->sent_close_notify)
    send_close_notify (self);      /* answers, and closes */
  else
    braid_transport_lose_connection (lower (self));
}

/* Decrypts what has arrived and hands it to the wrapped protocol, until
 * nothing is left, the wrapped protocol pauses, or the connection ends. */
static void
deliver (BraidTlsProtocol *self)
{
  if (self->delivering)
    return;
  self->delivering = TRUE;
  g_object_ref (self);
  while (!self->paused && !self->failed && !self->lost && !self->got_close_notify)
    {
      guint8 buffer[16384];
      gsize before = unread (self);
      ssize_t n = gnutls_record_recv (self->session, buffer, sizeof buffer);

      if (n > 0)
        braid_protocol_data_received (self->wrapped, buffer, (gsize) n);
      else if (n == 0)
        peer_sent_close_notify (self);
      else if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        {
          /* GnuTLS also says "again" after a post-handshake message (a
           * TLS 1.3 session ticket) with records still unread: go on
           * while it makes progress. */
          gsize left = unread (self);

          if ((left == 0 || left == before) && gnutls_record_check_pending (self->session) == 0)
            break;
        }
      else if (n == GNUTLS_E_REHANDSHAKE)
        gnutls_alert_send (self->session, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
      else if (!gnutls_error_is_fatal ((int) n))
        continue;
      else if (n == GNUTLS_E_FATAL_ALERT_RECEIVED)
        fail (self, handshake_error (self, (int) n), (int) n);  /* TLS 1.3: the server's verdict on us */
      else
        fail (self, braid_tls_error_from_gnutls ((int) n, "TLS record failed"), (int) n);
    }
  self->delivering = FALSE;
  g_object_unref (self);
}

static void
handshake_finished (BraidTlsProtocol *self)
{
  gnutls_datum_t selected;
  g_autoptr (GByteArray) early = g_steal_pointer (&self->early);

  self->handshake_done = TRUE;
  if (gnutls_alpn_get_selected_protocol (self->session, &selected) == 0)
    self->alpn = g_strndup ((const char *) selected.data, selected.size);
  if (braid_tls_options_is_server (self->options))
    {
      char name[256];
      size_t size = sizeof name;
      unsigned int type;

      if (gnutls_server_name_get (self->session, name, &size, &type, 0) == 0
          && type == GNUTLS_NAME_DNS)
        self->server_name = g_strndup (name, size);
    }
  else if (braid_tls_options_get_insecure_skip_verify (self->options))
    g_warning ("%s: TLS certificate verification is OFF (insecure_skip_verify): "
               "anyone on the path to %s can read and change this connection",
               braid_protocol_get_log_prefix (self->wrapped),
               braid_tls_options_get_hostname (self->options));
  g_signal_emit (self, signals[SIGNAL_HANDSHAKE_DONE], 0);
  /* (Only made by a write of at least one byte.) */
  if (early != NULL)
    send_plain (self, early->data, early->len);
  if (self->disconnecting)
    send_close_notify (self);
}

/* The peer's first bytes: a TLS record starts with a content type (20 to
 * 23, 22 for a handshake) and the major version 3. */
static gboolean
looks_like_tls (BraidTlsProtocol *self, const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len && self->bytes_seen + i < 2; i++)
    {
      guint8 byte = data[i];

      if (self->bytes_seen + i == 0 && (byte < 20 || byte > 23))
        return FALSE;
      if (self->bytes_seen + i == 1 && byte != 3)
        return FALSE;
    }
  return TRUE;
}

static void
not_tls (BraidTlsProtocol *self, const guint8 *data, gsize len)
{
  g_autoptr (GString) shown = g_string_new (NULL);

  for (gsize i = 0; i < len && i < 16; i++)
    if (g_ascii_isprint (data[i]))
      g_string_append_c (shown, (char) data[i]);
    else
      g_string_append_printf (shown, "\\x%02x", data[i]);
  fail (self, g_error_new (BRAID_TLS_ERROR, BRAID_TLS_ERROR_NOT_TLS,
                           "TLS handshake failed: the peer does not speak TLS (its first bytes are "
                           "'%s': plain text to a TLS port?)", shown->str), 0);
}

static void
handshake (BraidTlsProtocol *self)
{
  int ret;

  do
    ret = gnutls_handshake (self->session);
  while (ret < 0 && ret != GNUTLS_E_AGAIN && !gnutls_error_is_fatal (ret));
  if (ret == GNUTLS_E_SUCCESS)
    handshake_finished (self);
  else if (ret != GNUTLS_E_AGAIN)
    fail (self, handshake_error (self, ret), ret);
}

/* ---------------------------------------------------------------------- */
/* The protocol the connection sees.                                       */

static void
braid_tls_protocol_connection_made (BraidProtocol *protocol)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (protocol);
  g_autoptr (GError) error = NULL;

  self->session = braid_tls_options_new_session (self->options, &error);
  /* Twisted's order: the wrapped protocol is connected at once. */
  braid_protocol_make_connection (self->wrapped, BRAID_TRANSPORT (self));
  if (self->session == NULL)
    {
      self->failed = TRUE;
      self->reason = g_steal_pointer (&error);
      g_message ("%s: %s", braid_protocol_get_log_prefix (self->wrapped), self->reason->message);
      braid_transport_abort_connection (lower (self));
      return;
    }
  gnutls_transport_set_ptr (self->session, self);
  gnutls_transport_set_vec_push_function (self->session, push_vectors);
  gnutls_transport_set_pull_function (self->session, pull);
  if (!self->lost && !self->failed)
    handshake (self);      /* a client sends its hello */
}

static void
braid_tls_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (protocol);

  if (self->failed || self->lost || self->session == NULL)
    return;
  if (!looks_like_tls (self, data, len))
    {
      not_tls (self, data, len);
      return;
    }
  /* Transports never deliver from inside their protocol's data_received
   * (the loopback refuses a pump inside a pump): @data is read in place. */
  g_return_if_fail (self->arriving == NULL);
  self->bytes_seen += len;
  self->arriving = data;
  self->arriving_len = len;
  g_object_ref (self);
  if (!self->handshake_done)
    handshake (self);
  if (self->handshake_done)
    deliver (self);
  /* What GnuTLS did not read (a partial record, or the wrapped protocol
   * paused) waits for the next chunk or resume_producing. */
  g_byte_array_append (self->incoming, self->arriving, self->arriving_len);
  self->arriving = NULL;
  self->arriving_len = 0;
  g_object_unref (self);
}

static void
braid_tls_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (protocol);
  g_autoptr (GError) told = NULL;
  g_autoptr (BraidProtocol) wrapped = NULL;

  if (self->lost)
    return;
  self->lost = TRUE;
  if (self->reason != NULL)
    told = g_error_copy (self->reason);
  else if (!braid_error_is_clean_close (reason))
    told = g_error_copy (reason);
  else if (self->got_close_notify || self->sent_close_notify)
    told = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                "the TLS connection was closed cleanly");
  else if (self->handshake_done)
    told = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                "the peer closed the connection without a TLS close_notify: "
                                "what it sent may be cut short");
  else
    told = g_error_new_literal (BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED,
                                "TLS handshake failed: the peer closed the connection during "
                                "the handshake");
  g_clear_object (&self->producer);
  /* The wrapped protocol refers to us as its transport: dropping our
   * reference to it, once it has heard, breaks the cycle. */
  wrapped = g_steal_pointer (&self->wrapped);
  braid_protocol_connection_lost (wrapped, told);
  /* Nor does it need its factory any more: a protocol kept by the wrapped
   * factory (a list of its connections) would otherwise keep that factory
   * alive through us. */
  braid_protocol_set_factory (protocol, NULL);
}

/* ---------------------------------------------------------------------- */
/* The transport the wrapped protocol sees.                                */

static void
braid_tls_protocol_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);

  if (len == 0 || self->lost || self->failed || self->sent_close_notify)
    return;
  if (!self->handshake_done)
    {
      if (self->early == NULL)
        self->early = g_byte_array_new ();
      g_byte_array_append (self->early, data, len);
      return;
    }
  send_plain (self, data, len);
}

static void
braid_tls_protocol_write_sequence (BraidTransport *transport, const GOutputVector *vectors,
                                   gsize n_vectors)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);
  gboolean cork = self->handshake_done && !self->lost && !self->failed;

  /* Corked, the pieces go out in as few records as they fit in. */
  if (cork)
    gnutls_record_cork (self->session);
  for (gsize i = 0; i < n_vectors; i++)
    braid_tls_protocol_write (transport, vectors[i].buffer, vectors[i].size);
  if (cork && !self->lost && !self->failed)
    {
      int ret;

      do
        ret = gnutls_record_uncork (self->session, GNUTLS_RECORD_WAIT);
      while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
      if (ret < 0)
        fail (self, braid_tls_error_from_gnutls (ret, "TLS write failed"), 0);
    }
}

static void
braid_tls_protocol_lose_connection (BraidTransport *transport)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);

  if (self->disconnecting || self->lost)
    return;
  self->disconnecting = TRUE;
  if (self->failed || self->session == NULL)
    return;
  if (self->handshake_done)
    send_close_notify (self);
  /* else: the close_notify follows the handshake and what was written */
}

static void
braid_tls_protocol_abort_connection (BraidTransport *transport)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);

  self->disconnecting = TRUE;
  if (!self->lost && lower (self) != NULL)
    braid_transport_abort_connection (lower (self));
}

static GSocketAddress *
braid_tls_protocol_get_peer (BraidTransport *transport)
{
  BraidTransport *below = lower (BRAID_TLS_PROTOCOL (transport));

  return below != NULL ? braid_transport_get_peer (below) : NULL;
}

static GSocketAddress *
braid_tls_protocol_get_host (BraidTransport *transport)
{
  BraidTransport *below = lower (BRAID_TLS_PROTOCOL (transport));

  return below != NULL ? braid_transport_get_host (below) : NULL;
}

static void
braid_tls_protocol_register_producer (BraidTransport *transport, BraidProducer *producer,
                                      gboolean streaming)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);

  /* Backpressure passes through: the connection pauses the producer when
   * its buffer (of records) is full, and resumes it when it drains. */
  g_set_object (&self->producer, producer);
  if (!self->lost && lower (self) != NULL)
    braid_transport_register_producer (lower (self), producer, streaming);
}

static void
braid_tls_protocol_unregister_producer (BraidTransport *transport)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);

  g_clear_object (&self->producer);
  if (!self->lost && lower (self) != NULL)
    braid_transport_unregister_producer (lower (self));
}

static gboolean
braid_tls_protocol_is_disconnecting (BraidTransport *transport)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (transport);

  return self->disconnecting || self->failed || self->lost
         || (lower (self) != NULL && braid_transport_is_disconnecting (lower (self)));
}

static void
braid_tls_protocol_transport_iface_init (BraidTransportInterface *iface)
{
  iface->write = braid_tls_protocol_write;
  iface->write_sequence = braid_tls_protocol_write_sequence;
  iface->lose_connection = braid_tls_protocol_lose_connection;
  iface->abort_connection = braid_tls_protocol_abort_connection;
  iface->get_peer = braid_tls_protocol_get_peer;
  iface->get_host = braid_tls_protocol_get_host;
  iface->register_producer = braid_tls_protocol_register_producer;
  iface->unregister_producer = braid_tls_protocol_unregister_producer;
  iface->is_disconnecting = braid_tls_protocol_is_disconnecting;
}

/* Pausing the wrapper: the wrapped protocol wants no data for now. */
static void
braid_tls_protocol_pause_producing (BraidProducer *producer)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (producer);
  BraidTransport *below = lower (self);

  self->paused = TRUE;
  if (below != NULL && BRAID_IS_PRODUCER (below))
    braid_producer_pause_producing (BRAID_PRODUCER (below));
}

static void
braid_tls_protocol_resume_producing (BraidProducer *producer)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (producer);
  BraidTransport *below = lower (self);

  self->paused = FALSE;
  if (below != NULL && BRAID_IS_PRODUCER (below))
    braid_producer_resume_producing (BRAID_PRODUCER (below));
  if (self->handshake_done)
    deliver (self);     /* what was decrypted or buffered meanwhile */
}

static void
braid_tls_protocol_stop_producing (BraidProducer *producer)
{
  braid_tls_protocol_abort_connection (BRAID_TRANSPORT (producer));
}

static void
braid_tls_protocol_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_tls_protocol_pause_producing;
  iface->resume_producing = braid_tls_protocol_resume_producing;
  iface->stop_producing = braid_tls_protocol_stop_producing;
}

/* ---------------------------------------------------------------------- */

static const char *
braid_tls_protocol_log_prefix (BraidProtocol *protocol)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (protocol);

  return self->wrapped != NULL ? braid_protocol_get_log_prefix (self->wrapped) : "TLS";
}

static void
braid_tls_protocol_dispose (GObject *object)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (object);

  g_clear_object (&self->wrapped);
  g_clear_object (&self->producer);
  G_OBJECT_CLASS (braid_tls_protocol_parent_class)->dispose (object);
}

static void
braid_tls_protocol_finalize (GObject *object)
{
  BraidTlsProtocol *self = BRAID_TLS_PROTOCOL (object);

  if (self->session != NULL)
    gnutls_deinit (self->session);
  g_byte_array_unref (self->incoming);
  if (self->early != NULL)
    g_byte_array_unref (self->early);
  g_clear_error (&self->reason);
  g_free (self->alpn);
  g_free (self->server_name);
  g_object_unref (self->options);   /* set by braid_tls_protocol_new */
  G_OBJECT_CLASS (braid_tls_protocol_parent_class)->finalize (object);
}

static void
braid_tls_protocol_class_init (BraidTlsProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  object_class->dispose = braid_tls_protocol_dispose;
  object_class->finalize = braid_tls_protocol_finalize;
  protocol_class->connection_made = braid_tls_protocol_connection_made;
  protocol_class->data_received = braid_tls_protocol_data_received;
  protocol_class->connection_lost = braid_tls_protocol_connection_lost;
  protocol_class->log_prefix = braid_tls_protocol_log_prefix;

  /**
   * BraidTlsProtocol::handshake-done:
   * @self: the TLS protocol
   *
   * The handshake succeeded: the peer's certificate was verified (when
   * verification is on), and the negotiated protocol, version and server
   * name are known. Twisted's `IHandshakeListener.handshakeCompleted`.
   */
  signals[SIGNAL_HANDSHAKE_DONE] =
    g_signal_new ("handshake-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
braid_tls_protocol_init (BraidTlsProtocol *self)
{
  self->incoming = g_byte_array_new ();
}

/**
 * braid_tls_protocol_new:
 * @options: the TLS options: a server's or a client's
 * @wrapped: the protocol that reads and writes plain text
 *
 * Wraps @wrapped in TLS. Give the result to a transport (as a factory
 * would, with [method@Braid.Protocol.make_connection]); it owns @wrapped
 * until the connection is lost. [class@Braid.TlsFactory] does this for
 * every connection of a port or connector.
 *
 * Returns: (transfer full): the TLS protocol
 */
BraidTlsProtocol *
braid_tls_protocol_new (BraidTlsOptions *options, BraidProtocol *wrapped)
{
  BraidTlsProtocol *self;

  g_return_val_if_fail (BRAID_IS_TLS_OPTIONS (options), NULL);
  g_return_val_if_fail (BRAID_IS_PROTOCOL (wrapped), NULL);

  self = g_object_new (BRAID_TYPE_TLS_PROTOCOL, NULL);
  self->options = g_object_ref (options);
  self->wrapped = g_object_ref (wrapped);
  return self;
}

/**
 * braid_tls_protocol_get_wrapped_protocol:
 * @self: a TLS protocol
 *
 * Gets the protocol inside the TLS.
 *
 * Returns: (transfer none) (nullable): the wrapped protocol, %NULL once
 *   the connection is lost
 */
BraidProtocol *
braid_tls_protocol_get_wrapped_protocol (BraidTlsProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_PROTOCOL (self), NULL);
  return self->wrapped;
}

/**
 * braid_tls_protocol_get_options:
 * @self: a TLS protocol
 *
 * Gets the options @self was made with.
 *
 * Returns: (transfer none): the options
 */
BraidTlsOptions *
braid_tls_protocol_get_options (BraidTlsProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_PROTOCOL (self), NULL);
  return self->options;
}

/**
 * braid_tls_protocol_is_handshake_done:
 * @self: a TLS protocol
 *
 * Tells whether the handshake has succeeded.
 *
 * Returns: %TRUE once the handshake is done
 */
gboolean
braid_tls_protocol_is_handshake_done (BraidTlsProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_PROTOCOL (self), FALSE);
  return self->handshake_done;
}

/**
 * braid_tls_protocol_get_negotiated_protocol:
 * @self: a TLS protocol
 *
 * Gets the ALPN protocol the two sides agreed on (Twisted's
 * `negotiatedProtocol`).
 *
 * Returns: (nullable): the protocol name, or %NULL if none was agreed
 *   (or the handshake is not done)
 */
const char *
braid_tls_protocol_get_negotiated_protocol (BraidTlsProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_PROTOCOL (self), NULL);
  return self->alpn;
}

/**
 * braid_tls_protocol_get_server_name:
 * @self: a TLS protocol
 *
 * Gets the server name of the connection: on a server, the name the
 * client asked for (SNI), once the handshake is done; on a client, the
 * hostname it verifies.
 *
 * Returns: (nullable): the name, or %NULL if there is none
 */
const char *
braid_tls_protocol_get_server_name (BraidTlsProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_PROTOCOL (self), NULL);
  if (!braid_tls_options_is_server (self->options))
    return braid_tls_options_get_hostname (self->options);
  return self->server_name;
}

/**
 * braid_tls_protocol_get_protocol_version:
 * @self: a TLS protocol
 *
 * Gets the TLS version in use, such as `"TLS1.3"`.
 *
 * Returns: (nullable): the version's name, or %NULL before the handshake
 */
const char *
braid_tls_protocol_get_protocol_version (BraidTlsProtocol *self)
{
  g_return_val_if_fail (BRAID_IS_TLS_PROTOCOL (self), NULL);
  if (!self->handshake_done)
    return NULL;
  return gnutls_protocol_get_name (gnutls_protocol_get_version (self->session));
}
