/* echo-tls-server.c: lesson 01's echo, over TLS. Run it with the test
 * certificate, then talk to it with `openssl s_client` (README, "The same
 * echo, over TLS"). */
#include <braid.h>

#include "echo.h"
#include "lesson-options.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidTlsOptions) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *cert = NULL, *key = NULL;
  GOptionEntry tls_entries[] = {
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "the server's certificate chain (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "its private key (PEM)", "FILE" },
    { NULL }
  };
  BraidListeningPort *listening;
  guint16 port = 8443;

  if (!lesson_parse_options (&argc, &argv, "Lesson 01: an echo server, over TLS.",
                             &port, tls_entries, &error))
    return braid_exit_with_error (error);
  if (cert == NULL || key == NULL)
    {
      g_printerr ("give --cert FILE and --key FILE (try tests/fixtures/tls/server.pem "
                  "and tests/fixtures/tls/server-key.pem)\n");
      return 2;
    }

  options = braid_tls_options_new_server (cert, key, &error);
  if (options == NULL)
    return braid_exit_with_error (error);
  listening = echo_tls_server_listen (reactor, port, options, &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (listening);
  g_print ("Echo server listening on 127.0.0.1:%u, over TLS\n", port);
  g_print ("Talk to it:  openssl s_client -connect 127.0.0.1:%u -CAfile tests/fixtures/tls/ca.pem "
           "-verify_hostname localhost -quiet\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
