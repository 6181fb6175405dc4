/* lessons-report.h: what braid-lessons prints — for people (text, with
 * colour on a terminal) and for programs (`--json`). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "lessons-check.h"
#include "lessons-course.h"
#include "lessons-state.h"

G_BEGIN_DECLS

LessonsExercise *lessons_current_exercise    (LessonsCourse *course,
                                              LessonsState  *state);
guint            lessons_count_done          (LessonsCourse *course,
                                              LessonsState  *state);
gboolean         lessons_edited_since_check  (LessonsExercise *exercise,
                                              LessonsState    *state);
gchar           *lessons_progress_bar        (guint done,
                                              guint total,
                                              guint width);

/* Text. */
void             lessons_use_colour          (gboolean enabled);
void             lessons_print_progress      (LessonsCourse *course,
                                              LessonsState  *state);
void             lessons_print_exercise      (LessonsExercise *exercise,
                                              const gchar     *display_dir);
void             lessons_print_result        (LessonsExercise          *exercise,
                                              const LessonsCheckResult *result);
void             lessons_print_list          (LessonsCourse *course,
                                              LessonsState  *state);

/* JSON: one object per run of the command, on standard output. */
JsonBuilder     *lessons_json_begin          (const gchar   *command,
                                              LessonsCourse *course,
                                              LessonsState  *state);
void             lessons_json_add_exercise   (JsonBuilder              *builder,
                                              LessonsExercise          *exercise,
                                              LessonsState             *state,
                                              const LessonsCheckResult *result);
void             lessons_json_set_one_line   (gboolean enabled);
void             lessons_json_print          (JsonBuilder *builder);
void             lessons_json_print_error    (const gchar  *command,
                                              const GError *error);

G_END_DECLS
