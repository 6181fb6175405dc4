/* braid-echo-server.c: the Braid side of the echo benchmark.
 *
 * Written the way a user would write an echo server (lesson 01): a protocol
 * whose data_received writes the bytes back. Nothing is tuned for the
 * benchmark, so the figures measure the framework.
 *
 *   braid-echo-server --port 0      # prints the port it listens on
 *   braid-echo-server --port 0 --tls-cert server.pem --tls-key server-key.pem
 *                                   # the same protocol behind TLS
 *                                   # (tools/bench/run-tls-bench)
 */
#include <stdio.h>
#include <sys/resource.h>

#include <braid.h>

G_DECLARE_FINAL_TYPE (EchoProtocol, echo_protocol, ECHO, PROTOCOL, BraidProtocol)
struct _EchoProtocol { BraidProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (EchoProtocol, echo_protocol, BRAID_TYPE_PROTOCOL)

static void
echo_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

/* An echo answers what it reads, so a peer that does not read what it is
 * sent must not be read from either: the transport is registered as its
 * own streaming producer, and stops reading from the socket while more
 * than BRAID_SOCKET_TRANSPORT_HIGH_WATER bytes wait to be sent (TCP then
 * slows the peer down). Without it, such a peer is cut off at the write
 * buffer limit instead. */
static void
echo_protocol_connection_made (BraidProtocol *protocol)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  braid_transport_register_producer (transport, BRAID_PRODUCER (transport), TRUE);
}

static void
echo_protocol_class_init (EchoProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = echo_protocol_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->data_received = echo_protocol_data_received;
}

static void
echo_protocol_init (EchoProtocol *self)
{
}

/* The benchmark holds thousands of idle connections open: allow as many
 * descriptors as the system lets this process have. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
main (int argc, char **argv)
{
  int port = 0;
  g_autofree char *tls_cert = NULL, *tls_key = NULL;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1 (0: any free port)", "N" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "serve TLS with this certificate chain", "PEM" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "the certificate's private key", "PEM" },
    { NULL }
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- Braid echo server");
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidReactor) reactor = NULL;
  g_autoptr (BraidFactory) factory = NULL;
  BraidListeningPort *listening;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return braid_exit_with_error (error);
  if (port < 0 || port > 65535)
    {
      g_printerr ("--port must be between 0 and 65535\n");
      return 2;
    }

  raise_fd_limit ();
  reactor = braid_glib_reactor_new (NULL);
  factory = braid_factory_new (echo_protocol_get_type ());
  if (tls_cert != NULL || tls_key != NULL)
    {
      g_autoptr (BraidTlsOptions) tls = NULL;

      if (tls_cert == NULL || tls_key == NULL)
        {
          g_printerr ("give --tls-cert and --tls-key together\n");
          return 2;
        }
      tls = braid_tls_options_new_server (tls_cert, tls_key, &error);
      if (tls == NULL)
        return braid_exit_with_error (error);
      {
        BraidFactory *wrapping = BRAID_FACTORY (braid_tls_factory_new (tls, factory));

        g_object_unref (factory);   /* the TLS factory holds it */
        factory = wrapping;
      }
    }
  listening = braid_reactor_listen_tcp_full (reactor, port, factory, 4096, "127.0.0.1", &error);
  if (listening == NULL)
    return braid_exit_with_error (error);

  printf ("%u\n", braid_listening_port_get_port (listening));
  fflush (stdout);
  braid_reactor_run (reactor);
  return 0;
}
