/* test-lessons-course.c: the lesson runner reads its course from the course
 * file the build writes (lessons/meson.build's course table), and guesses
 * nothing. Each test writes a small course in a temporary folder. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "lessons-course.h"

/* A course file with two exercises (out of folder order, to show the file's
 * order is the course's), and a lesson that has neither folder nor exercise. */
#define COURSE \
  "[01-greet]\ntitle=Greeting\nteaches=returning a string\nseed=a test\n" \
  "file=exercise/greet.c\nsolution=solution/greet.c\nhints=exercise/hints.md\n" \
  "check=check-01-greet\n\n" \
  "[02-sum]\ntitle=Summing\nteaches=a loop over an array\n" \
  "file=exercise/sum.c\nsolution=solution/sum.c\nhints=exercise/hints.md\n" \
  "check=check-02-sum\n\n" \
  "[03-later]\ntitle=A lesson not written yet\nteaches=nothing yet\n"

typedef struct
{
  gchar *dir;          /* the checkout: lessons/ and build/ */
  gchar *lessons_dir;
  gchar *course_file;
} Fixture;

static void
write_file (const gchar *dir, const gchar *name, const gchar *text)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
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

/* The lesson folders of COURSE, and @course_text as the course file. */
static void
fixture_set_up (Fixture *fixture, gconstpointer course_text)
{
  fixture->dir = g_dir_make_tmp ("lessons-course-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->lessons_dir = g_build_filename (fixture->dir, "lessons", NULL);
  fixture->course_file = g_build_filename (fixture->dir, "build", "lessons", "course.ini", NULL);
  write_file (fixture->dir, "lessons/01-greet/exercise/greet.c", "");
  write_file (fixture->dir, "lessons/01-greet/solution/greet.c", "");
  write_file (fixture->dir, "lessons/02-sum/exercise/sum.c", "");
  write_file (fixture->dir, "lessons/02-sum/solution/sum.c", "");
  if (course_text != NULL)
    write_file (fixture->dir, "build/lessons/course.ini", course_text);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer course_text)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->lessons_dir);
  g_free (fixture->course_file);
}

static LessonsCourse *
load (Fixture *fixture, GError **error)
{
  return lessons_course_load (fixture->lessons_dir, fixture->course_file, error);
}

static void
test_course_is_the_course_file (Fixture *fixture, gconstpointer course_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LessonsCourse) course = load (fixture, &error);
  g_autofree gchar *greet_file = NULL, *greet_solution = NULL, *greet_hints = NULL;
  LessonsExercise *greet, *sum;
  LessonsPathStep *later;

  g_test_summary ("Every lesson of the course file, in its order, with its exercise's files "
                  "relative to its folder; a lesson with no file= has no exercise");
  g_assert_no_error (error);
  g_assert_cmpuint (course->exercises->len, ==, 2);
  greet = g_ptr_array_index (course->exercises, 0);
  sum = g_ptr_array_index (course->exercises, 1);

  greet_file = g_build_filename (fixture->lessons_dir, "01-greet", "exercise", "greet.c", NULL);
  greet_solution = g_build_filename (fixture->lessons_dir, "01-greet", "solution", "greet.c",
                                     NULL);
  greet_hints = g_build_filename (fixture->lessons_dir, "01-greet", "exercise", "hints.md", NULL);
  g_assert_cmpstr (greet->name, ==, "01-greet");
  g_assert_cmpuint (greet->number, ==, 1);
  g_assert_cmpstr (greet->title, ==, "Greeting");
  g_assert_cmpstr (greet->teaches, ==, "returning a string");
  g_assert_cmpstr (greet->seed, ==, "a test");
  g_assert_cmpstr (greet->file, ==, greet_file);
  g_assert_cmpstr (greet->solution, ==, greet_solution);
  g_assert_cmpstr (greet->hints, ==, greet_hints);
  g_assert_cmpstr (greet->check_target, ==, "check-01-greet");
  g_assert_cmpstr (sum->title, ==, "Summing");
  g_assert_null (sum->seed);
  g_assert_cmpstr (sum->check_target, ==, "check-02-sum");

  g_assert_cmpuint (course->path->len, ==, 3);
  later = g_ptr_array_index (course->path, 2);
  g_assert_cmpstr (later->name, ==, "03-later");
  g_assert_cmpstr (later->title, ==, "A lesson not written yet");
  g_assert_false (later->written);
  g_assert_null (later->exercise);
  g_assert_true (((LessonsPathStep *) g_ptr_array_index (course->path, 1))->written);
  g_assert_true (((LessonsPathStep *) g_ptr_array_index (course->path, 0))->exercise == greet);
  g_assert_cmpint (lessons_course_index (course, sum), ==, 1);
}

static void
test_course_find_by_any_name (Fixture *fixture, gconstpointer course_text)
{
  g_autoptr (LessonsCourse) course = load (fixture, NULL);
  const gchar *ids[] = { "1", "01", "01-greet", "greet" };
  GError *error = NULL;

  g_test_summary ("An exercise is named by its number, with or without the zero, or by its "
                  "folder's name, with or without the number");
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      LessonsExercise *found = lessons_course_find (course, ids[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (found->name, ==, "01-greet");
    }
  g_assert_null (lessons_course_find (course, "3", &error));
  g_assert_error (error, LESSONS_ERROR, LESSONS_ERROR_UNKNOWN_EXERCISE);
  g_assert_cmpstr (error->message, ==, "lesson 03-later has no exercise yet");
  g_clear_error (&error);
  g_assert_null (lessons_course_find (course, "99", &error));
  g_assert_error (error, LESSONS_ERROR, LESSONS_ERROR_UNKNOWN_EXERCISE);
  g_clear_error (&error);
  g_assert_null (lessons_course_find (course, "1x", &error));
  g_assert_error (error, LESSONS_ERROR, LESSONS_ERROR_UNKNOWN_EXERCISE);
  g_clear_error (&error);
}

static void
test_course_without_a_build (Fixture *fixture, gconstpointer course_text)
{
  g_autoptr (GError) error = NULL;

  g_test_summary ("With no course file (no configured build) the error says how to make one");
  g_assert_null (load (fixture, &error));
  g_assert_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD);
  g_assert_nonnull (strstr (error->message, "tools/start"));
}

static void
test_course_refuses (Fixture *fixture, gconstpointer course_text)
{
  g_autoptr (GError) error = NULL;

  g_test_summary ("A course file that cannot be followed is refused, naming what is wrong: "
                  "an absolute path, a missing key, a file to edit that does not exist, a "
                  "group that is not a lesson");
  g_assert_null (load (fixture, &error));
  g_assert_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "greet"));
}

int
main (int argc, char **argv)
{
  static const gchar *absolute =
    "[01-greet]\ntitle=G\nfile=exercise/greet.c\nsolution=/etc/passwd\nhints=h.md\ncheck=c\n";
  static const gchar *no_solution =
    "[01-greet]\ntitle=G\nfile=exercise/greet.c\nhints=h.md\ncheck=c\n";
  static const gchar *no_check =
    "[01-greet]\ntitle=G\nfile=exercise/greet.c\nsolution=solution/greet.c\nhints=h.md\n";
  static const gchar *missing_file =
    "[01-greet]\ntitle=G\nfile=exercise/nope.c\nsolution=solution/greet.c\nhints=h.md\n"
    "check=c\n";
  static const gchar *not_a_lesson = "[01-greet]\ntitle=G\n[greet]\ntitle=01-greet\n";

  g_test_init (&argc, &argv, NULL);
#define ADD(path, text, func) \
  g_test_add ("/lessons/course/" path, Fixture, text, fixture_set_up, func, fixture_tear_down)
  ADD ("is-the-course-file", COURSE, test_course_is_the_course_file);
  ADD ("find-by-any-name", COURSE, test_course_find_by_any_name);
  ADD ("without-a-build", NULL, test_course_without_a_build);
  ADD ("refuses/absolute-path", absolute, test_course_refuses);
  ADD ("refuses/no-solution", no_solution, test_course_refuses);
  ADD ("refuses/no-check", no_check, test_course_refuses);
  ADD ("refuses/missing-file", missing_file, test_course_refuses);
  ADD ("refuses/not-a-lesson", not_a_lesson, test_course_refuses);
#undef ADD
  return g_test_run ();
}
