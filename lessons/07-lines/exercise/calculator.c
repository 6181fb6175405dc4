/* calculator.c: lesson 07's exercise: a line-based calculator.
 *
 * Complete the place marked EXERCISE, then run the check:
 *   ninja -C build lessons/check-07-lines && build/lessons/check-07-lines
 * Hints: lessons/07-lines/exercise/hints.md */
#include "calculator.h"

#include <stdio.h>

struct _CalculatorProtocol
{
  BraidLineReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (CalculatorProtocol, calculator_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
calculator_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  /* EXERCISE: answer "ADD a b" with "= " and the sum, and "QUIT" with
   * "bye" before closing the connection. */
  braid_line_receiver_send_line (receiver, "error: unknown command");
}

static void
calculator_protocol_class_init (CalculatorProtocolClass *klass)
{
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = calculator_protocol_line_received;
}

static void
calculator_protocol_init (CalculatorProtocol *self)
{
}
