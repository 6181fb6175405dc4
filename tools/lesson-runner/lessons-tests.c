/* lessons-tests.c: a check run one test at a time, and what a learner needs
 * from a failure that lessons-check.c's summaries alone do not give.
 *
 * A GTest program stops at its first failed assertion, so one run of a
 * check with four tests says "the first failed" and nothing of the three
 * others. The runner therefore asks the check for its tests (`-l`) and runs
 * each in its own process (`-p /its/path`), the way `meson test` would run
 * separate programs: a learner sees "2 of 4 tests passed" and which.
 *
 * A test killed by a signal (SIGSEGV, mostly) printed nothing useful; it is
 * run once more under gdb, and the frame of the backtrace that is in the
 * learner's own file is shown, with its line of code. */
#include "lessons-tests.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

/* Leading "not ok: /path\n" of a failing test's block: the combined report
 * names each test itself. */
static const gchar *
skip_test_line (const gchar *failure)
{
  const gchar *newline;

  if (failure == NULL)
    return "";
  if (!g_str_has_prefix (failure, "not ok: "))
    return failure;
  newline = strchr (failure, '\n');
  return newline != NULL ? newline + 1 : "";
}

static void
append_indented (GString *out, const gchar *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_string_append_printf (out, "    %s\n", lines[i]);
}

/**
 * lessons_combine_results:
 * @test_names: (array length=count): the tests, in the order they ran
 * @results: (array length=count): each test's own result
 * @count: how many tests
 *
 * Makes one result of a check whose tests ran one by one: it passed when
 * every test did; otherwise its message counts the tests that passed and
 * quotes the first failure, and its `failure` lists every test, ✓ or ✗,
 * with what went wrong under each ✗.
 *
 * Returns: (transfer full): the check's result
 */
LessonsCheckResult *
lessons_combine_results (const gchar *const *test_names, LessonsCheckResult **results,
                         guint count)
{
  LessonsCheckResult *combined = g_new0 (LessonsCheckResult, 1);
  g_autoptr (GString) failure = g_string_new (NULL);
  g_autoptr (GString) output = g_string_new (NULL);
  const LessonsCheckResult *first_failure = NULL;
  guint passed = 0;

  for (guint i = 0; i < count; i++)
    {
      const LessonsCheckResult *result = results[i];

      g_string_append_printf (output, "--- %s ---\n%s", test_names[i], result->output);
      if (result->status == LESSONS_STATUS_DONE)
        {
          passed++;
          g_string_append_printf (failure, "✓ %s\n", test_names[i]);
          continue;
        }
      if (first_failure == NULL)
        first_failure = result;
      g_string_append_printf (failure, "✗ %s\n", test_names[i]);
      append_indented (failure, skip_test_line (result->failure));
    }

  combined->output = g_string_free (g_steal_pointer (&output), FALSE);
  if (count > 0 && passed == count)
    {
      combined->status = LESSONS_STATUS_DONE;
      combined->message = count == 1 ? g_strdup ("the test passed")
                                     : g_strdup_printf ("all %u tests passed", count);
      return combined;
    }
  combined->status = LESSONS_STATUS_FAILING;
  if (first_failure == NULL)
    combined->message = g_strdup ("the check ran no test");
  else
    combined->message = g_strdup_printf ("%u of %u tests passed; first failure: %s", passed,
                                         count, first_failure->message);
  g_string_append_printf (failure, "%u of %u tests passed.\n", passed, count);
  combined->failure = g_string_free (g_steal_pointer (&failure), FALSE);
  return combined;
}

/* Line @number of @path, without its newline, or NULL. */
static gchar *
read_line (const gchar *path, guint64 number)
{
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (number == 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  if (number > g_strv_length (lines))
    return NULL;
  return g_strdup (lines[number - 1]);
}

/**
 * lessons_explain_crash:
 * @backtrace: what `gdb -batch -ex run -ex bt` printed for the crashed test
 * @learner_file: the file the learner edits (absolute)
 * @build_dir: the build directory (gdb prints paths relative to it)
 * @display_dir: where the learner stands
 *
 * Finds the innermost frame of @backtrace in the learner's file.
 *
 * Returns: (transfer full) (nullable): a few lines: the function, the file
 *   and line, the line's code, and what to look at; %NULL when no frame is
 *   in the learner's file
 */
gchar *
lessons_explain_crash (const gchar *backtrace, const gchar *learner_file,
                       const gchar *build_dir, const gchar *display_dir)
{
  g_autoptr (GRegex) frame = g_regex_new ("^#[0-9]+ +(?:0x[0-9a-f]+ in )?([A-Za-z_][A-Za-z0-9_]*)"
                                          " \\(.*\\) at ([^ ]+):([0-9]+)$",
                                          G_REGEX_MULTILINE, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree gchar *wanted = g_canonicalize_filename (learner_file, NULL);

  g_regex_match (frame, backtrace, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree gchar *function = g_match_info_fetch (match, 1);
      g_autofree gchar *file = g_match_info_fetch (match, 2);
      g_autofree gchar *line = g_match_info_fetch (match, 3);
      g_autofree gchar *absolute = g_canonicalize_filename (file, build_dir);
      g_autofree gchar *shown = NULL;
      g_autofree gchar *code = NULL;
      guint64 number;

      if (!g_str_equal (absolute, wanted))
        continue;
      number = g_ascii_strtoull (line, NULL, 10);
      shown = lessons_display_path (absolute, "/", display_dir);
      code = read_line (absolute, number);
      return g_strdup_printf ("It crashed in your code: %s (), at %s:%s\n"
                              "%s%s%s"
                              "A crash is almost always a pointer that does not point where "
                              "you think: NULL, already freed, or past the end of its data "
                              "(an index that reaches len?). Look at each pointer and index "
                              "on that line.\n",
                              function, shown, line,
                              code != NULL ? "    " : "", code != NULL ? g_strstrip (code) : "",
                              code != NULL ? "\n" : "");
    }
  return NULL;
}

/**
 * lessons_test_reason:
 * @output: what a failed test printed (paths as the compiler saw them)
 * @build_dir: the build directory (those paths are relative to it)
 *
 * A check's test often says why it exists in a comment above its function
 * ("The bytes are not a C string: a NUL in the middle must not cut them.").
 * This finds the function of the first `ERROR:file:line:function:` line of
 * @output in its file and returns that comment, on one line.
 *
 * Returns: (transfer full) (nullable): the comment's text, or %NULL when
 *   there is no such line, file or comment
 */
gchar *
lessons_test_reason (const gchar *output, const gchar *build_dir)
{
  g_autoptr (GRegex) assertion = g_regex_new ("ERROR:([^:\\n]+):[0-9]+:([A-Za-z_][A-Za-z0-9_]*):",
                                              0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree gchar *file = NULL, *function = NULL, *path = NULL, *text = NULL;
  g_autofree gchar *definition = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) reason = g_string_new (NULL);
  gint line = -1;

  if (!g_regex_match (assertion, output, 0, &match))
    return NULL;
  file = g_match_info_fetch (match, 1);
  function = g_match_info_fetch (match, 2);
  path = g_canonicalize_filename (file, build_dir);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  definition = g_strconcat (function, " (", NULL);
  for (gint i = 0; lines[i] != NULL && line < 0; i++)
    if (g_str_has_prefix (lines[i], definition))
      line = i;
  /* Above "name (…)": its return type ("static void"), then the comment. */
  if (line < 2 || !g_str_has_suffix (g_strchomp (lines[line - 2]), "*/"))
    return NULL;
  for (gint i = line - 2; i >= 0; i--)
    {
      gchar *start = strstr (lines[i], "/*");
      gchar *words = g_strstrip (start != NULL ? start + 2 : lines[i]);

      if (g_str_has_suffix (words, "*/"))
        words[strlen (words) - 2] = '\0';
      if (g_str_has_prefix (words, "*"))
        words++;
      g_strstrip (words);
      if (*words != '\0')
        {
          if (reason->len > 0)
            g_string_prepend_c (reason, ' ');
          g_string_prepend (reason, words);
        }
      if (start != NULL)
        return reason->len > 0 ? g_string_free (g_steal_pointer (&reason), FALSE) : NULL;
    }
  return NULL;
}

/* A crashed test, run again under gdb to learn where it crashed. */
static gchar *
crash_backtrace (const gchar *program, const gchar *test, const gchar *cwd, guint timeout)
{
  g_autofree gchar *gdb = g_find_program_in_path ("gdb");
  const gchar *argv[] = { gdb, "-q", "-nx", "-batch", "-ex", "run", "-ex", "bt",
                          "--args", program, "-p", test, NULL };
  LessonsCommandResult run;
  gchar *output;

  if (gdb == NULL || !lessons_run_command (argv, cwd, timeout, &run, NULL))
    return NULL;
  output = g_steal_pointer (&run.output);
  lessons_command_result_clear (&run);
  return output;
}

static gboolean
is_crash (const LessonsCommandResult *run)
{
  /* SIGABRT is a failed assertion, and a fatal GLib critical (SIGTRAP)
   * names the call that was refused: both say what went wrong themselves. */
  return !run->timed_out && WIFSIGNALED (run->wait_status)
         && WTERMSIG (run->wait_status) != SIGABRT
         && strstr (run->output, "-CRITICAL") == NULL && strstr (run->output, "ERROR:") == NULL;
}

static void
add_crash_explanation (LessonsCheckResult *result, LessonsBuild *build, const gchar *program,
                       const gchar *test, const gchar *learner_file)
{
  g_autofree gchar *backtrace = crash_backtrace (program, test, build->build_dir,
                                                 build->timeout_seconds);
  g_autofree gchar *explanation = NULL;
  gchar *failure;

  if (backtrace != NULL)
    explanation = lessons_explain_crash (backtrace, learner_file, build->build_dir,
                                         build->display_dir);
  if (explanation == NULL)
    explanation = g_strdup (backtrace == NULL
                            ? "(Install gdb to see the line where it crashed.)\n"
                            : "It crashed outside your file, maybe in a function your code "
                              "called with a bad pointer or length.\n");
  failure = g_strconcat (result->failure != NULL ? result->failure : "", explanation, NULL);
  g_free (result->failure);
  result->failure = failure;
}

/**
 * lessons_run_each_test:
 * @build: the project's build
 * @program: the check program, built
 * @test_names: (array zero-terminated=1): its tests (its `-l` output)
 * @learner_file: the file the learner edits, to point at in a crash
 * @error: return location for a #GError
 *
 * Runs each test of the check in its own process (`PROGRAM -p PATH --tap`),
 * each with the build's time limit; a test that crashes is run again under
 * gdb to find the line of @learner_file where it crashed.
 *
 * Returns: (transfer full) (nullable): the combined result (see
 *   lessons_combine_results()), or %NULL if the program could not be started
 */
LessonsCheckResult *
lessons_run_each_test (LessonsBuild *build, const gchar *program,
                       const gchar *const *test_names, const gchar *learner_file,
                       GError **error)
{
  guint count = g_strv_length ((gchar **) test_names);
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (
    (GDestroyNotify) lessons_check_result_free);

  for (guint i = 0; i < count; i++)
    {
      const gchar *argv[] = { program, "-p", test_names[i], "--tap", NULL };
      const gchar *only_this[] = { test_names[i], NULL };
      LessonsCommandResult run;
      LessonsCheckResult *result;

      if (!lessons_run_command (argv, build->build_dir, build->timeout_seconds, &run, error))
        return NULL;
      result = lessons_summarize_test (run.output, run.wait_status, run.timed_out,
                                       build->timeout_seconds, only_this, build->build_dir,
                                       build->display_dir);
      if (result->status != LESSONS_STATUS_DONE && is_crash (&run))
        add_crash_explanation (result, build, program, test_names[i], learner_file);
      else if (result->status != LESSONS_STATUS_DONE)
        {
          g_autofree gchar *reason = lessons_test_reason (run.output, build->build_dir);

          if (reason != NULL)
            {
              gchar *failure = g_strdup_printf ("%sWhy this test: %s\n",
                                                result->failure != NULL ? result->failure : "",
                                                reason);

              g_free (result->failure);
              result->failure = failure;
            }
        }
      lessons_command_result_clear (&run);
      g_ptr_array_add (results, result);
    }
  return lessons_combine_results (test_names, (LessonsCheckResult **) results->pdata, count);
}

/* TAP's own lines and GLib's framing of a message: never news. */
static gboolean
is_protocol_line (const gchar *line)
{
  return *line == '\0' || g_str_equal (line, "**") || g_str_has_prefix (line, "ok ")
         || g_str_has_prefix (line, "not ok ") || g_str_has_prefix (line, "1..")
         || g_str_has_prefix (line, "Bail out!") || g_str_has_prefix (line, "# Start of ")
         || g_str_has_prefix (line, "# End of ") || g_str_has_prefix (line, "# random seed")
         || g_str_has_prefix (line, "--- /") || g_str_has_prefix (line, "#  summary: ");
}

/**
 * lessons_output_not_yet_shown:
 * @output: everything a check printed
 * @shown: what the runner has already printed of it (the failure block)
 *
 * A failed assertion appears in a GTest's output up to three times (on
 * stderr, as the `not ok` line and after `Bail out!`): the learner should
 * read it once. This keeps the lines of @output that are neither TAP's own
 * nor already in @shown — the test's own messages, a warning.
 *
 * Returns: (transfer full): those lines, or "" when there are none
 */
gchar *
lessons_output_not_yet_shown (const gchar *output, const gchar *shown)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  g_autoptr (GString) kept = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree gchar *text = g_strstrip (g_strdup (lines[i]));
      const gchar *message = text;

      if (is_protocol_line (text))
        continue;
      /* GLib's "Lesson:ERROR:file.c:12:test: assertion failed" is quoted from
       * "ERROR:" on; a "# note" without its "# ". */
      if (strstr (text, "ERROR:") != NULL)
        message = strstr (text, "ERROR:");
      else if (g_str_has_prefix (text, "# "))
        message = text + 2;
      if (shown != NULL && strstr (shown, message) != NULL)
        continue;
      g_string_append_printf (kept, "%s\n", lines[i]);
    }
  return g_string_free (g_steal_pointer (&kept), FALSE);
}
