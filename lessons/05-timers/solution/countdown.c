/* countdown.c: lesson 05's exercise, the reference solution. */
#include "../exercise/countdown.h"

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

  if (countdown->remaining > 0)
    {
      g_string_append_printf (countdown->out, "%u\n", countdown->remaining);
      countdown->remaining--;
      return TRUE;
    }
  g_string_append (countdown->out, "liftoff!\n");
  braid_looping_call_stop (call);
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
  braid_looping_call_start (call, 1.0, FALSE);
  return call;
}
