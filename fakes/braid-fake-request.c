/* braid-fake-request.c: a request with no connection, for testing resources. */
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
 * It is as strict as a real request: writing after
 * [method@Braid.Request.finish], finishing twice, or setting a header
 * after the first write is reported the same way. The body is recorded as
 * written, unframed; a reply to `HEAD` records nothing, as the real one
 * sends nothing. [method@Braid.Request.connection_lost] plays a client
 * that goes away. A producer registered with
 * [method@Braid.Request.register_producer] is kept for the test to drive
 * ([method@Braid.FakeRequest.get_producer]).
 */
struct _BraidFakeRequest
{
  BraidRequest parent_instance;
  GByteArray *written;
  guint writes;
  BraidProducer *producer;
  gboolean streaming;
};

G_DEFINE_FINAL_TYPE (BraidFakeRequest, braid_fake_request, BRAID_TYPE_REQUEST)

static void
braid_fake_request_write_body (BraidRequest *request, const guint8 *data, gsize len)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (request);

  if (g_strcmp0 (braid_request_get_method (request), "HEAD") == 0)
    return;
  g_byte_array_append (self->written, data, (guint) len);
  self->writes++;
}

static void
braid_fake_request_finish_body (BraidRequest *request)
{
}

static void
braid_fake_request_register_producer (BraidRequest *request, BraidProducer *producer,
                                      gboolean streaming)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (request);

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
  g_clear_object (&BRAID_FAKE_REQUEST (request)->producer);
}

static void
braid_fake_request_finalize (GObject *object)
{
  BraidFakeRequest *self = BRAID_FAKE_REQUEST (object);

  g_byte_array_unref (self->written);
  g_clear_object (&self->producer);
  G_OBJECT_CLASS (braid_fake_request_parent_class)->finalize (object);
}

static void
braid_fake_request_class_init (BraidFakeRequestClass *klass)
{
  BraidRequestClass *request_class = BRAID_REQUEST_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = braid_fake_request_finalize;
  request_class->write_body = braid_fake_request_write_body;
  request_class->finish_body = braid_fake_request_finish_body;
  request_class->register_producer = braid_fake_request_register_producer;
  request_class->unregister_producer = braid_fake_request_unregister_producer;
}

static void
braid_fake_request_init (BraidFakeRequest *self)
{
  self->written = g_byte_array_new ();
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
 * Counts the writes of body bytes (a render function's return counts one).
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
