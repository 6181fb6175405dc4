/* braid-socket-transport.c: a connected TCP or UNIX stream socket.
 *
 * The hot path is short on purpose: a readable socket is read once into the
 * reactor's buffer and the bytes go straight to data_received; a write with
 * nothing already buffered is sent at once, and only what the kernel did not
 * take is copied into the transport's buffer, which is then flushed when
 * epoll says the socket is writable. An echo costs one recv and one send.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "reactor/braid-glib-reactor-private.h"
#include "braid-error.h"
#include "core/braid-producer.h"
#include "core/braid-transport.h"
#include "core/braid-write-limit.h"

/* A drained write buffer at most this large is kept for the next write; a
 * larger one is freed, so an idle connection holds no buffer. */
#define KEPT_BUFFER_SIZE 4096

typedef enum {
  TRANSPORT_NEW,            /* created, not started */
  TRANSPORT_OPEN,
  TRANSPORT_DISCONNECTING,  /* lose_connection: flushing, then closing */
  TRANSPORT_CLOSED,         /* socket closed; connection_lost pending */
  TRANSPORT_DONE,           /* connection_lost delivered */
} TransportState;

struct _BraidSocketTransport
{
  GObject parent_instance;

  BraidWatch watch;
  BraidGLibReactor *reactor;        /* not owned; NULL once done */
  BraidProtocol *protocol;          /* owned while the connection is open */
  BraidSocketConnector *connector;  /* owned; client connections only */
  GList link;                       /* in the reactor's connection queues */

  guint8 *out;                      /* bytes not yet sent: out[out_start .. +out_length] */
  gsize out_start;
  gsize out_length;
  gsize out_capacity;

  BraidProducer *producer;
  GError *reason;                   /* why it closed, until delivered */
  GSocketAddress *peer;
  GSocketAddress *host;

  TransportState state;
  guint streaming : 1;              /* the producer is a push producer */
  guint producer_paused : 1;        /* we paused it (high-water mark) */
  guint reading_paused : 1;         /* pause_producing on the transport */
  guint reading_held : 1;           /* past the high-water mark, no producer */
  guint accepted : 1;               /* a listening port's connection */
  guint read_closed : 1;            /* the peer half-closed */
  guint write_closed : 1;           /* lose_write_connection was called */
  guint write_shut_down : 1;        /* shutdown (SHUT_WR) was done */
};

static void braid_socket_transport_producer_init (BraidProducerInterface *iface);
static void braid_socket_transport_transport_init (BraidTransportInterface *iface);

/**
 * BraidSocketTransport:
 *
 * The [iface@Braid.Transport] of a TCP or UNIX stream connection of a
 * [class@Braid.GLibReactor]. Programs never create one: the reactor does,
 * for each connection accepted or made, and gives it to the protocol.
 *
 * Its life: the reactor accepts or connects a socket, creates the
 * transport, and calls the protocol's `make_connection`. While open, bytes
 * from the peer go to `data_received`; writes are sent at once when the
 * socket can take them and buffered otherwise. The connection ends by
 * [method@Braid.Transport.lose_connection] (after flushing: clean),
 * [method@Braid.Transport.abort_connection] (unclean, and the peer gets a
 * reset, as from Twisted's `abortConnection`), the peer closing
 * (clean) or an error (unclean, the message names it). The protocol's
 * `connection_lost` then runs once, at the end of the reactor iteration --
 * never from inside the call that closed the connection -- and the
 * transport lets go of the protocol.
 *
 * The transport holds its protocol while the connection is open; the
 * protocol holds the transport for as long as it lives. Neither keeps the
 * other alive after the connection is gone.
 *
 * A streaming producer registered on the transport is paused once more than
 * %BRAID_SOCKET_TRANSPORT_HIGH_WATER bytes wait to be sent, and resumed
 * below %BRAID_SOCKET_TRANSPORT_LOW_WATER; a non-streaming producer is
 * asked for more each time the buffer has drained. Pausing the transport
 * itself stops reading from the socket. With no producer registered, a
 * server's transport (one a listening port accepted) does that on its own:
 * past the high-water mark it stops reading from the peer until the buffer
 * is back under the low-water mark, so a server that answers what it reads
 * (an echo, a proxy) never buffers much more than the high-water mark for a
 * peer that sends and never reads. Twisted's transports keep reading; Braid
 * does not, because a server's unbounded buffer is the worse failure
 * (docs/reliability.md). A client's transport keeps reading: were both ends
 * of a connection to stop reading while each has more to send (a client
 * uploading to an echo), neither would ever drain.
 *
 * Whatever the producers do, a write made while more than
 * [method@Braid.Transport.get_write_buffer_limit] bytes wait
 * (%BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT unless set) aborts the
 * connection with %BRAID_ERROR_PEER_NOT_READING, logged with the peer's
 * address, so a peer that never reads cannot take the server's memory.
 *
 * Misbehaving callbacks: a protocol may abort or lose its connection from
 * any callback, even twice; writes after a close are ignored; a socket
 * error closes the connection with %BRAID_ERROR_CONNECTION_LOST and a
 * message naming the error. Only the failing connection is affected.
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSocketTransport, braid_socket_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_socket_transport_producer_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_socket_transport_transport_init))

static void on_socket_events (BraidWatch *watch, guint32 events);

static inline BraidSocketTransport *
transport_from_watch (BraidWatch *watch)
{
  return (BraidSocketTransport *) ((guint8 *) watch - G_STRUCT_OFFSET (BraidSocketTransport, watch));
}

static gboolean
is_connected (BraidSocketTransport *self)
{
  return self->state == TRANSPORT_OPEN || self->state == TRANSPORT_DISCONNECTING;
}

static gboolean
wants_to_read (BraidSocketTransport *self)
{
  return self->state == TRANSPORT_OPEN && !self->reading_paused && !self->reading_held
         && !self->read_closed;
}

static void close_now (BraidSocketTransport *self, GError *reason);

/* Registers for what the transport is waiting for now; nothing at all
 * removes the socket from epoll (see braid_glib_reactor_watch_set).
 *
 * If epoll refuses (registering again after a pause can fail with ENOMEM,
 * or ENOSPC past the user's watch limit), the socket would never be heard
 * from again: a connection that hangs forever. So it is closed instead,
 * with the reason logged and given to connection_lost. */
static void
update_interest (BraidSocketTransport *self)
{
  guint32 events = 0;
  g_autoptr (GError) error = NULL;

  if (!is_connected (self))
    return;
  if (wants_to_read (self))
    events |= EPOLLIN;
  if (self->out_length > 0)
    events |= EPOLLOUT;
  if (!braid_glib_reactor_watch_set (self->reactor, &self->watch, events, &error))
    {
      g_warning ("%s: %s: closing the connection",
                 braid_protocol_get_log_prefix (self->protocol), error->message);
      close_now (self, g_error_new (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                    "Connection lost: %s", error->message));
    }
}

static GError *
error_from_errno (int saved_errno)
{
  return g_error_new (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                      "Connection lost: %s", g_strerror (saved_errno));
}

static void
free_write_buffer (BraidSocketTransport *self)
{
  g_clear_pointer (&self->out, g_free);
  self->out_start = self->out_length = self->out_capacity = 0;
}

/* Closes the socket now. @reason (taken) goes to connection_lost, which the
 * reactor delivers at the end of its current iteration. */
static void
close_now (BraidSocketTransport *self, GError *reason)
{
  g_autoptr (GError) ignored = NULL;

  if (!is_connected (self))
    {
      g_error_free (reason);
      return;
    }
  self->state = TRANSPORT_CLOSED;
  self->reason = reason;
  braid_glib_reactor_watch_set (self->reactor, &self->watch, 0, &ignored);
  close (self->watch.fd);
  self->watch.fd = -1;
  free_write_buffer (self);
  braid_glib_reactor_connection_closed (self->reactor, &self->link);
}

static void
close_cleanly (BraidSocketTransport *self)
{
  close_now (self, g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                        "Connection was closed cleanly"));
}

/* Appends @len bytes to the write buffer, growing or compacting it. */
static void
buffer_append (BraidSocketTransport *self, const guint8 *data, gsize len)
{
  if (self->out_start + self->out_length + len > self->out_capacity)
    {
      /* Slide the unsent bytes to the front only when the sent bytes
       * before them are at least as many as the bytes to move: then every
       * byte moved was paid for by a byte sent, and writes stay linear
       * however small the sends. Otherwise grow (doubling). */
      if (self->out_length + len <= self->out_capacity
          && self->out_start >= self->out_length)
        memmove (self->out, self->out + self->out_start, self->out_length);
      else
        {
          gsize capacity = MAX (self->out_capacity * 2, self->out_length + len);
          guint8 *bigger = g_malloc (MAX (capacity, 1024));

          if (self->out_length > 0)
            memcpy (bigger, self->out + self->out_start, self->out_length);
          g_free (self->out);
          self->out = bigger;
          self->out_capacity = MAX (capacity, 1024);
        }
      self->out_start = 0;
    }
  memcpy (self->out + self->out_start + self->out_length, data, len);
  self->out_length += len;
}

/* A write is coming: if more than the transport's write buffer limit is
 * still waiting, the peer is not reading, and the connection is aborted
 * (braid-write-limit.c). Returns TRUE if it was. */
static gboolean
abort_past_write_limit (BraidSocketTransport *self)
{
  GError *too_much = braid_transport_check_write_buffer (BRAID_TRANSPORT (self),
                                                         self->out_length);

  if (too_much == NULL)
    return FALSE;
  close_now (self, too_much);
  return TRUE;
}

/* The buffer grew: past the high-water mark, pause a streaming producer;
 * with no producer, stop reading from the peer until the buffer drains, so
 * a protocol that answers what it reads (an echo) cannot be made to buffer
 * without bound by a peer that sends and never reads. */
static void
check_high_water (BraidSocketTransport *self)
{
  if (self->out_length <= BRAID_SOCKET_TRANSPORT_HIGH_WATER)
    return;
  if (self->producer == NULL)
    {
      if (self->accepted && !self->reading_held)
        {
          self->reading_held = TRUE;
          update_interest (self);
        }
    }
  else if (self->streaming && !self->producer_paused)
    {
      g_autoptr (BraidProducer) producer = g_object_ref (self->producer);

      self->producer_paused = TRUE;
      braid_producer_pause_producing (producer);
    }
}

/* What to do once the buffer has (partly) drained. */
static void
after_flush (BraidSocketTransport *self)
{
  if (self->out_length == 0)
    {
      if (self->state == TRANSPORT_DISCONNECTING)
        {
          close_cleanly (self);
          return;
        }
      if (self->write_closed && !self->write_shut_down)
        {
          self->write_shut_down = TRUE;
          shutdown (self->watch.fd, SHUT_WR);
          if (self->read_closed)
            {
              close_cleanly (self);
              return;
            }
        }
      if (self->out_capacity > KEPT_BUFFER_SIZE)
        free_write_buffer (self);
    }
  if (self->reading_held && self->out_length < BRAID_SOCKET_TRANSPORT_LOW_WATER)
    self->reading_held = FALSE;
  update_interest (self);

  if (self->producer != NULL)
    {
      g_autoptr (BraidProducer) producer = g_object_ref (self->producer);

      if (self->streaming && self->producer_paused
          && self->out_length < BRAID_SOCKET_TRANSPORT_LOW_WATER)
        {
          self->producer_paused = FALSE;
          braid_producer_resume_producing (producer);
        }
      /* Still open here: a drained buffer has closed a disconnecting
       * transport above. */
      else if (!self->streaming && self->out_length == 0)
        braid_producer_resume_producing (producer);
    }
}

static void
flush (BraidSocketTransport *self)
{
  ssize_t sent;

  do
    sent = send (self->watch.fd, self->out + self->out_start, self->out_length, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);

  if (sent < 0)
    {
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        close_now (self, error_from_errno (errno));
      return;
    }
  self->out_start += sent;
  self->out_length -= sent;
  if (self->out_length == 0)
    self->out_start = 0;
  after_flush (self);
}

/* A pull producer is asked for more each time the buffer drains, which only
 * shows as a writable event if the bytes went through the buffer; so while
 * one is registered, writes are never sent directly. */
static gboolean
can_send_directly (BraidSocketTransport *self)
{
  return self->out_length == 0 && (self->producer == NULL || self->streaming);
}

static gboolean
accepts_writes (BraidSocketTransport *self)
{
  return self->state == TRANSPORT_OPEN && !self->write_closed;
}

static void
braid_socket_transport_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (!accepts_writes (self) || abort_past_write_limit (self))
    return;

  if (can_send_directly (self))
    {
      ssize_t sent;

      do
        sent = send (self->watch.fd, data, len, MSG_NOSIGNAL);
      while (sent < 0 && errno == EINTR);
      if (sent < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              close_now (self, error_from_errno (errno));
              return;
            }
          sent = 0;
        }
      if ((gsize) sent == len)
        return;
      data += sent;
      len -= sent;
    }

  buffer_append (self, data, len);
  update_interest (self);
  check_high_water (self);
}

static void
braid_socket_transport_write_sequence (BraidTransport      *transport,
                                       const GOutputVector *vectors,
                                       gsize                n_vectors)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);
  gsize first_unsent = 0;
  gsize sent_of_first = 0;

  if (!accepts_writes (self) || abort_past_write_limit (self))
    return;

  if (can_send_directly (self))
    {
      struct iovec iov[64];
      gsize count = MIN (n_vectors, G_N_ELEMENTS (iov));
      gsize total = 0;
      ssize_t sent;

      /* One call for the first pieces; what does not fit in one call is
       * buffered below, and goes out with the next flush. */
      for (gsize i = 0; i < count; i++)
        {
          iov[i].iov_base = (void *) vectors[i].buffer;
          iov[i].iov_len = vectors[i].size;
          total += vectors[i].size;
        }
      /* sendmsg rather than writev: only sendmsg takes MSG_NOSIGNAL, and a
       * peer that has gone must not kill the process with SIGPIPE. */
      do
        {
          struct msghdr message = { .msg_iov = iov, .msg_iovlen = count };

          sent = sendmsg (self->watch.fd, &message, MSG_NOSIGNAL);
        }
      while (sent < 0 && errno == EINTR);
      if (sent < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              close_now (self, error_from_errno (errno));
              return;
            }
          sent = 0;
        }
      if ((gsize) sent == total && count == n_vectors)
        return;
      while (first_unsent < count && (gsize) sent >= vectors[first_unsent].size)
        sent -= vectors[first_unsent++].size;
      sent_of_first = sent;
    }

  for (gsize i = first_unsent; i < n_vectors; i++)
    {
      gsize skip = i == first_unsent ? sent_of_first : 0;

      if (vectors[i].size > skip)
        buffer_append (self, (const guint8 *) vectors[i].buffer + skip,
                       vectors[i].size - skip);
    }
  update_interest (self);
  check_high_water (self);
}

static void
handle_end_of_input (BraidSocketTransport *self)
{
  if (braid_protocol_supports_half_close (self->protocol))
    {
      self->read_closed = TRUE;
      if (self->write_shut_down)
        {
          close_cleanly (self);
          return;
        }
      update_interest (self);
      braid_protocol_read_connection_lost (self->protocol);
      return;
    }
  close_cleanly (self);
}

static void
read_once (BraidSocketTransport *self)
{
  gsize size;
  guint8 *buffer = braid_glib_reactor_get_read_buffer (self->reactor, &size);
  ssize_t received;

  do
    received = recv (self->watch.fd, buffer, size, 0);
  while (received < 0 && errno == EINTR);

  if (received > 0)
    braid_protocol_data_received (self->protocol, buffer, received);
  else if (received == 0)
    handle_end_of_input (self);
  else if (errno != EAGAIN && errno != EWOULDBLOCK)
    close_now (self, error_from_errno (errno));
}

static void
on_socket_events (BraidWatch *watch, guint32 events)
{
  BraidSocketTransport *self = transport_from_watch (watch);

  /* A read also reports an error or a hang-up (as 0 bytes or an errno).
   * A socket that does not want to read is registered only while bytes
   * wait to be sent, and the send below reports the error then; with
   * nothing to send it is not in epoll at all (update_interest), so an
   * error waits until reading resumes. */
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && wants_to_read (self))
    read_once (self);
  if (is_connected (self) && self->out_length > 0 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    flush (self);
}

static void
braid_socket_transport_lose_connection (BraidTransport *transport)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (self->state != TRANSPORT_OPEN)
    return;
  self->state = TRANSPORT_DISCONNECTING;
  if (self->out_length == 0)
    close_cleanly (self);
  else
    update_interest (self);
}

static void
braid_socket_transport_abort_connection (BraidTransport *transport)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (is_connected (self))
    {
      /* An abort resets the connection, as Twisted's abortConnection does
       * (SO_LINGER 0): the peer hears of it as a lost connection, not as a
       * clean end of the stream (the transport conformance kit checks it).
       * Other unclean closes (a socket error) close in order, as in
       * Twisted. */
      struct linger reset = { 1, 0 };

      (void) setsockopt (self->watch.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
  close_now (self, g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                        "Connection was aborted"));
}

static void
braid_socket_transport_lose_write_connection (BraidTransport *transport)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (self->state != TRANSPORT_OPEN || self->write_closed)
    return;
  self->write_closed = TRUE;
  if (self->out_length == 0)
    after_flush (self);
}

static GSocketAddress *
address_of (int fd, gboolean peer)
{
  struct sockaddr_storage storage;
  socklen_t len = sizeof storage;
  int result;

  if (fd < 0)
    return NULL;
  result = peer ? getpeername (fd, (struct sockaddr *) &storage, &len)
                : getsockname (fd, (struct sockaddr *) &storage, &len);
  if (result < 0)
    return NULL;
  return g_socket_address_new_from_native (&storage, len);
}

static GSocketAddress *
braid_socket_transport_get_peer (BraidTransport *transport)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (self->peer == NULL)
    self->peer = address_of (self->watch.fd, TRUE);
  return self->peer;
}

static GSocketAddress *
braid_socket_transport_get_host (BraidTransport *transport)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (self->host == NULL)
    self->host = address_of (self->watch.fd, FALSE);
  return self->host;
}

static void
braid_socket_transport_register_producer (BraidTransport *transport,
                                          BraidProducer  *producer,
                                          gboolean        streaming)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (self->producer != NULL)
    {
      g_critical ("braid_transport_register_producer: a producer is already registered");
      return;
    }
  if (!is_connected (self))
    {
      /* Twisted's rule: a producer registered on a closed transport is
       * told at once that there is no consumer any more. */
      braid_producer_stop_producing (producer);
      return;
    }
  self->producer = g_object_ref (producer);
  self->streaming = streaming != FALSE;
  self->producer_paused = FALSE;
  if (!streaming)
    braid_producer_resume_producing (producer);
  else
    check_high_water (self);
}

static void
braid_socket_transport_unregister_producer (BraidTransport *transport)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (transport);

  if (self->producer == NULL)
    {
      g_critical ("braid_transport_unregister_producer: no producer is registered");
      return;
    }
  g_clear_object (&self->producer);
  self->producer_paused = FALSE;
}

static gboolean
braid_socket_transport_is_disconnecting (BraidTransport *transport)
{
  return BRAID_SOCKET_TRANSPORT (transport)->state != TRANSPORT_OPEN;
}

static void
braid_socket_transport_transport_init (BraidTransportInterface *iface)
{
  iface->write = braid_socket_transport_write;
  iface->write_sequence = braid_socket_transport_write_sequence;
  iface->lose_connection = braid_socket_transport_lose_connection;
  iface->abort_connection = braid_socket_transport_abort_connection;
  iface->lose_write_connection = braid_socket_transport_lose_write_connection;
  iface->get_peer = braid_socket_transport_get_peer;
  iface->get_host = braid_socket_transport_get_host;
  iface->register_producer = braid_socket_transport_register_producer;
  iface->unregister_producer = braid_socket_transport_unregister_producer;
  iface->is_disconnecting = braid_socket_transport_is_disconnecting;
}

/* As a producer, the transport produces what the peer sends: pausing it
 * stops reading from the socket (the kernel's buffers fill, and TCP flow
 * control slows the peer down). */
/* Pausing or resuming a transport that is closing (after lose_connection,
 * abort_connection or stop_producing) is a programming error, as Twisted's
 * StringTransport says: nothing more will be read from it. */
static gboolean
check_can_produce (BraidSocketTransport *self, const char *what)
{
  if (self->state != TRANSPORT_OPEN)
    {
      g_critical ("%s: the transport is disconnecting or was stopped", what);
      return FALSE;
    }
  return TRUE;
}

static void
braid_socket_transport_pause_producing (BraidProducer *producer)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (producer);

  if (!check_can_produce (self, "braid_producer_pause_producing"))
    return;
  self->reading_paused = TRUE;
  update_interest (self);
}

static void
braid_socket_transport_resume_producing (BraidProducer *producer)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (producer);

  if (!check_can_produce (self, "braid_producer_resume_producing"))
    return;
  self->reading_paused = FALSE;
  update_interest (self);
}

static void
braid_socket_transport_stop_producing (BraidProducer *producer)
{
  braid_socket_transport_lose_connection (BRAID_TRANSPORT (producer));
}

static void
braid_socket_transport_producer_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_socket_transport_pause_producing;
  iface->resume_producing = braid_socket_transport_resume_producing;
  iface->stop_producing = braid_socket_transport_stop_producing;
}

static void
braid_socket_transport_finalize (GObject *object)
{
  BraidSocketTransport *self = BRAID_SOCKET_TRANSPORT (object);

  /* Only a transport that never started can still own its socket. */
  if (self->watch.fd >= 0)
    close (self->watch.fd);
  free_write_buffer (self);
  g_clear_error (&self->reason);
  g_clear_object (&self->peer);
  g_clear_object (&self->host);
  g_clear_object (&self->protocol);
  g_clear_object (&self->connector);
  g_clear_object (&self->producer);
  G_OBJECT_CLASS (braid_socket_transport_parent_class)->finalize (object);
}

static void
braid_socket_transport_class_init (BraidSocketTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_socket_transport_finalize;
}

static void
braid_socket_transport_init (BraidSocketTransport *self)
{
  self->watch.fd = -1;
}

/* Wraps a connected, non-blocking socket; @peer (nullable) is its address
 * if the caller already has it. */
BraidSocketTransport *
braid_socket_transport_new (BraidGLibReactor *reactor, int fd, GSocketAddress *peer)
{
  BraidSocketTransport *self = g_object_new (BRAID_TYPE_SOCKET_TRANSPORT, NULL);
  struct sockaddr_storage local;
  socklen_t len = sizeof local;

  self->reactor = reactor;
  braid_watch_init (&self->watch, fd, on_socket_events);
  if (peer != NULL)
    self->peer = g_object_ref (peer);

  /* Braid coalesces writes itself (everything written during one callback
   * goes out in one send when the socket is busy), so Nagle's algorithm
   * would only add a delay to request/response protocols. */
  if (getsockname (fd, (struct sockaddr *) &local, &len) == 0
      && (local.ss_family == AF_INET || local.ss_family == AF_INET6))
    {
      int one = 1;

      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  return self;
}

/* Registers the socket and connects @protocol to it: its make_connection
 * (and so connection_made) runs now. @connector (nullable) hears about the
 * end of a client connection. */
gboolean
braid_socket_transport_start (BraidSocketTransport *self,
                              BraidProtocol        *protocol,
                              BraidSocketConnector *connector)
{
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (self->state == TRANSPORT_NEW, FALSE);

  if (!braid_glib_reactor_watch_set (self->reactor, &self->watch, EPOLLIN, &error))
    {
      g_warning ("%s: %s", braid_protocol_get_log_prefix (protocol), error->message);
      return FALSE;
    }
  self->state = TRANSPORT_OPEN;
  self->protocol = g_object_ref (protocol);
  if (connector != NULL)
    self->connector = g_object_ref (connector);
  else
    self->accepted = TRUE;
  braid_glib_reactor_add_connection (self->reactor, self, &self->link);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (self));
  return TRUE;
}

/* Closes the connection for the reactor's shutdown: flushing first, or
 * (with @abort) at once. */
void
braid_socket_transport_shutdown (BraidSocketTransport *self, gboolean abort)
{
  if (abort)
    braid_socket_transport_abort_connection (BRAID_TRANSPORT (self));
  else if (self->state == TRANSPORT_OPEN)
    braid_socket_transport_lose_connection (BRAID_TRANSPORT (self));
}

/* Called by the reactor once per closed connection, outside any other
 * callback of this connection: stops the producer, tells the protocol and
 * the connector, and lets go of all three. */
void
braid_socket_transport_deliver_lost (BraidSocketTransport *self)
{
  g_autoptr (BraidProtocol) protocol = g_steal_pointer (&self->protocol);
  g_autoptr (BraidSocketConnector) connector = g_steal_pointer (&self->connector);
  g_autoptr (BraidProducer) producer = g_steal_pointer (&self->producer);
  g_autoptr (GError) reason = g_steal_pointer (&self->reason);

  g_return_if_fail (self->state == TRANSPORT_CLOSED);
  self->state = TRANSPORT_DONE;
  self->reactor = NULL;

  if (producer != NULL && producer != BRAID_PRODUCER (self))
    braid_producer_stop_producing (producer);
  braid_protocol_connection_lost (protocol, reason);
  if (connector != NULL)
    braid_socket_connector_connection_lost (connector, reason);
}

/**
 * braid_socket_transport_get_buffered_size:
 * @self: a socket transport
 *
 * Counts the bytes written and not yet sent: the figure the transport
 * compares with its high- and low-water marks.
 *
 * Returns: how many written bytes wait to be sent to the peer
 */
gsize
braid_socket_transport_get_buffered_size (BraidSocketTransport *self)
{
  g_return_val_if_fail (BRAID_IS_SOCKET_TRANSPORT (self), 0);
  return self->out_length;
}
