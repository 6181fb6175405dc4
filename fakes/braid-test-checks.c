/* braid-test-checks.c: the test assertions as checks that return a GError.
 *
 * braid_assert_transport_wrote() and braid_assert_no_leftovers() stop the
 * test program when they fail, as GTest assertions do. That is right for
 * a C test, and fatal for a Python one: from PyGObject an assertion aborts
 * the interpreter, unittest and all. These checks do the same comparison
 * and report a mismatch as a GError instead, which PyGObject raises as a
 * GLib.Error exception; the C assertions are built on them, so both say
 * the same thing. */
#include "config.h"

#include <string.h>

#include "braid-test-checks.h"
#include "braid-test-utils.h"

/**
 * braid_check_transport_wrote:
 * @transport: a string transport
 * @expected: the NUL-terminated bytes expected
 * @error: where to say how they differ
 *
 * Checks that everything written to @transport since the last clear is
 * exactly @expected, then clears it, so the next check reads only what
 * comes next. braid_assert_transport_wrote() in a C test; this from Python,
 * where a mismatch raises `GLib.Error` instead of aborting the interpreter:
 *
 * ```python
 * Braid.check_transport_wrote(transport, "HELLO")
 * ```
 *
 * Returns: %TRUE if @transport got exactly @expected; otherwise %FALSE with
 *   @error (`BRAID_ERROR_FAILED`) showing both, and nothing cleared
 */
gboolean
braid_check_transport_wrote (BraidStringTransport *transport,
                             const char           *expected,
                             GError              **error)
{
  gsize len;
  const char *written;

  g_return_val_if_fail (BRAID_IS_STRING_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (expected != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  written = braid_string_transport_peek (transport, &len);
  if (len != strlen (expected) || memcmp (written, expected, len) != 0)
    {
      g_autofree char *got = g_strescape (written, NULL);
      g_autofree char *want = g_strescape (expected, NULL);

      g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED,
                   "the transport got \"%s\" (%" G_GSIZE_FORMAT " bytes), expected \"%s\"",
                   got, len, want);
      return FALSE;
    }
  braid_string_transport_clear (transport);
  return TRUE;
}

/**
 * braid_check_no_leftovers:
 * @error: where to list the leftovers
 *
 * Checks that the test left nothing behind: no delayed call pending on a
 * fake clock, no loopback open (or destroyed while busy), no deferred with
 * an unhandled error. braid_assert_no_leftovers() in a C test; this from
 * Python, at the end of a test (in `tearDown`, say), where leftovers raise
 * `GLib.Error`.
 *
 * Returns: %TRUE if nothing was left; otherwise %FALSE with @error
 *   (`BRAID_ERROR_FAILED`) naming each leftover and where it was created
 */
gboolean
braid_check_no_leftovers (GError **error)
{
  g_autofree char *leftovers = braid_hygiene_collect ();

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (leftovers == NULL)
    return TRUE;
  g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED,
               "the test left things behind:\n%s", leftovers);
  return FALSE;
}
