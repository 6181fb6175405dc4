/* motd.c: the message of the day: one line to each client, then goodbye. */
#include "motd.h"

#define MOTD_TYPE_PROTOCOL (motd_protocol_get_type ())
G_DECLARE_FINAL_TYPE (MotdProtocol, motd_protocol, MOTD, PROTOCOL, BraidProtocol)

struct _MotdProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (MotdProtocol, motd_protocol, BRAID_TYPE_PROTOCOL)

struct _MotdFactory
{
  BraidFactory parent_instance;
  char *message;
};

G_DEFINE_FINAL_TYPE (MotdFactory, motd_factory, BRAID_TYPE_FACTORY)

static void
motd_connection_made (BraidProtocol *protocol)
{
  MotdFactory *factory = MOTD_FACTORY (braid_protocol_get_factory (protocol));
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  braid_transport_write_string (transport, factory->message);
  braid_transport_write_string (transport, "\r\n");
  /* Sends what is buffered first, then closes. */
  braid_transport_lose_connection (transport);
}

static void
motd_protocol_class_init (MotdProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = motd_connection_made;
}

static void
motd_protocol_init (MotdProtocol *self)
{
}

static void
motd_factory_finalize (GObject *object)
{
  g_free (MOTD_FACTORY (object)->message);
  G_OBJECT_CLASS (motd_factory_parent_class)->finalize (object);
}

static void
motd_factory_class_init (MotdFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = motd_factory_finalize;
}

static void
motd_factory_init (MotdFactory *self)
{
}

/* A factory whose connections are each sent @message, then closed. */
MotdFactory *
motd_factory_new (const char *message)
{
  MotdFactory *self = g_object_new (MOTD_TYPE_FACTORY, "protocol-type", MOTD_TYPE_PROTOCOL, NULL);

  self->message = g_strdup (message);
  return self;
}

const char *
motd_factory_get_message (MotdFactory *self)
{
  return self->message;
}
