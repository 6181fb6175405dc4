/* braid-cache-server.c: memcached's text protocol over a BraidCacheStore.
 *
 * The hot path: commands are parsed in place from the bytes data_received
 * is given (the reactor's read buffer); only a command cut by the end of a
 * read is copied, into a buffer the connection frees again once it is
 * complete. Replies to every command of one read go into the factory's one
 * output buffer and leave in one write. A get allocates nothing. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cache/braid-cache-server.h"
#include "cache/braid-cache-store-private.h"
#include "core/braid-transport.h"

#define MAX_TOKENS 8

typedef struct
{
  const char *s;
  gsize len;
} Token;

struct _BraidCacheServerFactory
{
  BraidFactory parent_instance;

  BraidCacheStore *store;
  GByteArray *out;            /* replies to one read, shared: one read at a time */
  guint connections;
  guint64 total_connections;
};

struct _BraidCacheServerProtocol
{
  BraidProtocol parent_instance;

  GByteArray *pending;        /* a command cut by the end of a read, or NULL */
  gsize need;                 /* the bytes that command needs, when known */
  gsize swallow;              /* bytes of a refused value still to discard */
  gboolean done;              /* quit, or closed for bad input */
  gboolean quit;              /* close once the replies are written */
};

/**
 * BraidCacheServerFactory:
 *
 * Serves a [class@Braid.CacheStore] with memcached's text protocol, so
 * memcached's clients and tools use it unchanged: `get` and `gets` (several
 * keys), `set`, `add`, `replace`, `append`, `prepend` and `cas` (flags,
 * exptime, `noreply`), `delete`, `incr` and `decr`, `touch`,
 * `flush_all [delay]`, `stats` (and `stats settings`, `stats reset`),
 * `version`, `verbosity` and `quit`, with memcached's replies and error
 * lines (`ERROR`, `CLIENT_ERROR …`, `SERVER_ERROR object too large for
 * cache`). The commands of the PyCached seed that memcached does not have
 * are there too: `count` (`COUNT n`), `items` (every live item, as `get`
 * shows them), `status` (`STATUS uptime SECONDS`) and `clear` (`OK`).
 *
 * Bad input: a command line longer than %BRAID_CACHE_MAX_LINE_LENGTH
 * (%BRAID_CACHE_MAX_GET_LINE_LENGTH for `get` and `gets`) closes the
 * connection with a logged reason, as memcached closes it; every other
 * mistake is answered with memcached's error line and the connection goes
 * on. docs/cache.md lists the deviations from memcached.
 *
 * Each connection is a [class@Braid.CacheServerProtocol]; all share the
 * factory's store.
 */
G_DEFINE_FINAL_TYPE (BraidCacheServerFactory, braid_cache_server_factory, BRAID_TYPE_FACTORY)

/**
 * BraidCacheServerProtocol:
 *
 * One connection to a [class@Braid.CacheServerFactory]. An idle connection
 * holds no buffer: only a command cut by the end of a read is kept, until
 * the rest arrives.
 */
G_DEFINE_FINAL_TYPE (BraidCacheServerProtocol, braid_cache_server_protocol, BRAID_TYPE_PROTOCOL)

/* --- replies ------------------------------------------------------------ */

static inline void
out_bytes (GByteArray *out, const void *data, gsize len)
{
  g_byte_array_append (out, data, len);
}

#define OUT(out, literal) out_bytes ((out), literal, sizeof literal - 1)

static void
out_uint (GByteArray *out, guint64 value)
{
  char text[24];
  gsize i = sizeof text;

  do
    {
      text[--i] = '0' + value % 10;
      value /= 10;
    }
  while (value != 0);
  out_bytes (out, text + i, sizeof text - i);
}

/* --- parsing ------------------------------------------------------------ */

/* The next space-separated token of @line from *@pos; FALSE at the end. */
static inline gboolean
next_token (const char *line, gsize len, gsize *pos, Token *token)
{
  gsize i = *pos;
  gsize start;

  while (i < len && line[i] == ' ')
    i++;
  if (i == len)
    {
      *pos = i;
      return FALSE;
    }
  start = i;
  while (i < len && line[i] != ' ')
    i++;
  token->s = line + start;
  token->len = i - start;
  *pos = i;
  return TRUE;
}

static guint
tokenize (const char *line, gsize len, Token *tokens, guint max)
{
  guint n = 0;
  gsize pos = 0;
  Token token;

  while (next_token (line, len, &pos, &token))
    {
      if (n == max)
        return max + 1;
      tokens[n++] = token;
    }
  return n;
}

/* Whether @line is a get or gets, whose line may be longer (any number of
 * keys). */
static inline gboolean
is_get_line (const char *line, gsize len)
{
  return (len >= 4 && memcmp (line, "get ", 4) == 0)
         || (len >= 5 && memcmp (line, "gets ", 5) == 0);
}

static gboolean
token_is (const Token *token, const char *word)
{
  gsize len = strlen (word);

  return token->len == len && memcmp (token->s, word, len) == 0;
}

static gboolean
parse_u64 (const Token *token, guint64 *value)
{
  guint64 result = 0;

  if (token->len == 0)
    return FALSE;
  for (gsize i = 0; i < token->len; i++)
    {
      guint digit;

      if (!g_ascii_isdigit (token->s[i]))
        return FALSE;
      digit = token->s[i] - '0';
      if (result > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      result = result * 10 + digit;
    }
  *value = result;
  return TRUE;
}

static gboolean
parse_i64 (const Token *token, gint64 *value)
{
  Token digits = *token;
  gboolean negative = FALSE;
  guint64 magnitude;

  if (digits.len > 0 && digits.s[0] == '-')
    {
      negative = TRUE;
      digits.s++;
      digits.len--;
    }
  if (!parse_u64 (&digits, &magnitude) || magnitude > G_MAXINT64)
    return FALSE;
  *value = negative ? -(gint64) magnitude : (gint64) magnitude;
  return TRUE;
}

static gboolean
is_noreply (const Token *tokens, guint n)
{
  return n > 0 && token_is (&tokens[n - 1], "noreply");
}

/* --- commands ----------------------------------------------------------- */

static void
do_get (BraidCacheServerFactory *factory, const char *line, gsize len, gboolean with_cas)
{
  GByteArray *out = factory->out;
  gsize pos = with_cas ? 4 : 3;
  gsize mark = out->len;
  gboolean any = FALSE;
  Token key;

  while (next_token (line, len, &pos, &key))
    {
      const guint8 *value;
      gsize value_len;
      guint32 flags;
      guint64 cas;

      any = TRUE;
      if (!braid_cache_store_valid_key (key.s, key.len))
        {
          g_byte_array_set_size (out, mark);
          OUT (out, "CLIENT_ERROR bad command line format\r\n");
          return;
        }
      value = braid_cache_store_lookup (factory->store, key.s, key.len,
                                        &value_len, &flags, &cas);
      if (value == NULL)
        continue;
      OUT (out, "VALUE ");
      out_bytes (out, key.s, key.len);
      OUT (out, " ");
      out_uint (out, flags);
      OUT (out, " ");
      out_uint (out, value_len);
      if (with_cas)
        {
          OUT (out, " ");
          out_uint (out, cas);
        }
      OUT (out, "\r\n");
      out_bytes (out, value, value_len);
      OUT (out, "\r\n");
    }
  if (!any)
    {
      OUT (out, "ERROR\r\n");
      return;
    }
  OUT (out, "END\r\n");
}

static void
out_result (GByteArray *out, BraidCacheResult result)
{
  switch (result)
    {
    case BRAID_CACHE_STORED: OUT (out, "STORED\r\n"); break;
    case BRAID_CACHE_NOT_STORED: OUT (out, "NOT_STORED\r\n"); break;
    case BRAID_CACHE_EXISTS: OUT (out, "EXISTS\r\n"); break;
    case BRAID_CACHE_NOT_FOUND: OUT (out, "NOT_FOUND\r\n"); break;
    case BRAID_CACHE_TOO_LARGE: OUT (out, "SERVER_ERROR object too large for cache\r\n"); break;
    case BRAID_CACHE_DELETED: OUT (out, "DELETED\r\n"); break;
    case BRAID_CACHE_TOUCHED: OUT (out, "TOUCHED\r\n"); break;
    case BRAID_CACHE_NON_NUMERIC:
    default:
      OUT (out, "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
      break;
    }
}

static void
out_stat (GByteArray *out, const char *name, guint64 value)
{
  OUT (out, "STAT ");
  out_bytes (out, name, strlen (name));
  OUT (out, " ");
  out_uint (out, value);
  OUT (out, "\r\n");
}

static void
do_stats (BraidCacheServerFactory *factory, const Token *tokens, guint n)
{
  GByteArray *out = factory->out;
  BraidCacheStats stats;

  braid_cache_store_get_stats (factory->store, &stats);
  if (n == 1)
    {
      out_stat (out, "pid", getpid ());
      out_stat (out, "uptime", (guint64) stats.uptime);
      out_stat (out, "time", braid_cache_store_get_unix_time (factory->store));
      OUT (out, "STAT version " BRAID_CACHE_SERVER_VERSION "\r\n");
      out_stat (out, "pointer_size", 8 * sizeof (gpointer));
      out_stat (out, "curr_connections", factory->connections);
      out_stat (out, "total_connections", factory->total_connections);
      out_stat (out, "cmd_get", stats.cmd_get);
      out_stat (out, "cmd_set", stats.cmd_set);
      out_stat (out, "cmd_touch", stats.cmd_touch);
      out_stat (out, "get_hits", stats.hits);
      out_stat (out, "get_misses", stats.misses);
      out_stat (out, "get_expired", stats.expired);
      out_stat (out, "delete_misses", stats.delete_misses);
      out_stat (out, "delete_hits", stats.delete_hits);
      out_stat (out, "incr_misses", stats.incr_misses);
      out_stat (out, "incr_hits", stats.incr_hits);
      out_stat (out, "decr_misses", stats.decr_misses);
      out_stat (out, "decr_hits", stats.decr_hits);
      out_stat (out, "cas_misses", stats.cas_misses);
      out_stat (out, "cas_hits", stats.cas_hits);
      out_stat (out, "cas_badval", stats.cas_badval);
      out_stat (out, "touch_hits", stats.touch_hits);
      out_stat (out, "touch_misses", stats.touch_misses);
      out_stat (out, "threads", 1);
      out_stat (out, "bytes", stats.bytes);
      out_stat (out, "curr_items", stats.entries);
      out_stat (out, "total_items", stats.total_items);
      out_stat (out, "evictions", stats.evictions);
      out_stat (out, "limit_maxbytes", stats.limit);
      OUT (out, "END\r\n");
    }
  else if (token_is (&tokens[1], "reset"))
    {
      braid_cache_store_reset_stats (factory->store);
      OUT (out, "RESET\r\n");
    }
  else if (token_is (&tokens[1], "settings"))
    {
      out_stat (out, "maxbytes", stats.limit);
      out_stat (out, "maxconns", 0);
      out_stat (out, "item_size_max", braid_cache_store_get_max_item_size (factory->store));
      OUT (out, "STAT evictions on\r\n");
      out_stat (out, "num_threads", 1);
      OUT (out, "END\r\n");
    }
  else if (token_is (&tokens[1], "items") || token_is (&tokens[1], "slabs")
           || token_is (&tokens[1], "sizes") || token_is (&tokens[1], "conns"))
    OUT (out, "END\r\n");
  else
    OUT (out, "ERROR\r\n");
}

static void
out_item (const char *key, const guint8 *value, gsize len, guint32 flags, gpointer user_data)
{
  GByteArray *out = user_data;

  OUT (out, "VALUE ");
  out_bytes (out, key, strlen (key));
  OUT (out, " ");
  out_uint (out, flags);
  OUT (out, " ");
  out_uint (out, len);
  OUT (out, "\r\n");
  out_bytes (out, value, len);
  OUT (out, "\r\n");
}

/* A storage command's line: the mode, its arguments. Returns FALSE (with
 * the reply written) when the line is bad. */
typedef struct
{
  BraidCacheMode mode;
  const Token *key;
  guint32 flags;
  gint64 exptime;
  gsize bytes;
  guint64 cas;
  gboolean noreply;
} Storage;

static gboolean
parse_storage (const Token *tokens, guint n, BraidCacheMode mode, Storage *storage)
{
  guint64 flags;
  gint64 bytes;

  storage->mode = mode;
  storage->key = &tokens[1];
  storage->noreply = is_noreply (tokens, n);
  storage->cas = 0;
  if (!braid_cache_store_valid_key (tokens[1].s, tokens[1].len)
      || !parse_u64 (&tokens[2], &flags) || flags > G_MAXUINT32
      || !parse_i64 (&tokens[3], &storage->exptime)
      || !parse_i64 (&tokens[4], &bytes) || bytes < 0 || bytes > G_MAXINT32 - 2
      || (mode == BRAID_CACHE_MODE_CAS && !parse_u64 (&tokens[5], &storage->cas)))
    return FALSE;
  storage->flags = flags;
  storage->bytes = bytes;
  return TRUE;
}

typedef enum {
  LINE_DONE,       /* consumed */
  LINE_NEED_MORE,  /* a storage command whose data has not all arrived */
  LINE_CLOSE,      /* quit */
} LineOutcome;

/* One command line (without its end of line); @after points past its
 * newline, with @available bytes there. For a storage command, *used is set
 * to the bytes of data consumed after the line. */
static LineOutcome
handle_line (BraidCacheServerProtocol *self,
             BraidCacheServerFactory  *factory,
             const char               *line,
             gsize                     len,
             const guint8             *after,
             gsize                     available,
             gsize                    *used)
{
  GByteArray *out = factory->out;
  BraidCacheStore *store = factory->store;
  Token tokens[MAX_TOKENS];
  guint n;
  gsize mark = out->len;
  gboolean noreply = FALSE;
  const Token *command;
  BraidCacheMode mode;

  *used = 0;
  /* The read commands first: get may have any number of keys. */
  if (is_get_line (line, len))
    {
      do_get (factory, line, len, line[3] == 's');
      return LINE_DONE;
    }

  n = tokenize (line, len, tokens, MAX_TOKENS);
  if (n == 0 || n > MAX_TOKENS)
    {
      OUT (out, "ERROR\r\n");
      return LINE_DONE;
    }
  command = &tokens[0];

  if (token_is (command, "set"))
    mode = BRAID_CACHE_MODE_SET;
  else if (token_is (command, "add"))
    mode = BRAID_CACHE_MODE_ADD;
  else if (token_is (command, "replace"))
    mode = BRAID_CACHE_MODE_REPLACE;
  else if (token_is (command, "append"))
    mode = BRAID_CACHE_MODE_APPEND;
  else if (token_is (command, "prepend"))
    mode = BRAID_CACHE_MODE_PREPEND;
  else if (token_is (command, "cas"))
    mode = BRAID_CACHE_MODE_CAS;
  else
    goto not_storage;

  {
    Storage storage;
    guint base = mode == BRAID_CACHE_MODE_CAS ? 6 : 5;
    BraidCacheResult result;

    if (n != base && n != base + 1)
      {
        OUT (out, "ERROR\r\n");
        return LINE_DONE;
      }
    if (!parse_storage (tokens, n, mode, &storage))
      {
        if (!is_noreply (tokens, n))
          OUT (out, "CLIENT_ERROR bad command line format\r\n");
        return LINE_DONE;
      }
    if (storage.bytes + BRAID_CACHE_ITEM_OVERHEAD + storage.key->len
        > braid_cache_store_get_max_item_size (store))
      {
        /* Refused before the data arrives; the data is discarded as it
         * comes, never buffered. The old value goes, as in
         * braid_cache_store_store(), without counting a delete. */
        if (mode == BRAID_CACHE_MODE_SET)
          braid_cache_store_drop (store, storage.key->s, storage.key->len);
        if (!storage.noreply)
          OUT (out, "SERVER_ERROR object too large for cache\r\n");
        self->swallow = storage.bytes + 2;
        return LINE_DONE;
      }
    if (available < storage.bytes + 2)
      {
        self->need = storage.bytes + 2;
        return LINE_NEED_MORE;
      }
    *used = storage.bytes + 2;
    if (after[storage.bytes] != '\r' || after[storage.bytes + 1] != '\n')
      {
        if (!storage.noreply)
          OUT (out, "CLIENT_ERROR bad data chunk\r\n");
        return LINE_DONE;
      }
    result = braid_cache_store_store (store, mode, storage.key->s, storage.key->len,
                                      storage.flags, storage.exptime,
                                      after, storage.bytes, storage.cas);
    if (!storage.noreply)
      out_result (out, result);
    return LINE_DONE;
  }

not_storage:
  /* memcached takes noreply on the commands that change something. */
  if (token_is (command, "delete") || token_is (command, "incr") || token_is (command, "decr")
      || token_is (command, "touch") || token_is (command, "flush_all")
      || token_is (command, "verbosity"))
    noreply = is_noreply (tokens, n);
  if (token_is (command, "delete"))
    {
      gboolean zero = n >= 3 && token_is (&tokens[2], "0");

      if (n < 2 || n > 4 || (n == 3 && !zero && !noreply) || (n == 4 && !(zero && noreply)))
        {
          if (n < 2 || n > 4)
            OUT (out, "ERROR\r\n");
          else
            OUT (out, "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
        }
      else if (!braid_cache_store_valid_key (tokens[1].s, tokens[1].len))
        OUT (out, "CLIENT_ERROR bad command line format\r\n");
      else
        out_result (out, braid_cache_store_delete (store, tokens[1].s, tokens[1].len));
    }
  else if (token_is (command, "incr") || token_is (command, "decr"))
    {
      guint64 delta;
      guint64 value;
      BraidCacheResult result;

      if (n != 3 && n != 4)
        OUT (out, "ERROR\r\n");
      else if (!braid_cache_store_valid_key (tokens[1].s, tokens[1].len))
        OUT (out, "CLIENT_ERROR bad command line format\r\n");
      else if (!parse_u64 (&tokens[2], &delta))
        OUT (out, "CLIENT_ERROR invalid numeric delta argument\r\n");
      else if ((result = braid_cache_store_incr (store, tokens[1].s, tokens[1].len,
                                                 command->s[0] == 'i', delta, &value)) == BRAID_CACHE_OK)
        {
          out_uint (out, value);
          OUT (out, "\r\n");
        }
      else
        out_result (out, result);
    }
  else if (token_is (command, "touch"))
    {
      gint64 exptime;

      if (n != 3 && n != 4)
        OUT (out, "ERROR\r\n");
      else if (!braid_cache_store_valid_key (tokens[1].s, tokens[1].len))
        OUT (out, "CLIENT_ERROR bad command line format\r\n");
      else if (!parse_i64 (&tokens[2], &exptime))
        OUT (out, "CLIENT_ERROR invalid exptime argument\r\n");
      else
        out_result (out, braid_cache_store_touch (store, tokens[1].s, tokens[1].len, exptime));
    }
  else if (token_is (command, "flush_all"))
    {
      gint64 delay = 0;

      if (n > 3)
        OUT (out, "ERROR\r\n");
      else if (n >= 2 && !(n == 2 && noreply) && !parse_i64 (&tokens[1], &delay))
        OUT (out, "CLIENT_ERROR invalid exptime argument\r\n");
      else
        {
          braid_cache_store_flush_all (store, delay);
          OUT (out, "OK\r\n");
        }
    }
  else if (token_is (command, "version"))
    OUT (out, "VERSION " BRAID_CACHE_SERVER_VERSION "\r\n");
  else if (token_is (command, "verbosity") && (n == 2 || n == 3))
    OUT (out, "OK\r\n");
  else if (token_is (command, "stats"))
    do_stats (factory, tokens, n);
  else if (token_is (command, "quit"))
    return LINE_CLOSE;
  /* PyCached's commands that memcached does not have. */
  else if (token_is (command, "count") && n == 1)
    {
      OUT (out, "COUNT ");
      out_uint (out, braid_cache_store_get_count (store));
      OUT (out, "\r\n");
    }
  else if (token_is (command, "items") && n == 1)
    {
      braid_cache_store_foreach (store, out_item, out);
      OUT (out, "END\r\n");
    }
  else if (token_is (command, "status") && n == 1)
    {
      BraidCacheStats stats;

      braid_cache_store_get_stats (store, &stats);
      OUT (out, "STATUS uptime ");
      out_uint (out, (guint64) stats.uptime);
      OUT (out, "\r\n");
    }
  else if (token_is (command, "clear") && n == 1)
    {
      braid_cache_store_flush_all (store, 0);
      OUT (out, "OK\r\n");
    }
  else
    {
      OUT (out, "ERROR\r\n");
      return LINE_DONE;
    }
  if (noreply)
    g_byte_array_set_size (out, mark);
  return LINE_DONE;
}

static void
reject (BraidCacheServerProtocol *self, const char *message)
{
  BraidProtocol *protocol = BRAID_PROTOCOL (self);
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, message);
  g_autofree char *peer = NULL;

  if (transport != NULL && braid_transport_get_peer (transport) != NULL)
    peer = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (braid_transport_get_peer (transport)));
  g_message ("%s: closing the connection from %s: %s",
             braid_protocol_get_log_prefix (protocol), peer != NULL ? peer : "(unknown peer)",
             message);
  self->done = TRUE;
  braid_protocol_abort_with_reason (protocol, reason);
}

/* Runs the commands in @data; returns how many bytes it consumed (the rest
 * is an incomplete command). */
static gsize
run_commands (BraidCacheServerProtocol *self,
              BraidCacheServerFactory  *factory,
              const guint8             *data,
              gsize                     len)
{
  gsize pos = 0;

  while (pos < len && !self->done)
    {
      const guint8 *newline;
      gsize line_len;
      gsize used;
      LineOutcome outcome;

      if (self->swallow > 0)
        {
          gsize take = MIN (self->swallow, len - pos);

          self->swallow -= take;
          pos += take;
          continue;
        }
      newline = memchr (data + pos, '\n', len - pos);
      if (newline == NULL)
        {
          gsize waiting = len - pos;
          gboolean get = is_get_line ((const char *) data + pos, waiting);

          if (waiting > (get ? BRAID_CACHE_MAX_GET_LINE_LENGTH : BRAID_CACHE_MAX_LINE_LENGTH))
            {
              reject (self, "command line too long");
              return len;
            }
          break;
        }
      line_len = newline - (data + pos);
      if (line_len > BRAID_CACHE_MAX_LINE_LENGTH)
        {
          /* The same limit whether the line came in one read or many. */
          if (!is_get_line ((const char *) data + pos, line_len)
              || line_len > BRAID_CACHE_MAX_GET_LINE_LENGTH)
            {
              reject (self, "command line too long");
              return len;
            }
        }
      if (line_len > 0 && newline[-1] == '\r')
        line_len--;
      outcome = handle_line (self, factory, (const char *) data + pos, line_len,
                             newline + 1, len - (newline + 1 - data), &used);
      if (outcome == LINE_NEED_MORE)
        {
          self->need += newline + 1 - (data + pos);
          break;
        }
      self->need = 0;
      pos = newline + 1 - data + used;
      if (outcome == LINE_CLOSE)
        {
          /* Closed once the replies before it are written. */
          self->done = TRUE;
          self->quit = TRUE;
          return len;
        }
    }
  return pos;
}

static void
braid_cache_server_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BraidCacheServerProtocol *self = BRAID_CACHE_SERVER_PROTOCOL (protocol);
  BraidCacheServerFactory *factory = BRAID_CACHE_SERVER_FACTORY (braid_protocol_get_factory (protocol));
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  gsize consumed;

  if (self->done)
    return;

  if (self->pending != NULL)
    {
      g_byte_array_append (self->pending, data, len);
      if (self->need > 0 && self->pending->len < self->need)
        return;   /* a value still arriving: do not parse its line again */
      consumed = run_commands (self, factory, self->pending->data, self->pending->len);
      if (consumed >= self->pending->len || self->done)
        g_clear_pointer (&self->pending, g_byte_array_unref);
      else
        g_byte_array_remove_range (self->pending, 0, consumed);
    }
  else
    {
      consumed = run_commands (self, factory, data, len);
      if (consumed < len && !self->done)
        {
          self->pending = g_byte_array_sized_new (MAX (len - consumed, self->need));
          g_byte_array_append (self->pending, data + consumed, len - consumed);
        }
    }

  if (factory->out->len > 0)
    {
      braid_transport_write (transport, factory->out->data, factory->out->len);
      /* Keep a reasonable buffer for the next read, not a huge one. */
      if (factory->out->len > 256 * 1024)
        {
          g_byte_array_unref (factory->out);
          factory->out = g_byte_array_sized_new (16 * 1024);
        }
      else
        g_byte_array_set_size (factory->out, 0);
    }
  if (self->quit)
    {
      self->quit = FALSE;
      braid_transport_lose_connection (transport);
    }
}

static void
braid_cache_server_protocol_connection_made (BraidProtocol *protocol)
{
  BraidCacheServerFactory *factory = BRAID_CACHE_SERVER_FACTORY (braid_protocol_get_factory (protocol));

  factory->connections++;
  factory->total_connections++;
}

static void
braid_cache_server_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  BraidCacheServerProtocol *self = BRAID_CACHE_SERVER_PROTOCOL (protocol);
  BraidCacheServerFactory *factory = BRAID_CACHE_SERVER_FACTORY (braid_protocol_get_factory (protocol));

  factory->connections--;
  self->done = TRUE;
  g_clear_pointer (&self->pending, g_byte_array_unref);
}

static void
braid_cache_server_protocol_finalize (GObject *object)
{
  BraidCacheServerProtocol *self = BRAID_CACHE_SERVER_PROTOCOL (object);

  g_clear_pointer (&self->pending, g_byte_array_unref);
  G_OBJECT_CLASS (braid_cache_server_protocol_parent_class)->finalize (object);
}

static void
braid_cache_server_protocol_class_init (BraidCacheServerProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = braid_cache_server_protocol_finalize;
  protocol_class->connection_made = braid_cache_server_protocol_connection_made;
  protocol_class->data_received = braid_cache_server_protocol_data_received;
  protocol_class->connection_lost = braid_cache_server_protocol_connection_lost;
  braid_protocol_class_set_factory_type (protocol_class, BRAID_TYPE_CACHE_SERVER_FACTORY);
}

static void
braid_cache_server_protocol_init (BraidCacheServerProtocol *self)
{
}

static void
braid_cache_server_factory_finalize (GObject *object)
{
  BraidCacheServerFactory *self = BRAID_CACHE_SERVER_FACTORY (object);

  g_clear_object (&self->store);
  g_byte_array_unref (self->out);
  G_OBJECT_CLASS (braid_cache_server_factory_parent_class)->finalize (object);
}

static void
braid_cache_server_factory_class_init (BraidCacheServerFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_cache_server_factory_finalize;
}

static void
braid_cache_server_factory_init (BraidCacheServerFactory *self)
{
  self->out = g_byte_array_sized_new (16 * 1024);
}

/**
 * braid_cache_server_factory_new:
 * @store: the items to serve
 *
 * Makes a factory whose connections speak memcached's text protocol over
 * @store; its clock is the store's.
 *
 * Returns: (transfer full): the factory
 */
BraidCacheServerFactory *
braid_cache_server_factory_new (BraidCacheStore *store)
{
  BraidCacheServerFactory *self;

  g_return_val_if_fail (BRAID_IS_CACHE_STORE (store), NULL);

  self = g_object_new (BRAID_TYPE_CACHE_SERVER_FACTORY,
                       "protocol-type", BRAID_TYPE_CACHE_SERVER_PROTOCOL, NULL);
  self->store = g_object_ref (store);
  braid_factory_set_clock (BRAID_FACTORY (self), braid_cache_store_get_clock (store));
  return self;
}

/**
 * braid_cache_server_factory_get_store:
 * @self: a factory
 *
 * The store the factory serves, for its stats
 * ([method@Braid.CacheStore.get_stats]) or to use it directly.
 *
 * Returns: (transfer none): the store
 */
BraidCacheStore *
braid_cache_server_factory_get_store (BraidCacheServerFactory *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_SERVER_FACTORY (self), NULL);
  return self->store;
}

/**
 * braid_cache_server_factory_get_connections:
 * @self: a factory
 *
 * The connections open now (`stats` `curr_connections`).
 *
 * Returns: the count
 */
guint
braid_cache_server_factory_get_connections (BraidCacheServerFactory *self)
{
  g_return_val_if_fail (BRAID_IS_CACHE_SERVER_FACTORY (self), 0);
  return self->connections;
}
