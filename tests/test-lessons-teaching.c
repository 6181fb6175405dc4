/* test-lessons-teaching.c: how the runner turns a failed check into
 * something a learner can act on (tools/lesson-runner/lessons-tests.c), on
 * recorded output: no build, no check program. */
#include <string.h>

#include <glib/gstdio.h>

#include "lessons-tests.h"

static LessonsCheckResult *
result_of (LessonsStatus status, const gchar *message, const gchar *failure)
{
  LessonsCheckResult *result = g_new0 (LessonsCheckResult, 1);

  result->status = status;
  result->message = g_strdup (message);
  result->failure = g_strdup (failure);
  result->output = g_strdup ("");
  return result;
}

static void
test_combined_result_counts_every_test (void)
{
  const gchar *names[] = { "/shout/a", "/shout/b", "/shout/c", "/shout/d" };
  LessonsCheckResult *results[] = {
    result_of (LESSONS_STATUS_DONE, "the test passed", NULL),
    result_of (LESSONS_STATUS_FAILING, "/shout/b: ERROR:x.c:3:b: NUL cut",
               "not ok: /shout/b\nERROR:x.c:3:b: NUL cut\n"),
    result_of (LESSONS_STATUS_DONE, "the test passed", NULL),
    result_of (LESSONS_STATUS_FAILING, "/shout/d: ERROR:x.c:9:d: too late",
               "not ok: /shout/d\nERROR:x.c:9:d: too late\n"),
  };
  g_autoptr (LessonsCheckResult) combined = lessons_combine_results (names, results, 4);

  g_test_summary ("A check whose tests ran one by one says how many of them passed, "
                  "marks each, and shows every failure, not only the first");
  g_assert_cmpint (combined->status, ==, LESSONS_STATUS_FAILING);
  g_assert_true (g_str_has_prefix (combined->message, "2 of 4 tests passed; first failure: "
                                                      "/shout/b"));
  g_assert_nonnull (strstr (combined->failure, "✓ /shout/a\n✗ /shout/b\n"
                                               "    ERROR:x.c:3:b: NUL cut\n✓ /shout/c\n"));
  g_assert_nonnull (strstr (combined->failure, "✗ /shout/d\n    ERROR:x.c:9:d: too late\n"));
  g_assert_nonnull (strstr (combined->failure, "2 of 4 tests passed."));
  g_assert_null (strstr (combined->failure, "not ok"));
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    lessons_check_result_free (results[i]);
}

static void
test_combined_result_passes_when_all_pass (void)
{
  const gchar *names[] = { "/a", "/b" };
  LessonsCheckResult *results[] = { result_of (LESSONS_STATUS_DONE, "the test passed", NULL),
                                    result_of (LESSONS_STATUS_DONE, "the test passed", NULL) };
  g_autoptr (LessonsCheckResult) combined = lessons_combine_results (names, results, 2);

  g_assert_cmpint (combined->status, ==, LESSONS_STATUS_DONE);
  g_assert_cmpstr (combined->message, ==, "all 2 tests passed");
  lessons_check_result_free (results[0]);
  lessons_check_result_free (results[1]);
}

/* What GLib prints for one failed assertion in --tap mode, stderr merged. */
static const gchar failed_tap[] =
  "# random seed: R02S1\n"
  "1..1\n"
  "# Start of shout tests\n"
  "**\n"
  "Lesson:ERROR:check-shout.c:14:test_a: NUL cut: sent \"a\\x00b\"\n"
  "Bail out! Lesson:ERROR:check-shout.c:14:test_a: NUL cut: sent \"a\\x00b\"\n"
  "#  summary: Lesson 01's exercise\n"
  "a message of the test's own\n";

static void
test_the_failure_is_printed_once (void)
{
  const gchar *shown = "✗ /shout/a\n    ERROR:check-shout.c:14:test_a: NUL cut: sent \"a\\x00b\"\n";
  g_autofree gchar *rest = lessons_output_not_yet_shown (failed_tap, shown);

  g_test_summary ("Besides the summary, only what the summary did not already say is "
                  "printed: not the assertion again, nor Bail out!, nor TAP's lines");
  g_assert_cmpstr (rest, ==, "a message of the test's own\n");
}

/* gdb -batch -ex run -ex bt, for a test that crashed in the learner's file. */
static const gchar gdb_output[] =
  "Program received signal SIGSEGV, Segmentation fault.\n"
  "0x0000555555556abc in shout_protocol_data_received (protocol=0x5555, data=0x7ffe \"a\", "
  "len=1) at ../lessons/01-echo/exercise/shout.c:2\n"
  "2\t  nowhere[len] = 0;\n"
  "#0  0x0000555555556abc in shout_protocol_data_received (protocol=0x5555, data=0x7ffe "
  "\"a\", len=1) at ../lessons/01-echo/exercise/shout.c:2\n"
  "#1  0x00007ffff7f1 in braid_protocol_data_received (protocol=0x5555, data=0x7ffe \"a\", "
  "len=1) at ../framework/core/braid-protocol.c:120\n"
  "#2  0x0000555555557000 in test_a () at ../lessons/01-echo/check/check-shout.c:14\n";

static void
test_a_crash_is_explained_at_the_learners_line (void)
{
  g_autofree gchar *root = g_dir_make_tmp ("braid-crash-XXXXXX", NULL);
  g_autofree gchar *build = g_build_filename (root, "build", NULL);
  g_autofree gchar *exercise = g_build_filename (root, "lessons", "01-echo", "exercise", NULL);
  g_autofree gchar *file = g_build_filename (exercise, "shout.c", NULL);
  g_autofree gchar *explained = NULL;
  g_autofree gchar *elsewhere = NULL;

  g_test_summary ("A crash is explained by the innermost frame in the learner's file: the "
                  "function, file:line relative to where the learner stands, the line's "
                  "code, and what to look at");
  g_assert_cmpint (g_mkdir_with_parents (exercise, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (build, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "/* shout */\n  nowhere[len] = 0;\n", -1, NULL));

  explained = lessons_explain_crash (gdb_output, file, build, root);
  g_assert_nonnull (explained);
  g_assert_true (g_str_has_prefix (explained, "It crashed in your code: "
                                              "shout_protocol_data_received (), at "
                                              "lessons/01-echo/exercise/shout.c:2\n"
                                              "    nowhere[len] = 0;\n"));
  g_assert_nonnull (strstr (explained, "pointer"));
  /* A backtrace with no frame in the learner's file explains nothing. */
  elsewhere = lessons_explain_crash (gdb_output, "/elsewhere/other.c", build, root);
  g_assert_null (elsewhere);

  g_remove (file);
  g_rmdir (exercise);
  g_rmdir (build);
  {
    g_autofree gchar *lesson = g_path_get_dirname (exercise);
    g_autofree gchar *lessons = g_path_get_dirname (lesson);

    g_rmdir (lesson);
    g_rmdir (lessons);
  }
  g_rmdir (root);
}

static const gchar check_source[] =
  "#include <glib.h>\n"
  "\n"
  "/* The bytes are not a C string:\n"
  " * a NUL in the middle must not cut them. */\n"
  "static void\n"
  "test_every_byte (void)\n"
  "{\n"
  "  g_assert_cmpmem (a, 1, b, 3);\n"
  "}\n"
  "\n"
  "static void\n"
  "test_no_comment (void)\n"
  "{\n"
  "}\n";

static void
test_a_failure_shows_why_the_test_exists (void)
{
  g_autofree gchar *root = g_dir_make_tmp ("braid-reason-XXXXXX", NULL);
  g_autofree gchar *build = g_build_filename (root, "build", NULL);
  g_autofree gchar *check = g_build_filename (root, "check-x.c", NULL);
  g_autofree gchar *reason = NULL;
  g_autofree gchar *none = NULL;
  g_autofree gchar *no_file = NULL;

  g_test_summary ("The comment above a failed test's function (today seen by nobody) is "
                  "the reason shown under its failure, on one line");
  g_assert_cmpint (g_mkdir_with_parents (build, 0700), ==, 0);
  g_assert_true (g_file_set_contents (check, check_source, -1, NULL));

  reason = lessons_test_reason ("**\nLesson:ERROR:../check-x.c:8:test_every_byte: "
                                "assertion failed (1 == 3)\n", build);
  g_assert_cmpstr (reason, ==, "The bytes are not a C string: a NUL in the middle must not "
                               "cut them.");
  none = lessons_test_reason ("ERROR:../check-x.c:13:test_no_comment: nope\n", build);
  g_assert_null (none);
  no_file = lessons_test_reason ("ERROR:../missing.c:1:f: nope\n", build);
  g_assert_null (no_file);

  g_remove (check);
  g_rmdir (build);
  g_rmdir (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lessons-teaching/combined/counts-every-test",
                   test_combined_result_counts_every_test);
  g_test_add_func ("/lessons-teaching/combined/passes-when-all-pass",
                   test_combined_result_passes_when_all_pass);
  g_test_add_func ("/lessons-teaching/output/failure-printed-once",
                   test_the_failure_is_printed_once);
  g_test_add_func ("/lessons-teaching/crash/explained-at-the-learners-line",
                   test_a_crash_is_explained_at_the_learners_line);
  g_test_add_func ("/lessons-teaching/reason/comment-above-the-test",
                   test_a_failure_shows_why_the_test_exists);
  return g_test_run ();
}
