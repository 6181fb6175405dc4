/* shout.c: the protocol; it needs libbraid only (pkg-config braid-1). */
#include "shout.h"

struct _ShoutProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (ShoutProtocol, shout_protocol, BRAID_TYPE_PROTOCOL)

static void
shout_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  g_autofree char *upper = g_ascii_strup ((const char *) data, len);

  braid_transport_write (braid_protocol_get_transport (protocol), (const guint8 *) upper, len);
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
