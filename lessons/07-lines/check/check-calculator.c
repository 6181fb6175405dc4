/* check-calculator.c: the check of lesson 07's exercise. */
#include <braid-fakes.h>

#include "calculator.h"

static const char input[] = "ADD 2 3\r\nADD -10 4\r\nMUL 2 3\r\nQUIT\r\nADD 1 1\r\n";
static const char expected[] = "= 5\r\n= -6\r\nerror: unknown command\r\nbye\r\n";

static void
test_answers_at_every_split (void)
{
  for (gsize chunk = 1; chunk < sizeof input; chunk++)
    {
      g_autoptr (BraidProtocol) calculator = g_object_new (CALCULATOR_TYPE_PROTOCOL, NULL);
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

      braid_protocol_make_connection (calculator, BRAID_TRANSPORT (transport));
      for (gsize pos = 0; pos < sizeof input - 1; pos += chunk)
        braid_protocol_data_received (calculator, (const guint8 *) input + pos,
                                      MIN (chunk, sizeof input - 1 - pos));
      /* After QUIT, nothing more is answered. */
      braid_assert_transport_wrote (transport, expected);
      g_assert_true (braid_string_transport_get_disconnecting (transport));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 07 exercise: a line-based calculator");
  braid_test_add_func ("/lesson07/exercise/answers-at-every-split", test_answers_at_every_split);
  return g_test_run ();
}
