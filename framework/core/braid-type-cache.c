/* braid-type-cache.c: see braid-type-cache-private.h. */
#include "config.h"

#include "core/braid-type-cache-private.h"

/* The lookup itself: the cache's miss path. A class is remembered only if
 * GObject can never free it: a static type's class lives as long as the
 * program (GObject refuses to drop its last reference), while a class
 * registered by a GTypeModule (g_type_get_plugin() is not %NULL) may be
 * finalized when its last instance goes and another class made at the
 * same address; such a class is looked up on every call, as before, and
 * so is an interface a plugin added to a static class. An entry is made
 * once per class and cache and never changed, and a slot is swapped
 * atomically, so threads can share a cache. */
gpointer
braid_type_cache_lookup_slow (BraidTypeCache *cache, gpointer g_class, GType (*get_type) (void))
{
  GType type = get_type ();
  GType instance_type = G_TYPE_FROM_CLASS (g_class);
  BraidTypeCacheEntry *entry = NULL;
  gpointer answer;

  if (G_TYPE_IS_INTERFACE (type))
    {
      answer = g_type_interface_peek (g_class, type);
      if (answer == NULL || g_type_interface_get_plugin (instance_type, type) != NULL)
        return answer;
    }
  else
    {
      answer = g_type_is_a (instance_type, type) ? g_class : NULL;
      if (answer == NULL)
        return NULL;
    }
  if (g_type_get_plugin (instance_type) != NULL)
    return answer;
  g_mutex_lock (&cache->lock);
  if (cache->entries == NULL)
    cache->entries = g_ptr_array_new ();
  for (guint i = 0; i < cache->entries->len && entry == NULL; i++)
    {
      BraidTypeCacheEntry *known = g_ptr_array_index (cache->entries, i);

      if (known->g_class == g_class)
        entry = known;
    }
  if (entry == NULL)
    {
      entry = g_new (BraidTypeCacheEntry, 1);
      entry->g_class = g_class;
      entry->answer = answer;
      g_ptr_array_add (cache->entries, entry);
    }
  g_atomic_pointer_set (&cache->slots[((guintptr) g_class >> 4) % BRAID_TYPE_CACHE_SIZE], entry);
  g_mutex_unlock (&cache->lock);
  return answer;
}
