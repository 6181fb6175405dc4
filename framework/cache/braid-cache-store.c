/* braid-cache-store.c: memcached's item store -- a hash table of items with
 * an intrusive LRU list, bounded in bytes, expiring on a BraidClock. */
#include "config.h"

#include <string.h>

#include "cache/braid-cache-store-private.h"
#include "time/braid-delayed-call.h"

/* memcached: an exptime larger than this many seconds is a unix time. */
#define RELATIVE_EXPTIME_MAX (60 * 60 * 24 * 30)

typedef struct _Item Item;

/* One item, in one allocation: the header, the key and its NUL, the value.
 * The hash table's key is the item's own key, so nothing is copied twice. */
struct _Item
{
  Item *newer;        /* the LRU list: head is the most recently used */
  Item *older;
  gdouble expires;    /* on the store's clock; 0 = never */
  guint64 cas;
  guint32 flags;
  guint32 len;        /* of the value */
  guint8 key_len;
  char data[];        /* key, NUL, value */
};

#define ITEM_KEY(item) ((item)->data)
#define ITEM_VALUE(item) ((guint8 *) (item)->data + (item)->key_len + 1)

struct _BraidCacheStore
{
  GObject parent_instance;

  BraidClock *clock;
  GHashTable *items;          /* key (in the item) → Item */
  Item *newest;
  Item *oldest;
  gsize limit;
  gsize max_item_size;
  gsize used;
  guint64 next_cas;
  gdouble started;            /* clock time at creation */
  gdouble unix_offset;        /* unix time = clock time + unix_offset */
  BraidDelayedCall *flush;    /* a pending flush_all delay, owned */
  BraidCacheStats stats;
};

/**
 * BraidCacheStore:
 *
 * The items of a memcached-compatible cache: a key of at most
 * %BRAID_CACHE_MAX_KEY_LENGTH bytes maps to a value, 32-bit flags, an
 * expiry time and a 64-bit cas unique. The store is bounded in bytes: each
 * item counts its key, its value and %BRAID_CACHE_ITEM_OVERHEAD, and when
 * a new item does not fit the least recently used items are evicted
 * (`stats.evictions`). Reading, storing and touching an item makes it the
 * most recently used.
 *
 * Times are memcached's exptime: 0 never expires, a negative one has
 * already expired, up to 30 days (2592000 s) is relative to now, larger is
 * a unix time. "Now" is the store's [iface@Braid.Clock], so a test on a
 * [class@Braid.FakeClock] moves time without sleeping; the unix time
 * matching the clock's is taken from the system once, when the store is
 * made, and a test sets it with [method@Braid.CacheStore.set_unix_time].
 *
 * Expired items are reclaimed when they are next looked at, or evicted by
 * the LRU order like any other (memcached also reclaims them in a
 * background crawler; the store has none, so an expired item nobody asks
 * for holds its memory until it is the oldest). The store is the memory
 * of [class@Braid.CacheServerFactory]; it has no notion of connections, so
 * a program can use it directly.
 */
G_DEFINE_FINAL_TYPE (BraidCacheStore, braid_cache_store, G_TYPE_OBJECT)

static gsize
item_size (gsize key_len, gsize len)
{
  return BRAID_CACHE_ITEM_OVERHEAD + key_len + len;
}

static void
lru_unlink (BraidCacheStore *self, Item *item)
{
  if (item->newer != NULL)
    item->newer->older = item->older;
  else
    self->newest = item->older;
  if (item->older != NULL)
    item->older->newer = item->newer;
  else
    self->oldest = item->newer;
  item->newer = item->older = NULL;
}

static void
lru_push (BraidCacheStore *self, Item *item)
{
  item->older = self->newest;
  item->newer = NULL;
  if (self->newest != NULL)
    self->newest->newer = item;
  else
    self->oldest = item;
  self->newest = item;
}

static void
lru_bump (BraidCacheStore *self, Item *item)
{
  if (self->newest != item)
    {
      lru_unlink (self, item);
      lru_push (self, item);
    }
}

/* Unlinks and frees @item. */
static void
item_remove (BraidCacheStore *self, Item *item)
{
  g_hash_table_steal (self->items, ITEM_KEY (item));
  lru_unlink (self, item);
  self->used -= item_size (item->key_len, item->len);
  g_free (item);
}

static gboolean
item_expired (BraidCacheStore *self, Item *item, gdouble now)
{
  return item->expires != 0 && item->expires <= now;
}

static gdouble
now_of (BraidCacheStore *self)
{
  return braid_clock_seconds (self->clock);
}

/* The clock time an exptime means; 0 for never, a time already past for
 * expired (memcached's realtime()). */
static gdouble
expires_from_exptime (BraidCacheStore *self, gint64 exptime, gdouble now)
{
  if (exptime == 0)
    return 0;
  if (exptime < 0)
    return now - 1;
  if (exptime > RELATIVE_EXPTIME_MAX)
    {
      gdouble at = (gdouble) exptime - self->unix_offset;

      return at <= now ? now - 1 : at;
    }
  return now + (gdouble) exptime;
}

/* The live item of @key, or NULL; an expired one is reclaimed. */
static Item *
find (BraidCacheStore *self, const char *key, gsize key_len, gdouble now)
{
  char buffer[BRAID_CACHE_MAX_KEY_LENGTH + 1];
  Item *item;

  if (key_len > BRAID_CACHE_MAX_KEY_LENGTH)
    return NULL;
  memcpy (buffer, key, key_len);
  buffer[key_len] = '\0';
  item = g_hash_table_lookup (self->items, buffer);
  if (item != NULL && item_expired (self, item, now))
    {
      self->stats.expired++;
      item_remove (self, item);
      return NULL;
    }
  return item;
}

/* Makes room for @size bytes, evicting from the old end. */
static void
make_room (BraidCacheStore *self, gsize size, gdouble now)
{
  while (self->oldest != NULL && self->used + size > self->limit)
    {
      if (item_expired (self, self->oldest, now))
        self->stats.expired++;
      else
        self->stats.evictions++;
      item_remove (self, self->oldest);
    }
}

static Item *
item_new (const char *key, gsize key_len, gsize len)
{
  Item *item = g_malloc (sizeof (Item) + key_len + 1 + len);

  item->newer = item->older = NULL;
  item->key_len = key_len;
  item->len = len;
  memcpy (item->data, key, key_len);
  item->data[key_len] = '\0';
  return item;
}

/* Puts @item in the table in place of @old (which may be NULL, else has
 * the same key). @old leaves the LRU list first, so making room never
 * evicts it; then one hash table replace swaps both the key (which lives
 * in the item) and the value, rather than a steal and an insert. */
static void
link_item (BraidCacheStore *self, Item *item, Item *old, gdouble now)
{
  gsize size = item_size (item->key_len, item->len);

  if (old != NULL)
    {
      lru_unlink (self, old);
      self->used -= item_size (old->key_len, old->len);
    }
  make_room (self, size, now);
  item->cas = ++self->next_cas;
  g_hash_table_replace (self->items, ITEM_KEY (item), item);
  g_free (old);
  lru_push (self, item);
  self->used += size;
  self->stats.total_items++;
}

static void
braid_cache_store_finalize (GObject *object)
{
  BraidCacheStore *self = BRAID_CACHE_STORE (object);

  if (self->flush != NULL)
    {
      braid_delayed_call_cancel (self->flush, NULL);
      braid_delayed_call_unref (self->flush);
    }
  while (self->oldest != NULL)
    item_remove (self, self->oldest);
  g_hash_table_unref (self->items);
  g_object_unref (self->clock);
  G_OBJECT_CLASS (braid_cache_store_parent_class)->finalize (object);
}

static void
braid_cache_store_class_init (BraidCacheStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_cache_store_finalize;
}

static void
braid_cache_store_init (BraidCacheStore *self)
{
  self->items = g_hash_table_new (g_str_hash, g_str_equal);
  self->max_item_size = BRAID_CACHE_DEFAULT_MAX_ITEM_SIZE;
}

/**
 * braid_cache_store_new:
 * @clock: the clock that says when items expire (the reactor, or a fake
 *   clock in tests)
 * @memory_limit: the bytes the items may take, overhead included
 *
 * Makes an empty store.
 *
 * Returns: (transfer full): the store
 */
BraidCacheStore *
braid_cache_store_new (BraidClock *clock, gsize memory_limit)
{
  BraidCacheStore *self;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);

  self = g_object_new (BRAID_TYPE_CACHE_STORE, NULL);
  self->clock = g_object_ref (clock);
  self->limit = memory_limit;
  self->started = now_of (self);
  self->unix_offset = g_get_real_time () / (gdouble) G_USEC_PER_SEC - self->started;
  return self;
}

/**
 * braid_cache_store_get_clock:
 * @self: a store
 *
 * The clock the store's times are on.
 *
 * Returns: (transfer none): the clock
 */
BraidClock *
braid_cache_store_get_clock (BraidCacheStore *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), NULL);
  return self->clock;
}

/**
 * braid_cache_store_get_memory_limit:
 * @self: a store
 *
 * The bytes the items may take.
 *
 * Returns: the memory limit
 */
gsize
braid_cache_store_get_memory_limit (BraidCacheStore *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), 0);
  return self->limit;
}

/**
 * braid_cache_store_set_max_item_size:
 * @self: a store
 * @max_item_size: the largest item, key, value and overhead together
 *
 * Sets the largest item the store takes (memcached's `-I`); a larger one
 * is refused with %BRAID_CACHE_TOO_LARGE.
 */
void
braid_cache_store_set_max_item_size (BraidCacheStore *self, gsize max_item_size)
{
  g_return_if_fail (BRAID_IS_CACHE_STORE (self));
  self->max_item_size = max_item_size;
}

/**
 * braid_cache_store_get_max_item_size:
 * @self: a store
 *
 * The largest item the store takes.
 *
 * Returns: the size, in bytes, key, value and overhead together
 */
gsize
braid_cache_store_get_max_item_size (BraidCacheStore *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), 0);
  return self->max_item_size;
}

/**
 * braid_cache_store_set_unix_time:
 * @self: a store
 * @unix_time: the unix time it is now
 *
 * Says which unix time the clock's "now" is, for exptimes given as unix
 * times (over 30 days). The store reads the system's time when it is made;
 * a test on a fake clock sets it.
 */
void
braid_cache_store_set_unix_time (BraidCacheStore *self, gint64 unix_time)
{
  g_return_if_fail (BRAID_IS_CACHE_STORE (self));
  self->unix_offset = (gdouble) unix_time - now_of (self);
}

/**
 * braid_cache_store_get_unix_time:
 * @self: a store
 *
 * The unix time it is now, by the store's clock (`stats` `time`).
 *
 * Returns: seconds since 1970
 */
gint64
braid_cache_store_get_unix_time (BraidCacheStore *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), 0);
  return (gint64) (now_of (self) + self->unix_offset);
}

/**
 * braid_cache_store_valid_key:
 * @key: (array length=len): the key
 * @len: its length
 *
 * Whether @key is a memcached key: 1 to %BRAID_CACHE_MAX_KEY_LENGTH bytes,
 * none of them a control character or a space.
 *
 * Returns: %TRUE for a valid key
 */
gboolean
braid_cache_store_valid_key (const char *key, gsize len)
{
  if (len == 0 || len > BRAID_CACHE_MAX_KEY_LENGTH)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) key[i] <= ' ' || (guchar) key[i] == 0x7f)
      return FALSE;
  return TRUE;
}

/**
 * braid_cache_store_store:
 * @self: a store
 * @mode: set, add, replace, append, prepend or cas
 * @key: (array length=key_len): a valid key ([func@Braid.CacheStore.valid_key])
 * @key_len: its length
 * @flags: the client's flags, returned with the value
 * @exptime: when it expires (memcached's exptime, see [class@Braid.CacheStore])
 * @data: (array length=len): the value
 * @len: its length
 * @cas: for %BRAID_CACHE_MODE_CAS, the cas unique the client read
 *
 * Stores a value, as memcached's storage commands do. Append and prepend
 * keep the present item's flags and expiry time. A set too large for the
 * store also deletes what the key held, as memcached does, so a reader
 * never sees the stale value.
 *
 * Returns: %BRAID_CACHE_STORED, %BRAID_CACHE_NOT_STORED,
 *   %BRAID_CACHE_EXISTS, %BRAID_CACHE_NOT_FOUND or %BRAID_CACHE_TOO_LARGE
 */
BraidCacheResult
braid_cache_store_store (BraidCacheStore *self,
                         BraidCacheMode   mode,
                         const char      *key,
                         gsize            key_len,
                         guint32          flags,
                         gint64           exptime,
                         const guint8    *data,
                         gsize            len,
                         guint64          cas)
{
  gdouble now;
  Item *old;
  Item *item;
  gsize total;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), BRAID_CACHE_NOT_STORED);
  g_return_val_if_fail (braid_cache_store_valid_key (key, key_len), BRAID_CACHE_NOT_STORED);

  now = now_of (self);
  self->stats.cmd_set++;
  old = find (self, key, key_len, now);

  switch (mode)
    {
    case BRAID_CACHE_MODE_ADD:
      if (old != NULL)
        {
          lru_bump (self, old);   /* memcached: a failed add refreshes the item */
          return BRAID_CACHE_NOT_STORED;
        }
      break;
    case BRAID_CACHE_MODE_REPLACE:
    case BRAID_CACHE_MODE_APPEND:
    case BRAID_CACHE_MODE_PREPEND:
      if (old == NULL)
        return BRAID_CACHE_NOT_STORED;
      break;
    case BRAID_CACHE_MODE_CAS:
      if (old == NULL)
        {
          self->stats.cas_misses++;
          return BRAID_CACHE_NOT_FOUND;
        }
      if (old->cas != cas)
        {
          self->stats.cas_badval++;
          return BRAID_CACHE_EXISTS;
        }
      self->stats.cas_hits++;
      break;
    case BRAID_CACHE_MODE_SET:
    default:
      break;
    }

  total = len;
  if (mode == BRAID_CACHE_MODE_APPEND || mode == BRAID_CACHE_MODE_PREPEND)
    total += old->len;
  if (total > G_MAXUINT32 || item_size (key_len, total) > self->max_item_size
      || item_size (key_len, total) > self->limit)
    {
      if (mode == BRAID_CACHE_MODE_SET && old != NULL)
        item_remove (self, old);
      return BRAID_CACHE_TOO_LARGE;
    }

  item = item_new (key, key_len, total);
  if (mode == BRAID_CACHE_MODE_APPEND)
    {
      memcpy (ITEM_VALUE (item), ITEM_VALUE (old), old->len);
      memcpy (ITEM_VALUE (item) + old->len, data, len);
    }
  else if (mode == BRAID_CACHE_MODE_PREPEND)
    {
      memcpy (ITEM_VALUE (item), data, len);
      memcpy (ITEM_VALUE (item) + len, ITEM_VALUE (old), old->len);
    }
  else
    memcpy (ITEM_VALUE (item), data, len);

  if (mode == BRAID_CACHE_MODE_APPEND || mode == BRAID_CACHE_MODE_PREPEND)
    {
      item->flags = old->flags;
      item->expires = old->expires;
    }
  else
    {
      item->flags = flags;
      item->expires = expires_from_exptime (self, exptime, now);
    }
  link_item (self, item, old, now);
  return BRAID_CACHE_STORED;
}

/**
 * braid_cache_store_lookup:
 * @self: a store
 * @key: (array length=key_len): the key
 * @key_len: its length
 * @len: (out): the value's length
 * @flags: (out) (optional): its flags
 * @cas: (out) (optional): its cas unique
 *
 * Looks up @key, as `get` and `gets` do: counts a hit or a miss and makes
 * a found item the most recently used.
 *
 * Returns: (transfer none) (nullable) (array length=len): the value,
 *   valid until the store next changes, or %NULL when the key is absent
 *   or has expired
 */
const guint8 *
braid_cache_store_lookup (BraidCacheStore *self,
                          const char      *key,
                          gsize            key_len,
                          gsize           *len,
                          guint32         *flags,
                          guint64         *cas)
{
  Item *item;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), NULL);
  g_return_val_if_fail (len != NULL, NULL);

  self->stats.cmd_get++;
  item = find (self, key, key_len, now_of (self));
  if (item == NULL)
    {
      self->stats.misses++;
      *len = 0;
      return NULL;
    }
  self->stats.hits++;
  lru_bump (self, item);
  *len = item->len;
  if (flags != NULL)
    *flags = item->flags;
  if (cas != NULL)
    *cas = item->cas;
  return ITEM_VALUE (item);
}

/**
 * braid_cache_store_delete:
 * @self: a store
 * @key: (array length=key_len): the key
 * @key_len: its length
 *
 * Deletes @key.
 *
 * Returns: %BRAID_CACHE_DELETED or %BRAID_CACHE_NOT_FOUND
 */
BraidCacheResult
braid_cache_store_delete (BraidCacheStore *self, const char *key, gsize key_len)
{
  Item *item;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), BRAID_CACHE_NOT_FOUND);

  item = find (self, key, key_len, now_of (self));
  if (item == NULL)
    {
      self->stats.delete_misses++;
      return BRAID_CACHE_NOT_FOUND;
    }
  self->stats.delete_hits++;
  item_remove (self, item);
  return BRAID_CACHE_DELETED;
}

void
braid_cache_store_drop (BraidCacheStore *self, const char *key, gsize key_len)
{
  Item *item = find (self, key, key_len, now_of (self));

  if (item != NULL)
    item_remove (self, item);
}

/**
 * braid_cache_store_touch:
 * @self: a store
 * @key: (array length=key_len): the key
 * @key_len: its length
 * @exptime: its new expiry time (memcached's exptime)
 *
 * Changes when @key expires, without reading or changing its value.
 *
 * Returns: %BRAID_CACHE_TOUCHED or %BRAID_CACHE_NOT_FOUND
 */
BraidCacheResult
braid_cache_store_touch (BraidCacheStore *self, const char *key, gsize key_len, gint64 exptime)
{
  gdouble now;
  Item *item;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), BRAID_CACHE_NOT_FOUND);

  now = now_of (self);
  self->stats.cmd_touch++;
  item = find (self, key, key_len, now);
  if (item == NULL)
    {
      self->stats.touch_misses++;
      return BRAID_CACHE_NOT_FOUND;
    }
  self->stats.touch_hits++;
  item->expires = expires_from_exptime (self, exptime, now);
  lru_bump (self, item);
  return BRAID_CACHE_TOUCHED;
}

/* The value as memcached's incr reads it: optional leading spaces, digits,
 * then only spaces (what incr's padding leaves) up to the end. */
static gboolean
parse_counter (const guint8 *data, gsize len, guint64 *value)
{
  gsize i = 0;
  guint64 result = 0;
  gboolean digits = FALSE;

  while (i < len && data[i] == ' ')
    i++;
  for (; i < len && g_ascii_isdigit (data[i]); i++)
    {
      guint digit = data[i] - '0';

      if (result > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      result = result * 10 + digit;
      digits = TRUE;
    }
  for (; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;
  *value = result;
  return digits;
}

/**
 * braid_cache_store_incr:
 * @self: a store
 * @key: (array length=key_len): the key
 * @key_len: its length
 * @incr: %TRUE to add @delta, %FALSE to subtract it
 * @delta: how much
 * @value: (out): the new value
 *
 * memcached's `incr` and `decr`: the value is read as an unsigned 64-bit
 * decimal number; incr wraps around at 2^64, decr stops at 0. A result
 * shorter than the old value is padded with spaces to the old length (as
 * memcached, which rewrites the value in place); a longer one grows the
 * item. Flags and expiry time are kept; the cas unique changes.
 *
 * Returns: %BRAID_CACHE_OK, %BRAID_CACHE_NOT_FOUND or
 *   %BRAID_CACHE_NON_NUMERIC
 */
BraidCacheResult
braid_cache_store_incr (BraidCacheStore *self,
                        const char      *key,
                        gsize            key_len,
                        gboolean         incr,
                        guint64          delta,
                        guint64         *value)
{
  gdouble now;
  Item *item;
  guint64 number;
  char text[24];
  gsize text_len;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), BRAID_CACHE_NOT_FOUND);
  g_return_val_if_fail (value != NULL, BRAID_CACHE_NOT_FOUND);

  now = now_of (self);
  item = find (self, key, key_len, now);
  if (item == NULL)
    {
      if (incr)
        self->stats.incr_misses++;
      else
        self->stats.decr_misses++;
      return BRAID_CACHE_NOT_FOUND;
    }
  if (!parse_counter (ITEM_VALUE (item), item->len, &number))
    return BRAID_CACHE_NON_NUMERIC;
  if (incr)
    {
      self->stats.incr_hits++;
      number += delta;
    }
  else
    {
      self->stats.decr_hits++;
      number = delta > number ? 0 : number - delta;
    }
  *value = number;
  text_len = g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, number);
  lru_bump (self, item);
  if (text_len <= item->len)
    {
      memcpy (ITEM_VALUE (item), text, text_len);
      memset (ITEM_VALUE (item) + text_len, ' ', item->len - text_len);
      item->cas = ++self->next_cas;
    }
  else
    {
      Item *grown = item_new (ITEM_KEY (item), item->key_len, text_len);

      memcpy (ITEM_VALUE (grown), text, text_len);
      grown->flags = item->flags;
      grown->expires = item->expires;
      link_item (self, grown, item, now);
      self->stats.total_items--;   /* the same item, grown */
    }
  return BRAID_CACHE_OK;
}

static void
flush_now (BraidCacheStore *self)
{
  while (self->oldest != NULL)
    item_remove (self, self->oldest);
}

static void
on_flush_due (gpointer user_data)
{
  BraidCacheStore *self = user_data;

  g_clear_pointer (&self->flush, braid_delayed_call_unref);
  flush_now (self);
}

/**
 * braid_cache_store_flush_all:
 * @self: a store
 * @delay: 0 (or less) for now, else when (memcached's exptime: seconds
 *   from now up to 30 days, a unix time beyond)
 *
 * Removes every item, now or after @delay; a later call replaces a
 * pending delay, as memcached's `flush_all`. Items stored after the delayed
 * flush has run are kept.
 */
void
braid_cache_store_flush_all (BraidCacheStore *self, gint64 delay)
{
  gdouble now;
  gdouble at;

  g_return_if_fail (BRAID_IS_CACHE_STORE (self));

  if (self->flush != NULL)
    {
      braid_delayed_call_cancel (self->flush, NULL);
      g_clear_pointer (&self->flush, braid_delayed_call_unref);
    }
  now = now_of (self);
  at = delay > 0 ? expires_from_exptime (self, delay, now) : now;
  if (at <= now)
    {
      flush_now (self);
      return;
    }
  self->flush = braid_delayed_call_ref (braid_clock_call_later (self->clock, at - now,
                                                                on_flush_due, self, NULL));
}

/**
 * braid_cache_store_get_count:
 * @self: a store
 *
 * The number of items held, expired ones not yet reclaimed included.
 *
 * Returns: the count
 */
guint
braid_cache_store_get_count (BraidCacheStore *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_STORE (self), 0);
  return g_hash_table_size (self->items);
}

/**
 * braid_cache_store_foreach:
 * @self: a store
 * @func: (scope call): called for each live item, most recently used first
 * @user_data: (closure func): passed to @func
 *
 * Visits the items that have not expired, without counting hits or
 * changing their order. @func must not change the store.
 */
void
braid_cache_store_foreach (BraidCacheStore *self, BraidCacheForeachFunc func, gpointer user_data)
{
  gdouble now;

  g_return_if_fail (BRAID_IS_CACHE_STORE (self));
  g_return_if_fail (func != NULL);

  now = now_of (self);
  for (Item *item = self->newest; item != NULL; item = item->older)
    if (!item_expired (self, item, now))
      func (ITEM_KEY (item), ITEM_VALUE (item), item->len, item->flags, user_data);
}

/**
 * braid_cache_store_get_stats:
 * @self: a store
 * @stats: (out caller-allocates): filled with the counters
 *
 * The store's counters, in one call: what memcached's `stats` and a status
 * page show (uptime, entries, bytes, hits, misses, evictions…).
 */
void
braid_cache_store_get_stats (BraidCacheStore *self, BraidCacheStats *stats)
{
  g_return_if_fail (BRAID_IS_CACHE_STORE (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  stats->uptime = now_of (self) - self->started;
  stats->entries = g_hash_table_size (self->items);
  stats->bytes = self->used;
  stats->limit = self->limit;
}

/**
 * braid_cache_store_reset_stats:
 * @self: a store
 *
 * Sets the counters back to zero (memcached's `stats reset`); the items,
 * their bytes and the uptime are not counters and stay.
 */
void
braid_cache_store_reset_stats (BraidCacheStore *self)
{
  g_return_if_fail (BRAID_IS_CACHE_STORE (self));
  memset (&self->stats, 0, sizeof self->stats);
}
