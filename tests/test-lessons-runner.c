/* test-lessons-runner.c: the learner's path through braid-lessons, end to end.
 *
 * Issue #7 asks that a learner starting from a fresh clone can run the
 * runner, see lesson 01's exercise, complete it and watch the runner move
 * on. This test does exactly that, on a copy of the repository (so the real
 * lessons are never touched): it copies the checkout to a temporary folder,
 * makes it a git repository (for `reset`), configures a meson build there,
 * and drives the runner through its `--json` output — the starting file
 * fails its check, the reference solution copied into place passes it, and
 * the runner names the next exercise as current.
 *
 * The course is lessons/ once lesson 01 has an exercise, and until then the
 * runner's own fixture course, tests/fixtures/lessons. The tests below run in
 * order, each continuing the learner's path where the one before left it. */
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lessons-check.h"

typedef struct
{
  gchar *source_root;   /* the checkout under test */
  gchar *runner;        /* build/tools/braid-lessons */
  gchar *work;          /* the temporary copy */
  gchar *build_dir;     /* work/build */
  gchar *lessons_dir;   /* work/lessons or work/tests/fixtures/lessons */
  gchar *state_file;
  gchar *first;         /* the course's first exercise, from `list` */
  gchar *second;        /* (nullable) its second */
  gchar *first_file;    /* the file the learner edits */
  gchar *first_solution;
  gchar *first_start;   /* the starting file's text */
  gchar *skip_reason;   /* (nullable) why nothing can run */
} Course;

static Course course;

/* Runs @argv in @cwd; aborts the test if it cannot be started. */
static gint
run_in (const gchar *cwd, const gchar *const *argv, gchar **out, gchar **err)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Runs a command that must succeed, showing its output if it does not. */
static void
run_ok (const gchar *cwd, const gchar *const *argv)
{
  g_autofree gchar *out = NULL, *err = NULL;
  gint status = run_in (cwd, argv, &out, &err);

  if (status != 0)
    g_printerr ("%s failed:\n%s%s", argv[0], out, err);
  g_assert_cmpint (status, ==, 0);
}

/* Runs braid-lessons --json with @words and the course's directories,
 * checks its exit status, and parses what it printed. */
static JsonParser *
lessons_json (gint expected_status, const gchar *const *words)
{
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  g_auto (GStrv) args = NULL;
  g_autofree gchar *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  JsonParser *parser = json_parser_new ();
  gint status;

  g_strv_builder_add_many (argv, course.runner, "--json", "--jobs", "2",
                           "--lessons-dir", course.lessons_dir,
                           "--build-dir", course.build_dir, "--state-file", course.state_file,
                           NULL);
  g_strv_builder_addv (argv, (const char **) words);
  args = g_strv_builder_end (argv);
  status = run_in (course.work, (const gchar * const *) args, &out, &err);
  if (status != expected_status)
    g_printerr ("braid-lessons printed:\n%s%s", out, err);
  g_assert_cmpint (status, ==, expected_status);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return parser;
}

static JsonObject *
root_of (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

/* The only exercise a `check`/`hint`/… output reports. */
static JsonObject *
reported_exercise (JsonParser *parser)
{
  JsonArray *exercises = json_object_get_array_member (root_of (parser), "exercises");

  g_assert_cmpuint (json_array_get_length (exercises), ==, 1);
  return json_array_get_object_element (exercises, 0);
}

static const gchar *
current_of (JsonParser *parser)
{
  JsonObject *root = root_of (parser);

  return json_object_get_null_member (root, "current")
         ? NULL : json_object_get_string_member (root, "current");
}

static gboolean
skip_if_not_ready (void)
{
  if (course.skip_reason != NULL)
    g_test_skip (course.skip_reason);
  return course.skip_reason != NULL;
}

static void
copy_file (const gchar *from, const gchar *to)
{
  g_autoptr (GFile) source = g_file_new_for_path (from);
  g_autoptr (GFile) target = g_file_new_for_path (to);
  g_autoptr (GFile) parent = g_file_get_parent (target);
  g_autoptr (GError) error = NULL;

  g_file_make_directory_with_parents (parent, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_clear_error (&error);
  g_assert_no_error (error);
  g_file_copy (source, target, G_FILE_COPY_OVERWRITE | G_FILE_COPY_ALL_METADATA
               | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* What a fresh clone would hold: the files git knows, and new ones not
 * ignored (so the test also covers work not committed yet). */
static gboolean
copy_checkout (const gchar *from, const gchar *to)
{
  const gchar *argv[] = { "git", "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard", NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  const gchar *path;

  if (run_in (from, argv, &out, &err) != 0)
    return FALSE;
  /* NUL-separated: walk the buffer entry by entry. */
  for (path = out; *path != '\0'; path += strlen (path) + 1)
    {
      g_autofree gchar *source = g_build_filename (from, path, NULL);
      g_autofree gchar *target = g_build_filename (to, path, NULL);

      if (g_file_test (source, G_FILE_TEST_EXISTS))  /* deleted but not yet committed */
        copy_file (source, target);
    }
  return TRUE;
}

static void
make_git_repository (const gchar *dir)
{
  const gchar *init[] = { "git", "init", "-q", NULL };
  const gchar *add[] = { "git", "add", "-A", NULL };
  const gchar *commit[] = { "git", "-c", "user.name=braid-test", "-c",
                            "user.email=braid-test@example.invalid", "commit", "-q",
                            "--no-gpg-sign", "-m", "the course as cloned", NULL };

  run_ok (dir, init);
  run_ok (dir, add);
  run_ok (dir, commit);
}

/* Reads the course's first two exercises from `list`. */
static void
learn_course_outline (void)
{
  const gchar *words[] = { "list", NULL };
  g_autoptr (JsonParser) list = lessons_json (0, words);
  JsonArray *exercises = json_object_get_array_member (root_of (list), "exercises");
  JsonObject *first;

  g_assert_cmpuint (json_array_get_length (exercises), >=, 1);
  first = json_array_get_object_element (exercises, 0);
  course.first = g_strdup (json_object_get_string_member (first, "name"));
  course.first_file = g_strdup (json_object_get_string_member (first, "file"));
  course.first_solution = g_strdup (json_object_get_string_member (first, "solution"));
  if (json_array_get_length (exercises) >= 2)
    course.second = g_strdup (json_object_get_string_member (
      json_array_get_object_element (exercises, 1), "name"));
  g_assert_true (g_file_get_contents (course.first_file, &course.first_start, NULL, NULL));
}

static void
course_set_up (void)
{
  g_autofree gchar *lesson01 = NULL;
  g_autofree gchar *git_dir = g_build_filename (course.source_root, ".git", NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_test (git_dir, G_FILE_TEST_EXISTS))
    {
      course.skip_reason = g_strdup ("the source is not a git checkout");
      return;
    }
  course.work = g_dir_make_tmp ("braid-lessons-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (copy_checkout (course.source_root, course.work));
  make_git_repository (course.work);

  course.build_dir = g_build_filename (course.work, "build", NULL);
  {
    /* plain: no optimisation, so the copy builds quickly. */
    const gchar *setup[] = { "meson", "setup", "--buildtype=plain", course.build_dir, NULL };

    run_ok (course.work, setup);
  }
  lesson01 = g_build_filename (course.work, "lessons", "01-echo", "exercise", NULL);
  if (g_file_test (lesson01, G_FILE_TEST_IS_DIR))
    course.lessons_dir = g_build_filename (course.work, "lessons", NULL);
  else
    course.lessons_dir = g_build_filename (course.work, "tests", "fixtures", "lessons", NULL);
  course.state_file = g_build_filename (course.work, ".braid-lessons-state", NULL);
  g_test_message ("course: %s", course.lessons_dir);
  learn_course_outline ();
}

static void
remove_tree (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
course_tear_down (void)
{
  if (course.work != NULL)
    remove_tree (course.work);
  g_free (course.source_root);
  g_free (course.runner);
  g_free (course.work);
  g_free (course.build_dir);
  g_free (course.lessons_dir);
  g_free (course.state_file);
  g_free (course.first);
  g_free (course.second);
  g_free (course.first_file);
  g_free (course.first_solution);
  g_free (course.first_start);
  g_free (course.skip_reason);
}

static void
test_list_starts_at_the_first_exercise (void)
{
  const gchar *words[] = { "list", NULL };
  g_autoptr (JsonParser) list = NULL;
  JsonArray *exercises;

  g_test_summary ("On a fresh clone every exercise is pending and the first is current");
  if (skip_if_not_ready ())
    return;
  list = lessons_json (0, words);
  g_assert_cmpstr (current_of (list), ==, course.first);
  g_assert_cmpint (json_object_get_int_member (root_of (list), "done"), ==, 0);
  exercises = json_object_get_array_member (root_of (list), "exercises");
  g_assert_cmpint (json_object_get_int_member (root_of (list), "total"), ==,
                   json_array_get_length (exercises));
  for (guint i = 0; i < json_array_get_length (exercises); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (exercises, i),
                                                    "status"), ==, "pending");
  /* The path names every lesson, not only those with an exercise. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root_of (list), "lessons")),
                    >=, json_array_get_length (exercises));
}

static void
test_starting_file_fails_its_check (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autoptr (JsonParser) check = NULL;
  JsonObject *exercise;
  const gchar *status;

  g_test_summary ("The starting file, untouched, fails its check, with a message");
  if (skip_if_not_ready ())
    return;
  check = lessons_json (1, words);
  exercise = reported_exercise (check);
  status = json_object_get_string_member (exercise, "status");
  g_assert_cmpstr (json_object_get_string_member (exercise, "name"), ==, course.first);
  g_assert_true (g_str_equal (status, "failing") || g_str_equal (status, "not-built"));
  g_assert_cmpstr (json_object_get_string_member (exercise, "message"), !=, "");
  g_assert_cmpstr (current_of (check), ==, course.first);
}

static void
test_text_output_shows_the_failure_first (void)
{
  const gchar *argv[] = { course.runner, "--jobs", "2", "--lessons-dir", course.lessons_dir,
                          "--build-dir", course.build_dir, "--state-file", course.state_file,
                          "check", "1", NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  const gchar *failure_at;

  g_test_summary ("In text, what failed comes before everything the check printed");
  if (skip_if_not_ready ())
    return;
  g_assert_cmpint (run_in (course.work, argv, &out, &err), ==, 1);
  failure_at = strstr (out, "✗ ");
  g_assert_nonnull (failure_at);
  if (strstr (out, "does not compile") == NULL)
    {
      /* Failed tests: each one's ✗ leads; anything else the check printed
       * follows. */
      g_assert_nonnull (strstr (out, "✗ /"));
      if (strstr (out, "--- what else the check printed ---") != NULL)
        g_assert_true (strstr (out, "✗ /") < strstr (out, "--- what else the check printed ---"));
    }
}

static void
test_solution_is_refused_before_the_check_passes (void)
{
  const gchar *words[] = { "solution", "1", NULL };
  g_autoptr (JsonParser) refused = NULL;

  g_test_summary ("The reference solution is not handed out before the learner's check "
                  "passes (exit status 4)");
  if (skip_if_not_ready ())
    return;
  refused = lessons_json (4, words);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root_of (refused), "error"), "code"),
                   ==, "refused");
}

static void
test_hints_come_one_at_a_time (void)
{
  const gchar *words[] = { "hint", "1", NULL };
  const gchar *all_words[] = { "hint", "1", "--all", NULL };
  g_autoptr (JsonParser) first = NULL;
  g_autoptr (JsonParser) next = NULL;
  g_autoptr (JsonParser) all = NULL;
  gint64 count;

  g_test_summary ("Each `hint` gives the next hint; --all gives every one");
  if (skip_if_not_ready ())
    return;
  first = lessons_json (0, words);
  count = json_object_get_int_member (root_of (first), "hint_count");
  g_assert_cmpint (count, >=, 1);
  g_assert_cmpint (json_object_get_int_member (root_of (first), "hints_shown"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root_of (first), "hints")),
                    ==, 1);
  next = lessons_json (0, words);
  g_assert_cmpint (json_object_get_int_member (root_of (next), "hints_shown"), ==, MIN (2, count));
  all = lessons_json (0, all_words);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root_of (all), "hints")),
                    ==, count);
}

static void
test_solution_passes_and_the_runner_moves_on (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autoptr (JsonParser) check = NULL;
  JsonObject *exercise;

  g_test_summary ("With the reference solution in place the check passes, the exercise is "
                  "done, and the next exercise becomes current");
  if (skip_if_not_ready ())
    return;
  /* Copied with its metadata, the file keeps the solution's older date:
   * the runner must rebuild anyway, as the contents changed. */
  copy_file (course.first_solution, course.first_file);
  check = lessons_json (0, words);
  exercise = reported_exercise (check);
  g_assert_cmpstr (json_object_get_string_member (exercise, "name"), ==, course.first);
  g_assert_cmpstr (json_object_get_string_member (exercise, "status"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (root_of (check), "done"), ==, 1);
  g_assert_cmpstr (current_of (check), ==, course.second);
}

static void
test_main_command_continues_at_the_next_exercise (void)
{
  const gchar *words[] = { NULL };
  g_autoptr (JsonParser) run = NULL;

  g_test_summary ("Run with no command (and no terminal), the runner checks the current "
                  "exercise once: now the second");
  if (skip_if_not_ready ())
    return;
  if (course.second == NULL)
    {
      run = lessons_json (0, words);
      g_assert_null (current_of (run));
      return;
    }
  run = lessons_json (1, words);
  g_assert_cmpstr (json_object_get_string_member (reported_exercise (run), "name"), ==,
                   course.second);
  g_assert_cmpstr (current_of (run), ==, course.second);
}

static void
test_solution_is_shown_after_the_check_passes (void)
{
  const gchar *words[] = { "solution", "1", NULL };
  g_autoptr (JsonParser) solution = NULL;
  g_autofree gchar *expected = NULL;

  g_test_summary ("Once the check has passed, `solution` shows the reference file");
  if (skip_if_not_ready ())
    return;
  g_assert_true (g_file_get_contents (course.first_solution, &expected, NULL, NULL));
  solution = lessons_json (0, words);
  g_assert_cmpstr (json_object_get_string_member (root_of (solution), "solution_text"), ==,
                   expected);
}

static void
test_compile_error_is_not_built (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autoptr (JsonParser) check = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *broken = g_strconcat (course.first_start,
                                          "\nthis line is not C;\n", NULL);
  JsonObject *exercise;

  g_test_summary ("An edit since the last check shows in `list`; a file that does not "
                  "compile is reported as not-built, with the compiler's error, and the "
                  "exercise is no longer done");
  if (skip_if_not_ready ())
    return;
  g_file_set_contents (course.first_file, broken, -1, &error);
  g_assert_no_error (error);
  {
    /* Until it is checked again, `list` says the file changed since. */
    const gchar *list_words[] = { "list", NULL };
    g_autoptr (JsonParser) list = lessons_json (0, list_words);
    JsonObject *first = json_array_get_object_element (
      json_object_get_array_member (root_of (list), "exercises"), 0);

    g_assert_true (json_object_get_boolean_member (first, "edited"));
    g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "done");
  }
  check = lessons_json (1, words);
  exercise = reported_exercise (check);
  g_assert_cmpstr (json_object_get_string_member (exercise, "status"), ==, "not-built");
  g_assert_false (json_object_get_boolean_member (exercise, "edited"));
  g_assert_nonnull (strstr (json_object_get_string_member (exercise, "message"), "error"));
  g_assert_cmpstr (current_of (check), ==, course.first);
}

static void
test_reset_restores_the_starting_file (void)
{
  const gchar *unconfirmed[] = { "reset", "1", NULL };
  const gchar *forced[] = { "reset", "1", "--force", NULL };
  g_autoptr (JsonParser) refused = NULL;
  g_autoptr (JsonParser) reset = NULL;
  g_autofree gchar *text = NULL;

  g_test_summary ("Without a terminal, reset needs --force; then the starting file is back "
                  "as git has it and the exercise is pending again");
  if (skip_if_not_ready ())
    return;
  refused = lessons_json (4, unconfirmed);
  reset = lessons_json (0, forced);
  g_assert_true (g_file_get_contents (course.first_file, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, course.first_start);
  g_assert_cmpstr (json_object_get_string_member (reported_exercise (reset), "status"), ==,
                   "pending");
  g_assert_cmpstr (current_of (reset), ==, course.first);
}

/* Waiting on the watching runner, with a deadline so that a runner that
 * never answers fails the test instead of hanging it. */
typedef struct
{
  gchar   *line;
  gboolean done;
  GError  *error;
} Awaited;

static gboolean
on_deadline (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default context until @awaited is done; cancels
 * @cancellable after @seconds. */
static void
wait_for (Awaited *awaited, GCancellable *cancellable, guint seconds)
{
  g_autoptr (GSource) deadline = g_timeout_source_new_seconds (seconds);

  g_source_set_callback (deadline, on_deadline, cancellable, NULL);
  g_source_attach (deadline, g_main_context_get_thread_default ());
  while (!awaited->done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (deadline);
}

static void
on_line_read (GObject *stream, GAsyncResult *res, gpointer data)
{
  Awaited *awaited = data;

  awaited->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (stream), res,
                                                             NULL, &awaited->error);
  awaited->done = TRUE;
}

/* The next JSON line the watching runner prints (within 120 s: the first
 * check of lesson 01 may have to build libbraid). */
static JsonParser *
next_json_line (GDataInputStream *from)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Awaited awaited = { 0 };
  JsonParser *parser = json_parser_new ();

  g_data_input_stream_read_line_async (from, G_PRIORITY_DEFAULT, cancellable, on_line_read,
                                       &awaited);
  wait_for (&awaited, cancellable, 120);
  g_assert_no_error (awaited.error);
  g_assert_nonnull (awaited.line);
  json_parser_load_from_data (parser, awaited.line, -1, &error);
  g_assert_no_error (error);
  g_free (awaited.line);
  return parser;
}

static void
on_runner_exited (GObject *process, GAsyncResult *res, gpointer data)
{
  Awaited *awaited = data;

  g_subprocess_wait_finish (G_SUBPROCESS (process), res, &awaited->error);
  awaited->done = TRUE;
}

static void
test_watch_checks_on_save_and_moves_on (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) runner = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (JsonParser) before = NULL;
  g_autoptr (JsonParser) saved = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Awaited exited = { 0 };
  const gchar *argv[] = { course.runner, "--json", "--watch", "--jobs", "2",
                          "--lessons-dir", course.lessons_dir,
                          "--build-dir", course.build_dir, "--state-file", course.state_file,
                          NULL };

  g_test_summary ("Watching, the runner checks the current exercise, checks it again when "
                  "the learner saves the file, and moves on to the next when it passes; "
                  "q quits");
  if (skip_if_not_ready ())
    return;
  g_main_context_push_thread_default (context);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, course.work);
  runner = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (runner));

  /* The starting file (reset by the test before) fails. */
  before = next_json_line (lines);
  g_assert_cmpstr (json_object_get_string_member (reported_exercise (before), "name"), ==,
                   course.first);
  g_assert_cmpstr (json_object_get_string_member (reported_exercise (before), "status"), !=,
                   "done");

  /* The learner saves the solution: checked again, done, and on to the next. */
  copy_file (course.first_solution, course.first_file);
  saved = next_json_line (lines);
  g_assert_cmpstr (json_object_get_string_member (reported_exercise (saved), "name"), ==,
                   course.first);
  g_assert_cmpstr (json_object_get_string_member (reported_exercise (saved), "status"), ==,
                   "done");
  g_assert_cmpstr (current_of (saved), ==, course.second);
  if (course.second != NULL)
    {
      g_autoptr (JsonParser) next = next_json_line (lines);

      g_assert_cmpstr (json_object_get_string_member (reported_exercise (next), "name"), ==,
                       course.second);
      g_output_stream_write_all (g_subprocess_get_stdin_pipe (runner), "q\n", 2, NULL, NULL,
                                 &error);
      g_assert_no_error (error);
    }
  g_subprocess_wait_async (runner, cancellable, on_runner_exited, &exited);
  wait_for (&exited, cancellable, 60);
  g_assert_no_error (exited.error);
  g_assert_true (g_subprocess_get_if_exited (runner));
  g_assert_cmpint (g_subprocess_get_exit_status (runner), ==, 0);
  g_main_context_pop_thread_default (context);
}

static void
test_unknown_exercise_is_a_usage_error (void)
{
  const gchar *words[] = { "check", "99", NULL };
  g_autoptr (JsonParser) unknown = NULL;

  g_test_summary ("An exercise that does not exist is a usage error (exit status 2)");
  if (skip_if_not_ready ())
    return;
  unknown = lessons_json (2, words);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root_of (unknown), "error"), "code"),
                   ==, "unknown-exercise");
}

static void
test_command_time_limit (void)
{
  const gchar *argv[] = { "sh", "-c", "echo started; exec sleep 30", NULL };
  LessonsCommandResult result;
  g_autoptr (GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_test_summary ("A check that does not finish is stopped at its time limit, keeping what "
                  "it printed");
  g_assert_true (lessons_run_command (argv, NULL, 1, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.timed_out);
  g_assert_true (WIFSIGNALED (result.wait_status));
  g_assert_cmpstr (result.output, ==, "started\n");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  lessons_command_result_clear (&result);
}

static void
test_command_output_cap (void)
{
  const gchar *argv[] = { "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; exit 3", NULL };
  LessonsCommandResult result;
  g_autoptr (GError) error = NULL;

  g_test_summary ("A check that prints without end is cut at 1 MiB, and still runs to "
                  "its end");
  g_assert_true (lessons_run_command (argv, NULL, 30, &result, &error));
  g_assert_no_error (error);
  g_assert_false (result.timed_out);
  g_assert_cmpint (WEXITSTATUS (result.wait_status), ==, 3);
  g_assert_cmpuint (strlen (result.output), <, 1024 * 1024 + 100);
  g_assert_true (g_str_has_suffix (result.output, "[… output cut at 1 MiB …]\n"));
  lessons_command_result_clear (&result);
}

static void
test_docs_follow_the_course_map (void)
{
  g_autofree gchar *map_path = g_build_filename (course.build_dir, "lessons", "course.ini", NULL);
  g_autofree gchar *doc_path = g_build_filename (course.source_root, "docs", "lessons.md", NULL);
  g_autoptr (GKeyFile) map = g_key_file_new ();
  g_autofree gchar *doc = NULL;
  g_auto (GStrv) lessons = NULL;
  g_autoptr (GError) error = NULL;

  if (skip_if_not_ready ())
    return;
  g_test_summary ("docs/lessons.md and `braid-lessons list` show the same path: every lesson "
                  "of the course file (lessons/meson.build's course table), with its "
                  "title, is in the document");
  g_key_file_load_from_file (map, map_path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (doc_path, &doc, NULL, NULL));
  lessons = g_key_file_get_groups (map, NULL);
  g_assert_cmpuint (g_strv_length (lessons), ==, 12);
  for (guint i = 0; lessons[i] != NULL; i++)
    {
      g_autofree gchar *title = g_key_file_get_string (map, lessons[i], "title", &error);
      g_autofree gchar *heading = NULL;

      g_assert_no_error (error);
      heading = g_strdup_printf ("`%s` — %s", lessons[i], title);
      if (strstr (doc, heading) == NULL)
        g_test_fail_printf ("docs/lessons.md lacks the heading “%s”", heading);
    }
}

/* ---- The learner's first hour: what the runner says, in text ---------- */

/* Runs braid-lessons in text (no --json) with @words; returns its exit
 * status and what it printed on standard output. */
static gint
lessons_text (const gchar *const *words, gchar **out)
{
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  g_auto (GStrv) args = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *joined = NULL;
  gint status;

  g_strv_builder_add_many (argv, course.runner, "--lessons-dir", course.lessons_dir,
                           "--build-dir", course.build_dir, "--state-file", course.state_file,
                           NULL);
  g_strv_builder_addv (argv, (const char **) words);
  args = g_strv_builder_end (argv);
  status = run_in (course.work, (const gchar * const *) args, out, &err);
  joined = g_strjoinv (" ", (gchar **) words);
  g_test_message ("braid-lessons %s printed (status %d):\n%s%s", joined, status, *out, err);
  return status;
}

static guint
count_occurrences (const gchar *text, const gchar *needle)
{
  guint count = 0;

  for (const gchar *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    count++;
  return count;
}

/* Lesson 01's starting file with its one line of work replaced by @line;
 * NULL (the test is skipped) on the fixture course. */
static gchar *
lesson01_with (const gchar *line)
{
  const gchar *work = "  braid_transport_write (transport, data, len);";
  g_autoptr (GString) text = NULL;

  if (!g_str_equal (course.first, "01-echo") || strstr (course.first_start, work) == NULL)
    return NULL;
  text = g_string_new (course.first_start);
  g_string_replace (text, work, line, 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_jobs_option_takes_every_spelling (void)
{
  const gchar *spellings[][3] = { { "-j1", NULL }, { "-j", "1", NULL }, { "--jobs", "1", NULL },
                                  { "--jobs=1", NULL } };

  g_test_summary ("-j1, -j 1, --jobs 1 and --jobs=1 are all accepted, as make and ninja "
                  "users type them");
  if (skip_if_not_ready ())
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autoptr (GStrvBuilder) words = g_strv_builder_new ();
      g_auto (GStrv) argv = NULL;
      g_autofree gchar *out = NULL;

      g_strv_builder_addv (words, (const char **) spellings[i]);
      g_strv_builder_add (words, "list");
      argv = g_strv_builder_end (words);
      g_assert_cmpint (lessons_text ((const gchar * const *) argv, &out), ==, 0);
    }
}

static void
test_list_shows_what_each_lesson_teaches (void)
{
  const gchar *words[] = { "list", NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *map_path = g_build_filename (course.build_dir,
                                                 g_str_has_suffix (course.lessons_dir, "fixtures/lessons")
                                                 ? "tests/fixtures/lessons" : "lessons",
                                                 "course.ini", NULL);
  g_autoptr (GKeyFile) map = g_key_file_new ();
  g_autofree gchar *teaches = NULL;
  g_autofree gchar *title = NULL;

  g_test_summary ("`list` shows each lesson's title and what it teaches, not the course's "
                  "internal seed references");
  if (skip_if_not_ready ())
    return;
  g_assert_cmpint (lessons_text (words, &out), ==, 0);
  g_assert_true (g_key_file_load_from_file (map, map_path, G_KEY_FILE_NONE, NULL));
  title = g_key_file_get_string (map, course.first, "title", NULL);
  teaches = g_key_file_get_string (map, course.first, "teaches", NULL);
  g_assert_nonnull (strstr (out, title));
  if (teaches != NULL)
    g_assert_nonnull (strstr (out, teaches));
  g_assert_null (strstr (out, "seed:"));
}

static void
test_every_test_is_reported_and_each_failure_once (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autofree gchar *out = NULL;
  guint failed, reported;
  const gchar *tally;
  guint passed = 0, total = 0;

  g_test_summary ("A failing check runs every one of its tests and reports each (\"0 of 4 "
                  "tests passed\"), and prints each failed assertion once, not three times");
  if (skip_if_not_ready ())
    return;
  g_assert_cmpint (lessons_text (words, &out), ==, 1);
  if (strstr (out, "does not compile") != NULL)
    {
      g_test_skip ("the course's starting file does not compile");
      return;
    }
  tally = strstr (out, " tests passed.");
  g_assert_nonnull (tally);
  while (tally > out && tally[-1] != '\n')
    tally--;
  g_assert_cmpint (sscanf (tally, "%u of %u", &passed, &total), ==, 2);
  failed = count_occurrences (out, "✗ /");
  reported = failed + count_occurrences (out, "✓ /");
  g_assert_cmpuint (reported, ==, total);
  g_assert_cmpuint (failed, ==, total - passed);
  g_assert_cmpuint (total, >=, 2);
  /* One ERROR: line per failed test, no "Bail out!", no raw TAP. */
  g_assert_cmpuint (count_occurrences (out, "ERROR:"), <=, failed);
  g_assert_null (strstr (out, "Bail out!"));
  g_assert_null (strstr (out, "not ok "));
}

static void
test_a_crash_points_at_the_learners_line (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autofree gchar *crashing = lesson01_with ("  guint8 *nowhere = NULL;\n\n"
                                              "  nowhere[len] = 0;  /* the crash */\n"
                                              "  braid_transport_write (transport, data, len);");
  g_autofree gchar *out = NULL;
  g_autofree gchar *gdb = g_find_program_in_path ("gdb");
  g_autoptr (GError) error = NULL;

  g_test_summary ("A check that crashes (SIGSEGV) shows the line of the learner's file where "
                  "it crashed, and what to look at");
  if (skip_if_not_ready ())
    return;
  if (crashing == NULL || gdb == NULL)
    {
      g_test_skip (crashing == NULL ? "the course has no lesson 01" : "gdb is not installed");
      return;
    }
  g_file_set_contents (course.first_file, crashing, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lessons_text (words, &out), ==, 1);
  g_assert_nonnull (strstr (out, "It crashed in your code: shout_protocol_data_received ()"));
  g_assert_nonnull (strstr (out, "exercise/shout.c:"));
  g_assert_nonnull (strstr (out, "nowhere[len] = 0;"));
}

static void
test_a_syntax_error_is_one_error (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autofree gchar *broken = lesson01_with ("  guint8 *loud = g_memdup2 (data, len)\n"
                                            "  braid_transport_write (transport, loud, len);\n"
                                            "  g_free (loud);");
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;

  g_test_summary ("A missing semicolon reads as one error: the exercise is built without "
                  "-Werror, so the unused variable it causes stays a warning");
  if (skip_if_not_ready ())
    return;
  if (broken == NULL)
    {
      g_test_skip ("the course has no lesson 01");
      return;
    }
  g_file_set_contents (course.first_file, broken, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lessons_text (words, &out), ==, 1);
  g_assert_nonnull (strstr (out, "does not compile"));
  g_assert_cmpuint (count_occurrences (out, "error:"), ==, 1);
  g_assert_null (strstr (out, "-Werror"));
}

static void
test_a_pass_builds_the_learners_own_program (void)
{
  const gchar *words[] = { "check", "1", NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *program = NULL;

  g_test_summary ("When lesson 01's check passes, the runner builds shout-server from the "
                  "learner's own file and says how to talk to it with nc");
  if (skip_if_not_ready ())
    return;
  if (!g_str_equal (course.first, "01-echo"))
    {
      g_test_skip ("the course has no lesson 01");
      return;
    }
  copy_file (course.first_solution, course.first_file);
  g_assert_cmpint (lessons_text (words, &out), ==, 0);
  g_assert_nonnull (strstr (out, "You have learned:"));
  g_assert_nonnull (strstr (out, "build/lessons/01-echo/shout-server"));
  g_assert_nonnull (strstr (out, "nc 127.0.0.1 8000"));
  program = g_build_filename (course.build_dir, "lessons", "01-echo", "shout-server", NULL);
  g_assert_true (g_file_test (program, G_FILE_TEST_IS_EXECUTABLE));
}

/* Reads the watching runner's lines until one holds @needle (within
 * @seconds); returns everything read, or NULL on end of output or timeout. */
static gchar *
read_until (GDataInputStream *from, const gchar *needle, guint seconds)
{
  g_autoptr (GString) seen = g_string_new (NULL);

  for (;;)
    {
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      Awaited awaited = { 0 };
      gboolean found;

      g_data_input_stream_read_line_async (from, G_PRIORITY_DEFAULT, cancellable, on_line_read,
                                           &awaited);
      wait_for (&awaited, cancellable, seconds);
      if (awaited.line == NULL)
        {
          g_clear_error (&awaited.error);
          return NULL;
        }
      g_string_append_printf (seen, "%s\n", awaited.line);
      found = strstr (awaited.line, needle) != NULL;
      g_free (awaited.line);
      if (found)
        return g_string_free (g_steal_pointer (&seen), FALSE);
    }
}

static void
test_watch_waits_for_enter_after_a_pass (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) runner = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *first = NULL, *passed = NULL, *next = NULL;
  GOutputStream *keyboard;
  Awaited exited = { 0 };
  const gchar *reset[] = { "reset", "1", "--force", NULL };
  const gchar *argv[] = { course.runner, "--watch", "--jobs", "2",
                          "--lessons-dir", course.lessons_dir,
                          "--build-dir", course.build_dir, "--state-file", course.state_file,
                          NULL };

  g_test_summary ("Watching in text, a pass shows what was learned and waits for Enter "
                  "before the next exercise (its red output does not bury the success)");
  if (skip_if_not_ready ())
    return;
  if (course.second == NULL)
    {
      g_test_skip ("the course has one exercise");
      return;
    }
  g_object_unref (lessons_json (0, reset));
  g_main_context_push_thread_default (context);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, course.work);
  runner = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  keyboard = g_subprocess_get_stdin_pipe (runner);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (runner));

  first = read_until (lines, "Save the file to check it again", 120);
  g_assert_nonnull (first);
  copy_file (course.first_solution, course.first_file);
  passed = read_until (lines, "Press Enter", 120);
  g_assert_nonnull (passed);
  g_assert_nonnull (strstr (passed, "passed"));
  g_assert_nonnull (strstr (passed, "You have learned:"));
  /* Nothing of the next exercise until the learner says so. */
  g_assert_null (read_until (lines, "Lesson 02", 2));
  g_output_stream_write_all (keyboard, "\n", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  next = read_until (lines, "Save the file to check it again", 120);
  g_assert_nonnull (next);
  g_assert_nonnull (strstr (next, "Lesson 02"));
  g_output_stream_write_all (keyboard, "q\n", 2, NULL, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (runner, cancellable, on_runner_exited, &exited);
  wait_for (&exited, cancellable, 60);
  g_assert_no_error (exited.error);
  g_assert_cmpint (g_subprocess_get_exit_status (runner), ==, 0);
  g_main_context_pop_thread_default (context);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  course.source_root = g_strdup (g_getenv ("BRAID_SOURCE_ROOT"));
  course.runner = g_strdup (g_getenv ("BRAID_LESSONS"));
  g_assert_nonnull (course.source_root);
  g_assert_nonnull (course.runner);

  g_test_add_func ("/lessons-runner/command/time-limit", test_command_time_limit);
  g_test_add_func ("/lessons-runner/command/output-cap", test_command_output_cap);
  g_test_add_func ("/lessons-runner/docs/follow-the-course-map", test_docs_follow_the_course_map);
  g_test_add_func ("/lessons-runner/path/list-starts-at-the-first-exercise",
                   test_list_starts_at_the_first_exercise);
  g_test_add_func ("/lessons-runner/path/starting-file-fails-its-check",
                   test_starting_file_fails_its_check);
  g_test_add_func ("/lessons-runner/path/text-output-shows-the-failure-first",
                   test_text_output_shows_the_failure_first);
  g_test_add_func ("/lessons-runner/path/jobs-option-takes-every-spelling",
                   test_jobs_option_takes_every_spelling);
  g_test_add_func ("/lessons-runner/path/list-shows-what-each-lesson-teaches",
                   test_list_shows_what_each_lesson_teaches);
  g_test_add_func ("/lessons-runner/path/every-test-is-reported-and-each-failure-once",
                   test_every_test_is_reported_and_each_failure_once);
  g_test_add_func ("/lessons-runner/path/solution-is-refused-before-the-check-passes",
                   test_solution_is_refused_before_the_check_passes);
  g_test_add_func ("/lessons-runner/path/hints-come-one-at-a-time", test_hints_come_one_at_a_time);
  g_test_add_func ("/lessons-runner/path/solution-passes-and-the-runner-moves-on",
                   test_solution_passes_and_the_runner_moves_on);
  g_test_add_func ("/lessons-runner/path/a-pass-builds-the-learners-own-program",
                   test_a_pass_builds_the_learners_own_program);
  g_test_add_func ("/lessons-runner/path/main-command-continues-at-the-next-exercise",
                   test_main_command_continues_at_the_next_exercise);
  g_test_add_func ("/lessons-runner/path/solution-is-shown-after-the-check-passes",
                   test_solution_is_shown_after_the_check_passes);
  g_test_add_func ("/lessons-runner/path/compile-error-is-not-built",
                   test_compile_error_is_not_built);
  g_test_add_func ("/lessons-runner/path/a-crash-points-at-the-learners-line",
                   test_a_crash_points_at_the_learners_line);
  g_test_add_func ("/lessons-runner/path/a-syntax-error-is-one-error",
                   test_a_syntax_error_is_one_error);
  g_test_add_func ("/lessons-runner/path/reset-restores-the-starting-file",
                   test_reset_restores_the_starting_file);
  g_test_add_func ("/lessons-runner/path/watch-checks-on-save-and-moves-on",
                   test_watch_checks_on_save_and_moves_on);
  g_test_add_func ("/lessons-runner/path/watch-waits-for-enter-after-a-pass",
                   test_watch_waits_for_enter_after_a_pass);
  g_test_add_func ("/lessons-runner/path/unknown-exercise-is-a-usage-error",
                   test_unknown_exercise_is_a_usage_error);

  course_set_up ();
  status = g_test_run ();
  course_tear_down ();
  return status;
}
