/* braid-deferred-assertions.c: GTest assertions on deferreds, and the
 * hook that makes the test-hygiene check see unhandled deferred errors. */
#include "config.h"

#include "braid-fakes.h"

/* libbraid cannot call the fakes (the fakes depend on it, never the
 * reverse), so it tells observers about unhandled errors, and the fakes
 * observe: as soon as this library is loaded, every unhandled deferred error
 * becomes a leftover that fails the test which left it. */
static void
report_to_hygiene (const char *report, gpointer user_data)
{
  braid_hygiene_report_leftover (report);
}

__attribute__((constructor)) static void
watch_unhandled_deferred_errors (void)
{
  braid_deferred_add_unhandled_error_observer (report_to_hygiene, NULL);
}

/* Looks at the result without consuming it: a link that runs at once,
 * since the caller checked that there is a result. */
typedef struct
{
  gboolean is_error;
  gpointer value;
  GError *error;        /* a copy, or the stolen error */
  gboolean steal_error;
} Peek;

static void
peek_result (BraidResult *result, gpointer data)
{
  Peek *peek = data;

  peek->is_error = braid_result_is_error (result);
  if (!peek->is_error)
    peek->value = braid_result_get_value (result);
  else if (peek->steal_error)
    peek->error = braid_result_steal_error (result);
  else
    peek->error = g_error_copy (braid_result_get_error (result));
}

static char *
describe_no_result (BraidDeferred *deferred)
{
  if (!braid_deferred_is_called (deferred))
    return g_strdup_printf ("the deferred created at %s has not fired",
                            braid_deferred_get_created_at (deferred));
  return g_strdup_printf ("the deferred created at %s fired at %s, but is paused "
                          "or waiting on another deferred",
                          braid_deferred_get_created_at (deferred),
                          braid_deferred_get_fired_at (deferred));
}

/**
 * braid_assert_success_result_full:
 * @deferred: a deferred
 * @file: the caller's file
 * @line: the caller's line
 * @func: the caller's function
 *
 * The function behind braid_assert_success_result().
 *
 * Returns: (transfer none) (nullable): the value
 */
gpointer
braid_assert_success_result_full (BraidDeferred *deferred,
                                  const char    *file,
                                  int            line,
                                  const char    *func)
{
  Peek peek = { 0 };
  g_autofree char *message = NULL;

  g_return_val_if_fail (deferred != NULL, NULL);

  if (!braid_deferred_has_result (deferred))
    {
      g_autofree char *why = describe_no_result (deferred);

      message = g_strdup_printf ("expected a value, but %s", why);
      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return NULL;
    }
  braid_deferred_add_both (deferred, peek_result, &peek, NULL);
  if (peek.is_error)
    {
      message = g_strdup_printf ("expected a value, but the deferred created at %s "
                                 "failed: %s (%s, %d)",
                                 braid_deferred_get_created_at (deferred),
                                 peek.error->message,
                                 g_quark_to_string (peek.error->domain), peek.error->code);
      g_error_free (peek.error);
      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return NULL;
    }
  return peek.value;
}

/**
 * braid_assert_failure_result_full:
 * @deferred: a deferred
 * @domain: the error domain expected
 * @code: the error code expected
 * @file: the caller's file
 * @line: the caller's line
 * @func: the caller's function
 *
 * The function behind braid_assert_failure_result().
 *
 * Returns: (transfer full): the error
 */
GError *
braid_assert_failure_result_full (BraidDeferred *deferred,
                                  GQuark         domain,
                                  gint           code,
                                  const char    *file,
                                  int            line,
                                  const char    *func)
{
  Peek peek = { 0 };
  g_autofree char *message = NULL;

  g_return_val_if_fail (deferred != NULL, NULL);

  if (!braid_deferred_has_result (deferred))
    {
      g_autofree char *why = describe_no_result (deferred);

      message = g_strdup_printf ("expected an error %s %d, but %s",
                                 g_quark_to_string (domain), code, why);
      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return NULL;
    }

  /* Peek first: take the error only if it is the one expected, so that a
   * failed assertion leaves the deferred as it was. */
  braid_deferred_add_both (deferred, peek_result, &peek, NULL);
  if (!peek.is_error)
    {
      message = g_strdup_printf ("expected an error %s %d, but the deferred created at "
                                 "%s has a value (%p)", g_quark_to_string (domain), code,
                                 braid_deferred_get_created_at (deferred), peek.value);
      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return NULL;
    }
  if (!g_error_matches (peek.error, domain, code))
    {
      message = g_strdup_printf ("expected an error %s %d, but the deferred created at "
                                 "%s failed with %s %d: %s", g_quark_to_string (domain),
                                 code, braid_deferred_get_created_at (deferred),
                                 g_quark_to_string (peek.error->domain), peek.error->code,
                                 peek.error->message);
      g_error_free (peek.error);
      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return NULL;
    }
  g_error_free (peek.error);

  peek = (Peek) { .steal_error = TRUE };
  braid_deferred_add_both (deferred, peek_result, &peek, NULL);
  return peek.error;
}

/**
 * braid_assert_no_result_full:
 * @deferred: a deferred
 * @file: the caller's file
 * @line: the caller's line
 * @func: the caller's function
 *
 * The function behind braid_assert_no_result().
 */
void
braid_assert_no_result_full (BraidDeferred *deferred,
                             const char    *file,
                             int            line,
                             const char    *func)
{
  Peek peek = { 0 };
  g_autofree char *message = NULL;

  g_return_if_fail (deferred != NULL);

  if (!braid_deferred_has_result (deferred))
    return;
  braid_deferred_add_both (deferred, peek_result, &peek, NULL);
  if (peek.is_error)
    {
      message = g_strdup_printf ("expected no result, but the deferred created at %s "
                                 "failed at %s: %s (%s, %d)",
                                 braid_deferred_get_created_at (deferred),
                                 braid_deferred_get_fired_at (deferred), peek.error->message,
                                 g_quark_to_string (peek.error->domain), peek.error->code);
      g_error_free (peek.error);
    }
  else
    message = g_strdup_printf ("expected no result, but the deferred created at %s "
                               "has a value (%p), fired at %s",
                               braid_deferred_get_created_at (deferred), peek.value,
                               braid_deferred_get_fired_at (deferred));
  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
}
