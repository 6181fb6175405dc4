/* braid-request.c: one HTTP request and its response. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/braid-producer.h"
#include "deferred/braid-deferred.h"
#include "web/braid-http-parser-private.h"
#include "web/braid-request.h"
#include "web/braid-resource.h"

/**
 * BraidRequest:
 *
 * One HTTP request and the response to it: Twisted's `Request`. A
 * [class@Braid.Site] makes one for each request a client sends, walks its
 * resource tree with it and hands it to the resource's render function.
 *
 * The request side: [method@Braid.Request.get_method],
 * [method@Braid.Request.get_path], query arguments
 * ([method@Braid.Request.get_arg]), headers
 * ([method@Braid.Request.get_header], names are case-insensitive) and the
 * body ([method@Braid.Request.get_content]).
 *
 * The response side: [method@Braid.Request.set_response_code] and
 * [method@Braid.Request.set_header] until the first
 * [method@Braid.Request.write], then the body in any number of writes,
 * then [method@Braid.Request.finish]. A response whose length is not known
 * when the head is sent is chunked (HTTP/1.1) or ended by closing the
 * connection (HTTP/1.0). The head and a body returned by a render function
 * go out in one write. The body of a reply to `HEAD`, or of a 204 or 304,
 * is not sent.
 *
 * [method@Braid.Request.notify_finish] gives a deferred that fires when
 * the response is finished, or fails (`G_IO_ERROR_CONNECTION_CLOSED`) if
 * the client goes away first, so that long work can be cancelled.
 *
 * A test builds requests with no socket: `BraidFakeRequest` in
 * libbraid-fakes records what a resource writes.
 */

typedef struct
{
  char *method;
  char *uri;
  char *path;
  char *query;
  guint version_minor;
  GHashTable *headers;        /* name (lower case) -> GString, values joined with ", " */
  GHashTable *args;           /* name -> GPtrArray of values, NULL-terminated */
  GBytes *content;
  GSocketAddress *client;
  GPtrArray *prepath;         /* NULL-terminated */
  GPtrArray *postpath;        /* NULL-terminated */

  guint code;
  GPtrArray *out_names;       /* as given */
  GPtrArray *out_values;
  gboolean has_length;
  guint64 length;
  gboolean keep_alive;
  gboolean started;
  gboolean finished;
  gboolean lost;
  gboolean chunked;
  gboolean no_body;
  guint64 sent;
  GPtrArray *finish_waiters;  /* BraidDeferred; NULL until notify_finish */
} BraidRequestPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidRequest, braid_request, G_TYPE_OBJECT)

#define PRIV(self) ((BraidRequestPrivate *) braid_request_get_instance_private (self))

static void
free_args (gpointer data)
{
  g_ptr_array_unref (data);
}

static void
free_value (gpointer data)
{
  g_string_free (data, TRUE);
}

/* Request header names are case-insensitive: hashed and compared so, a
 * lookup needs no lower-cased copy of the name. */
static guint
header_name_hash (gconstpointer key)
{
  guint h = 5381;

  for (const char *p = key; *p != '\0'; p++)
    h = h * 33 + (guint) g_ascii_tolower (*p);
  return h;
}

static gboolean
header_name_equal (gconstpointer a, gconstpointer b)
{
  return g_ascii_strcasecmp (a, b) == 0;
}

static void
braid_request_finalize (GObject *object)
{
  BraidRequestPrivate *priv = PRIV (BRAID_REQUEST (object));

  g_free (priv->method);
  g_free (priv->uri);
  g_free (priv->path);
  g_free (priv->query);
  g_hash_table_unref (priv->headers);
  g_clear_pointer (&priv->args, g_hash_table_unref);
  g_clear_pointer (&priv->content, g_bytes_unref);
  g_clear_object (&priv->client);
  g_ptr_array_unref (priv->prepath);
  g_ptr_array_unref (priv->postpath);
  g_ptr_array_unref (priv->out_names);
  g_ptr_array_unref (priv->out_values);
  g_clear_pointer (&priv->finish_waiters, g_ptr_array_unref);
  G_OBJECT_CLASS (braid_request_parent_class)->finalize (object);
}

/* The cached Date header value: formatting a date costs more than the
 * rest of a small response head, and it changes once a second. */
static _Thread_local char date_cache[64];
static _Thread_local gint64 date_cache_second = -1;

static const char *
current_date (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now != date_cache_second)
    {
      g_autofree char *text = braid_http_date (now);

      g_strlcpy (date_cache, text, sizeof date_cache);
      date_cache_second = now;
    }
  return date_cache;
}

static void
append_header (GString *head, const char *name, const char *value)
{
  g_string_append (head, name);
  g_string_append_len (head, ": ", 2);
  g_string_append (head, value);
  g_string_append_len (head, "\r\n", 2);
}

/* Writes the status line and headers into @head. */
static void
build_head (BraidRequest *self, GString *head)
{
  BraidRequestPrivate *priv = PRIV (self);
  gboolean has_server = FALSE, has_date = FALSE;
  char num[32];

  g_string_append_printf (head, "HTTP/1.%u %u %s\r\n", priv->version_minor >= 1 ? 1 : 0,
                          priv->code, braid_http_reason_phrase (priv->code));
  for (guint i = 0; i < priv->out_names->len; i++)
    {
      const char *name = priv->out_names->pdata[i];

      if (g_ascii_strcasecmp (name, "server") == 0)
        has_server = TRUE;
      else if (g_ascii_strcasecmp (name, "date") == 0)
        has_date = TRUE;
      append_header (head, name, priv->out_values->pdata[i]);
    }
  if (!has_server)
    append_header (head, "Server", "Braid/" PACKAGE_VERSION);
  if (!has_date)
    append_header (head, "Date", current_date ());
  if (priv->code == 204 || priv->code == 304 || priv->code < 200)
    priv->no_body = TRUE;
  if (priv->has_length)
    {
      /* 304 and 204 carry no body; a length there would describe none. */
      if (priv->code != 204 && priv->code != 304 && priv->code >= 200)
        {
          g_snprintf (num, sizeof num, "%" G_GUINT64_FORMAT, priv->length);
          append_header (head, "Content-Length", num);
        }
    }
  else if (!priv->no_body || g_strcmp0 (priv->method, "HEAD") == 0)
    {
      if (priv->version_minor >= 1)
        {
          priv->chunked = !priv->no_body;
          if (priv->chunked)
            append_header (head, "Transfer-Encoding", "chunked");
        }
      else
        priv->keep_alive = FALSE;   /* the close ends the body */
    }
  if (!priv->keep_alive)
    append_header (head, "Connection", "close");
  else if (priv->version_minor == 0)
    append_header (head, "Connection", "keep-alive");
  g_string_append_len (head, "\r\n", 2);
  if (g_strcmp0 (priv->method, "HEAD") == 0)
    {
      priv->no_body = TRUE;
      priv->chunked = FALSE;
    }
}

static void
send_vectors (BraidRequest *self, const GOutputVector *vectors, gsize n)
{
  BraidRequestClass *klass = BRAID_REQUEST_GET_CLASS (self);

  if (klass->send != NULL)
    klass->send (self, vectors, n);
}

static void
braid_request_real_write_body (BraidRequest *self, const guint8 *data, gsize len)
{
  BraidRequestPrivate *priv = PRIV (self);
  GString *head = NULL;
  GOutputVector v[4];
  gsize n = 0;
  char size_line[32];

  if (!priv->started)
    {
      priv->started = TRUE;
      head = g_string_sized_new (256);
      build_head (self, head);
      v[n].buffer = head->str;
      v[n++].size = head->len;
    }
  if (len > 0 && !priv->no_body)
    {
      if (priv->has_length && priv->sent + len > priv->length)
        {
          g_warning ("%s %s: the response is longer than its Content-Length "
                     "(%" G_GUINT64_FORMAT "): the rest is dropped",
                     priv->method, priv->uri, priv->length);
          len = (gsize) (priv->length - priv->sent);
        }
      if (priv->chunked)
        {
          v[n].buffer = size_line;
          v[n++].size = (gsize) g_snprintf (size_line, sizeof size_line, "%" G_GSIZE_MODIFIER "x\r\n", len);
        }
      v[n].buffer = data;
      v[n++].size = len;
      if (priv->chunked)
        {
          v[n].buffer = "\r\n";
          v[n++].size = 2;
        }
      priv->sent += len;
    }
  if (n > 0)
    send_vectors (self, v, n);
  if (head != NULL)
    g_string_free (head, TRUE);
}

static void
braid_request_real_finish_body (BraidRequest *self)
{
  BraidRequestPrivate *priv = PRIV (self);
  BraidRequestClass *klass = BRAID_REQUEST_GET_CLASS (self);

  if (!priv->started)
    {
      if (!priv->has_length && !priv->no_body)
        {
          /* Nothing was written: the length is known, zero. */
          priv->has_length = TRUE;
          priv->length = 0;
        }
      braid_request_real_write_body (self, NULL, 0);
    }
  if (priv->chunked)
    {
      GOutputVector v = { "0\r\n\r\n", 5 };

      send_vectors (self, &v, 1);
    }
  if (klass->done != NULL)
    klass->done (self);
}

static void
braid_request_class_init (BraidRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_request_finalize;
  klass->write_body = braid_request_real_write_body;
  klass->finish_body = braid_request_real_finish_body;
}

static void
braid_request_init (BraidRequest *self)
{
  BraidRequestPrivate *priv = PRIV (self);

  priv->headers = g_hash_table_new_full (header_name_hash, header_name_equal, g_free, free_value);
  priv->out_names = g_ptr_array_new_with_free_func (g_free);
  priv->out_values = g_ptr_array_new_with_free_func (g_free);
  priv->prepath = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  priv->postpath = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  priv->code = 200;
  priv->keep_alive = TRUE;
  priv->version_minor = 1;
  priv->method = g_strdup ("GET");
  priv->uri = g_strdup ("/");
  priv->path = g_strdup ("/");
}

/**
 * braid_request_setup:
 * @self: a request not processed yet
 * @method: the method, as received (`GET`)
 * @uri: the request target, as received (`/a/b?x=1`)
 * @version_minor: 1 for HTTP/1.1, 0 for HTTP/1.0
 *
 * Sets what the request line said: the site does it for each request, a
 * test double when it is made. The path is split into the segments the
 * resource tree is walked with ([method@Braid.Request.get_postpath]).
 * An HTTP/1.1 request is kept alive, an HTTP/1.0 one is not (the site
 * then applies the `Connection` header:
 * [method@Braid.Request.set_keep_alive]).
 */
void
braid_request_setup (BraidRequest *self, const char *method, const char *uri,
                     guint version_minor)
{
  BraidRequestPrivate *priv;
  const char *q;
  g_auto (GStrv) segments = NULL;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (method != NULL && uri != NULL);

  priv = PRIV (self);
  g_free (priv->method);
  priv->method = g_strdup (method);
  g_free (priv->uri);
  priv->uri = g_strdup (uri);
  q = strchr (uri, '?');
  g_free (priv->path);
  g_free (priv->query);
  priv->path = q != NULL ? g_strndup (uri, (gsize) (q - uri)) : g_strdup (uri);
  priv->query = q != NULL ? g_strdup (q + 1) : NULL;
  g_clear_pointer (&priv->args, g_hash_table_unref);
  priv->version_minor = version_minor;
  priv->keep_alive = version_minor >= 1;
  g_ptr_array_set_size (priv->prepath, 0);
  g_ptr_array_set_size (priv->postpath, 0);
  /* As Twisted: "/a/b" is ["a", "b"], "/" is [""]; segments are
   * percent-decoded (one that does not decode is kept as it is). */
  segments = g_strsplit (priv->path[0] == '/' ? priv->path + 1 : priv->path, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      char *decoded = g_uri_unescape_string (segments[i], NULL);

      g_ptr_array_add (priv->postpath, decoded != NULL ? decoded : g_strdup (segments[i]));
    }
  if (priv->postpath->len == 0)
    g_ptr_array_add (priv->postpath, g_strdup (""));
}

/**
 * braid_request_add_request_header:
 * @self: a request
 * @name: a header name, any case
 * @value: its value
 *
 * Records a header the client sent. A name sent twice reads as the values
 * joined with ", " ([method@Braid.Request.get_header]).
 */
void
braid_request_add_request_header (BraidRequest *self, const char *name, const char *value)
{
  BraidRequestPrivate *priv;
  GString *joined;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (name != NULL && value != NULL);

  priv = PRIV (self);
  joined = g_hash_table_lookup (priv->headers, name);
  if (joined != NULL)
    {
      g_string_append_len (joined, ", ", 2);
      g_string_append (joined, value);
    }
  else
    g_hash_table_insert (priv->headers, g_ascii_strdown (name, -1), g_string_new (value));
}

/**
 * braid_request_set_content:
 * @self: a request
 * @content: (nullable): the request body
 *
 * Sets the body the client sent.
 */
void
braid_request_set_content (BraidRequest *self, GBytes *content)
{
  BraidRequestPrivate *priv;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  priv = PRIV (self);
  g_clear_pointer (&priv->content, g_bytes_unref);
  if (content != NULL)
    priv->content = g_bytes_ref (content);
}

/**
 * braid_request_set_client_address:
 * @self: a request
 * @address: (nullable): the client's address
 *
 * Sets the address of the client that sent the request.
 */
void
braid_request_set_client_address (BraidRequest *self, GSocketAddress *address)
{
  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_set_object (&PRIV (self)->client, address);
}

/**
 * braid_request_set_keep_alive:
 * @self: a request whose response has not started
 * @keep_alive: %FALSE to close the connection after the response
 *
 * Says whether the connection stays open after this response; the site
 * sets it from the request's version and `Connection` header. A response
 * that says `Connection: close` is sent with that header.
 */
void
braid_request_set_keep_alive (BraidRequest *self, gboolean keep_alive)
{
  g_return_if_fail (BRAID_IS_REQUEST (self));
  PRIV (self)->keep_alive = keep_alive;
}

/**
 * braid_request_get_keep_alive:
 * @self: a request
 *
 * Tells whether the connection stays open after the response.
 *
 * Returns: %TRUE if the connection is kept for another request
 */
gboolean
braid_request_get_keep_alive (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), FALSE);
  return PRIV (self)->keep_alive;
}

/**
 * braid_request_get_method:
 * @self: a request
 *
 * Gets the request's method.
 *
 * Returns: the method, as sent (`GET`, `POST`...)
 */
const char *
braid_request_get_method (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  return PRIV (self)->method;
}

/**
 * braid_request_get_uri:
 * @self: a request
 *
 * Gets the request target as the client sent it, query included.
 *
 * Returns: the target (`/a/b?x=1`)
 */
const char *
braid_request_get_uri (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  return PRIV (self)->uri;
}

/**
 * braid_request_get_path:
 * @self: a request
 *
 * Gets the target's path, without the query, not decoded.
 *
 * Returns: the path (`/a/b`)
 */
const char *
braid_request_get_path (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  return PRIV (self)->path;
}

/**
 * braid_request_get_version_minor:
 * @self: a request
 *
 * Gets the minor HTTP version of the request.
 *
 * Returns: 1 for HTTP/1.1, 0 for HTTP/1.0
 */
guint
braid_request_get_version_minor (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), 0);
  return PRIV (self)->version_minor;
}

/**
 * braid_request_get_header:
 * @self: a request
 * @name: a header name, any case
 *
 * Gets a header the client sent.
 *
 * Returns: (nullable): its value, or %NULL if it was not sent
 */
const char *
braid_request_get_header (BraidRequest *self, const char *name)
{
  GString *value;

  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  value = g_hash_table_lookup (PRIV (self)->headers, name);
  return value != NULL ? value->str : NULL;
}

static void
parse_args (BraidRequestPrivate *priv)
{
  g_auto (GStrv) pairs = NULL;

  priv->args = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_args);
  if (priv->query == NULL)
    return;
  pairs = g_strsplit (priv->query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      g_autofree char *raw_name = NULL;
      g_autofree char *raw_value = NULL;
      char *name, *value;
      GPtrArray *values;

      if (pairs[i][0] == '\0')
        continue;
      raw_name = eq != NULL ? g_strndup (pairs[i], (gsize) (eq - pairs[i])) : g_strdup (pairs[i]);
      raw_value = g_strdup (eq != NULL ? eq + 1 : "");
      g_strdelimit (raw_name, "+", ' ');
      g_strdelimit (raw_value, "+", ' ');
      name = g_uri_unescape_string (raw_name, NULL);
      value = g_uri_unescape_string (raw_value, NULL);
      if (name == NULL)
        name = g_strdup (raw_name);
      if (value == NULL)
        value = g_strdup (raw_value);
      values = g_hash_table_lookup (priv->args, name);
      if (values == NULL)
        {
          values = g_ptr_array_new_null_terminated (1, g_free, TRUE);
          g_hash_table_insert (priv->args, g_strdup (name), values);
        }
      g_ptr_array_add (values, value);
      g_free (name);
    }
}

/**
 * braid_request_get_args:
 * @self: a request
 * @name: a query argument's name
 *
 * Gets every value of a query argument (`?tag=a&tag=b`), decoded (`+` is a
 * space, `%XX` a byte).
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   values in order, or %NULL if the argument is absent
 */
const char * const *
braid_request_get_args (BraidRequest *self, const char *name)
{
  BraidRequestPrivate *priv;
  GPtrArray *values;

  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  priv = PRIV (self);
  if (priv->args == NULL)
    parse_args (priv);
  values = g_hash_table_lookup (priv->args, name);
  return values != NULL ? (const char * const *) values->pdata : NULL;
}

/**
 * braid_request_get_arg:
 * @self: a request
 * @name: a query argument's name
 *
 * Gets the first value of a query argument.
 *
 * Returns: (nullable): the value, or %NULL if the argument is absent
 */
const char *
braid_request_get_arg (BraidRequest *self, const char *name)
{
  const char * const *values = braid_request_get_args (self, name);

  return values != NULL ? values[0] : NULL;
}

/**
 * braid_request_get_content:
 * @self: a request
 *
 * Gets the request body.
 *
 * Returns: (transfer none): the body, empty if none was sent
 */
GBytes *
braid_request_get_content (BraidRequest *self)
{
  BraidRequestPrivate *priv;

  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  priv = PRIV (self);
  if (priv->content == NULL)
    priv->content = g_bytes_new (NULL, 0);
  return priv->content;
}

/**
 * braid_request_get_client_address:
 * @self: a request
 *
 * Gets the address of the client.
 *
 * Returns: (transfer none) (nullable): the client's address, if known
 */
GSocketAddress *
braid_request_get_client_address (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  return PRIV (self)->client;
}

/**
 * braid_request_get_prepath:
 * @self: a request
 *
 * Gets the path segments the resource tree has used so far.
 *
 * Returns: (transfer none) (array zero-terminated=1): the segments
 */
const char * const *
braid_request_get_prepath (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  return (const char * const *) PRIV (self)->prepath->pdata;
}

/**
 * braid_request_get_postpath:
 * @self: a request
 *
 * Gets the path segments not used yet: what a leaf resource interprets.
 *
 * Returns: (transfer none) (array zero-terminated=1): the segments
 */
const char * const *
braid_request_get_postpath (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  return (const char * const *) PRIV (self)->postpath->pdata;
}

/**
 * braid_request_pop_postpath:
 * @self: a request
 *
 * Moves the first unused path segment to the used ones.
 *
 * Returns: (transfer full) (nullable): a copy of the segment, or %NULL if
 *   none is left
 */
char *
braid_request_pop_postpath (BraidRequest *self)
{
  BraidRequestPrivate *priv;
  char *segment;

  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  priv = PRIV (self);
  if (priv->postpath->len == 0)
    return NULL;
  segment = g_ptr_array_steal_index (priv->postpath, 0);
  g_ptr_array_add (priv->prepath, segment);
  return g_strdup (segment);
}

static gboolean
check_not_started (BraidRequest *self, const char *what)
{
  BraidRequestPrivate *priv = PRIV (self);

  if (priv->started || priv->finished)
    {
      g_critical ("%s on %s %s: the response head is already sent; set the "
                  "code and headers before the first braid_request_write()",
                  what, priv->method, priv->uri);
      return FALSE;
    }
  return TRUE;
}

/**
 * braid_request_set_response_code:
 * @self: a request whose response has not started
 * @code: the status code (200 unless set)
 *
 * Sets the response's status code.
 */
void
braid_request_set_response_code (BraidRequest *self, guint code)
{
  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (code >= 100 && code <= 999);

  if (check_not_started (self, "braid_request_set_response_code"))
    PRIV (self)->code = code;
}

/**
 * braid_request_get_response_code:
 * @self: a request
 *
 * Gets the response's status code.
 *
 * Returns: the code
 */
guint
braid_request_get_response_code (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), 0);
  return PRIV (self)->code;
}

static gboolean
header_is_safe (const char *name, const char *value)
{
  return braid_http_is_token (name, strlen (name)) && strpbrk (value, "\r\n") == NULL;
}

/**
 * braid_request_set_header:
 * @self: a request whose response has not started
 * @name: a header name
 * @value: its value, one line
 *
 * Sets a response header, replacing any of the same name (any case).
 * `Content-Length` sets the length ([method@Braid.Request.set_content_length]).
 */
void
braid_request_set_header (BraidRequest *self, const char *name, const char *value)
{
  BraidRequestPrivate *priv;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (name != NULL && value != NULL);
  g_return_if_fail (header_is_safe (name, value));

  if (!check_not_started (self, "braid_request_set_header"))
    return;
  priv = PRIV (self);
  if (g_ascii_strcasecmp (name, "content-length") == 0)
    {
      guint64 length;

      if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &length, NULL))
        braid_request_set_content_length (self, length);
      else
        g_critical ("braid_request_set_header: Content-Length \"%s\" is not a number", value);
      return;
    }
  for (guint i = priv->out_names->len; i > 0; i--)
    if (g_ascii_strcasecmp (priv->out_names->pdata[i - 1], name) == 0)
      {
        g_ptr_array_remove_index (priv->out_names, i - 1);
        g_ptr_array_remove_index (priv->out_values, i - 1);
      }
  /* Checked above: added without checking again. */
  g_ptr_array_add (priv->out_names, g_strdup (name));
  g_ptr_array_add (priv->out_values, g_strdup (value));
}

/**
 * braid_request_add_header:
 * @self: a request whose response has not started
 * @name: a header name
 * @value: its value, one line
 *
 * Adds a response header, keeping any of the same name (`Set-Cookie`).
 */
void
braid_request_add_header (BraidRequest *self, const char *name, const char *value)
{
  BraidRequestPrivate *priv;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (name != NULL && value != NULL);
  g_return_if_fail (header_is_safe (name, value));

  if (!check_not_started (self, "braid_request_add_header"))
    return;
  priv = PRIV (self);
  g_ptr_array_add (priv->out_names, g_strdup (name));
  g_ptr_array_add (priv->out_values, g_strdup (value));
}

/**
 * braid_request_get_response_header:
 * @self: a request
 * @name: a header name, any case
 *
 * Gets a response header set so far (the last one of that name).
 *
 * Returns: (nullable): its value, or %NULL
 */
const char *
braid_request_get_response_header (BraidRequest *self, const char *name)
{
  BraidRequestPrivate *priv;

  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  priv = PRIV (self);
  for (guint i = priv->out_names->len; i > 0; i--)
    if (g_ascii_strcasecmp (priv->out_names->pdata[i - 1], name) == 0)
      return priv->out_values->pdata[i - 1];
  return NULL;
}

/**
 * braid_request_set_content_length:
 * @self: a request whose response has not started
 * @length: the body's length in bytes
 *
 * Announces the body's length, so the response is not chunked.
 */
void
braid_request_set_content_length (BraidRequest *self, guint64 length)
{
  g_return_if_fail (BRAID_IS_REQUEST (self));

  if (!check_not_started (self, "braid_request_set_content_length"))
    return;
  PRIV (self)->has_length = TRUE;
  PRIV (self)->length = length;
}

/**
 * braid_request_write:
 * @self: a request not finished
 * @data: (array length=len): body bytes
 * @len: how many
 *
 * Writes part of the response body; the first write sends the head. After
 * the client went away it does nothing.
 */
void
braid_request_write (BraidRequest *self, const guint8 *data, gsize len)
{
  BraidRequestPrivate *priv;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (data != NULL || len == 0);

  priv = PRIV (self);
  if (priv->finished)
    {
      g_critical ("braid_request_write on %s %s after braid_request_finish()",
                  priv->method, priv->uri);
      return;
    }
  if (priv->lost)
    return;
  BRAID_REQUEST_GET_CLASS (self)->write_body (self, data, len);
  priv->started = TRUE;
}

/**
 * braid_request_write_bytes:
 * @self: a request not finished
 * @bytes: body bytes
 *
 * Writes @bytes as [method@Braid.Request.write] does.
 */
void
braid_request_write_bytes (BraidRequest *self, GBytes *bytes)
{
  gsize len;
  const guint8 *data;

  g_return_if_fail (bytes != NULL);
  data = g_bytes_get_data (bytes, &len);
  braid_request_write (self, data, len);
}

/**
 * braid_request_write_string:
 * @self: a request not finished
 * @text: a NUL-terminated string
 *
 * Writes @text as [method@Braid.Request.write] does.
 */
void
braid_request_write_string (BraidRequest *self, const char *text)
{
  g_return_if_fail (text != NULL);
  braid_request_write (self, (const guint8 *) text, strlen (text));
}

static void
fire_waiters (BraidRequest *self, const GError *error)
{
  BraidRequestPrivate *priv = PRIV (self);
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&priv->finish_waiters);

  if (waiters == NULL)
    return;
  for (guint i = 0; i < waiters->len; i++)
    {
      if (error != NULL)
        braid_deferred_errback (waiters->pdata[i], g_error_copy (error));
      else
        braid_deferred_callback (waiters->pdata[i], NULL, NULL);
    }
}

/**
 * braid_request_finish:
 * @self: a request not finished
 *
 * Ends the response. Every deferred from
 * [method@Braid.Request.notify_finish] fires. After the client went away
 * it only logs nothing and returns: the work was for nobody.
 */
void
braid_request_finish (BraidRequest *self)
{
  BraidRequestPrivate *priv;

  g_return_if_fail (BRAID_IS_REQUEST (self));

  priv = PRIV (self);
  if (priv->finished)
    {
      g_critical ("braid_request_finish on %s %s: already finished", priv->method, priv->uri);
      return;
    }
  if (priv->lost)
    return;
  g_object_ref (self);
  priv->finished = TRUE;
  BRAID_REQUEST_GET_CLASS (self)->finish_body (self);
  priv->started = TRUE;
  fire_waiters (self, NULL);
  g_object_unref (self);
}

/**
 * braid_request_is_finished:
 * @self: a request
 *
 * Tells whether [method@Braid.Request.finish] was called.
 *
 * Returns: %TRUE once the response is finished
 */
gboolean
braid_request_is_finished (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), FALSE);
  return PRIV (self)->finished;
}

/**
 * braid_request_is_started:
 * @self: a request
 *
 * Tells whether the response head has been sent.
 *
 * Returns: %TRUE after the first write
 */
gboolean
braid_request_is_started (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), FALSE);
  return PRIV (self)->started;
}

/**
 * braid_request_is_lost:
 * @self: a request
 *
 * Tells whether the client went away before the response was finished.
 *
 * Returns: %TRUE if the connection was lost first
 */
gboolean
braid_request_is_lost (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), FALSE);
  return PRIV (self)->lost;
}

/**
 * braid_request_get_sent_length:
 * @self: a request
 *
 * Counts the body bytes sent so far (none for a reply to HEAD).
 *
 * Returns: the body bytes sent
 */
guint64
braid_request_get_sent_length (BraidRequest *self)
{
  g_return_val_if_fail (BRAID_IS_REQUEST (self), 0);
  return PRIV (self)->sent;
}

/**
 * braid_request_notify_finish:
 * @self: a request
 *
 * Gets a deferred that fires (with %NULL) when the response is finished,
 * or fails with `G_IO_ERROR_CONNECTION_CLOSED` when the client goes away
 * first (Twisted's `notifyFinish`). A request already finished or lost
 * gives a deferred that has fired.
 *
 * Returns: (transfer full): the deferred
 */
BraidDeferred *
braid_request_notify_finish (BraidRequest *self)
{
  BraidRequestPrivate *priv;
  BraidDeferred *d;

  g_return_val_if_fail (BRAID_IS_REQUEST (self), NULL);

  priv = PRIV (self);
  if (priv->finished)
    return braid_succeed (NULL, NULL);
  if (priv->lost)
    return braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "the client went away before the response was finished"));
  d = braid_deferred_new ();
  if (priv->finish_waiters == NULL)
    priv->finish_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) braid_deferred_unref);
  g_ptr_array_add (priv->finish_waiters, braid_deferred_ref (d));
  return d;
}

/**
 * braid_request_connection_lost:
 * @self: a request
 * @reason: (nullable): why the connection closed
 *
 * Tells the request its client went away. If the response was not
 * finished, the deferreds of [method@Braid.Request.notify_finish] fail and
 * later writes are ignored. The site calls it; a test calls it to play a
 * client that disconnects.
 */
void
braid_request_connection_lost (BraidRequest *self, const GError *reason)
{
  BraidRequestPrivate *priv;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (BRAID_IS_REQUEST (self));

  priv = PRIV (self);
  if (priv->finished || priv->lost)
    return;
  priv->lost = TRUE;
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "the client went away before the response was finished%s%s",
                       reason != NULL ? ": " : "", reason != NULL ? reason->message : "");
  g_object_ref (self);
  fire_waiters (self, error);
  g_object_unref (self);
}

/**
 * braid_request_register_producer:
 * @self: a request not finished
 * @producer: what writes the body
 * @streaming: %TRUE for a producer that writes until paused, %FALSE for
 *   one asked for each piece
 *
 * Lets @producer write the body, paced by the client (the transport's
 * flow control): Twisted's `registerProducer`. The producer calls
 * [method@Braid.Request.unregister_producer] and then
 * [method@Braid.Request.finish] when it is done.
 */
void
braid_request_register_producer (BraidRequest *self, BraidProducer *producer, gboolean streaming)
{
  BraidRequestClass *klass;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (BRAID_IS_PRODUCER (producer));

  klass = BRAID_REQUEST_GET_CLASS (self);
  if (PRIV (self)->lost)
    {
      braid_producer_stop_producing (producer);
      return;
    }
  if (klass->register_producer != NULL)
    klass->register_producer (self, producer, streaming);
}

/**
 * braid_request_unregister_producer:
 * @self: a request
 *
 * Forgets the producer given to [method@Braid.Request.register_producer].
 */
void
braid_request_unregister_producer (BraidRequest *self)
{
  BraidRequestClass *klass;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  klass = BRAID_REQUEST_GET_CLASS (self);
  if (klass->unregister_producer != NULL)
    klass->unregister_producer (self);
}

/**
 * braid_request_process:
 * @self: a request set up and not processed yet
 * @root: the root of a resource tree
 *
 * Answers the request from @root: walks the tree with the path
 * ([method@Braid.Resource.get_child_for_request]), renders the resource
 * found and, if the render function returned the body, sends it with its
 * length and finishes the request. A render function that returned
 * %BRAID_NOT_DONE_YET finishes the request itself.
 */
void
braid_request_process (BraidRequest *self, BraidResource *root)
{
  g_autoptr (BraidResource) resource = NULL;
  g_autoptr (GBytes) body = NULL;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (BRAID_IS_RESOURCE (root));

  g_object_ref (self);
  resource = braid_resource_get_child_for_request (root, self);
  body = braid_resource_render (resource, self);
  if (body != BRAID_NOT_DONE_YET)
    braid_request_finish_with_body (self, body);
  g_object_unref (self);
}

/**
 * braid_request_finish_with_body:
 * @self: a request
 * @body: the whole body a render function returned
 *
 * Sends @body and finishes the request, as a site does with what a render
 * function returns: with its length as `Content-Length`, unless the reply
 * is to `HEAD` and the resource set the length itself (the length of what
 * GET would send). Does nothing if the request is already finished or
 * lost.
 */
void
braid_request_finish_with_body (BraidRequest *self, GBytes *body)
{
  BraidRequestPrivate *priv;

  g_return_if_fail (BRAID_IS_REQUEST (self));
  g_return_if_fail (body != NULL);

  priv = PRIV (self);
  if (priv->finished || priv->lost)
    return;
  if (!priv->started && !(priv->has_length && g_strcmp0 (priv->method, "HEAD") == 0))
    braid_request_set_content_length (self, g_bytes_get_size (body));
  braid_request_write_bytes (self, body);
  braid_request_finish (self);
}

static const char *const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/**
 * braid_http_date:
 * @unix_seconds: seconds since the epoch
 *
 * Formats a time as HTTP writes it (`Sun, 06 Nov 1994 08:49:37 GMT`).
 *
 * Returns: (transfer full): the date
 */
char *
braid_http_date (gint64 unix_seconds)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (unix_seconds);

  if (t == NULL)
    return g_strdup ("Thu, 01 Jan 1970 00:00:00 GMT");
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT",
                          day_names[g_date_time_get_day_of_week (t) - 1],
                          g_date_time_get_day_of_month (t),
                          month_names[g_date_time_get_month (t) - 1],
                          g_date_time_get_year (t), g_date_time_get_hour (t),
                          g_date_time_get_minute (t), g_date_time_get_second (t));
}

/**
 * braid_http_date_parse:
 * @text: a date as HTTP writes it (`Sun, 06 Nov 1994 08:49:37 GMT`)
 * @unix_seconds: (out): the time, in seconds since the epoch
 *
 * Parses the preferred HTTP date format (RFC 9110 5.6.7).
 *
 * Returns: %TRUE if @text was a date
 */
gboolean
braid_http_date_parse (const char *text, gint64 *unix_seconds)
{
  char day[4], month[4], zone[4];
  int mday, year, hour, min, sec, consumed = 0;
  g_autoptr (GDateTime) t = NULL;

  g_return_val_if_fail (text != NULL && unix_seconds != NULL, FALSE);

  if (sscanf (text, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", day, &mday, month, &year,
              &hour, &min, &sec, zone, &consumed) != 8
      || text[consumed] != '\0' || strlen (day) != 3 || day[2] == '\0'
      || strcmp (zone, "GMT") != 0)
    return FALSE;
  for (guint m = 0; m < 12; m++)
    if (strcmp (month, month_names[m]) == 0)
      {
        t = g_date_time_new_utc (year, (gint) m + 1, mday, hour, min, sec);
        break;
      }
  if (t == NULL)
    return FALSE;
  *unix_seconds = g_date_time_to_unix (t);
  return TRUE;
}
