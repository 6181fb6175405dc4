/* braid-glib-reactor.c: the real reactor, on a GLib main context.
 *
 * Why one epoll GSource instead of one GLib fd watch per socket
 * -------------------------------------------------------------
 * GMainContext builds a pollfd array of every fd of every source and hands
 * it to poll() at each iteration, then walks it again to find what is
 * ready: each iteration costs O(registered fds), however few are active.
 * Measured on this project's machine (docs/reactor.md), a GLib
 * echo server with one watch per socket matches raw epoll with 10 busy
 * connections (1.00x) and falls to 0.06x once 5,000 idle connections are
 * open. So Braid gives GLib a single fd -- its own epoll instance -- through
 * one GSource: GLib polls one fd, and when it is readable the source's
 * dispatch asks epoll_wait (timeout 0) which sockets are ready. An
 * iteration then costs O(ready sockets), and every other GLib source on
 * the same context (timeouts, idles, D-Bus, GTK) keeps working, because
 * Braid is just one more source among them. The same source also fires the
 * reactor's delayed calls, so a Braid timer costs no GSource either.
 * Measured with tools/bench/braid-echo-server in the same run as raw epoll
 * (tools/bench/run-echo-bench, 10 busy connections and 5,000 idle
 * ones; docs/benchmarks.md), this design kept pace with raw epoll (1.22x on a loaded machine)
 * where the one-watch-per-socket GLib server fell to 0.06x.
 *
 * Events are level-triggered: a socket that was not fully read is reported
 * again at the next iteration, which keeps one busy connection from starving
 * the others and makes the code simpler to reason about than edge-triggered
 * mode (no "must read until EAGAIN" rule).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "reactor/braid-glib-reactor-private.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "time/braid-timer-queue.h"
#include "core/braid-connector.h"
#include "core/braid-datagram-transport.h"
#include "core/braid-listening-port.h"
#include "core/braid-reactor.h"
#include "core/braid-trigger-list.h"

/* How many ready sockets one epoll_wait reports; more wait for the next. */
#define MAX_EVENTS_PER_ROUND 256

/* How many epoll_wait rounds one dispatch runs before it lets timers and
 * other GLib sources have their turn (see dispatch_ready_sockets). Measured
 * with tools/bench (10 and 100 connections echoing 1 KiB, medians of 6-8
 * alternating runs): 1 round per dispatch gave 1.02x and 0.97x raw epoll,
 * 16 rounds 1.06x and 1.07x; 64 rounds did no better than 16. */
#define MAX_ROUNDS_PER_DISPATCH 16

/* How long one dispatch may keep calling socket callbacks before it lets
 * timers and the context's other sources have their turn, whatever the
 * round count. Rounds alone do not bound the time: one read can cost a
 * protocol milliseconds (lesson 09's pubsub broadcasts thousands of lines
 * per 256 KiB read), and 16 rounds of such reads kept the loop away from
 * GLib for seconds -- a server that ignored SIGTERM while busy. With this
 * budget a GLib source waits at most about one socket callback past it. */
#define DISPATCH_BUDGET_USEC 4000

/* Reads go into one buffer per reactor, then straight to data_received. */
#define READ_BUFFER_SIZE (256 * 1024)

typedef struct
{
  GSource source;
  BraidGLibReactor *reactor;   /* not owned: the reactor owns the source */
  gpointer epoll_tag;
} EpollSource;

struct _BraidGLibReactor
{
  GObject parent_instance;

  GMainContext *context;
  GSource *source;
  int epoll_fd;
  BraidTimerQueue *timers;
  guint8 *read_buffer;

  /* The batch of events being dispatched, so that a watch removed during
   * the batch is not called afterwards (its owner may be gone). */
  struct epoll_event *batch;
  int batch_length;
  int batch_index;
  gboolean dispatching;        /* inside epoll_source_dispatch */

  GQueue connections;          /* open BraidSocketTransports, one ref each */
  GQueue closing;              /* closed ones waiting for connection_lost */
  GPtrArray *ports;            /* BraidSocketPorts, one ref each */
  GPtrArray *connectors;       /* BraidSocketConnectors in use, one ref each */

  BraidTriggerList *triggers;  /* system event triggers and call_when_running hooks */

  GSource *signal_sources[2];
  gboolean running;
  gboolean stopping;
  gboolean has_run;            /* a reactor runs once: see braid_glib_reactor_run */
  guint shutdown_holds;
};

static void braid_glib_reactor_clock_init (BraidClockInterface *iface);
static void braid_glib_reactor_reactor_init (BraidReactorInterface *iface);

/**
 * BraidGLibReactor:
 *
 * The real [iface@Braid.Reactor]: sockets, timers and signals on a GLib
 * `GMainContext`, so a Braid server also runs inside any GLib or GTK
 * program.
 *
 * Its life, in order:
 *
 * 1. [func@Braid.GLibReactor.new] attaches the reactor to a main context
 *    (the default one when given %NULL). From then on, iterating that
 *    context -- with [method@Braid.Reactor.run], a `GMainLoop`, or a GTK
 *    application's own loop -- drives Braid's sockets and timers.
 * 2. The program listens and connects
 *    ([method@Braid.Reactor.listen_tcp], [method@Braid.Reactor.connect_tcp]).
 * 3. [method@Braid.Reactor.run] fires the `startup` triggers and the
 *    [method@Braid.Reactor.call_when_running] calls, then iterates the
 *    context. SIGINT and SIGTERM stop it, as [method@Braid.Reactor.stop]
 *    does.
 * 4. On stop: the `before shutdown` triggers run (a trigger may delay the
 *    rest with [method@Braid.GLibReactor.hold_shutdown]); then the `during`
 *    ones; then every port stops listening, every connection attempt is
 *    cancelled and every connection is closed after it has sent what it had
 *    buffered (for at most %BRAID_GLIB_REACTOR_FLUSH_SECONDS); then the
 *    `after shutdown` triggers run and `run` returns. Further stops do
 *    nothing; a second `run` is refused (a reactor runs once).
 * 5. Dropping the last reference closes what is left, cancels pending
 *    delayed calls and detaches from the context.
 *
 * All sockets share one epoll instance, watched by one `GSource`, so an
 * iteration costs time in proportion to the sockets that are ready, not to
 * those that are open.
 *
 * A reactor is used from the thread that iterates its context; the one
 * exception is [method@Braid.Reactor.call_from_thread].
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidGLibReactor, braid_glib_reactor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CLOCK,
                                                      braid_glib_reactor_clock_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_REACTOR,
                                                      braid_glib_reactor_reactor_init))

/* --- Watches ------------------------------------------------------------ */

/* Sets up @watch for @fd; it is registered by braid_glib_reactor_watch_set. */
void
braid_watch_init (BraidWatch *watch, int fd, BraidWatchFunc func)
{
  watch->fd = fd;
  watch->events = 0;
  watch->func = func;
}

/* Forgets @watch in the batch being dispatched: its owner may stop
 * existing before the batch ends. */
static void
forget_in_batch (BraidGLibReactor *self, BraidWatch *watch)
{
  for (int i = self->batch_index + 1; i < self->batch_length; i++)
    if (self->batch[i].data.ptr == watch)
      self->batch[i].data.ptr = NULL;
}

/* Registers @watch for @events, changes its mask, or (with 0) removes it
 * from epoll altogether. Removing rather than registering an empty mask
 * matters: epoll reports EPOLLHUP and EPOLLERR whatever the mask, so a
 * paused connection whose peer hung up would otherwise wake the loop
 * forever. */
gboolean
braid_glib_reactor_watch_set (BraidGLibReactor  *self,
                              BraidWatch        *watch,
                              guint32            events,
                              GError           **error)
{
  struct epoll_event event = { .events = events, .data.ptr = watch };
  int op;

  if (events == watch->events)
    return TRUE;
  if (events == 0)
    op = EPOLL_CTL_DEL;
  else if (watch->events == 0)
    op = EPOLL_CTL_ADD;
  else
    op = EPOLL_CTL_MOD;

  if (epoll_ctl (self->epoll_fd, op, watch->fd, &event) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot watch socket %d: %s", watch->fd, g_strerror (saved_errno));
      return FALSE;
    }
  if (events == 0)
    forget_in_batch (self, watch);
  watch->events = events;
  return TRUE;
}

/* The buffer every read goes into; it is only valid during data_received. */
guint8 *
braid_glib_reactor_get_read_buffer (BraidGLibReactor *self, gsize *size)
{
  *size = READ_BUFFER_SIZE;
  return self->read_buffer;
}

/* --- Connections, ports, connectors -------------------------------------- */

/* The reactor keeps a reference on every open connection, through @link
 * (embedded in the transport, so keeping the list costs no allocation). */
void
braid_glib_reactor_add_connection (BraidGLibReactor     *self,
                                   BraidSocketTransport *transport,
                                   GList                *link)
{
  link->data = g_object_ref (transport);
  g_queue_push_tail_link (&self->connections, link);
}

/* A connection was closed: its connection_lost is delivered at the end of
 * the current dispatch, never from inside the callback that closed it.
 * Closed from one of the reactor's own callbacks (the usual case: a
 * protocol that is done), the dispatch delivers it before it returns, so
 * the context needs no wakeup: that would cost an eventfd write, a poll
 * and a read per connection. From anywhere else (another source, a nested
 * loop), the wakeup makes the next prepare see it. */
void
braid_glib_reactor_connection_closed (BraidGLibReactor *self, GList *link)
{
  g_queue_unlink (&self->connections, link);
  g_queue_push_tail_link (&self->closing, link);
  if (self->source != NULL && !self->dispatching)
    g_main_context_wakeup (self->context);
}

void
braid_glib_reactor_keep_connector (BraidGLibReactor     *self,
                                   BraidSocketConnector *connector)
{
  if (!g_ptr_array_find (self->connectors, connector, NULL))
    g_ptr_array_add (self->connectors, g_object_ref (connector));
}

void
braid_glib_reactor_forget_connector (BraidGLibReactor     *self,
                                     BraidSocketConnector *connector)
{
  g_ptr_array_remove (self->connectors, connector);
}

static void
deliver_closed_connections (BraidGLibReactor *self)
{
  GList *link;

  /* Delivering may close more connections; they join the queue. */
  while ((link = g_queue_pop_head_link (&self->closing)) != NULL)
    {
      BraidSocketTransport *transport = link->data;

      braid_socket_transport_deliver_lost (transport);
      g_object_unref (transport);
    }
}

/* --- Clock ------------------------------------------------------------- */

static gdouble
braid_glib_reactor_seconds (BraidClock *clock)
{
  return g_get_monotonic_time () / (gdouble) G_USEC_PER_SEC;
}

static BraidTimerQueue *
braid_glib_reactor_get_timer_queue (BraidClock *clock)
{
  return BRAID_GLIB_REACTOR (clock)->timers;
}

static void
braid_glib_reactor_clock_init (BraidClockInterface *iface)
{
  iface->seconds = braid_glib_reactor_seconds;
  iface->get_timer_queue = braid_glib_reactor_get_timer_queue;
}

/* Fires the calls that are due now, by the batch rule every clock shares
 * (braid_timer_queue_fire_due): a call that schedules another with a zero
 * delay lets the loop breathe (poll sockets, run other sources) before the
 * new one fires. */
static void
fire_due_timers (BraidGLibReactor *self)
{
  braid_timer_queue_fire_due (self->timers, braid_glib_reactor_seconds (BRAID_CLOCK (self)),
                              NULL, NULL);
}

/* Milliseconds GLib may sleep before the next timer is due; -1 if none. */
static int
timer_timeout_ms (BraidGLibReactor *self)
{
  gdouble due, wait;

  if (!braid_timer_queue_peek_time (self->timers, &due))
    return -1;
  wait = due - braid_glib_reactor_seconds (BRAID_CLOCK (self));
  if (wait <= 0)
    return 0;
  /* Round up: waking a little late is fine, waking early means an empty
   * iteration and another sleep. */
  wait = ceil (wait * 1000);
  return wait > G_MAXINT ? G_MAXINT : (int) wait;
}

/* --- The epoll GSource --------------------------------------------------- */

/* Nested loops
 * ------------
 * GLib normally "blocks" a source while it is dispatched, so that a callback
 * running a nested main loop does not dispatch it again: it takes the
 * source's fds out of the context and puts them back afterwards, and each
 * of those wakes the context up (an eventfd write, and a read at the next
 * iteration). For a source that is dispatched at every iteration this is
 * three extra system calls per iteration -- more than the echo itself when
 * few sockets are ready. So the source is marked as able to recurse, and
 * blocks itself only in the rare case where a callback does iterate the
 * context: the nested dispatch takes the epoll fd out (it cannot be done
 * from prepare or check, which run under the context's lock), and the outer
 * dispatch puts it back when it returns. While dispatching, the source
 * reports nothing ready, so a nested loop never re-enters Braid's batch. */

static gboolean
epoll_source_prepare (GSource *source, gint *timeout)
{
  BraidGLibReactor *self = ((EpollSource *) source)->reactor;

  if (self->dispatching)
    {
      *timeout = -1;
      return FALSE;
    }
  if (self->closing.length > 0)
    {
      *timeout = 0;
      return TRUE;
    }
  *timeout = timer_timeout_ms (self);
  return *timeout == 0;
}

static gboolean
epoll_source_check (GSource *source)
{
  EpollSource *epoll_source = (EpollSource *) source;
  BraidGLibReactor *self = epoll_source->reactor;

  if (epoll_source->epoll_tag == NULL)
    return FALSE;
  if (self->dispatching)
    return (g_source_query_unix_fd (source, epoll_source->epoll_tag) & G_IO_IN) != 0;
  if (self->closing.length > 0)
    return TRUE;
  if (g_source_query_unix_fd (source, epoll_source->epoll_tag) & G_IO_IN)
    return TRUE;
  return timer_timeout_ms (self) == 0;
}

/* Runs the callbacks of one epoll_wait round; returns how many sockets
 * were ready, or -1 if the time budget ran out (at @deadline, in
 * monotonic microseconds) before the round was over. The sockets left out
 * are still ready (epoll is level-triggered) and epoll reports them ahead
 * of the ones just served, so stopping early is fair to them. */
static int
dispatch_socket_events (BraidGLibReactor *self, gint64 deadline)
{
  int n;
  gboolean out_of_time = FALSE;

  do
    n = epoll_wait (self->epoll_fd, self->batch, MAX_EVENTS_PER_ROUND, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      g_warning ("epoll_wait failed: %s", g_strerror (errno));
      return 0;
    }

  self->batch_length = n;
  for (self->batch_index = 0; self->batch_index < n && !out_of_time; self->batch_index++)
    {
      BraidWatch *watch = self->batch[self->batch_index].data.ptr;

      if (watch != NULL)
        watch->func (watch, self->batch[self->batch_index].events);
      out_of_time = g_get_monotonic_time () >= deadline;
    }
  self->batch_length = 0;
  self->batch_index = 0;
  return out_of_time ? -1 : n;
}

/* Runs rounds of epoll_wait + callbacks while sockets keep being ready, up
 * to MAX_ROUNDS_PER_DISPATCH and DISPATCH_BUDGET_USEC.
 *
 * Going back to GLib between two rounds costs a poll() on the epoll fd and
 * a prepare/check of every source on the context; under load, when the
 * peers have answered by the time a round ends, asking epoll again directly
 * is cheaper. The bounds keep busy sockets from starving Braid's timers and
 * the context's other sources, which run after this returns: GLib
 * dispatches every ready source of the same priority in one iteration. */
static void
dispatch_ready_sockets (BraidGLibReactor *self)
{
  gint64 deadline = g_get_monotonic_time () + DISPATCH_BUDGET_USEC;

  for (int round = 0; round < MAX_ROUNDS_PER_DISPATCH; round++)
    if (dispatch_socket_events (self, deadline) <= 0)
      break;
}

static gboolean
epoll_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  EpollSource *epoll_source = (EpollSource *) source;
  BraidGLibReactor *self = epoll_source->reactor;

  if (self->dispatching)
    {
      /* A nested loop inside one of our callbacks: step aside until the
       * outer dispatch is over. */
      g_source_remove_unix_fd (source, epoll_source->epoll_tag);
      epoll_source->epoll_tag = NULL;
      return G_SOURCE_CONTINUE;
    }

  g_object_ref (self);
  self->dispatching = TRUE;
  if (g_source_query_unix_fd (source, epoll_source->epoll_tag) & G_IO_IN)
    dispatch_ready_sockets (self);
  deliver_closed_connections (self);
  fire_due_timers (self);
  deliver_closed_connections (self);
  self->dispatching = FALSE;
  if (epoll_source->epoll_tag == NULL && !g_source_is_destroyed (source))
    epoll_source->epoll_tag = g_source_add_unix_fd (source, self->epoll_fd, G_IO_IN);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs epoll_source_funcs = {
  .prepare = epoll_source_prepare,
  .check = epoll_source_check,
  .dispatch = epoll_source_dispatch,
};

/* --- Triggers ------------------------------------------------------------ */

static guint
braid_glib_reactor_add_system_event_trigger (BraidReactor      *reactor,
                                             BraidTriggerPhase  phase,
                                             const char        *event,
                                             BraidCallFunc      func,
                                             gpointer           user_data,
                                             GDestroyNotify     destroy)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return braid_trigger_list_add (self->triggers, phase, event, func, user_data, destroy);
}

static void
braid_glib_reactor_remove_system_event_trigger (BraidReactor *reactor, guint trigger_id)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  if (!braid_trigger_list_remove (self->triggers, trigger_id))
    g_critical ("braid_reactor_remove_system_event_trigger: no pending trigger has id %u "
                "(it was removed, or it already fired)", trigger_id);
}

/* --- Running and stopping ------------------------------------------------ */

static void
braid_glib_reactor_call_when_running (BraidReactor   *reactor,
                                      BraidCallFunc   func,
                                      gpointer        user_data,
                                      GDestroyNotify  destroy)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  braid_trigger_list_call_when_running (self->triggers, self->running && !self->stopping,
                                        func, user_data, destroy);
}

static void
braid_glib_reactor_stop (BraidReactor *reactor)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  /* Stopping twice is harmless, as several parts of a program (a client
   * that is done, a signal, a shutdown trigger) may each decide the
   * program is over: the later ones find the work already under way. */
  if (self->stopping || (self->has_run && !self->running))
    return;
  if (!self->running)
    {
      g_critical ("braid_reactor_stop: the reactor has not been run yet; "
                  "use braid_reactor_call_when_running() to stop it once it runs");
      return;
    }
  self->stopping = TRUE;
  g_main_context_wakeup (self->context);
}

static gboolean
on_signal (gpointer user_data)
{
  BraidGLibReactor *self = user_data;

  if (self->running && !self->stopping)
    {
      g_message ("Received a termination signal: stopping");
      braid_glib_reactor_stop (BRAID_REACTOR (self));
    }
  return G_SOURCE_CONTINUE;
}

static void
install_signal_handlers (BraidGLibReactor *self)
{
  const int signals[] = { SIGINT, SIGTERM };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      GSource *source = g_unix_signal_source_new (signals[i]);

      g_source_set_callback (source, on_signal, self, NULL);
      g_source_set_name (source, "Braid signal handler");
      /* Ahead of the sockets: a busy server stops before its next round. */
      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_attach (source, self->context);
      self->signal_sources[i] = source;
    }
}

static void
remove_signal_handlers (BraidGLibReactor *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    if (self->signal_sources[i] != NULL)
      {
        g_source_destroy (self->signal_sources[i]);
        g_clear_pointer (&self->signal_sources[i], g_source_unref);
      }
}

static gboolean
flag_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Stops every port and connector, asks every connection to close after
 * flushing, and iterates until they have, for a bounded time. */
static void
close_everything_gracefully (BraidGLibReactor *self)
{
  gboolean deadline_passed = FALSE;
  GSource *deadline;

  for (guint i = 0; i < self->ports->len; i++)
    braid_listening_port_stop_listening (g_ptr_array_index (self->ports, i));
  while (self->connectors->len > 0)
    braid_socket_connector_abandon (g_ptr_array_index (self->connectors, 0));
  {
    /* Closing may unlink a connection at once: walk a copy of the list. */
    g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func (g_object_unref);

    for (GList *link = self->connections.head; link != NULL; link = link->next)
      g_ptr_array_add (open, g_object_ref (link->data));
    for (guint i = 0; i < open->len; i++)
      braid_socket_transport_shutdown (g_ptr_array_index (open, i), FALSE);
  }

  deadline = g_timeout_source_new ((guint) (BRAID_GLIB_REACTOR_FLUSH_SECONDS * 1000));
  g_source_set_callback (deadline, flag_deadline, &deadline_passed, NULL);
  g_source_attach (deadline, self->context);
  while ((self->connections.length > 0 || self->closing.length > 0) && !deadline_passed)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);

  while (self->connections.length > 0)
    braid_socket_transport_shutdown (self->connections.head->data, TRUE);
  deliver_closed_connections (self);
}

static void
braid_glib_reactor_run (BraidReactor *reactor)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  if (self->running)
    {
      g_critical ("braid_reactor_run: the reactor is already running");
      return;
    }
  /* As Twisted's ReactorNotRestartable: the shutdown closed every port and
   * connection and fired the shutdown triggers, so a second run would
   * serve nothing and the triggers would not fire again. */
  if (self->has_run)
    {
      g_critical ("braid_reactor_run: a reactor cannot be run again after it stopped; "
                  "create a new one");
      return;
    }

  g_object_ref (self);
  self->has_run = TRUE;
  self->running = TRUE;
  self->stopping = FALSE;
  install_signal_handlers (self);

  braid_trigger_list_fire (self->triggers, "startup", BRAID_TRIGGER_BEFORE);
  braid_trigger_list_fire (self->triggers, "startup", BRAID_TRIGGER_DURING);
  braid_trigger_list_fire (self->triggers, "startup", BRAID_TRIGGER_AFTER);

  while (!self->stopping)
    g_main_context_iteration (self->context, TRUE);

  braid_trigger_list_fire (self->triggers, "shutdown", BRAID_TRIGGER_BEFORE);
  /* The hook for a `before shutdown` trigger that must finish something
   * asynchronous first (say, a deferred goodbye to every client): it holds
   * the shutdown, and releases it when done. */
  while (self->shutdown_holds > 0)
    g_main_context_iteration (self->context, TRUE);
  braid_trigger_list_fire (self->triggers, "shutdown", BRAID_TRIGGER_DURING);
  close_everything_gracefully (self);
  braid_trigger_list_fire (self->triggers, "shutdown", BRAID_TRIGGER_AFTER);

  remove_signal_handlers (self);
  self->running = FALSE;
  self->stopping = FALSE;
  g_object_unref (self);
}

static gboolean
braid_glib_reactor_is_running (BraidReactor *reactor)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return self->running && !self->stopping;
}

/**
 * braid_glib_reactor_hold_shutdown:
 * @self: a reactor
 *
 * Makes a shutdown wait, after the `before shutdown` triggers, until
 * [method@Braid.GLibReactor.release_shutdown] is called as many times. A
 * `before shutdown` trigger calls this when it starts something that must
 * finish before connections are closed (a goodbye message, a deferred), and
 * releases the hold when it has finished; the loop keeps running meanwhile.
 */
void
braid_glib_reactor_hold_shutdown (BraidGLibReactor *self)
{
  g_return_if_fail (BRAID_IS_GLIB_REACTOR (self));
  self->shutdown_holds++;
}

/**
 * braid_glib_reactor_release_shutdown:
 * @self: a reactor
 *
 * Releases a hold taken with [method@Braid.GLibReactor.hold_shutdown].
 */
void
braid_glib_reactor_release_shutdown (BraidGLibReactor *self)
{
  g_return_if_fail (BRAID_IS_GLIB_REACTOR (self));
  g_return_if_fail (self->shutdown_holds > 0);
  if (--self->shutdown_holds == 0)
    g_main_context_wakeup (self->context);
}

/* --- Threads ------------------------------------------------------------- */

/* A call from another thread, waiting in an idle source. */
typedef struct
{
  BraidCallFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  int published;      /* see braid_glib_reactor_call_from_thread */
} PendingCall;

static void
pending_call_free (gpointer data)
{
  PendingCall *call = data;

  (void) g_atomic_int_get (&call->published);
  if (call->destroy != NULL)
    call->destroy (call->user_data);
  g_free (call);
}

static gboolean
run_call_from_thread (gpointer data)
{
  PendingCall *call = data;

  (void) g_atomic_int_get (&call->published);
  call->func (call->user_data);
  return G_SOURCE_REMOVE;
}

/* An idle source attached to the context: g_source_attach is thread-safe and
 * wakes the context up, and unlike g_main_context_invoke it never runs the
 * function at once, so the call is always asynchronous, whichever thread
 * makes it.
 *
 * The context's lock orders the hand-over, but GLib's locks are invisible
 * to ThreadSanitizer (tools/tsan): the atomic store of `published` after
 * the call is filled in, and the atomic load before it is read, say the
 * same in a way it sees, so that everything the calling thread did before
 * this call is seen to happen before the call runs. */
static void
braid_glib_reactor_call_from_thread (BraidReactor   *reactor,
                                     BraidCallFunc   func,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);
  GMainContext *context = self->context;   /* read before the call is published */
  PendingCall *call = g_new0 (PendingCall, 1);
  GSource *source = g_idle_source_new ();

  call->func = func;
  call->user_data = user_data;
  call->destroy = destroy;
  g_atomic_int_set (&call->published, 1);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_call_from_thread, call, pending_call_free);
  g_source_set_name (source, "Braid call from thread");
  g_source_attach (source, context);
  g_source_unref (source);
}

/* --- Listening and connecting -------------------------------------------- */

/* Keeps @listening (a new port, or %NULL on failure) with the reactor's
 * ports: stopped at shutdown, released with the reactor. */
static BraidListeningPort *
keep_port (BraidGLibReactor *self, BraidSocketPort *listening)
{
  if (listening == NULL)
    return NULL;
  g_ptr_array_add (self->ports, listening);
  return BRAID_LISTENING_PORT (listening);
}

static BraidListeningPort *
braid_glib_reactor_listen_tcp (BraidReactor  *reactor,
                               guint16        port,
                               BraidFactory  *factory,
                               int            backlog,
                               const char    *interface,
                               GError       **error)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return keep_port (self, braid_socket_port_new_tcp (self, port, factory, backlog, interface,
                                                     FALSE, error));
}

static BraidListeningPort *
braid_glib_reactor_listen_tcp_reuse_port (BraidReactor  *reactor,
                                          guint16        port,
                                          BraidFactory  *factory,
                                          int            backlog,
                                          const char    *interface,
                                          GError       **error)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return keep_port (self, braid_socket_port_new_tcp (self, port, factory, backlog, interface,
                                                     TRUE, error));
}

static BraidListeningPort *
braid_glib_reactor_adopt_stream_port (BraidReactor   *reactor,
                                      int             fd,
                                      GSocketFamily   family,
                                      BraidFactory   *factory,
                                      GError        **error)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return keep_port (self, braid_socket_port_new_adopted (self, fd, family, factory, error));
}

static BraidListeningPort *
braid_glib_reactor_listen_unix (BraidReactor  *reactor,
                                const char    *path,
                                BraidFactory  *factory,
                                int            backlog,
                                GError       **error)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return keep_port (self, braid_socket_port_new_unix (self, path, factory, backlog, error));
}

static BraidDatagramTransport *
braid_glib_reactor_listen_udp (BraidReactor          *reactor,
                               guint16                port,
                               BraidDatagramProtocol *protocol,
                               const char            *interface,
                               gsize                  max_packet_size,
                               GError               **error)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);
  BraidUdpPort *udp;

  udp = braid_udp_port_new (self, port, protocol, interface, max_packet_size, error);
  if (udp == NULL)
    return NULL;
  /* With the stream ports: stopped at shutdown, released with the reactor. */
  g_ptr_array_add (self->ports, udp);
  return BRAID_DATAGRAM_TRANSPORT (udp);
}

static BraidConnector *
braid_glib_reactor_connect_tcp (BraidReactor       *reactor,
                                const char         *host,
                                guint16             port,
                                BraidClientFactory *factory,
                                gdouble             timeout,
                                GSocketAddress     *bind_address)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);
  g_autoptr (BraidSocketConnector) connector =
    braid_socket_connector_new_tcp (self, host, port, factory, timeout, bind_address);

  braid_connector_connect (BRAID_CONNECTOR (connector));
  return BRAID_CONNECTOR (connector);
}

static BraidConnector *
braid_glib_reactor_connect_unix (BraidReactor       *reactor,
                                 const char         *path,
                                 BraidClientFactory *factory,
                                 gdouble             timeout)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);
  g_autoptr (BraidSocketConnector) connector =
    braid_socket_connector_new_unix (self, path, factory, timeout);

  braid_connector_connect (BRAID_CONNECTOR (connector));
  return BRAID_CONNECTOR (connector);
}

/* --- Processes ------------------------------------------------------------- */

static BraidProcessTransport *
braid_glib_reactor_spawn_process (BraidReactor          *reactor,
                                  BraidProcessProtocol  *protocol,
                                  const char * const    *argv,
                                  const char * const    *envp,
                                  const char            *working_directory,
                                  GError               **error)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (reactor);

  return braid_glib_process_spawn (self->context, protocol, argv, envp, working_directory,
                                   error);
}

static void
braid_glib_reactor_reactor_init (BraidReactorInterface *iface)
{
  iface->run = braid_glib_reactor_run;
  iface->stop = braid_glib_reactor_stop;
  iface->is_running = braid_glib_reactor_is_running;
  iface->call_when_running = braid_glib_reactor_call_when_running;
  iface->listen_tcp = braid_glib_reactor_listen_tcp;
  iface->connect_tcp = braid_glib_reactor_connect_tcp;
  iface->listen_unix = braid_glib_reactor_listen_unix;
  iface->connect_unix = braid_glib_reactor_connect_unix;
  iface->add_system_event_trigger = braid_glib_reactor_add_system_event_trigger;
  iface->remove_system_event_trigger = braid_glib_reactor_remove_system_event_trigger;
  iface->call_from_thread = braid_glib_reactor_call_from_thread;
  iface->listen_tcp_reuse_port = braid_glib_reactor_listen_tcp_reuse_port;
  iface->adopt_stream_port = braid_glib_reactor_adopt_stream_port;
  iface->listen_udp = braid_glib_reactor_listen_udp;
  iface->spawn_process = braid_glib_reactor_spawn_process;
}

/* --- Life cycle ----------------------------------------------------------- */

static void
braid_glib_reactor_dispose (GObject *object)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (object);

  /* Keep ourselves alive while connections deliver connection_lost. */
  g_object_ref (self);
  if (self->ports != NULL)
    {
      for (guint i = 0; i < self->ports->len; i++)
        braid_listening_port_stop_listening (g_ptr_array_index (self->ports, i));
      g_clear_pointer (&self->ports, g_ptr_array_unref);
    }
  while (self->connectors != NULL && self->connectors->len > 0)
    braid_socket_connector_abandon (g_ptr_array_index (self->connectors, 0));
  while (self->connections.length > 0)
    braid_socket_transport_shutdown (self->connections.head->data, TRUE);
  deliver_closed_connections (self);
  g_clear_pointer (&self->connectors, g_ptr_array_unref);
  /* Created in init and freed only in finalize, so always there. */
  braid_timer_queue_cancel_all (self->timers);
  g_clear_pointer (&self->triggers, braid_trigger_list_free);
  remove_signal_handlers (self);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_object_unref (self);
  G_OBJECT_CLASS (braid_glib_reactor_parent_class)->dispose (object);
}

static void
braid_glib_reactor_finalize (GObject *object)
{
  BraidGLibReactor *self = BRAID_GLIB_REACTOR (object);

  g_clear_pointer (&self->timers, braid_timer_queue_free);
  if (self->epoll_fd >= 0)
    close (self->epoll_fd);
  g_free (self->read_buffer);
  g_free (self->batch);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (braid_glib_reactor_parent_class)->finalize (object);
}

static void
braid_glib_reactor_class_init (BraidGLibReactorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_glib_reactor_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_glib_reactor_finalize;
}

static void
braid_glib_reactor_init (BraidGLibReactor *self)
{
  self->epoll_fd = -1;
  self->timers = braid_timer_queue_new ();
  self->ports = g_ptr_array_new_with_free_func (g_object_unref);
  self->connectors = g_ptr_array_new_with_free_func (g_object_unref);
  self->triggers = braid_trigger_list_new ();
  g_queue_init (&self->connections);
  g_queue_init (&self->closing);
}

/**
 * braid_glib_reactor_new:
 * @context: (nullable): the main context to run on; %NULL for the default one
 *
 * Creates a reactor on @context. Its sockets and timers are served whenever
 * @context is iterated, by [method@Braid.Reactor.run] or by any other loop.
 *
 * ```c
 * g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
 * ```
 *
 * Returns: (transfer full): the new reactor, as a [iface@Braid.Reactor]
 */
BraidReactor *
braid_glib_reactor_new (GMainContext *context)
{
  BraidGLibReactor *self = g_object_new (BRAID_TYPE_GLIB_REACTOR, NULL);
  EpollSource *source;

  self->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref (g_main_context_default ());
  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epoll_fd < 0)
    g_error ("Cannot create an epoll instance: %s", g_strerror (errno));
  self->read_buffer = g_malloc (READ_BUFFER_SIZE);
  self->batch = g_new (struct epoll_event, MAX_EVENTS_PER_ROUND);

  source = (EpollSource *) g_source_new (&epoll_source_funcs, sizeof (EpollSource));
  source->reactor = self;
  source->epoll_tag = g_source_add_unix_fd (&source->source, self->epoll_fd, G_IO_IN);
  g_source_set_name (&source->source, "Braid reactor");
  g_source_set_can_recurse (&source->source, TRUE);   /* see "Nested loops" */
  g_source_attach (&source->source, self->context);
  self->source = &source->source;
  return BRAID_REACTOR (self);
}

/**
 * braid_glib_reactor_get_context:
 * @self: a reactor
 *
 * Gets the `GMainContext` the reactor runs on, to add other GLib sources to
 * the same loop.
 *
 * Returns: (transfer none): the main context the reactor runs on
 */
GMainContext *
braid_glib_reactor_get_context (BraidGLibReactor *self)
{
  g_return_val_if_fail (BRAID_IS_GLIB_REACTOR (self), NULL);
  return self->context;
}

/**
 * braid_glib_reactor_get_n_connections:
 * @self: a reactor
 *
 * Counts the connections the reactor has open.
 *
 * Returns: how many connections are open (including those closing, whose
 *   `connection_lost` has not been delivered yet)
 */
guint
braid_glib_reactor_get_n_connections (BraidGLibReactor *self)
{
  g_return_val_if_fail (BRAID_IS_GLIB_REACTOR (self), 0);
  return self->connections.length + self->closing.length;
}
