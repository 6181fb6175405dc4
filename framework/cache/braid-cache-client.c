/* braid-cache-client.c: a memcached client over several servers, keys
 * placed by ketama consistent hashing, results as deferreds. */
#include "config.h"

#include <string.h>

#include "cache/braid-cache-client.h"
#include "cache/braid-cache-store.h"
#include "core/braid-client-factory.h"
#include "core/braid-connector.h"
#include "core/braid-protocol.h"
#include "core/braid-transport.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"

typedef enum {
  REQUEST_GET,
  REQUEST_STORE,
  REQUEST_DELETE,
} RequestKind;

typedef struct
{
  RequestKind kind;
  BraidDeferred *deferred;
  GBytes *wire;
} Request;

typedef struct _Server Server;
typedef struct _ConnFactory ConnFactory;
typedef struct _ConnProtocol ConnProtocol;

struct _Server
{
  BraidCacheClient *client;
  char *name;                 /* host:port */
  char *host;
  guint16 port;
  ConnFactory *factory;
  BraidConnector *connector;  /* while connecting or connected */
  ConnProtocol *protocol;     /* while connected */
  gboolean down;
  BraidDelayedCall *retry;    /* owned: marks the server up again */
  GQueue waiting;             /* requests not yet sent (connecting) */
  GQueue sent;                /* requests sent, in reply order */
  GByteArray *in;             /* a reply cut by the end of a read */
};

typedef struct
{
  guint32 point;
  guint server;
} Point;

struct _BraidCacheClient
{
  GObject parent_instance;

  BraidReactor *reactor;
  GPtrArray *servers;         /* Server *, in the order added */
  GArray *continuum;          /* Point, sorted */
  gdouble retry_delay;
};

/**
 * BraidCacheClient:
 *
 * A client of memcached-protocol servers (memcached itself, or Braid's
 * [class@Braid.CacheServerFactory]) that spreads keys over several servers
 * the memcached way: by ketama consistent hashing, as libketama and
 * libmemcached do, so adding or removing a server moves only the keys
 * that hash near its points (about 1/N of them), and every client that
 * lists the same servers puts a key on the same server.
 *
 * [method@Braid.CacheClient.get], [method@Braid.CacheClient.set] and
 * [method@Braid.CacheClient.delete] return deferreds. Each server has at
 * most one connection, made on first use; requests to it are pipelined
 * and their replies matched in order.
 *
 * A server whose connection fails (or is lost with requests waiting)
 * fails those requests and is marked down for the retry delay
 * (%BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY, on the reactor's clock); while
 * it is down its keys go to the next server on the continuum, as
 * libmemcached's `remove_failed_servers`, and after the delay it is tried
 * again. With every server down, requests fail at once with
 * `G_IO_ERROR_HOST_UNREACHABLE`.
 *
 * Twisted's `twisted.protocols.memcache.MemCacheProtocol` is one
 * connection to one server, and its `get` fires with `(flags, value)`;
 * this client is the layer above it that memcached deployments use (many
 * servers, placement by key), and its `get` fires with the value alone,
 * or %NULL for a miss, as most memcached clients return it. The server
 * side is [class@Braid.CacheServerFactory].
 *
 * Errors: a key memcached would refuse fails with
 * `G_IO_ERROR_INVALID_ARGUMENT` before anything is sent; a server's
 * `ERROR`, `CLIENT_ERROR` or `SERVER_ERROR` reply fails that request with
 * `G_IO_ERROR_FAILED` and the server's line as the message.
 */
G_DEFINE_FINAL_TYPE (BraidCacheClient, braid_cache_client, G_TYPE_OBJECT)

/* --- the connection to one server ------------------------------------ */

#define CONN_TYPE_PROTOCOL (conn_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ConnProtocol, conn_protocol, CONN, PROTOCOL, BraidProtocol)

struct _ConnProtocol
{
  BraidProtocol parent_instance;
  Server *server;             /* NULL once the client is gone */
};

G_DEFINE_FINAL_TYPE (ConnProtocol, conn_protocol, BRAID_TYPE_PROTOCOL)

#define CONN_TYPE_FACTORY (conn_factory_get_type ())
G_DECLARE_FINAL_TYPE (ConnFactory, conn_factory, CONN, FACTORY, BraidClientFactory)

struct _ConnFactory
{
  BraidClientFactory parent_instance;
  Server *server;             /* NULL once the client is gone */
};

G_DEFINE_FINAL_TYPE (ConnFactory, conn_factory, BRAID_TYPE_CLIENT_FACTORY)

static void
request_free (Request *request)
{
  /* Both are set when the request is made, and only freed here. */
  braid_deferred_unref (request->deferred);
  g_bytes_unref (request->wire);
  g_free (request);
}

static void
request_fail (Request *request, const GError *error)
{
  braid_deferred_errback (request->deferred, g_error_copy (error));
  request_free (request);
}

static void
fail_queue (GQueue *queue, const GError *error)
{
  Request *request;

  while ((request = g_queue_pop_head (queue)) != NULL)
    request_fail (request, error);
}

static void
on_retry_due (gpointer user_data)
{
  Server *server = user_data;

  /* Set when the call was made, and cleared only here or when the call
   * is cancelled (then this never runs). */
  braid_delayed_call_unref (g_steal_pointer (&server->retry));
  server->down = FALSE;
}

/* The server failed: its requests fail, and it is down for a while. */
static void
server_failed (Server *server, const GError *reason)
{
  g_autoptr (GError) error = g_error_new (reason->domain, reason->code,
                                          "memcached server %s: %s", server->name, reason->message);

  g_clear_object (&server->connector);
  server->protocol = NULL;
  g_clear_pointer (&server->in, g_byte_array_unref);
  server->down = TRUE;
  if (server->retry == NULL)
    server->retry = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (server->client->reactor),
                                                                    server->client->retry_delay,
                                                                    on_retry_due, server, NULL));
  fail_queue (&server->sent, error);
  fail_queue (&server->waiting, error);
}

static void
send_request (Server *server, Request *request)
{
  gsize len;
  const guint8 *wire = g_bytes_get_data (request->wire, &len);

  braid_transport_write (braid_protocol_get_transport (BRAID_PROTOCOL (server->protocol)), wire, len);
  g_queue_push_tail (&server->sent, request);
}

static void
conn_protocol_connection_made (BraidProtocol *protocol)
{
  ConnProtocol *self = CONN_PROTOCOL (protocol);
  Server *server = self->server;
  Request *request;

  if (server == NULL)
    return;
  server->protocol = self;
  while ((request = g_queue_pop_head (&server->waiting)) != NULL)
    send_request (server, request);
}

static GError *
reply_error (const char *line, gsize len)
{
  return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "memcached replied: %.*s", (int) len, line);
}

static gboolean
is_error_line (const char *line, gsize len)
{
  /* The line is not NUL-terminated: compare within its length. */
  return (len == 5 && memcmp (line, "ERROR", 5) == 0)
         || (len >= 12 && (memcmp (line, "CLIENT_ERROR", 12) == 0
                           || memcmp (line, "SERVER_ERROR", 12) == 0));
}

/* Parses the reply to @request at the start of @data. Returns the bytes it
 * took, 0 if incomplete, or -1 for a reply that makes no sense (the
 * connection is then dropped). */
static gssize
parse_reply (Request *request, const guint8 *data, gsize len)
{
  const guint8 *newline = memchr (data, '\n', len);
  const char *line = (const char *) data;
  gsize line_len;

  if (newline == NULL)
    return 0;
  line_len = newline - data;
  if (line_len == 0 || line[line_len - 1] != '\r')
    return -1;
  line_len--;

  if (is_error_line (line, line_len))
    {
      braid_deferred_errback (request->deferred, reply_error (line, line_len));
      return newline + 1 - data;
    }
  switch (request->kind)
    {
    case REQUEST_GET:
      if (line_len == 3 && memcmp (line, "END", 3) == 0)
        {
          braid_deferred_callback (request->deferred, NULL, NULL);
          return newline + 1 - data;
        }
      if (line_len > 6 && memcmp (line, "VALUE ", 6) == 0)
        {
          g_autofree char *header = g_strndup (line, line_len);
          g_auto (GStrv) parts = g_strsplit (header, " ", -1);
          guint64 bytes;
          gsize start = newline + 1 - data;

          if (g_strv_length (parts) < 4
              || !g_ascii_string_to_unsigned (parts[3], 10, 0, G_MAXINT32, &bytes, NULL))
            return -1;
          if (len < start + bytes + 2 + 5)
            return 0;
          if (memcmp (data + start + bytes, "\r\nEND\r\n", 7) != 0)
            return -1;
          braid_deferred_callback (request->deferred, g_bytes_new (data + start, bytes),
                                   (GDestroyNotify) g_bytes_unref);
          return start + bytes + 7;
        }
      return -1;
    case REQUEST_STORE:
      if (line_len == 6 && memcmp (line, "STORED", 6) == 0)
        braid_deferred_callback (request->deferred, GINT_TO_POINTER (TRUE), NULL);
      else if (line_len == 10 && memcmp (line, "NOT_STORED", 10) == 0)
        braid_deferred_callback (request->deferred, GINT_TO_POINTER (FALSE), NULL);
      else
        return -1;
      return newline + 1 - data;
    case REQUEST_DELETE:
    default:
      if (line_len == 7 && memcmp (line, "DELETED", 7) == 0)
        braid_deferred_callback (request->deferred, GINT_TO_POINTER (TRUE), NULL);
      else if (line_len == 9 && memcmp (line, "NOT_FOUND", 9) == 0)
        braid_deferred_callback (request->deferred, GINT_TO_POINTER (FALSE), NULL);
      else
        return -1;
      return newline + 1 - data;
    }
}

static void
conn_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  ConnProtocol *self = CONN_PROTOCOL (protocol);
  Server *server = self->server;
  const guint8 *buffer;
  gsize available;
  gsize pos = 0;

  if (server == NULL)
    return;
  if (server->in != NULL)
    {
      g_byte_array_append (server->in, data, len);
      buffer = server->in->data;
      available = server->in->len;
    }
  else
    {
      buffer = data;
      available = len;
    }

  while (pos < available)
    {
      Request *request = g_queue_peek_head (&server->sent);
      gssize used;

      if (request == NULL)
        used = -1;
      else
        used = parse_reply (request, buffer + pos, available - pos);
      if (used < 0)
        {
          g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                           "a reply that makes no sense");

          g_message ("%s: closing the connection to memcached server %s: %s",
                     braid_protocol_get_log_prefix (protocol), server->name, reason->message);
          braid_protocol_abort_with_reason (protocol, reason);
          return;
        }
      if (used == 0)
        break;
      request_free (g_queue_pop_head (&server->sent));
      pos += used;
    }

  if (server->in != NULL)
    {
      if (pos >= server->in->len)
        g_byte_array_unref (g_steal_pointer (&server->in));
      else
        g_byte_array_remove_range (server->in, 0, pos);
    }
  else if (pos < available)
    {
      server->in = g_byte_array_sized_new (available - pos);
      g_byte_array_append (server->in, buffer + pos, available - pos);
    }
}

static void
conn_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  ConnProtocol *self = CONN_PROTOCOL (protocol);
  Server *server = self->server;

  if (server == NULL)
    return;
  self->server = NULL;
  /* (Nothing waits in server->waiting while a connection is made: it is
   * sent from connection_made, and later requests are sent at once.) */
  if (!g_queue_is_empty (&server->sent))
    server_failed (server, reason);
  else
    {
      /* Closed while idle (the server restarted, an idle timeout):
       * connect again on next use. */
      g_clear_object (&server->connector);
      server->protocol = NULL;
      g_clear_pointer (&server->in, g_byte_array_unref);
    }
}

static void
conn_protocol_class_init (ConnProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = conn_protocol_connection_lost;
  BRAID_PROTOCOL_CLASS (klass)->connection_made = conn_protocol_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->data_received = conn_protocol_data_received;
}

static void
conn_protocol_init (ConnProtocol *self)
{
}

static BraidProtocol *
conn_factory_build_protocol (BraidFactory *factory, GSocketAddress *addr)
{
  ConnProtocol *protocol = g_object_new (CONN_TYPE_PROTOCOL, NULL);

  braid_protocol_set_factory (BRAID_PROTOCOL (protocol), factory);
  protocol->server = CONN_FACTORY (factory)->server;
  return BRAID_PROTOCOL (protocol);
}

static void
conn_factory_client_connection_failed (BraidClientFactory *factory,
                                       BraidConnector     *connector,
                                       const GError       *reason)
{
  Server *server = CONN_FACTORY (factory)->server;

  if (server != NULL)
    server_failed (server, reason);
}

static void
conn_factory_class_init (ConnFactoryClass *klass)
{
  BRAID_FACTORY_CLASS (klass)->build_protocol = conn_factory_build_protocol;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = conn_factory_client_connection_failed;
}

static void
conn_factory_init (ConnFactory *self)
{
}

/* --- servers and the continuum ---------------------------------------- */

static void
server_free (Server *server)
{
  g_autoptr (GError) gone = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "the cache client was disconnected");

  server->factory->server = NULL;
  if (server->protocol != NULL)
    server->protocol->server = NULL;
  if (server->connector != NULL)
    braid_connector_disconnect (server->connector);
  g_clear_object (&server->connector);
  if (server->retry != NULL)
    {
      braid_delayed_call_cancel (server->retry, NULL);
      g_clear_pointer (&server->retry, braid_delayed_call_unref);
    }
  fail_queue (&server->sent, gone);
  fail_queue (&server->waiting, gone);
  g_clear_pointer (&server->in, g_byte_array_unref);
  g_object_unref (server->factory);
  g_free (server->name);
  g_free (server->host);
  g_free (server);
}

static gint
compare_points (gconstpointer a, gconstpointer b)
{
  guint32 x = ((const Point *) a)->point;
  guint32 y = ((const Point *) b)->point;

  return x < y ? -1 : x > y;
}

static void
add_points (BraidCacheClient *self, Server *server, guint index)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);

  for (guint i = 0; i < BRAID_CACHE_CLIENT_POINTS_PER_SERVER / 4; i++)
    {
      g_autofree char *label = g_strdup_printf ("%s-%u", server->name, i);
      guint8 digest[16];
      gsize digest_len = sizeof digest;

      g_checksum_reset (checksum);
      g_checksum_update (checksum, (const guchar *) label, strlen (label));
      g_checksum_get_digest (checksum, digest, &digest_len);
      for (guint h = 0; h < 4; h++)
        {
          Point point = {
            .point = ((guint32) digest[3 + h * 4] << 24) | ((guint32) digest[2 + h * 4] << 16)
                     | ((guint32) digest[1 + h * 4] << 8) | digest[h * 4],
            .server = index,
          };

          g_array_append_val (self->continuum, point);
        }
    }
  g_array_sort (self->continuum, compare_points);
}

static guint32
hash_key (const char *key)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize digest_len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) key, strlen (key));
  g_checksum_get_digest (checksum, digest, &digest_len);
  return ((guint32) digest[3] << 24) | ((guint32) digest[2] << 16) | ((guint32) digest[1] << 8) | digest[0];
}

/* The server for @key: the first point at or after its hash whose server
 * is up, going round; NULL when every server is down. */
static Server *
server_for (BraidCacheClient *self, const char *key)
{
  guint32 hash;
  guint low = 0;
  guint high;

  if (self->continuum->len == 0)
    return NULL;
  hash = hash_key (key);
  high = self->continuum->len;
  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (self->continuum, Point, mid).point < hash)
        low = mid + 1;
      else
        high = mid;
    }
  for (guint i = 0; i < self->continuum->len; i++)
    {
      const Point *point = &g_array_index (self->continuum, Point, (low + i) % self->continuum->len);
      Server *server = g_ptr_array_index (self->servers, point->server);

      if (!server->down)
        return server;
    }
  return NULL;
}

/* --- the object -------------------------------------------------------- */

static void
braid_cache_client_finalize (GObject *object)
{
  BraidCacheClient *self = BRAID_CACHE_CLIENT (object);

  g_ptr_array_unref (self->servers);
  g_array_unref (self->continuum);
  g_object_unref (self->reactor);
  G_OBJECT_CLASS (braid_cache_client_parent_class)->finalize (object);
}

static void
braid_cache_client_class_init (BraidCacheClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_cache_client_finalize;
}

static void
braid_cache_client_init (BraidCacheClient *self)
{
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) server_free);
  self->continuum = g_array_new (FALSE, FALSE, sizeof (Point));
  self->retry_delay = BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY;
}

/**
 * braid_cache_client_new:
 * @reactor: the reactor to connect with, and whose clock times retries
 *
 * Makes a client with no server yet: add them with
 * [method@Braid.CacheClient.add_server].
 *
 * Returns: (transfer full): the client
 */
BraidCacheClient *
braid_cache_client_new (BraidReactor *reactor)
{
  BraidCacheClient *self;

  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);

  self = g_object_new (BRAID_TYPE_CACHE_CLIENT, NULL);
  self->reactor = g_object_ref (reactor);
  return self;
}

/**
 * braid_cache_client_add_server:
 * @self: a client
 * @host: the server's host name or address
 * @port: its port
 *
 * Adds a server, with its %BRAID_CACHE_CLIENT_POINTS_PER_SERVER points on
 * the continuum, named `host:port` (the name is what is hashed, so list
 * the servers by the same names in every client).
 */
void
braid_cache_client_add_server (BraidCacheClient *self, const char *host, guint16 port)
{
  Server *server;

  g_return_if_fail (BRAID_IS_CACHE_CLIENT (self));
  g_return_if_fail (host != NULL);

  server = g_new0 (Server, 1);
  server->client = self;
  server->host = g_strdup (host);
  server->port = port;
  server->name = g_strdup_printf ("%s:%u", host, port);
  server->factory = g_object_new (CONN_TYPE_FACTORY, "protocol-type", CONN_TYPE_PROTOCOL, NULL);
  server->factory->server = server;
  g_queue_init (&server->waiting);
  g_queue_init (&server->sent);
  g_ptr_array_add (self->servers, server);
  add_points (self, server, self->servers->len - 1);
}

/**
 * braid_cache_client_set_retry_delay:
 * @self: a client
 * @seconds: how long a failed server stays down
 *
 * Sets how long a server whose connection failed is left alone before it
 * is tried again (%BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY by default).
 */
void
braid_cache_client_set_retry_delay (BraidCacheClient *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_CACHE_CLIENT (self));
  g_return_if_fail (seconds >= 0);
  self->retry_delay = seconds;
}

/**
 * braid_cache_client_server_for_key:
 * @self: a client
 * @key: a key
 *
 * Which server @key goes to now (servers marked down skipped).
 *
 * Returns: (nullable): the server's `host:port`, or %NULL when there is
 *   no server up
 */
const char *
braid_cache_client_server_for_key (BraidCacheClient *self, const char *key)
{
  Server *server;

  g_return_val_if_fail (BRAID_IS_CACHE_CLIENT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  server = server_for (self, key);
  return server != NULL ? server->name : NULL;
}

/**
 * braid_cache_client_is_server_up:
 * @self: a client
 * @server: a server's `host:port`
 *
 * Whether @server is in use, or marked down after a failure.
 *
 * Returns: %TRUE if it is up (or unknown: %FALSE only for a known server
 *   marked down)
 */
gboolean
braid_cache_client_is_server_up (BraidCacheClient *self, const char *server)
{
  g_return_val_if_fail (BRAID_IS_CACHE_CLIENT (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);

  for (guint i = 0; i < self->servers->len; i++)
    {
      Server *s = g_ptr_array_index (self->servers, i);

      if (strcmp (s->name, server) == 0)
        return !s->down;
    }
  return TRUE;
}

static BraidDeferred *
submit (BraidCacheClient *self, const char *key, RequestKind kind, GBytes *wire)
{
  Server *server;
  Request *request;
  BraidDeferred *deferred;

  server = server_for (self, key);
  if (server == NULL)
    {
      g_bytes_unref (wire);
      return braid_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
                                      "no memcached server is up for key “%s”", key));
    }
  deferred = braid_deferred_new ();
  request = g_new0 (Request, 1);
  request->kind = kind;
  request->deferred = braid_deferred_ref (deferred);
  request->wire = wire;
  if (server->protocol != NULL)
    send_request (server, request);
  else
    {
      g_queue_push_tail (&server->waiting, request);
      if (server->connector == NULL)
        server->connector = g_object_ref (braid_reactor_connect_tcp (self->reactor, server->host, server->port,
                                                                     BRAID_CLIENT_FACTORY (server->factory)));
    }
  return deferred;
}

static BraidDeferred *
check_key (const char *key)
{
  if (!braid_cache_store_valid_key (key, strlen (key)))
    return braid_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "“%s” is not a memcached key (1 to 250 bytes, no space "
                                    "or control character)", key));
  return NULL;
}

/**
 * braid_cache_client_get:
 * @self: a client
 * @key: the key
 *
 * Gets @key from its server.
 *
 * Returns: (transfer full): a deferred that fires with the value, a
 *   `GBytes` (owned by the deferred), or %NULL when the key is absent
 */
BraidDeferred *
braid_cache_client_get (BraidCacheClient *self, const char *key)
{
  BraidDeferred *bad;

  g_return_val_if_fail (BRAID_IS_CACHE_CLIENT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if ((bad = check_key (key)) != NULL)
    return bad;
  return submit (self, key, REQUEST_GET, g_bytes_new_take (g_strdup_printf ("get %s\r\n", key),
                                                          strlen (key) + 6));
}

/**
 * braid_cache_client_set:
 * @self: a client
 * @key: the key
 * @value: the value
 * @flags: flags stored with it
 * @exptime: when it expires (memcached's exptime: 0 never, seconds up to
 *   30 days, a unix time beyond)
 *
 * Sets @key on its server.
 *
 * Returns: (transfer full): a deferred that fires with
 *   `GINT_TO_POINTER (TRUE)` when stored
 */
BraidDeferred *
braid_cache_client_set (BraidCacheClient *self,
                        const char       *key,
                        GBytes           *value,
                        guint32           flags,
                        gint64            exptime)
{
  BraidDeferred *bad;
  GString *wire;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (BRAID_IS_CACHE_CLIENT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  if ((bad = check_key (key)) != NULL)
    return bad;
  data = g_bytes_get_data (value, &len);
  /* The command line, the value and its end in one buffer: one allocation
   * (the line's numbers take at most 40 bytes), one write. */
  wire = g_string_sized_new (strlen (key) + len + 64);
  g_string_printf (wire, "set %s %u %" G_GINT64_FORMAT " %" G_GSIZE_FORMAT "\r\n", key, flags, exptime, len);
  g_string_append_len (wire, (const char *) data, len);
  g_string_append_len (wire, "\r\n", 2);
  return submit (self, key, REQUEST_STORE, g_string_free_to_bytes (wire));
}

/**
 * braid_cache_client_delete:
 * @self: a client
 * @key: the key
 *
 * Deletes @key from its server.
 *
 * Returns: (transfer full): a deferred that fires with
 *   `GINT_TO_POINTER (TRUE)` if the key was there, `FALSE` if not
 */
BraidDeferred *
braid_cache_client_delete (BraidCacheClient *self, const char *key)
{
  BraidDeferred *bad;

  g_return_val_if_fail (BRAID_IS_CACHE_CLIENT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if ((bad = check_key (key)) != NULL)
    return bad;
  return submit (self, key, REQUEST_DELETE, g_bytes_new_take (g_strdup_printf ("delete %s\r\n", key),
                                                             strlen (key) + 9));
}

/**
 * braid_cache_client_disconnect:
 * @self: a client
 *
 * Closes every connection; requests still waiting fail with
 * `G_IO_ERROR_CANCELLED`. The client connects again on next use.
 */
void
braid_cache_client_disconnect (BraidCacheClient *self)
{
  g_autoptr (GError) gone = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "the cache client was disconnected");

  g_return_if_fail (BRAID_IS_CACHE_CLIENT (self));

  for (guint i = 0; i < self->servers->len; i++)
    {
      Server *server = g_ptr_array_index (self->servers, i);
      BraidConnector *connector = g_steal_pointer (&server->connector);

      if (server->protocol != NULL)
        server->protocol->server = NULL;
      server->protocol = NULL;
      g_clear_pointer (&server->in, g_byte_array_unref);
      fail_queue (&server->sent, gone);
      fail_queue (&server->waiting, gone);
      if (connector != NULL)
        {
          braid_connector_disconnect (connector);
          g_object_unref (connector);
        }
    }
}
