/* timers.c: lesson 05, timers on a BraidClock. */
#include "timers.h"

void
timer_log_init (TimerLog *log, BraidClock *clock, BraidCallFunc stop, gpointer stop_data)
{
  log->text = g_string_new (NULL);
  log->stop = stop;
  log->stop_data = stop_data;
  log->start = braid_clock_seconds (clock);
}

void
timer_log_clear (TimerLog *log)
{
  g_string_free (log->text, TRUE);
}

/* Part 1 ------------------------------------------------------------- */

typedef struct
{
  BraidClock *clock;
  TimerLog *log;
} Part1;

static void
print_time (gpointer data)
{
  Part1 *part = data;

  g_string_append_printf (part->log->text, "Current time is %.0f s\n",
                          braid_clock_seconds (part->clock) - part->log->start);
}

static void
stop_after_part (gpointer data)
{
  TimerLog *log = data;

  g_string_append (log->text, "Stopping\n");
  log->stop (log->stop_data);
}

void
print_times_then_stop (BraidClock *clock, TimerLog *log)
{
  /* One small struct shared by the four calls; the last call frees it. */
  Part1 *part = g_new0 (Part1, 1);

  part->clock = clock;
  part->log = log;
  braid_clock_call_later (clock, 1, print_time, part, NULL);
  braid_clock_call_later (clock, 2, print_time, part, NULL);
  braid_clock_call_later (clock, 3, print_time, part, NULL);
  braid_clock_call_later (clock, 4, print_time, part, g_free);
  braid_clock_call_later (clock, 5, stop_after_part, log, NULL);
}

/* Part 1b ------------------------------------------------------------ */

static void
ring (gpointer data)
{
  TimerLog *log = data;

  g_string_append (log->text, "ring!\n");
}

BraidDelayedCall *
alarm_set (BraidClock *clock, TimerLog *log, gdouble seconds)
{
  /* The clock owns a pending call; the caller takes a reference to be
   * able to cancel or move it. */
  return braid_delayed_call_ref (braid_clock_call_later (clock, seconds, ring, log, NULL));
}

/* Part 2 ------------------------------------------------------------- */

typedef struct
{
  BraidClock *clock;
  TimerLog *log;
  guint counter;
} Hello;

static void
hello (gpointer data)
{
  Hello *state = data;

  if (state->counter > 0)
    {
      g_string_append (state->log->text, "hello world\n");
      state->counter--;
      /* Re-arm: the next call is one second after this one. */
      braid_clock_call_later (state->clock, 1, hello, state, NULL);
      return;
    }
  stop_after_part (state->log);
  g_free (state);
}

void
hello_five_times (BraidClock *clock, TimerLog *log)
{
  Hello *state = g_new0 (Hello, 1);

  state->clock = clock;
  state->log = log;
  state->counter = 5;
  braid_clock_call_later (clock, 1, hello, state, NULL);
}

/* Part 3 ------------------------------------------------------------- */

static gboolean
hello_tick (BraidLoopingCall *call, guint64 intervals, gpointer data, GError **error)
{
  TimerLog *log = data;

  g_string_append (log->text, "hello world\n");
  if (braid_looping_call_get_call_count (call) == 5)
    braid_looping_call_stop (call);
  return TRUE;
}

static void
hello_stopped (BraidLoopingCall *call, const GError *error, gpointer data)
{
  stop_after_part (data);
}

BraidLoopingCall *
hello_five_times_looping (BraidClock *clock, TimerLog *log)
{
  BraidLoopingCall *call = braid_looping_call_new (clock, hello_tick, log, NULL);

  braid_looping_call_set_stopped_func (call, hello_stopped, log, NULL);
  braid_looping_call_start (call, 1.0, FALSE);
  return call;
}

/* Part 4 ------------------------------------------------------------- */

/* The factory holds the clock every ticker protocol uses: protocols never
 * reach for a global reactor, so a test can give them a fake clock. */
struct _TickerFactory
{
  BraidFactory parent_instance;
  BraidClock *clock;
};

G_DEFINE_FINAL_TYPE (TickerFactory, ticker_factory, BRAID_TYPE_FACTORY)

static void
ticker_factory_dispose (GObject *object)
{
  g_clear_object (&TICKER_FACTORY (object)->clock);
  G_OBJECT_CLASS (ticker_factory_parent_class)->dispose (object);
}

static void
ticker_factory_class_init (TickerFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ticker_factory_dispose;
}

static void
ticker_factory_init (TickerFactory *self)
{
}

struct _TickerProtocol
{
  BraidProtocol parent_instance;
  BraidLoopingCall *ticks;
};

G_DEFINE_FINAL_TYPE (TickerProtocol, ticker_protocol, BRAID_TYPE_PROTOCOL)

static gboolean
send_tick (BraidLoopingCall *call, guint64 intervals, gpointer data, GError **error)
{
  BraidProtocol *protocol = data;
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  guint64 n = braid_looping_call_get_call_count (call);
  g_autofree char *line = g_strdup_printf ("tick %" G_GUINT64_FORMAT "\r\n", n);

  braid_transport_write_string (transport, line);
  if (n == 5)
    {
      braid_looping_call_stop (call);
      braid_transport_lose_connection (transport);
    }
  return TRUE;
}

static void
ticker_protocol_connection_made (BraidProtocol *protocol)
{
  TickerProtocol *self = TICKER_PROTOCOL (protocol);
  TickerFactory *factory = TICKER_FACTORY (braid_protocol_get_factory (protocol));
  BraidClock *clock = factory->clock;

  /* The looping call does not own the protocol (no destroy notify): the
   * protocol owns the loop, and stops it when the connection goes. */
  self->ticks = braid_looping_call_new (clock, send_tick, protocol, NULL);
  braid_looping_call_start (self->ticks, 1.0, FALSE);
}

static void
ticker_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  TickerProtocol *self = TICKER_PROTOCOL (protocol);

  /* A client that hangs up early must not leave a timer ticking. */
  if (self->ticks != NULL && braid_looping_call_is_running (self->ticks))
    braid_looping_call_stop (self->ticks);
  g_clear_object (&self->ticks);
}

static void
ticker_protocol_dispose (GObject *object)
{
  TickerProtocol *self = TICKER_PROTOCOL (object);

  if (self->ticks != NULL && braid_looping_call_is_running (self->ticks))
    braid_looping_call_stop (self->ticks);
  g_clear_object (&self->ticks);
  G_OBJECT_CLASS (ticker_protocol_parent_class)->dispose (object);
}

static void
ticker_protocol_class_init (TickerProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ticker_protocol_dispose;
  BRAID_PROTOCOL_CLASS (klass)->connection_made = ticker_protocol_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = ticker_protocol_connection_lost;
}

static void
ticker_protocol_init (TickerProtocol *self)
{
}

BraidFactory *
ticker_factory_new (BraidClock *clock)
{
  TickerFactory *factory = g_object_new (TICKER_TYPE_FACTORY,
                                         "protocol-type", TICKER_TYPE_PROTOCOL, NULL);

  factory->clock = g_object_ref (clock);
  return BRAID_FACTORY (factory);
}
