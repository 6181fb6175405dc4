/* test-check-assertions.c: a failed exercise check tells the learner what
 * it sent, what it expected and what came back, every byte visible, with
 * the check's reason, at the check's own line (check-assertions.h). */
#include <braid-fakes.h>

#include "check-assertions.h"

/* A protocol that writes back nothing: every answer is wrong. */
static void
failing_answer (void)
{
  static const guint8 sent[] = { 'a', 0, 'b', '\r', '\n', 0xc3 };
  static const guint8 expected[] = { 'A', 0, 'B', '\r', '\n', 0xc3 };
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  check_assert_answer (protocol, transport, sent, sizeof sent, expected, sizeof expected,
                       "a NUL must not cut them");
}

static void
test_a_failed_answer_says_everything (void)
{
  g_test_summary ("A failed check_assert_answer names the reason, the bytes sent, expected "
                  "and got (NUL, \\r\\n and non-ASCII escaped) and the caller's line");
  if (g_test_subprocess ())
    {
      failing_answer ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*test-check-assertions.c:1?:failing_answer: a NUL must not cut "
                             "them: sent \"a\\x00b\\r\\n\\xc3\", expected "
                             "\"A\\x00B\\r\\n\\xc3\" back, got \"\"*");
}

static void
test_a_right_answer_is_forgotten (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  gsize left = 1;

  braid_transport_write (BRAID_TRANSPORT (transport), (const guint8 *) "OK", 2);
  check_assert_wrote (transport, "ok", 2, "OK", 2, "what came back is checked");
  braid_string_transport_peek (transport, &left);
  g_assert_cmpuint (left, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/check-assertions/failed-answer-says-everything",
                   test_a_failed_answer_says_everything);
  g_test_add_func ("/check-assertions/right-answer-is-forgotten",
                   test_a_right_answer_is_forgotten);
  return g_test_run ();
}
