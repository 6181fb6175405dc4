/* braid-fake-request.c: a request with no connection, for testing resources. */
#include "config.h"

#include "braid-fake-request.h"

/**
 * BraidFakeRequest:
 *
 * A [class@Braid.Request] with no site and no socket: Twisted's
 * `DummyRequest`. A test makes one, renders a resource with it and looks at
 * what the resource did:
 *
 * ```c
 * g_autoptr (BraidFakeRequest) request = braid_fake_request_new ("GET", "/clock");
 * braid_fake_request_render (request, clock_page);
 * g_assert_true (braid_request_is_finished (BRAID_REQUEST (request)));
 * g_assert_cmpuint (braid_request_get_response_code (BRAID_REQUEST (request)), ==, 200);
 * GBytes *body = braid_fake_request_get_written (request);
 * ```
 *
 * It is exactly as strict as a real request, because it runs the real
 * request's response code and only records what that code sends: writing
 * after [method@Braid.Request.finish], finishing twice, or setting a
 * header after the first write is reported the same way; the body of a
 * reply to `HEAD`, or of a 204 or 304, is dropped as the real one drops
 * it; writing past a set `Content-Length` gives the same warning and the
 * excess is dropped. `tests/test-fake-request.c` runs the same
 * sequences on both and compares. The body is recorded as sent, unframed
 * ([method@Braid.FakeRequest.get_written]); the whole response as a client
 * would receive it, head and framing included, is
 * [method@Braid.FakeRequest.get_sent]. [method@Braid.Request.connection_lost] plays a client
 * that goes away. A producer registered with
 * [method@Braid.Request.register_producer] is kept for the test to drive
 * ([method@Braid.FakeRequest.get_producer]).
 */
struct _BraidFakeRequest
{
  BraidRequest parent_instance;
  GByteArray *written;
  GByteArray *sent;           /* the response as the client would get it */
  guint writes;
  BraidProducer *producer;
  gboolean streaming;
};

G_DEFINE_FINAL_TYPE (BraidFakeRequest, braid_fake_request, BRAID_TYPE_REQUEST)

/* A response with no body: what the real request drops. */
static gboolean
has_no_body (BraidRequest *request)
{
  guint code = braid_request_get_response_code (request);

  return g_strcmp0 (braid_request_get_method (request), "HEAD") == 0
         || code == 204 || code == 304 || code < 200;
}

/* The real request's framing and checks run (the parent class): the same
 * body dropped for HEAD, 204 and 304, the same warning and cut past a
 * Content-Length. What it sent of @data is what is recorded. */
static void
braid_fake_request_write_body (BraidRequest *request, const guint8 *data, gsize len)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (request);
  guint64 before = braid_request_get_sent_length (request);
  guint64 sent;

  BRAID_REQUEST_CLASS (braid_fake_request_parent_class)->write_body (request, data, len);
  sent = braid_request_get_sent_length (request) - before;
  if (sent > 0)
    g_byte_array_append (self->written, data, (guint) sent);
  if (!has_no_body (request))
    self->writes++;
}

static void
braid_fake_request_send (BraidRequest *request, const GOutputVector *vectors, gsize n)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (request);

  for (gsize i = 0; i < n; i++)
    g_byte_array_append (self->sent, vectors[i].buffer, (guint) vectors[i].size);
}

/* As a site's connection: once the response is finished the connection
 * has let go of the request, so a producer registered then is stopped; a
 * second producer, or unregistering none, is the transport's critical. */
static void
braid_fake_request_register_producer (BraidRequest *request, BraidProducer *producer,
                                      gboolean streaming)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (request);

  if (braid_request_is_finished (request))
    {
      braid_producer_stop_producing (producer);
      return;
    }
  if (self->producer != NULL)
    {
      g_critical ("braid_request_register_producer: a producer is already registered; "
                  "unregister it first");
      return;
    }
  self->producer = g_object_ref (producer);
  self->streaming = streaming;
}

static void
braid_fake_request_unregister_producer (BraidRequest *request)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (request);

  if (braid_request_is_finished (request))
    return;
  if (self->producer == NULL)
    {
      g_critical ("braid_request_unregister_producer: no producer is registered");
      return;
    }
  g_clear_object (&self->producer);
}

static void
braid_fake_request_finalize (GObject *object)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (object);

  g_byte_array_unref (self->written);
  g_byte_array_unref (self->sent);
  g_clear_object (&self->producer);
  G_OBJECT_CLASS (braid_fake_request_parent_class)->finalize (object);
}

static void
braid_fake_request_class_init (BraidFakeRequestClass *klass)
{
  BraidRequestClass *request_class = BRAID_REQUEST_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = braid_fake_request_finalize;
  request_class->write_body = braid_fake_request_write_body;
  request_class->send = braid_fake_request_send;
  request_class->register_producer = braid_fake_request_register_producer;
  request_class->unregister_producer = braid_fake_request_unregister_producer;
}

static void
braid_fake_request_init (BraidFakeRequest *self)
{
  self->written = g_byte_array_new ();
  self->sent = g_byte_array_new ();
}

/**
 * braid_fake_request_new:
 * @method: the method (`GET`)
 * @uri: the target, with its query if any (`/a/b?x=1`)
 *
 * Makes an HTTP/1.1 request; add headers and a body with
 * [method@Braid.Request.add_request_header] and
 * [method@Braid.Request.set_content].
 *
 * Returns: (transfer full): the request
 */
BraidFakeRequest *
braid_fake_request_new (const char *method, const char *uri)
{
  BraidFakeRequest *self;

  g_return_val_if_fail (method != NULL && uri != NULL, NULL);

  self = g_object_new (BRAID_TYPE_FAKE_REQUEST, NULL);
  braid_request_setup (BRAID_REQUEST (self), method, uri, 1);
  return self;
}

/**
 * braid_fake_request_get_written:
 * @self: a fake request
 *
 * Gets the body written so far, unframed.
 *
 * Returns: (transfer full): the body
 */
GBytes *
braid_fake_request_get_written (BraidFakeRequest *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_REQUEST (self), NULL);
  return g_bytes_new (self->written->data, self->written->len);
}

/**
 * braid_fake_request_get_write_count:
 * @self: a fake request
 *
 * Counts the writes of body bytes (a render function's return counts
 * one); writes to a response that has no body (a reply to `HEAD`, a 204 or
 * a 304) are not counted.
 *
 * Returns: the count
 */
guint
braid_fake_request_get_write_count (BraidFakeRequest *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_REQUEST (self), 0);
  return self->writes;
}

/**
 * braid_fake_request_get_sent:
 * @self: a fake request
 *
 * Gets the response as a site would send it to the client: status line,
 * headers (with `Date` and `Server`), and the body framed (chunked when
 * its length was not known).
 *
 * Returns: (transfer full): the bytes sent so far
 */
GBytes *
braid_fake_request_get_sent (BraidFakeRequest *self)
{
  g_return_val_if_fail (BRAID_IS_FAKE_REQUEST (self), NULL);
  return g_bytes_new (self->sent->data, self->sent->len);
}

/**
 * braid_fake_request_get_producer:
 * @self: a fake request
 * @streaming: (out) (optional): whether it was registered as streaming
 *
 * Gets the producer registered on the request, for the test to pause,
 * resume or pull.
 *
 * Returns: (transfer none) (nullable): the producer, or %NULL
 */
BraidProducer *
braid_fake_request_get_producer (BraidFakeRequest *self, gboolean *streaming)
{
  g_return_val_if_fail (BRAID_IS_FAKE_REQUEST (self), NULL);
  if (streaming != NULL)
    *streaming = self->streaming;
  return self->producer;
}

/**
 * braid_fake_request_render:
 * @self: a fake request not rendered yet
 * @resource: the resource to render it with
 *
 * Renders @self with @resource as a site does with the resource its walk
 * found: a body returned is written with its length and the request
 * finished; after %BRAID_NOT_DONE_YET the resource finishes it.
 */
void
braid_fake_request_render (BraidFakeRequest *self, BraidResource *resource)
{
  g_autoptr (GBytes) body = NULL;
  BraidRequest *request = BRAID_REQUEST (self);

  g_return_if_fail (BRAID_IS_FAKE_REQUEST (self));
  g_return_if_fail (BRAID_IS_RESOURCE (resource));

  body = braid_resource_render (resource, request);
  if (body != BRAID_NOT_DONE_YET)
    braid_request_finish_with_body (request, body);
}
