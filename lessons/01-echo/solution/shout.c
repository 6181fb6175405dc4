/* shout.c: lesson 01's exercise, solved: an echo that shouts. */
#include "../exercise/shout.h"

struct _ShoutProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (ShoutProtocol, shout_protocol, BRAID_TYPE_PROTOCOL)

static void
shout_protocol_data_received (BraidProtocol *protocol,
                              const guint8  *data,
                              gsize          len)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);
  g_autofree guint8 *loud = g_memdup2 (data, len);

  /* g_ascii_toupper() changes only a-z, so the bytes of a UTF-8 character
   * (all >= 0x80) and a NUL go back untouched. */
  for (gsize i = 0; i < len; i++)
    loud[i] = (guint8) g_ascii_toupper ((char) loud[i]);
  braid_transport_write (transport, loud, len);
}

static void
shout_protocol_class_init (ShoutProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = shout_protocol_data_received;
}

static void
shout_protocol_init (ShoutProtocol *self)
{
}
