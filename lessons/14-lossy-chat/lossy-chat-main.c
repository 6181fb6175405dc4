/* lossy-chat-main.c: lesson 14's program -- one run of the chat over a
 * simulated network, in virtual time:
 *
 *   build/lessons/14-lossy-chat/lossy-chat --seed 7 --journal chat.jsonl
 *   tools/braid-sim-view chat.jsonl -o chat.html        (open it)
 *   tools/braid-sim-view chat.jsonl --mermaid           (for a README)
 *
 * A server and alice, bob and carol, 20 ms ± 10 ms apart; carol is cut
 * off from 2 s to 5 s. It prints the room's transcript. --random-faults
 * runs the check's kind of run instead: partitions drawn from the seed. */
#include <braid.h>

#include "lesson-options.h"
#include "lossy-chat.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autofree char *journal = NULL;
  gint64 seed = 1;
  gint messages = 5;
  gboolean random_faults = FALSE;
  guint16 port = LOSSY_CHAT_PORT;
  LossyChatRun run = { 0 };
  GOptionEntry entries[] = {
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "The seed of the run (default 1)", "N" },
    { "journal", 'j', 0, G_OPTION_ARG_FILENAME, &journal, "Write the journal (JSON lines) to FILE", "FILE" },
    { "messages", 'm', 0, G_OPTION_ARG_INT, &messages, "Messages per client (default 5)", "N" },
    { "random-faults", 'r', 0, G_OPTION_ARG_NONE, &random_faults,
      "Partitions drawn from the seed, as the check runs", NULL },
    { NULL },
  };
  gboolean ok;

  if (!lesson_parse_options (&argc, &argv, "Lesson 14: a chat over a lossy (simulated) network.",
                             &port, entries, &error))
    return braid_exit_with_error (error);
  if (seed < 0 || seed > G_MAXUINT32 || messages < 1 || messages > 10000)
    {
      g_printerr ("--seed is 0 to %u, --messages 1 to 10000\n", G_MAXUINT32);
      return 2;
    }
  run.seed = (guint32) seed;
  run.port = port;
  run.messages = (guint) messages;
  run.random_faults = random_faults;
  run.journal = journal;
  run.transcript = transcript;
  ok = lossy_chat_run (&run, &error);
  g_print ("%s", transcript->str);
  g_print ("seed %u: %s after %.3f virtual seconds\n", run.seed,
           ok ? "every message reached the room once, in order" : "FAILED", run.finished_at);
  if (journal != NULL && ok)
    g_print ("journal: %s (view it: tools/braid-sim-view %s -o chat.html)\n", journal, journal);
  if (!ok)
    return braid_exit_with_error (error);
  return 0;
}
