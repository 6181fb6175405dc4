/* lessons-course.c: the course, from the course file the build writes.
 *
 * lessons/meson.build declares every lesson once, in its course table, and
 * writes it to the build directory as a key file (build/lessons/course.ini):
 * one group per lesson, in order, with its title, what it teaches, the
 * Twisted example it follows, and for an exercise the file to edit, the
 * reference solution, the hints and the check program, paths relative to
 * the lesson's folder. The runner reads that file and guesses nothing, so
 * the build and the runner cannot disagree about an exercise. */
#include "lessons-course.h"

#include <stdlib.h>
#include <string.h>

/**
 * lessons_error_quark:
 *
 * The domain of [enum@LessonsError]: an unknown exercise, an exercise folder
 * that cannot be understood, a missing build, a refused request.
 *
 * Returns: the error domain of braid-lessons
 */
G_DEFINE_QUARK (braid-lessons-error-quark, lessons_error)

static void
exercise_free (LessonsExercise *exercise)
{
  g_free (exercise->name);
  g_free (exercise->title);
  g_free (exercise->teaches);
  g_free (exercise->seed);
  g_free (exercise->lesson_dir);
  g_free (exercise->file);
  g_free (exercise->solution);
  g_free (exercise->hints);
  g_free (exercise->check_target);
  g_free (exercise->program);
  g_free (exercise->try_command);
  g_free (exercise);
}

static void
path_step_free (LessonsPathStep *step)
{
  g_free (step->name);
  g_free (step->title);
  g_free (step->teaches);
  g_free (step->seed);
  g_free (step);
}

/**
 * lessons_course_free:
 * @course: (transfer full): a course from lessons_course_load()
 *
 * Frees @course, its exercises and its path.
 */
void
lessons_course_free (LessonsCourse *course)
{
  if (course == NULL)
    return;
  g_free (course->lessons_dir);
  g_ptr_array_unref (course->exercises);
  g_ptr_array_unref (course->path);
  g_free (course);
}

/* "01-echo" → TRUE, number 1. A lesson's name starts with two digits and a
 * dash. */
static gboolean
parse_lesson_name (const gchar *name, guint *number)
{
  if (!g_ascii_isdigit (name[0]) || !g_ascii_isdigit (name[1]) || name[2] != '-'
      || name[3] == '\0')
    return FALSE;
  *number = (guint) ((name[0] - '0') * 10 + (name[1] - '0'));
  return TRUE;
}

/* A path of the course file, relative to the lesson's folder. Absolute
 * paths are refused: a lesson must work wherever the repository is cloned. */
static gchar *
course_path (GKeyFile *course_file, const gchar *name, const gchar *key,
             const gchar *lesson_dir, GError **error)
{
  g_autofree gchar *value = g_key_file_get_string (course_file, name, key, NULL);

  if (value == NULL)
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "the course file has no %s= for lesson %s", key, name);
      return NULL;
    }
  if (g_path_is_absolute (value))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "the course file's %s=%s for lesson %s must be relative to its folder",
                   key, value, name);
      return NULL;
    }
  return g_build_filename (lesson_dir, value, NULL);
}

/* Lesson @name's exercise, if the course file gives it one (a file= key). */
static LessonsExercise *
exercise_load (const gchar *lessons_dir, const gchar *name, guint number,
               GKeyFile *course_file, GError **error)
{
  LessonsExercise *exercise = g_new0 (LessonsExercise, 1);

  exercise->name = g_strdup (name);
  exercise->number = number;
  exercise->lesson_dir = g_build_filename (lessons_dir, name, NULL);
  exercise->title = g_key_file_get_string (course_file, name, "title", NULL);
  exercise->teaches = g_key_file_get_string (course_file, name, "teaches", NULL);
  exercise->seed = g_key_file_get_string (course_file, name, "seed", NULL);
  exercise->check_target = g_key_file_get_string (course_file, name, "check", NULL);
  exercise->program = g_key_file_get_string (course_file, name, "program", NULL);
  exercise->try_command = g_key_file_get_string (course_file, name, "try", NULL);
  if (exercise->title == NULL)
    exercise->title = g_strdup (name);
  if (exercise->check_target == NULL)
    g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                 "the course file has no check= for lesson %s", name);
  else if ((exercise->file = course_path (course_file, name, "file", exercise->lesson_dir,
                                          error)) != NULL
           && (exercise->solution = course_path (course_file, name, "solution",
                                                 exercise->lesson_dir, error)) != NULL)
    exercise->hints = course_path (course_file, name, "hints", exercise->lesson_dir, error);
  if (exercise->hints == NULL)
    {
      exercise_free (exercise);
      return NULL;
    }
  if (!g_file_test (exercise->file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "%s: the file to edit, %s, does not exist", name, exercise->file);
      exercise_free (exercise);
      return NULL;
    }
  return exercise;
}

static void
path_add_step (LessonsCourse *course, const gchar *name, guint number,
               GKeyFile *course_file, LessonsExercise *exercise)
{
  LessonsPathStep *step = g_new0 (LessonsPathStep, 1);
  g_autofree gchar *lesson_dir = g_build_filename (course->lessons_dir, name, NULL);

  step->name = g_strdup (name);
  step->number = number;
  step->title = g_key_file_get_string (course_file, name, "title", NULL);
  if (step->title == NULL)
    step->title = g_strdup (name);
  step->teaches = g_key_file_get_string (course_file, name, "teaches", NULL);
  step->seed = g_key_file_get_string (course_file, name, "seed", NULL);
  step->written = g_file_test (lesson_dir, G_FILE_TEST_IS_DIR);
  step->exercise = exercise;
  g_ptr_array_add (course->path, step);
}

/**
 * lessons_course_load:
 * @lessons_dir: the lessons folder (`lessons/` of the repository)
 * @course_file_path: the course file the build wrote from lessons/meson.build
 *   (`build/lessons/course.ini`)
 * @error: return location for a #GError
 *
 * Reads the course: every lesson of the course file, in its order, with
 * its title, what it teaches, the example it follows and its exercise.
 *
 * Returns: (transfer full) (nullable): the course, or %NULL if the course
 *   file is missing or cannot be understood (%LESSONS_ERROR_NO_BUILD when it
 *   does not exist: the build is not configured)
 */
LessonsCourse *
lessons_course_load (const gchar *lessons_dir, const gchar *course_file_path,
                     GError **error)
{
  g_autoptr (LessonsCourse) course = g_new0 (LessonsCourse, 1);
  g_autoptr (GKeyFile) course_file = g_key_file_new ();
  g_auto (GStrv) lessons = NULL;

  course->lessons_dir = g_canonicalize_filename (lessons_dir, NULL);
  course->exercises = g_ptr_array_new_with_free_func ((GDestroyNotify) exercise_free);
  course->path = g_ptr_array_new_with_free_func ((GDestroyNotify) path_step_free);

  if (!g_file_test (course_file_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_NO_BUILD,
                   "there is no course file %s: configure the build first (tools/start)",
                   course_file_path);
      return NULL;
    }
  if (!g_key_file_load_from_file (course_file, course_file_path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", course_file_path);
      return NULL;
    }

  lessons = g_key_file_get_groups (course_file, NULL);
  for (guint i = 0; lessons[i] != NULL; i++)
    {
      LessonsExercise *exercise = NULL;
      guint number;

      if (!parse_lesson_name (lessons[i], &number))
        {
          g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                       "%s: [%s] is not a lesson's name (NN-name)", course_file_path,
                       lessons[i]);
          return NULL;
        }
      if (g_key_file_has_key (course_file, lessons[i], "file", NULL))
        {
          exercise = exercise_load (course->lessons_dir, lessons[i], number, course_file, error);
          if (exercise == NULL)
            return NULL;
          g_ptr_array_add (course->exercises, exercise);
        }
      path_add_step (course, lessons[i], number, course_file, exercise);
    }
  return g_steal_pointer (&course);
}

/* Does @id ("1", "01", "01-echo" or "echo") name lesson @name numbered @number? */
static gboolean
id_matches (const gchar *id, const gchar *name, guint number)
{
  gchar *end = NULL;
  guint64 value;

  if (g_str_equal (id, name) || g_str_equal (id, name + 3))
    return TRUE;
  if (!g_ascii_isdigit (id[0]))
    return FALSE;
  value = g_ascii_strtoull (id, &end, 10);
  return *end == '\0' && value == number;
}

/**
 * lessons_course_find:
 * @course: a course
 * @id: what the learner typed: `1`, `01`, `01-echo` or `echo`
 * @error: return location for a #GError
 *
 * Finds the exercise @id names.
 *
 * Returns: (transfer none) (nullable): the exercise, or %NULL with
 *   %LESSONS_ERROR_UNKNOWN_EXERCISE
 */
LessonsExercise *
lessons_course_find (LessonsCourse *course, const gchar *id, GError **error)
{
  for (guint i = 0; i < course->exercises->len; i++)
    {
      LessonsExercise *exercise = g_ptr_array_index (course->exercises, i);

      if (id_matches (id, exercise->name, exercise->number))
        return exercise;
    }
  for (guint i = 0; i < course->path->len; i++)
    {
      LessonsPathStep *step = g_ptr_array_index (course->path, i);

      if (id_matches (id, step->name, step->number))
        {
          g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_UNKNOWN_EXERCISE,
                       "lesson %s has no exercise yet", step->name);
          return NULL;
        }
    }
  g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_UNKNOWN_EXERCISE,
               "there is no exercise “%s”: `tools/start list` shows them all", id);
  return NULL;
}

/**
 * lessons_course_index:
 * @course: a course
 * @exercise: one of its exercises
 *
 * Returns: the position of @exercise in the course (0 for the first), or -1
 */
gint
lessons_course_index (LessonsCourse *course, LessonsExercise *exercise)
{
  guint index;

  if (!g_ptr_array_find (course->exercises, exercise, &index))
    return -1;
  return (gint) index;
}
