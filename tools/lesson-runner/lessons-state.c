/* lessons-state.c: the runner's memory, one GKeyFile.
 *
 * A key file rather than JSON because a learner may open it and read it:
 *
 *     [01-echo]
 *     status=done
 *     message=all 3 tests passed
 *     checksum=5d41402a…
 *     hints-shown=1
 *
 * The checksum is the SHA-256 of the learner's file when it was checked, so
 * `list` can say that a file changed since its last check. */
#include "lessons-state.h"

struct _LessonsState
{
  gchar    *path;
  GKeyFile *keys;
};

static const gchar *const status_names[] = {
  [LESSONS_STATUS_PENDING] = "pending",
  [LESSONS_STATUS_DONE] = "done",
  [LESSONS_STATUS_FAILING] = "failing",
  [LESSONS_STATUS_NOT_BUILT] = "not-built",
};

/**
 * lessons_status_to_string:
 * @status: a status
 *
 * Returns: (transfer none): the name used in the state file and in `--json`
 *   output: `pending`, `done`, `failing` or `not-built`
 */
const gchar *
lessons_status_to_string (LessonsStatus status)
{
  g_return_val_if_fail (status <= LESSONS_STATUS_NOT_BUILT, "pending");
  return status_names[status];
}

static LessonsStatus
status_from_string (const gchar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (name, status_names[i]) == 0)
      return (LessonsStatus) i;
  /* An unknown word (a hand-edited file) counts as never checked. */
  return LESSONS_STATUS_PENDING;
}

/**
 * lessons_state_load:
 * @path: the state file
 * @error: return location for a #GError
 *
 * Reads the state file. A missing file is an empty state: a fresh clone has
 * none.
 *
 * Returns: (transfer full) (nullable): the state, or %NULL if the file
 *   exists and cannot be read
 */
LessonsState *
lessons_state_load (const gchar *path, GError **error)
{
  g_autoptr (LessonsState) state = g_new0 (LessonsState, 1);
  GError *local_error = NULL;

  state->path = g_strdup (path);
  state->keys = g_key_file_new ();
  if (!g_key_file_load_from_file (state->keys, path, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, local_error, "%s: ", path);
          return NULL;
        }
      g_clear_error (&local_error);
    }
  return g_steal_pointer (&state);
}

/**
 * lessons_state_save:
 * @state: a state
 * @error: return location for a #GError
 *
 * Writes @state back to its file (atomically: a crash never leaves half a
 * file).
 *
 * Returns: %TRUE on success
 */
gboolean
lessons_state_save (LessonsState *state, GError **error)
{
  return g_key_file_save_to_file (state->keys, state->path, error);
}

/**
 * lessons_state_free:
 * @state: (transfer full) (nullable): a state
 *
 * Frees @state without saving it.
 */
void
lessons_state_free (LessonsState *state)
{
  if (state == NULL)
    return;
  g_free (state->path);
  g_key_file_unref (state->keys);
  g_free (state);
}

/**
 * lessons_state_get_status:
 * @state: a state
 * @exercise: an exercise's name
 *
 * Returns: the result of the exercise's last check
 */
LessonsStatus
lessons_state_get_status (LessonsState *state, const gchar *exercise)
{
  g_autofree gchar *name = g_key_file_get_string (state->keys, exercise, "status", NULL);

  return status_from_string (name);
}

/**
 * lessons_state_get_message:
 * @state: a state
 * @exercise: an exercise's name
 *
 * Returns: (transfer full) (nullable): the one-line message of its last check
 */
gchar *
lessons_state_get_message (LessonsState *state, const gchar *exercise)
{
  return g_key_file_get_string (state->keys, exercise, "message", NULL);
}

/**
 * lessons_state_get_checksum:
 * @state: a state
 * @exercise: an exercise's name
 *
 * Returns: (transfer full) (nullable): the SHA-256 of the learner's file when
 *   it was last checked
 */
gchar *
lessons_state_get_checksum (LessonsState *state, const gchar *exercise)
{
  return g_key_file_get_string (state->keys, exercise, "checksum", NULL);
}

/**
 * lessons_state_set_result:
 * @state: a state
 * @exercise: an exercise's name
 * @status: the result of the check that just ran
 * @message: its one-line message
 * @checksum: (nullable): the SHA-256 of the file that was checked
 *
 * Records a check's result (in memory: lessons_state_save() writes it).
 */
void
lessons_state_set_result (LessonsState *state, const gchar *exercise,
                          LessonsStatus status, const gchar *message,
                          const gchar *checksum)
{
  g_key_file_set_string (state->keys, exercise, "status", lessons_status_to_string (status));
  g_key_file_set_string (state->keys, exercise, "message", message);
  if (checksum != NULL)
    g_key_file_set_string (state->keys, exercise, "checksum", checksum);
  else
    g_key_file_remove_key (state->keys, exercise, "checksum", NULL);
}

/**
 * lessons_state_forget_result:
 * @state: a state
 * @exercise: an exercise's name
 *
 * Forgets the exercise's last check (after `reset`, it is pending again).
 * The count of hints seen is kept: a learner who starts over has still read
 * them.
 */
void
lessons_state_forget_result (LessonsState *state, const gchar *exercise)
{
  g_key_file_remove_key (state->keys, exercise, "status", NULL);
  g_key_file_remove_key (state->keys, exercise, "message", NULL);
  g_key_file_remove_key (state->keys, exercise, "checksum", NULL);
}

/**
 * lessons_state_get_hints_shown:
 * @state: a state
 * @exercise: an exercise's name
 *
 * Returns: how many of the exercise's hints the learner has seen
 */
guint
lessons_state_get_hints_shown (LessonsState *state, const gchar *exercise)
{
  gint count = g_key_file_get_integer (state->keys, exercise, "hints-shown", NULL);

  return count > 0 ? (guint) count : 0;
}

/**
 * lessons_state_set_hints_shown:
 * @state: a state
 * @exercise: an exercise's name
 * @count: how many hints the learner has now seen
 */
void
lessons_state_set_hints_shown (LessonsState *state, const gchar *exercise, guint count)
{
  g_key_file_set_integer (state->keys, exercise, "hints-shown", (gint) count);
}
