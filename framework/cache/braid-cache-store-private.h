/* braid-cache-store-private.h: what the cache server needs of the store
 * beyond its public API. */
#pragma once

#include "cache/braid-cache-store.h"

/* Removes @key, if present, without counting a delete: what a set refused
 * as too large does to the old value (memcached unlinks it so a reader
 * never sees it), when the server refuses the set from its command line,
 * before the data arrives. */
void braid_cache_store_drop (BraidCacheStore *self, const char *key, gsize key_len);
