/* countdown.c: lesson 05's exercise: a countdown with BraidLoopingCall.
 *
 * Complete the places marked EXERCISE, then run the check:
 *   ninja -C build lessons/check-05-timers && build/lessons/check-05-timers
 * Hints: lessons/05-timers/exercise/hints.md */
#include "countdown.h"

typedef struct
{
  GString *out;
  guint remaining;         /* the next number to write */
  BraidCallFunc done;
  gpointer done_data;
} Countdown;

static gboolean
countdown_tick (BraidLoopingCall *call, guint64 intervals, gpointer data, GError **error)
{
  Countdown *countdown = data;

  /* EXERCISE: write the next number ("3\n", then "2\n", ...), and when
   * the numbers are used up write "liftoff!\n" and stop the loop. */
  g_string_append_printf (countdown->out, "%u\n", countdown->remaining);
  return TRUE;
}

static void
countdown_stopped (BraidLoopingCall *call, const GError *error, gpointer data)
{
  Countdown *countdown = data;

  countdown->done (countdown->done_data);
}

BraidLoopingCall *
countdown_start (BraidClock *clock, guint from, GString *out, BraidCallFunc done, gpointer done_data)
{
  Countdown *countdown = g_new0 (Countdown, 1);
  BraidLoopingCall *call;

  countdown->out = out;
  countdown->remaining = from;
  countdown->done = done;
  countdown->done_data = done_data;
  call = braid_looping_call_new (clock, countdown_tick, countdown, g_free);
  braid_looping_call_set_stopped_func (call, countdown_stopped, countdown, NULL);
  /* EXERCISE: start the loop: every second, the first tick one second
   * from now. */
  return call;
}
