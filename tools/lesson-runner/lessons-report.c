/* lessons-report.c: braid-lessons' output.
 *
 * Text is for a learner at a terminal: where they are (a progress bar), what
 * to edit, and when a check fails the failing assertion before anything
 * else. JSON is for editors and graders: one object per command, always with
 * the same outline:
 *
 *     { "command": "check", "done": 1, "total": 8, "current": "02-counting",
 *       "exercises": [ { "name": "01-echo", "status": "done", "message": "…", … } ] }
 *
 * (docs/lessons.md lists every member.) */
#include "lessons-report.h"
#include "lessons-tests.h"

#include <stdio.h>

static gboolean colour = FALSE;
static gboolean json_one_line = FALSE;

/**
 * lessons_use_colour:
 * @enabled: whether to colour the text output
 *
 * Colour is for terminals only: the caller enables it when standard output
 * is a terminal and `NO_COLOR` is not set.
 */
void
lessons_use_colour (gboolean enabled)
{
  colour = enabled;
}

/**
 * lessons_json_set_one_line:
 * @enabled: whether to print each JSON object on one line
 *
 * In watch mode an editor reads one object per check as it comes, so each
 * is printed on one line (JSON Lines); otherwise objects are indented.
 */
void
lessons_json_set_one_line (gboolean enabled)
{
  json_one_line = enabled;
}

static const gchar *
paint (const gchar *code)
{
  return colour ? code : "";
}

#define GREEN  paint ("\033[32m")
#define RED    paint ("\033[31m")
#define YELLOW paint ("\033[33m")
#define BOLD   paint ("\033[1m")
#define DIM    paint ("\033[2m")
#define RESET  paint ("\033[0m")

/**
 * lessons_current_exercise:
 * @course: a course
 * @state: the learner's state
 *
 * The exercise a learner works on: the first one whose check has not
 * passed, so that an exercise skipped with `check N` is not forgotten.
 *
 * Returns: (transfer none) (nullable): the current exercise, or %NULL when
 *   all are done
 */
LessonsExercise *
lessons_current_exercise (LessonsCourse *course, LessonsState *state)
{
  for (guint i = 0; i < course->exercises->len; i++)
    {
      LessonsExercise *exercise = g_ptr_array_index (course->exercises, i);

      if (lessons_state_get_status (state, exercise->name) != LESSONS_STATUS_DONE)
        return exercise;
    }
  return NULL;
}

/**
 * lessons_count_done:
 * @course: a course
 * @state: the learner's state
 *
 * Returns: how many exercises of @course have passed their check
 */
guint
lessons_count_done (LessonsCourse *course, LessonsState *state)
{
  guint done = 0;

  for (guint i = 0; i < course->exercises->len; i++)
    {
      LessonsExercise *exercise = g_ptr_array_index (course->exercises, i);

      if (lessons_state_get_status (state, exercise->name) == LESSONS_STATUS_DONE)
        done++;
    }
  return done;
}

/**
 * lessons_edited_since_check:
 * @exercise: an exercise
 * @state: the learner's state
 *
 * Returns: %TRUE if the learner's file changed since its last check
 */
gboolean
lessons_edited_since_check (LessonsExercise *exercise, LessonsState *state)
{
  g_autofree gchar *recorded = lessons_state_get_checksum (state, exercise->name);
  g_autofree gchar *now = NULL;

  if (recorded == NULL)
    return FALSE;
  now = lessons_file_checksum (exercise->file);
  return g_strcmp0 (recorded, now) != 0;
}

/**
 * lessons_progress_bar:
 * @done: exercises done
 * @total: exercises in all
 * @width: the width of the bar between its brackets
 *
 * Returns: (transfer full): `[#######>-------------] 3/10`
 */
gchar *
lessons_progress_bar (guint done, guint total, guint width)
{
  g_autoptr (GString) bar = g_string_new ("[");
  guint filled = total > 0 ? done * width / total : 0;

  for (guint i = 0; i < width; i++)
    g_string_append_c (bar, i < filled ? '#' : (i == filled && done < total ? '>' : '-'));
  g_string_append_printf (bar, "] %u/%u", done, total);
  return g_string_free (g_steal_pointer (&bar), FALSE);
}

/**
 * lessons_print_progress:
 * @course: a course
 * @state: the learner's state
 *
 * Prints the progress bar and the count of exercises done.
 */
void
lessons_print_progress (LessonsCourse *course, LessonsState *state)
{
  guint done = lessons_count_done (course, state);
  g_autofree gchar *bar = lessons_progress_bar (done, course->exercises->len, 40);

  printf ("%sProgress:%s %s exercises done\n", BOLD, RESET, bar);
}

/**
 * lessons_print_exercise:
 * @exercise: the exercise to present
 * @display_dir: paths are printed relative to it
 *
 * Prints the exercise's title, the lesson to read and the file to edit.
 */
void
lessons_print_exercise (LessonsExercise *exercise, const gchar *display_dir)
{
  g_autofree gchar *readme_path = g_build_filename (exercise->lesson_dir, "README.md", NULL);
  g_autofree gchar *readme = lessons_display_path (readme_path, "/", display_dir);
  g_autofree gchar *file = lessons_display_path (exercise->file, "/", display_dir);

  printf ("\n%sLesson %02u · %s%s\n", BOLD, exercise->number, exercise->title, RESET);
  if (exercise->teaches != NULL)
    printf ("%s%s%s\n", DIM, exercise->teaches, RESET);
  printf ("Read:  %s\nEdit:  %s\n", readme, file);
}

/**
 * lessons_print_result:
 * @exercise: the exercise that was checked
 * @result: its check's result
 *
 * Prints a check's result: one line when it passed; otherwise the failing
 * assertion or the compiler's errors first, then the rest of the output.
 */
void
lessons_print_result (LessonsExercise *exercise, const LessonsCheckResult *result)
{
  switch (result->status)
    {
    case LESSONS_STATUS_DONE:
      printf ("%s✓ %s passed:%s %s\n", GREEN, exercise->name, RESET, result->message);
      return;
    case LESSONS_STATUS_NOT_BUILT:
      printf ("%s✗ %s does not compile.%s\n\n%s", RED, exercise->name, RESET, result->failure);
      return;
    case LESSONS_STATUS_FAILING:
      {
        /* The failure once: what the check printed besides it, if anything. */
        g_autofree gchar *rest = lessons_output_not_yet_shown (result->output, result->failure);

        printf ("%s✗ %s: the check failed.%s\n\n%s%s%s", RED, exercise->name, RESET,
                BOLD, result->failure, RESET);
        if (*rest != '\0')
          printf ("\n%s--- what else the check printed ---%s\n%s", DIM, RESET, rest);
      }
      return;
    case LESSONS_STATUS_PENDING:
    default:
      return;
    }
}

static const gchar *
status_mark (LessonsStatus status)
{
  switch (status)
    {
    case LESSONS_STATUS_DONE:
      return "✓";
    case LESSONS_STATUS_FAILING:
    case LESSONS_STATUS_NOT_BUILT:
      return "✗";
    case LESSONS_STATUS_PENDING:
    default:
      return "·";
    }
}

static const gchar *
status_colour (LessonsStatus status)
{
  switch (status)
    {
    case LESSONS_STATUS_DONE:
      return GREEN;
    case LESSONS_STATUS_FAILING:
    case LESSONS_STATUS_NOT_BUILT:
      return RED;
    case LESSONS_STATUS_PENDING:
    default:
      return "";
    }
}

static void
print_path_step (LessonsPathStep *step, LessonsState *state, LessonsExercise *current)
{
  const gchar *pointer = (current != NULL && step->exercise == current) ? "→" : " ";

  if (step->exercise == NULL)
    printf ("%s   %s %-18s %-10s %s%s\n", DIM, pointer, step->name,
            step->written ? "(no exercise)" : "(later)", step->title, RESET);
  else
    {
      LessonsStatus status = lessons_state_get_status (state, step->name);
      const gchar *edited = lessons_edited_since_check (step->exercise, state)
                            ? " (edited since)" : "";

      printf ("%s %s %s%s %-18s %-10s%s %s%s\n", pointer, status_colour (status),
              status_mark (status), RESET, step->name,
              lessons_status_to_string (status), edited, step->title, "");
    }
  if (step->teaches != NULL)
    printf ("%s       teaches: %s%s\n", DIM, step->teaches, RESET);
}

/**
 * lessons_print_list:
 * @course: a course
 * @state: the learner's state
 *
 * Prints the course's path: every lesson in order, its title, what it
 * teaches, and the state of its exercise. (The seed, the Twisted example a
 * lesson follows, is for the course's authors: `--json` still gives it.)
 */
void
lessons_print_list (LessonsCourse *course, LessonsState *state)
{
  LessonsExercise *current = lessons_current_exercise (course, state);

  lessons_print_progress (course, state);
  printf ("\n");
  for (guint i = 0; i < course->path->len; i++)
    print_path_step (g_ptr_array_index (course->path, i), state, current);
  if (current != NULL)
    printf ("\nCurrent: %s%s%s (`tools/start` checks it on every save)\n", BOLD,
            current->name, RESET);
  else if (course->exercises->len > 0)
    printf ("\n%sEvery exercise is done.%s\n", GREEN, RESET);
}

/**
 * lessons_json_begin:
 * @command: the command being run (`list`, `check`, …)
 * @course: a course
 * @state: the learner's state
 *
 * Starts the JSON object every command prints: the command, the progress
 * (`done`, `total`), the `current` exercise (or null), and an open
 * `exercises` array for lessons_json_add_exercise(). The caller closes the
 * array with json_builder_end_array() before adding members of its own and
 * printing with lessons_json_print().
 *
 * Returns: (transfer full): the builder, inside the `exercises` array
 */
JsonBuilder *
lessons_json_begin (const gchar *command, LessonsCourse *course, LessonsState *state)
{
  JsonBuilder *builder = json_builder_new ();
  LessonsExercise *current = lessons_current_exercise (course, state);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);
  json_builder_set_member_name (builder, "done");
  json_builder_add_int_value (builder, lessons_count_done (course, state));
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, course->exercises->len);
  json_builder_set_member_name (builder, "current");
  if (current != NULL)
    json_builder_add_string_value (builder, current->name);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "exercises");
  json_builder_begin_array (builder);
  return builder;
}

static void
add_string_member (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * lessons_json_add_exercise:
 * @builder: a builder from lessons_json_begin()
 * @exercise: an exercise
 * @state: the learner's state
 * @result: (nullable): the check that just ran, if one did
 *
 * Adds one exercise: `name`, `number`, `title`, `status`, `message`, the
 * absolute paths `file`, `solution`, `hints`, the `check` program's name,
 * `edited` (changed since its last check), and, after a check, `failure`
 * (what to read first) and `output` (everything the build or check printed).
 */
void
lessons_json_add_exercise (JsonBuilder *builder, LessonsExercise *exercise,
                           LessonsState *state, const LessonsCheckResult *result)
{
  LessonsStatus status = result != NULL ? result->status
                                        : lessons_state_get_status (state, exercise->name);
  g_autofree gchar *message = result != NULL ? g_strdup (result->message)
                                             : lessons_state_get_message (state, exercise->name);

  json_builder_begin_object (builder);
  add_string_member (builder, "name", exercise->name);
  json_builder_set_member_name (builder, "number");
  json_builder_add_int_value (builder, exercise->number);
  add_string_member (builder, "title", exercise->title);
  add_string_member (builder, "status", lessons_status_to_string (status));
  add_string_member (builder, "message", message != NULL ? message : "");
  add_string_member (builder, "file", exercise->file);
  add_string_member (builder, "solution", exercise->solution);
  add_string_member (builder, "hints", exercise->hints);
  add_string_member (builder, "check", exercise->check_target);
  json_builder_set_member_name (builder, "edited");
  json_builder_add_boolean_value (builder, lessons_edited_since_check (exercise, state));
  if (result != NULL)
    {
      add_string_member (builder, "failure", result->failure);
      add_string_member (builder, "output", result->output);
    }
  json_builder_end_object (builder);
}

static void
print_json_root (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *text = NULL;

  json_generator_set_pretty (generator, !json_one_line);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

/**
 * lessons_json_print:
 * @builder: (transfer full): a builder from lessons_json_begin(), its
 *   `exercises` array closed
 *
 * Closes the object and prints it on standard output.
 */
void
lessons_json_print (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json_root (root);
  g_object_unref (builder);
}

static const gchar *
error_code_name (const GError *error)
{
  if (error->domain == LESSONS_ERROR)
    switch ((LessonsError) error->code)
      {
      case LESSONS_ERROR_UNKNOWN_EXERCISE:
        return "unknown-exercise";
      case LESSONS_ERROR_BAD_EXERCISE:
        return "bad-exercise";
      case LESSONS_ERROR_NO_BUILD:
        return "no-build";
      case LESSONS_ERROR_REFUSED:
        return "refused";
      default:
        break;
      }
  if (error->domain == G_OPTION_ERROR)
    return "usage";
  return "failed";
}

/**
 * lessons_json_print_error:
 * @command: the command that failed
 * @error: why
 *
 * Prints `{ "command": …, "error": { "code": …, "message": … } }`, so that
 * a program reading `--json` output always gets JSON, even on failure.
 */
void
lessons_json_print_error (const gchar *command, const GError *error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_string_member (builder, "command", command);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  add_string_member (builder, "code", error_code_name (error));
  add_string_member (builder, "message", error->message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json_root (root);
}
