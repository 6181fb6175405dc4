/* braid-lessons: the lesson runner.
 *
 * Like rustlings: with no command it shows the current exercise (the first
 * one not done) and a progress bar, checks it, and checks it again each time
 * the learner saves a file of that lesson; when the check passes it moves on
 * to the next exercise. The other commands look at one exercise: `list`,
 * `check N`, `hint N`, `reset N`, `solution N`. `--json` makes every command
 * print one JSON object instead of text, for editors and graders.
 *
 * The pieces: lessons/lessons-course.c finds the exercises, lessons-state.c
 * remembers results, lessons-check.c builds and runs a check and reads its
 * output, lessons-tests.c runs the check's tests one by one and explains a
 * crash, lessons-hints.c splits the hints, lessons-report.c prints. This
 * file parses the command line and runs the commands. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "lessons-check.h"
#include "lessons-course.h"
#include "lessons-hints.h"
#include "lessons-report.h"
#include "lessons-state.h"

/* The exit statuses (also in --help and docs/lessons.md). */
enum
{
  EXIT_OK = 0,        /* the command did what was asked; a check passed */
  EXIT_FAILED = 1,    /* a check ran and did not pass (a test failed, or it did not compile) */
  EXIT_USAGE = 2,     /* a bad command line, or an exercise that does not exist */
  EXIT_SETUP = 3,     /* the lessons, the build or git could not be used */
  EXIT_REFUSED = 4,   /* solution before passing, or reset without confirmation */
};

/* A check's changes are read after the editor has finished writing: several
 * events arrive for one save (and an editor may write a backup first). */
#define DEBOUNCE_MS 300

typedef struct
{
  /* Options. */
  gchar    *lessons_dir;
  gchar    *build_dir;
  gchar    *course_file;
  gchar    *state_file;
  gboolean  json;
  gboolean  force;
  gboolean  all;
  gboolean  once;
  gboolean  watch;
  gint      timeout_seconds;
  gint      jobs;

  const gchar   *command;
  gboolean       interactive;  /* standard input is a terminal */
  LessonsCourse *course;
  LessonsState  *state;
  LessonsBuild  *build;        /* opened on first use: only checks need it */

  /* Watch mode. */
  GMainLoop       *loop;
  LessonsExercise *watched;
  GPtrArray       *monitors;
  guint            debounce_id;
  GString         *typed;      /* what the learner typed, up to Enter */
  gboolean         finished;   /* the loop must not (re)start */
  gboolean         waiting_for_next;  /* passed: the next exercise waits for Enter */
  gint             exit_status;
} Runner;

static void
runner_clear (Runner *runner)
{
  g_free (runner->lessons_dir);
  g_free (runner->build_dir);
  g_free (runner->course_file);
  g_free (runner->state_file);
  g_clear_pointer (&runner->course, lessons_course_free);
  g_clear_pointer (&runner->state, lessons_state_free);
  g_clear_pointer (&runner->build, lessons_build_free);
  g_clear_pointer (&runner->monitors, g_ptr_array_unref);
  g_clear_pointer (&runner->loop, g_main_loop_unref);
  if (runner->typed != NULL)
    g_string_free (runner->typed, TRUE);
  if (runner->debounce_id != 0)
    g_source_remove (runner->debounce_id);
}

/* Reports @error in the chosen form and returns the exit status it means. */
static int
fail (Runner *runner, GError *error)
{
  int status = EXIT_SETUP;

  if (error->domain == G_OPTION_ERROR
      || g_error_matches (error, LESSONS_ERROR, LESSONS_ERROR_UNKNOWN_EXERCISE))
    status = EXIT_USAGE;
  else if (g_error_matches (error, LESSONS_ERROR, LESSONS_ERROR_REFUSED))
    status = EXIT_REFUSED;
  if (runner->json)
    lessons_json_print_error (runner->command != NULL ? runner->command : "", error);
  else
    g_printerr ("braid-lessons: %s\n", error->message);
  g_error_free (error);
  return status;
}

/* Is @dir the root of a Braid checkout? */
static gboolean
is_braid_root (const gchar *dir)
{
  g_autofree gchar *lessons_build = g_build_filename (dir, "lessons", "meson.build", NULL);
  g_autofree gchar *runner_source = g_build_filename (dir, "tools", "lesson-runner",
                                                     "braid-lessons.c", NULL);

  return g_file_test (lessons_build, G_FILE_TEST_EXISTS)
         && g_file_test (runner_source, G_FILE_TEST_EXISTS);
}

/* The lessons folder: the one of the checkout the learner stands in, or
 * else the one this program was built from. */
static gchar *
find_lessons_dir (void)
{
  g_autofree gchar *dir = g_get_current_dir ();

  while (dir != NULL)
    {
      g_autofree gchar *parent = NULL;

      if (is_braid_root (dir))
        return g_build_filename (dir, "lessons", NULL);
      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
  return g_build_filename (BRAID_SOURCE_ROOT, "lessons", NULL);
}

/* The checkout @lessons_dir belongs to (the runner's own test course lives
 * in tests/fixtures/lessons, and uses the checkout's build/ too); the folder
 * above @lessons_dir if it is in no checkout. */
static gchar *
find_root (const gchar *lessons_dir)
{
  g_autofree gchar *dir = g_canonicalize_filename (lessons_dir, NULL);

  for (;;)
    {
      g_autofree gchar *parent = g_path_get_dirname (dir);

      if (is_braid_root (parent))
        return g_steal_pointer (&parent);
      if (g_str_equal (parent, dir))
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
  g_free (dir);
  dir = g_canonicalize_filename (lessons_dir, NULL);
  return g_path_get_dirname (dir);
}

/* The course file the build writes for @lessons_dir: lessons/meson.build
 * writes build/lessons/course.ini, a test course in tests/fixtures/lessons
 * build/tests/fixtures/lessons/course.ini — the same place in the build
 * directory as the lessons folder in the checkout. */
static gchar *
default_course_file (const gchar *root, const gchar *lessons_dir, const gchar *build_dir)
{
  g_autoptr (GFile) root_file = g_file_new_for_path (root);
  g_autoptr (GFile) lessons_file = g_file_new_for_path (lessons_dir);
  g_autofree gchar *relative = g_file_get_relative_path (root_file, lessons_file);

  return g_build_filename (build_dir, relative != NULL ? relative : "lessons", "course.ini",
                           NULL);
}

static gboolean
runner_load (Runner *runner, GError **error)
{
  g_autofree gchar *root = NULL;

  if (runner->lessons_dir == NULL)
    runner->lessons_dir = find_lessons_dir ();
  root = find_root (runner->lessons_dir);
  if (runner->build_dir == NULL)
    runner->build_dir = g_build_filename (root, "build", NULL);
  if (runner->state_file == NULL)
    runner->state_file = g_build_filename (root, ".braid-lessons-state", NULL);

  if (runner->course_file == NULL)
    runner->course_file = default_course_file (root, runner->lessons_dir, runner->build_dir);

  runner->course = lessons_course_load (runner->lessons_dir, runner->course_file, error);
  if (runner->course == NULL)
    return FALSE;
  runner->state = lessons_state_load (runner->state_file, error);
  return runner->state != NULL;
}

static gboolean
runner_open_build (Runner *runner, GError **error)
{
  if (runner->build != NULL)
    return TRUE;
  runner->build = lessons_build_open (runner->build_dir, error);
  if (runner->build != NULL && runner->timeout_seconds > 0)
    runner->build->timeout_seconds = (guint) runner->timeout_seconds;
  if (runner->build != NULL && runner->jobs > 0)
    runner->build->jobs = (guint) runner->jobs;
  return runner->build != NULL;
}

/* Builds and runs the check of @exercise, and remembers the result. */
static LessonsCheckResult *
runner_check (Runner *runner, LessonsExercise *exercise, GError **error)
{
  g_autofree gchar *checksum = lessons_file_checksum (exercise->file);
  g_autofree gchar *recorded = lessons_state_get_checksum (runner->state, exercise->name);
  gboolean changed = recorded != NULL && g_strcmp0 (recorded, checksum) != 0;
  LessonsCheckResult *result;

  if (!runner_open_build (runner, error))
    return NULL;
  result = lessons_check_exercise (runner->build, runner->course->lessons_dir, exercise, changed,
                                   error);
  if (result == NULL)
    return NULL;
  lessons_state_set_result (runner->state, exercise->name, result->status, result->message,
                            checksum);
  if (!lessons_state_save (runner->state, error))
    {
      lessons_check_result_free (result);
      return NULL;
    }
  return result;
}

static int
command_list (Runner *runner)
{
  JsonBuilder *builder;

  if (!runner->json)
    {
      lessons_print_list (runner->course, runner->state);
      return EXIT_OK;
    }
  builder = lessons_json_begin ("list", runner->course, runner->state);
  for (guint i = 0; i < runner->course->exercises->len; i++)
    lessons_json_add_exercise (builder, g_ptr_array_index (runner->course->exercises, i),
                               runner->state, NULL);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "lessons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < runner->course->path->len; i++)
    {
      LessonsPathStep *step = g_ptr_array_index (runner->course->path, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, step->name);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, step->title);
      json_builder_set_member_name (builder, "teaches");
      json_builder_add_string_value (builder, step->teaches != NULL ? step->teaches : "");
      json_builder_set_member_name (builder, "seed");
      json_builder_add_string_value (builder, step->seed != NULL ? step->seed : "");
      json_builder_set_member_name (builder, "has_exercise");
      json_builder_add_boolean_value (builder, step->exercise != NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  lessons_json_print (builder);
  return EXIT_OK;
}

/* The JSON report of one check: the exercise with its result, and where
 * the learner is now. */
static void
print_check_json (Runner *runner, LessonsExercise *exercise, const LessonsCheckResult *result)
{
  JsonBuilder *builder = lessons_json_begin (runner->command != NULL ? runner->command : "watch",
                                             runner->course, runner->state);

  lessons_json_add_exercise (builder, exercise, runner->state, result);
  json_builder_end_array (builder);
  lessons_json_print (builder);
}

/* After a pass, in text: what the lesson taught, and for a lesson with a
 * program, that program built from the learner's file and how to talk to
 * it. */
static void
print_what_was_learned (Runner *runner, LessonsExercise *exercise)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *program = NULL;

  if (exercise->teaches != NULL)
    printf ("You have learned: %s.\n", exercise->teaches);
  if (exercise->program == NULL)
    return;
  program = lessons_build_program (runner->build, runner->course->lessons_dir, exercise, &error);
  if (program == NULL)
    {
      printf ("(Your program could not be built: %s)\n", error->message);
      return;
    }
  printf ("\nTry your own code on a real socket:\n    %s\n", program);
  if (exercise->try_command != NULL)
    printf ("and, in another terminal:\n    %s\n", exercise->try_command);
  printf ("(Ctrl-C stops the server.)\n");
}

/* Checks @exercise once and reports it; in text, says what comes next. */
static int
check_and_report (Runner *runner, LessonsExercise *exercise)
{
  g_autoptr (LessonsCheckResult) result = NULL;
  GError *error = NULL;
  LessonsExercise *current;

  result = runner_check (runner, exercise, &error);
  if (result == NULL)
    return fail (runner, error);
  current = lessons_current_exercise (runner->course, runner->state);
  if (runner->json)
    print_check_json (runner, exercise, result);
  else
    {
      lessons_print_result (exercise, result);
      if (result->status == LESSONS_STATUS_DONE)
        {
          print_what_was_learned (runner, exercise);
          lessons_print_progress (runner->course, runner->state);
          if (current != NULL)
            printf ("Next: %s — %s\n", current->name, current->title);
          else
            printf ("Every exercise is done. Well done!\n");
        }
    }
  return result->status == LESSONS_STATUS_DONE ? EXIT_OK : EXIT_FAILED;
}

static int
command_check (Runner *runner, LessonsExercise *exercise)
{
  if (!runner->json)
    printf ("Checking %s…\n", exercise->name);
  return check_and_report (runner, exercise);
}

/* Reads and splits the exercise's hints file. */
static GPtrArray *
load_hints (LessonsExercise *exercise, GError **error)
{
  g_autofree gchar *text = NULL;

  if (!g_file_get_contents (exercise->hints, &text, NULL, NULL))
    {
      g_set_error (error, LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                   "%s has no hints (%s is missing)", exercise->name, exercise->hints);
      return NULL;
    }
  return lessons_hints_split (text);
}

static void
print_hints_json (Runner *runner, LessonsExercise *exercise, GPtrArray *hints,
                  guint first, guint last)
{
  JsonBuilder *builder = lessons_json_begin ("hint", runner->course, runner->state);

  lessons_json_add_exercise (builder, exercise, runner->state, NULL);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "hint_count");
  json_builder_add_int_value (builder, hints->len);
  json_builder_set_member_name (builder, "hints_shown");
  json_builder_add_int_value (builder, last);
  json_builder_set_member_name (builder, "hints");
  json_builder_begin_array (builder);
  for (guint i = first; i < last; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (hints, i));
  json_builder_end_array (builder);
  lessons_json_print (builder);
}

/* `hint N`: the next hint not yet seen (the last one again once all have
 * been seen); `hint N --all`: every hint. */
static int
command_hint (Runner *runner, LessonsExercise *exercise)
{
  g_autoptr (GPtrArray) hints = NULL;
  GError *error = NULL;
  guint seen, first, last;

  hints = load_hints (exercise, &error);
  if (hints == NULL)
    return fail (runner, error);
  if (hints->len == 0)
    return fail (runner, g_error_new (LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                                      "%s: %s holds no hint", exercise->name, exercise->hints));
  seen = lessons_state_get_hints_shown (runner->state, exercise->name);
  last = runner->all ? hints->len : MIN (seen + 1, hints->len);
  first = runner->all ? 0 : last - 1;
  lessons_state_set_hints_shown (runner->state, exercise->name, MAX (seen, last));
  if (!lessons_state_save (runner->state, &error))
    return fail (runner, error);

  if (runner->json)
    {
      print_hints_json (runner, exercise, hints, first, last);
      return EXIT_OK;
    }
  for (guint i = first; i < last; i++)
    printf ("Hint %u of %u for %s:\n\n%s\n\n", i + 1, hints->len, exercise->name,
            (const gchar *) g_ptr_array_index (hints, i));
  if (last < hints->len)
    printf ("(`tools/start hint %02u` again gives the next one.)\n", exercise->number);
  else if (!runner->all && seen >= hints->len)
    printf ("(That was the last hint; `tools/start hint %02u --all` shows them all.)\n",
            exercise->number);
  return EXIT_OK;
}

/* `solution N`: the reference, once the learner's own check has passed. */
static int
command_solution (Runner *runner, LessonsExercise *exercise)
{
  g_autofree gchar *text = NULL;
  GError *error = NULL;

  if (!runner->force && lessons_state_get_status (runner->state, exercise->name)
                        != LESSONS_STATUS_DONE)
    return fail (runner, g_error_new (LESSONS_ERROR, LESSONS_ERROR_REFUSED,
                                      "the solution of %s is shown once your check passes "
                                      "(try `tools/start hint %02u`; --force shows it anyway)",
                                      exercise->name, exercise->number));
  if (!g_file_get_contents (exercise->solution, &text, NULL, &error))
    return fail (runner, error);
  if (runner->json)
    {
      JsonBuilder *builder = lessons_json_begin ("solution", runner->course, runner->state);

      lessons_json_add_exercise (builder, exercise, runner->state, NULL);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "solution_text");
      json_builder_add_string_value (builder, text);
      lessons_json_print (builder);
    }
  else
    printf ("The reference solution of %s (%s):\n\n%s", exercise->name, exercise->solution, text);
  return EXIT_OK;
}

/* Asks on the terminal; anything but y/yes is no. */
static gboolean
confirm (const gchar *question)
{
  gchar answer[16] = "";

  printf ("%s [y/N] ", question);
  fflush (stdout);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0;
}

/* `git checkout -- FILE`, run where the file is so that any checkout works. */
static gboolean
restore_from_git (const gchar *file, GError **error)
{
  g_autofree gchar *dir = g_path_get_dirname (file);
  g_autofree gchar *name = g_path_get_basename (file);
  const gchar *argv[] = { "git", "checkout", "--", name, NULL };
  LessonsCommandResult git;
  gboolean ok;

  if (!lessons_run_command (argv, dir, 60, &git, error))
    {
      g_prefix_error (error, "cannot run git: ");
      return FALSE;
    }
  ok = WIFEXITED (git.wait_status) && WEXITSTATUS (git.wait_status) == 0;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "git could not restore %s: %s", file,
                 g_strstrip (git.output));
  lessons_command_result_clear (&git);
  return ok;
}

/* `reset N`: the starting file back as git has it, after confirmation. */
static int
command_reset (Runner *runner, LessonsExercise *exercise)
{
  g_autofree gchar *question = NULL;
  GError *error = NULL;

  if (!runner->force)
    {
      if (!runner->interactive || runner->json)
        return fail (runner, g_error_new (LESSONS_ERROR, LESSONS_ERROR_REFUSED,
                                          "reset %s would lose your changes to %s: add --force "
                                          "to confirm", exercise->name, exercise->file));
      question = g_strdup_printf ("Restore %s to its starting version? Your changes will be lost.",
                                  exercise->file);
      if (!confirm (question))
        return fail (runner, g_error_new (LESSONS_ERROR, LESSONS_ERROR_REFUSED,
                                          "nothing was reset"));
    }
  if (!restore_from_git (exercise->file, &error))
    return fail (runner, error);
  lessons_state_forget_result (runner->state, exercise->name);
  if (!lessons_state_save (runner->state, &error))
    return fail (runner, error);
  if (runner->json)
    {
      JsonBuilder *builder = lessons_json_begin ("reset", runner->course, runner->state);

      lessons_json_add_exercise (builder, exercise, runner->state, NULL);
      json_builder_end_array (builder);
      lessons_json_print (builder);
    }
  else
    printf ("%s is back to its starting version.\n", exercise->file);
  return EXIT_OK;
}

/* ---- Watch mode: the learner edits, the runner checks on every save. ---- */

static void watch_exercise (Runner *runner, LessonsExercise *exercise);

/* Ends watch mode with @status; safe before the loop has started. */
static void
watch_stop (Runner *runner, int status)
{
  runner->exit_status = status;
  runner->finished = TRUE;
  g_main_loop_quit (runner->loop);
}

/* Temporary and backup files of editors, which are not saves. */
static gboolean
is_editor_scratch (const gchar *name)
{
  return name[0] == '.' || g_str_has_suffix (name, "~") || g_str_has_suffix (name, ".swp")
         || g_str_has_suffix (name, ".swx") || g_str_equal (name, "4913");
}

static void
print_watch_help (Runner *runner)
{
  if (runner->json)
    return;
  printf ("\nSave the file to check it again. Type h + Enter for a hint, l for the list, "
          "c to check now, q to quit.\n");
  fflush (stdout);
}

/* Checks the watched exercise; moves on when it passes. */
static void
watch_check_now (Runner *runner)
{
  LessonsExercise *exercise = runner->watched;
  g_autoptr (LessonsCheckResult) result = NULL;
  LessonsExercise *next;
  GError *error = NULL;

  if (!runner->json)
    {
      printf ("\nChecking %s…\n", exercise->name);
      fflush (stdout);
    }
  result = runner_check (runner, exercise, &error);
  if (result == NULL)
    {
      watch_stop (runner, fail (runner, error));
      return;
    }
  if (runner->json)
    print_check_json (runner, exercise, result);
  else
    lessons_print_result (exercise, result);
  if (result->status != LESSONS_STATUS_DONE)
    {
      print_watch_help (runner);
      return;
    }
  next = lessons_current_exercise (runner->course, runner->state);
  if (!runner->json)
    print_what_was_learned (runner, exercise);
  if (next == NULL)
    {
      if (!runner->json)
        {
          lessons_print_progress (runner->course, runner->state);
          printf ("\nEvery exercise is done. Well done!\n");
        }
      watch_stop (runner, EXIT_OK);
      return;
    }
  /* Like rustlings: the learner reads the success (and tries the program)
   * before the next exercise's red output scrolls it away. An editor
   * (--json) moves on at once: it shows each check itself. */
  if (runner->json)
    {
      watch_exercise (runner, next);
      return;
    }
  runner->waiting_for_next = TRUE;
  printf ("\nPress Enter (or type n + Enter) for the next exercise, %s — %s; q quits.\n",
          next->name, next->title);
  fflush (stdout);
}

static gboolean
on_debounced_save (gpointer data)
{
  Runner *runner = data;

  runner->debounce_id = 0;
  if (!runner->waiting_for_next)
    watch_check_now (runner);
  return G_SOURCE_REMOVE;
}

static void
on_lesson_file_changed (GFileMonitor *monitor, GFile *file, GFile *other_file,
                        GFileMonitorEvent event, gpointer data)
{
  Runner *runner = data;
  GFile *saved = (event == G_FILE_MONITOR_EVENT_RENAMED && other_file != NULL) ? other_file : file;
  g_autofree gchar *name = g_file_get_basename (saved);

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CHANGED
      && event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_MOVED_IN
      && event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  if (is_editor_scratch (name))
    return;
  /* Each new event restarts the wait: the check runs once the saving is over. */
  if (runner->debounce_id != 0)
    g_source_remove (runner->debounce_id);
  runner->debounce_id = g_timeout_add (DEBOUNCE_MS, on_debounced_save, runner);
}

static void
monitor_folder (Runner *runner, const gchar *path)
{
  g_autoptr (GFile) folder = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  GFileMonitor *monitor;

  monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_printerr ("braid-lessons: cannot watch %s: %s\n", path, error->message);
      return;
    }
  g_signal_connect (monitor, "changed", G_CALLBACK (on_lesson_file_changed), runner);
  g_ptr_array_add (runner->monitors, monitor);
}

/* Shows @exercise, watches its folders, and checks it once right away. */
static void
watch_exercise (Runner *runner, LessonsExercise *exercise)
{
  g_autofree gchar *exercise_dir = g_build_filename (exercise->lesson_dir, "exercise", NULL);
  g_autofree gchar *file_dir = g_path_get_dirname (exercise->file);

  runner->watched = exercise;
  g_ptr_array_set_size (runner->monitors, 0);
  monitor_folder (runner, exercise->lesson_dir);
  monitor_folder (runner, exercise_dir);
  if (!g_str_equal (file_dir, exercise_dir) && !g_str_equal (file_dir, exercise->lesson_dir))
    monitor_folder (runner, file_dir);

  if (!runner->json)
    {
      printf ("\n");
      lessons_print_progress (runner->course, runner->state);
      lessons_print_exercise (exercise, runner->build->display_dir);
    }
  watch_check_now (runner);
}

static void
run_typed_command (Runner *runner, const gchar *typed)
{
  g_autofree gchar *word = g_strstrip (g_strdup (typed));

  if (g_str_equal (word, "q") || g_str_equal (word, "quit"))
    {
      watch_stop (runner, EXIT_OK);
      return;
    }
  if (runner->waiting_for_next)
    {
      LessonsExercise *next = lessons_current_exercise (runner->course, runner->state);

      if (*word == '\0' || g_str_equal (word, "n") || g_str_equal (word, "next"))
        {
          runner->waiting_for_next = FALSE;
          watch_exercise (runner, next);
        }
      else if (!runner->json)
        {
          printf ("Press Enter for the next exercise, or q to quit.\n");
          fflush (stdout);
        }
      return;
    }
  else if (g_str_equal (word, "h") || g_str_equal (word, "hint"))
    command_hint (runner, runner->watched);
  else if (g_str_equal (word, "l") || g_str_equal (word, "list"))
    {
      if (runner->json)
        command_list (runner);
      else
        lessons_print_list (runner->course, runner->state);
    }
  else if (g_str_equal (word, "c") || g_str_equal (word, "check") || *word == '\0')
    {
      watch_check_now (runner);
      return;
    }
  else if (!runner->json)
    printf ("Unknown command “%s”.", word);
  print_watch_help (runner);
}

static gboolean
on_stdin_readable (gint fd, GIOCondition condition, gpointer data)
{
  Runner *runner = data;
  gchar buffer[256];
  gssize got = read (fd, buffer, sizeof buffer);

  if (got <= 0)
    {
      watch_stop (runner, EXIT_OK);  /* end of input (Ctrl-D) */
      return G_SOURCE_REMOVE;
    }
  for (gssize i = 0; i < got; i++)
    {
      if (buffer[i] != '\n')
        {
          g_string_append_c (runner->typed, buffer[i]);
          continue;
        }
      run_typed_command (runner, runner->typed->str);
      g_string_truncate (runner->typed, 0);
    }
  return G_SOURCE_CONTINUE;
}

/* No command: the current exercise, checked on every save. Without a
 * terminal (or with --once, or --json without --watch) it is checked once
 * and the runner exits with the check's status. With --json --watch an
 * editor gets one JSON object per line, one per check. */
static int
command_watch (Runner *runner)
{
  LessonsExercise *current = lessons_current_exercise (runner->course, runner->state);
  GError *error = NULL;

  if (runner->course->exercises->len == 0)
    return fail (runner, g_error_new (LESSONS_ERROR, LESSONS_ERROR_BAD_EXERCISE,
                                      "%s has no exercise", runner->lessons_dir));
  if (current == NULL)
    {
      if (runner->json)
        return command_list (runner);
      lessons_print_list (runner->course, runner->state);
      return EXIT_OK;
    }
  if (runner->once || (!runner->watch && (runner->json || !runner->interactive)))
    {
      if (!runner->json)
        {
          g_autofree gchar *here = g_get_current_dir ();

          lessons_print_progress (runner->course, runner->state);
          lessons_print_exercise (current, here);
        }
      return command_check (runner, current);
    }
  if (!runner_open_build (runner, &error))
    return fail (runner, error);

  lessons_json_set_one_line (TRUE);
  runner->loop = g_main_loop_new (NULL, FALSE);
  runner->monitors = g_ptr_array_new_with_free_func (g_object_unref);
  runner->typed = g_string_new (NULL);
  runner->exit_status = EXIT_OK;
  /* Ctrl-C keeps its default action: it also stops a build or check in
   * progress at once (they share the terminal's process group), and the
   * state file is always written whole, so nothing is lost. */
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP, on_stdin_readable, runner);
  watch_exercise (runner, current);
  if (!runner->finished)
    g_main_loop_run (runner->loop);
  return runner->exit_status;
}

static const gchar description[] =
  "Commands:\n"
  "  (none)       show the current exercise, check it, and check it again on every\n"
  "               save; move on when it passes (checks once without a terminal)\n"
  "  list         every lesson, what it teaches, and the state of its exercise\n"
  "  check N      build and run exercise N's check\n"
  "  hint N       the next hint for exercise N (--all: every hint)\n"
  "  reset N      restore exercise N's starting file from git (asks; --force does not)\n"
  "  solution N   the reference solution, once N's check has passed (or --force)\n"
  "\n"
  "N is a lesson number (1 or 01) or its folder's name (01-echo or echo).\n"
  "\n"
  "Exit status:\n"
  "  0  done: the command succeeded; a check passed\n"
  "  1  a check ran and failed (a test failed, or the code did not compile)\n"
  "  2  usage: a bad command line or an unknown exercise\n"
  "  3  setup: the lessons, the build directory or git could not be used\n"
  "  4  refused: solution before the check passed, or reset without confirmation\n";

/* GOption reads `-j 2` and `--jobs 2` (and `--jobs=2`) but not the `-j2`
 * every make and ninja user types: split `-jN` into `-j N` first.
 * (The strings of @argv stay owned by main's argv; the array is new.) */
static gchar **
split_attached_jobs (int argc, char **argv)
{
  GPtrArray *words = g_ptr_array_new ();

  for (int i = 0; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "-j") && argv[i][2] != '\0')
        {
          g_ptr_array_add (words, (gpointer) "-j");
          g_ptr_array_add (words, argv[i] + 2);
        }
      else
        g_ptr_array_add (words, argv[i]);
    }
  g_ptr_array_add (words, NULL);
  return (gchar **) g_ptr_array_free (words, FALSE);
}

static gboolean
parse_options (Runner *runner, int *argc, char ***argv, GError **error)
{
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &runner->json,
      "Print one JSON object (for editors and graders)", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &runner->force,
      "reset: do not ask; solution: show it before the check passes", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &runner->all, "hint: show every hint", NULL },
    { "once", 0, 0, G_OPTION_ARG_NONE, &runner->once,
      "No command: check the current exercise once, do not watch", NULL },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &runner->watch,
      "No command: watch even without a terminal (with --json: one JSON line per check, "
      "for editors)", NULL },
    { "lessons-dir", 0, 0, G_OPTION_ARG_FILENAME, &runner->lessons_dir,
      "The lessons folder (default: lessons/ of this checkout)", "DIR" },
    { "build-dir", 0, 0, G_OPTION_ARG_FILENAME, &runner->build_dir,
      "The meson build directory (default: build/ at the checkout's root)", "DIR" },
    { "course-file", 0, 0, G_OPTION_ARG_FILENAME, &runner->course_file,
      "The course file the build wrote (default: course.ini in the build directory, "
      "where the lessons folder is in the checkout)", "FILE" },
    { "state-file", 0, 0, G_OPTION_ARG_FILENAME, &runner->state_file,
      "Where progress is kept (default: .braid-lessons-state at the checkout's root)",
      "FILE" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &runner->timeout_seconds,
      "Stop a check that runs longer than this (default: 30)", "SECONDS" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &runner->jobs,
      "Build with at most N jobs in parallel (default: ninja's)", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[COMMAND [N]] — Braid's lesson runner");

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  return g_option_context_parse (context, argc, argv, error);
}

/* Runs a command that names an exercise. */
static int
run_exercise_command (Runner *runner, const gchar *id)
{
  GError *error = NULL;
  LessonsExercise *exercise = lessons_course_find (runner->course, id, &error);

  if (exercise == NULL)
    return fail (runner, error);
  if (g_str_equal (runner->command, "check"))
    return command_check (runner, exercise);
  if (g_str_equal (runner->command, "hint"))
    return command_hint (runner, exercise);
  if (g_str_equal (runner->command, "reset"))
    return command_reset (runner, exercise);
  return command_solution (runner, exercise);
}

static const gchar *const exercise_commands[] = { "check", "hint", "reset", "solution", NULL };

int
main (int argc, char **argv)
{
  Runner runner = { 0 };
  GError *error = NULL;
  g_autofree gchar **words = NULL;  /* the array only: its strings are argv's */
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("braid-lessons");
  runner.interactive = isatty (STDIN_FILENO);
  words = split_attached_jobs (argc, argv);
  argc = (int) g_strv_length (words);
  argv = words;
  if (!parse_options (&runner, &argc, &argv, &error))
    status = fail (&runner, error);
  else
    {
      runner.command = argc > 1 ? argv[1] : NULL;
      lessons_use_colour (!runner.json && isatty (STDOUT_FILENO)
                          && g_getenv ("NO_COLOR") == NULL);
      if (runner.command != NULL && !g_str_equal (runner.command, "list")
          && !g_strv_contains (exercise_commands, runner.command))
        status = fail (&runner, g_error_new (G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                             "unknown command “%s” (see --help)", runner.command));
      else if (runner.command != NULL && g_strv_contains (exercise_commands, runner.command)
               && argc != 3)
        status = fail (&runner, g_error_new (G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                             "usage: tools/start %s N", runner.command));
      else if (!runner_load (&runner, &error))
        status = fail (&runner, error);
      else if (runner.command == NULL)
        status = command_watch (&runner);
      else if (g_str_equal (runner.command, "list"))
        status = command_list (&runner);
      else
        status = run_exercise_command (&runner, argv[2]);
    }
  runner_clear (&runner);
  return status;
}
