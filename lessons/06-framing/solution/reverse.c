/* reverse.c: lesson 06's exercise, the reference solution. */
#include "../exercise/reverse.h"

struct _ReverseProtocol
{
  BraidIntNReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (ReverseProtocol, reverse_protocol, BRAID_TYPE_INT_N_RECEIVER)

static void
reverse_protocol_string_received (BraidIntNReceiver *receiver, const guint8 *data, gsize len)
{
  g_autofree guint8 *reversed = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i++)
    reversed[i] = data[len - 1 - i];
  braid_int_n_receiver_send_string (receiver, reversed, len, NULL);
}

static void
reverse_protocol_class_init (ReverseProtocolClass *klass)
{
  BRAID_INT_N_RECEIVER_CLASS (klass)->string_received = reverse_protocol_string_received;
}

static void
reverse_protocol_init (ReverseProtocol *self)
{
  braid_int_n_receiver_set_prefix_bits (BRAID_INT_N_RECEIVER (self), 16);
}
