/* lessons-check.c: build an exercise's check with ninja, run it, and say
 * plainly what went wrong.
 *
 * A learner reads the first lines and little else, so the order matters:
 * a compiler error is shown without ninja's progress lines and the compiler's
 * command line (which are most of what ninja prints); a failed test is shown
 * as the test's name and its failed assertion, before the rest of the
 * output. Paths the compiler prints relative to the build directory
 * (`../lessons/…`) are rewritten relative to where the learner stands, so an
 * editor or a terminal can open them. */
#include "lessons-check.h"
#include "lessons-tests.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* Output beyond this is dropped: a check stuck printing in a loop must not
 * fill the learner's memory before its timeout stops it. */
#define OUTPUT_CAP (1024 * 1024)

/* Generous for one exercise; ninja may have to rebuild libbraid first. */
#define BUILD_TIMEOUT_SECONDS 600

/**
 * lessons_build_free:
 * @build: (transfer full) (nullable): a build
 */
void
lessons_build_free (LessonsBuild *build)
{
  if (build == NULL)
    return;
  g_free (build->build_dir);
  g_free (build->source_dir);
  g_free (build->display_dir);
  g_free (build);
}

/* The source tree a meson build directory builds, from meson's own
 * introspection file. */
static gchar *
read_source_dir (const gchar *build_dir, GError **error)
{
  g_autofree gchar *info = g_build_filename (build_dir, "meson-info", "meson-info.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root, *directories;

  if (!json_parser_load_from_file (parser, info, error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  directories = root != NULL ? json_object_get_object_member (root, "directories") : NULL;
  if (directories == NULL || !json_object_has_member (directories, "source"))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD,
                   "%s does not name the source directory", info);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (directories, "source"));
}

/**
 * lessons_build_open:
 * @build_dir: a meson build directory
 * @error: return location for a #GError
 *
 * Checks that @build_dir is a configured meson build and finds the source
 * tree it builds.
 *
 * Returns: (transfer full) (nullable): the build, or %NULL with
 *   %LESSONS_ERROR_NO_BUILD and what to type to make one
 */
LessonsBuild *
lessons_build_open (const gchar *build_dir, GError **error)
{
  g_autoptr (LessonsBuild) build = g_new0 (LessonsBuild, 1);
  g_autofree gchar *ninja_file = NULL;
  GError *local_error = NULL;

  build->build_dir = g_canonicalize_filename (build_dir, NULL);
  build->display_dir = g_get_current_dir ();
  build->timeout_seconds = 30;
  ninja_file = g_build_filename (build->build_dir, "build.ninja", NULL);
  if (!g_file_test (ninja_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD,
                   "%s is not a configured build (no build.ninja): run tools/start, "
                   "or `meson setup %s`", build->build_dir, build->build_dir);
      return NULL;
    }
  build->source_dir = read_source_dir (build->build_dir, &local_error);
  if (build->source_dir == NULL)
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD,
                   "%s: cannot read meson's build information: %s",
                   build->build_dir, local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  return g_steal_pointer (&build);
}

/**
 * lessons_check_result_free:
 * @result: (transfer full) (nullable): a check result
 */
void
lessons_check_result_free (LessonsCheckResult *result)
{
  if (result == NULL)
    return;
  g_free (result->message);
  g_free (result->failure);
  g_free (result->output);
  g_free (result);
}

static LessonsCheckResult *
check_result_new (LessonsStatus status, const gchar *message)
{
  LessonsCheckResult *result = g_new0 (LessonsCheckResult, 1);

  result->status = status;
  result->message = g_strdup (message);
  result->output = g_strdup ("");
  return result;
}

/* Running a command, with a time limit and a cap on its output.
 *
 * The command runs on a private main context, so file-monitor events that
 * arrive meanwhile wait in the default context instead of starting a second
 * check in the middle of this one. */
typedef struct
{
  GMainContext *context;
  GSubprocess  *process;
  GString      *output;
  gboolean      reading;
  gboolean      waiting;
  gboolean      timed_out;
  gboolean      truncated;
  GError       *error;
} CommandRun;

static void read_next_chunk (CommandRun *run);

static void
on_chunk_read (GObject *stream, GAsyncResult *res, gpointer data)
{
  CommandRun *run = data;
  g_autoptr (GBytes) chunk = NULL;
  gsize size = 0;
  const gchar *bytes;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (stream), res,
                                            run->error == NULL ? &run->error : NULL);
  if (chunk == NULL || g_bytes_get_size (chunk) == 0)
    {
      run->reading = FALSE;
      return;
    }
  bytes = g_bytes_get_data (chunk, &size);
  if (run->output->len + size > OUTPUT_CAP)
    {
      run->truncated = TRUE;
      size = OUTPUT_CAP - MIN (run->output->len, OUTPUT_CAP);
    }
  g_string_append_len (run->output, bytes, (gssize) size);
  read_next_chunk (run);
}

/* Keeps reading even past the cap, so that the command never blocks on a
 * full pipe and the time limit stays the only way it is stopped. */
static void
read_next_chunk (CommandRun *run)
{
  GInputStream *stream = g_subprocess_get_stdout_pipe (run->process);

  g_input_stream_read_bytes_async (stream, 65536, G_PRIORITY_DEFAULT, NULL,
                                   on_chunk_read, run);
}

static void
on_process_exited (GObject *process, GAsyncResult *res, gpointer data)
{
  CommandRun *run = data;

  g_subprocess_wait_finish (G_SUBPROCESS (process), res,
                            run->error == NULL ? &run->error : NULL);
  run->waiting = FALSE;
}

static gboolean
on_time_limit (gpointer data)
{
  CommandRun *run = data;

  run->timed_out = TRUE;
  g_subprocess_force_exit (run->process);
  return G_SOURCE_REMOVE;
}

/**
 * lessons_run_command:
 * @argv: (array zero-terminated=1): the command and its arguments
 * @cwd: (nullable): where it runs
 * @timeout_seconds: after this long it is killed (0: no limit)
 * @result: (out caller-allocates): how it ended; clear it with
 *   lessons_command_result_clear()
 * @error: return location for a #GError
 *
 * Runs a command to its end, collecting its standard output and error
 * together (at most 1 MiB of them), with standard input from `/dev/null`.
 *
 * Returns: %TRUE if the command ran (whatever its exit status), %FALSE if it
 *   could not be started
 */
gboolean
lessons_run_command (const gchar * const *argv, const gchar *cwd, guint timeout_seconds,
                     LessonsCommandResult *result, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSource) time_limit = NULL;
  CommandRun run = { 0 };

  memset (result, 0, sizeof *result);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, cwd);
  run.process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (run.process == NULL)
    return FALSE;

  run.context = g_main_context_new ();
  run.output = g_string_new (NULL);
  run.reading = run.waiting = TRUE;
  g_main_context_push_thread_default (run.context);
  read_next_chunk (&run);
  g_subprocess_wait_async (run.process, NULL, on_process_exited, &run);
  if (timeout_seconds > 0)
    {
      time_limit = g_timeout_source_new_seconds (timeout_seconds);
      g_source_set_callback (time_limit, on_time_limit, &run, NULL);
      g_source_attach (time_limit, run.context);
    }
  while (run.reading || run.waiting)
    g_main_context_iteration (run.context, TRUE);
  if (time_limit != NULL)
    g_source_destroy (time_limit);
  g_main_context_pop_thread_default (run.context);

  if (run.truncated)
    g_string_append (run.output, "\n[… output cut at 1 MiB …]\n");
  result->output = g_utf8_make_valid (run.output->str, (gssize) run.output->len);
  result->wait_status = g_subprocess_get_status (run.process);
  result->timed_out = run.timed_out;
  /* A read error after the process ended changes nothing a learner needs. */
  g_clear_error (&run.error);
  g_string_free (run.output, TRUE);
  g_object_unref (run.process);
  g_main_context_unref (run.context);
  return TRUE;
}

/**
 * lessons_command_result_clear:
 * @result: a result filled by lessons_run_command()
 */
void
lessons_command_result_clear (LessonsCommandResult *result)
{
  g_clear_pointer (&result->output, g_free);
}

/**
 * lessons_file_checksum:
 * @path: a file
 *
 * Returns: (transfer full) (nullable): the SHA-256 of the file's contents,
 *   in hex, or %NULL if it cannot be read
 */
gchar *
lessons_file_checksum (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/**
 * lessons_display_path:
 * @path: a path, absolute or relative to @base_dir
 * @base_dir: what a relative @path is relative to
 * @display_dir: where the learner stands
 *
 * Rewrites @path the way a learner wants to read it: relative to
 * @display_dir when it is inside it, absolute otherwise.
 *
 * Returns: (transfer full): the path to print
 */
gchar *
lessons_display_path (const gchar *path, const gchar *base_dir, const gchar *display_dir)
{
  g_autofree gchar *absolute = g_canonicalize_filename (path, base_dir);
  g_autofree gchar *prefix = g_strconcat (display_dir, G_DIR_SEPARATOR_S, NULL);

  if (g_str_has_prefix (absolute, prefix))
    return g_strdup (absolute + strlen (prefix));
  return g_steal_pointer (&absolute);
}

typedef struct
{
  const gchar *build_dir;
  const gchar *display_dir;
} PathRewrite;

static gboolean
rewrite_one_path (const GMatchInfo *match, GString *out, gpointer data)
{
  const PathRewrite *rewrite = data;
  g_autofree gchar *path = g_match_info_fetch (match, 0);
  g_autofree gchar *shown = lessons_display_path (path, rewrite->build_dir,
                                                  rewrite->display_dir);

  g_string_append (out, shown);
  return FALSE;
}

/* Compilers and GLib's assertions name source files relative to the build
 * directory: "../lessons/01-echo/exercise/echo.c". */
static gchar *
rewrite_paths (const gchar *text, const gchar *build_dir, const gchar *display_dir)
{
  static GRegex *relative_path = NULL;
  PathRewrite rewrite = { build_dir, display_dir };

  /* Not G_REGEX_OPTIMIZE: its JIT gains nothing on a few kilobytes of
   * output, and valgrind cannot follow the code it generates. */
  if (g_once_init_enter (&relative_path))
    g_once_init_leave (&relative_path,
                       g_regex_new ("(?<![\\w/.])(\\.\\./)+[\\w./+-]+", 0, 0, NULL));
  return g_regex_replace_eval (relative_path, text, -1, 0, 0, rewrite_one_path, &rewrite, NULL);
}

/* Lines of ninja's own that say nothing to a learner. */
static gboolean
is_ninja_noise (const gchar *line)
{
  if (g_str_has_prefix (line, "ninja: error"))
    return FALSE;  /* "unknown target": the lesson is not in the build */
  return g_str_has_prefix (line, "ninja: ") || (line[0] == '[' && strchr (line, '/') != NULL
                                                && strstr (line, "] ") != NULL);
}

static gboolean
is_error_line (const gchar *line)
{
  return strstr (line, "error:") != NULL || strstr (line, "undefined reference") != NULL;
}

/**
 * lessons_summarize_build:
 * @output: what `ninja` printed for a failed build
 * @build_dir: the build directory (compiler paths are relative to it)
 * @display_dir: where the learner stands
 *
 * Keeps what the compiler and the linker said and drops ninja's progress
 * lines, its `FAILED:` line and the command line after it.
 *
 * Returns: (transfer full): a %LESSONS_STATUS_NOT_BUILT result whose
 *   `failure` is the compiler's messages and whose `message` is the first
 *   error among them
 */
LessonsCheckResult *
lessons_summarize_build (const gchar *output, const gchar *build_dir, const gchar *display_dir)
{
  g_autofree gchar *rewritten = rewrite_paths (output, build_dir, display_dir);
  g_auto (GStrv) lines = g_strsplit (rewritten, "\n", -1);
  g_autoptr (GString) kept = g_string_new (NULL);
  const gchar *first_error = NULL, *first_line = NULL;
  LessonsCheckResult *result;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *line = lines[i];

      if (g_str_has_prefix (line, "FAILED: "))
        {
          if (lines[i + 1] != NULL)
            i++;  /* the compiler's command line */
          continue;
        }
      if (is_ninja_noise (line) || *line == '\0')
        continue;
      if (first_line == NULL)
        first_line = line;
      if (first_error == NULL && is_error_line (line))
        first_error = line;
      g_string_append_printf (kept, "%s\n", line);
    }
  result = check_result_new (LESSONS_STATUS_NOT_BUILT,
                             first_error != NULL ? first_error
                             : first_line != NULL ? first_line
                             : "the build failed");
  result->failure = g_strdup (kept->str);
  g_free (result->output);
  result->output = g_steal_pointer (&rewritten);
  return result;
}

/* What the TAP stream of a GTest program says. */
typedef struct
{
  guint  planned;         /* from "1..N"; 0 if no plan was printed */
  guint  passed;          /* "ok" lines */
  guint  last_number;     /* the number of the last "ok"/"not ok" */
  gchar *failed_test;     /* (nullable) the path of the first "not ok" */
  gchar *assertion;       /* (nullable) "ERROR:…" or the text after "Bail out!" */
  GString *notes;         /* "# " lines since the last passing test */
} TapSummary;

static void
tap_summary_clear (TapSummary *tap)
{
  g_free (tap->failed_test);
  g_free (tap->assertion);
  g_string_free (tap->notes, TRUE);
}

/* "ok 3 /echo/x # SKIP why" → number 3. "not ok 4 /echo/y" → number 4, path. */
static void
tap_read_result (TapSummary *tap, const gchar *line)
{
  gboolean ok = g_str_has_prefix (line, "ok ");
  const gchar *rest = line + (ok ? 3 : 7);
  gchar *end = NULL;
  guint64 number = g_ascii_strtoull (rest, &end, 10);

  tap->last_number = (guint) number;
  /* TAP's "# TODO" directive marks a test expected to fail (GLib's
   * g_test_incomplete): such a "not ok" does not fail the check. */
  if (ok || strstr (line, "# TODO") != NULL)
    {
      tap->passed++;
      g_string_truncate (tap->notes, 0);
      return;
    }
  if (tap->failed_test == NULL)
    {
      g_auto (GStrv) words = g_strsplit (g_strstrip (end), " ", 2);

      tap->failed_test = g_strdup (words[0] != NULL ? words[0] : "");
    }
}

static void
tap_read_line (TapSummary *tap, const gchar *line)
{
  if (g_str_has_prefix (line, "1.."))
    tap->planned = (guint) g_ascii_strtoull (line + 3, NULL, 10);
  else if (g_str_has_prefix (line, "ok ") || g_str_has_prefix (line, "not ok "))
    tap_read_result (tap, line);
  else if (g_str_has_prefix (line, "Bail out! "))
    {
      /* The assertion message repeated on stdout: the best one to quote. */
      g_free (tap->assertion);
      tap->assertion = g_strdup (line + strlen ("Bail out! "));
    }
  else if (tap->assertion == NULL && strstr (line, "ERROR:") != NULL)
    tap->assertion = g_strdup (strstr (line, "ERROR:"));
  else if (g_str_has_prefix (line, "# ") && !g_str_has_prefix (line, "# Start of ")
           && !g_str_has_prefix (line, "# End of ") && !g_str_has_prefix (line, "# random seed")
           && !g_str_has_prefix (line, "#  summary: "))  /* g_test_summary: the same for every test */
    g_string_append_printf (tap->notes, "%s\n", line);
}

/* When a test aborts (a failed g_assert_*), GTest never prints its "not ok"
 * line; it is the test after the last one that reported. */
static const gchar *
name_of_test (const gchar *const *test_names, guint number)
{
  if (test_names == NULL || number == 0 || number > g_strv_length ((gchar **) test_names))
    return NULL;
  return test_names[number - 1];
}

static gchar *
describe_death (gint wait_status)
{
  if (WIFSIGNALED (wait_status))
    return g_strdup_printf ("the check crashed (signal %d: %s)", WTERMSIG (wait_status),
                            g_strsignal (WTERMSIG (wait_status)));
  return g_strdup_printf ("the check failed (exit status %d)", WEXITSTATUS (wait_status));
}

/* The headline and the block to read first, for a check that did not pass. */
static void
describe_failure (TapSummary *tap, gint wait_status, gboolean timed_out, guint timeout_seconds,
                  const gchar *const *test_names, gchar **message, gchar **failure)
{
  const gchar *test = tap->failed_test;
  g_autofree gchar *problem = NULL;
  g_autoptr (GString) block = g_string_new (NULL);

  if (test == NULL)
    test = name_of_test (test_names, tap->last_number + 1);
  if (timed_out)
    problem = g_strdup_printf ("the check did not finish within %u s (an endless loop? "
                               "waiting for something that never comes?)", timeout_seconds);
  else if (tap->assertion != NULL)
    problem = g_strdup (tap->assertion);
  else if (tap->failed_test == NULL && tap->planned == 0 && tap->passed == 0
           && WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0)
    problem = g_strdup ("the check ran no test");
  else
    problem = describe_death (wait_status);

  *message = test != NULL ? g_strdup_printf ("%s: %s", test, problem) : g_strdup (problem);
  if (test != NULL)
    g_string_append_printf (block, "not ok: %s\n", test);
  g_string_append_printf (block, "%s\n", problem);
  g_string_append (block, tap->notes->str);
  *failure = g_string_free (g_steal_pointer (&block), FALSE);
}

/**
 * lessons_summarize_test:
 * @output: what the check program printed (TAP, with stderr merged)
 * @wait_status: how it ended, as from waitpid()
 * @timed_out: whether it was killed for taking too long
 * @timeout_seconds: the time limit it had
 * @test_names: (nullable) (array zero-terminated=1): the check's tests in
 *   run order (its `-l` output), to name a test that aborted
 * @build_dir: the build directory (assertion paths are relative to it)
 * @display_dir: where the learner stands
 *
 * Reads a GTest program's TAP output: which test failed and on which
 * assertion, or how many passed.
 *
 * Returns: (transfer full): a result that is %LESSONS_STATUS_DONE when every
 *   test passed, %LESSONS_STATUS_FAILING otherwise
 */
LessonsCheckResult *
lessons_summarize_test (const gchar *output, gint wait_status, gboolean timed_out,
                        guint timeout_seconds, const gchar *const *test_names,
                        const gchar *build_dir, const gchar *display_dir)
{
  g_autofree gchar *rewritten = rewrite_paths (output, build_dir, display_dir);
  g_auto (GStrv) lines = g_strsplit (rewritten, "\n", -1);
  TapSummary tap = { .notes = g_string_new (NULL) };
  gboolean exited_cleanly = WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0;
  LessonsCheckResult *result;

  for (guint i = 0; lines[i] != NULL; i++)
    tap_read_line (&tap, lines[i]);

  if (!timed_out && exited_cleanly && tap.failed_test == NULL && tap.passed > 0)
    {
      g_autofree gchar *message = g_strdup_printf ("all %u tests passed", tap.passed);

      result = check_result_new (LESSONS_STATUS_DONE, tap.passed == 1 ? "the test passed"
                                                                      : message);
    }
  else
    {
      result = check_result_new (LESSONS_STATUS_FAILING, NULL);
      describe_failure (&tap, wait_status, timed_out, timeout_seconds, test_names,
                        &result->message, &result->failure);
    }
  g_free (result->output);
  result->output = g_steal_pointer (&rewritten);
  tap_summary_clear (&tap);
  return result;
}

/* Where the lessons folder sits inside the build: "lessons" for the course,
 * "tests/fixtures/lessons" for the runner's own test course. */
static gchar *
lessons_subdir_in_build (LessonsBuild *build, const gchar *lessons_dir, GError **error)
{
  g_autofree gchar *real_source = realpath (build->source_dir, NULL);
  g_autofree gchar *real_lessons = realpath (lessons_dir, NULL);
  g_autofree gchar *prefix = NULL;

  if (real_source == NULL || real_lessons == NULL)
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD,
                   "cannot resolve %s or %s: %s", build->source_dir, lessons_dir,
                   g_strerror (errno));
      return NULL;
    }
  if (g_str_equal (real_source, real_lessons))
    return g_strdup ("");
  prefix = g_strconcat (real_source, G_DIR_SEPARATOR_S, NULL);
  if (!g_str_has_prefix (real_lessons, prefix))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD,
                   "%s is not part of the build in %s (which builds %s): "
                   "give the matching --build-dir", lessons_dir, build->build_dir,
                   build->source_dir);
      return NULL;
    }
  return g_strdup (real_lessons + strlen (prefix));
}

/* The lines of a `-l` listing that are test paths: GLib prints TAP's
 * header ("# random seed", "1..N") before them. */
static gchar **
keep_test_paths (const gchar *listing)
{
  g_auto (GStrv) lines = g_strsplit (listing, "\n", -1);
  g_autoptr (GStrvBuilder) paths = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] == '/')
      g_strv_builder_add (paths, lines[i]);
  return g_strv_builder_end (paths);
}

/* `check-01-echo -l`: the check's test paths in the order they run. */
static gchar **
list_tests (const gchar *program, const gchar *cwd)
{
  const gchar *argv[] = { program, "-l", NULL };
  LessonsCommandResult listing;
  gchar **names = NULL;

  if (lessons_run_command (argv, cwd, 10, &listing, NULL))
    {
      if (WIFEXITED (listing.wait_status) && WEXITSTATUS (listing.wait_status) == 0)
        names = keep_test_paths (listing.output);
      lessons_command_result_clear (&listing);
    }
  return names;
}

/* Each test of the check in its own run (lessons-tests.c), so that the
 * first failure does not hide the others; the whole program in one run only
 * if it cannot even list its tests. */
static LessonsCheckResult *
run_check_program (LessonsBuild *build, const gchar *program, const gchar *learner_file,
                   GError **error)
{
  const gchar *argv[] = { program, "--tap", NULL };
  LessonsCommandResult run;
  g_auto (GStrv) names = list_tests (program, build->build_dir);
  LessonsCheckResult *result;

  if (names != NULL && names[0] != NULL)
    return lessons_run_each_test (build, program, (const gchar * const *) names, learner_file,
                                  error);
  if (!lessons_run_command (argv, build->build_dir, build->timeout_seconds, &run, error))
    return NULL;
  result = lessons_summarize_test (run.output, run.wait_status, run.timed_out,
                                   build->timeout_seconds, (const gchar * const *) names,
                                   build->build_dir, build->display_dir);
  lessons_command_result_clear (&run);
  return result;
}

/* ninja rebuilds what is newer than its last build. A learner's file put
 * back with an older date (`cp -p`, a restored backup) would not be
 * rebuilt, and the check would test stale code; so a file whose contents
 * changed, but whose date is not newer than the check program, is dated
 * now. A file saved by an editor is newer already and is left alone (an
 * editor warns when a file it has open changes date under it). */
static void
make_ninja_see_change (const gchar *file, const gchar *program)
{
  GStatBuf file_stat, program_stat;

  if (g_stat (file, &file_stat) != 0 || g_stat (program, &program_stat) != 0)
    return;
  if (file_stat.st_mtim.tv_sec < program_stat.st_mtim.tv_sec
      || (file_stat.st_mtim.tv_sec == program_stat.st_mtim.tv_sec
          && file_stat.st_mtim.tv_nsec <= program_stat.st_mtim.tv_nsec))
    utimensat (AT_FDCWD, file, NULL, 0);
}

/**
 * lessons_check_exercise:
 * @build: the project's build
 * @lessons_dir: the lessons folder @exercise belongs to
 * @exercise: the exercise to check
 * @file_changed: whether the learner's file changed since its last check
 * @error: return location for a #GError
 *
 * Builds the exercise's check program with `ninja -C BUILD_DIR
 * SUBDIR/check-NN-name` (ninja rebuilds only what the learner changed;
 * `-jN` when the build says how many jobs), then
 * runs each of its tests with `-p PATH --tap` (see lessons_run_each_test()).
 *
 * Returns: (transfer full) (nullable): the result (a failed build or a
 *   failed test is a result, not an error), or %NULL if ninja or the check
 *   could not be run at all
 */
LessonsCheckResult *
lessons_check_exercise (LessonsBuild *build, const gchar *lessons_dir,
                        const LessonsExercise *exercise, gboolean file_changed, GError **error)
{
  g_autofree gchar *subdir = lessons_subdir_in_build (build, lessons_dir, error);
  g_autofree gchar *target = NULL;
  g_autofree gchar *program = NULL;
  LessonsCommandResult compile;
  LessonsCheckResult *result;

  if (subdir == NULL)
    return NULL;
  target = *subdir != '\0' ? g_build_filename (subdir, exercise->check_target, NULL)
                           : g_strdup (exercise->check_target);
  program = g_build_filename (build->build_dir, target, NULL);
  if (file_changed)
    make_ninja_see_change (exercise->file, program);
  {
    g_autofree gchar *jobs = g_strdup_printf ("-j%u", build->jobs);
    const gchar *argv[] = { "ninja", "-C", build->build_dir, target,
                            build->jobs > 0 ? jobs : NULL, NULL };

    if (!lessons_run_command (argv, NULL, BUILD_TIMEOUT_SECONDS, &compile, error))
      {
        g_prefix_error (error, "cannot run ninja: ");
        return NULL;
      }
  }
  if (compile.timed_out || !WIFEXITED (compile.wait_status) || WEXITSTATUS (compile.wait_status) != 0)
    {
      result = lessons_summarize_build (compile.output, build->build_dir, build->display_dir);
      lessons_command_result_clear (&compile);
      return result;
    }
  lessons_command_result_clear (&compile);
  return run_check_program (build, program, exercise->file, error);
}

/**
 * lessons_build_program:
 * @build: the project's build
 * @lessons_dir: the lessons folder @exercise belongs to
 * @exercise: an exercise with a `program`
 * @error: return location for a #GError
 *
 * Builds the lesson's program from the learner's file (`ninja -C BUILD_DIR
 * lessons/01-echo/shout-server`), for the learner to try once the check
 * passes.
 *
 * Returns: (transfer full) (nullable): the program's path as the learner
 *   should type it, or %NULL if it could not be built
 */
gchar *
lessons_build_program (LessonsBuild *build, const gchar *lessons_dir,
                       const LessonsExercise *exercise, GError **error)
{
  g_autofree gchar *subdir = lessons_subdir_in_build (build, lessons_dir, error);
  g_autofree gchar *target = NULL;
  g_autofree gchar *jobs = g_strdup_printf ("-j%u", build->jobs);
  LessonsCommandResult compile;
  gboolean built;

  if (subdir == NULL)
    return NULL;
  target = g_build_filename (subdir, exercise->program, NULL);
  {
    const gchar *argv[] = { "ninja", "-C", build->build_dir, target,
                            build->jobs > 0 ? jobs : NULL, NULL };

    if (!lessons_run_command (argv, NULL, BUILD_TIMEOUT_SECONDS, &compile, error))
      return NULL;
  }
  built = WIFEXITED (compile.wait_status) && WEXITSTATUS (compile.wait_status) == 0;
  if (!built)
    g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD, "ninja could not build %s:\n%s",
                 target, compile.output);
  lessons_command_result_clear (&compile);
  if (!built)
    return NULL;
  {
    g_autofree gchar *program = g_build_filename (build->build_dir, target, NULL);

    return lessons_display_path (program, "/", build->display_dir);
  }
}
