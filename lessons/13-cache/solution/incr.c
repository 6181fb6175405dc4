/* incr.c: lesson 13's exercise, the reference solution: `incr KEY`. */
#include <string.h>

#include "pycached.h"

void
pycached_incr_command (PycachedProtocol *self, const char *arguments)
{
  guint64 value;
  g_autofree char *text = NULL;

  if (!braid_cache_store_valid_key (arguments, strlen (arguments)))
    {
      pycached_protocol_reply (self, "ERROR usage: incr KEY");
      return;
    }
  switch (braid_cache_store_incr (pycached_protocol_get_store (self), arguments, strlen (arguments),
                                  TRUE, 1, &value))
    {
    case BRAID_CACHE_OK:
      text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
      pycached_protocol_reply (self, text);
      break;
    case BRAID_CACHE_NOT_FOUND:
      pycached_protocol_reply (self, "NOT FOUND");
      break;
    default:
      pycached_protocol_reply (self, "ERROR not a number");
      break;
    }
}
