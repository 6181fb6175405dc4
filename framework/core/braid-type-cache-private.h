/* braid-type-cache-private.h: what the busiest calls (a transport's write,
 * a protocol's data_received) need from GObject's type system per call, an
 * interface's vtable or the proof that an instance is of a class, answered
 * from a small cache instead of GObject's lookups. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BRAID_TYPE_CACHE_SIZE 16

/* What one class answered: immutable once made, never freed. */
typedef struct {
  gpointer g_class;
  gpointer answer;
} BraidTypeCacheEntry;

/* One per type asked about, static and zero-initialised. */
typedef struct {
  BraidTypeCacheEntry *slots[BRAID_TYPE_CACHE_SIZE];  /* atomic */
  GPtrArray *entries;        /* every entry made, under lock */
  GMutex lock;
} BraidTypeCache;

gpointer braid_type_cache_lookup_slow (BraidTypeCache *cache,
                                       gpointer        g_class,
                                       GType         (*get_type) (void));

/* @instance's class's vtable of the interface @get_type returns, or its
 * class if @get_type returns a class type it is or derives from; %NULL if
 * @instance is %NULL or neither. Answers only from GObject, never from a
 * guess: the cache only remembers classes GObject never frees. */
static inline gpointer
braid_type_cache_lookup (BraidTypeCache *cache, gconstpointer instance, GType (*get_type) (void))
{
  gpointer g_class;
  BraidTypeCacheEntry *entry;

  if (instance == NULL)
    return NULL;
  g_class = ((const GTypeInstance *) instance)->g_class;
  entry = g_atomic_pointer_get (&cache->slots[((guintptr) g_class >> 4) % BRAID_TYPE_CACHE_SIZE]);
  if (G_LIKELY (entry != NULL && entry->g_class == g_class))
    return entry->answer;
  return braid_type_cache_lookup_slow (cache, g_class, get_type);
}

G_END_DECLS
