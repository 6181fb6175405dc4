/* braid-site.c: an HTTP/1.1 server: the site (factory) and its channels
 * (one protocol per connection). */
#include "config.h"

#include <string.h>

#include "core/braid-producer.h"
#include "core/braid-transport.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "web/braid-http-parser-private.h"
#include "web/braid-request.h"
#include "web/braid-resource.h"
#include "web/braid-site.h"

/**
 * BraidSite:
 *
 * An HTTP/1.1 server over a tree of [class@Braid.Resource]s: Twisted's
 * `Site`. It is a factory: listen with it as with any other, and each
 * connection gets a [class@Braid.HttpChannel] that parses requests, walks
 * the tree and sends the responses.
 *
 * ```c
 * g_autoptr (BraidSite) site = braid_site_new (root);
 * braid_factory_set_clock (BRAID_FACTORY (site), BRAID_CLOCK (reactor));
 * braid_reactor_listen_tcp (reactor, 8080, BRAID_FACTORY (site), ...);
 * ```
 *
 * Every limit is a setter, every timeout runs on the factory's clock
 * ([method@Braid.Factory.set_clock]; a [class@Braid.FakeClock] in tests):
 *
 * | limit | default | when exceeded |
 * |---|---|---|
 * | request line | 8 KiB | 414, close |
 * | head (request line and headers) | 64 KiB | 431, close |
 * | body (Content-Length or chunked) | %BRAID_HTTP_DEFAULT_MAX_BODY | 413, close |
 * | malformed request | — | 400 (501 for an unknown Transfer-Encoding, 505 for HTTP/2+), close |
 * | head or body not complete within the request timeout (30 s) | — | 408, close |
 * | no request on a kept-alive connection for the idle timeout (60 s) | — | close |
 *
 * `docs/web.md` describes the model and where it differs from
 * `twisted.web`.
 */
struct _BraidSite
{
  BraidFactory parent_instance;
  BraidResource *root;
  gsize max_request_line;
  gsize max_head;
  guint64 max_body;
  gdouble request_timeout;
  gdouble idle_timeout;
  gboolean access_log;
  guint64 requests;
};

G_DEFINE_FINAL_TYPE (BraidSite, braid_site, BRAID_TYPE_FACTORY)

typedef enum
{
  TIMER_NONE,
  TIMER_IDLE,
  TIMER_HEAD,
  TIMER_BODY,
} TimerKind;

/**
 * BraidHttpChannel:
 *
 * One HTTP connection of a [class@Braid.Site]: Twisted's `HTTPChannel`.
 * It parses requests (keep-alive, pipelining, chunked bodies,
 * `Expect: 100-continue`), answers them in the order they came, and
 * applies the site's limits and timeouts. While a response is not
 * finished, it reads no further requests (the transport is paused), so a
 * pipelining client cannot make it hold more than one read.
 */
struct _BraidHttpChannel
{
  BraidProtocol parent_instance;
  BraidHttpParser parser;
  BraidRequest *current;       /* the request being received or answered */
  GByteArray *body;
  GByteArray *pending;         /* received while a response is in progress */
  BraidDelayedCall *timer;
  TimerKind timer_kind;
  gboolean answering;          /* current is received, its response not done */
  gboolean dispatching;        /* inside braid_request_process from the parser */
  gboolean paused;             /* we paused the transport */
  gboolean closing;
  char *peer;                  /* the client's address as logged; NULL until needed */
};

G_DEFINE_FINAL_TYPE (BraidHttpChannel, braid_http_channel, BRAID_TYPE_PROTOCOL)

/* The request type of a channel: its response goes to the connection. */
#define CHANNEL_TYPE_REQUEST (channel_request_get_type ())
G_DECLARE_FINAL_TYPE (ChannelRequest, channel_request, CHANNEL, REQUEST, BraidRequest)

struct _ChannelRequest
{
  BraidRequest parent_instance;
  BraidHttpChannel *channel;   /* not a reference; cleared when the channel lets go */
};

G_DEFINE_FINAL_TYPE (ChannelRequest, channel_request, BRAID_TYPE_REQUEST)

static void channel_request_done_cb (BraidHttpChannel *self, BraidRequest *request);

/* The connection of a request being answered; NULL once its response is
 * finished or its client gone (the channel lets go of it then). While the
 * channel holds a request it is connected and not closing: it closes only
 * after the response is done, or when the connection is lost. */
static BraidTransport *
channel_transport (ChannelRequest *request)
{
  if (request->channel == NULL)
    return NULL;
  return braid_protocol_get_transport (BRAID_PROTOCOL (request->channel));
}

/* Called only while the response is not finished nor the client gone
 * (BraidRequest checks): the channel holds the request. */
static void
channel_request_send (BraidRequest *request, const GOutputVector *vectors, gsize n)
{
  braid_transport_write_sequence (channel_transport (CHANNEL_REQUEST (request)), vectors, n);
}

/* Called once, by braid_request_finish, while the channel holds the request. */
static void
channel_request_done (BraidRequest *request)
{
  channel_request_done_cb (CHANNEL_REQUEST (request)->channel, request);
}

static void
channel_request_register_producer (BraidRequest *request, BraidProducer *producer, gboolean streaming)
{
  BraidTransport *transport = channel_transport (CHANNEL_REQUEST (request));

  if (transport != NULL)
    braid_transport_register_producer (transport, producer, streaming);
  else
    braid_producer_stop_producing (producer);
}

static void
channel_request_unregister_producer (BraidRequest *request)
{
  BraidTransport *transport = channel_transport (CHANNEL_REQUEST (request));

  if (transport != NULL)
    braid_transport_unregister_producer (transport);
}

static void
channel_request_class_init (ChannelRequestClass *klass)
{
  BraidRequestClass *request_class = BRAID_REQUEST_CLASS (klass);

  request_class->send = channel_request_send;
  request_class->done = channel_request_done;
  request_class->register_producer = channel_request_register_producer;
  request_class->unregister_producer = channel_request_unregister_producer;
}

static void
channel_request_init (ChannelRequest *self)
{
}

static BraidSite *
channel_site (BraidHttpChannel *self)
{
  BraidFactory *factory = braid_protocol_get_factory (BRAID_PROTOCOL (self));

  return BRAID_IS_SITE (factory) ? BRAID_SITE (factory) : NULL;
}

/* Called while connected. */
static char *
peer_string (BraidHttpChannel *self)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));
  GSocketAddress *peer = braid_transport_get_peer (transport);

  if (G_IS_INET_SOCKET_ADDRESS (peer))
    return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));
  return g_strdup ("-");
}

static void
cancel_timer (BraidHttpChannel *self)
{
  /* A timer that fires lets go of itself first: one held is pending. */
  if (self->timer != NULL)
    {
      braid_delayed_call_cancel (self->timer, NULL);
      braid_delayed_call_unref (self->timer);
      self->timer = NULL;
    }
  self->timer_kind = TIMER_NONE;
}

static void send_error_and_close (BraidHttpChannel *self, guint status, const char *reason);

static void
timer_fired (gpointer user_data)
{
  BraidHttpChannel *self = user_data;
  TimerKind kind = self->timer_kind;
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  /* Every timer is cancelled when the connection closes or is lost: here
   * it is open. */
  braid_delayed_call_unref (self->timer);
  self->timer = NULL;
  self->timer_kind = TIMER_NONE;
  if (kind == TIMER_IDLE)
    {
      g_autofree char *peer = peer_string (self);

      g_message ("HTTP connection from %s idle for %g s: closing", peer,
                 braid_site_get_idle_timeout (channel_site (self)));
      self->closing = TRUE;
      braid_transport_lose_connection (transport);
      return;
    }
  send_error_and_close (self, 408, kind == TIMER_HEAD ? "request head not received in time"
                                                      : "request body not received in time");
}

static void
arm_timer (BraidHttpChannel *self, TimerKind kind, gboolean restart)
{
  BraidClock *clock = braid_protocol_get_clock (BRAID_PROTOCOL (self));
  BraidSite *site = channel_site (self);
  gdouble seconds;

  if (self->timer_kind == kind && !restart)
    return;
  cancel_timer (self);
  /* A clock comes from the factory, which is a site. */
  if (clock == NULL)
    return;
  seconds = kind == TIMER_IDLE ? site->idle_timeout : site->request_timeout;
  if (seconds <= 0)
    return;
  self->timer = braid_delayed_call_ref (braid_clock_call_later (clock, seconds, timer_fired,
                                                                self, NULL));
  self->timer_kind = kind;
}

/* Picks the timer for what the connection is waiting for now. */
static void
update_timer (BraidHttpChannel *self)
{
  if (self->closing || self->answering)
    cancel_timer (self);
  else if (self->parser.state != BRAID_HTTP_STATE_HEAD)
    arm_timer (self, TIMER_BODY, TRUE);
  else if (self->parser.partial->len > 0)
    arm_timer (self, TIMER_HEAD, FALSE);
  else
    arm_timer (self, TIMER_IDLE, FALSE);
}

static void
send_error_and_close (BraidHttpChannel *self, guint status, const char *reason)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));
  g_autofree char *peer = peer_string (self);
  g_autofree char *date = braid_http_date (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *response = NULL;
  gsize body_len = strlen (reason) + 1;

  g_message ("HTTP connection from %s: %u %s (%s): closing", peer, status,
             braid_http_reason_phrase (status), reason);
  cancel_timer (self);
  /* Called from the parser or a timer: neither runs once closing. */
  self->closing = TRUE;
  response = g_strdup_printf ("HTTP/1.1 %u %s\r\nServer: Braid/" PACKAGE_VERSION "\r\n"
                              "Date: %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n%s\n",
                              status, braid_http_reason_phrase (status), date, body_len, reason);
  braid_transport_write_string (transport, response);
  braid_transport_lose_connection (transport);
}

static gboolean
parser_head (BraidHttpParser *parser, gpointer user_data)
{
  BraidHttpChannel *self = user_data;
  BraidSite *site = channel_site (self);
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));
  ChannelRequest *request;

  request = g_object_new (CHANNEL_TYPE_REQUEST, NULL);
  request->channel = self;
  braid_request_setup (BRAID_REQUEST (request), parser->method, parser->target,
                       parser->version_minor);
  for (guint i = 0; i < parser->names->len; i++)
    braid_request_add_request_header (BRAID_REQUEST (request), parser->names->pdata[i],
                                      parser->values->pdata[i]);
  braid_request_set_keep_alive (BRAID_REQUEST (request), parser->keep_alive);
  /* Parsing runs from data_received: connected. */
  braid_request_set_client_address (BRAID_REQUEST (request), braid_transport_get_peer (transport));
  g_clear_object (&self->current);
  self->current = BRAID_REQUEST (request);
  g_byte_array_set_size (self->body, 0);

  if (site != NULL)
    parser->max_body = site->max_body;
  if (parser->expect_continue
      && (parser->chunked || (parser->has_length && parser->content_length > 0
                              && parser->content_length <= parser->max_body)))
    braid_transport_write_string (transport, "HTTP/1.1 100 Continue\r\n\r\n");
  return TRUE;
}

static void
parser_body (BraidHttpParser *parser, const guint8 *data, gsize len, gpointer user_data)
{
  BraidHttpChannel *self = user_data;

  g_byte_array_append (self->body, data, (guint) len);
}

static gboolean
parser_end (BraidHttpParser *parser, gpointer user_data)
{
  BraidHttpChannel *self = user_data;
  BraidSite *site = channel_site (self);
  g_autoptr (BraidRequest) request = g_object_ref (self->current);

  if (self->body->len > 0)
    {
      /* The request takes the bytes received; no copy. */
      g_autoptr (GBytes) content = g_byte_array_free_to_bytes (g_steal_pointer (&self->body));

      self->body = g_byte_array_new ();
      braid_request_set_content (request, content);
    }
  self->answering = TRUE;
  cancel_timer (self);
  if (site != NULL)
    {
      site->requests++;
      self->dispatching = TRUE;
      braid_request_process (request, site->root);
      self->dispatching = FALSE;
    }
  /* Go on with the next request only once this one is answered. */
  return !self->answering && !self->closing;
}

static void
parser_error (BraidHttpParser *parser, guint status, const char *reason, gpointer user_data)
{
  send_error_and_close (user_data, status, reason);
}

static const BraidHttpParserCallbacks channel_callbacks = {
  parser_head,
  parser_body,
  parser_end,
  parser_error,
};

static void
pause_transport (BraidHttpChannel *self)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  if (!self->paused && transport != NULL && BRAID_IS_PRODUCER (transport)
      && !braid_transport_is_disconnecting (transport))
    {
      self->paused = TRUE;
      braid_producer_pause_producing (BRAID_PRODUCER (transport));
    }
}

static void
resume_transport (BraidHttpChannel *self)
{
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  if (self->paused && transport != NULL && BRAID_IS_PRODUCER (transport)
      && !braid_transport_is_disconnecting (transport))
    braid_producer_resume_producing (BRAID_PRODUCER (transport));
  self->paused = FALSE;
}

static void
feed (BraidHttpChannel *self, const guint8 *data, gsize len)
{
  gsize used;

  g_object_ref (self);
  used = braid_http_parser_feed (&self->parser, data, len);
  if (!self->closing && self->parser.state != BRAID_HTTP_STATE_ERROR && used < len)
    {
      g_byte_array_append (self->pending, data + used, (guint) (len - used));
      pause_transport (self);
    }
  update_timer (self);
  g_object_unref (self);
}

static void
braid_http_channel_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  BraidHttpChannel *self = BRAID_HTTP_CHANNEL (protocol);

  if (self->closing || self->parser.state == BRAID_HTTP_STATE_ERROR)
    return;
  if (self->answering || self->pending->len > 0)
    {
      /* A response is in progress: keep the bytes for later and stop
       * reading (a paused transport hands over at most this read). */
      g_byte_array_append (self->pending, data, (guint) len);
      pause_transport (self);
      return;
    }
  feed (self, data, len);
}

/* The peer's address as the access log writes it, worked out once per
 * connection. */
static const char *
channel_peer (BraidHttpChannel *self)
{
  if (self->peer == NULL)
    self->peer = peer_string (self);
  return self->peer;
}

/* The access log's time, formatted once a second. */
static const char *
log_time (void)
{
  static _Thread_local char cached[40];
  static _Thread_local gint64 cached_second = -1;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now != cached_second)
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (now);
      g_autofree char *text = g_date_time_format (t, "%d/%b/%Y:%H:%M:%S +0000");

      g_strlcpy (cached, text, sizeof cached);
      cached_second = now;
    }
  return cached;
}

static void
log_access (BraidHttpChannel *self, BraidRequest *request)
{
  const char *referer = braid_request_get_header (request, "referer");
  const char *agent = braid_request_get_header (request, "user-agent");

  g_message ("%s - - [%s] \"%s %s HTTP/1.%u\" %u %" G_GUINT64_FORMAT " \"%s\" \"%s\"",
             channel_peer (self), log_time (), braid_request_get_method (request),
             braid_request_get_uri (request), braid_request_get_version_minor (request),
             braid_request_get_response_code (request), braid_request_get_sent_length (request),
             referer != NULL ? referer : "-", agent != NULL ? agent : "-");
}

/* The current request's response is complete. */
static void
channel_request_done_cb (BraidHttpChannel *self, BraidRequest *request)
{
  BraidSite *site = channel_site (self);
  BraidTransport *transport = braid_protocol_get_transport (BRAID_PROTOCOL (self));

  /* The request is the current one: the only one that holds the channel. */
  if (site->access_log)
    log_access (self, request);
  CHANNEL_REQUEST (request)->channel = NULL;
  self->answering = FALSE;
  if (!braid_request_get_keep_alive (request))
    {
      self->closing = TRUE;
      cancel_timer (self);
      braid_transport_lose_connection (transport);
      return;
    }
  if (self->dispatching)
    return;   /* the parser goes on by itself */

  /* Answered later: parse what arrived meanwhile, then read again. */
  g_object_ref (self);
  if (self->pending->len > 0)
    {
      g_autoptr (GByteArray) held = g_steal_pointer (&self->pending);

      self->pending = g_byte_array_new ();
      feed (self, held->data, held->len);
    }
  else
    update_timer (self);
  if (!self->answering && self->pending->len == 0 && !self->closing)
    resume_transport (self);
  g_object_unref (self);
}

static void
braid_http_channel_connection_made (BraidProtocol *protocol)
{
  BraidHttpChannel *self = BRAID_HTTP_CHANNEL (protocol);
  BraidSite *site = channel_site (self);

  if (site != NULL)
    {
      self->parser.max_request_line = site->max_request_line;
      self->parser.max_head = site->max_head;
      self->parser.default_max_body = site->max_body;
    }
  update_timer (self);
}

static void
braid_http_channel_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  BraidHttpChannel *self = BRAID_HTTP_CHANNEL (protocol);

  self->closing = TRUE;
  cancel_timer (self);
  if (self->current != NULL)
    {
      g_autoptr (BraidRequest) request = g_steal_pointer (&self->current);

      CHANNEL_REQUEST (request)->channel = NULL;
      braid_request_connection_lost (request, reason);
    }
}

static void
braid_http_channel_finalize (GObject *object)
{
  BraidHttpChannel *self = BRAID_HTTP_CHANNEL (object);

  cancel_timer (self);
  if (self->current != NULL)
    CHANNEL_REQUEST (self->current)->channel = NULL;
  g_clear_object (&self->current);
  braid_http_parser_clear (&self->parser);
  g_byte_array_unref (self->body);
  g_byte_array_unref (self->pending);
  g_free (self->peer);
  G_OBJECT_CLASS (braid_http_channel_parent_class)->finalize (object);
}

static void
braid_http_channel_class_init (BraidHttpChannelClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = braid_http_channel_finalize;
  protocol_class->connection_made = braid_http_channel_connection_made;
  protocol_class->data_received = braid_http_channel_data_received;
  protocol_class->connection_lost = braid_http_channel_connection_lost;
  braid_protocol_class_set_factory_type (protocol_class, BRAID_TYPE_SITE);
}

static void
braid_http_channel_init (BraidHttpChannel *self)
{
  braid_http_parser_init (&self->parser, BRAID_HTTP_PARSE_REQUEST, &channel_callbacks, self);
  self->parser.default_max_body = BRAID_HTTP_DEFAULT_MAX_BODY;
  self->body = g_byte_array_new ();
  self->pending = g_byte_array_new ();
}

static void
braid_site_finalize (GObject *object)
{
  g_clear_object (&BRAID_SITE (object)->root);
  G_OBJECT_CLASS (braid_site_parent_class)->finalize (object);
}

static void
braid_site_class_init (BraidSiteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_site_finalize;
}

static void
braid_site_init (BraidSite *self)
{
  self->max_request_line = BRAID_HTTP_DEFAULT_MAX_REQUEST_LINE;
  self->max_head = BRAID_HTTP_DEFAULT_MAX_HEAD;
  self->max_body = BRAID_HTTP_DEFAULT_MAX_BODY;
  self->request_timeout = 30;
  self->idle_timeout = 60;
}

/**
 * braid_site_new:
 * @root: the root of the resource tree
 *
 * Makes a site serving @root. Give it a clock
 * ([method@Braid.Factory.set_clock]) for its timeouts.
 *
 * Returns: (transfer full): the site
 */
BraidSite *
braid_site_new (BraidResource *root)
{
  BraidSite *self;

  g_return_val_if_fail (BRAID_IS_RESOURCE (root), NULL);

  self = g_object_new (BRAID_TYPE_SITE, "protocol-type", BRAID_TYPE_HTTP_CHANNEL, NULL);
  self->root = g_object_ref (root);
  return self;
}

/**
 * braid_site_get_root:
 * @self: a site
 *
 * Gets the root of the site's resource tree.
 *
 * Returns: (transfer none): the root
 */
BraidResource *
braid_site_get_root (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), NULL);
  return self->root;
}

/**
 * braid_site_set_max_request_line:
 * @self: a site
 * @max: the longest request line accepted, in bytes (default 8 KiB)
 *
 * Sets the request line limit; a longer one is answered 414. Applies to
 * connections made afterwards.
 */
void
braid_site_set_max_request_line (BraidSite *self, gsize max)
{
  g_return_if_fail (BRAID_IS_SITE (self));
  g_return_if_fail (max > 0);
  self->max_request_line = max;
}

/**
 * braid_site_get_max_request_line:
 * @self: a site
 *
 * Gets the request line limit.
 *
 * Returns: the limit, in bytes
 */
gsize
braid_site_get_max_request_line (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), 0);
  return self->max_request_line;
}

/**
 * braid_site_set_max_head:
 * @self: a site
 * @max: the largest request head accepted, in bytes (default 64 KiB)
 *
 * Sets the head limit (request line and headers); a larger head is
 * answered 431. Applies to connections made afterwards.
 */
void
braid_site_set_max_head (BraidSite *self, gsize max)
{
  g_return_if_fail (BRAID_IS_SITE (self));
  g_return_if_fail (max > 0);
  self->max_head = max;
}

/**
 * braid_site_get_max_head:
 * @self: a site
 *
 * Gets the head limit.
 *
 * Returns: the limit, in bytes
 */
gsize
braid_site_get_max_head (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), 0);
  return self->max_head;
}

/**
 * braid_site_set_max_body:
 * @self: a site
 * @max: the largest request body accepted, in bytes
 *
 * Sets the body limit (default %BRAID_HTTP_DEFAULT_MAX_BODY); a larger
 * body is answered 413 as soon as its length is known.
 */
void
braid_site_set_max_body (BraidSite *self, guint64 max)
{
  g_return_if_fail (BRAID_IS_SITE (self));
  self->max_body = max;
}

/**
 * braid_site_get_max_body:
 * @self: a site
 *
 * Gets the body limit.
 *
 * Returns: the limit, in bytes
 */
guint64
braid_site_get_max_body (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), 0);
  return self->max_body;
}

/**
 * braid_site_set_request_timeout:
 * @self: a site
 * @seconds: how long a request's head, then its body, may take to arrive
 *   (default 30; 0 for no limit)
 *
 * Sets the slowloris timeout: a request not received in time is answered
 * 408 and the connection closed.
 */
void
braid_site_set_request_timeout (BraidSite *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_SITE (self));
  g_return_if_fail (seconds >= 0);
  self->request_timeout = seconds;
}

/**
 * braid_site_get_request_timeout:
 * @self: a site
 *
 * Gets the request timeout.
 *
 * Returns: the timeout, in seconds
 */
gdouble
braid_site_get_request_timeout (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), 0);
  return self->request_timeout;
}

/**
 * braid_site_set_idle_timeout:
 * @self: a site
 * @seconds: how long a connection may wait for its next request (default
 *   60; 0 for no limit)
 *
 * Sets the keep-alive idle timeout: a connection with no request in
 * progress for that long is closed.
 */
void
braid_site_set_idle_timeout (BraidSite *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_SITE (self));
  g_return_if_fail (seconds >= 0);
  self->idle_timeout = seconds;
}

/**
 * braid_site_get_idle_timeout:
 * @self: a site
 *
 * Gets the idle timeout.
 *
 * Returns: the timeout, in seconds
 */
gdouble
braid_site_get_idle_timeout (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), 0);
  return self->idle_timeout;
}

/**
 * braid_site_set_access_log:
 * @self: a site
 * @enabled: %TRUE to log a line per request
 *
 * Logs (`g_message`) one line per response, in the combined log format
 * web servers write.
 */
void
braid_site_set_access_log (BraidSite *self, gboolean enabled)
{
  g_return_if_fail (BRAID_IS_SITE (self));
  self->access_log = enabled;
}

/**
 * braid_site_get_access_log:
 * @self: a site
 *
 * Tells whether the site logs each request.
 *
 * Returns: %TRUE if it does
 */
gboolean
braid_site_get_access_log (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), FALSE);
  return self->access_log;
}

/**
 * braid_site_get_request_count:
 * @self: a site
 *
 * Counts the requests the site has received in full.
 *
 * Returns: the count
 */
guint64
braid_site_get_request_count (BraidSite *self)
{
  g_return_val_if_fail (BRAID_IS_SITE (self), 0);
  return self->requests;
}
