/* timers-program.c: lesson 05's program.
 *
 *   timers --part 1    print the time at 1, 2, 3, 4 s, then stop
 *   timers --part 2    hello, five times, with call_later
 *   timers --part 3    the same with a BraidLoopingCall
 *   timers             (part 4) a ticker server: nc 127.0.0.1 8005 */
#include <braid.h>

#include "lesson-options.h"
#include "timers.h"

static void
stop_reactor (gpointer data)
{
  braid_reactor_stop (data);
}

/* The parts write into a TimerLog; the program prints it as it grows. */
static gboolean
flush_log (gpointer data)
{
  TimerLog *log = data;

  g_print ("%s", log->text->str);
  g_string_truncate (log->text, 0);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  BraidListeningPort *listening;
  g_autoptr (BraidLoopingCall) loop = NULL;
  g_autoptr (BraidFactory) factory = NULL;
  BraidClock *clock = BRAID_CLOCK (reactor);
  guint16 port = 8005;
  int part = 4;
  GOptionEntry entries[] = {
    { "part", 0, 0, G_OPTION_ARG_INT, &part, "Which part of the lesson to run (1-4)", "N" },
    { NULL }
  };
  TimerLog log;

  if (!lesson_parse_options (&argc, &argv, "Lesson 05: timers.", &port, entries, &error))
    return braid_exit_with_error (error);

  timer_log_init (&log, clock, stop_reactor, reactor);
  g_timeout_add (100, flush_log, &log);
  switch (part)
    {
    case 1:
      print_times_then_stop (clock, &log);
      break;
    case 2:
      hello_five_times (clock, &log);
      break;
    case 3:
      loop = hello_five_times_looping (clock, &log);
      break;
    default:
      factory = ticker_factory_new (clock);
      listening = braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", &error);
      if (listening == NULL)
        return braid_exit_with_error (error);
      port = braid_listening_port_get_port (listening);   /* the real one, if 0 was asked */
      g_print ("Ticker listening on 127.0.0.1:%u; try:  nc 127.0.0.1 %u\n", port, port);
      break;
    }
  g_print ("Starting the event loop\n");
  braid_reactor_run (reactor);
  flush_log (&log);
  g_print ("Finished the event loop\n");
  timer_log_clear (&log);
  return 0;
}
