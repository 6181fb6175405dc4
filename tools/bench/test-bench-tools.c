/* test-bench-tools.c: the benchmark tools themselves (suite integration).
 *
 * A benchmark is only worth its figures if its load generator catches a
 * server that misbehaves, so these tests point loadgen at small faulty
 * servers (run in a thread here, on 127.0.0.1) as well as at the raw-epoll
 * baseline, and run tools/bench/run-echo-bench end to end on tiny cells.
 * The programs' paths come from the environment set in meson.build.
 */
#include <braid-fakes.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

/* ---- Running the programs ------------------------------------------------ */

/* In the child before exec: a test that aborts must not leave a server
 * running, so the kernel kills the child when this process dies. */
static void
die_with_test (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (const char *const  *argv,
       GSubprocessFlags    flags)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

typedef struct
{
  int status;
  char *out;
  char *err;
} Finished;

static void
finished_clear (Finished *finished)
{
  g_free (finished->out);
  g_free (finished->err);
}

static void
run_program (Finished    *finished,
             const char  *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process =
    spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &finished->out, &finished->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  finished->status = g_subprocess_get_exit_status (process);
}

/* Runs loadgen with the given options (a NULL-terminated list). */
static void
run_loadgen (Finished *finished,
             ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list options;
  const char *option;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BENCH_LOADGEN"));
  va_start (options, finished);
  while ((option = va_arg (options, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) option);
  va_end (options);
  g_ptr_array_add (argv, NULL);
  run_program (finished, (const char *const *) argv->pdata);
}

/* Starts echo-epoll on a free port and returns it, with the port it chose. */
static GSubprocess *
start_echo_epoll (char **port)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { g_getenv ("BENCH_ECHO_EPOLL"), "--port", "0", NULL };
  GSubprocess *server = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  g_autoptr (GDataInputStream) lines =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "echo-epoll: listening on 127.0.0.1:"));
  *port = g_strdup (strrchr (line, ':') + 1);
  return server;
}

static void
stop_server (GSubprocess *server)
{
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  g_object_unref (server);
}

/* ---- Faulty servers -------------------------------------------------------- */

typedef enum
{
  FAULT_FLIP_BYTE_100,        /* echoes, but byte 100 of the stream comes back changed */
  FAULT_CLOSE_AFTER_10,       /* reads a 1024-byte message, echoes 10 bytes, closes */
  FAULT_CLOSE_FIRST,          /* closes the first connection, echoes the others */
} Fault;

typedef struct
{
  Fault fault;
  GSocket *listener;
  GThread *thread;
  char *port;
} FaultyServer;

/* Echoes one connection until the peer closes it, with the server's fault. */
static void
serve_connection (FaultyServer *server,
                  GSocket      *connection,
                  guint         number)
{
  char buffer[4096];
  gsize offset = 0;
  gssize n;

  if (server->fault == FAULT_CLOSE_FIRST && number == 0)
    return;
  if (server->fault == FAULT_CLOSE_AFTER_10)
    {
      /* All of the message is read first: closing with unread data would
       * send a reset, and this server is meant to close cleanly. */
      while (offset < 1024 && (n = g_socket_receive (connection, buffer + offset,
                                                     1024 - offset, NULL, NULL)) > 0)
        offset += n;
      g_socket_send (connection, buffer, 10, NULL, NULL);
      return;
    }
  while ((n = g_socket_receive (connection, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      if (server->fault == FAULT_FLIP_BYTE_100 && offset <= 100 && 100 < offset + n)
        buffer[100 - offset] ^= 0x5a;
      offset += n;
      for (gssize sent = 0, w; sent < n; sent += w)
        if ((w = g_socket_send (connection, buffer + sent, n - sent, NULL, NULL)) <= 0)
          return;
    }
}

static gpointer
faulty_server_thread (gpointer data)
{
  FaultyServer *server = data;

  /* Accepts until the listener is shut down by faulty_server_stop. */
  for (guint number = 0;; number++)
    {
      g_autoptr (GSocket) connection = g_socket_accept (server->listener, NULL, NULL);
      if (connection == NULL)
        return NULL;
      serve_connection (server, connection, number);
      g_socket_close (connection, NULL);
    }
}

static FaultyServer *
faulty_server_start (Fault fault)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  FaultyServer *server = g_new0 (FaultyServer, 1);

  server->fault = fault;
  server->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (server->listener, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (server->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (server->listener, &error);
  g_assert_no_error (error);
  server->port = g_strdup_printf ("%u", g_inet_socket_address_get_port (
                                    G_INET_SOCKET_ADDRESS (bound)));
  server->thread = g_thread_new ("faulty-server", faulty_server_thread, server);
  return server;
}

static void
faulty_server_stop (FaultyServer *server)
{
  /* shutdown() wakes the thread's blocking accept() with an error. */
  g_socket_shutdown (server->listener, TRUE, TRUE, NULL);
  g_thread_join (server->thread);
  g_object_unref (server->listener);
  g_free (server->port);
  g_free (server);
}

/* ---- loadgen --------------------------------------------------------------- */

static void
test_loadgen_refuses_other_hosts (void)
{
  const char *hosts[] = { "192.0.2.1", "localhost", "::1" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      Finished finished = { 0 };
      run_loadgen (&finished, "--host", hosts[i], "--port", "9", NULL);
      g_assert_cmpint (finished.status, ==, 2);
      g_assert_nonnull (strstr (finished.err, "give --host 127.0.0.1"));
      g_assert_cmpstr (finished.out, ==, "");
      finished_clear (&finished);
    }
}

/* bench-sim --journal: the first run's journal, the same for the same
 * seed (what is diffed to check that a change keeps the order of events). */
static char *
bench_sim_journal (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  const char *argv[] = { g_getenv ("BENCH_SIM"), "--nodes", "3", "--hours", "0.001",
                         "--journal", path, NULL };
  Finished finished = { 0 };
  char *journal = NULL;

  run_program (&finished, argv);
  g_assert_cmpint (finished.status, ==, 0);
  g_assert_nonnull (strstr (finished.out, "3 nodes, 0.001 virtual hour(s)"));
  finished_clear (&finished);
  g_assert_true (g_file_get_contents (path, &journal, NULL, NULL));
  return journal;
}

static void
test_bench_sim_writes_its_journal (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-sim-XXXXXX", NULL);
  g_autofree char *one = bench_sim_journal (dir, "one.jsonl");
  g_autofree char *other = bench_sim_journal (dir, "other.jsonl");
  g_autofree char *one_path = g_build_filename (dir, "one.jsonl", NULL);
  g_autofree char *other_path = g_build_filename (dir, "other.jsonl", NULL);

  g_assert_true (g_str_has_prefix (one, "{\"t\":"));
  g_assert_nonnull (strstr (one, "\"event\":\"deliver\",\"node\":\"client-1\",\"peer\":\"server\""));
  g_assert_cmpstr (one, ==, other);
  g_assert_cmpint (g_remove (one_path), ==, 0);
  g_assert_cmpint (g_remove (other_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_loadgen_rejects_bad_options (void)
{
  const char *const cases[][3] = {
    { "--connections", "1", "--port N is required" },
    { "--size", "0", "--size must be between" },
    { "--duration", "0", "--duration must be positive" },
    { "--connections", "-1", "must not be negative" },
    { "--server-pid", "-5", "--server-pid -5: no such process" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Finished finished = { 0 };
      if (i == 0)
        run_loadgen (&finished, cases[i][0], cases[i][1], NULL);
      else
        run_loadgen (&finished, "--port", "9", cases[i][0], cases[i][1], NULL);
      g_assert_cmpint (finished.status, ==, 2);
      g_assert_nonnull (strstr (finished.err, cases[i][2]));
      finished_clear (&finished);
    }
}

static void
test_loadgen_measures_raw_epoll_with_idle_connections (void)
{
  g_autofree char *port = NULL;
  GSubprocess *server = start_echo_epoll (&port);
  Finished finished = { 0 };
  g_autoptr (GRegex) requests = g_regex_new ("\"requests\": ([0-9]+),", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  run_loadgen (&finished, "--port", port, "--connections", "3", "--size", "1000",
               "--idle", "20", "--duration", "0.3", "--warmup", "0.1", "--json", NULL);
  g_assert_cmpstr (finished.err, ==, "loadgen: 20 idle connections open and accepted\n");
  g_assert_cmpint (finished.status, ==, 0);
  g_assert_true (g_str_has_prefix (finished.out, "{\"host\": \"127.0.0.1\""));
  g_assert_nonnull (strstr (finished.out, "\"connections\": 3, \"size\": 1000, \"idle\": 20"));
  g_assert_true (g_regex_match (requests, finished.out, 0, &match));
  g_autofree char *count = g_match_info_fetch (match, 1);
  g_assert_cmpint (g_ascii_strtoll (count, NULL, 10), >, 0);
  finished_clear (&finished);
  stop_server (server);
}

static void
test_loadgen_measures_the_servers_cpu (void)
{
  g_autofree char *port = NULL;
  GSubprocess *server = start_echo_epoll (&port);
  Finished finished = { 0 };
  g_autoptr (GRegex) cpu = g_regex_new ("\"server_cpu_s\": ([0-9.]+), "
                                        "\"server_cpu_us_per_request\": ([0-9.]+)}",
                                        0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *per_request = NULL;

  g_test_summary ("With --server-pid, loadgen reads the server's CPU time in the measured "
                  "window from /proc and reports it per request; without it, null");
  run_loadgen (&finished, "--port", port, "--connections", "3", "--duration", "0.3",
               "--warmup", "0.1", "--server-pid",
               g_subprocess_get_identifier (server), "--json", NULL);
  g_assert_cmpint (finished.status, ==, 0);
  g_assert_true (g_regex_match (cpu, finished.out, 0, &match));
  seconds = g_match_info_fetch (match, 1);
  per_request = g_match_info_fetch (match, 2);
  /* An echo server under load for 0.3 s uses some CPU, and no more than
   * the window's length (it has one thread). */
  g_assert_cmpfloat (g_ascii_strtod (seconds, NULL), >, 0);
  g_assert_cmpfloat (g_ascii_strtod (seconds, NULL), <=, 0.3 + 0.05);
  g_assert_cmpfloat (g_ascii_strtod (per_request, NULL), >, 0);
  finished_clear (&finished);

  run_loadgen (&finished, "--port", port, "--connections", "1", "--duration", "0.1",
               "--warmup", "0", "--json", NULL);
  g_assert_nonnull (strstr (finished.out, "\"server_cpu_s\": null, "
                                          "\"server_cpu_us_per_request\": null}"));
  finished_clear (&finished);
  stop_server (server);
}

/* 1 MiB messages do not fit in a socket buffer at once: loadgen has to
 * wait for writability while it reads the echo. Every byte still has to
 * come back right. */
static void
test_loadgen_large_messages_need_partial_writes (void)
{
  g_autofree char *port = NULL;
  GSubprocess *server = start_echo_epoll (&port);
  Finished finished = { 0 };

  run_loadgen (&finished, "--port", port, "--connections", "2", "--size", "1048576",
               "--duration", "0.3", "--warmup", "0", NULL);
  g_assert_cmpstr (finished.err, ==, "");
  g_assert_cmpint (finished.status, ==, 0);
  g_assert_nonnull (strstr (finished.out, "2 connections x 1048576 B"));
  g_assert_null (strstr (finished.out, "requests/s  0 "));
  finished_clear (&finished);
  stop_server (server);
}

static void
test_loadgen_reports_a_wrong_byte (void)
{
  FaultyServer *server = faulty_server_start (FAULT_FLIP_BYTE_100);
  Finished finished = { 0 };

  run_loadgen (&finished, "--port", server->port, "--connections", "1",
               "--duration", "2", "--warmup", "0", NULL);
  g_assert_cmpint (finished.status, ==, 1);
  g_assert_nonnull (strstr (finished.err, "echo mismatch on connection 0, request 0: "
                                          "byte at offset 100 of the message is 0x"));
  g_assert_cmpstr (finished.out, ==, "");
  finished_clear (&finished);
  faulty_server_stop (server);
}

static void
test_loadgen_reports_a_closed_connection (void)
{
  FaultyServer *server = faulty_server_start (FAULT_CLOSE_AFTER_10);
  Finished finished = { 0 };

  run_loadgen (&finished, "--port", server->port, "--connections", "1",
               "--duration", "2", "--warmup", "0", NULL);
  g_assert_cmpint (finished.status, ==, 1);
  g_assert_nonnull (strstr (finished.err, "connection 0: the server closed it after 10 of "
                                          "1024 echoed bytes of request 0"));
  finished_clear (&finished);
  faulty_server_stop (server);
}

static void
test_loadgen_reports_a_closed_idle_connection (void)
{
  FaultyServer *server = faulty_server_start (FAULT_CLOSE_FIRST);
  Finished finished = { 0 };

  run_loadgen (&finished, "--port", server->port, "--connections", "1", "--idle", "1",
               "--duration", "2", "--warmup", "0", NULL);
  g_assert_cmpint (finished.status, ==, 1);
  g_assert_nonnull (strstr (finished.err, "idle connection 0: the server closed it"));
  finished_clear (&finished);
  faulty_server_stop (server);
}

/* ---- echo-epoll ---------------------------------------------------------- */

static guint8
pattern_byte (gsize offset)
{
  return (guint8) (offset * 131 + offset / 251);
}

/* A client that sends and does not read fills the server's send buffer:
 * echo-epoll has to keep the echo the socket did not take and stop reading
 * (so the client's sends stop too), then give back every byte once read. */
static void
test_echo_epoll_keeps_what_the_socket_did_not_take (void)
{
  g_autofree char *port = NULL;
  GSubprocess *server = start_echo_epoll (&port);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) atoi (port), NULL, &error);
  g_assert_no_error (error);
  GSocket *socket = g_socket_connection_get_socket (connection);
  guint8 chunk[65536];
  gsize sent = 0, received = 0;

  /* Send until neither side takes more for 300 ms: both buffers are full. */
  g_socket_set_blocking (socket, FALSE);
  while (g_socket_condition_timed_wait (socket, G_IO_OUT, 300 * 1000, NULL, NULL))
    {
      for (gsize i = 0; i < sizeof chunk; i++)
        chunk[i] = pattern_byte (sent + i);
      gssize w = g_socket_send (socket, (const char *) chunk, sizeof chunk, NULL, NULL);
      if (w > 0)
        sent += w;
      g_assert_cmpuint (sent, <, 256 * 1024 * 1024);
    }
  g_assert_cmpuint (sent, >, 0);

  g_socket_set_blocking (socket, TRUE);
  g_socket_set_timeout (socket, 5);
  while (received < sent)
    {
      gssize r = g_socket_receive (socket, (char *) chunk, MIN (sizeof chunk, sent - received),
                                   NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (r, >, 0);
      for (gssize i = 0; i < r; i++)
        g_assert_cmpuint (chunk[i], ==, pattern_byte (received + i));
      received += r;
    }
  g_assert_cmpuint (received, ==, sent);
  stop_server (server);
}

/* ---- run-echo-bench ------------------------------------------------------ */

static void
test_run_echo_bench_prints_the_table (void)
{
  const char *argv[] = {
    g_getenv ("BENCH_RUN_ECHO_BENCH"), "--no-build", "--build-dir", g_getenv ("BENCH_BUILD_DIR"),
    "--only", "raw-epoll,braid,again", "--server", g_getenv ("BENCH_ECHO_EPOLL"), "--name", "again",
    "--quick", "--duration", "0.2", "--warmup", "0", "--idle", "50", NULL
  };
  Finished finished = { 0 };

  run_program (&finished, argv);
  g_assert_cmpint (finished.status, ==, 0);
  g_assert_true (g_str_has_prefix (finished.out, "# Braid echo benchmark\ncommand: "));
  g_assert_nonnull (strstr (finished.out, "\ndate:    "));
  g_assert_nonnull (strstr (finished.out, "| 10 conns x 1 KiB (req/s) "));
  g_assert_nonnull (strstr (finished.out, "| 10 conns x 1 KiB + 50 idle (req/s) "));
  g_assert_nonnull (strstr (finished.out, "| server RSS per idle conn (B) "));
  g_assert_nonnull (strstr (finished.out, "(1.00x)"));
  /* Braid's own server runs in the same table, checked byte by byte. */
  g_assert_true (g_regex_match_simple ("^braid: .*braid-echo-server --port [0-9]+$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^braid: [0-5] of 5 targets met$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (finished.out, "again: "));
  g_assert_nonnull (strstr (finished.out, " targets met\n"));
  g_assert_null (strstr (finished.out, "FAILED"));
  finished_clear (&finished);
}

static void
test_run_echo_bench_alternates_and_shows_the_spread (void)
{
  const char *argv[] = {
    g_getenv ("BENCH_RUN_ECHO_BENCH"), "--no-build", "--build-dir", g_getenv ("BENCH_BUILD_DIR"),
    "--only", "raw-epoll,braid", "--quick", "--repeat", "2",
    "--duration", "0.1", "--warmup", "0", "--idle", "10", NULL
  };
  Finished finished = { 0 };
  g_autoptr (GRegex) first = NULL;
  g_autoptr (GRegex) second = NULL;
  GMatchInfo *match = NULL;
  char *epoll_pids[2], *braid_pids[2];

  g_test_summary ("With several repetitions, run-echo-bench alternates the servers' order, "
                  "starts fresh server processes each time, and shows the spread of the "
                  "single-repetition ratios");
  run_program (&finished, argv);
  g_assert_cmpint (finished.status, ==, 0);
  /* Each repetition runs the cells in the opposite order of the last, on
   * fresh server processes. */
  first = g_regex_new ("repetition 1 of 2 done \\(order: raw-epoll pid ([0-9]+), "
                       "braid pid ([0-9]+)\\)", 0, 0, NULL);
  second = g_regex_new ("repetition 2 of 2 done \\(order: braid pid ([0-9]+), "
                        "raw-epoll pid ([0-9]+)\\)", 0, 0, NULL);
  g_assert_true (g_regex_match (first, finished.err, 0, &match));
  epoll_pids[0] = g_match_info_fetch (match, 1);
  braid_pids[0] = g_match_info_fetch (match, 2);
  g_clear_pointer (&match, g_match_info_free);
  g_assert_true (g_regex_match (second, finished.err, 0, &match));
  braid_pids[1] = g_match_info_fetch (match, 1);
  epoll_pids[1] = g_match_info_fetch (match, 2);
  g_clear_pointer (&match, g_match_info_free);
  g_assert_cmpstr (epoll_pids[0], !=, epoll_pids[1]);
  g_assert_cmpstr (braid_pids[0], !=, braid_pids[1]);
  for (guint i = 0; i < 2; i++)
    {
      g_free (epoll_pids[i]);
      g_free (braid_pids[i]);
    }
  /* With more than one repetition, the lowest and highest single ratios. */
  g_assert_nonnull (strstr (finished.out, "ratio to raw-epoll in single repetitions"));
  /* The servers' CPU per request, which loadgen reads from /proc. */
  g_assert_true (g_regex_match_simple ("^\\| 10 conns x 1 KiB +\\| [0-9.]+ \\(1.00x\\) +\\| [0-9.]+ \\([0-9.]+x\\) +\\|$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^\\| 10 conns x 1 KiB +\\| - +\\| [0-9.]+x - [0-9.]+x +\\|$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  finished_clear (&finished);
}

static void
test_run_echo_bench_reports_a_server_that_does_not_start (void)
{
  const char *argv[] = {
    g_getenv ("BENCH_RUN_ECHO_BENCH"), "--no-build", "--build-dir", g_getenv ("BENCH_BUILD_DIR"),
    "--only", "raw-epoll,broken", "--server", "/bin/false {port}", "--name", "broken",
    "--quick", "--duration", "0.1", "--warmup", "0", "--idle", "10", NULL
  };
  Finished finished = { 0 };

  run_program (&finished, argv);
  g_assert_cmpint (finished.status, ==, 1);
  g_assert_nonnull (strstr (finished.out, "| 10 conns x 1 KiB (req/s) "));
  g_assert_nonnull (strstr (finished.out, "broken: exited with status 1 before listening"));
  finished_clear (&finished);
}

static void
test_run_echo_bench_runs_braidd_with_workers (void)
{
  const char *argv[] = {
    g_getenv ("BENCH_RUN_ECHO_BENCH"), "--no-build", "--build-dir", g_getenv ("BENCH_BUILD_DIR"),
    "--braidd", "--only", "braidd,braidd-2w", "--quick",
    "--duration", "0.1", "--warmup", "0", "--idle", "10", NULL
  };
  Finished finished = { 0 };

  g_test_summary ("run-echo-bench --braidd runs `braidd echo` and `braidd --workers 2 echo` "
                  "(on cores 0 and 1 when it pins) in the same table, with their memory "
                  "counted over the parent and its workers, and stops them all");
  run_program (&finished, argv);
  g_assert_cmpint (finished.status, ==, 0);
  g_assert_true (g_regex_match_simple ("^braidd: .*tools/braidd/braidd echo --endpoint tcp:[0-9]+:interface=127.0.0.1:backlog=4096$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^braidd-2w: (taskset -c 0,1 )?\\S*tools/braidd/braidd "
                                       "--workers 2 echo --endpoint tcp:[0-9]+:interface=127.0.0.1:backlog=4096$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^braidd-2w: [0-9] of [0-9] targets met$",
                                       finished.out, G_REGEX_MULTILINE, 0));
  /* The idle connections' memory is measured (in the workers). */
  g_assert_true (g_regex_match_simple ("^\\| server RSS per idle conn \\(B\\) +\\| [0-9,]+ .*\\| [0-9,]+ ",
                                       finished.out, G_REGEX_MULTILINE, 0));
  g_assert_null (strstr (finished.out, "FAILED"));
  finished_clear (&finished);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("loadgen, echo-epoll and run-echo-bench: loadgen catches faulty "
                  "servers, and the benchmark runs end to end on 127.0.0.1.");

  braid_test_add_func ("/bench/loadgen/refuses-other-hosts", test_loadgen_refuses_other_hosts);
  braid_test_add_func ("/bench/bench-sim/writes-its-journal", test_bench_sim_writes_its_journal);
  braid_test_add_func ("/bench/loadgen/rejects-bad-options", test_loadgen_rejects_bad_options);
  braid_test_add_func ("/bench/loadgen/measures-the-servers-cpu", test_loadgen_measures_the_servers_cpu);
  braid_test_add_func ("/bench/loadgen/measures-raw-epoll-with-idle-connections",
                       test_loadgen_measures_raw_epoll_with_idle_connections);
  braid_test_add_func ("/bench/loadgen/large-messages-need-partial-writes",
                       test_loadgen_large_messages_need_partial_writes);
  braid_test_add_func ("/bench/loadgen/reports-a-wrong-byte", test_loadgen_reports_a_wrong_byte);
  braid_test_add_func ("/bench/loadgen/reports-a-closed-connection",
                       test_loadgen_reports_a_closed_connection);
  braid_test_add_func ("/bench/loadgen/reports-a-closed-idle-connection",
                       test_loadgen_reports_a_closed_idle_connection);
  braid_test_add_func ("/bench/echo-epoll/keeps-what-the-socket-did-not-take",
                       test_echo_epoll_keeps_what_the_socket_did_not_take);
  braid_test_add_func ("/bench/run-echo-bench/prints-the-table",
                       test_run_echo_bench_prints_the_table);
  braid_test_add_func ("/bench/run-echo-bench/alternates-and-shows-the-spread",
                       test_run_echo_bench_alternates_and_shows_the_spread);
  braid_test_add_func ("/bench/run-echo-bench/reports-a-server-that-does-not-start",
                       test_run_echo_bench_reports_a_server_that_does_not_start);
  braid_test_add_func ("/bench/run-echo-bench/runs-braidd-with-workers",
                       test_run_echo_bench_runs_braidd_with_workers);
  return g_test_run ();
}
