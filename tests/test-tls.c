/* test-tls.c: TLS as a protocol wrapper (framework/tls/), on the loopback
 * and the string transport: no socket. The certificates are the test CA's
 * in tests/fixtures/tls/ (make-test-ca there says what each is). */
#include <string.h>
#include <braid-fakes.h>

#include "test-protocols.h"

#define MESSAGE "The quick brown fox jumps over the lazy dog, twice: 0123456789"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "tls", name, NULL);
}

static BraidTlsOptions *
server_options (const char *cert)
{
  g_autofree char *cert_file = g_strdup_printf ("%s.pem", cert);
  g_autofree char *key_file = g_strdup_printf ("%s-key.pem", cert);
  g_autofree char *cert_path = fixture (cert_file);
  g_autofree char *key_path = fixture (key_file);
  g_autoptr (GError) error = NULL;
  BraidTlsOptions *options = braid_tls_options_new_server (cert_path, key_path, &error);

  g_assert_no_error (error);
  g_assert_true (braid_tls_options_is_server (options));
  return options;
}

static BraidTlsOptions *
client_options (const char *hostname)
{
  g_autofree char *ca = fixture ("ca.pem");
  g_autoptr (GError) error = NULL;
  BraidTlsOptions *options = braid_tls_options_new_client (hostname);

  g_assert_true (braid_tls_options_set_trust_roots (options, ca, &error));
  g_assert_no_error (error);
  return options;
}

/* A TLS server and client around recording protocols, over a loopback. */
typedef struct
{
  RecordingProtocol *server;
  RecordingProtocol *client;
  BraidTlsProtocol *server_tls;
  BraidTlsProtocol *client_tls;
  BraidLoopback *loopback;
} Pair;

static void
pair_open (Pair *pair, BraidTlsOptions *server, BraidTlsOptions *client, gsize chunk)
{
  pair->server = recording_protocol_new ("server", NULL);
  pair->client = recording_protocol_new ("client", NULL);
  recording_protocol_state (pair->server)->echo = TRUE;
  pair->server_tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (pair->server));
  pair->client_tls = braid_tls_protocol_new (client, BRAID_PROTOCOL (pair->client));
  pair->loopback = braid_loopback_new (BRAID_PROTOCOL (pair->server_tls),
                                       BRAID_PROTOCOL (pair->client_tls));
  braid_loopback_set_chunk_size (pair->loopback, chunk);
}

/* The usual pair: the server's certificate for localhost, a client that
 * trusts the test CA and verifies localhost (the protocols keep the
 * options). */
static void
pair_open_default (Pair *pair, gsize chunk)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");

  pair_open (pair, server, client, chunk);
}

static void
pair_clear (Pair *pair)
{
  if (braid_loopback_is_open (pair->loopback))
    braid_loopback_close (pair->loopback);
  g_clear_object (&pair->loopback);
  g_clear_object (&pair->server_tls);
  g_clear_object (&pair->client_tls);
  g_clear_object (&pair->server);
  g_clear_object (&pair->client);
}

static RecordingState *
server_state (Pair *pair)
{
  return recording_protocol_state (pair->server);
}

static RecordingState *
client_state (Pair *pair)
{
  return recording_protocol_state (pair->client);
}

static BraidTransport *
client_app_transport (Pair *pair)
{
  return braid_protocol_get_transport (BRAID_PROTOCOL (pair->client));
}

/* ---------------------------------------------------------------------- */

static void
count_handshake (BraidTlsProtocol *protocol, guint *count)
{
  (*count)++;
}

static void
test_echo_one_byte_chunks_and_clean_close (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  Pair pair = { 0 };
  guint handshakes = 0;

  pair_open (&pair, server, client, 1);
  g_signal_connect (pair.client_tls, "handshake-done", G_CALLBACK (count_handshake), &handshakes);
  /* Written before the handshake: kept, then sent encrypted. */
  braid_transport_write_string (client_app_transport (&pair), MESSAGE);
  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (pair.server))
                 == BRAID_TRANSPORT (pair.server_tls));
  g_assert_false (braid_tls_protocol_is_handshake_done (pair.client_tls));
  g_assert_null (braid_tls_protocol_get_protocol_version (pair.client_tls));
  braid_loopback_flush (pair.loopback);
  braid_fake_clock_advance (clock, 1.0);   /* no timer: nothing depends on time */

  g_assert_cmpuint (handshakes, ==, 1);
  g_assert_true (braid_tls_protocol_is_handshake_done (pair.server_tls));
  g_assert_cmpstr (braid_tls_protocol_get_protocol_version (pair.client_tls), ==, "TLS1.3");
  g_assert_cmpstr (braid_tls_protocol_get_server_name (pair.server_tls), ==, "localhost");
  g_assert_cmpstr (braid_tls_protocol_get_server_name (pair.client_tls), ==, "localhost");
  g_assert_null (braid_tls_protocol_get_negotiated_protocol (pair.client_tls));
  g_assert_cmpstr (server_state (&pair)->received->str, ==, MESSAGE);
  g_assert_cmpstr (client_state (&pair)->received->str, ==, MESSAGE);
  /* One byte at a time below, and yet whole records above. */
  g_assert_cmpuint (server_state (&pair)->data_calls, ==, 1);
  g_assert_true (braid_tls_protocol_get_options (pair.server_tls) == server);
  g_assert_true (braid_tls_protocol_get_wrapped_protocol (pair.client_tls)
                 == BRAID_PROTOCOL (pair.client));

  /* close_notify both ways, then the connection closes: clean on both sides. */
  braid_transport_lose_connection (client_app_transport (&pair));
  g_assert_true (braid_transport_is_disconnecting (client_app_transport (&pair)));
  braid_transport_write_string (client_app_transport (&pair), "dropped");
  braid_loopback_flush (pair.loopback);
  g_assert_false (braid_loopback_is_open (pair.loopback));
  g_assert_error (client_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (server_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, MESSAGE);
  g_assert_null (braid_tls_protocol_get_wrapped_protocol (pair.client_tls));
  pair_clear (&pair);
}

static void
test_large_echo_and_write_sequence (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("127.0.0.1");
  g_autoptr (GString) big = g_string_new (NULL);
  GOutputVector vectors[3];
  Pair pair = { 0 };

  for (guint i = 0; big->len < 200000; i++)
    g_string_append_printf (big, "%u,", i);
  pair_open (&pair, server, client, 0);
  braid_loopback_flush (pair.loopback);
  braid_transport_write (client_app_transport (&pair), (const guint8 *) big->str, big->len);
  vectors[0] = (GOutputVector) { "one ", 4 };
  vectors[1] = (GOutputVector) { "two ", 4 };
  vectors[2] = (GOutputVector) { "three", 5 };
  braid_transport_write_sequence (client_app_transport (&pair), vectors, 3);
  braid_loopback_flush (pair.loopback);
  g_string_append (big, "one two three");
  g_assert_cmpuint (client_state (&pair)->received->len, ==, big->len);
  g_assert_cmpstr (client_state (&pair)->received->str, ==, big->str);
  /* No SNI for an IP address; the certificate carries 127.0.0.1. */
  g_assert_null (braid_tls_protocol_get_server_name (pair.server_tls));
  pair_clear (&pair);
}

static void
test_server_closes_cleanly (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 7);
  braid_transport_write_string (client_app_transport (&pair), "bye");
  braid_loopback_flush (pair.loopback);
  braid_transport_write_string (BRAID_TRANSPORT (pair.server_tls), "last words");
  braid_transport_lose_connection (BRAID_TRANSPORT (pair.server_tls));
  braid_transport_lose_connection (BRAID_TRANSPORT (pair.server_tls));
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (client_state (&pair)->received->str, ==, "byelast words");
  g_assert_error (client_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (server_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  pair_clear (&pair);
}

static void
test_close_before_handshake_sends_first (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_transport_write_string (client_app_transport (&pair), "greeting");
  braid_transport_lose_connection (client_app_transport (&pair));
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "greeting");
  g_assert_error (client_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (server_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  pair_clear (&pair);
}

static void
test_close_without_close_notify_is_truncation (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  /* The client's TCP side closes with no TLS close_notify. */
  braid_transport_lose_connection (braid_loopback_get_client_transport (pair.loopback));
  braid_loopback_flush (pair.loopback);
  g_assert_error (server_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (server_state (&pair)->reason->message, "close_notify"));
  /* Lost: the wrapped protocol's calls do nothing more. */
  {
    GOutputVector vectors[] = { { "late", 4 } };

    braid_transport_write_sequence (BRAID_TRANSPORT (pair.server_tls), vectors, 1);
    braid_transport_lose_connection (BRAID_TRANSPORT (pair.server_tls));
    g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (pair.server_tls)));
    g_assert_cmpuint (server_state (&pair)->lost_count, ==, 1);
  }
  pair_clear (&pair);
}

static void
test_close_notify_sent_then_closed (void)
{
  Pair pair = { 0 };

  g_test_summary ("A side that sent its close_notify and then sees the connection close "
                  "cleanly, before the peer's answer, has closed cleanly");
  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  braid_transport_lose_connection (client_app_transport (&pair));
  braid_test_lose_connection (BRAID_PROTOCOL (pair.client_tls), TRUE);
  g_assert_error (client_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_cmpstr (client_state (&pair)->reason->message, ==, "the TLS connection was closed cleanly");
  pair_clear (&pair);
}

static void
test_disconnecting_follows_the_connection (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("server", NULL);
  g_autoptr (BraidTlsProtocol) tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  g_test_summary ("The wrapper is disconnecting when the connection below is, though its "
                  "own protocol asked nothing");
  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  g_assert_false (braid_transport_is_disconnecting (BRAID_TRANSPORT (tls)));
  braid_transport_lose_connection (BRAID_TRANSPORT (transport));
  g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (tls)));
  braid_test_lose_connection (BRAID_PROTOCOL (tls), TRUE);
}

static void
test_close_during_handshake (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_pump_once (pair.loopback);   /* the ClientHello only */
  braid_transport_lose_connection (braid_loopback_get_client_transport (pair.loopback));
  braid_loopback_flush (pair.loopback);
  g_assert_error (server_state (&pair)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED);
  g_assert_nonnull (strstr (server_state (&pair)->reason->message, "during the handshake"));
  pair_clear (&pair);
}

static void
test_abort (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  braid_transport_abort_connection (client_app_transport (&pair));
  braid_loopback_flush (pair.loopback);
  g_assert_error (client_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_error (server_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  /* After the close: everything is refused quietly. */
  braid_transport_write_string (BRAID_TRANSPORT (pair.client_tls), "late");
  braid_transport_lose_connection (BRAID_TRANSPORT (pair.client_tls));
  braid_transport_abort_connection (BRAID_TRANSPORT (pair.client_tls));
  g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (pair.client_tls)));
  pair_clear (&pair);
}

static void
test_addresses_are_the_connection_s (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autoptr (BraidTlsProtocol) lonely = NULL;
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("lonely", NULL);
  Pair pair = { 0 };

  pair_open (&pair, server, client, 0);
  g_assert_true (braid_transport_get_peer (BRAID_TRANSPORT (pair.server_tls))
                 == braid_transport_get_peer (braid_loopback_get_server_transport (pair.loopback)));
  g_assert_true (braid_transport_get_host (BRAID_TRANSPORT (pair.server_tls))
                 == braid_transport_get_host (braid_loopback_get_server_transport (pair.loopback)));
  pair_clear (&pair);
  /* Not connected yet: no addresses. */
  lonely = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_assert_null (braid_transport_get_peer (BRAID_TRANSPORT (lonely)));
  g_assert_null (braid_transport_get_host (BRAID_TRANSPORT (lonely)));
  g_assert_false (braid_transport_is_disconnecting (BRAID_TRANSPORT (lonely)));
  {
    g_autoptr (CountingProducer) producer = counting_producer_new ();

    /* Before the connection: kept, and nothing below to tell yet. */
    braid_transport_register_producer (BRAID_TRANSPORT (lonely), BRAID_PRODUCER (producer), TRUE);
    braid_transport_unregister_producer (BRAID_TRANSPORT (lonely));
    braid_producer_pause_producing (BRAID_PRODUCER (lonely));
    braid_producer_resume_producing (BRAID_PRODUCER (lonely));
    /* Closing before the connection: remembered, nothing to close yet. */
    braid_transport_lose_connection (BRAID_TRANSPORT (lonely));
    g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (lonely)));
    braid_transport_abort_connection (BRAID_TRANSPORT (lonely));
    /* Freed with a producer still registered: let go of, not stopped. */
    braid_transport_register_producer (BRAID_TRANSPORT (lonely), BRAID_PRODUCER (producer), TRUE);
    g_clear_object (&lonely);
    g_assert_cmpuint (producer->stops, ==, 0);
    g_assert_cmpuint (G_OBJECT (producer)->ref_count, ==, 1);
  }
}

/* ---------------------------------------------------------------------- */
/* Handshake failures, one by one: each reason says what is wrong.          */

static void
assert_handshake_fails (BraidTlsOptions *server, BraidTlsOptions *client,
                        int client_code, const char *client_words,
                        int server_code, const char *server_words)
{
  Pair pair = { 0 };

  pair_open (&pair, server, client, 0);
  braid_transport_write_string (client_app_transport (&pair), "secret");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*TLS handshake failed*");
  braid_loopback_flush (pair.loopback);
  g_assert_false (braid_loopback_is_open (pair.loopback));
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "");
  /* (In TLS 1.3 the client is done before the server checks its
   * certificate: only the server's handshake is sure to be unfinished.) */
  g_assert_false (braid_tls_protocol_is_handshake_done (pair.server_tls));
  g_assert_error (client_state (&pair)->reason, BRAID_TLS_ERROR, client_code);
  if (strstr (client_state (&pair)->reason->message, client_words) == NULL)
    g_error ("client reason '%s' lacks '%s'", client_state (&pair)->reason->message, client_words);
  g_assert_error (server_state (&pair)->reason, BRAID_TLS_ERROR, server_code);
  if (strstr (server_state (&pair)->reason->message, server_words) == NULL)
    g_error ("server reason '%s' lacks '%s'", server_state (&pair)->reason->message, server_words);
  g_test_assert_expected_messages ();
  pair_clear (&pair);
}

static void
test_handshake_expired_certificate (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("expired");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");

  assert_handshake_fails (server, client, BRAID_TLS_ERROR_CERTIFICATE_EXPIRED, "has expired",
                          BRAID_TLS_ERROR_PEER_REJECTED, "certificate");
}

static void
test_handshake_not_valid_yet (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("future");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");

  assert_handshake_fails (server, client, BRAID_TLS_ERROR_CERTIFICATE_EXPIRED, "is not valid yet",
                          BRAID_TLS_ERROR_PEER_REJECTED, "certificate");
}

static void
test_handshake_hostname_mismatch (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("wronghost");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");

  assert_handshake_fails (server, client, BRAID_TLS_ERROR_HOSTNAME_MISMATCH,
                          "hostname mismatch: the server's certificate is for wrong.test, not for localhost",
                          BRAID_TLS_ERROR_PEER_REJECTED, "alert");
}

static void
test_handshake_unknown_ca (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("unknown-ca");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");

  assert_handshake_fails (server, client, BRAID_TLS_ERROR_UNKNOWN_CA,
                          "unknown certificate authority",
                          BRAID_TLS_ERROR_PEER_REJECTED, "does not accept this side's certificate");
}

static void
test_handshake_protocol_version (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autoptr (GError) error = NULL;

  /* An old client (TLS 1.1 at most) to Braid's default server. */
  g_assert_true (braid_tls_options_set_priority (client, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (braid_tls_options_get_priority (client), ==, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0");
  assert_handshake_fails (server, client, BRAID_TLS_ERROR_PROTOCOL_VERSION, "protocol version",
                          BRAID_TLS_ERROR_PROTOCOL_VERSION, "TLS 1.2 or later");
}

static void
test_handshake_no_version_in_common (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autoptr (GError) error = NULL;

  /* Both modern, but no version in common: GnuTLS's server answers with a
   * handshake_failure alert, which the client can only report as such. */
  g_assert_true (braid_tls_options_set_priority (server, "NORMAL:-VERS-ALL:+VERS-TLS1.3", &error));
  g_assert_true (braid_tls_options_set_priority (client, "NORMAL:-VERS-ALL:+VERS-TLS1.2", &error));
  assert_handshake_fails (server, client, BRAID_TLS_ERROR_PEER_REJECTED,
                          "no TLS version or cipher in common?",
                          BRAID_TLS_ERROR_PROTOCOL_VERSION, "no TLS version or cipher suite in common");
}

static void
test_handshake_client_certificate_required (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autofree char *ca = fixture ("ca.pem");
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_tls_options_set_trust_roots (server, ca, &error));
  braid_tls_options_set_require_client_certificate (server, TRUE);
  assert_handshake_fails (server, client, BRAID_TLS_ERROR_PEER_REJECTED, "alert",
                          BRAID_TLS_ERROR_CERTIFICATE_INVALID, "presented no certificate");
}

static void
test_client_certificate_accepted (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autofree char *ca = fixture ("ca.pem");
  g_autofree char *cert = fixture ("client.pem");
  g_autofree char *key = fixture ("client-key.pem");
  g_autoptr (GError) error = NULL;
  Pair pair = { 0 };

  g_assert_true (braid_tls_options_set_trust_roots (server, ca, &error));
  braid_tls_options_set_require_client_certificate (server, TRUE);
  g_assert_true (braid_tls_options_add_certificate (client, cert, key, &error));
  pair_open (&pair, server, client, 0);
  braid_transport_write_string (client_app_transport (&pair), MESSAGE);
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (client_state (&pair)->received->str, ==, MESSAGE);
  pair_clear (&pair);
}

static void
test_client_certificate_from_unknown_ca_refused (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autofree char *ca = fixture ("ca.pem");
  g_autofree char *cert = fixture ("unknown-ca.pem");
  g_autofree char *key = fixture ("unknown-ca-key.pem");
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_tls_options_set_trust_roots (server, ca, &error));
  braid_tls_options_set_require_client_certificate (server, TRUE);
  g_assert_true (braid_tls_options_add_certificate (client, cert, key, &error));
  /* The server names the CAs it trusts; GnuTLS's client then keeps a
   * certificate none of them signed to itself. */
  assert_handshake_fails (server, client, BRAID_TLS_ERROR_PEER_REJECTED, "alert",
                          BRAID_TLS_ERROR_CERTIFICATE_INVALID, "presented no certificate");
}

/* A failed handshake, for the reasons' wording: the client's and the
 * server's reasons, with the messages logged. */
static void
handshake_reasons (BraidTlsOptions *server, BraidTlsOptions *client, GError **client_reason,
                   GError **server_reason)
{
  Pair pair = { 0 };

  pair_open (&pair, server, client, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*TLS handshake failed*");
  braid_loopback_flush (pair.loopback);
  g_test_assert_expected_messages ();
  g_assert_false (braid_loopback_is_open (pair.loopback));
  *client_reason = g_error_copy (client_state (&pair)->reason);
  *server_reason = g_error_copy (server_state (&pair)->reason);
  pair_clear (&pair);
}

static void
test_handshake_certificate_without_names (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("client");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autoptr (GError) client_reason = NULL;
  g_autoptr (GError) server_reason = NULL;

  g_test_summary ("A server certificate with no subject alternative name (and made for a "
                  "client) is refused, and the reason names it by its distinguished name");
  handshake_reasons (server, client, &client_reason, &server_reason);
  g_assert_error (client_reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_HOSTNAME_MISMATCH);
  g_assert_cmpstr (client_reason->message, ==,
                   "TLS handshake failed: hostname mismatch: the server's certificate is for "
                   "CN=braid test client, not for localhost");
  g_assert_error (server_reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_PEER_REJECTED);
  g_assert_nonnull (strstr (server_reason->message, "does not accept this side's certificate"));
}

static void
test_handshake_client_certificate_expired (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autofree char *ca = fixture ("ca.pem");
  g_autofree char *cert = fixture ("expired.pem");
  g_autofree char *key = fixture ("expired-key.pem");
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) client_reason = NULL;
  g_autoptr (GError) server_reason = NULL;

  g_assert_true (braid_tls_options_set_trust_roots (server, ca, &error));
  braid_tls_options_set_require_client_certificate (server, TRUE);
  g_assert_true (braid_tls_options_add_certificate (client, cert, key, &error));
  g_test_summary ("A server that verifies client certificates refuses an expired one, and "
                  "says it is the client's certificate that has expired");
  handshake_reasons (server, client, &client_reason, &server_reason);
  g_assert_error (server_reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_CERTIFICATE_EXPIRED);
  g_assert_cmpstr (server_reason->message, ==,
                   "TLS handshake failed: the client's certificate (for localhost, 127.0.0.1) "
                   "has expired");
  g_assert_error (client_reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_PEER_REJECTED);
}

static void
test_insecure_skip_verify_accepts_and_warns (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("wronghost");
  g_autoptr (BraidTlsOptions) client = braid_tls_options_new_client ("localhost");
  Pair pair = { 0 };

  g_assert_false (braid_tls_options_get_insecure_skip_verify (client));
  braid_tls_options_set_insecure_skip_verify (client, TRUE);
  g_assert_true (braid_tls_options_get_insecure_skip_verify (client));
  pair_open (&pair, server, client, 0);
  braid_transport_write_string (client_app_transport (&pair), MESSAGE);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "*verification is OFF*localhost*");
  braid_loopback_flush (pair.loopback);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (client_state (&pair)->received->str, ==, MESSAGE);
  pair_clear (&pair);
}

static void
test_system_trust_is_the_default (void)
{
  /* With no trust roots given, the system's are used: the test CA is not
   * among them, so the handshake fails for an unknown CA. */
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = braid_tls_options_new_client ("localhost");

  g_assert_cmpstr (braid_tls_options_get_hostname (client), ==, "localhost");
  g_assert_null (braid_tls_options_get_hostname (server));
  assert_handshake_fails (server, client, BRAID_TLS_ERROR_UNKNOWN_CA, "trustRoots=",
                          BRAID_TLS_ERROR_PEER_REJECTED, "alert");
}

/* ---------------------------------------------------------------------- */
/* SNI and ALPN.                                                            */

static void
test_sni_chooses_the_certificate (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("other.test");
  g_autofree char *cert = fixture ("other.pem");
  g_autofree char *key = fixture ("other-key.pem");
  g_autoptr (GError) error = NULL;
  Pair pair = { 0 };

  g_assert_true (braid_tls_options_add_certificate (server, cert, key, &error));
  pair_open (&pair, server, client, 0);
  braid_transport_write_string (client_app_transport (&pair), MESSAGE);
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (client_state (&pair)->received->str, ==, MESSAGE);
  g_assert_cmpstr (braid_tls_protocol_get_server_name (pair.server_tls), ==, "other.test");
  pair_clear (&pair);
}

static void
test_alpn_negotiates (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  const char *server_protocols[] = { "h2", "http/1.1", NULL };
  const char *client_protocols[] = { "http/1.1", NULL };
  Pair pair = { 0 };

  braid_tls_options_set_alpn_protocols (server, server_protocols);
  braid_tls_options_set_alpn_protocols (client, client_protocols);
  g_assert_cmpstr (braid_tls_options_get_alpn_protocols (server)[1], ==, "http/1.1");
  pair_open (&pair, server, client, 0);
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (braid_tls_protocol_get_negotiated_protocol (pair.client_tls), ==, "http/1.1");
  g_assert_cmpstr (braid_tls_protocol_get_negotiated_protocol (pair.server_tls), ==, "http/1.1");
  pair_clear (&pair);
  /* A client that offers nothing is served, with no protocol. */
  braid_tls_options_set_alpn_protocols (client, NULL);
  pair_open (&pair, server, client, 0);
  braid_transport_write_string (client_app_transport (&pair), MESSAGE);
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (client_state (&pair)->received->str, ==, MESSAGE);
  g_assert_null (braid_tls_protocol_get_negotiated_protocol (pair.server_tls));
  pair_clear (&pair);
  braid_tls_options_set_alpn_protocols (server, NULL);
  g_assert_null (braid_tls_options_get_alpn_protocols (server));
}

static void
test_alpn_nothing_in_common_fails (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  const char *server_protocols[] = { "h2", NULL };
  const char *client_protocols[] = { "spdy/1", NULL };

  braid_tls_options_set_alpn_protocols (server, server_protocols);
  braid_tls_options_set_alpn_protocols (client, client_protocols);
  assert_handshake_fails (server, client, BRAID_TLS_ERROR_PEER_REJECTED, "alert",
                          BRAID_TLS_ERROR_FAILED, "no ALPN protocol in common");
}

/* ---------------------------------------------------------------------- */
/* Bad input.                                                               */

static void
test_bad_certificate_files (void)
{
  g_autofree char *cert = fixture ("server.pem");
  g_autofree char *key = fixture ("server-key.pem");
  g_autofree char *other_key = fixture ("other-key.pem");
  g_autofree char *missing = fixture ("no-such-file.pem");
  g_autofree char *not_pem = fixture ("make-test-ca");
  g_autoptr (BraidTlsOptions) client = braid_tls_options_new_client ("localhost");
  GError *error = NULL;

  struct {
    const char *cert, *key, *words;
  } servers[] = {
    { cert, other_key, "is not the key of the certificate" },
    { missing, key, "certificate: cannot read" },
    { cert, not_pem, "is not a PEM file" },
    /* A PEM file that holds a key where the certificate should be. */
    { key, key, "cannot load" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      g_autoptr (BraidTlsOptions) options =
        braid_tls_options_new_server (servers[i].cert, servers[i].key, &error);

      g_assert_null (options);
      g_assert_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE);
      g_assert_nonnull (strstr (error->message, servers[i].words));
      g_clear_error (&error);
    }

  g_assert_false (braid_tls_options_set_trust_roots (client, missing, &error));
  g_assert_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_assert_false (braid_tls_options_set_trust_roots (client, key, &error));
  g_assert_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "holds no CA certificate"));
  g_clear_error (&error);

  g_assert_false (braid_tls_options_set_priority (client, "NORMAL:+NONSENSE", &error));
  g_assert_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "is not a GnuTLS priority string"));
  g_clear_error (&error);
  g_assert_cmpstr (braid_tls_options_get_priority (client), ==, BRAID_TLS_DEFAULT_PRIORITY);
}

static void
test_plain_text_to_a_tls_port (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("server", NULL);
  g_autoptr (BraidTlsProtocol) tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*does not speak TLS*GET / HTTP/1.0\\x0d\\x0a*");
  braid_test_receive (BRAID_PROTOCOL (tls), "GET / HTTP/1.0\r\n\r\n");
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_test_receive (BRAID_PROTOCOL (tls), "more");   /* ignored */
  braid_test_lose_connection (BRAID_PROTOCOL (tls), TRUE);
  g_assert_error (recording_protocol_state (inner)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_NOT_TLS);
  g_assert_cmpstr (recording_protocol_state (inner)->received->str, ==, "");
}

static void
test_plain_text_low_first_byte (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("server", NULL);
  g_autoptr (BraidTlsProtocol) tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  const guint8 bytes[] = { 0x05, 0x03, 0x00 };

  g_test_summary ("A first byte below the TLS content types (20 to 23) is not TLS either; "
                  "it is shown escaped");
  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*does not speak TLS*'\\x05\\x03\\x00'*");
  braid_protocol_data_received (BRAID_PROTOCOL (tls), bytes, sizeof bytes);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_test_lose_connection (BRAID_PROTOCOL (tls), FALSE);
  g_assert_error (recording_protocol_state (inner)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_NOT_TLS);
}

/* After TLS failed, and again after the connection is lost: the wrapped
 * protocol's calls are refused quietly, and it hears of the loss once. */
static void
test_calls_after_failure_and_loss (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("server", NULL);
  g_autoptr (BraidTlsProtocol) tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  BraidTransport *wrapper = BRAID_TRANSPORT (tls);
  GOutputVector vectors[] = { { "a", 1 }, { "b", 1 } };

  g_test_summary ("Once TLS failed, writes, close and abort do nothing more; once lost, the "
                  "wrapped protocol hears it once and producers are not passed down");
  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  braid_string_transport_clear (transport);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*does not speak TLS*");
  braid_test_receive (BRAID_PROTOCOL (tls), "HELO");
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  g_assert_true (braid_transport_is_disconnecting (wrapper));
  braid_transport_write_string (wrapper, "dropped");
  braid_transport_write_sequence (wrapper, vectors, G_N_ELEMENTS (vectors));
  braid_transport_lose_connection (wrapper);
  braid_transport_lose_connection (wrapper);
  braid_assert_transport_wrote (transport, "");
  g_assert_false (braid_string_transport_get_aborted (transport));

  braid_test_lose_connection (BRAID_PROTOCOL (tls), TRUE);
  braid_test_lose_connection (BRAID_PROTOCOL (tls), FALSE);
  g_assert_cmpuint (recording_protocol_state (inner)->lost_count, ==, 1);
  g_assert_error (recording_protocol_state (inner)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_NOT_TLS);
  braid_transport_register_producer (wrapper, BRAID_PRODUCER (producer), TRUE);
  g_assert_null (braid_string_transport_get_producer (transport, NULL));
  braid_transport_unregister_producer (wrapper);
  braid_transport_abort_connection (wrapper);
  g_assert_false (braid_string_transport_get_aborted (transport));
  braid_transport_lose_connection (wrapper);
  braid_assert_transport_wrote (transport, "");
  g_assert_cmpuint (producer->stops, ==, 0);
}

static void
test_plain_text_second_byte (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("server", NULL);
  g_autoptr (BraidTlsProtocol) tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  const guint8 first = 0x16, second = 0x77;

  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  braid_protocol_data_received (BRAID_PROTOCOL (tls), &first, 1);
  g_assert_false (braid_string_transport_get_disconnecting (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*does not speak TLS*");
  braid_protocol_data_received (BRAID_PROTOCOL (tls), &second, 1);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_test_lose_connection (BRAID_PROTOCOL (tls), FALSE);
  g_assert_error (recording_protocol_state (inner)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_NOT_TLS);
}

static void
test_garbage_records_fail_the_handshake (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (RecordingProtocol) inner = recording_protocol_new ("server", NULL);
  g_autoptr (BraidTlsProtocol) tls = braid_tls_protocol_new (server, BRAID_PROTOCOL (inner));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  /* A handshake record header with a ClientHello of nonsense. */
  const guint8 record[] = { 0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 'j', 'u', 'n', 'k' };

  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*TLS handshake failed*");
  braid_protocol_data_received (BRAID_PROTOCOL (tls), record, sizeof record);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  /* An alert went out before the close. */
  {
    g_autoptr (GBytes) sent = braid_string_transport_get_value (transport);

    g_assert_cmpuint (g_bytes_get_size (sent), >, 0);
  }
  braid_test_lose_connection (BRAID_PROTOCOL (tls), TRUE);
  g_assert_error (recording_protocol_state (inner)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED);
}

static void
test_tampered_record_closes_the_connection (void)
{
  /* An application-data record that no key encrypted. */
  const guint8 record[] = { 0x17, 0x03, 0x03, 0x00, 0x20,
                            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (braid_protocol_get_log_prefix (BRAID_PROTOCOL (pair.server_tls)), ==, "RecordingProtocol");
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*TLS record failed*");
  braid_protocol_data_received (BRAID_PROTOCOL (pair.server_tls), record, sizeof record);
  g_test_assert_expected_messages ();
  braid_loopback_flush (pair.loopback);
  g_assert_error (server_state (&pair)->reason, BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED);
  g_assert_nonnull (strstr (server_state (&pair)->reason->message, "TLS record failed"));
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "");
  /* Once closed, the wrapper names itself. */
  g_assert_cmpstr (braid_protocol_get_log_prefix (BRAID_PROTOCOL (pair.server_tls)), ==, "TLS");
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* Flow control.                                                            */

static void
test_pause_holds_decrypted_data (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  recording_protocol_state (pair.server)->echo = FALSE;
  braid_producer_pause_producing (BRAID_PRODUCER (pair.server_tls));
  braid_transport_write_string (client_app_transport (&pair), "held");
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "");
  braid_producer_resume_producing (BRAID_PRODUCER (pair.server_tls));
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "held");
  /* stop_producing: the consumer is gone, the connection goes. */
  braid_producer_stop_producing (BRAID_PRODUCER (pair.server_tls));
  braid_loopback_flush (pair.loopback);
  g_assert_error (server_state (&pair)->reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  pair_clear (&pair);
}

static void
pause_on_data (RecordingProtocol *protocol, const guint8 *data, gsize len, gpointer user_data)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (protocol));

  braid_producer_pause_producing (BRAID_PRODUCER (transport));
}

static void
test_pause_inside_data_received_stops_delivery (void)
{
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  recording_protocol_state (pair.server)->echo = FALSE;
  recording_protocol_state (pair.server)->on_data = pause_on_data;
  braid_transport_write_string (client_app_transport (&pair), "one");
  braid_transport_write_string (client_app_transport (&pair), "two");
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "one");
  recording_protocol_state (pair.server)->on_data = NULL;
  braid_producer_resume_producing (BRAID_PRODUCER (pair.server_tls));
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "onetwo");
  pair_clear (&pair);
}

static void
resume_on_data (RecordingProtocol *protocol, const guint8 *data, gsize len, gpointer user_data)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (protocol));

  /* A resume while data is being delivered: nothing is delivered from in
   * here (no re-entry); the loop that called us goes on. */
  braid_producer_pause_producing (BRAID_PRODUCER (transport));
  braid_producer_resume_producing (BRAID_PRODUCER (transport));
  g_string_append_c (recording_protocol_state (protocol)->received, '|');
}

static void
test_resume_inside_data_received_does_not_reenter (void)
{
  Pair pair = { 0 };

  g_test_summary ("A protocol that pauses and resumes from its data_received gets the next "
                  "record after it returns, not inside its own call");
  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  recording_protocol_state (pair.server)->echo = FALSE;
  recording_protocol_state (pair.server)->on_data = resume_on_data;
  braid_transport_write_string (client_app_transport (&pair), "one");
  braid_transport_write_string (client_app_transport (&pair), "two");
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "one|two|");
  pair_clear (&pair);
}

static void
test_write_sequence_before_the_handshake (void)
{
  GOutputVector vectors[] = { { "early ", 6 }, { "", 0 }, { "pieces", 6 } };
  Pair pair = { 0 };

  g_test_summary ("write_sequence before the handshake keeps its pieces, in order, and "
                  "sends them once it is done");
  pair_open_default (&pair, 0);
  braid_transport_write_sequence (client_app_transport (&pair), vectors, G_N_ELEMENTS (vectors));
  braid_loopback_flush (pair.loopback);
  g_assert_cmpstr (server_state (&pair)->received->str, ==, "early pieces");
  g_assert_cmpstr (client_state (&pair)->received->str, ==, "early pieces");
  pair_clear (&pair);
}

static void
test_producer_passes_through (void)
{
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  g_autoptr (GString) big = g_string_new (NULL);
  Pair pair = { 0 };

  pair_open_default (&pair, 0);
  braid_loopback_flush (pair.loopback);
  braid_loopback_set_backpressure_limit (pair.loopback, 4096);
  braid_transport_register_producer (BRAID_TRANSPORT (pair.server_tls), BRAID_PRODUCER (producer), TRUE);
  g_string_set_size (big, 64 * 1024);
  memset (big->str, 'x', big->len);
  braid_transport_write (BRAID_TRANSPORT (pair.server_tls), (const guint8 *) big->str, big->len);
  /* The records wait in the connection, over its limit: paused. */
  g_assert_cmpuint (producer->pauses, ==, 1);
  braid_loopback_flush (pair.loopback);
  g_assert_cmpuint (producer->resumes, ==, 1);
  g_assert_cmpuint (client_state (&pair)->received->len, ==, big->len);
  braid_transport_unregister_producer (BRAID_TRANSPORT (pair.server_tls));
  braid_transport_register_producer (BRAID_TRANSPORT (pair.server_tls), BRAID_PRODUCER (producer), TRUE);
  braid_loopback_close (pair.loopback);
  g_assert_cmpuint (producer->stops, ==, 1);
  pair_clear (&pair);
}

/* ---------------------------------------------------------------------- */
/* The factory.                                                             */

typedef struct
{
  BraidClientFactory parent_instance;
  GString *log;
} LogFactory;
typedef BraidClientFactoryClass LogFactoryClass;
static GType log_factory_get_type (void);
G_DEFINE_TYPE (LogFactory, log_factory, BRAID_TYPE_CLIENT_FACTORY)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LogFactory, g_object_unref)

static void
log_start (BraidFactory *factory)
{
  g_string_append (((LogFactory *) factory)->log, "start;");
}

static void
log_stop (BraidFactory *factory)
{
  g_string_append (((LogFactory *) factory)->log, "stop;");
}

static void
log_started (BraidClientFactory *factory, BraidConnector *connector)
{
  g_string_append (((LogFactory *) factory)->log, "started;");
}

static void
log_failed (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  g_string_append_printf (((LogFactory *) factory)->log, "failed:%s;", reason->message);
}

static void
log_lost (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  g_string_append_printf (((LogFactory *) factory)->log, "lost:%s;", reason->message);
}

static void
log_factory_finalize (GObject *object)
{
  g_string_free (((LogFactory *) object)->log, TRUE);
  G_OBJECT_CLASS (log_factory_parent_class)->finalize (object);
}

static void
log_factory_class_init (LogFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = log_factory_finalize;
  BRAID_FACTORY_CLASS (klass)->start_factory = log_start;
  BRAID_FACTORY_CLASS (klass)->stop_factory = log_stop;
  klass->started_connecting = log_started;
  klass->client_connection_failed = log_failed;
  klass->client_connection_lost = log_lost;
}

static void
log_factory_init (LogFactory *self)
{
  self->log = g_string_new (NULL);
}

static void
test_factory_wraps_and_forwards (void)
{
  g_autoptr (BraidTlsOptions) client = client_options ("localhost");
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (LogFactory) inner = g_object_new (log_factory_get_type (),
                                               "protocol-type", RECORDING_TYPE_PROTOCOL,
                                               "clock", clock, NULL);
  g_autoptr (BraidTlsFactory) tls = braid_tls_factory_new (client, BRAID_FACTORY (inner));
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_FAILED, "nope");

  g_assert_true (braid_tls_factory_get_options (tls) == client);
  g_assert_true (braid_tls_factory_get_wrapped_factory (tls) == BRAID_FACTORY (inner));
  g_assert_true (braid_factory_get_clock (BRAID_FACTORY (tls)) == BRAID_CLOCK (clock));
  protocol = braid_factory_build_protocol (BRAID_FACTORY (tls), NULL);
  g_assert_true (BRAID_IS_TLS_PROTOCOL (protocol));
  g_assert_true (braid_protocol_get_factory (protocol) == BRAID_FACTORY (tls));
  g_assert_true (braid_protocol_get_clock (protocol) == BRAID_CLOCK (clock));
  g_assert_true (RECORDING_IS_PROTOCOL (braid_tls_protocol_get_wrapped_protocol (BRAID_TLS_PROTOCOL (protocol))));
  braid_factory_do_start (BRAID_FACTORY (tls));
  braid_client_factory_started_connecting (BRAID_CLIENT_FACTORY (tls), NULL);
  braid_client_factory_client_connection_failed (BRAID_CLIENT_FACTORY (tls), NULL, reason);
  braid_client_factory_client_connection_lost (BRAID_CLIENT_FACTORY (tls), NULL, reason);
  braid_factory_do_stop (BRAID_FACTORY (tls));
  g_assert_cmpstr (inner->log->str, ==, "start;started;failed:nope;lost:nope;stop;");
}

static BraidProtocol *
refuse (BraidFactory *factory, GSocketAddress *addr)
{
  return NULL;
}

static void
test_factory_of_a_plain_factory (void)
{
  g_autoptr (BraidTlsOptions) server = server_options ("server");
  g_autoptr (BraidFactory) inner = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidTlsFactory) tls = braid_tls_factory_new (server, inner);
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_FAILED, "nope");
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (BRAID_FACTORY (tls), NULL);

  g_assert_nonnull (protocol);
  /* Not a client factory: the client events go nowhere, quietly. */
  braid_client_factory_started_connecting (BRAID_CLIENT_FACTORY (tls), NULL);
  braid_client_factory_client_connection_failed (BRAID_CLIENT_FACTORY (tls), NULL, reason);
  braid_client_factory_client_connection_lost (BRAID_CLIENT_FACTORY (tls), NULL, reason);
  /* A refusal by the wrapped factory is a refusal. */
  BRAID_FACTORY_GET_CLASS (inner)->build_protocol = refuse;
  g_assert_null (braid_factory_build_protocol (BRAID_FACTORY (tls), NULL));
  BRAID_FACTORY_GET_CLASS (inner)->build_protocol = NULL;
}

/* ---------------------------------------------------------------------- */
/* tls: endpoints, on the memory reactor.                                   */

static char *
escaped_fixture (const char *name)
{
  g_autofree char *path = fixture (name);
  g_auto (GStrv) pieces = g_strsplit (path, ":", -1);

  return g_strjoinv ("\\:", pieces);
}

static void
test_server_endpoint (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autofree char *cert = escaped_fixture ("server.pem");
  g_autofree char *key = escaped_fixture ("server-key.pem");
  g_autofree char *text = g_strdup_printf ("tls:8443:certKey=%s:privateKey=%s:interface=127.0.0.1:backlog=7",
                                           cert, key);
  g_autofree char *text6 = g_strdup_printf ("tls:8443:certKey=%s:privateKey=%s:interface=\\:\\:1", cert, key);
  g_autoptr (BraidServerEndpoint) endpoint = NULL;
  g_autoptr (BraidServerEndpoint) endpoint6 = NULL;
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *record;

  endpoint = braid_server_endpoint_new_for_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (braid_server_endpoint_get_description (endpoint), ==, text);
  g_assert_nonnull (braid_server_endpoint_listen (endpoint, BRAID_REACTOR (reactor), factory, &error));
  record = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_assert_cmpuint (record->port, ==, 8443);
  g_assert_cmpint (record->backlog, ==, 7);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (BRAID_IS_TLS_FACTORY (record->factory));
  g_assert_true (braid_tls_factory_get_wrapped_factory (BRAID_TLS_FACTORY (record->factory)) == factory);
  g_assert_true (braid_tls_options_is_server (braid_tls_factory_get_options (BRAID_TLS_FACTORY (record->factory))));
  endpoint6 = braid_server_endpoint_new_for_string (text6, &error);
  g_assert_no_error (error);
  g_assert_nonnull (braid_server_endpoint_listen (endpoint6, BRAID_REACTOR (reactor), factory, &error));
  g_assert_cmpstr (braid_memory_reactor_get_tcp_server (reactor, 1)->interface, ==, "::1");
}

static void
assert_server_string_fails (const char *text, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (text, &error);

  g_assert_null (endpoint);
  g_assert_nonnull (error);
  if (strstr (error->message, words) == NULL)
    g_error ("'%s' gave '%s', which lacks '%s'", text, error->message, words);
}

static void
test_server_endpoint_errors (void)
{
  g_autofree char *cert = escaped_fixture ("server.pem");
  g_autofree char *key = escaped_fixture ("server-key.pem");
  g_autofree char *wrong_key = escaped_fixture ("other-key.pem");
  g_autofree char *no_key = g_strdup_printf ("tls:8443:certKey=%s", cert);
  g_autofree char *mismatch = g_strdup_printf ("tls:8443:certKey=%s:privateKey=%s", cert, wrong_key);
  g_autofree char *bad_port = g_strdup_printf ("tls:x:certKey=%s:privateKey=%s", cert, key);
  g_autofree char *unknown = g_strdup_printf ("tls:1:certKey=%s:privateKey=%s:colour=red", cert, key);

  assert_server_string_fails (no_key, "privateKey: missing");
  assert_server_string_fails (mismatch, "is not the key of the certificate");
  assert_server_string_fails (bad_port, "port: 'x' is not a number");
  assert_server_string_fails (unknown, "tls: unknown option 'colour'");
  assert_server_string_fails ("tls:8443:privateKey=/nonexistent/key.pem", "cannot read /nonexistent/key.pem");
}

static void
test_client_endpoint (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidClientFactory) factory = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autofree char *ca = escaped_fixture ("ca.pem");
  g_autofree char *cert = escaped_fixture ("client.pem");
  g_autofree char *key = escaped_fixture ("client-key.pem");
  g_autofree char *text = g_strdup_printf ("tls:host=localhost:port=8443:trustRoots=%s:certificate=%s:"
                                           "privateKey=%s:timeout=3", ca, cert, key);
  g_autoptr (BraidClientEndpoint) endpoint = NULL;
  g_autoptr (BraidClientEndpoint) positional = NULL;
  g_autoptr (GError) error = NULL;
  BraidTcpClientRecord *record;
  BraidTlsOptions *options;

  endpoint = braid_client_endpoint_new_for_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (braid_client_endpoint_connect (endpoint, BRAID_REACTOR (reactor), factory, &error));
  record = braid_memory_reactor_get_tcp_client (reactor, 0);
  g_assert_cmpstr (record->host, ==, "localhost");
  g_assert_cmpuint (record->port, ==, 8443);
  g_assert_cmpfloat (record->timeout, ==, 3);
  g_assert_true (BRAID_IS_TLS_FACTORY (record->factory));
  options = braid_tls_factory_get_options (BRAID_TLS_FACTORY (record->factory));
  g_assert_false (braid_tls_options_is_server (options));
  g_assert_cmpstr (braid_tls_options_get_hostname (options), ==, "localhost");
  g_assert_false (braid_tls_options_get_insecure_skip_verify (options));

  positional = braid_client_endpoint_new_for_string ("tls:example.com:443", &error);
  g_assert_no_error (error);
  g_assert_nonnull (braid_client_endpoint_connect (positional, BRAID_REACTOR (reactor), factory, &error));
  options = braid_tls_factory_get_options (BRAID_TLS_FACTORY (braid_memory_reactor_get_tcp_client (reactor, 1)->factory));
  g_assert_cmpstr (braid_tls_options_get_hostname (options), ==, "example.com");
}

static void
test_client_endpoint_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidClientEndpoint) endpoint = NULL;
  g_autofree char *key = escaped_fixture ("server-key.pem");
  g_autofree char *no_ca = g_strdup_printf ("tls:host=localhost:port=1:trustRoots=%s", key);

  endpoint = braid_client_endpoint_new_for_string ("tls:port=443", &error);
  g_assert_null (endpoint);
  g_assert_nonnull (strstr (error->message, "host: missing"));
  g_clear_error (&error);
  endpoint = braid_client_endpoint_new_for_string (no_ca, &error);
  g_assert_null (endpoint);
  g_assert_error (error, BRAID_TLS_ERROR, BRAID_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  endpoint = braid_client_endpoint_new_for_string ("tls:h:1:extra", &error);
  g_assert_null (endpoint);
  g_assert_cmpstr (error->message, ==, "tls: unexpected argument 'extra'");
  g_clear_error (&error);
  endpoint = braid_client_endpoint_new_for_string ("tls:host=h:port=1:certificate=/nonexistent.pem", &error);
  g_assert_null (endpoint);
  g_assert_nonnull (strstr (error->message, "cannot read /nonexistent.pem"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/tls/echo/one-byte-chunks", test_echo_one_byte_chunks_and_clean_close);
  braid_test_add_func ("/tls/echo/large-and-sequence", test_large_echo_and_write_sequence);
  braid_test_add_func ("/tls/close/server-side", test_server_closes_cleanly);
  braid_test_add_func ("/tls/close/before-handshake", test_close_before_handshake_sends_first);
  braid_test_add_func ("/tls/close/truncated", test_close_without_close_notify_is_truncation);
  braid_test_add_func ("/tls/close/during-handshake", test_close_during_handshake);
  braid_test_add_func ("/tls/close/close-notify-sent-then-closed", test_close_notify_sent_then_closed);
  braid_test_add_func ("/tls/close/disconnecting-follows-the-connection", test_disconnecting_follows_the_connection);
  braid_test_add_func ("/tls/close/abort", test_abort);
  braid_test_add_func ("/tls/addresses", test_addresses_are_the_connection_s);
  braid_test_add_func ("/tls/handshake/expired", test_handshake_expired_certificate);
  braid_test_add_func ("/tls/handshake/not-valid-yet", test_handshake_not_valid_yet);
  braid_test_add_func ("/tls/handshake/hostname-mismatch", test_handshake_hostname_mismatch);
  braid_test_add_func ("/tls/handshake/unknown-ca", test_handshake_unknown_ca);
  braid_test_add_func ("/tls/handshake/protocol-version", test_handshake_protocol_version);
  braid_test_add_func ("/tls/handshake/no-version-in-common", test_handshake_no_version_in_common);
  braid_test_add_func ("/tls/handshake/client-certificate-required", test_handshake_client_certificate_required);
  braid_test_add_func ("/tls/handshake/client-certificate-accepted", test_client_certificate_accepted);
  braid_test_add_func ("/tls/handshake/client-certificate-unknown-ca", test_client_certificate_from_unknown_ca_refused);
  braid_test_add_func ("/tls/handshake/certificate-without-names", test_handshake_certificate_without_names);
  braid_test_add_func ("/tls/handshake/client-certificate-expired", test_handshake_client_certificate_expired);
  braid_test_add_func ("/tls/handshake/insecure-skip-verify", test_insecure_skip_verify_accepts_and_warns);
  braid_test_add_func ("/tls/handshake/system-trust-default", test_system_trust_is_the_default);
  braid_test_add_func ("/tls/sni", test_sni_chooses_the_certificate);
  braid_test_add_func ("/tls/alpn/negotiates", test_alpn_negotiates);
  braid_test_add_func ("/tls/alpn/nothing-in-common", test_alpn_nothing_in_common_fails);
  braid_test_add_func ("/tls/bad-input/certificate-files", test_bad_certificate_files);
  braid_test_add_func ("/tls/bad-input/plain-text", test_plain_text_to_a_tls_port);
  braid_test_add_func ("/tls/bad-input/plain-text-low-first-byte", test_plain_text_low_first_byte);
  braid_test_add_func ("/tls/bad-input/calls-after-failure-and-loss", test_calls_after_failure_and_loss);
  braid_test_add_func ("/tls/bad-input/plain-text-second-byte", test_plain_text_second_byte);
  braid_test_add_func ("/tls/bad-input/garbage-records", test_garbage_records_fail_the_handshake);
  braid_test_add_func ("/tls/bad-input/tampered-record", test_tampered_record_closes_the_connection);
  braid_test_add_func ("/tls/flow/pause", test_pause_holds_decrypted_data);
  braid_test_add_func ("/tls/flow/pause-inside-data-received", test_pause_inside_data_received_stops_delivery);
  braid_test_add_func ("/tls/flow/producer", test_producer_passes_through);
  braid_test_add_func ("/tls/flow/resume-inside-data-received", test_resume_inside_data_received_does_not_reenter);
  braid_test_add_func ("/tls/echo/sequence-before-handshake", test_write_sequence_before_the_handshake);
  braid_test_add_func ("/tls/factory/wraps-and-forwards", test_factory_wraps_and_forwards);
  braid_test_add_func ("/tls/factory/plain-factory", test_factory_of_a_plain_factory);
  braid_test_add_func ("/tls/endpoint/server", test_server_endpoint);
  braid_test_add_func ("/tls/endpoint/server-errors", test_server_endpoint_errors);
  braid_test_add_func ("/tls/endpoint/client", test_client_endpoint);
  braid_test_add_func ("/tls/endpoint/client-errors", test_client_endpoint_errors);

  return g_test_run ();
}
