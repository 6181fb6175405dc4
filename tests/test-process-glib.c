/* test-process-glib.c: real children of /bin/sh on the GLib reactor: their
 * output, exit codes and signals, stdin with backpressure, no descriptor
 * leaked into them, no zombie left behind. Every wait is bounded. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process-recorder.h"

#define WAIT_SECONDS 10

typedef struct
{
  BraidReactor *reactor;
  GMainContext *context;
  ProcessRecorder *recorder;
  BraidProcessTransport *transport;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->reactor = braid_glib_reactor_new (f->context);
  f->recorder = process_recorder_new ();
}

static gboolean
flag_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until @done says so, failing the test after WAIT_SECONDS. */
static void
iterate_until (Fixture *f, gboolean (*done) (Fixture *f))
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new_seconds (WAIT_SECONDS);

  g_source_set_callback (timeout, flag_timeout, &timed_out, NULL);
  g_source_attach (timeout, f->context);
  while (!done (f) && !timed_out)
    g_main_context_iteration (f->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  if (timed_out)
    g_error ("timed out; events so far: %s", f->recorder->log->str);
}

static gboolean
ended (Fixture *f)
{
  return f->recorder->n_ended > 0;
}

static gboolean
exited (Fixture *f)
{
  return f->recorder->exited != NULL;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->transport != NULL && !ended (f))
    {
      braid_process_transport_signal_process (f->transport, SIGKILL, NULL);
      braid_transport_abort_connection (BRAID_TRANSPORT (f->transport));
      iterate_until (f, ended);
    }
  g_object_unref (f->recorder);
  g_object_unref (f->reactor);
  /* Let pending sources of the process go before the context. */
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
}

static void
spawn (Fixture *f, const char *script, const char * const *envp, const char *cwd)
{
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr (GError) error = NULL;

  f->transport = braid_reactor_spawn_process (f->reactor, BRAID_PROCESS_PROTOCOL (f->recorder),
                                              argv, envp, cwd, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->transport);
}

/* valgrind preloads its own libraries into the program it runs. */
static gboolean
under_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

static void
assert_reaped (GPid pid)
{
  /* GLib's child watch reaped it: there is no child left to wait for. */
  g_assert_cmpint (waitpid (pid, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static void
test_cat_echoes_stdin_and_is_reaped (Fixture *f, gconstpointer data)
{
  GPid pid;

  spawn (f, "exec cat", NULL, NULL);
  pid = braid_process_transport_get_pid (f->transport);
  g_assert_cmpint (pid, >, 0);
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "hello ");
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "child\n");
  braid_process_transport_close_stdin (f->transport);
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "hello child\n");
  g_assert_error (f->recorder->ended, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_DONE);
  g_assert_true (g_str_has_prefix (f->recorder->log->str, "made;"));
  g_assert_true (g_str_has_suffix (f->recorder->log->str, "ended:0;"));
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:0;"));
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:1;"));
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:2;"));
  g_assert_nonnull (strstr (f->recorder->log->str, "exited:0;"));
  g_assert_cmpuint (f->recorder->n_ended, ==, 1);
  g_assert_cmpint (braid_process_transport_get_pid (f->transport), ==, 0);
  assert_reaped (pid);
}

static void
test_stderr_and_exit_code (Fixture *f, gconstpointer data)
{
  spawn (f, "echo out; echo oops >&2; exit 3", NULL, NULL);
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "out\n");
  g_assert_cmpstr (f->recorder->err->str, ==, "oops\n");
  g_assert_error (f->recorder->exited, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_TERMINATED);
  g_assert_cmpstr (f->recorder->ended->message, ==, "process ended with exit code 3");
  g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), ==, 3);
  g_assert_cmpint (braid_process_transport_get_exit_signal (f->transport), ==, 0);
}

static void
test_signal_kills_and_then_is_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  spawn (f, "exec sleep 30", NULL, NULL);
  g_assert_true (braid_process_transport_signal_process_by_name (f->transport, "TERM", &error));
  g_assert_no_error (error);
  iterate_until (f, ended);
  g_assert_cmpint (braid_process_transport_get_exit_signal (f->transport), ==, SIGTERM);
  g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), ==, -1);
  g_assert_error (f->recorder->ended, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_TERMINATED);
  g_assert_true (g_str_has_prefix (f->recorder->ended->message, "process ended by signal 15"));
  g_assert_false (braid_process_transport_signal_process (f->transport, SIGKILL, &error));
  g_assert_error (error, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_EXITED_ALREADY);
}

static void
test_missing_program_fails_at_spawn (Fixture *f, gconstpointer data)
{
  const char *argv[] = { "/nonexistent/braid-no-such-program", NULL };
  const char *bare[] = { "braid-no-such-program-either", NULL };
  g_autoptr (GError) error = NULL;

  g_assert_null (braid_reactor_spawn_process (f->reactor, BRAID_PROCESS_PROTOCOL (f->recorder),
                                              argv, NULL, NULL, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "braid-no-such-program"));
  g_clear_error (&error);
  g_assert_null (braid_reactor_spawn_process (f->reactor, BRAID_PROCESS_PROTOCOL (f->recorder),
                                              bare, NULL, NULL, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_clear_error (&error);
  g_assert_null (braid_reactor_spawn_process (f->reactor, BRAID_PROCESS_PROTOCOL (f->recorder),
                                              (const char *[]) { "/bin/sh", NULL }, NULL,
                                              "/nonexistent/directory", &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_CHDIR);
  g_assert_cmpstr (f->recorder->log->str, ==, "");
}

/* A descriptor this process left without close-on-exec still does not
 * reach the child: it sees its three pipes and what it opens itself. */
static void
test_no_descriptor_leaks_into_the_child (Fixture *f, gconstpointer data)
{
  int leaky = dup (0);   /* dup() does not set close-on-exec */

  g_assert_cmpint (leaky, >=, 3);
  g_assert_cmpint (fcntl (leaky, F_GETFD) & FD_CLOEXEC, ==, 0);
  spawn (f, "exec ls /proc/self/fd", NULL, NULL);
  iterate_until (f, ended);
  close (leaky);
  /* ls has its own directory open as 3. */
  g_assert_cmpstr (f->recorder->out->str, ==, "0\n1\n2\n3\n");
}

static void
test_environment_and_working_directory (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("braid-process-XXXXXX", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *real = NULL;
  const char *envp[] = { "BRAID_TEST=hello", NULL };

  g_assert_nonnull (dir);
  real = realpath (dir, NULL);
  spawn (f, "pwd; echo \"$BRAID_TEST\"; echo \"${HOME-unset}\"", envp, dir);
  iterate_until (f, ended);
  expected = g_strdup_printf ("%s\nhello\nunset\n", real);
  g_assert_cmpstr (f->recorder->out->str, ==, expected);
  g_assert_cmpint (rmdir (dir), ==, 0);
}

/* The child closes stdout early and goes on: out_connection_lost comes
 * first, then the rest once it exits. */
static void
test_child_closing_stdout_early (Fixture *f, gconstpointer data)
{
  spawn (f, "echo first; exec >&-; read line; echo \"$line\" >&2", NULL, NULL);
  while (strstr (f->recorder->log->str, "lost:1;") == NULL)
    g_main_context_iteration (f->context, TRUE);
  g_assert_cmpstr (f->recorder->out->str, ==, "first\n");
  g_assert_null (f->recorder->exited);
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "still reading\n");
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->err->str, ==, "still reading\n");
  g_assert_error (f->recorder->ended, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_DONE);
}

/* Writing to a child that exited: no SIGPIPE kills this process, stdin is
 * reported lost and the write is dropped. */
static void
test_writing_to_a_child_that_exited (Fixture *f, gconstpointer data)
{
  spawn (f, "exit 0", NULL, NULL);
  iterate_until (f, ended);
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:0;"));
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "nobody reads this");
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    ==, 0);
}

/* The child exits with bytes still waiting for its stdin: the write fails
 * with EPIPE (not a signal), the pipe is lost, the process ends. */
static void
test_child_exits_while_stdin_is_full (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *block = g_malloc0 (256 * 1024);

  spawn (f, "sleep 0.5; read line; exit 0", NULL, NULL);
  block[0] = '\n';   /* read returns at once; the rest is never read */
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 256 * 1024);
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    >, 0);
  iterate_until (f, exited);
  iterate_until (f, ended);
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    ==, 0);
}

static gboolean
drained (Fixture *f)
{
  return braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)) == 0;
}

static void
test_streaming_producer_is_paused_and_resumed (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidStringTransport) producer = braid_string_transport_new ();
  g_autofree guint8 *block = g_malloc0 (512 * 1024);

  /* The child reads nothing for a while, so the write waits in Braid. */
  spawn (f, "sleep 0.3; exec cat >/dev/null", NULL, NULL);
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport),
                                     BRAID_PRODUCER (producer), TRUE);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 512 * 1024);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  iterate_until (f, drained);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  braid_transport_lose_connection (BRAID_TRANSPORT (f->transport));
  g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (f->transport)) || drained (f));
  iterate_until (f, ended);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
  g_assert_error (f->recorder->ended, BRAID_PROCESS_ERROR, BRAID_PROCESS_ERROR_DONE);
}

static gboolean
got_ten (Fixture *f)
{
  return f->recorder->out->len >= 10;
}

/* A pull producer is asked for more each time stdin drains. */
static void
test_pull_producer_writes_to_stdin (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidNonStreamingProducer) producer = NULL;
  g_autoptr (BraidStringTransport) late = braid_string_transport_new ();

  spawn (f, "exec cat", NULL, NULL);
  producer = braid_non_streaming_producer_new (BRAID_TRANSPORT (f->transport));
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport),
                                     BRAID_PRODUCER (producer), FALSE);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport), BRAID_PRODUCER (late), TRUE);
  g_test_assert_expected_messages ();
  iterate_until (f, got_ten);
  g_assert_cmpstr (f->recorder->out->str, ==, "0123456789");
  /* It unregistered itself after ten writes. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (f->transport));
  g_test_assert_expected_messages ();

  braid_process_transport_close_stdin (f->transport);
  iterate_until (f, ended);
  /* Registering on a closed stdin stops the producer (Twisted's rule). */
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport), BRAID_PRODUCER (late), TRUE);
  g_assert_cmpint (braid_string_transport_get_producer_state (late), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
  g_assert_null (braid_transport_get_peer (BRAID_TRANSPORT (f->transport)));
  g_assert_null (braid_transport_get_host (BRAID_TRANSPORT (f->transport)));
}

/* write_sequence joins its vectors; an empty write does nothing. */
static void
test_write_sequence (Fixture *f, gconstpointer data)
{
  GOutputVector vectors[] = { { "a", 1 }, { "", 0 }, { "bc\n", 3 } };

  spawn (f, "exec cat", NULL, NULL);
  braid_transport_write_sequence (BRAID_TRANSPORT (f->transport), vectors, 3);
  braid_transport_write_sequence (BRAID_TRANSPORT (f->transport), vectors + 1, 1);
  braid_transport_lose_write_connection (BRAID_TRANSPORT (f->transport));
  braid_transport_write_sequence (BRAID_TRANSPORT (f->transport), vectors, 3);
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "abc\n");
}

/* close_stdin waits for the buffer to be written. */
static void
test_close_stdin_flushes_first (Fixture *f, gconstpointer data)
{
  g_autofree char *text = g_strnfill (300 * 1024, 'x');

  /* The child reads nothing for a while, so most of it waits in Braid. */
  spawn (f, "sleep 0.3; exec wc -c", NULL, NULL);
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), text);
  braid_process_transport_close_stdin (f->transport);
  g_assert_true (braid_transport_is_disconnecting (BRAID_TRANSPORT (f->transport)));
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "dropped");
  iterate_until (f, ended);
  g_assert_cmpstr (g_strstrip (f->recorder->out->str), ==, "307200");
}

/* A child that never reads: past the write limit, stdin is closed with a
 * logged reason; the child goes on until it is killed. */
static void
test_write_limit_closes_stdin (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *block = g_malloc0 (200 * 1024);

  spawn (f, "exec sleep 30", NULL, NULL);
  braid_transport_set_write_buffer_limit (BRAID_TRANSPORT (f->transport), 1024);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 200 * 1024);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*peer is not reading*");
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 10);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    ==, 0);
  while (strstr (f->recorder->log->str, "lost:0;") == NULL)
    g_main_context_iteration (f->context, TRUE);
  g_assert_null (f->recorder->exited);
  g_assert_true (braid_process_transport_signal_process_by_name (f->transport, "KILL", NULL));
  iterate_until (f, ended);
  g_assert_cmpint (braid_process_transport_get_exit_signal (f->transport), ==, SIGKILL);
}

/* The write_sequence that crosses the limit closes stdin the same way. */
static void
test_write_sequence_past_the_limit (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *block = g_malloc0 (200 * 1024);
  GOutputVector vectors[] = { { "a", 1 }, { "b", 1 } };

  spawn (f, "exec sleep 30", NULL, NULL);
  braid_transport_set_write_buffer_limit (BRAID_TRANSPORT (f->transport), 1024);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 200 * 1024);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*peer is not reading*");
  braid_transport_write_sequence (BRAID_TRANSPORT (f->transport), vectors, 2);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    ==, 0);
  while (strstr (f->recorder->log->str, "lost:0;") == NULL)
    g_main_context_iteration (f->context, TRUE);
  g_assert_true (braid_process_transport_signal_process_by_name (f->transport, "KILL", NULL));
  iterate_until (f, ended);
}

/* Pausing the transport stops reading the child's output. */
static void
test_pausing_stops_reading (Fixture *f, gconstpointer data)
{
  spawn (f, "echo one; read line; echo two", NULL, NULL);
  while (f->recorder->out->len == 0)
    g_main_context_iteration (f->context, TRUE);
  braid_producer_pause_producing (BRAID_PRODUCER (f->transport));
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "go\n");
  iterate_until (f, exited);
  g_assert_cmpstr (f->recorder->out->str, ==, "one\n");
  braid_producer_resume_producing (BRAID_PRODUCER (f->transport));
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "one\ntwo\n");
}

/* A grandchild holds stdout: process_exited comes first, process_ended
 * once the grandchild lets go. */
static void
test_grandchild_holds_the_pipes (Fixture *f, gconstpointer data)
{
  spawn (f, "(sleep 0.3; echo late) & exit 0", NULL, NULL);
  iterate_until (f, exited);
  g_assert_cmpuint (f->recorder->n_ended, ==, 0);
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "late\n");
  g_assert_true (g_str_has_suffix (f->recorder->log->str, "ended:0;"));
  g_assert_cmpint (strstr (f->recorder->log->str, "exited:0;") - f->recorder->log->str, <,
                   strstr (f->recorder->log->str, "out;") - f->recorder->log->str);
}

/* stop_producing, as a consumer calls it, closes every pipe: cat then
 * writes its "x" to a closed stdout and dies of SIGPIPE -- which also shows
 * that the child did not inherit this process's SIG_IGN for SIGPIPE. */
static void
test_stop_producing_closes_every_pipe (Fixture *f, gconstpointer data)
{
  spawn (f, "sleep 0.3; exec cat", NULL, NULL);   /* cat reads once all is closed */
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "x");
  braid_producer_stop_producing (BRAID_PRODUCER (f->transport));
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "");
  /* Under valgrind the child does inherit SIG_IGN (valgrind keeps the
   * ignored disposition across its exec); cat then exits on EPIPE. */
  if (under_valgrind ())
    g_assert_cmpint (braid_process_transport_get_exit_code (f->transport), !=, 0);
  else
    g_assert_cmpint (braid_process_transport_get_exit_signal (f->transport), ==, SIGPIPE);
}

/* abort_connection closes the three pipes at once, dropping what waits
 * for stdin. */
static void
test_abort_drops_what_waits (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *block = g_malloc0 (256 * 1024);

  spawn (f, "sleep 0.3; exec cat", NULL, NULL);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 256 * 1024);
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    >, 0);
  braid_transport_abort_connection (BRAID_TRANSPORT (f->transport));
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    ==, 0);
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "");
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:0;lost:1;lost:2;"));
}

/* A signal number the kernel does not know: kill() fails and says why. */
static void
test_signal_the_kernel_refuses (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_test_summary ("A signal number out of the kernel's range fails with "
                  "G_IO_ERROR_INVALID_ARGUMENT and the child goes on");
  spawn (f, "exec sleep 30", NULL, NULL);
  g_assert_false (braid_process_transport_signal_process (f->transport, 200, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "cannot send signal 200 to process"));
  g_assert_null (f->recorder->exited);
}

/* Waits (without running the loop) until the child has no stdin. */
static void
wait_for_stdin_closed (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd/0", (int) pid);
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

/* The child closed its stdin before the loop noticed: the write itself
 * meets EPIPE, is dropped, and stdin is reported lost. */
static void
test_write_meets_a_closed_stdin (Fixture *f, gconstpointer data)
{
  spawn (f, "exec 0<&-; exec sleep 30", NULL, NULL);
  wait_for_stdin_closed (braid_process_transport_get_pid (f->transport));
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "nobody reads this");
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    ==, 0);
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "nor this");
  while (strstr (f->recorder->log->str, "lost:0;") == NULL)
    g_main_context_iteration (f->context, TRUE);
  g_assert_null (f->recorder->exited);
  g_assert_true (braid_process_transport_signal_process_by_name (f->transport, "KILL", NULL));
  iterate_until (f, ended);
}

/* Pausing twice, closing while paused, resuming after the close: the
 * pipes close all the same and nothing more is read. */
static void
test_close_while_paused (Fixture *f, gconstpointer data)
{
  spawn (f, "exec cat", NULL, NULL);
  braid_producer_pause_producing (BRAID_PRODUCER (f->transport));
  braid_producer_pause_producing (BRAID_PRODUCER (f->transport));
  braid_transport_write_string (BRAID_TRANSPORT (f->transport), "echoed, never read\n");
  braid_transport_lose_connection (BRAID_TRANSPORT (f->transport));
  braid_producer_resume_producing (BRAID_PRODUCER (f->transport));
  braid_producer_resume_producing (BRAID_PRODUCER (f->transport));
  iterate_until (f, ended);
  g_assert_cmpstr (f->recorder->out->str, ==, "");
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:1;"));
  g_assert_nonnull (strstr (f->recorder->log->str, "lost:2;"));
}

/* A streaming producer registered while stdin already holds more than the
 * high-water mark is paused at once, stays paused through more writes,
 * and is resumed once the child has read it. */
static void
test_producer_registered_above_high_water (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidStringTransport) producer = braid_string_transport_new ();
  g_autofree guint8 *block = g_malloc0 (256 * 1024);

  spawn (f, "sleep 0.3; exec cat >/dev/null", NULL, NULL);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 256 * 1024);
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    >, BRAID_GLIB_PROCESS_HIGH_WATER);
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport),
                                     BRAID_PRODUCER (producer), TRUE);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, 1024);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
  iterate_until (f, drained);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  braid_transport_unregister_producer (BRAID_TRANSPORT (f->transport));
  braid_transport_lose_connection (BRAID_TRANSPORT (f->transport));
  iterate_until (f, ended);
  /* Unregistered before the close: not stopped. */
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
}

/* Below the high-water mark a streaming producer is never paused, though
 * its bytes wait for the child. */
static void
test_producer_below_high_water_is_not_paused (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidStringTransport) producer = braid_string_transport_new ();
  g_autofree guint8 *block = g_malloc0 (BRAID_GLIB_PROCESS_HIGH_WATER);

  spawn (f, "sleep 0.3; exec cat >/dev/null", NULL, NULL);
  braid_transport_register_producer (BRAID_TRANSPORT (f->transport),
                                     BRAID_PRODUCER (producer), TRUE);
  /* The pipe takes what it can (64 KiB, or less), the rest waits; then
   * the buffer is topped up to the high-water mark exactly. */
  braid_transport_write (BRAID_TRANSPORT (f->transport), block, BRAID_GLIB_PROCESS_HIGH_WATER);
  braid_transport_write (BRAID_TRANSPORT (f->transport), block,
                         BRAID_GLIB_PROCESS_HIGH_WATER
                         - braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)));
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    >, 0);
  g_assert_cmpuint (braid_glib_process_get_buffered_size (BRAID_GLIB_PROCESS (f->transport)),
                    <=, BRAID_GLIB_PROCESS_HIGH_WATER);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  iterate_until (f, drained);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
  braid_transport_lose_connection (BRAID_TRANSPORT (f->transport));
  iterate_until (f, ended);
  g_assert_cmpint (braid_string_transport_get_producer_state (producer), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/process-glib/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("cat-echoes-stdin-and-is-reaped", test_cat_echoes_stdin_and_is_reaped);
  ADD ("stderr-and-exit-code", test_stderr_and_exit_code);
  ADD ("signal-kills-and-then-is-refused", test_signal_kills_and_then_is_refused);
  ADD ("missing-program-fails-at-spawn", test_missing_program_fails_at_spawn);
  ADD ("no-descriptor-leaks-into-the-child", test_no_descriptor_leaks_into_the_child);
  ADD ("environment-and-working-directory", test_environment_and_working_directory);
  ADD ("child-closing-stdout-early", test_child_closing_stdout_early);
  ADD ("writing-to-a-child-that-exited", test_writing_to_a_child_that_exited);
  ADD ("child-exits-while-stdin-is-full", test_child_exits_while_stdin_is_full);
  ADD ("streaming-producer-is-paused-and-resumed", test_streaming_producer_is_paused_and_resumed);
  ADD ("close-stdin-flushes-first", test_close_stdin_flushes_first);
  ADD ("pull-producer-writes-to-stdin", test_pull_producer_writes_to_stdin);
  ADD ("write-sequence", test_write_sequence);
  ADD ("abort-drops-what-waits", test_abort_drops_what_waits);
  ADD ("write-limit-closes-stdin", test_write_limit_closes_stdin);
  ADD ("write-sequence-past-the-limit", test_write_sequence_past_the_limit);
  ADD ("pausing-stops-reading", test_pausing_stops_reading);
  ADD ("grandchild-holds-the-pipes", test_grandchild_holds_the_pipes);
  ADD ("stop-producing-closes-every-pipe", test_stop_producing_closes_every_pipe);
  ADD ("signal-the-kernel-refuses", test_signal_the_kernel_refuses);
  ADD ("write-meets-a-closed-stdin", test_write_meets_a_closed_stdin);
  ADD ("close-while-paused", test_close_while_paused);
  ADD ("producer-registered-above-high-water", test_producer_registered_above_high_water);
  ADD ("producer-below-high-water-is-not-paused", test_producer_below_high_water_is_not_paused);
#undef ADD
  return g_test_run ();
}
