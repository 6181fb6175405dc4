/* test-tls-interop.c: Braid's TLS against other TLS stacks on 127.0.0.1:
 * Python's ssl module (OpenSSL) as client and server, `openssl s_client`.
 * Every peer is a subprocess bounded in time; the test CA is
 * tests/fixtures/tls/. */
#include <string.h>

#include "reactor-test-common.h"

#define PEER_SECONDS 10

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "tls", name, NULL);
}

typedef struct
{
  gboolean done;
  char *out;
  char *err;
} PeerRun;

static void
peer_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PeerRun *run = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

/* Runs @argv with @input on its stdin while the reactor runs; returns its
 * exit status, its output in @out. Killed (and the test failed) after
 * PEER_SECONDS. */
static int
run_peer (TestEnv *env, const char * const *argv, const char *input, char **out, char **err)
{
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + PEER_SECONDS * G_USEC_PER_SEC;
  PeerRun run = { 0 };

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, peer_done, &run);
  while (!run.done)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (process);
          g_error ("%s did not finish in %d s", argv[0], PEER_SECONDS);
        }
      g_main_context_iteration (env->context, TRUE);
    }
  g_subprocess_wait (process, NULL, NULL);
  *out = run.out;
  *err = run.err;
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static guint16
listen_tls (TestEnv *env, RecFactory *inner, const char *cert)
{
  g_autofree char *cert_file = g_strdup_printf ("%s.pem", cert);
  g_autofree char *key_file = g_strdup_printf ("%s-key.pem", cert);
  g_autofree char *cert_path = fixture (cert_file);
  g_autofree char *key_path = fixture (key_file);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidTlsOptions) options = braid_tls_options_new_server (cert_path, key_path, &error);
  g_autoptr (BraidTlsFactory) tls = NULL;

  g_assert_no_error (error);
  tls = braid_tls_factory_new (options, BRAID_FACTORY (inner));
  return listen_local (env, BRAID_FACTORY (tls));
}

static const char python_client[] =
  "import socket, ssl, sys\n"
  "port, ca = int(sys.argv[1]), sys.argv[2]\n"
  "context = ssl.create_default_context(cafile=ca if ca != '-' else None)\n"
  "try:\n"
  "    raw = socket.create_connection(('127.0.0.1', port), timeout=5)\n"
  "    s = context.wrap_socket(raw, server_hostname='localhost')\n"
  "except ssl.SSLError as e:\n"
  "    print('refused', e.reason)\n"
  "    sys.exit(0)\n"
  "s.sendall(b'ping over TLS')\n"
  "got = b''\n"
  "while len(got) < 13:\n"
  "    got += s.recv(100)\n"
  "version = s.version()\n"
  "s = s.unwrap()\n"          /* our close_notify, and the server's back */
  "s.close()\n"
  "print(version, got.decode())\n";

static void
test_python_client_to_braid_server (void)
{
  TestEnv env;
  g_autoptr (RecFactory) inner = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  g_autofree char *ca = fixture ("ca.pem");
  g_autofree char *port = NULL;
  g_autofree char *out = NULL, *err = NULL;

  test_env_init (&env);
  port = g_strdup_printf ("%u", listen_tls (&env, inner, "server"));
  {
    const char *argv[] = { "python3", "-c", python_client, port, ca, NULL };

    g_assert_cmpint (run_peer (&env, argv, "", &out, &err), ==, 0);
  }
  g_assert_cmpstr (out, ==, "TLSv1.3 ping over TLS\n");
  WAIT_FOR (&env, inner->protocols->len == 1 && rec_factory_state (inner, 0)->lost != NULL);
  g_assert_error (rec_factory_state (inner, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  test_env_clear (&env);
}

static void
test_python_client_refuses_unknown_ca (void)
{
  TestEnv env;
  g_autoptr (RecFactory) inner = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  g_autofree char *port = NULL;
  g_autofree char *out = NULL, *err = NULL;

  test_env_init (&env);
  port = g_strdup_printf ("%u", listen_tls (&env, inner, "server"));
  {
    /* The system's CAs: the test CA is not one of them. */
    const char *argv[] = { "python3", "-c", python_client, port, "-", NULL };

    g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*TLS handshake failed*");
    g_assert_cmpint (run_peer (&env, argv, "", &out, &err), ==, 0);
  }
  g_assert_cmpstr (out, ==, "refused CERTIFICATE_VERIFY_FAILED\n");
  WAIT_FOR (&env, inner->protocols->len == 1 && rec_factory_state (inner, 0)->lost != NULL);
  g_test_assert_expected_messages ();
  /* OpenSSL's alert arrives under keys GnuTLS cannot read yet: the reason
   * says what that usually means. */
  g_assert_error (rec_factory_state (inner, 0)->lost, BRAID_TLS_ERROR, BRAID_TLS_ERROR_FAILED);
  g_assert_nonnull (strstr (rec_factory_state (inner, 0)->lost->message, "refuses this side's certificate"));
  test_env_clear (&env);
}

static void
test_openssl_s_client_to_braid_server (void)
{
  TestEnv env;
  g_autoptr (RecFactory) inner = rec_factory_new (REC_TYPE_PROTOCOL, REC_LOSE_ON_MADE);
  g_autofree char *ca = fixture ("ca.pem");
  g_autofree char *address = NULL;
  g_autofree char *out = NULL, *err = NULL;

  inner->greeting = g_bytes_new_static ("hello from Braid\n", 17);
  test_env_init (&env);
  address = g_strdup_printf ("127.0.0.1:%u", listen_tls (&env, inner, "server"));
  {
    /* -ign_eof: s_client reads until the server closes (close_notify). */
    const char *argv[] = { "openssl", "s_client", "-connect", address, "-servername", "localhost",
                           "-verify_hostname", "localhost", "-CAfile", ca, "-verify_return_error",
                           "-brief", "-ign_eof", NULL };

    g_assert_cmpint (run_peer (&env, argv, "", &out, &err), ==, 0);
  }
  g_assert_nonnull (strstr (out, "hello from Braid\n"));
  if (strstr (err, "Verification: OK") == NULL || strstr (err, "Protocol version: TLSv1.3") == NULL)
    g_error ("s_client said:\n%s", err);
  WAIT_FOR (&env, inner->protocols->len == 1 && rec_factory_state (inner, 0)->lost != NULL);
  g_assert_error (rec_factory_state (inner, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  test_env_clear (&env);
}

static void
test_openssl_s_client_tls12 (void)
{
  TestEnv env;
  g_autoptr (RecFactory) inner = rec_factory_new (REC_TYPE_PROTOCOL, REC_LOSE_ON_MADE);
  g_autofree char *ca = fixture ("ca.pem");
  g_autofree char *address = NULL;
  g_autofree char *out = NULL, *err = NULL;

  inner->greeting = g_bytes_new_static ("twelve\n", 7);
  test_env_init (&env);
  address = g_strdup_printf ("127.0.0.1:%u", listen_tls (&env, inner, "server"));
  {
    const char *argv[] = { "openssl", "s_client", "-connect", address, "-CAfile", ca,
                           "-verify_return_error", "-brief", "-ign_eof", "-tls1_2", NULL };

    g_assert_cmpint (run_peer (&env, argv, "", &out, &err), ==, 0);
  }
  g_assert_nonnull (strstr (out, "twelve\n"));
  g_assert_nonnull (strstr (err, "Protocol version: TLSv1.2"));
  test_env_clear (&env);
}

static const char python_server[] =
  "import socket, ssl, sys\n"
  "cert, key = sys.argv[1], sys.argv[2]\n"
  "context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
  "context.load_cert_chain(cert, key)\n"
  "listener = socket.create_server(('127.0.0.1', 0))\n"
  "listener.settimeout(5)\n"
  "print(listener.getsockname()[1], flush=True)\n"
  "raw, _ = listener.accept()\n"
  "s = context.wrap_socket(raw, server_side=True)\n"
  "got = b''\n"
  "while not got.endswith(b'\\n'):\n"
  "    got += s.recv(100)\n"
  "s.sendall(b'pong ' + got)\n"
  "s = s.unwrap()\n"
  "s.close()\n"
  "print('served', got.decode().strip(), flush=True)\n";

static void
test_braid_client_to_python_server (void)
{
  TestEnv env;
  g_autoptr (RecFactory) inner = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *cert = fixture ("server.pem");
  g_autofree char *key = fixture ("server-key.pem");
  g_autofree char *ca = fixture ("ca.pem");
  g_autoptr (BraidTlsOptions) options = braid_tls_options_new_client ("localhost");
  g_autoptr (BraidTlsFactory) tls = NULL;
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port_line = NULL, *served = NULL;
  const char *argv[] = { "python3", "-c", python_server, cert, key, NULL };

  test_env_init (&env);
  g_assert_true (braid_tls_options_set_trust_roots (options, ca, &error));
  inner->greeting = g_bytes_new_static ("ping\n", 5);
  tls = braid_tls_factory_new (options, BRAID_FACTORY (inner));
  server = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  port_line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (port_line);
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", (guint16) atoi (port_line), BRAID_CLIENT_FACTORY (tls));
  WAIT_FOR (&env, inner->protocols->len == 1 && rec_factory_state (inner, 0)->lost != NULL);
  g_assert_cmpstr (rec_factory_state (inner, 0)->received->str, ==, "pong ping\n");
  g_assert_error (rec_factory_state (inner, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  served = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_cmpstr (served, ==, "served ping");
  g_assert_true (g_subprocess_wait_check (server, NULL, &error));
  test_env_clear (&env);
}

static void
test_braid_client_and_server_over_tcp (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, REC_ECHO);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *ca = fixture ("ca.pem");
  g_autoptr (BraidTlsOptions) options = braid_tls_options_new_client ("127.0.0.1");
  g_autoptr (BraidTlsFactory) tls = NULL;
  g_autoptr (GString) big = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  guint16 port;

  test_env_init (&env);
  port = listen_tls (&env, server, "server");
  g_assert_true (braid_tls_options_set_trust_roots (options, ca, &error));
  for (guint i = 0; big->len < 1000000; i++)
    g_string_append_printf (big, "%u\n", i);
  client->greeting = g_bytes_new (big->str, big->len);
  tls = braid_tls_factory_new (options, BRAID_FACTORY (client));
  braid_reactor_connect_tcp (env.reactor, "127.0.0.1", port, BRAID_CLIENT_FACTORY (tls));
  WAIT_FOR (&env, client->protocols->len == 1 && rec_factory_state (client, 0)->received->len == big->len);
  g_assert_cmpstr (rec_factory_state (client, 0)->received->str, ==, big->str);
  braid_transport_lose_connection (braid_protocol_get_transport (g_ptr_array_index (client->protocols, 0)));
  WAIT_FOR (&env, rec_factory_state (client, 0)->lost != NULL && rec_factory_state (server, 0)->lost != NULL);
  g_assert_error (rec_factory_state (client, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  g_assert_error (rec_factory_state (server, 0)->lost, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
  test_env_clear (&env);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tls-interop/python/client-to-braid", test_python_client_to_braid_server);
  g_test_add_func ("/tls-interop/python/client-refuses-unknown-ca", test_python_client_refuses_unknown_ca);
  g_test_add_func ("/tls-interop/python/braid-to-server", test_braid_client_to_python_server);
  g_test_add_func ("/tls-interop/openssl/s-client", test_openssl_s_client_to_braid_server);
  g_test_add_func ("/tls-interop/openssl/s-client-tls12", test_openssl_s_client_tls12);
  g_test_add_func ("/tls-interop/braid/both-sides-over-tcp", test_braid_client_and_server_over_tcp);

  return g_test_run ();
}
