/* test-dns-dig.c: `braidd dns` on 127.0.0.1 answering dig (bind9-dnsutils):
 * the seeds' hosts file, NXDOMAIN, forwarding to a second braidd dns as the
 * upstream, SERVFAIL when the upstream is silent. Ports are chosen by the
 * system (--port 0) and read from the log; every braidd is stopped with
 * SIGTERM and waited for. Skipped when dig is not installed. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <braid.h>

#define DEADLINE_SECONDS 10

static const char *braidd;
static char *dig;
static char *tmpdir;

typedef struct
{
  GSubprocess *process;
  char *log;
  guint16 port;
} Server;

static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
server_start (Server *server, const char *name, const char *hosts_text, const char *upstream,
              const char *timeout)
{
  g_autofree char *hosts_name = g_strconcat (name, ".hosts", NULL);
  g_autofree char *hosts = write_file (hosts_name, hosts_text);
  g_autofree char *log_name = g_strconcat (name, ".log", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  const char *needle = "answering DNS on UDP 127.0.0.1:";

  server->log = g_build_filename (tmpdir, log_name, NULL);
  g_ptr_array_add (argv, g_strdup (braidd));
  g_ptr_array_add (argv, g_strdup_printf ("--logfile=%s", server->log));
  g_ptr_array_add (argv, g_strdup ("dns"));
  g_ptr_array_add (argv, g_strdup ("--port=0"));
  g_ptr_array_add (argv, g_strdup_printf ("--hosts-file=%s", hosts));
  if (upstream != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--upstream=%s", upstream));
  if (timeout != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--timeout=%s", timeout));
  g_ptr_array_add (argv, NULL);
  server->process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE,
                                       &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;
      const char *found;

      if (g_file_get_contents (server->log, &contents, NULL, NULL)
          && (found = strstr (contents, needle)) != NULL)
        {
          server->port = g_ascii_strtoull (found + strlen (needle), NULL, 10);
          g_assert_cmpuint (server->port, !=, 0);
          return;
        }
      g_usleep (20 * 1000);
    }
  g_error ("braidd dns never logged that it listens (%s)", server->log);
}

static void
server_stop (Server *server)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_true (g_subprocess_wait (server->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
  g_unlink (server->log);
  g_free (server->log);
}

/* dig's answer section (+short) or its whole output. */
static char *
run_dig (guint16 port, const char *name, const char *type, gboolean shortly)
{
  g_autofree char *at_port = g_strdup_printf ("%u", port);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, dig, "@127.0.0.1", "-p",
                              at_port, name, type, "+tries=1", "+time=3",
                              shortly ? "+short" : "+noall", shortly ? "+nocmd" : "+comments",
                              NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  return out;
}

static const char seeds_hosts[] =
  "# /etc/hosts-alike format\n"
  "127.0.0.1 facebook.com\n"
  "127.0.0.1 twitter.com\n"
  "127.0.0.1 reddit.com\n";

static void
test_hosts_file_answers_dig (void)
{
  Server server = { 0 };
  g_autofree char *a = NULL, *aaaa = NULL, *unknown = NULL;

  g_test_summary ("braidd dns answers dig from the seeds' hosts file: facebook.com is "
                  "127.0.0.1; no AAAA is an empty NOERROR; another name is NXDOMAIN");
  server_start (&server, "seeds", seeds_hosts, NULL, NULL);
  a = run_dig (server.port, "facebook.com", "A", TRUE);
  g_assert_cmpstr (a, ==, "127.0.0.1\n");
  aaaa = run_dig (server.port, "facebook.com", "AAAA", FALSE);
  g_assert_nonnull (strstr (aaaa, "status: NOERROR"));
  g_assert_nonnull (strstr (aaaa, "ANSWER: 0"));
  g_assert_nonnull (strstr (aaaa, "flags: qr aa rd"));
  unknown = run_dig (server.port, "example.org", "A", FALSE);
  g_assert_nonnull (strstr (unknown, "status: NXDOMAIN"));
  server_stop (&server);
}

static void
test_forwards_to_upstream (void)
{
  Server upstream = { 0 }, front = { 0 };
  g_autofree char *where = NULL;
  g_autofree char *forwarded = NULL, *local = NULL, *missing = NULL;

  g_test_summary ("A second braidd dns with --upstream forwards the names it does not have "
                  "to the first, answers its own, and relays the upstream's NXDOMAIN");
  server_start (&upstream, "upstream", "10.1.2.3 social.example\n", NULL, NULL);
  where = g_strdup_printf ("127.0.0.1:%u", upstream.port);
  server_start (&front, "front", seeds_hosts, where, NULL);
  forwarded = run_dig (front.port, "social.example", "A", TRUE);
  g_assert_cmpstr (forwarded, ==, "10.1.2.3\n");
  local = run_dig (front.port, "reddit.com", "A", TRUE);
  g_assert_cmpstr (local, ==, "127.0.0.1\n");
  missing = run_dig (front.port, "nowhere.example", "A", FALSE);
  g_assert_nonnull (strstr (missing, "status: NXDOMAIN"));
  server_stop (&front);
  server_stop (&upstream);
}

static void
test_silent_upstream_servfail (void)
{
  Server front = { 0 };
  int silent = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  g_autofree char *where = NULL, *reply = NULL, *log = NULL;

  g_test_summary ("An upstream that never answers gets the client SERVFAIL after --timeout, "
                  "and the reason is logged");
  g_assert_cmpint (bind (silent, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (getsockname (silent, (struct sockaddr *) &sin, &len), ==, 0);
  where = g_strdup_printf ("127.0.0.1:%u", ntohs (sin.sin_port));
  server_start (&front, "silent", seeds_hosts, where, "0.5");
  reply = run_dig (front.port, "example.org", "A", FALSE);
  g_assert_nonnull (strstr (reply, "status: SERVFAIL"));
  g_assert_true (g_file_get_contents (front.log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "did not answer example.org within 0.5 s: SERVFAIL"));
  server_stop (&front);
  close (silent);
}

static void
test_port_in_use_is_refused (void)
{
  int taken = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  g_autofree char *port = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_test_summary ("A UDP port in use: braidd dns exits 1 with one line saying so");
  g_assert_cmpint (bind (taken, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (getsockname (taken, (struct sockaddr *) &sin, &len), ==, 0);
  port = g_strdup_printf ("%u", ntohs (sin.sin_port));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                              &error, braidd, "dns", "--port", port, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_true (g_pattern_match_simple ("braidd: service 'dns': *Address already in use\n", err));
  close (taken);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  braidd = g_getenv ("BRAIDD");
  dig = g_find_program_in_path ("dig");
  tmpdir = g_dir_make_tmp ("braid-dns-dig-XXXXXX", NULL);
  if (braidd == NULL || dig == NULL)
    {
      g_print ("1..0 # SKIP %s\n", braidd == NULL ? "BRAIDD is not set" : "dig is not installed (bind9-dnsutils)");
      return 77;
    }
  g_test_add_func ("/dns-dig/hosts-file-answers-dig", test_hosts_file_answers_dig);
  g_test_add_func ("/dns-dig/forwards-to-upstream", test_forwards_to_upstream);
  g_test_add_func ("/dns-dig/silent-upstream-servfail", test_silent_upstream_servfail);
  g_test_add_func ("/dns-dig/port-in-use-is-refused", test_port_in_use_is_refused);
  status = g_test_run ();
  {
    g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (tmpdir);
  g_free (dig);
  return status;
}
