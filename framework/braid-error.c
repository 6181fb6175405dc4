/* braid-error.c: the BRAID_ERROR domain and small helpers around it. */
#include "config.h"

#include <stdio.h>

#include "braid-error.h"

/**
 * braid_error_quark:
 *
 * The error domain of [error@Braid.Error], for what GIO's `G_IO_ERROR` has
 * no code for; use it through the %BRAID_ERROR macro.
 *
 * Returns: the quark of the `BRAID_ERROR` domain
 */
G_DEFINE_QUARK (braid-error-quark, braid_error)

/**
 * braid_error_is_clean_close:
 * @reason: (nullable): the reason given to [vfunc@Braid.Protocol.connection_lost]
 *
 * Tells whether a connection ended cleanly (Twisted's `ConnectionDone`):
 * closed by [method@Braid.Transport.lose_connection] or by the peer's orderly
 * shutdown, with nothing left unsent.
 *
 * Returns: %TRUE if @reason is %BRAID_ERROR_CONNECTION_DONE
 */
gboolean
braid_error_is_clean_close (const GError *reason)
{
  return reason != NULL
         && g_error_matches (reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE);
}

/**
 * braid_exit_with_error:
 * @error: the error that stops the program
 *
 * Prints @error on standard error, prefixed with the program's name, and
 * returns the exit status to give back from `main()`.
 *
 * ```c
 * if (!braid_reactor_listen_tcp (reactor, 8000, factory, NULL, &error))
 *   return braid_exit_with_error (error);
 * ```
 *
 * Returns: `1`, the conventional status for a failed program
 */
int
braid_exit_with_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, 1);

  fprintf (stderr, "%s: %s\n", g_get_prgname () ? g_get_prgname () : "braid",
           error->message);
  return 1;
}
