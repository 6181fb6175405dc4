/* reverse.c: lesson 06's exercise: answer each frame reversed.
 *
 * Complete the places marked EXERCISE, then run the check:
 *   ninja -C build lessons/check-06-framing && build/lessons/check-06-framing
 * Hints: lessons/06-framing/exercise/hints.md */
#include "reverse.h"

struct _ReverseProtocol
{
  BraidIntNReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (ReverseProtocol, reverse_protocol, BRAID_TYPE_INT_N_RECEIVER)

static void
reverse_protocol_string_received (BraidIntNReceiver *receiver, const guint8 *data, gsize len)
{
  /* EXERCISE: send back the bytes in reverse order. */
  braid_int_n_receiver_send_string (receiver, data, len, NULL);
}

static void
reverse_protocol_class_init (ReverseProtocolClass *klass)
{
  BRAID_INT_N_RECEIVER_CLASS (klass)->string_received = reverse_protocol_string_received;
}

static void
reverse_protocol_init (ReverseProtocol *self)
{
  /* EXERCISE: this protocol's prefixes are 16 bits long. */
}
