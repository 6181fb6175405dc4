/* test-lessons-output.c: the lesson runner's pieces, without running it —
 * what it makes of compiler and test output, how it splits hints, and what
 * it remembers (how it reads the course: test-lessons-course.c). */
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "lessons-check.h"
#include "lessons-course.h"
#include "lessons-hints.h"
#include "lessons-report.h"
#include "lessons-state.h"

/* What ninja prints when the learner's file does not compile, recorded from
 * a real build and cut short; paths are relative to the build directory. */
static const gchar ninja_compile_error[] =
  "ninja: Entering directory `/src/build'\n"
  "[1/2] Compiling C object lessons/check-01-echo.p/01-echo_exercise_echo.c.o\n"
  "FAILED: lessons/check-01-echo.p/01-echo_exercise_echo.c.o \n"
  "cc -Ilessons/check-01-echo.p -Ilessons -I../lessons -fdiagnostics-color=always -c ../lessons/01-echo/exercise/echo.c\n"
  "../lessons/01-echo/exercise/echo.c: In function 'echo_protocol_data_received':\n"
  "../lessons/01-echo/exercise/echo.c:12:3: error: 'transport' undeclared (first use in this function)\n"
  "   12 |   transport = NULL;\n"
  "      |   ^~~~~~~~~\n"
  "ninja: build stopped: subcommand failed.\n";

static void
test_build_output_keeps_what_the_compiler_said (void)
{
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_build (ninja_compile_error, "/src/build", "/src");

  g_test_summary ("A failed build shows the compiler's messages, with paths relative to "
                  "the learner, and none of ninja's progress or command lines");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_NOT_BUILT);
  g_assert_cmpstr (result->message, ==,
                   "lessons/01-echo/exercise/echo.c:12:3: error: 'transport' undeclared "
                   "(first use in this function)");
  g_assert_true (g_str_has_prefix (result->failure,
                                   "lessons/01-echo/exercise/echo.c: In function"));
  g_assert_nonnull (strstr (result->failure, "   12 |   transport = NULL;\n"));
  g_assert_null (strstr (result->failure, "[1/2]"));
  g_assert_null (strstr (result->failure, "FAILED"));
  g_assert_null (strstr (result->failure, "cc -I"));
  g_assert_null (strstr (result->failure, "ninja:"));
  /* Everything stays available to a program that wants it. */
  g_assert_nonnull (strstr (result->output, "FAILED"));
}

static void
test_build_output_linker_error (void)
{
  static const gchar output[] =
    "[2/2] Linking target lessons/check-01-echo\n"
    "FAILED: lessons/check-01-echo \n"
    "cc -o lessons/check-01-echo lessons/check-01-echo.p/x.o\n"
    "/usr/bin/ld: lessons/check-01-echo.p/x.o: in function `main':\n"
    "../lessons/01-echo/exercise/check-echo.c:40: undefined reference to `echo_protocol_get_type'\n"
    "collect2: error: ld returned 1 exit status\n";
  g_autoptr (LessonsCheckResult) result = lessons_summarize_build (output, "/src/build", "/src");

  g_test_summary ("A link error names the missing symbol");
  g_assert_cmpstr (result->message, ==,
                   "lessons/01-echo/exercise/check-echo.c:40: undefined reference to "
                   "`echo_protocol_get_type'");
}

static void
test_build_output_unknown_target (void)
{
  static const gchar output[] = "ninja: error: unknown target 'lessons/check-42-x'\n";
  g_autoptr (LessonsCheckResult) result = lessons_summarize_build (output, "/src/build", "/src");

  g_test_summary ("ninja's own errors are not dropped with its progress lines");
  g_assert_cmpstr (result->message, ==, "ninja: error: unknown target 'lessons/check-42-x'");
}

static void
test_build_output_outside_display_dir_stays_absolute (void)
{
  static const gchar output[] = "../lessons/x.c:1:1: error: nope\n";
  g_autoptr (LessonsCheckResult) result = lessons_summarize_build (output, "/src/build", "/home");

  g_test_summary ("A path outside where the learner stands is printed absolute");
  g_assert_cmpstr (result->message, ==, "/src/lessons/x.c:1:1: error: nope");
}

static void
test_test_output_all_passed (void)
{
  static const gchar output[] = "# random seed: R02S\n1..2\nok 1 /a\nok 2 /b\n";
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test (output, 0, FALSE, 30, NULL, "/src/build", "/src");

  g_test_summary ("Every test passing, with a clean exit, is done");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_DONE);
  g_assert_cmpstr (result->message, ==, "all 2 tests passed");
  g_assert_null (result->failure);
}

/* What a GTest program prints when g_assert_cmpstr fails: it aborts, so no
 * "not ok" line ever comes (recorded from GLib 2.74). */
static const gchar aborted_output[] =
  "# random seed: R02Sad2b\n"
  "1..3\n"
  "# Start of echo tests\n"
  "ok 1 /echo/connects\n"
  "# the protocol wrote nothing\n"
  "**\n"
  "Braid:ERROR:../lessons/01-echo/exercise/check-echo.c:42:test_echo: assertion failed "
  "(value == \"hello\"): (\"\" == \"hello\")\n"
  "Bail out! Braid:ERROR:../lessons/01-echo/exercise/check-echo.c:42:test_echo: assertion "
  "failed (value == \"hello\"): (\"\" == \"hello\")\n";

static void
test_test_output_names_the_aborted_test (void)
{
  const gchar *names[] = { "/echo/connects", "/echo/echoes", "/echo/closes", NULL };
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test (aborted_output, SIGABRT, FALSE, 30, names, "/src/build", "/src");

  g_test_summary ("A test that aborted on an assertion is named (the one after the last "
                  "that passed), and its assertion comes first");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_FAILING);
  g_assert_cmpstr (result->message, ==,
                   "/echo/echoes: Braid:ERROR:lessons/01-echo/exercise/check-echo.c:42:"
                   "test_echo: assertion failed (value == \"hello\"): (\"\" == \"hello\")");
  g_assert_true (g_str_has_prefix (result->failure,
                                   "not ok: /echo/echoes\nBraid:ERROR:lessons/01-echo/"));
  /* g_test_message() lines of the failing test help, so they come too. */
  g_assert_nonnull (strstr (result->failure, "# the protocol wrote nothing\n"));
  g_assert_null (strstr (result->failure, "random seed"));
}

static void
test_test_output_not_ok_line (void)
{
  static const gchar output[] =
    "1..2\nok 1 /a\n**\nERROR:../t.c:3:t2: assertion failed (1 == 2)\nnot ok 2 /b\n";
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test (output, 1 << 8, FALSE, 30, NULL, "/src/build", "/src");

  g_test_summary ("With non-fatal assertions the \"not ok\" line names the test");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_FAILING);
  g_assert_cmpstr (result->message, ==, "/b: ERROR:t.c:3:t2: assertion failed (1 == 2)");
}

static void
test_test_output_todo_is_not_a_failure (void)
{
  static const gchar output[] = "1..2\nok 1 /a\nnot ok 2 /b # TODO later\n";
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test (output, 0, FALSE, 30, NULL, "/src/build", "/src");

  g_test_summary ("A TAP \"# TODO\" test is expected to fail");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_DONE);
}

static void
test_test_output_timeout (void)
{
  static const gchar output[] = "1..2\nok 1 /a\n";
  const gchar *names[] = { "/a", "/b", NULL };
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test (output, SIGKILL, TRUE, 30, names, "/src/build", "/src");

  g_test_summary ("A check stopped by the time limit says so, and names the test");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_FAILING);
  g_assert_true (g_str_has_prefix (result->message, "/b: the check did not finish within 30 s"));
}

static void
test_test_output_crash (void)
{
  static const gchar output[] = "1..1\n";
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test (output, SIGSEGV, FALSE, 30, NULL, "/src/build", "/src");

  g_test_summary ("A crash without an assertion is reported with its signal");
  g_assert_true (g_str_has_prefix (result->message, "the check crashed (signal 11"));
}

static void
test_test_output_no_test (void)
{
  g_autoptr (LessonsCheckResult) result =
    lessons_summarize_test ("1..0\n", 0, FALSE, 30, NULL, "/src/build", "/src");

  g_test_summary ("A check that runs no test proves nothing, so it does not pass");
  g_assert_cmpint (result->status, ==, LESSONS_STATUS_FAILING);
  g_assert_cmpstr (result->message, ==, "the check ran no test");
}

/* Splits @text and compares the hints with @expected. */
static void
assert_hints (const gchar *text, const gchar *const *expected)
{
  g_autoptr (GPtrArray) hints = lessons_hints_split (text);

  g_assert_cmpuint (hints->len, ==, g_strv_length ((gchar **) expected));
  for (guint i = 0; i < hints->len; i++)
    g_assert_cmpstr (g_ptr_array_index (hints, i), ==, expected[i]);
}

static void
test_hints_by_heading (void)
{
  const gchar *expected[] = { "Hint 1\n\nLook at `data`.", "Hint 2\n\nWrite it back.", NULL };

  g_test_summary ("## headings split hints; the title and the introduction are not hints");
  assert_hints ("# Hints\n\nRead these one at a time.\n\n## Hint 1\n\nLook at `data`.\n\n"
                "## Hint 2\n\nWrite it back.\n", expected);
}

static void
test_hints_heading_inside_code_fence (void)
{
  const gchar *expected[] = { "One\n```\n## not a heading\n```", "Two", NULL };

  g_test_summary ("A code fence never splits a hint");
  assert_hints ("## One\n```\n## not a heading\n```\n## Two\n", expected);
}

static void
test_hints_by_rule (void)
{
  const gchar *expected[] = { "First.", "Second,\non two lines.", NULL };

  g_test_summary ("Without headings, lines of --- split hints");
  assert_hints ("First.\n---\nSecond,\non two lines.\n", expected);
}

static void
test_hints_by_list_item (void)
{
  const gchar *expected[] = { "- Start from zero.", "1. Loop,\n   over every value.", NULL };

  g_test_summary ("Without headings or rules, each top-level list item is a hint");
  assert_hints ("Hints:\n- Start from zero.\n1. Loop,\n   over every value.\n", expected);
}

static void
test_hints_whole_file (void)
{
  const gchar *expected[] = { "Just one hint,\nover two lines.", NULL };
  const gchar *none[] = { NULL };

  g_test_summary ("A file with no structure is one hint; an empty file has none");
  assert_hints ("# Title\nJust one hint,\nover two lines.\n", expected);
  assert_hints ("\n\n", none);
}

static void
remove_tree (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
test_state_round_trip (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("lessons-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "state", NULL);
  g_autoptr (LessonsState) state = NULL;
  g_autoptr (LessonsState) again = NULL;
  g_autofree gchar *message = NULL, *checksum = NULL;
  g_autoptr (GError) error = NULL;

  g_test_summary ("A missing state file is a fresh start; results and hint counts survive "
                  "a save and a load; reset forgets the result but not the hints");
  state = lessons_state_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lessons_state_get_status (state, "01-echo"), ==, LESSONS_STATUS_PENDING);
  g_assert_cmpuint (lessons_state_get_hints_shown (state, "01-echo"), ==, 0);

  lessons_state_set_result (state, "01-echo", LESSONS_STATUS_DONE, "all 3 tests passed", "abc");
  lessons_state_set_hints_shown (state, "01-echo", 2);
  lessons_state_set_result (state, "02-counting", LESSONS_STATUS_NOT_BUILT, "x.c:1: error", NULL);
  g_assert_true (lessons_state_save (state, &error));
  g_assert_no_error (error);

  again = lessons_state_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lessons_state_get_status (again, "01-echo"), ==, LESSONS_STATUS_DONE);
  message = lessons_state_get_message (again, "01-echo");
  checksum = lessons_state_get_checksum (again, "01-echo");
  g_assert_cmpstr (message, ==, "all 3 tests passed");
  g_assert_cmpstr (checksum, ==, "abc");
  g_assert_cmpuint (lessons_state_get_hints_shown (again, "01-echo"), ==, 2);
  g_assert_cmpint (lessons_state_get_status (again, "02-counting"), ==, LESSONS_STATUS_NOT_BUILT);

  lessons_state_forget_result (again, "01-echo");
  g_assert_cmpint (lessons_state_get_status (again, "01-echo"), ==, LESSONS_STATUS_PENDING);
  g_assert_cmpuint (lessons_state_get_hints_shown (again, "01-echo"), ==, 2);
  g_assert_cmpint (g_unlink (path), ==, 0);
  remove_tree (dir);
}

static void
test_status_names (void)
{
  g_test_summary ("Statuses have the names --json promises");
  g_assert_cmpstr (lessons_status_to_string (LESSONS_STATUS_PENDING), ==, "pending");
  g_assert_cmpstr (lessons_status_to_string (LESSONS_STATUS_DONE), ==, "done");
  g_assert_cmpstr (lessons_status_to_string (LESSONS_STATUS_FAILING), ==, "failing");
  g_assert_cmpstr (lessons_status_to_string (LESSONS_STATUS_NOT_BUILT), ==, "not-built");
}

static void
test_progress_bar (void)
{
  g_autofree gchar *none = lessons_progress_bar (0, 4, 8);
  g_autofree gchar *half = lessons_progress_bar (2, 4, 8);
  g_autofree gchar *all = lessons_progress_bar (4, 4, 8);
  g_autofree gchar *empty = lessons_progress_bar (0, 0, 4);

  g_test_summary ("The progress bar fills in proportion and shows the count");
  g_assert_cmpstr (none, ==, "[>-------] 0/4");
  g_assert_cmpstr (half, ==, "[####>---] 2/4");
  g_assert_cmpstr (all, ==, "[########] 4/4");
  g_assert_cmpstr (empty, ==, "[----] 0/0");
}

static void
test_display_path (void)
{
  g_autofree gchar *inside = lessons_display_path ("../lessons/a.c", "/src/build", "/src");
  g_autofree gchar *outside = lessons_display_path ("/usr/include/glib.h", "/src/build", "/src");
  g_autofree gchar *sibling = lessons_display_path ("/srcx/a.c", "/", "/src");

  g_test_summary ("Paths inside the learner's directory are shown relative to it");
  g_assert_cmpstr (inside, ==, "lessons/a.c");
  g_assert_cmpstr (outside, ==, "/usr/include/glib.h");
  g_assert_cmpstr (sibling, ==, "/srcx/a.c");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lessons/build-output/keeps-what-the-compiler-said",
                   test_build_output_keeps_what_the_compiler_said);
  g_test_add_func ("/lessons/build-output/linker-error", test_build_output_linker_error);
  g_test_add_func ("/lessons/build-output/unknown-target", test_build_output_unknown_target);
  g_test_add_func ("/lessons/build-output/outside-display-dir-stays-absolute",
                   test_build_output_outside_display_dir_stays_absolute);
  g_test_add_func ("/lessons/test-output/all-passed", test_test_output_all_passed);
  g_test_add_func ("/lessons/test-output/names-the-aborted-test",
                   test_test_output_names_the_aborted_test);
  g_test_add_func ("/lessons/test-output/not-ok-line", test_test_output_not_ok_line);
  g_test_add_func ("/lessons/test-output/todo-is-not-a-failure",
                   test_test_output_todo_is_not_a_failure);
  g_test_add_func ("/lessons/test-output/timeout", test_test_output_timeout);
  g_test_add_func ("/lessons/test-output/crash", test_test_output_crash);
  g_test_add_func ("/lessons/test-output/no-test", test_test_output_no_test);
  g_test_add_func ("/lessons/hints/by-heading", test_hints_by_heading);
  g_test_add_func ("/lessons/hints/heading-inside-code-fence", test_hints_heading_inside_code_fence);
  g_test_add_func ("/lessons/hints/by-rule", test_hints_by_rule);
  g_test_add_func ("/lessons/hints/by-list-item", test_hints_by_list_item);
  g_test_add_func ("/lessons/hints/whole-file", test_hints_whole_file);
  g_test_add_func ("/lessons/state/round-trip", test_state_round_trip);
  g_test_add_func ("/lessons/state/status-names", test_status_names);
  g_test_add_func ("/lessons/report/progress-bar", test_progress_bar);
  g_test_add_func ("/lessons/report/display-path", test_display_path);

  return g_test_run ();
}
