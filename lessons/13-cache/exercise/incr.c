/* incr.c: lesson 13's exercise -- a command of your own: `incr KEY`.
 *
 * PyCached has no counter; add one, as memcached has. "incr KEY" adds 1 to
 * the number stored at KEY and answers the new number:
 *
 *   set hits 41     OK
 *   incr hits       42
 *   incr nothere    NOT FOUND
 *   set name bob    OK
 *   incr name       ERROR not a number
 *   incr            ERROR usage: incr KEY
 *
 * The store does the arithmetic (braid_cache_store_incr, 64-bit, as
 * memcached); your part is reading the argument and answering each case.
 *
 * Check your work with `tools/start check 13` (by hand:
 * `ninja -C build lessons/check-13-cache && build/lessons/check-13-cache`).
 * Stuck? `tools/start hint 13`. */
#include "pycached.h"

void
pycached_incr_command (PycachedProtocol *self, const char *arguments)
{
  /* EXERCISE: check that arguments is one valid key
   * (braid_cache_store_valid_key), add 1 with braid_cache_store_incr on
   * pycached_protocol_get_store (self), and answer the new number,
   * "NOT FOUND" or "ERROR not a number" with pycached_protocol_reply. */
  pycached_protocol_reply (self, "ERROR incr is not built yet");
}
