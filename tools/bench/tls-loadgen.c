/* tls-loadgen.c: the load generator of the TLS echo benchmark
 * (tools/bench/run-tls-bench): N connections, one thread each, every one
 * sending a SIZE-byte message and reading the echo back, for SECONDS.
 * The same program drives the plain-TCP server (--plain), so the two
 * figures of a run differ only by TLS on the server and in this client.
 *
 *   tls-loadgen --port P --connections 10 --size 1024 --seconds 3 --ca ca.pem
 *   tls-loadgen --port P --connections 10 --size 1024 --seconds 3 --plain
 *
 * Prints one line of JSON: {"requests_per_s": R, "mb_per_s": M, "errors": E}.
 * Plain C on GLib and GnuTLS, no libbraid: the client is not the thing
 * measured. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>
#include <glib.h>

static int port;
static int connections = 10;
static int size = 1024;
static double seconds = 3;
static char *ca;
static gboolean plain;

static gnutls_certificate_credentials_t credentials;
static gint64 deadline;

typedef struct
{
  guint64 requests;
  gboolean failed;
} Result;

static gboolean
io_all (int fd, gnutls_session_t session, guint8 *buffer, gsize len, gboolean sending)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n;

      if (session != NULL)
        n = sending ? gnutls_record_send (session, buffer + done, len - done)
                    : gnutls_record_recv (session, buffer + done, len - done);
      else
        n = sending ? send (fd, buffer + done, len - done, MSG_NOSIGNAL)
                    : recv (fd, buffer + done, len - done, 0);
      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED || (n < 0 && session == NULL && errno == EINTR))
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

static gpointer
run_connection (gpointer data)
{
  Result *result = data;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  g_autofree guint8 *out = g_malloc (size);
  g_autofree guint8 *in = g_malloc (size);
  gnutls_session_t session = NULL;
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  memset (out, 'x', size);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    goto fail;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!plain)
    {
      int ret;

      gnutls_init (&session, GNUTLS_CLIENT);
      gnutls_set_default_priority (session);
      gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, credentials);
      gnutls_server_name_set (session, GNUTLS_NAME_DNS, "localhost", strlen ("localhost"));
      gnutls_session_set_verify_cert (session, "localhost", 0);
      gnutls_transport_set_int (session, fd);
      do
        ret = gnutls_handshake (session);
      while (ret < 0 && !gnutls_error_is_fatal (ret));
      if (ret < 0)
        {
          g_printerr ("tls-loadgen: handshake: %s\n", gnutls_strerror (ret));
          goto fail;
        }
    }
  while (g_get_monotonic_time () < deadline)
    {
      if (!io_all (fd, session, out, size, TRUE) || !io_all (fd, session, in, size, FALSE))
        goto fail;
      result->requests++;
    }
  if (session != NULL)
    {
      gnutls_bye (session, GNUTLS_SHUT_WR);
      gnutls_deinit (session);
    }
  close (fd);
  return NULL;
fail:
  result->failed = TRUE;
  if (session != NULL)
    gnutls_deinit (session);
  if (fd >= 0)
    close (fd);
  return NULL;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "the server's port on 127.0.0.1", "N" },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &connections, "connections, one thread each (10)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "message size in bytes (1024)", "BYTES" },
    { "seconds", 't', 0, G_OPTION_ARG_DOUBLE, &seconds, "how long (3)", "S" },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "the CA that signed the server's certificate", "PEM" },
    { "plain", 0, 0, G_OPTION_ARG_NONE, &plain, "plain TCP, no TLS", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- TLS echo load generator");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  g_autofree Result *results = NULL;
  guint64 total = 0;
  guint errors = 0;
  gint64 start;
  double elapsed;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tls-loadgen: %s\n", error->message);
      return 2;
    }
  if (port <= 0 || port > 65535 || connections < 1 || size < 1 || seconds <= 0 || (!plain && ca == NULL))
    {
      g_printerr ("tls-loadgen: give --port, and --ca (or --plain); see --help\n");
      return 2;
    }
  if (!plain)
    {
      gnutls_certificate_allocate_credentials (&credentials);
      if (gnutls_certificate_set_x509_trust_file (credentials, ca, GNUTLS_X509_FMT_PEM) <= 0)
        {
          g_printerr ("tls-loadgen: no CA certificate in %s\n", ca);
          return 2;
        }
    }
  results = g_new0 (Result, connections);
  start = g_get_monotonic_time ();
  deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  for (int i = 0; i < connections; i++)
    g_ptr_array_add (threads, g_thread_new ("connection", run_connection, &results[i]));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  for (int i = 0; i < connections; i++)
    {
      total += results[i].requests;
      errors += results[i].failed;
    }
  printf ("{\"requests_per_s\": %.1f, \"mb_per_s\": %.2f, \"errors\": %u}\n",
          total / elapsed, total * (double) size / elapsed / 1e6, errors);
  if (credentials != NULL)
    gnutls_certificate_free_credentials (credentials);
  g_free (ca);
  return errors == 0 ? 0 : 1;
}
