/* test-braidd.c: braidd, the program, run as a subprocess on 127.0.0.1.
 *
 * Every run is bounded: a braidd that does not exit in time is killed and
 * the test fails. Files go to a temporary directory removed at the end. */
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include <gio/gunixsocketaddress.h>

#include <braid.h>

#define DEADLINE_SECONDS 10

static const char *braidd;
static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
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
  g_assert_true (g_pattern_match_simple ("*Plugins:\n  chat *Lesson 10's chat*\n  echo *Sends back what each client sends\n*", out));
  g_assert_true (strstr (out, "--pidfile") != NULL);
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
    { { "nope", NULL }, "braidd: unknown plugin 'nope' (known: chat, echo, web)\n" },
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
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *port = NULL, *out = NULL, *err = NULL;

  g_assert_true (g_socket_bind (socket, any_port, FALSE, NULL));
  g_assert_true (g_socket_listen (socket, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
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

/* Waits (at most DEADLINE_SECONDS) for the log to contain @needle. */
static char *
wait_for_log (const char *path, const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, needle) != NULL)
        return g_steal_pointer (&contents);
      g_usleep (20 * 1000);
    }
  g_error ("%s never logged '%s'", path, needle);
  return NULL;
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
  final_log = wait_for_log (log, "\"GET / HTTP/1.1\" 200 10");
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_cmpint (wait_exit (process), ==, 0);
  g_unlink (log);
  g_unlink (index);
  g_rmdir (dir);
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
  while (!g_file_test (socket_path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
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
  g_test_add_func ("/braidd/broken-plugin", test_broken_plugin_is_reported_others_load);
  g_test_add_func ("/braidd/bad-input", test_bad_input_gets_one_line_and_leaves_nothing);
  g_test_add_func ("/braidd/port-in-use", test_port_in_use_is_refused);
  g_test_add_func ("/braidd/serve-and-sigterm", test_serves_refuses_second_stops_on_sigterm);
  g_test_add_func ("/braidd/unix-endpoint", test_unix_endpoint_with_mode_and_lockfile);
  g_test_add_func ("/braidd/daemon", test_daemon_starts_in_background_and_reports_errors);
  g_test_add_func ("/braidd/rundir-umask", test_rundir_and_umask);
  g_test_add_func ("/braidd/web", test_web_serves_a_directory_with_an_access_log);
  g_test_add_func ("/braidd/syslog", test_syslog_routes_the_log_away_from_stderr);
  g_test_add_func ("/braidd/config-and-sighup", test_config_runs_two_services_and_sighup_reopens_the_log);

  status = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
