/* lessons-course.c: finds the exercises of a lessons folder.
 *
 * The rule is "convention, unless told otherwise": a lesson folder
 * `NN-name/` with an `exercise/` subfolder is an exercise; the file to edit
 * is the one `.c` file there that is not a check (`check-*.c`); the reference
 * is the file of the same name in `solution/`; hints are in
 * `exercise/hints.md`; the check program is `check-NN-name`. A lesson that
 * needs something else says so in `exercise/exercise.ini`. Lesson authors
 * then write no descriptor at all in the common case, and cannot forget to
 * update one. */
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

/* "01-echo" → TRUE, number 1. A lesson folder's name starts with two digits
 * and a dash; anything else in lessons/ (common/, course.ini) is not a lesson. */
static gboolean
parse_lesson_name (const gchar *name, guint *number)
{
  if (!g_ascii_isdigit (name[0]) || !g_ascii_isdigit (name[1]) || name[2] != '-'
      || name[3] == '\0')
    return FALSE;
  *number = (guint) ((name[0] - '0') * 10 + (name[1] - '0'));
  return TRUE;
}

/* The first "# Heading" of a lesson's README, or NULL. */
static gchar *
readme_title (const gchar *lesson_dir)
{
  g_autofree gchar *readme = g_build_filename (lesson_dir, "README.md", NULL);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (readme, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "# "))
      return g_strstrip (g_strdup (lines[i] + 2));
  return NULL;
}

/* The one starting file of an exercise folder: a `.c` file that is not the
 * check. Zero or several candidates need an exercise.ini to say which. */
static gchar *
find_start_file (const gchar *exercise_dir, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (exercise_dir, 0, error);
  g_autofree gchar *found = NULL;
  const gchar *entry;

  if (dir == NULL)
    return NULL;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      if (!g_str_has_suffix (entry, ".c") || g_str_has_prefix (entry, "check-"))
        continue;
      if (found != NULL)
        {
          g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                       "%s has several files to edit (%s, %s): say which in "
                       "exercise.ini (file=exercise/NAME.c)",
                       exercise_dir, found, entry);
          return NULL;
        }
      found = g_strdup (entry);
    }
  if (found == NULL)
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "%s has no file to edit (a .c file not named check-*.c)",
                   exercise_dir);
      return NULL;
    }
  return g_build_filename (exercise_dir, found, NULL);
}

/* A path from exercise.ini, relative to the lesson folder. Absolute paths
 * are refused: a lesson must work wherever the repository is cloned. */
static gchar *
descriptor_path (GKeyFile *descriptor, const gchar *key, const gchar *lesson_dir,
                 GError **error)
{
  g_autofree gchar *value = g_key_file_get_string (descriptor, "exercise", key, NULL);

  if (value == NULL)
    return NULL;
  if (g_path_is_absolute (value))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "%s/exercise/exercise.ini: %s=%s must be relative to the lesson folder",
                   lesson_dir, key, value);
      return NULL;
    }
  return g_build_filename (lesson_dir, value, NULL);
}

/* Loads exercise/exercise.ini if there is one; an empty key file otherwise,
 * so every lookup below simply falls back to the convention. */
static GKeyFile *
load_descriptor (const gchar *exercise_dir, GError **error)
{
  g_autoptr (GKeyFile) descriptor = g_key_file_new ();
  g_autofree gchar *path = g_build_filename (exercise_dir, "exercise.ini", NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS)
      && !g_key_file_load_from_file (descriptor, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&descriptor);
}

/* Fills the file, solution, hints and check of @exercise from the descriptor,
 * or by convention where it is silent. */
static gboolean
exercise_locate_files (LessonsExercise *exercise, GKeyFile *descriptor,
                       const gchar *exercise_dir, GError **error)
{
  g_autofree gchar *basename = NULL;
  GError *local_error = NULL;

  exercise->file = descriptor_path (descriptor, "file", exercise->lesson_dir, &local_error);
  if (exercise->file == NULL && local_error == NULL)
    exercise->file = find_start_file (exercise_dir, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!g_file_test (exercise->file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "%s: the file to edit, %s, does not exist", exercise->name,
                   exercise->file);
      return FALSE;
    }

  basename = g_path_get_basename (exercise->file);
  exercise->solution = descriptor_path (descriptor, "solution", exercise->lesson_dir, &local_error);
  if (local_error == NULL && exercise->solution == NULL)
    exercise->solution = g_build_filename (exercise->lesson_dir, "solution", basename, NULL);
  if (local_error == NULL)
    exercise->hints = descriptor_path (descriptor, "hints", exercise->lesson_dir, &local_error);
  if (local_error == NULL && exercise->hints == NULL)
    exercise->hints = g_build_filename (exercise_dir, "hints.md", NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  exercise->check_target = g_key_file_get_string (descriptor, "exercise", "check", NULL);
  if (exercise->check_target == NULL)
    exercise->check_target = g_strconcat ("check-", exercise->name, NULL);
  return TRUE;
}

/* What the course map (course.ini) says about lesson @name, if anything. */
static gchar *
course_map_get (GKeyFile *course_map, const gchar *name, const gchar *key)
{
  return g_key_file_get_string (course_map, name, key, NULL);
}

static LessonsExercise *
exercise_load (const gchar *lessons_dir, const gchar *name, guint number,
               GKeyFile *course_map, GError **error)
{
  LessonsExercise *exercise = g_new0 (LessonsExercise, 1);
  g_autofree gchar *exercise_dir = NULL;
  g_autoptr (GKeyFile) descriptor = NULL;

  exercise->name = g_strdup (name);
  exercise->number = number;
  exercise->lesson_dir = g_build_filename (lessons_dir, name, NULL);
  exercise_dir = g_build_filename (exercise->lesson_dir, "exercise", NULL);

  descriptor = load_descriptor (exercise_dir, error);
  if (descriptor == NULL || !exercise_locate_files (exercise, descriptor, exercise_dir, error))
    {
      exercise_free (exercise);
      return NULL;
    }

  exercise->teaches = course_map_get (course_map, name, "teaches");
  exercise->seed = course_map_get (course_map, name, "seed");
  exercise->title = g_key_file_get_string (descriptor, "exercise", "title", NULL);
  if (exercise->title == NULL)
    exercise->title = course_map_get (course_map, name, "title");
  if (exercise->title == NULL)
    exercise->title = readme_title (exercise->lesson_dir);
  if (exercise->title == NULL)
    exercise->title = g_strdup (name);
  return exercise;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* The lesson folders of @lessons_dir, sorted: "01-echo", "02-counting", … */
static GPtrArray *
list_lesson_folders (const gchar *lessons_dir, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (lessons_dir, 0, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *entry;
  guint number;

  if (dir == NULL)
    return NULL;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (lessons_dir, entry, NULL);

      if (parse_lesson_name (entry, &number) && g_file_test (path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_strdup (entry));
    }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

static void
path_add_step (LessonsCourse *course, const gchar *name, guint number,
               GKeyFile *course_map)
{
  LessonsPathStep *step = g_new0 (LessonsPathStep, 1);
  g_autofree gchar *lesson_dir = g_build_filename (course->lessons_dir, name, NULL);

  step->name = g_strdup (name);
  step->number = number;
  step->title = course_map_get (course_map, name, "title");
  if (step->title == NULL)
    step->title = readme_title (lesson_dir);
  if (step->title == NULL)
    step->title = g_strdup (name);
  step->teaches = course_map_get (course_map, name, "teaches");
  step->seed = course_map_get (course_map, name, "seed");
  step->written = g_file_test (lesson_dir, G_FILE_TEST_IS_DIR);
  for (guint i = 0; i < course->exercises->len; i++)
    {
      LessonsExercise *exercise = g_ptr_array_index (course->exercises, i);

      if (g_str_equal (exercise->name, name))
        step->exercise = exercise;
    }
  g_ptr_array_add (course->path, step);
}

static gint
compare_steps (gconstpointer a, gconstpointer b)
{
  const LessonsPathStep *step_a = *(LessonsPathStep * const *) a;
  const LessonsPathStep *step_b = *(LessonsPathStep * const *) b;

  return strcmp (step_a->name, step_b->name);
}

/* The path: every lesson the course map names (even those not written yet),
 * plus any lesson folder it does not name. */
static void
build_path (LessonsCourse *course, GPtrArray *folders, GKeyFile *course_map)
{
  g_auto (GStrv) mapped = g_key_file_get_groups (course_map, NULL);
  guint number;

  for (guint i = 0; mapped[i] != NULL; i++)
    if (parse_lesson_name (mapped[i], &number))
      path_add_step (course, mapped[i], number, course_map);
  for (guint i = 0; i < folders->len; i++)
    {
      const gchar *name = g_ptr_array_index (folders, i);

      if (!g_key_file_has_group (course_map, name) && parse_lesson_name (name, &number))
        path_add_step (course, name, number, course_map);
    }
  g_ptr_array_sort (course->path, compare_steps);
}

static GKeyFile *
load_course_map (const gchar *lessons_dir, GError **error)
{
  g_autoptr (GKeyFile) course_map = g_key_file_new ();
  g_autofree gchar *path = g_build_filename (lessons_dir, "course.ini", NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS)
      && !g_key_file_load_from_file (course_map, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&course_map);
}

/**
 * lessons_course_load:
 * @lessons_dir: the lessons folder (`lessons/` of the repository)
 * @error: return location for a #GError
 *
 * Finds every exercise under @lessons_dir, in lesson order, and reads the
 * course map `course.ini` (optional) for each lesson's title, what it teaches
 * and which seed idea it covers.
 *
 * Returns: (transfer full) (nullable): the course, or %NULL if the folder
 *   cannot be read or an exercise folder cannot be understood
 */
LessonsCourse *
lessons_course_load (const gchar *lessons_dir, GError **error)
{
  g_autoptr (LessonsCourse) course = g_new0 (LessonsCourse, 1);
  g_autoptr (GKeyFile) course_map = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  course->lessons_dir = g_canonicalize_filename (lessons_dir, NULL);
  course->exercises = g_ptr_array_new_with_free_func ((GDestroyNotify) exercise_free);
  course->path = g_ptr_array_new_with_free_func ((GDestroyNotify) path_step_free);

  course_map = load_course_map (course->lessons_dir, error);
  if (course_map == NULL)
    return NULL;
  folders = list_lesson_folders (course->lessons_dir, error);
  if (folders == NULL)
    return NULL;

  for (guint i = 0; i < folders->len; i++)
    {
      const gchar *name = g_ptr_array_index (folders, i);
      g_autofree gchar *exercise_dir = g_build_filename (course->lessons_dir, name,
                                                         "exercise", NULL);
      LessonsExercise *exercise;
      guint number;

      if (!g_file_test (exercise_dir, G_FILE_TEST_IS_DIR))
        continue;
      parse_lesson_name (name, &number);
      exercise = exercise_load (course->lessons_dir, name, number, course_map, error);
      if (exercise == NULL)
        return NULL;
      g_ptr_array_add (course->exercises, exercise);
    }
  build_path (course, folders, course_map);
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
               "there is no exercise “%s”: `braid-lessons list` shows them all", id);
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
