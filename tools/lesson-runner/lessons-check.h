/* lessons-check.h: building an exercise's check and running it, and turning
 * what the compiler and the tests print into something a learner reads first.
 *
 * The summaries are pure functions of the output, so they are unit-tested
 * on recorded output (tests/test-lessons-output.c). */
#pragma once

#include <glib.h>

#include "lessons-course.h"
#include "lessons-state.h"

G_BEGIN_DECLS

/* The build directory of the project (build/ by default). */
typedef struct
{
  gchar *build_dir;        /* absolute */
  gchar *source_dir;       /* absolute: the source tree that build_dir builds */
  gchar *display_dir;      /* paths under it are printed relative to it (the cwd) */
  guint  timeout_seconds;  /* how long a check may run before it is stopped */
  guint  jobs;             /* ninja's -j; 0: ninja's own default */
} LessonsBuild;

typedef struct
{
  LessonsStatus status;
  gchar *message;    /* one line: what passed, or the first thing that failed */
  gchar *failure;    /* (nullable) what to read first: the failing assertion, the compiler errors */
  gchar *output;     /* everything the build or the check printed */
} LessonsCheckResult;

/* How a command ended. */
typedef struct
{
  gchar   *output;       /* stdout and stderr, merged, valid UTF-8, capped */
  gint     wait_status;  /* as from waitpid() */
  gboolean timed_out;
} LessonsCommandResult;

LessonsBuild       *lessons_build_open           (const gchar  *build_dir,
                                                  GError      **error);
void                lessons_build_free           (LessonsBuild *build);

LessonsCheckResult *lessons_check_exercise       (LessonsBuild          *build,
                                                  const gchar           *lessons_dir,
                                                  const LessonsExercise *exercise,
                                                  gboolean               file_changed,
                                                  GError               **error);
void                lessons_check_result_free    (LessonsCheckResult    *result);
gchar              *lessons_build_program        (LessonsBuild          *build,
                                                  const gchar           *lessons_dir,
                                                  const LessonsExercise *exercise,
                                                  GError               **error);

gboolean            lessons_run_command          (const gchar * const   *argv,
                                                  const gchar           *cwd,
                                                  guint                  timeout_seconds,
                                                  LessonsCommandResult  *result,
                                                  GError               **error);
void                lessons_command_result_clear (LessonsCommandResult  *result);

gchar              *lessons_file_checksum        (const gchar *path);
gchar              *lessons_display_path         (const gchar *path,
                                                  const gchar *base_dir,
                                                  const gchar *display_dir);

LessonsCheckResult *lessons_summarize_build      (const gchar *output,
                                                  const gchar *build_dir,
                                                  const gchar *display_dir);
LessonsCheckResult *lessons_summarize_test       (const gchar *output,
                                                  gint         wait_status,
                                                  gboolean     timed_out,
                                                  guint        timeout_seconds,
                                                  const gchar *const *test_names,
                                                  const gchar *build_dir,
                                                  const gchar *display_dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LessonsBuild, lessons_build_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LessonsCheckResult, lessons_check_result_free)

G_END_DECLS
