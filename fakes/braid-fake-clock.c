/* braid-fake-clock.c: a clock whose time moves only when a test says so. */
#include "config.h"

#include "braid-fakes.h"

/**
 * BraidFakeClock:
 *
 * A [iface@Braid.Clock] for tests: Twisted's `task.Clock`, with its traps
 * fixed.
 *
 * Time starts at 0 and moves only by [method@Braid.FakeClock.advance] (or
 * [method@Braid.FakeClock.pump]), so a test of a 30-second timeout runs in
 * microseconds and always the same way:
 *
 * ```c
 * g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
 * braid_clock_call_later (BRAID_CLOCK (clock), 30, on_timeout, &fired, NULL);
 * braid_fake_clock_advance (clock, 29.9);
 * g_assert_false (fired);
 * braid_fake_clock_advance (clock, 0.1);
 * g_assert_true (fired);
 * ```
 *
 * How `advance` differs from Twisted's `Clock.advance` (see Twisted issues
 * 5962 and 9819):
 *
 * - it steps through each due time in order: a call sees
 *   [method@Braid.Clock.seconds] equal to its own deadline, not to the end
 *   of the advance, and a call it schedules for a moment still inside the
 *   advance fires within that same advance;
 * - calls due at the same time fire in the order they were scheduled;
 * - a call scheduled with a zero delay *by a call firing during an advance*
 *   waits for the next advance: a call that re-arms itself with delay 0
 *   cannot make an advance loop forever;
 * - a negative delay or advance is a programming error.
 *
 * A call may advance the clock itself (a function that takes time, as in
 * Twisted's `test_callbackTimeSkips`): the inner advance fires what falls
 * due in its span, then the outer one goes on from the later time, firing
 * the rest of its calls late, as a real clock does after a busy call.
 *
 * [method@Braid.FakeClock.jump] is Twisted's `Clock.advance` itself: time
 * moves first, then every call due fires seeing the new time, as on a real
 * clock after the program was busy or the machine slept. Use it to test
 * what happens to late calls ([class@Braid.LoopingCall] counts the
 * intervals it missed, for example).
 *
 * Pending calls are kept in the radix heap of [struct@Braid.TimerQueue],
 * so scheduling and firing a million timers takes about half a second.
 */

typedef struct
{
  gdouble now;
  BraidTimerQueue *queue;
} BraidFakeClockPrivate;

static void braid_fake_clock_clock_iface_init (BraidClockInterface *iface);

G_DEFINE_TYPE_WITH_CODE (BraidFakeClock, braid_fake_clock, G_TYPE_OBJECT,
                         G_ADD_PRIVATE (BraidFakeClock)
                         G_IMPLEMENT_INTERFACE (BRAID_TYPE_CLOCK,
                                                braid_fake_clock_clock_iface_init))

static gdouble
braid_fake_clock_seconds (BraidClock *clock)
{
  BraidFakeClockPrivate *priv =
    braid_fake_clock_get_instance_private (BRAID_FAKE_CLOCK (clock));

  return priv->now;
}

static BraidTimerQueue *
braid_fake_clock_get_timer_queue (BraidClock *clock)
{
  BraidFakeClockPrivate *priv =
    braid_fake_clock_get_instance_private (BRAID_FAKE_CLOCK (clock));

  return priv->queue;
}

static void
braid_fake_clock_clock_iface_init (BraidClockInterface *iface)
{
  iface->seconds = braid_fake_clock_seconds;
  iface->get_timer_queue = braid_fake_clock_get_timer_queue;
}

static char *describe_pending_calls (GObject *object);

static void
braid_fake_clock_dispose (GObject *object)
{
  BraidFakeClock *self = BRAID_FAKE_CLOCK (object);
  BraidFakeClockPrivate *priv = braid_fake_clock_get_instance_private (self);

  if (priv->queue != NULL)
    {
      /* Destroying a clock cancels its calls silently; a test that did so
       * with calls pending still left them behind. */
      g_autofree char *leftovers = describe_pending_calls (object);

      if (leftovers != NULL)
        braid_hygiene_report_leftover (leftovers);
      g_clear_pointer (&priv->queue, braid_timer_queue_free);
    }
  G_OBJECT_CLASS (braid_fake_clock_parent_class)->dispose (object);
}

static char *
describe_pending_calls (GObject *object)
{
  BraidFakeClockPrivate *priv =
    braid_fake_clock_get_instance_private (BRAID_FAKE_CLOCK (object));
  g_autoptr (GPtrArray) calls = NULL;
  GString *description;

  if (priv->queue == NULL || braid_timer_queue_get_length (priv->queue) == 0)
    return NULL;

  calls = braid_timer_queue_list (priv->queue);
  description = g_string_new (NULL);
  for (guint i = 0; i < calls->len; i++)
    {
      BraidDelayedCall *call = g_ptr_array_index (calls, i);

      g_string_append_printf (description,
                              "%sa delayed call scheduled at %s is still pending "
                              "(due at %g s on a %s)",
                              i > 0 ? "\n" : "",
                              braid_delayed_call_get_creator (call),
                              braid_delayed_call_get_time (call),
                              G_OBJECT_TYPE_NAME (object));
    }
  return g_string_free (description, FALSE);
}

static void
braid_fake_clock_constructed (GObject *object)
{
  G_OBJECT_CLASS (braid_fake_clock_parent_class)->constructed (object);
  braid_hygiene_watch (object, describe_pending_calls);
}

static void
braid_fake_clock_class_init (BraidFakeClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = braid_fake_clock_constructed;
  object_class->dispose = braid_fake_clock_dispose;
}

static void
braid_fake_clock_init (BraidFakeClock *self)
{
  BraidFakeClockPrivate *priv = braid_fake_clock_get_instance_private (self);

  priv->queue = braid_timer_queue_new ();
}

/**
 * braid_fake_clock_new:
 *
 * Creates a fake clock at time 0 with no pending call.
 *
 * Returns: (transfer full): the clock
 */
BraidFakeClock *
braid_fake_clock_new (void)
{
  return g_object_new (BRAID_TYPE_FAKE_CLOCK, NULL);
}

/* Stepping through the deadlines: time moves to each call's own deadline
 * before the call runs. */
static void
move_to_deadline (BraidDelayedCall *call, gpointer user_data)
{
  BraidFakeClockPrivate *priv = user_data;

  if (braid_delayed_call_get_time (call) > priv->now)
    priv->now = braid_delayed_call_get_time (call);
}

/* Moves time forward by @seconds and fires what falls due, by the batch
 * rule every clock shares (braid_timer_queue_fire_due): stepping through
 * the deadlines (advance), or moving first (jump). */
static void
move_time (BraidFakeClock *self, gdouble seconds, gboolean jump)
{
  BraidFakeClockPrivate *priv = braid_fake_clock_get_instance_private (self);
  gdouble target = priv->now + seconds;

  if (jump)
    priv->now = target;
  braid_timer_queue_fire_due (priv->queue, target, move_to_deadline, priv);
  /* A call that advanced the clock itself may have moved it past @target. */
  priv->now = MAX (priv->now, target);
}

/**
 * braid_fake_clock_advance:
 * @self: a fake clock
 * @seconds: how far to move time, zero or more
 *
 * Moves time forward by @seconds, firing every call that falls due on the
 * way, in order, each at its own deadline (see the class description for
 * the exact rules). `advance (0)` fires what is due now. A call may
 * advance the clock again while it runs.
 */
void
braid_fake_clock_advance (BraidFakeClock *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_FAKE_CLOCK (self));
  g_return_if_fail (seconds >= 0);
  move_time (self, seconds, FALSE);
}

/**
 * braid_fake_clock_jump:
 * @self: a fake clock
 * @seconds: how far to move time, zero or more
 *
 * Moves time forward by @seconds at once, then fires every call that fell
 * due, in deadline order, each seeing the new time: Twisted's
 * `Clock.advance`, and what a real clock does when the program was busy or
 * the machine slept for @seconds. A call scheduled while they fire runs in
 * this jump only if it falls due by the new time, and not with a zero
 * delay (see the class description).
 */
void
braid_fake_clock_jump (BraidFakeClock *self, gdouble seconds)
{
  g_return_if_fail (BRAID_IS_FAKE_CLOCK (self));
  g_return_if_fail (seconds >= 0);
  move_time (self, seconds, TRUE);
}

/**
 * braid_fake_clock_pump:
 * @self: a fake clock
 * @steps: (array length=n_steps): the advances to make, in seconds
 * @n_steps: how many
 *
 * Advances the clock by each step in turn, as Twisted's `Clock.pump`:
 * useful to let a looping call tick several times.
 */
void
braid_fake_clock_pump (BraidFakeClock *self, const gdouble *steps, gsize n_steps)
{
  g_return_if_fail (BRAID_IS_FAKE_CLOCK (self));
  g_return_if_fail (steps != NULL || n_steps == 0);

  for (gsize i = 0; i < n_steps; i++)
    braid_fake_clock_advance (self, steps[i]);
}

/**
 * braid_fake_clock_get_delayed_calls:
 * @self: a fake clock
 *
 * Lists the calls still pending on @self, so a test can inspect them.
 *
 * Returns: (transfer container) (element-type BraidDelayedCall): the
 *   pending calls, in the order they will fire
 */
GPtrArray *
braid_fake_clock_get_delayed_calls (BraidFakeClock *self)
{
  BraidFakeClockPrivate *priv;

  g_return_val_if_fail (BRAID_IS_FAKE_CLOCK (self), NULL);
  priv = braid_fake_clock_get_instance_private (self);
  return braid_timer_queue_list (priv->queue);
}

/**
 * braid_fake_clock_get_pending_count:
 * @self: a fake clock
 *
 * Counts the calls still pending on @self.
 *
 * Returns: how many calls are pending
 */
guint
braid_fake_clock_get_pending_count (BraidFakeClock *self)
{
  BraidFakeClockPrivate *priv;

  g_return_val_if_fail (BRAID_IS_FAKE_CLOCK (self), 0);
  priv = braid_fake_clock_get_instance_private (self);
  return priv->queue ? braid_timer_queue_get_length (priv->queue) : 0;
}
