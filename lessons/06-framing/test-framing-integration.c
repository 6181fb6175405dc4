/* test-framing-integration.c: lesson 06's echo servers on a real reactor
 * and real sockets (127.0.0.1, a port chosen by the system). */
#include <string.h>

#include <braid-fakes.h>

#include "framing.h"
#include "lesson-integration.h"

static void
assert_answer (GType protocol_type, const char *question, gsize question_len,
               const char *answer, gsize answer_len)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (BraidFactory) factory = braid_factory_new (protocol_type);
  g_autoptr (AskingFactory) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *question_copy = g_strndup (question, question_len);
  BraidListeningPort *port;

  port = braid_reactor_listen_tcp (reactor, 0, factory, "127.0.0.1", &error);
  g_assert_no_error (error);
  /* The asking client sends a C string: the question is text. */
  client = asking_factory_new (question_copy, answer_len);
  asking_factory_connect (client, reactor, braid_listening_port_get_port (port));
  g_assert_true (lesson_run_until (reactor, asking_factory_is_done, client,
                                   LESSON_INTEGRATION_TIMEOUT));
  g_assert_null (asking_factory_get_failure (client));
  g_assert_cmpmem (asking_factory_get_answer (client), strlen (asking_factory_get_answer (client)),
                   answer, answer_len);
}

static void
test_length_echo_over_tcp (void)
{
  assert_answer (LENGTH_TYPE_ECHO, "5 hello world", 13, "hello", 5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 06's length echo on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-06/integration/length-echo", test_length_echo_over_tcp);
  return g_test_run ();
}
