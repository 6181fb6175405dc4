/* blocked.c: lesson 15's exercise, solved. */
#include <string.h>

#include "blocker.h"

/* Whether @name is @blocked or a name under it: "www.facebook.com" ends
 * with ".facebook.com". Names compare as DNS compares them. */
static gboolean
is_or_is_under (const char *name, gsize name_len, const char *blocked)
{
  gsize blocked_len = strlen (blocked);

  if (blocked_len > 0 && blocked[blocked_len - 1] == '.')
    blocked_len--;
  if (name_len == blocked_len)
    return g_ascii_strncasecmp (name, blocked, blocked_len) == 0;
  return name_len > blocked_len
         && name[name_len - blocked_len - 1] == '.'
         && g_ascii_strncasecmp (name + name_len - blocked_len, blocked, blocked_len) == 0;
}

gboolean
blocker_is_blocked (const char *name, const char * const *blocklist)
{
  gsize name_len = strlen (name);

  if (name_len > 0 && name[name_len - 1] == '.')
    name_len--;   /* "facebook.com." is "facebook.com" */
  for (guint i = 0; blocklist[i] != NULL; i++)
    if (is_or_is_under (name, name_len, blocklist[i]))
      return TRUE;
  return FALSE;
}
