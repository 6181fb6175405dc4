#pragma once

#include <braid.h>

G_BEGIN_DECLS

/**
 * braid_assert_success_result:
 * @deferred: a deferred
 *
 * Asserts that @deferred has a value now (Twisted's `successResultOf`),
 * and returns it; fails the test, saying what @deferred holds instead,
 * otherwise.
 *
 * Returns: (transfer none) (nullable): the value, still owned by @deferred
 */
#define braid_assert_success_result(deferred) \
  braid_assert_success_result_full ((deferred), __FILE__, __LINE__, G_STRFUNC)

/**
 * braid_assert_failure_result:
 * @deferred: a deferred
 * @domain: the error domain expected
 * @code: the error code expected
 *
 * Asserts that @deferred has failed with @domain / @code now (Twisted's
 * `failureResultOf`), and hands you the error: @deferred's chain carries
 * on with a %NULL value, so the error is handled.
 *
 * Returns: (transfer full): the error
 */
#define braid_assert_failure_result(deferred, domain, code) \
  braid_assert_failure_result_full ((deferred), (domain), (code), __FILE__, __LINE__, G_STRFUNC)

/**
 * braid_assert_no_result:
 * @deferred: a deferred
 *
 * Asserts that @deferred has no result yet (Twisted's `assertNoResult`):
 * not fired, or paused, or waiting on another deferred.
 */
#define braid_assert_no_result(deferred) \
  braid_assert_no_result_full ((deferred), __FILE__, __LINE__, G_STRFUNC)

gpointer braid_assert_success_result_full (BraidDeferred *deferred,
                                           const char    *file,
                                           int            line,
                                           const char    *func);
GError  *braid_assert_failure_result_full (BraidDeferred *deferred,
                                           GQuark         domain,
                                           gint           code,
                                           const char    *file,
                                           int            line,
                                           const char    *func);
void     braid_assert_no_result_full      (BraidDeferred *deferred,
                                           const char    *file,
                                           int            line,
                                           const char    *func);

G_END_DECLS
