/* braid-idle-timeout.c: close connections that stay silent too long. */
#include "config.h"

#include "core/braid-idle-timeout-private.h"
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"

/**
 * BraidIdleTimeout:
 *
 * Closes a connection that has received nothing for a while: Twisted's
 * `TimeoutMixin`, done so that it cannot be misused.
 *
 * ```c
 * static void
 * chat_connection_made (BraidProtocol *protocol)
 * {
 *   ChatProtocol *self = CHAT_PROTOCOL (protocol);
 *   braid_protocol_set_idle_timeout (protocol, self->clock, 300);
 * }
 * ```
 *
 * ## Lifecycle
 *
 * 1. [method@Braid.Protocol.set_idle_timeout], on a connected protocol
 *    (in `connection_made` or later), starts the timer on the clock it is
 *    given (the reactor, or a `BraidFakeClock` in tests).
 * 2. Every `data_received` counts as activity *by itself*: the protocol
 *    does not call anything. (Twisted's mixin needs `resetTimeout()` in
 *    `dataReceived`; forgetting it closes busy connections.) Call
 *    [method@Braid.IdleTimeout.touch] for other activity, such as writes.
 * 3. After @seconds without activity the timeout *expires*, once: the
 *    function set with [method@Braid.IdleTimeout.set_expired_func] runs;
 *    by default the connection is aborted and `connection_lost` receives
 *    `G_IO_ERROR_TIMED_OUT`.
 * 4. When the connection is lost (for any reason) the timer is cancelled
 *    before `connection_lost` runs, so no timer outlives its connection.
 *    (With Twisted's mixin, a protocol that forgets `setTimeout(None)` in
 *    `connectionLost` leaves a timer behind that later fires on a dead
 *    connection.)
 *
 * ## Why a hook in BraidProtocol
 *
 * Every transport (the real one, `BraidStringTransport`, `BraidLoopback`)
 * delivers bytes through [method@Braid.Protocol.data_received] and the end
 * through [method@Braid.Protocol.connection_lost]; the base class notices
 * activity and loss there, whatever the subclass overrides and whether or
 * not it chains up. A wrapping protocol (Twisted's `TimeoutProtocol`)
 * would put itself between the transport and the protocol and change
 * what `get_transport` and the factory see.
 *
 * Activity costs one clock read: the timer is not moved on each read.
 * When it fires, it checks the time of the last activity and, if the
 * connection was not idle long enough, sleeps again for the rest.
 *
 * The protocol owns its idle timeout; setting a new one replaces it.
 */
struct _BraidIdleTimeout
{
  GObject parent_instance;

  BraidProtocol *protocol;   /* not owned: the protocol owns us */
  BraidClock *clock;
  gdouble seconds;
  gdouble last_activity;
  BraidDelayedCall *timer;   /* owned by the clock while pending */
  BraidIdleFunc expired_func;
  gpointer expired_data;
  GDestroyNotify expired_destroy;
};

G_DEFINE_FINAL_TYPE (BraidIdleTimeout, braid_idle_timeout, G_TYPE_OBJECT)

static void
cancel_timer (BraidIdleTimeout *self)
{
  if (self->timer != NULL)
    {
      BraidDelayedCall *timer = g_steal_pointer (&self->timer);

      braid_delayed_call_cancel (timer, NULL);
    }
}

static void
braid_idle_timeout_dispose (GObject *object)
{
  BraidIdleTimeout *self = BRAID_IDLE_TIMEOUT (object);

  cancel_timer (self);
  self->protocol = NULL;
  g_clear_object (&self->clock);
  G_OBJECT_CLASS (braid_idle_timeout_parent_class)->dispose (object);
}

static void
braid_idle_timeout_finalize (GObject *object)
{
  BraidIdleTimeout *self = BRAID_IDLE_TIMEOUT (object);

  if (self->expired_destroy != NULL)
    self->expired_destroy (self->expired_data);
  G_OBJECT_CLASS (braid_idle_timeout_parent_class)->finalize (object);
}

static void
braid_idle_timeout_class_init (BraidIdleTimeoutClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_idle_timeout_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_idle_timeout_finalize;
}

static void
braid_idle_timeout_init (BraidIdleTimeout *self)
{
}

static void
close_idle_connection (BraidProtocol *protocol, gpointer user_data)
{
  BraidIdleTimeout *self = user_data;
  g_autoptr (GError) reason =
    g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "no data received for %g seconds", self->seconds);

  g_debug ("%s: %s; aborting the connection", braid_protocol_get_log_prefix (protocol),
           reason->message);
  braid_protocol_abort_with_reason (protocol, reason);
}

static void timer_fired (gpointer data);

/* @delay is always more than 0: the full timeout (set_idle_timeout refuses
 * 0 or less), or what is left of it (timer_fired only re-arms before the
 * deadline). */
static void
arm (BraidIdleTimeout *self, gdouble delay)
{
  self->timer = braid_clock_call_later (self->clock, delay, timer_fired,
                                        g_object_ref (self), g_object_unref);
}

static void
timer_fired (gpointer data)
{
  BraidIdleTimeout *self = data;
  gdouble now = braid_clock_seconds (self->clock);
  gdouble deadline = self->last_activity + self->seconds;

  self->timer = NULL;
  if (self->protocol == NULL)
    return;
  if (now < deadline)
    {
      /* There was activity since the timer was set: sleep for the rest. */
      arm (self, deadline - now);
      return;
    }
  g_object_ref (self);
  if (self->expired_func != NULL)
    self->expired_func (self->protocol, self->expired_data);
  else
    close_idle_connection (self->protocol, self);
  g_object_unref (self);
}

/* Called by BraidProtocol for every data_received. */
void
braid_idle_timeout_note_activity (BraidIdleTimeout *self)
{
  if (self->timer != NULL)
    self->last_activity = braid_clock_seconds (self->clock);
}

/* Called by BraidProtocol when the connection is lost. */
void
braid_idle_timeout_connection_lost (BraidIdleTimeout *self)
{
  cancel_timer (self);
}

/**
 * braid_protocol_set_idle_timeout:
 * @protocol: a connected protocol
 * @clock: the clock that times the silence
 * @seconds: how long the connection may stay silent, more than 0
 *
 * Starts (or restarts, replacing the previous one) @protocol's idle
 * timeout: after @seconds without receiving data, the connection is closed
 * with `G_IO_ERROR_TIMED_OUT` (or the function set with
 * [method@Braid.IdleTimeout.set_expired_func] runs). See
 * [class@Braid.IdleTimeout].
 *
 * Returns: (transfer none): the idle timeout, owned by @protocol
 */
BraidIdleTimeout *
braid_protocol_set_idle_timeout (BraidProtocol *protocol, BraidClock *clock, gdouble seconds)
{
  BraidIdleTimeout **slot;
  BraidIdleTimeout *self;

  g_return_val_if_fail (BRAID_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (seconds > 0, NULL);
  g_return_val_if_fail (braid_protocol_is_connected (protocol), NULL);

  braid_protocol_cancel_idle_timeout (protocol);
  self = g_object_new (BRAID_TYPE_IDLE_TIMEOUT, NULL);
  self->protocol = protocol;
  self->clock = g_object_ref (clock);
  self->seconds = seconds;
  self->last_activity = braid_clock_seconds (clock);
  arm (self, seconds);

  slot = braid_protocol_get_idle_timeout_slot (protocol);
  *slot = self;
  return self;
}

/**
 * braid_protocol_get_idle_timeout:
 * @protocol: a protocol
 *
 * Gets the idle timeout set on @protocol, if any.
 *
 * Returns: (transfer none) (nullable): @protocol's idle timeout, if one
 *   was set and not cancelled
 */
BraidIdleTimeout *
braid_protocol_get_idle_timeout (BraidProtocol *protocol)
{
  g_return_val_if_fail (BRAID_IS_PROTOCOL (protocol), NULL);
  return *braid_protocol_get_idle_timeout_slot (protocol);
}

/**
 * braid_protocol_cancel_idle_timeout:
 * @protocol: a protocol
 *
 * Stops and forgets @protocol's idle timeout, if it has one.
 */
void
braid_protocol_cancel_idle_timeout (BraidProtocol *protocol)
{
  BraidIdleTimeout **slot;
  BraidIdleTimeout *timeout;

  g_return_if_fail (BRAID_IS_PROTOCOL (protocol));

  slot = braid_protocol_get_idle_timeout_slot (protocol);
  timeout = g_steal_pointer (slot);
  if (timeout != NULL)
    {
      g_object_run_dispose (G_OBJECT (timeout));
      g_object_unref (timeout);
    }
}

/**
 * braid_idle_timeout_set_expired_func:
 * @self: an idle timeout
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   what to do on expiry instead of closing the connection; %NULL for the
 *   default
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data when replaced or finalized
 *
 * Replaces what happens when the connection has been idle too long; a
 * protocol can say goodbye, or close more gently.
 */
void
braid_idle_timeout_set_expired_func (BraidIdleTimeout *self,
                                     BraidIdleFunc     func,
                                     gpointer          user_data,
                                     GDestroyNotify    destroy)
{
  g_return_if_fail (BRAID_IS_IDLE_TIMEOUT (self));

  if (self->expired_destroy != NULL)
    self->expired_destroy (self->expired_data);
  self->expired_func = func;
  self->expired_data = user_data;
  self->expired_destroy = destroy;
}

/**
 * braid_idle_timeout_touch:
 * @self: an idle timeout
 *
 * Counts as activity now, like received data does; call it for activity
 * the timeout cannot see, such as writes.
 */
void
braid_idle_timeout_touch (BraidIdleTimeout *self)
{
  g_return_if_fail (BRAID_IS_IDLE_TIMEOUT (self));
  braid_idle_timeout_note_activity (self);
}

/**
 * braid_idle_timeout_is_active:
 * @self: an idle timeout
 *
 * Tells whether the timeout is still counting.
 *
 * Returns: %TRUE while the timer runs: not expired, not cancelled, and the
 *   connection not lost
 */
gboolean
braid_idle_timeout_is_active (BraidIdleTimeout *self)
{
  g_return_val_if_fail (BRAID_IS_IDLE_TIMEOUT (self), FALSE);
  return self->timer != NULL;
}

/**
 * braid_idle_timeout_get_seconds:
 * @self: an idle timeout
 *
 * Tells how long the connection may stay silent before the timeout expires.
 *
 * Returns: how long the connection may stay silent, in seconds
 */
gdouble
braid_idle_timeout_get_seconds (BraidIdleTimeout *self)
{
  g_return_val_if_fail (BRAID_IS_IDLE_TIMEOUT (self), 0);
  return self->seconds;
}
