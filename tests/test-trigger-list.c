/* test-trigger-list.c: BraidTriggerList, the system event triggers every
 * reactor keeps. Twisted's rules: in order, each once, and a trigger may
 * change the list while its phase fires. */
#include <braid-fakes.h>

typedef struct
{
  BraidTriggerList *list;
  GString *log;
  guint extra_id;      /* a trigger another one removes */
} Run;

typedef struct
{
  Run *run;
  char letter;
} Mark;

static void
log_letter (gpointer data)
{
  Mark *mark = data;

  g_string_append_c (mark->run->log, mark->letter);
}

static guint
add (Run *run, BraidTriggerPhase phase, const char *event, char letter)
{
  Mark *mark = g_new0 (Mark, 1);

  mark->run = run;
  mark->letter = letter;
  return braid_trigger_list_add (run->list, phase, event, log_letter, mark, g_free);
}

static void
run_init (Run *run)
{
  run->list = braid_trigger_list_new ();
  run->log = g_string_new (NULL);
}

static void
run_clear (Run *run)
{
  braid_trigger_list_free (run->list);
  g_string_free (run->log, TRUE);
}

static void
test_phases_fire_in_order_once (void)
{
  Run run;

  g_test_summary ("The triggers of one phase of one event run in the order they were "
                  "added, each once; other phases and events wait");
  run_init (&run);
  add (&run, BRAID_TRIGGER_AFTER, "startup", 'c');
  add (&run, BRAID_TRIGGER_BEFORE, "startup", 'a');
  add (&run, BRAID_TRIGGER_BEFORE, "shutdown", 'x');
  add (&run, BRAID_TRIGGER_BEFORE, "startup", 'b');
  g_assert_cmpuint (braid_trigger_list_get_length (run.list), ==, 4);

  braid_trigger_list_fire (run.list, "startup", BRAID_TRIGGER_BEFORE);
  g_assert_cmpstr (run.log->str, ==, "ab");
  braid_trigger_list_fire (run.list, "startup", BRAID_TRIGGER_BEFORE);
  g_assert_cmpstr (run.log->str, ==, "ab");
  braid_trigger_list_fire (run.list, "startup", BRAID_TRIGGER_AFTER);
  g_assert_cmpstr (run.log->str, ==, "abc");
  g_assert_cmpuint (braid_trigger_list_get_length (run.list), ==, 1);
  run_clear (&run);
}

static void
test_event_names_compare_by_value (void)
{
  Run run;
  char event[] = "shutdown";

  g_test_summary ("An event named by a string built at run time matches the same name "
                  "given as a literal");
  run_init (&run);
  add (&run, BRAID_TRIGGER_DURING, event, 's');
  braid_trigger_list_fire (run.list, "shutdown", BRAID_TRIGGER_DURING);
  g_assert_cmpstr (run.log->str, ==, "s");
  run_clear (&run);
}

static void
test_remove (void)
{
  Run run;
  guint fired, removed;

  g_test_summary ("A waiting trigger can be removed once (its destroy notify runs); "
                  "removing one that fired or was removed is refused");
  run_init (&run);
  fired = add (&run, BRAID_TRIGGER_BEFORE, "startup", 'f');
  removed = add (&run, BRAID_TRIGGER_BEFORE, "startup", 'r');
  g_assert_cmpuint (fired, !=, 0);
  g_assert_cmpuint (fired, !=, removed);

  g_assert_true (braid_trigger_list_remove (run.list, removed));
  g_assert_false (braid_trigger_list_remove (run.list, removed));
  braid_trigger_list_fire (run.list, "startup", BRAID_TRIGGER_BEFORE);
  g_assert_cmpstr (run.log->str, ==, "f");
  g_assert_false (braid_trigger_list_remove (run.list, fired));
  g_assert_false (braid_trigger_list_remove (run.list, 12345));
  g_assert_cmpuint (braid_trigger_list_get_length (run.list), ==, 0);
  run_clear (&run);
}

static void
add_more_and_remove_extra (gpointer data)
{
  Run *run = data;

  g_string_append_c (run->log, '1');
  add (run, BRAID_TRIGGER_BEFORE, "shutdown", '3');
  g_assert_true (braid_trigger_list_remove (run->list, run->extra_id));
}

static void
test_triggers_change_the_list_while_firing (void)
{
  Run run;

  g_test_summary ("A trigger that adds one to its own phase sees it run in the same "
                  "firing; one it removes before its turn never runs");
  run_init (&run);
  braid_trigger_list_add (run.list, BRAID_TRIGGER_BEFORE, "shutdown",
                          add_more_and_remove_extra, &run, NULL);
  run.extra_id = add (&run, BRAID_TRIGGER_BEFORE, "shutdown", '2');
  braid_trigger_list_fire (run.list, "shutdown", BRAID_TRIGGER_BEFORE);
  g_assert_cmpstr (run.log->str, ==, "13");
  g_assert_cmpuint (braid_trigger_list_get_length (run.list), ==, 0);
  run_clear (&run);
}

static void
test_call_when_running (void)
{
  Run run;
  Mark *later = g_new0 (Mark, 1);
  Mark *now = g_new0 (Mark, 1);

  g_test_summary ("call_when_running runs at once if the reactor runs; else it waits as "
                  "an `after startup` trigger, in order with the other ones");
  run_init (&run);
  add (&run, BRAID_TRIGGER_AFTER, "startup", 'a');
  later->run = &run;
  later->letter = 'w';
  braid_trigger_list_call_when_running (run.list, FALSE, log_letter, later, g_free);
  add (&run, BRAID_TRIGGER_AFTER, "startup", 'b');
  g_assert_cmpstr (run.log->str, ==, "");
  braid_trigger_list_fire (run.list, "startup", BRAID_TRIGGER_AFTER);
  g_assert_cmpstr (run.log->str, ==, "awb");

  now->run = &run;
  now->letter = 'n';
  braid_trigger_list_call_when_running (run.list, TRUE, log_letter, now, g_free);
  g_assert_cmpstr (run.log->str, ==, "awbn");
  g_assert_cmpuint (braid_trigger_list_get_length (run.list), ==, 0);
  run_clear (&run);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
never_called (gpointer data)
{
  g_assert_not_reached ();
}

static void
test_free_destroys_waiting_triggers (void)
{
  BraidTriggerList *list = braid_trigger_list_new ();
  guint destroyed = 0;

  g_test_summary ("Freeing the list runs the destroy notify of every waiting trigger "
                  "and none of their functions");
  braid_trigger_list_add (list, BRAID_TRIGGER_AFTER, "shutdown", never_called,
                          &destroyed, count_destroy);
  braid_trigger_list_add (list, BRAID_TRIGGER_BEFORE, "startup", never_called,
                          &destroyed, count_destroy);
  braid_trigger_list_free (list);
  g_assert_cmpuint (destroyed, ==, 2);
  braid_trigger_list_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/trigger-list/phases-fire-in-order-once", test_phases_fire_in_order_once);
  braid_test_add_func ("/trigger-list/event-names-compare-by-value", test_event_names_compare_by_value);
  braid_test_add_func ("/trigger-list/remove", test_remove);
  braid_test_add_func ("/trigger-list/change-while-firing", test_triggers_change_the_list_while_firing);
  braid_test_add_func ("/trigger-list/call-when-running", test_call_when_running);
  braid_test_add_func ("/trigger-list/free-destroys-waiting", test_free_destroys_waiting_triggers);

  return g_test_run ();
}
