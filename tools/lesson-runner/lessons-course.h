/* lessons-course.h: the course as braid-lessons sees it — every lesson and
 * its exercise, read from the course file lessons/meson.build writes into
 * the build (build/lessons/course.ini). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The error domain of the runner: bad input from the command line or from
 * the files of the course. */
#define LESSONS_ERROR (lessons_error_quark ())
GQuark lessons_error_quark (void);

typedef enum
{
  LESSONS_ERROR_UNKNOWN_EXERCISE,   /* `check 42` when there is no lesson 42 */
  LESSONS_ERROR_BAD_EXERCISE,       /* a course file that cannot be understood */
  LESSONS_ERROR_NO_BUILD,           /* the build (or its course file) is missing or not configured */
  LESSONS_ERROR_REFUSED,            /* solution before the check passed, reset unconfirmed */
} LessonsError;

typedef struct
{
  gchar *name;          /* the lesson's folder name: "01-echo" */
  guint  number;        /* 1 */
  gchar *title;         /* one line */
  gchar *teaches;       /* (nullable) what the lesson teaches, from the course file */
  gchar *seed;          /* (nullable) which seed idea it covers, from the course file */
  gchar *lesson_dir;    /* absolute: .../lessons/01-echo */
  gchar *file;          /* absolute: the file the learner edits */
  gchar *solution;      /* absolute: the reference solution */
  gchar *hints;         /* absolute: the hints file (it may not exist) */
  gchar *check_target;  /* the check program's name in the build: "check-01-echo" */
  gchar *program;       /* (nullable) the lesson's program built from the learner's
                         * file, in the build's lessons folder: "01-echo/shout-server" */
  gchar *try_command;   /* (nullable) what to type to talk to it: "nc 127.0.0.1 8000" */
} LessonsExercise;

/* One step of the course's path, whether or not it has an exercise yet. */
typedef struct
{
  gchar *name;                /* "09-pubsub" */
  guint  number;
  gchar *title;
  gchar *teaches;             /* (nullable) */
  gchar *seed;                /* (nullable) */
  gboolean written;           /* its folder exists */
  LessonsExercise *exercise;  /* (nullable) (transfer none) its exercise, if present */
} LessonsPathStep;

typedef struct
{
  gchar     *lessons_dir;  /* absolute */
  GPtrArray *exercises;    /* of LessonsExercise*, in lesson order */
  GPtrArray *path;         /* of LessonsPathStep*, in lesson order */
} LessonsCourse;

LessonsCourse   *lessons_course_load  (const gchar   *lessons_dir,
                                       const gchar   *course_file_path,
                                       GError       **error);
void             lessons_course_free  (LessonsCourse *course);
LessonsExercise *lessons_course_find  (LessonsCourse *course,
                                       const gchar   *id,
                                       GError       **error);
gint             lessons_course_index (LessonsCourse   *course,
                                       LessonsExercise *exercise);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LessonsCourse, lessons_course_free)

G_END_DECLS
