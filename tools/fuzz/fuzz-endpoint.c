/* fuzz-endpoint.c: libFuzzer target for the endpoint string parser.
 *
 * The input is an endpoint string. Invariants, for any input:
 *
 * - parsing succeeds, or fails with G_IO_ERROR_INVALID_ARGUMENT and a
 *   message that names a field ("NAME: ...");
 * - a parsed description has a non-empty, lower-case type;
 * - the server and client parsers agree with the description parser: when
 *   it fails, they fail with the same message;
 * - an endpoint that parses listens or connects on the memory reactor
 *   without crashing, and fails, if it does, with an error. */
#include "fuzz-common.h"

static void
check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->message != NULL && strstr (error->message, ": ") != NULL);
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) server_error = NULL;
  g_autoptr (GError) client_error = NULL;
  g_autoptr (BraidEndpointDescription) description = NULL;
  g_autoptr (BraidServerEndpoint) server = NULL;
  g_autoptr (BraidClientEndpoint) client = NULL;

  fuzz_quiet_logs ();
  /* systemd: must not find sockets passed to the fuzzer. */
  g_unsetenv ("LISTEN_PID");

  description = braid_endpoint_description_parse (text, &error);
  server = braid_server_endpoint_new_for_string (text, &server_error);
  client = braid_client_endpoint_new_for_string (text, &client_error);
  if (description == NULL)
    {
      check_error (error);
      FUZZ_CHECK (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_INVALID_ARGUMENT);
      FUZZ_CHECK (server == NULL && client == NULL);
      FUZZ_CHECK (g_str_equal (error->message, server_error->message));
      FUZZ_CHECK (g_str_equal (error->message, client_error->message));
      return 0;
    }
  FUZZ_CHECK (description->type[0] != '\0');
  for (const char *p = description->type; *p != '\0'; p++)
    FUZZ_CHECK (!g_ascii_isupper (*p));
  if (server == NULL)
    check_error (server_error);
  if (client == NULL)
    check_error (client_error);

  /* Never a real socket: the memory reactor only records. UNIX paths are
   * skipped (a lock file or chmod would touch the file system). */
  if (server != NULL && !g_str_equal (description->type, "unix"))
    {
      g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
      g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
      g_autoptr (GError) listen_error = NULL;
      BraidListeningPort *port = braid_server_endpoint_listen (server, BRAID_REACTOR (reactor),
                                                               factory, &listen_error);

      FUZZ_CHECK ((port == NULL) == (listen_error != NULL));
    }
  if (client != NULL)
    {
      g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
      g_autoptr (BraidClientFactory) factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);
      g_autoptr (GError) connect_error = NULL;
      BraidConnector *connector = braid_client_endpoint_connect (client, BRAID_REACTOR (reactor),
                                                                 factory, &connect_error);

      FUZZ_CHECK ((connector == NULL) == (connect_error != NULL));
    }
  return 0;
}
