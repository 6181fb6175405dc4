/* braid-http-client.c: a small HTTP/1.1 client: one request per
 * connection, the response as a deferred. */
#include "config.h"

#include <string.h>

#include "core/braid-client-factory.h"
#include "core/braid-protocol.h"
#include "core/braid-reactor.h"
#include "core/braid-transport.h"
#include "deferred/braid-deferred.h"
#include "web/braid-http-client.h"
#include "web/braid-http-parser-private.h"

struct _BraidHttpResponse
{
  gatomicrefcount ref_count;
  guint status;
  char *reason;
  guint version_minor;
  GPtrArray *names;
  GPtrArray *values;
  GBytes *body;
};

G_DEFINE_BOXED_TYPE (BraidHttpResponse, braid_http_response,
                     braid_http_response_ref, braid_http_response_unref)

static BraidHttpResponse *
response_new (void)
{
  BraidHttpResponse *self = g_new0 (BraidHttpResponse, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->values = g_ptr_array_new_with_free_func (g_free);
  return self;
}

/**
 * braid_http_response_ref:
 * @self: a response
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 */
BraidHttpResponse *
braid_http_response_ref (BraidHttpResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * braid_http_response_unref:
 * @self: a response
 *
 * Drops a reference; the last one frees the response.
 */
void
braid_http_response_unref (BraidHttpResponse *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->reason);
  g_ptr_array_unref (self->names);
  g_ptr_array_unref (self->values);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self);
}

/**
 * braid_http_response_get_status:
 * @self: a response
 *
 * Gets the status code.
 *
 * Returns: the status (200, 404...)
 */
guint
braid_http_response_get_status (BraidHttpResponse *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->status;
}

/**
 * braid_http_response_get_reason:
 * @self: a response
 *
 * Gets the reason phrase of the status line.
 *
 * Returns: the reason ("OK"), possibly empty
 */
const char *
braid_http_response_get_reason (BraidHttpResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->reason;
}

/**
 * braid_http_response_get_version_minor:
 * @self: a response
 *
 * Gets the minor HTTP version the server answered with.
 *
 * Returns: 1 for HTTP/1.1, 0 for HTTP/1.0
 */
guint
braid_http_response_get_version_minor (BraidHttpResponse *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->version_minor;
}

/**
 * braid_http_response_get_header:
 * @self: a response
 * @name: a header name, any case
 *
 * Gets a response header; one sent several times reads as the values
 * joined with ", ".
 *
 * Returns: (nullable): the value, or %NULL
 */
const char *
braid_http_response_get_header (BraidHttpResponse *self, const char *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->names->len; i++)
    if (g_ascii_strcasecmp (self->names->pdata[i], name) == 0)
      return self->values->pdata[i];
  return NULL;
}

/**
 * braid_http_response_get_body:
 * @self: a response
 *
 * Gets the body (without the chunked framing, if any).
 *
 * Returns: (transfer none): the body
 */
GBytes *
braid_http_response_get_body (BraidHttpResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->body;
}

/* The factory: what to send, and the deferred to fire. */
#define CLIENT_TYPE_FACTORY (client_factory_get_type ())
G_DECLARE_FINAL_TYPE (ClientFactory, client_factory, CLIENT, FACTORY, BraidClientFactory)

struct _ClientFactory
{
  BraidClientFactory parent_instance;
  GBytes *request;
  char *method;
  BraidDeferred *deferred;    /* NULL once fired */
};

G_DEFINE_FINAL_TYPE (ClientFactory, client_factory, BRAID_TYPE_CLIENT_FACTORY)

#define CLIENT_TYPE_PROTOCOL (client_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ClientProtocol, client_protocol, CLIENT, PROTOCOL, BraidProtocol)

struct _ClientProtocol
{
  BraidProtocol parent_instance;
  BraidHttpParser parser;
  BraidHttpResponse *response;
  GByteArray *body;
  gboolean done;
};

G_DEFINE_FINAL_TYPE (ClientProtocol, client_protocol, BRAID_TYPE_PROTOCOL)

static void
factory_fire (ClientFactory *factory, BraidHttpResponse *response, GError *error)
{
  g_autoptr (BraidDeferred) d = g_steal_pointer (&factory->deferred);

  if (d == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    braid_deferred_errback (d, error);
  else
    braid_deferred_callback (d, braid_http_response_ref (response),
                             (GDestroyNotify) braid_http_response_unref);
}

static ClientFactory *
protocol_factory (ClientProtocol *self)
{
  return CLIENT_FACTORY (braid_protocol_get_factory (BRAID_PROTOCOL (self)));
}

static gboolean
client_head (BraidHttpParser *parser, gpointer user_data)
{
  ClientProtocol *self = user_data;

  if (parser->status < 200)
    return TRUE;   /* an interim response: the real one follows */
  g_clear_pointer (&self->response, braid_http_response_unref);
  self->response = response_new ();
  self->response->status = parser->status;
  self->response->reason = g_strdup (parser->reason);
  self->response->version_minor = parser->version_minor;
  for (guint i = 0; i < parser->names->len; i++)
    {
      const char *name = parser->names->pdata[i];
      const char *value = parser->values->pdata[i];
      gboolean joined = FALSE;

      for (guint k = 0; k < self->response->names->len; k++)
        if (strcmp (self->response->names->pdata[k], name) == 0)
          {
            char *both = g_strconcat (self->response->values->pdata[k], ", ", value, NULL);

            g_free (self->response->values->pdata[k]);
            self->response->values->pdata[k] = both;
            joined = TRUE;
          }
      if (!joined)
        {
          g_ptr_array_add (self->response->names, g_strdup (name));
          g_ptr_array_add (self->response->values, g_strdup (value));
        }
    }
  parser->no_body = g_strcmp0 (protocol_factory (self)->method, "HEAD") == 0;
  return TRUE;
}

static void
client_body (BraidHttpParser *parser, const guint8 *data, gsize len, gpointer user_data)
{
  ClientProtocol *self = user_data;

  g_byte_array_append (self->body, data, (guint) len);
}

static gboolean
client_end (BraidHttpParser *parser, gpointer user_data)
{
  ClientProtocol *self = user_data;
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  if (parser->status < 200)
    return TRUE;
  self->done = TRUE;
  self->response->body = g_bytes_new (self->body->data, self->body->len);
  factory_fire (protocol_factory (self), self->response, NULL);
  if (transport != NULL)
    braid_transport_lose_connection (transport);
  return FALSE;
}

static void
client_error (BraidHttpParser *parser, guint status, const char *reason, gpointer user_data)
{
  ClientProtocol *self = user_data;
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  self->done = TRUE;
  factory_fire (protocol_factory (self), NULL,
                g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad HTTP response: %s", reason));
  if (transport != NULL)
    braid_transport_abort_connection (transport);
}

static const BraidHttpParserCallbacks client_callbacks = {
  client_head, client_body, client_end, client_error,
};

static void
client_connection_made (BraidProtocol *protocol)
{
  ClientFactory *factory = protocol_factory (CLIENT_PROTOCOL (protocol));
  gsize len;
  const guint8 *data = g_bytes_get_data (factory->request, &len);

  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

static void
client_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  ClientProtocol *self = CLIENT_PROTOCOL (protocol);

  if (!self->done)
    braid_http_parser_feed (&self->parser, data, len);
}

static void
client_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  ClientProtocol *self = CLIENT_PROTOCOL (protocol);

  if (!self->done)
    braid_http_parser_eof (&self->parser);
  if (!self->done)
    {
      self->done = TRUE;
      factory_fire (protocol_factory (self), NULL,
                    g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                 "the connection closed before the response was complete: %s",
                                 reason->message));
    }
}

static void
client_protocol_finalize (GObject *object)
{
  ClientProtocol *self = CLIENT_PROTOCOL (object);

  braid_http_parser_clear (&self->parser);
  g_clear_pointer (&self->response, braid_http_response_unref);
  g_byte_array_unref (self->body);
  G_OBJECT_CLASS (client_protocol_parent_class)->finalize (object);
}

static void
client_protocol_class_init (ClientProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = client_protocol_finalize;
  protocol_class->connection_made = client_connection_made;
  protocol_class->data_received = client_data_received;
  protocol_class->connection_lost = client_connection_lost;
}

static void
client_protocol_init (ClientProtocol *self)
{
  braid_http_parser_init (&self->parser, BRAID_HTTP_PARSE_RESPONSE, &client_callbacks, self);
  self->body = g_byte_array_new ();
}

static void
client_factory_connection_failed (BraidClientFactory *factory, BraidConnector *connector,
                                  const GError *reason)
{
  factory_fire (CLIENT_FACTORY (factory), NULL, g_error_copy (reason));
}

static void
client_factory_finalize (GObject *object)
{
  ClientFactory *self = CLIENT_FACTORY (object);

  g_clear_pointer (&self->request, g_bytes_unref);
  g_free (self->method);
  g_clear_pointer (&self->deferred, braid_deferred_unref);
  G_OBJECT_CLASS (client_factory_parent_class)->finalize (object);
}

static void
client_factory_class_init (ClientFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = client_factory_finalize;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = client_factory_connection_failed;
}

static void
client_factory_init (ClientFactory *self)
{
}

/**
 * braid_http_request:
 * @reactor: the reactor to connect with
 * @method: the method (`GET`, `POST`...)
 * @url: an `http://` URL
 * @body: (nullable): the request body
 *
 * Sends one request on a new connection (`Connection: close`) and gives
 * the response. HTTP only: an `https://` URL fails with
 * `G_IO_ERROR_NOT_SUPPORTED`. The response may be chunked, have a length,
 * or end with the connection; a connection that closes first, or a
 * response that does not parse, fails the deferred
 * (`G_IO_ERROR_CONNECTION_CLOSED`, `G_IO_ERROR_INVALID_DATA`), as does a
 * failed connection (with the connector's error).
 *
 * Returns: (transfer full): a deferred that fires with a
 *   [struct@Braid.HttpResponse]
 */
BraidDeferred *
braid_http_request (BraidReactor *reactor, const char *method, const char *url, GBytes *body)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClientFactory) factory = NULL;
  GString *request;
  const char *path, *query, *host;
  gint port;
  BraidDeferred *d;

  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (method != NULL && braid_http_is_token (method, strlen (method)), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &error);
  if (uri == NULL)
    return braid_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "%s: not a URL (%s)", url, error->message));
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0)
    return braid_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                    "%s: only http:// URLs are supported", url));
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    return braid_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "%s: no host", url));
  port = g_uri_get_port (uri);
  if (port <= 0)
    port = 80;
  path = g_uri_get_path (uri);
  query = g_uri_get_query (uri);

  request = g_string_new (NULL);
  g_string_append_printf (request, "%s %s%s%s HTTP/1.1\r\n", method,
                          path[0] != '\0' ? path : "/", query != NULL ? "?" : "",
                          query != NULL ? query : "");
  if (strchr (host, ':') != NULL)
    g_string_append_printf (request, "Host: [%s]", host);
  else
    g_string_append_printf (request, "Host: %s", host);
  if (port != 80)
    g_string_append_printf (request, ":%d", port);
  g_string_append (request, "\r\nUser-Agent: Braid/" PACKAGE_VERSION "\r\nConnection: close\r\n");
  if (body != NULL)
    g_string_append_printf (request, "Content-Length: %" G_GSIZE_FORMAT "\r\n", g_bytes_get_size (body));
  g_string_append (request, "\r\n");
  if (body != NULL)
    g_string_append_len (request, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body));

  factory = g_object_new (CLIENT_TYPE_FACTORY, "protocol-type", CLIENT_TYPE_PROTOCOL, NULL);
  factory->request = g_string_free_to_bytes (request);
  factory->method = g_strdup (method);
  d = braid_deferred_new ();
  factory->deferred = braid_deferred_ref (d);
  braid_reactor_connect_tcp (reactor, host, (guint16) port, BRAID_CLIENT_FACTORY (factory));
  return d;
}

/**
 * braid_http_get:
 * @reactor: the reactor to connect with
 * @url: an `http://` URL
 *
 * Gets @url: [func@Braid.http_request] with `GET` and no body.
 *
 * Returns: (transfer full): a deferred that fires with a
 *   [struct@Braid.HttpResponse]
 */
BraidDeferred *
braid_http_get (BraidReactor *reactor, const char *url)
{
  return braid_http_request (reactor, "GET", url, NULL);
}
