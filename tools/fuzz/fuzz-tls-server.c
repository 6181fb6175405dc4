/* fuzz-tls-server.c: libFuzzer target for the TLS record path: arbitrary
 * bytes, as a client's records, to a BraidTlsProtocol server over a
 * string transport (its certificate is the test CA's, in
 * tests/fixtures/tls/).
 *
 * The first byte sets the chunk size the rest is fed in. Whatever the
 * input, for any split:
 * - nothing crashes or leaks (ASan);
 * - the protocol inside hears nothing before the handshake is done
 *   (random bytes never complete one), and hears connection_lost once;
 * - a failure closes the connection (lose_connection on the transport). */
#include "fuzz-common.h"

#ifndef TLS_FIXTURES
#error "TLS_FIXTURES must name tests/fixtures/tls"
#endif

static BraidTlsOptions *options;

G_DECLARE_FINAL_TYPE (FuzzInner, fuzz_inner, FUZZ, INNER, BraidProtocol)
struct _FuzzInner
{
  BraidProtocol parent_instance;
  gsize received;
  guint lost;
};
G_DEFINE_FINAL_TYPE (FuzzInner, fuzz_inner, BRAID_TYPE_PROTOCOL)

static void
fuzz_inner_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  FUZZ_INNER (protocol)->received += len;
}

static void
fuzz_inner_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  FUZZ_CHECK (reason != NULL);
  FUZZ_INNER (protocol)->lost++;
}

static void
fuzz_inner_class_init (FuzzInnerClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = fuzz_inner_data_received;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = fuzz_inner_connection_lost;
}

static void
fuzz_inner_init (FuzzInner *self)
{
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (BraidStringTransport) transport = NULL;
  g_autoptr (BraidTlsProtocol) tls = NULL;
  g_autoptr (GError) reason = NULL;
  FuzzInner *inner;
  gsize chunk;

  if (size < 1)
    return 0;
  fuzz_quiet_logs ();
  if (options == NULL)
    {
      g_autoptr (GError) error = NULL;

      options = braid_tls_options_new_server (TLS_FIXTURES "/server.pem",
                                              TLS_FIXTURES "/server-key.pem", &error);
      FUZZ_CHECK (options != NULL);
    }
  chunk = data[0] == 0 ? 0 : data[0] % 64 + 1;
  data++;
  size--;

  inner = g_object_new (fuzz_inner_get_type (), NULL);
  tls = braid_tls_protocol_new (options, BRAID_PROTOCOL (inner));
  g_object_unref (inner);   /* the wrapper owns it until the close */
  transport = braid_string_transport_new ();
  braid_protocol_make_connection (BRAID_PROTOCOL (tls), BRAID_TRANSPORT (transport));
  fuzz_feed (BRAID_PROTOCOL (tls), data, size, chunk);
  if (!braid_tls_protocol_is_handshake_done (tls))
    FUZZ_CHECK (inner->received == 0);
  /* The connection goes, as the transport would say. */
  g_object_ref (inner);
  reason = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "fuzz: closed");
  braid_protocol_connection_lost (BRAID_PROTOCOL (tls), reason);
  FUZZ_CHECK (inner->lost == 1);
  FUZZ_CHECK (braid_tls_protocol_get_wrapped_protocol (tls) == NULL);
  g_object_unref (inner);
  return 0;
}
