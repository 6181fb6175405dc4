/* lines.c: lesson 07, line-based protocols with BraidLineReceiver. */
#include "lines.h"

/* Part 1 ------------------------------------------------------------- */

struct _NumberedEcho
{
  BraidLineReceiver parent_instance;
  guint count;
};

G_DEFINE_FINAL_TYPE (NumberedEcho, numbered_echo, BRAID_TYPE_LINE_RECEIVER)

static void
numbered_echo_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  NumberedEcho *self = NUMBERED_ECHO (receiver);
  g_autofree char *answer = g_strdup_printf ("%u: %s", ++self->count, line);

  braid_line_receiver_send_line (receiver, answer);
}

static void
numbered_echo_class_init (NumberedEchoClass *klass)
{
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = numbered_echo_line_received;
}

static void
numbered_echo_init (NumberedEcho *self)
{
}

/* Part 2 ------------------------------------------------------------- */

struct _HttpEcho
{
  BraidLineReceiver parent_instance;
  GPtrArray *lines;        /* of char*: the request so far */
  BraidClock *clock;       /* borrowed, for the idle timeout; NULL: none */
};

G_DEFINE_FINAL_TYPE (HttpEcho, http_echo, BRAID_TYPE_LINE_RECEIVER)

static void
send_response (HttpEcho *self)
{
  BraidLineReceiver *receiver = BRAID_LINE_RECEIVER (self);
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));
  g_autoptr (GString) body = g_string_new ("You said:\r\n\r\n");
  g_autofree char *content_length = NULL;

  for (guint i = 0; i < self->lines->len; i++)
    {
      if (i > 0)
        g_string_append (body, "\r\n");
      g_string_append (body, g_ptr_array_index (self->lines, i));
    }
  content_length = g_strdup_printf ("Content-Length: %" G_GSIZE_FORMAT, body->len);

  braid_line_receiver_send_line (receiver, "HTTP/1.0 200 OK");
  braid_line_receiver_send_line (receiver, "Content-Type: text/plain");
  braid_line_receiver_send_line (receiver, content_length);
  braid_line_receiver_send_line (receiver, "");
  braid_transport_write (transport, (const guint8 *) body->str, body->len);
  braid_transport_lose_connection (transport);
}

/* The one answer to a request too big to echo. */
static void
refuse_request (BraidLineReceiver *receiver)
{
  braid_line_receiver_send_line (receiver, "HTTP/1.0 431 Request Header Fields Too Large");
  braid_line_receiver_send_line (receiver, "Content-Length: 0");
  braid_line_receiver_send_line (receiver, "");
  braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (receiver)));
}

static void
http_echo_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  HttpEcho *self = HTTP_ECHO (receiver);

  /* The empty line ends the request's head. */
  if (len == 0)
    {
      send_response (self);
      return;
    }
  if (self->lines->len == HTTP_ECHO_MAX_LINES)
    {
      refuse_request (receiver);
      return;
    }
  g_ptr_array_add (self->lines, g_strndup (line, len));
}

/* A header line over max_length: answer like an HTTP server, then close
 * (the default would only close). */
static void
http_echo_line_length_exceeded (BraidLineReceiver *receiver, gsize length)
{
  refuse_request (receiver);
}

/* The program's factory gives each connection a clock: a client silent
 * for HTTP_ECHO_IDLE_TIMEOUT_SECONDS before its head ends is aborted. */
static void
http_echo_connection_made (BraidProtocol *protocol)
{
  HttpEcho *self = HTTP_ECHO (protocol);

  if (self->clock != NULL)
    braid_protocol_set_idle_timeout (protocol, self->clock, HTTP_ECHO_IDLE_TIMEOUT_SECONDS);
}

static void
http_echo_finalize (GObject *object)
{
  g_ptr_array_unref (HTTP_ECHO (object)->lines);
  G_OBJECT_CLASS (http_echo_parent_class)->finalize (object);
}

static void
http_echo_class_init (HttpEchoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = http_echo_finalize;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = http_echo_line_received;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_length_exceeded = http_echo_line_length_exceeded;
  BRAID_PROTOCOL_CLASS (klass)->connection_made = http_echo_connection_made;
}

static void
http_echo_init (HttpEcho *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_free);
  /* Request lines are short; 8 KiB is what common servers accept. */
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (self), 8192);
}

/* The HTTP echo's factory: builds HttpEcho protocols that time out. */
struct _HttpEchoFactory
{
  BraidFactory parent_instance;
  BraidClock *clock;       /* borrowed: the reactor outlives its factories */
};

G_DEFINE_FINAL_TYPE (HttpEchoFactory, http_echo_factory, BRAID_TYPE_FACTORY)

static BraidProtocol *
http_echo_factory_build_protocol (BraidFactory *factory, GSocketAddress *address)
{
  BraidProtocol *protocol =
    BRAID_FACTORY_CLASS (http_echo_factory_parent_class)->build_protocol (factory, address);

  HTTP_ECHO (protocol)->clock = HTTP_ECHO_FACTORY (factory)->clock;
  return protocol;
}

static void
http_echo_factory_class_init (HttpEchoFactoryClass *klass)
{
  BRAID_FACTORY_CLASS (klass)->build_protocol = http_echo_factory_build_protocol;
}

static void
http_echo_factory_init (HttpEchoFactory *self)
{
}

/**
 * http_echo_factory_new:
 * @clock: the clock of the idle timeout (the reactor); it must outlive the
 *   factory
 *
 * Returns: (transfer full): a factory of [type@HttpEcho] protocols that
 *   close a connection silent for %HTTP_ECHO_IDLE_TIMEOUT_SECONDS
 */
BraidFactory *
http_echo_factory_new (BraidClock *clock)
{
  HttpEchoFactory *self;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  self = g_object_new (HTTP_TYPE_ECHO_FACTORY, "protocol-type", HTTP_TYPE_ECHO, NULL);
  self->clock = clock;
  return BRAID_FACTORY (self);
}
