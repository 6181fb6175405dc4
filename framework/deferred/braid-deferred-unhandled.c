/* braid-deferred-unhandled.c: reporting a deferred dropped with an error
 * nobody handled, and the observers told about it. */
#include "config.h"

#include "deferred/braid-deferred-private.h"
#include "deferred/braid-deferred-unhandled.h"
#include "deferred/braid-result.h"

typedef struct
{
  BraidUnhandledErrorFunc func;
  gpointer user_data;
} Observer;

static GMutex observers_lock;
static GArray *observers; /* of Observer */

/**
 * braid_deferred_add_unhandled_error_observer:
 * @func: (scope forever): told about each unhandled error
 * @user_data: (closure func): passed to @func
 *
 * Tells @func about every deferred dropped with an error that no errback
 * handled, in addition to the warning Braid logs.
 *
 * This is how `libbraid-fakes` makes the test-hygiene check fail a test that
 * leaves an unhandled error behind: `libbraid` cannot depend on the fakes,
 * so the fakes register an observer (when their library is loaded) that
 * passes each report to braid_hygiene_report_leftover(). A program can use it
 * to count or forward unhandled errors.
 */
void
braid_deferred_add_unhandled_error_observer (BraidUnhandledErrorFunc func,
                                             gpointer                user_data)
{
  Observer observer = { func, user_data };

  g_return_if_fail (func != NULL);

  g_mutex_lock (&observers_lock);
  if (observers == NULL)
    observers = g_array_new (FALSE, FALSE, sizeof (Observer));
  g_array_append_val (observers, observer);
  g_mutex_unlock (&observers_lock);
}

/**
 * braid_deferred_remove_unhandled_error_observer:
 * @func: (scope call): an observer added with braid_deferred_add_unhandled_error_observer()
 * @user_data: the data it was added with
 *
 * Stops telling @func about unhandled errors.
 */
void
braid_deferred_remove_unhandled_error_observer (BraidUnhandledErrorFunc func,
                                                gpointer                user_data)
{
  g_mutex_lock (&observers_lock);
  for (guint i = 0; observers != NULL && i < observers->len; i++)
    {
      Observer *observer = &g_array_index (observers, Observer, i);

      if (observer->func == func && observer->user_data == user_data)
        {
          g_array_remove_index (observers, i);
          break;
        }
    }
  g_mutex_unlock (&observers_lock);
}

/* Called when the last reference to a deferred holding an error goes. */
void
braid_deferred_report_unhandled_error_internal (BraidDeferred *self)
{
  const GError *error = self->result.error;
  g_autofree char *report =
    g_strdup_printf ("Unhandled error in BraidDeferred (created at %s, fired at %s): "
                     "%s (%s, %d)",
                     self->created_at, self->fired_at, error->message,
                     g_quark_to_string (error->domain), error->code);
  g_autoptr (GArray) to_tell = NULL;

  g_warning ("%s", report);

  /* Copy the observers so that one may add or remove observers. */
  g_mutex_lock (&observers_lock);
  if (observers != NULL && observers->len > 0)
    {
      to_tell = g_array_sized_new (FALSE, FALSE, sizeof (Observer), observers->len);
      g_array_append_vals (to_tell, observers->data, observers->len);
    }
  g_mutex_unlock (&observers_lock);

  for (guint i = 0; to_tell != NULL && i < to_tell->len; i++)
    {
      Observer *observer = &g_array_index (to_tell, Observer, i);

      observer->func (report, observer->user_data);
    }
}
