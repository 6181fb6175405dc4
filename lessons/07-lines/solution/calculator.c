/* calculator.c: lesson 07's exercise, the reference solution. */
#include "../exercise/calculator.h"

#include <stdio.h>

struct _CalculatorProtocol
{
  BraidLineReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (CalculatorProtocol, calculator_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
calculator_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  gint64 a, b;
  char end;

  if (g_strcmp0 (line, "QUIT") == 0)
    {
      braid_line_receiver_send_line (receiver, "bye");
      braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (receiver)));
      return;
    }
  /* %c after the numbers catches trailing garbage: "ADD 1 2x" is refused. */
  if (sscanf (line, "ADD %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "%c", &a, &b, &end) == 2)
    {
      g_autofree char *answer = g_strdup_printf ("= %" G_GINT64_FORMAT, a + b);

      braid_line_receiver_send_line (receiver, answer);
      return;
    }
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
