/* pycached.c: lesson 13, the seeds' PyCached -- a key-value cache with a
 * line protocol (version, count, clear, items, status, get, set, delete),
 * on a BraidLineReceiver. Its memory is a BraidCacheStore: entries with a
 * time to live on the factory's clock, bounded in bytes with LRU eviction. */
#include <string.h>

#include "pycached.h"

struct _PycachedFactory
{
  BraidFactory parent_instance;
  BraidCacheStore *store;
};

G_DEFINE_FINAL_TYPE (PycachedFactory, pycached_factory, BRAID_TYPE_FACTORY)

struct _PycachedProtocol
{
  BraidLineReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (PycachedProtocol, pycached_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
pycached_factory_finalize (GObject *object)
{
  g_clear_object (&PYCACHED_FACTORY (object)->store);
  G_OBJECT_CLASS (pycached_factory_parent_class)->finalize (object);
}

static void
pycached_factory_class_init (PycachedFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pycached_factory_finalize;
}

static void
pycached_factory_init (PycachedFactory *self)
{
}

/* The factory keeps the store: every connection sees the same entries. */
PycachedFactory *
pycached_factory_new (BraidCacheStore *store)
{
  PycachedFactory *self = g_object_new (PYCACHED_TYPE_FACTORY,
                                        "protocol-type", PYCACHED_TYPE_PROTOCOL, NULL);

  self->store = g_object_ref (store);
  braid_factory_set_clock (BRAID_FACTORY (self), braid_cache_store_get_clock (store));
  return self;
}

BraidCacheStore *
pycached_factory_get_store (PycachedFactory *self)
{
  return self->store;
}

BraidCacheStore *
pycached_protocol_get_store (PycachedProtocol *self)
{
  return PYCACHED_FACTORY (braid_protocol_get_factory (BRAID_PROTOCOL (self)))->store;
}

void
pycached_protocol_reply (PycachedProtocol *self, const char *line)
{
  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (self), line);
}

static void
send_item (const char *key, const guint8 *value, gsize len, guint32 flags, gpointer user_data)
{
  g_autofree char *line = g_strdup_printf ("%s %.*s", key, (int) len, value);

  pycached_protocol_reply (user_data, line);
}

/* "set KEY VALUE [SECONDS]": VALUE is one word; SECONDS, if given, is its
 * time to live. */
static void
set_command (PycachedProtocol *self, const char *arguments)
{
  g_auto (GStrv) words = g_strsplit (arguments, " ", -1);
  guint n = g_strv_length (words);
  guint64 ttl = 0;

  if (n < 2 || n > 3 || !braid_cache_store_valid_key (words[0], strlen (words[0]))
      || (n == 3 && !g_ascii_string_to_unsigned (words[2], 10, 1, 2592000, &ttl, NULL)))
    {
      pycached_protocol_reply (self, "ERROR usage: set KEY VALUE [SECONDS]");
      return;
    }
  if (braid_cache_store_store (pycached_protocol_get_store (self), BRAID_CACHE_MODE_SET,
                               words[0], strlen (words[0]), 0, (gint64) ttl,
                               (const guint8 *) words[1], strlen (words[1]), 0) != BRAID_CACHE_STORED)
    {
      pycached_protocol_reply (self, "ERROR too large");
      return;
    }
  pycached_protocol_reply (self, "OK");
}

static void
pycached_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  PycachedProtocol *self = PYCACHED_PROTOCOL (receiver);
  BraidCacheStore *store = pycached_protocol_get_store (self);
  const char *space = strchr (line, ' ');
  g_autofree char *command = space != NULL ? g_strndup (line, space - line) : g_strdup (line);
  const char *arguments = space != NULL ? space + 1 : "";

  if (strcmp (command, "version") == 0)
    pycached_protocol_reply (self, PYCACHED_VERSION);
  else if (strcmp (command, "count") == 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", braid_cache_store_get_count (store));

      pycached_protocol_reply (self, count);
    }
  else if (strcmp (command, "clear") == 0)
    {
      braid_cache_store_flush_all (store, 0);
      pycached_protocol_reply (self, "OK");
    }
  else if (strcmp (command, "items") == 0)
    {
      braid_cache_store_foreach (store, send_item, self);
      pycached_protocol_reply (self, "END");
    }
  else if (strcmp (command, "status") == 0)
    {
      BraidCacheStats stats;
      g_autofree char *status = NULL;

      braid_cache_store_get_stats (store, &stats);
      status = g_strdup_printf ("uptime %.0f", stats.uptime);
      pycached_protocol_reply (self, status);
    }
  else if (strcmp (command, "get") == 0)
    {
      gsize value_len;
      const guint8 *value = braid_cache_store_lookup (store, arguments, strlen (arguments),
                                                      &value_len, NULL, NULL);
      g_autofree char *text = value != NULL ? g_strndup ((const char *) value, value_len) : NULL;

      pycached_protocol_reply (self, text != NULL ? text : "NOT FOUND");
    }
  else if (strcmp (command, "set") == 0)
    set_command (self, arguments);
  else if (strcmp (command, "delete") == 0)
    pycached_protocol_reply (self, braid_cache_store_delete (store, arguments, strlen (arguments))
                                   == BRAID_CACHE_DELETED ? "DELETED" : "NOT FOUND");
  else if (strcmp (command, "incr") == 0)
    pycached_incr_command (self, arguments);
  else
    {
      g_autofree char *error = g_strdup_printf ("ERROR unknown command: %s", command);

      pycached_protocol_reply (self, error);
    }
}

static void
pycached_protocol_class_init (PycachedProtocolClass *klass)
{
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = pycached_protocol_line_received;
  braid_protocol_class_set_factory_type (BRAID_PROTOCOL_CLASS (klass), PYCACHED_TYPE_FACTORY);
}

static void
pycached_protocol_init (PycachedProtocol *self)
{
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (self), 1024);
}
