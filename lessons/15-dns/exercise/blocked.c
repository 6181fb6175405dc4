/* blocked.c: lesson 15's exercise.
 *
 * The blocker answers 127.0.0.1 for the names this function says are
 * blocked, and NXDOMAIN ("no such name") for the others. Today it blocks
 * a name only when it is exactly one of the blocklist: "facebook.com" is
 * cut out, but "www.facebook.com" and "m.facebook.com" are not, and
 * neither is "FACEBOOK.COM" nor "facebook.com." (the final dot of a fully
 * qualified name). Make it block:
 *
 * - every name of the blocklist, in any case ("FaceBook.com"), with or
 *   without a final dot;
 * - every name under one of them: "www.facebook.com",
 *   "a.b.twitter.com";
 *
 * and nothing else: "notfacebook.com" and "facebook.com.evil.example"
 * are other sites and must still get NXDOMAIN.
 *
 * Check your work with `tools/start check 15` (by hand:
 * `ninja -C build lessons/check-15-dns && build/lessons/check-15-dns`).
 * Stuck? `tools/start hint 15`. */
#include <string.h>

#include "blocker.h"

gboolean
blocker_is_blocked (const char *name, const char * const *blocklist)
{
  for (guint i = 0; blocklist[i] != NULL; i++)
    {
      /* EXERCISE: compare as DNS does (any case, a final dot or not), and
       * block the names under blocklist[i] too (they end with "." and
       * blocklist[i]). */
      if (strcmp (name, blocklist[i]) == 0)
        return TRUE;
    }
  return FALSE;
}
