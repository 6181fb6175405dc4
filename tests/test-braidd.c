/* test-braidd.c: braidd, the program, run as a subprocess on 127.0.0.1.
 *
 * Every run is bounded: a braidd that does not exit in time is killed and
 * the test fails. Files go to a temporary directory removed at the end. */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <gio/gunixsocketaddress.h>

#include <braid.h>

#define DEADLINE_SECONDS 10
/* braidd-workers.h: fast failures in a row before the parent gives up. */
#define BRAIDD_FAST_FAILURE_LIMIT 5

static const char *braidd;
static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* A TCP socket listening on a port of 127.0.0.1 the system chose, given
 * in @port: a port in use, or one to hand down as systemd would. */
static GSocket *
listen_on_loopback (guint16 *port)
{
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any_port, FALSE, NULL));
  g_assert_true (g_socket_listen (socket, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

/* Runs braidd to completion with @env_plugin_path (or the default) and
 * returns its exit status; stdout and stderr go to @out and @err. */
static int
run_braidd (const char *plugin_path, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) braidd);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (plugin_path != NULL)
    g_subprocess_launcher_setenv (launcher, "BRAID_PLUGIN_PATH", plugin_path, TRUE);
  for (guint attempt = 1;; attempt++)
    {
      g_clear_object (&process);
      g_clear_pointer (out, g_free);
      g_clear_pointer (err, g_free);
      process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_exited (process))
        return g_subprocess_get_exit_status (process);
      /* Under ASan, LeakSanitizer's own tracer sometimes fails on a loaded
       * machine and aborts the process it checks: that says nothing about
       * braidd, so it is tried once more. Any other signal fails the test,
       * showing what braidd printed. */
      if (attempt == 1 && *err != NULL
          && strstr (*err, "LeakSanitizer has encountered a fatal error") != NULL)
        {
          g_test_message ("LeakSanitizer failed in braidd itself; trying again");
          continue;
        }
      g_error ("braidd was killed by signal %d; it printed:\n%s",
               g_subprocess_get_term_sig (process), *err != NULL ? *err : "");
    }
}

static void
assert_one_line (const char *text, const char *expected_pattern)
{
  g_assert_nonnull (text);
  if (!g_pattern_match_simple (expected_pattern, text))
    g_error ("stderr was %s, not %s", text, expected_pattern);
  g_assert_nonnull (strchr (text, '\n'));
  g_assert_cmpint (strchr (text, '\n')[1], ==, '\0');
}

static void
test_help_lists_plugins (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_braidd (NULL, &out, &err, "--help", NULL), ==, 0);
  g_assert_true (g_pattern_match_simple ("*Plugins:\n  cache-status *HTTP status page of a cache*\n  cache *memcached-compatible cache*\n  chat *Lesson 10's chat*\n  dns *A DNS server answering from a hosts file*\n  echo *Sends back what each client sends\n*", out));
  g_assert_true (strstr (out, "--pidfile") != NULL);
  g_assert_true (strstr (out, "--workers=N") != NULL);
  g_assert_true (strstr (out, "With --workers N, a parent that serves nothing") != NULL);
  /* The workers' own option is braidd's business, not the user's. */
  g_assert_true (strstr (out, "worker-endpoint") == NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_braidd (NULL, &out, &err, "echo", "--help", NULL), ==, 0);
  g_assert_true (strstr (out, "--port=N") != NULL);
  g_assert_true (strstr (out, "--endpoint=ENDPOINT") != NULL);
  g_assert_true (strstr (out, "--banner=TEXT") != NULL);
}

static void
test_broken_plugin_is_reported_others_load (void)
{
  g_autofree char *dir = tmp_path ("plugins");
  g_autofree char *broken = g_build_filename (dir, "broken.so", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (broken, "not a shared library", -1, NULL));
  g_assert_cmpint (run_braidd (dir, &out, &err, "--help", NULL), ==, 0);
  expected = g_strdup_printf ("braidd: cannot load plugin %s: *\n", broken);
  assert_one_line (err, expected);
  g_assert_true (strstr (out, "  echo ") != NULL);
  g_unlink (broken);
  g_rmdir (dir);
}

/* Each bad input: one line on stderr, a non-zero exit, no pidfile. */
static void
test_bad_input_gets_one_line_and_leaves_nothing (void)
{
  g_autofree char *pidfile = tmp_path ("bad.pid");
  g_autofree char *missing = tmp_path ("missing.conf");
  g_autofree char *bad_config = tmp_path ("bad.conf");
  struct {
    const char *args[6];
    const char *stderr_pattern;
  } cases[] = {
    { { "nope", NULL }, "braidd: unknown plugin 'nope' (known: cache-status, cache, chat, dns, echo, web)\n" },
    /* The dns plugin's own options. */
    { { "dns", "--port", "0", "--hosts-file", missing, NULL },
      "braidd: dns: Failed to open file *missing.conf*: No such file or directory\n" },
    { { "dns", "--port", "0", "--upstream", "dns.example:53", NULL },
      "braidd: dns: --upstream: 'dns.example:53' is not an IP address and port (127.0.0.1:53, [::1]:53)\n" },
    { { "dns", "--port", "0", "--upstream", "[::1", NULL }, "braidd: dns: *\n" },
    { { "dns", "--port", "0", "--timeout", "soon", NULL },
      "braidd: dns: --timeout: 'soon' is not a number of seconds above 0\n" },
    { { "dns", "--endpoint", "unix:/tmp/x.sock", NULL },
      "braidd: dns: dns serves UDP on the port and interface of a tcp:PORT[:interface=ADDR] endpoint (or --port N); 'unix:/tmp/x.sock' is not one\n" },
    { { "--colour", "echo", NULL }, "braidd: Unknown option --colour*\n" },
    { { "echo", "--colour", NULL }, "braidd: echo: Unknown option --colour*\n" },
    { { "echo", "--endpoint", "tcp:80:backlog=x", NULL },
      "braidd: echo: bad endpoint 'tcp:80:backlog=x': backlog: 'x' is not a number\n" },
    { { "echo", "--port", "http", NULL }, "braidd: echo: --port: 'http' is not a port number (0-65535)\n" },
    { { "echo", "--port", "0", "--endpoint", "tcp:0", NULL }, "braidd: echo: give --port or --endpoint, not both\n" },
    { { "--config", missing, NULL }, "braidd: cannot read config *missing.conf: *\n" },
    { { "--config", bad_config, NULL }, "braidd: config *bad.conf: [service x]: unknown option 'colour' for plugin echo\n" },
    { { NULL }, "braidd: no plugin given (braidd --help lists them)\n" },
  };

  g_assert_true (g_file_set_contents (bad_config, "[service x]\nplugin=echo\ncolour=blue\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = run_braidd (NULL, &out, &err, "--pidfile", pidfile,
                               cases[i].args[0], cases[i].args[1], cases[i].args[2],
                               cases[i].args[3], cases[i].args[4], NULL);

      g_test_message ("case %u: %s", i, err);
      g_assert_cmpint (status, !=, 0);
      assert_one_line (err, cases[i].stderr_pattern);
      g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
    }
  g_unlink (bad_config);
}

static void
test_port_in_use_is_refused (void)
{
  g_autofree char *pidfile = tmp_path ("in-use.pid");
  guint16 port_number = 0;
  g_autoptr (GSocket) socket G_GNUC_UNUSED = listen_on_loopback (&port_number);
  g_autofree char *port = NULL, *out = NULL, *err = NULL;

  port = g_strdup_printf ("%u", port_number);
  g_assert_cmpint (run_braidd (NULL, &out, &err, "--pidfile", pidfile, "echo", "--port", port, NULL), ==, 1);
  assert_one_line (err, "braidd: service 'echo': *Address already in use\n");
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

/* --- A running braidd ------------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  char *log;
} Daemon;

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* How many times @needle occurs in @text. */
static guint
count (const char *text, const char *needle)
{
  guint n = 0;

  for (const char *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

/* Waits (at most DEADLINE_SECONDS) for @needle to occur @times in the log. */
static char *
wait_for_log_count (const char *path, const char *needle, guint times)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) && count (contents, needle) >= times)
        return g_steal_pointer (&contents);
      g_usleep (20 * 1000);
    }
  g_error ("%s never logged '%s' (%u time(s))", path, needle, times);
  return NULL;
}

/* Waits (at most DEADLINE_SECONDS) for the log to contain @needle. */
static char *
wait_for_log (const char *path, const char *needle)
{
  return wait_for_log_count (path, needle, 1);
}

static int
wait_exit (GSubprocess *process)
{
  gboolean exited = FALSE, late = FALSE;
  guint timer = g_timeout_add_seconds (DEADLINE_SECONDS, flag_deadline, &late);

  g_subprocess_wait_async (process, NULL, on_exited, &exited);
  while (!exited && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!exited)
    {
      g_subprocess_force_exit (process);
      g_error ("braidd did not exit within %d s", DEADLINE_SECONDS);
    }
  g_source_remove (timer);
  return g_subprocess_get_exit_status (process);
}

static GSubprocess *
spawn (const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GSubprocess *process;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) braidd);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  return process;
}

/* The port a service logged "listening on 127.0.0.1 port N". */
static guint16
logged_port (const char *log, const char *service)
{
  g_autofree char *needle = g_strdup_printf ("Service '%s' listening on 127.0.0.1 port ", service);
  const char *found = strstr (log, needle);

  g_assert_nonnull (found);
  return (guint16) g_ascii_strtoull (found + strlen (needle), NULL, 10);
}

static GSocketConnection *
connect_to (guint16 port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_timeout (client, DEADLINE_SECONDS);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
read_exactly (GSocketConnection *connection, const char *expected)
{
  gsize len = strlen (expected), got = 0;
  g_autofree char *buffer = g_malloc0 (len + 1);
  g_autoptr (GError) error = NULL;

  g_socket_set_timeout (g_socket_connection_get_socket (connection), DEADLINE_SECONDS);
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                          buffer, len, &got, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, expected);
}

static void
test_serves_refuses_second_stops_on_sigterm (void)
{
  g_autofree char *pidfile = tmp_path ("echo.pid");
  g_autofree char *log = tmp_path ("echo.log");
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL, *pid_text = NULL, *expected_pid = NULL;
  g_autofree char *out = NULL, *err = NULL, *refusal = NULL, *final_log = NULL;

  /* A stale pidfile (no such process) is replaced. */
  g_assert_true (g_file_set_contents (pidfile, "2147483646\n", -1, NULL));
  process = spawn ("--pidfile", pidfile, "--logfile", log, "echo", "--port", "0", "--banner", "hello", NULL);
  contents = wait_for_log (log, "started");

  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
  expected_pid = g_strdup_printf ("%s\n", g_subprocess_get_identifier (process));
  g_assert_cmpstr (pid_text, ==, expected_pid);

  connection = connect_to (logged_port (contents, "echo"));
  read_exactly (connection, "hello\r\n");
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            "ping", 4, NULL, NULL, &error));
  read_exactly (connection, "ping");

  /* A second braidd with the same pidfile is refused. */
  g_assert_cmpint (run_braidd (NULL, &out, &err, "--pidfile", pidfile, "echo", "--port", "0", NULL), ==, 1);
  refusal = g_strdup_printf ("braidd: pidfile %s names a running process (pid %s); is braidd already running?\n",
                             pidfile, g_subprocess_get_identifier (process));
  g_assert_cmpstr (err, ==, refusal);

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (log, &final_log, NULL, NULL));
  g_assert_true (g_pattern_match_simple ("*Z braidd[*] braidd INFO: Service 'echo' listening on 127.0.0.1 port *\n"
                                         "*braidd INFO: braidd * started (pid *)\n"
                                         "*Received a termination signal: stopping\n"
                                         "*braidd INFO: braidd stopped\n", final_log));
  g_unlink (log);
}

/* `braidd web --path DIR` serves DIR (twistd web --path) and logs a line
 * per request; a --path that is not a directory is refused. */
static void
test_web_serves_a_directory_with_an_access_log (void)
{
  g_autofree char *dir = g_dir_make_tmp ("braidd-web-XXXXXX", NULL);
  g_autofree char *index = g_build_filename (dir, "index.html", NULL);
  g_autofree char *log = tmp_path ("web.log");
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL, *final_log = NULL, *out = NULL, *err = NULL;
  const char request[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  g_assert_true (g_file_set_contents (index, "<p>hi</p>\n", -1, NULL));
  g_assert_cmpint (run_braidd (NULL, &out, &err, "web", "--port", "0", "--path", index, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a directory"));

  process = spawn ("--logfile", log, "web", "--port", "0", "--path", dir, NULL);
  contents = wait_for_log (log, "started");
  connection = connect_to (logged_port (contents, "web"));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request, strlen (request), NULL, NULL, &error));
  read_exactly (connection, "HTTP/1.1 200 OK\r\n");
  g_free (final_log);
  /* The line is written while braidd runs (log lines are gathered and
   * written before the main loop waits), in the combined log format,
   * with the time to the millisecond and braidd's pid. */
  final_log = wait_for_log (log, "\"GET / HTTP/1.1\" 200 10");
  {
    g_autofree char *pattern = g_strdup_printf (
        "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z braidd\\[%s\\] Braid INFO: "
        "127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] "
        "\"GET / HTTP/1\\.1\" 200 10 \"-\" \"-\"$", g_subprocess_get_identifier (process));

    g_assert_true (g_regex_match_simple (pattern, final_log, G_REGEX_MULTILINE, 0));
  }
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_unlink (log);
  g_unlink (index);
  g_rmdir (dir);
}

/* A line logged from a thread of a plugin's own, while braidd's main loop
 * waits with nothing to do, is written then: the writer wakes the main
 * loop, which writes what it gathered before it waits again. */
static void
test_a_line_logged_from_a_thread_is_written_while_braidd_waits (void)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *log = tmp_path ("thread.log");
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "BRAID_PLUGIN_PATH", g_getenv ("BRAIDD_TEST_PLUGINS"), TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, braidd, "--logfile", log, "thread-log", NULL);
  g_assert_no_error (error);
  g_free (wait_for_log (log, "a line from a worker thread"));
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_unlink (log);
}

/* --syslog sends the log to the journal (or syslog), not to stderr: braidd
 * starts, serves and stops with nothing logged on stderr. With --logfile
 * too, it is refused. */
static void
test_syslog_routes_the_log_away_from_stderr (void)
{
  g_autofree char *socket_path = tmp_path ("syslog.sock");
  g_autofree char *endpoint = g_strdup_printf ("unix:%s", socket_path);
  g_autofree char *out = NULL, *err = NULL, *log_err = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { braidd, "--syslog", "echo", "--endpoint", endpoint, "--banner", "up", NULL };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;

  g_assert_cmpint (run_braidd (NULL, &out, &err, "--syslog", "--logfile", "x.log", "echo", NULL), ==, 2);
  assert_one_line (err, "braidd: give --syslog or --logfile, not both\n");

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  /* Nothing to read in a log: wait for the socket, then for the banner,
   * which comes once the reactor runs. */
  /* The file appears at bind(), a moment before listen(): until then a
   * connection is refused, so try again until the deadline. */
  while ((connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error)) == NULL
         && g_get_monotonic_time () < deadline)
    {
      g_clear_error (&error);
      g_usleep (20 * 1000);
    }
  g_assert_no_error (error);
  read_exactly (connection, "up\r\n");
  g_clear_object (&connection);

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &log_err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  /* Without --syslog this would hold "Service 'echo' listening on ...". */
  g_assert_cmpstr (log_err, ==, "");
}

static void
test_config_runs_two_services_and_sighup_reopens_the_log (void)
{
  g_autofree char *config = tmp_path ("two.conf");
  g_autofree char *log = tmp_path ("two.log");
  g_autofree char *rotated = tmp_path ("two.log.1");
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSocketConnection) one = NULL;
  g_autoptr (GSocketConnection) two = NULL;
  g_autofree char *contents = NULL, *reopened = NULL;

  g_assert_true (g_file_set_contents (config,
                                      "[service chat]\nplugin=chat\nport=0\n\n"
                                      "[service two]\nplugin=echo\nendpoint=tcp:0:interface=127.0.0.1\nbanner=second\n",
                                      -1, NULL));
  process = spawn ("--logfile", log, "--config", config, NULL);
  contents = wait_for_log (log, "started");
  one = connect_to (logged_port (contents, "chat"));
  two = connect_to (logged_port (contents, "two"));
  read_exactly (one, "What's your name?\r\n");
  read_exactly (two, "second\r\n");

  /* logrotate moves the file away, then sends SIGHUP. */
  g_assert_cmpint (g_rename (log, rotated), ==, 0);
  g_subprocess_send_signal (process, SIGHUP);
  reopened = wait_for_log (log, "Reopened the log file on SIGHUP");

  g_subprocess_send_signal (process, SIGINT);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_unlink (log);
  g_unlink (rotated);
  g_unlink (config);
}

static void
test_unix_endpoint_with_mode_and_lockfile (void)
{
  g_autofree char *socket_path = tmp_path ("echo.sock");
  g_autofree char *lock = g_strconcat (socket_path, ".lock", NULL);
  g_autofree char *log = tmp_path ("unix.log");
  g_autofree char *endpoint = g_strdup_printf ("unix:%s:mode=0600:lockfile=1", socket_path);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL, *out = NULL, *err = NULL;
  GStatBuf st;

  process = spawn ("--logfile", log, "echo", "--endpoint", endpoint, "--banner", "unix", NULL);
  contents = wait_for_log (log, "started");
  g_assert_cmpint (g_stat (socket_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  read_exactly (connection, "unix\r\n");

  /* The lock names a live braidd: a second one is refused. */
  g_assert_cmpint (run_braidd (NULL, &out, &err, "echo", "--endpoint", endpoint, NULL), ==, 1);
  assert_one_line (err, "braidd: service 'echo': unix: * is in use by process *\n");

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  g_unlink (log);
}

static void
test_daemon_starts_in_background_and_reports_errors (void)
{
  g_autofree char *pidfile = tmp_path ("daemon.pid");
  g_autofree char *log = tmp_path ("daemon.log");
  g_autofree char *out = NULL, *err = NULL, *contents = NULL, *pid_text = NULL;
  g_autofree char *again_out = NULL, *again_err = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  gint64 deadline;
  guint64 pid;

  /* The command returns once the daemon has started. */
  g_assert_cmpint (run_braidd (NULL, &out, &err, "--daemon", "--pidfile", pidfile, "--logfile", log,
                               "echo", "--port", "0", "--banner", "bg", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (pid_text), 10, 1, G_MAXINT, &pid, NULL));
  contents = wait_for_log (log, "started");
  connection = connect_to (logged_port (contents, "echo"));
  read_exactly (connection, "bg\r\n");

  /* A startup error of a daemon is still one line on the terminal. */
  g_assert_cmpint (run_braidd (NULL, &again_out, &again_err, "--daemon", "--pidfile", pidfile,
                               "--logfile", log, "echo", "--port", "0", NULL), ==, 1);
  assert_one_line (again_err, "braidd: pidfile * names a running process (pid *); is braidd already running?\n");

  g_assert_cmpint (kill ((pid_t) pid, SIGTERM), ==, 0);
  deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (g_file_test (pidfile, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_free (contents);
  contents = wait_for_log (log, "braidd stopped");
  g_unlink (log);
}

static void
test_rundir_and_umask (void)
{
  g_autofree char *dir = tmp_path ("rundir");
  g_autofree char *socket_path = g_build_filename (dir, "private.sock", NULL);
  g_autofree char *pidfile = g_build_filename (dir, "relative.pid", NULL);
  g_autofree char *log = g_build_filename (dir, "braidd.log", NULL);
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *contents = NULL, *out = NULL, *err = NULL;
  GStatBuf st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* Relative paths are relative to --rundir; the socket gets the umask. */
  process = spawn ("--rundir", dir, "--umask", "077", "--pidfile", "relative.pid",
                   "--logfile", "braidd.log", "echo", "--endpoint", "unix:private.sock", NULL);
  contents = wait_for_log (log, "started");
  g_assert_true (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (socket_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 077, ==, 0);
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));

  g_assert_cmpint (run_braidd (NULL, &out, &err, "--umask", "999", "echo", NULL), ==, 2);
  assert_one_line (err, "braidd: --umask: '999' is not an octal mask (such as 077)\n");
  g_unlink (log);
  g_rmdir (dir);
}

/* --endpoint tls:... works in every plugin with no extra call: braidd echo
 * over TLS, and Python's ssl module as the client, verifying the test CA
 * and the name. A bad certificate is one clear line. */
static void
test_tls_endpoint (void)
{
  const char *fixtures = g_getenv ("BRAID_TLS_FIXTURES");
  g_autofree char *log = tmp_path ("tls.log");
  g_autofree char *cert = g_build_filename (fixtures, "server.pem", NULL);
  g_autofree char *key = g_build_filename (fixtures, "server-key.pem", NULL);
  g_autofree char *wrong_key = g_build_filename (fixtures, "other-key.pem", NULL);
  g_autofree char *ca = g_build_filename (fixtures, "ca.pem", NULL);
  g_autofree char *endpoint = g_strdup_printf ("tls:0:interface=127.0.0.1:certKey=%s:privateKey=%s", cert, key);
  g_autofree char *bad = g_strdup_printf ("tls:0:certKey=%s:privateKey=%s", cert, wrong_key);
  g_autofree char *contents = NULL, *port = NULL, *out = NULL, *err = NULL, *expected = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSubprocess) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *script =
    "import socket, ssl, sys\n"
    "context = ssl.create_default_context(cafile=sys.argv[2])\n"
    "s = context.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5),"
    " server_hostname='localhost')\n"
    "got = s.recv(100)\n"
    "s.sendall(b'ping')\n"
    "got += s.recv(100)\n"
    "version = s.version()\n"
    "s.unwrap().close()\n"
    "print(version, got.decode().replace('\\r\\n', '|'))\n";

  g_assert_nonnull (fixtures);
  process = spawn ("--logfile", log, "echo", "--endpoint", endpoint, "--banner", "hello", NULL);
  contents = wait_for_log (log, "started");
  port = g_strdup_printf ("%u", logged_port (contents, "echo"));
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "timeout", "10", "python3", "-c", script, port, ca, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (client, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "TLSv1.3 hello|ping\n");
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_unlink (log);

  g_assert_cmpint (run_braidd (NULL, &out, &err, "echo", "--endpoint", bad, NULL), ==, 2);
  expected = g_strdup_printf ("*bad endpoint*private key: %s is not the key of the certificate in %s\n",
                              wrong_key, cert);
  assert_one_line (err, expected);
}

/* --- --workers ------------------------------------------------------------ */

/* The pid of the last "Worker N started (pid P)" line of worker @number. */
static GPid
last_worker_pid (const char *log, guint number)
{
  g_autofree char *needle = g_strdup_printf ("Worker %u started (pid ", number);
  const char *found = NULL;

  for (const char *at = strstr (log, needle); at != NULL; at = strstr (at + 1, needle))
    found = at;
  g_assert_nonnull (found);
  return (GPid) g_ascii_strtoll (found + strlen (needle), NULL, 10);
}

/* Echoes through one new connection, and returns the pid of the braidd
 * process that logged it ("braidd[PID] ... connection from 127.0.0.1:N"). */
static GPid
echo_once (const char *log, guint16 port)
{
  g_autoptr (GSocketConnection) connection = connect_to (port);
  g_autoptr (GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *needle = g_strdup_printf ("connection from 127.0.0.1:%u\n",
                                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  g_autofree char *contents = NULL;
  const char *line;

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            "ping", 4, NULL, NULL, &error));
  read_exactly (connection, "ping");
  contents = wait_for_log (log, needle);
  line = strstr (contents, needle);
  while (line > contents && line[-1] != '\n')
    line--;
  line = strstr (line, "braidd[");
  g_assert_nonnull (line);
  return (GPid) g_ascii_strtoll (line + strlen ("braidd["), NULL, 10);
}

static void
test_workers_share_the_port_and_are_restarted (void)
{
  g_autofree char *pidfile = tmp_path ("workers.pid");
  g_autofree char *log = tmp_path ("workers.log");
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *contents = NULL, *killed = NULL, *parent_pid = NULL;
  GPid workers[2], replaced, served;
  gboolean served_by[2] = { FALSE, FALSE };
  guint16 port;

  g_test_summary ("braidd --workers 2: both workers accept on the one port; a worker killed "
                  "with SIGKILL is restarted (a new pid, logged) and the port still serves; "
                  "SIGTERM to the parent stops every worker, exit 0, the pidfile gone");
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  process = spawn ("--workers", "2", "--pidfile", pidfile, "--logfile", log, "echo", "--port", "0", NULL);
  g_unsetenv ("G_MESSAGES_DEBUG");
  contents = wait_for_log_count (log, "Service 'echo' listening on 127.0.0.1 port ", 2);
  port = logged_port (contents, "echo");
  workers[0] = last_worker_pid (contents, 1);
  workers[1] = last_worker_pid (contents, 2);
  parent_pid = g_strdup_printf ("%s\n", g_subprocess_get_identifier (process));
  {
    g_autofree char *pid_text = NULL;

    g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
    g_assert_cmpstr (pid_text, ==, parent_pid);
  }

  /* The kernel picks a worker by hashing each connection: a few
   * connections reach both. */
  for (guint i = 0; i < 200 && !(served_by[0] && served_by[1]); i++)
    {
      served = echo_once (log, port);
      g_assert_true (served == workers[0] || served == workers[1]);
      served_by[served == workers[1]] = TRUE;
    }
  g_assert_true (served_by[0] && served_by[1]);

  g_assert_cmpint (kill (workers[0], SIGKILL), ==, 0);
  killed = g_strdup_printf ("Worker 1 (pid %d) was killed by signal 9", (int) workers[0]);
  g_free (contents);
  contents = wait_for_log_count (log, "Service 'echo' listening on 127.0.0.1 port ", 3);
  g_assert_nonnull (strstr (contents, killed));
  g_assert_cmpuint (count (contents, "Worker 1 started (pid "), ==, 2);
  replaced = last_worker_pid (contents, 1);
  g_assert_cmpint (replaced, !=, workers[0]);
  served = 0;
  for (guint i = 0; i < 200 && served != replaced; i++)
    {
      served = echo_once (log, port);
      g_assert_true (served == replaced || served == workers[1]);
    }
  g_assert_cmpint (served, ==, replaced);

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  /* The parent reaped its workers: none is left, not even as a zombie. */
  g_assert_cmpint (kill (replaced, 0), ==, -1);
  g_assert_cmpint (kill (workers[1], 0), ==, -1);
  g_free (contents);
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  g_assert_true (g_pattern_match_simple ("*Received a termination signal: stopping 2 worker(s)\n*", contents));
  g_assert_cmpuint (count (contents, "exited with status 0\n"), ==, 2);
  g_unlink (log);
}

static void
test_workers_in_the_background (void)
{
  g_autofree char *pidfile = tmp_path ("workers-daemon.pid");
  g_autofree char *log = tmp_path ("workers-daemon.log");
  g_autofree char *out = NULL, *err = NULL, *contents = NULL, *pid_text = NULL;
  GPid workers[2];
  gint64 deadline;
  guint64 pid;

  g_test_summary ("braidd --daemon --workers 2: the command returns at once, the parent and "
                  "its workers log to the log file, and SIGTERM to the parent (from the "
                  "pidfile) stops them all");
  g_assert_cmpint (run_braidd (NULL, &out, &err, "--daemon", "--workers", "2", "--pidfile", pidfile,
                               "--logfile", log, "echo", "--port", "0", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (pid_text), 10, 1, G_MAXINT, &pid, NULL));
  contents = wait_for_log_count (log, "Service 'echo' listening on 127.0.0.1 port ", 2);
  workers[0] = last_worker_pid (contents, 1);
  workers[1] = last_worker_pid (contents, 2);
  /* Each worker runs (and stops in order on SIGTERM) once it logged
   * "started (pid W)", as the parent did "Worker N started (pid W)". */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *started = g_strdup_printf ("started (pid %d)\n", (int) workers[i]);

      g_free (wait_for_log_count (log, started, 2));
    }
  /* A worker accepts on the shared port (the connection closes at once). */
  g_object_unref (connect_to (logged_port (contents, "echo")));

  g_assert_cmpint (kill ((pid_t) pid, SIGTERM), ==, 0);
  deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (g_file_test (pidfile, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_free (contents);
  contents = wait_for_log_count (log, "exited with status 0\n", 2);
  g_assert_cmpint (kill (workers[0], 0), ==, -1);
  g_assert_cmpint (kill (workers[1], 0), ==, -1);
  g_unlink (log);
}

static void
test_workers_that_keep_dying_make_the_parent_give_up (void)
{
  g_autofree char *log = tmp_path ("give-up.log");
  g_autofree char *pidfile = tmp_path ("give-up.pid");
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *contents = NULL;
  gint64 start = g_get_monotonic_time ();
  gdouble delays[] = { 0.25, 0.5, 1, 2 };

  g_test_summary ("A worker that dies within 2 s of its start is restarted after a delay that "
                  "doubles (0.25 s, 0.5 s, 1 s, 2 s); the fifth such death in a row makes the "
                  "parent give up: exit 1, with a line saying so, and the pidfile gone");
  process = spawn ("--workers", "1", "--pidfile", pidfile, "--logfile", log, "echo", "--port", "0", NULL);
  for (guint i = 1; i <= BRAIDD_FAST_FAILURE_LIMIT; i++)
    {
      contents = wait_for_log_count (log, "Worker 1 started (pid ", i);
      g_assert_cmpint (kill (last_worker_pid (contents, 1), SIGKILL), ==, 0);
      g_clear_pointer (&contents, g_free);
    }
  g_assert_cmpint (wait_exit (process), ==, 1);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC, >=, 3.75);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      g_autofree char *needle = g_strdup_printf ("; restarting it in %g s\n", delays[i]);

      g_assert_nonnull (strstr (contents, needle));
    }
  g_assert_true (g_pattern_match_simple ("*Worker 1 (pid *) was killed by signal 9 (*), 5 times in a row "
                                         "within 2 s of starting: giving up\n*braidd stopped\n", contents));
  g_unlink (log);
}

static void
test_workers_bad_input (void)
{
  g_autofree char *pidfile = tmp_path ("workers-bad.pid");
  guint16 port_number = 0;
  g_autoptr (GSocket) socket G_GNUC_UNUSED = listen_on_loopback (&port_number);
  g_autofree char *port = NULL;
  struct {
    const char *args[6];
    int status;
    const char *stderr_pattern;
  } cases[] = {
    { { "--workers", "0", "echo", NULL }, 2, "braidd: --workers: '0' is not a number of workers (1-1024)\n" },
    { { "--workers", "two", "echo", NULL }, 2, "braidd: --workers: 'two' is not a number of workers (1-1024)\n" },
    { { "--workers", "2", "echo", "--endpoint", "unix:/tmp/braidd-never.sock", NULL }, 2,
      "braidd: service 'echo': --workers: endpoint 'unix:/tmp/braidd-never.sock' cannot be shared "
      "between worker processes (only tcp: and tcp6: can)\n" },
    { { "--workers", "2", "echo", "--port", NULL, NULL }, 1,
      "braidd: service 'echo': Error binding to address 127.0.0.1:*: Address already in use\n" },
  };

  g_test_summary ("--workers 0, --workers with a non-number, a UNIX endpoint with --workers, "
                  "and a port in use: one line, a non-zero exit, no pidfile, no worker started");
  port = g_strdup_printf ("%u", port_number);
  cases[3].args[4] = port;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = run_braidd (NULL, &out, &err, "--pidfile", pidfile,
                               cases[i].args[0], cases[i].args[1], cases[i].args[2],
                               cases[i].args[3], cases[i].args[4], NULL);

      g_test_message ("case %u: %s", i, err);
      g_assert_cmpint (status, ==, cases[i].status);
      assert_one_line (err, cases[i].stderr_pattern);
      g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
    }
}

/* --- systemd socket activation -------------------------------------------- */

static void
test_systemd_endpoint_serves_the_inherited_socket (void)
{
  g_autofree char *log = tmp_path ("systemd.log");
  guint16 port = 0;
  g_autoptr (GSocket) socket = listen_on_loopback (&port);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  /* LISTEN_PID must be braidd's own pid: sh sets it to its $$, then
   * becomes braidd (exec keeps the pid), as systemd does. */
  const char *argv[] = { "/bin/sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", braidd,
                         "--logfile", log, "echo", "--endpoint", "systemd:domain=INET:index=0",
                         "--banner", "activated", NULL };

  g_test_summary ("systemd:domain=INET:index=0 serves the listening socket passed as fd 3 "
                  "with LISTEN_FDS=1 and LISTEN_PID set to braidd's pid (as systemd passes it)");
  g_subprocess_launcher_take_fd (launcher, dup (g_socket_get_fd (socket)), 3);
  g_subprocess_launcher_setenv (launcher, "LISTEN_FDS", "1", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  contents = wait_for_log (log, "started");
  g_assert_cmpuint (logged_port (contents, "echo"), ==, port);

  connection = connect_to (port);
  read_exactly (connection, "activated\r\n");
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            "ping", 4, NULL, NULL, &error));
  read_exactly (connection, "ping");

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_unlink (log);
}

/* Without LISTEN_FDS, or with something else than a listening socket as
 * fd 3, systemd: fails with one line. */
static void
test_systemd_endpoint_without_a_socket (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_unsetenv ("LISTEN_FDS");
  g_assert_cmpint (run_braidd (NULL, &out, &err, "echo", "--endpoint", "systemd:domain=INET:index=0", NULL), ==, 1);
  assert_one_line (err, "braidd: service 'echo': systemd: no sockets were passed to this process *\n");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("braidd, run as a program: plugins, options, bad input, pidfile, log, signals, --config");
  braidd = g_getenv ("BRAIDD");
  g_assert_nonnull (braidd);
  tmpdir = g_dir_make_tmp ("braidd-test-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/braidd/help", test_help_lists_plugins);
  g_test_add_func ("/braidd/log-from-a-thread", test_a_line_logged_from_a_thread_is_written_while_braidd_waits);
  g_test_add_func ("/braidd/broken-plugin", test_broken_plugin_is_reported_others_load);
  g_test_add_func ("/braidd/bad-input", test_bad_input_gets_one_line_and_leaves_nothing);
  g_test_add_func ("/braidd/port-in-use", test_port_in_use_is_refused);
  g_test_add_func ("/braidd/serve-and-sigterm", test_serves_refuses_second_stops_on_sigterm);
  g_test_add_func ("/braidd/unix-endpoint", test_unix_endpoint_with_mode_and_lockfile);
  g_test_add_func ("/braidd/daemon", test_daemon_starts_in_background_and_reports_errors);
  g_test_add_func ("/braidd/rundir-umask", test_rundir_and_umask);
  g_test_add_func ("/braidd/web", test_web_serves_a_directory_with_an_access_log);
  g_test_add_func ("/braidd/syslog", test_syslog_routes_the_log_away_from_stderr);
  g_test_add_func ("/braidd/tls-endpoint", test_tls_endpoint);
  g_test_add_func ("/braidd/config-and-sighup", test_config_runs_two_services_and_sighup_reopens_the_log);
  g_test_add_func ("/braidd/workers", test_workers_share_the_port_and_are_restarted);
  g_test_add_func ("/braidd/workers-daemon", test_workers_in_the_background);
  g_test_add_func ("/braidd/workers-give-up", test_workers_that_keep_dying_make_the_parent_give_up);
  g_test_add_func ("/braidd/workers-bad-input", test_workers_bad_input);
  g_test_add_func ("/braidd/systemd", test_systemd_endpoint_serves_the_inherited_socket);
  g_test_add_func ("/braidd/systemd-without-socket", test_systemd_endpoint_without_a_socket);

  status = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
