#pragma once

#include "braid-types.h"
#include "time/braid-clock.h"

G_BEGIN_DECLS

/**
 * BRAID_CACHE_MAX_KEY_LENGTH:
 *
 * The longest key a [class@Braid.CacheStore] takes: 250 bytes, as memcached.
 */
#define BRAID_CACHE_MAX_KEY_LENGTH 250

/**
 * BRAID_CACHE_DEFAULT_MAX_ITEM_SIZE:
 *
 * The largest item (key, value and per-item overhead) a store takes unless
 * told otherwise: 1 MiB, memcached's default `-I 1m`.
 */
#define BRAID_CACHE_DEFAULT_MAX_ITEM_SIZE (1024 * 1024)

/**
 * BRAID_CACHE_ITEM_OVERHEAD:
 *
 * What one item costs beyond its key and its value, as the store counts it
 * against its memory limit: the item's header, the key's terminating NUL,
 * the malloc header and a hash table slot (docs/cache.md states and
 * tests/test-cache-store.c measures it).
 */
#define BRAID_CACHE_ITEM_OVERHEAD 96

/**
 * BraidCacheMode:
 * @BRAID_CACHE_MODE_SET: store whatever is there
 * @BRAID_CACHE_MODE_ADD: store only if the key is absent
 * @BRAID_CACHE_MODE_REPLACE: store only if the key is present
 * @BRAID_CACHE_MODE_APPEND: add the data after the present value
 * @BRAID_CACHE_MODE_PREPEND: add the data before the present value
 * @BRAID_CACHE_MODE_CAS: store only if the key's cas unique is still the one given
 *
 * How [method@Braid.CacheStore.store] stores: memcached's storage commands.
 */
typedef enum {
  BRAID_CACHE_MODE_SET,
  BRAID_CACHE_MODE_ADD,
  BRAID_CACHE_MODE_REPLACE,
  BRAID_CACHE_MODE_APPEND,
  BRAID_CACHE_MODE_PREPEND,
  BRAID_CACHE_MODE_CAS,
} BraidCacheMode;

/**
 * BraidCacheResult:
 * @BRAID_CACHE_STORED: stored (memcached's `STORED`)
 * @BRAID_CACHE_NOT_STORED: the mode's condition did not hold (`NOT_STORED`)
 * @BRAID_CACHE_EXISTS: cas: the item changed since it was read (`EXISTS`)
 * @BRAID_CACHE_NOT_FOUND: no such key (`NOT_FOUND`)
 * @BRAID_CACHE_TOO_LARGE: the item is larger than the maximum item size or
 *   the whole memory limit (`SERVER_ERROR object too large for cache`)
 * @BRAID_CACHE_DELETED: deleted (`DELETED`)
 * @BRAID_CACHE_TOUCHED: its expiry time changed (`TOUCHED`)
 * @BRAID_CACHE_NON_NUMERIC: incr/decr of a value that is not a decimal
 *   number (`CLIENT_ERROR cannot increment or decrement non-numeric value`)
 * @BRAID_CACHE_OK: incr/decr done
 *
 * What an operation on a [class@Braid.CacheStore] did.
 */
typedef enum {
  BRAID_CACHE_STORED,
  BRAID_CACHE_NOT_STORED,
  BRAID_CACHE_EXISTS,
  BRAID_CACHE_NOT_FOUND,
  BRAID_CACHE_TOO_LARGE,
  BRAID_CACHE_DELETED,
  BRAID_CACHE_TOUCHED,
  BRAID_CACHE_NON_NUMERIC,
  BRAID_CACHE_OK,
} BraidCacheResult;

/**
 * BraidCacheStats:
 * @uptime: seconds since the store was made, on its clock
 * @entries: items stored now (expired ones not yet reclaimed included)
 * @bytes: bytes counted against the limit (keys, values, overhead)
 * @limit: the memory limit, in bytes
 * @hits: lookups that found their key
 * @misses: lookups that did not
 * @evictions: items removed to make room before they expired
 * @expired: items found expired and reclaimed
 * @total_items: items ever stored
 * @cmd_get: keys looked up
 * @cmd_set: storage operations
 * @cmd_touch: touches
 * @touch_hits: touches that found their key
 * @touch_misses: touches that did not
 * @delete_hits: deletes that found their key
 * @delete_misses: deletes that did not
 * @incr_hits: incr that found their key
 * @incr_misses: incr that did not
 * @decr_hits: decr that found their key
 * @decr_misses: decr that did not
 * @cas_hits: cas that stored
 * @cas_misses: cas on a missing key
 * @cas_badval: cas whose unique no longer matched
 *
 * A snapshot of a store's counters: [method@Braid.CacheStore.get_stats].
 * The names are memcached's `stats`.
 */
typedef struct {
  gdouble uptime;
  guint64 entries;
  guint64 bytes;
  guint64 limit;
  guint64 hits;
  guint64 misses;
  guint64 evictions;
  guint64 expired;
  guint64 total_items;
  guint64 cmd_get;
  guint64 cmd_set;
  guint64 cmd_touch;
  guint64 touch_hits;
  guint64 touch_misses;
  guint64 delete_hits;
  guint64 delete_misses;
  guint64 incr_hits;
  guint64 incr_misses;
  guint64 decr_hits;
  guint64 decr_misses;
  guint64 cas_hits;
  guint64 cas_misses;
  guint64 cas_badval;
} BraidCacheStats;

/**
 * BraidCacheForeachFunc:
 * @key: the key (NUL-terminated)
 * @value: the value
 * @len: its length
 * @flags: its flags
 * @user_data: what was given to [method@Braid.CacheStore.foreach]
 *
 * Called for each live item, most recently used first.
 */
typedef void (*BraidCacheForeachFunc) (const char   *key,
                                       const guint8 *value,
                                       gsize         len,
                                       guint32       flags,
                                       gpointer      user_data);

#define BRAID_TYPE_CACHE_STORE (braid_cache_store_get_type ())
G_DECLARE_FINAL_TYPE (BraidCacheStore, braid_cache_store, BRAID, CACHE_STORE, GObject)

BraidCacheStore  *braid_cache_store_new               (BraidClock      *clock,
                                                       gsize            memory_limit);
BraidClock       *braid_cache_store_get_clock         (BraidCacheStore *self);
gsize             braid_cache_store_get_memory_limit  (BraidCacheStore *self);
void              braid_cache_store_set_max_item_size (BraidCacheStore *self,
                                                       gsize            max_item_size);
gsize             braid_cache_store_get_max_item_size (BraidCacheStore *self);
void              braid_cache_store_set_unix_time     (BraidCacheStore *self,
                                                       gint64           unix_time);
gint64            braid_cache_store_get_unix_time     (BraidCacheStore *self);
gboolean          braid_cache_store_valid_key         (const char      *key,
                                                       gsize            len);
BraidCacheResult  braid_cache_store_store             (BraidCacheStore *self,
                                                       BraidCacheMode   mode,
                                                       const char      *key,
                                                       gsize            key_len,
                                                       guint32          flags,
                                                       gint64           exptime,
                                                       const guint8    *data,
                                                       gsize            len,
                                                       guint64          cas);
const guint8     *braid_cache_store_lookup            (BraidCacheStore *self,
                                                       const char      *key,
                                                       gsize            key_len,
                                                       gsize           *len,
                                                       guint32         *flags,
                                                       guint64         *cas);
BraidCacheResult  braid_cache_store_delete            (BraidCacheStore *self,
                                                       const char      *key,
                                                       gsize            key_len);
BraidCacheResult  braid_cache_store_touch             (BraidCacheStore *self,
                                                       const char      *key,
                                                       gsize            key_len,
                                                       gint64           exptime);
BraidCacheResult  braid_cache_store_incr              (BraidCacheStore *self,
                                                       const char      *key,
                                                       gsize            key_len,
                                                       gboolean         incr,
                                                       guint64          delta,
                                                       guint64         *value);
void              braid_cache_store_flush_all         (BraidCacheStore *self,
                                                       gint64           delay);
guint             braid_cache_store_get_count         (BraidCacheStore *self);
void              braid_cache_store_foreach           (BraidCacheStore *self,
                                                       BraidCacheForeachFunc func,
                                                       gpointer         user_data);
void              braid_cache_store_get_stats         (BraidCacheStore *self,
                                                       BraidCacheStats *stats);
void              braid_cache_store_reset_stats       (BraidCacheStore *self);

G_END_DECLS
