/* timers.h: lesson 05's timers, written against any BraidClock so that the
 * program runs them on the reactor and the tests on a fake clock. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* Where the timers write, and what they call to end the program. The
 * program prints the text and stops the reactor; a test reads the text. */
typedef struct
{
  GString *text;
  BraidCallFunc stop;
  gpointer stop_data;
  gdouble start;            /* the clock's time when the part started */
} TimerLog;

void timer_log_init  (TimerLog *log, BraidClock *clock, BraidCallFunc stop, gpointer stop_data);
void timer_log_clear (TimerLog *log);

/* Part 1: print the time at 1, 2, 3 and 4 s, stop at 5 s. */
void print_times_then_stop (BraidClock *clock, TimerLog *log);

/* Part 1b: an alarm that rings "ring!" after @seconds, unless cancelled
 * or moved first. */
BraidDelayedCall *alarm_set (BraidClock *clock, TimerLog *log, gdouble seconds);

/* Part 2: say hello every second, five times, by re-arming call_later. */
void hello_five_times (BraidClock *clock, TimerLog *log);

/* Part 3: the same with a BraidLoopingCall. */
BraidLoopingCall *hello_five_times_looping (BraidClock *clock, TimerLog *log);

/* Part 4: a server that sends each client "tick N" every second, five
 * times, then hangs up. */
#define TICKER_TYPE_PROTOCOL (ticker_protocol_get_type ())
G_DECLARE_FINAL_TYPE (TickerProtocol, ticker_protocol, TICKER, PROTOCOL, BraidProtocol)

#define TICKER_TYPE_FACTORY (ticker_factory_get_type ())
G_DECLARE_FINAL_TYPE (TickerFactory, ticker_factory, TICKER, FACTORY, BraidFactory)

BraidFactory *ticker_factory_new (BraidClock *clock);

G_END_DECLS
