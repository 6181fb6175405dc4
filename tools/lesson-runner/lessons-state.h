/* lessons-state.h: what braid-lessons remembers between runs.
 *
 * One GKeyFile at the repository's root, `.braid-lessons-state` (git-ignored),
 * with a group per exercise: the result of its last check and how many hints
 * the learner has seen. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LESSONS_STATUS_PENDING,    /* never checked (or reset since) */
  LESSONS_STATUS_DONE,       /* the last check passed */
  LESSONS_STATUS_FAILING,    /* the last check built, and a test failed */
  LESSONS_STATUS_NOT_BUILT,  /* the last check did not compile */
} LessonsStatus;

const gchar *lessons_status_to_string (LessonsStatus status);

typedef struct _LessonsState LessonsState;

LessonsState  *lessons_state_load             (const gchar   *path,
                                               GError       **error);
gboolean       lessons_state_save             (LessonsState  *state,
                                               GError       **error);
void           lessons_state_free             (LessonsState  *state);

LessonsStatus  lessons_state_get_status       (LessonsState  *state,
                                               const gchar   *exercise);
gchar         *lessons_state_get_message      (LessonsState  *state,
                                               const gchar   *exercise);
gchar         *lessons_state_get_checksum     (LessonsState  *state,
                                               const gchar   *exercise);
void           lessons_state_set_result       (LessonsState  *state,
                                               const gchar   *exercise,
                                               LessonsStatus  status,
                                               const gchar   *message,
                                               const gchar   *checksum);
guint          lessons_state_get_hints_shown  (LessonsState  *state,
                                               const gchar   *exercise);
void           lessons_state_set_hints_shown  (LessonsState  *state,
                                               const gchar   *exercise,
                                               guint          count);
void           lessons_state_forget_result    (LessonsState  *state,
                                               const gchar   *exercise);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LessonsState, lessons_state_free)

G_END_DECLS
