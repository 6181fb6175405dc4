/* greeter.c: lesson 04's exercise, solved: one protocol for every
 * greeting, the greeting held by the factory; three servers. */
#include <string.h>

#include "../exercise/greeter.h"

struct _GreeterFactory
{
  BraidFactory parent_instance;

  char *greeting;
};

G_DEFINE_FINAL_TYPE (GreeterFactory, greeter_factory, BRAID_TYPE_FACTORY)

static void
greeter_factory_finalize (GObject *object)
{
  g_free (GREETER_FACTORY (object)->greeting);
  G_OBJECT_CLASS (greeter_factory_parent_class)->finalize (object);
}

static void
greeter_factory_class_init (GreeterFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = greeter_factory_finalize;
}

static void
greeter_factory_init (GreeterFactory *self)
{
}

/**
 * greeter_factory_new:
 * @greeting: what the server says before echoing, such as "Hello"
 *
 * Returns: (transfer full): a factory of greeter protocols
 */
GreeterFactory *
greeter_factory_new (const char *greeting)
{
  GreeterFactory *self = g_object_new (GREETER_TYPE_FACTORY,
                                       "protocol-type", GREETER_TYPE_PROTOCOL,
                                       NULL);

  self->greeting = g_strdup (greeting);
  return self;
}

/**
 * greeter_factory_get_greeting:
 * @self: a greeter factory
 *
 * Returns: (transfer none): the greeting
 */
const char *
greeter_factory_get_greeting (GreeterFactory *self)
{
  g_return_val_if_fail (GREETER_IS_FACTORY (self), NULL);
  return self->greeting;
}

struct _GreeterProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (GreeterProtocol, greeter_protocol, BRAID_TYPE_PROTOCOL)

static void
greeter_protocol_data_received (BraidProtocol *protocol,
                                const guint8  *data,
                                gsize          len)
{
  /* The protocol holds no configuration: it asks the factory that built
   * it. One class, as many greetings as there are factories. */
  GreeterFactory *factory = GREETER_FACTORY (braid_protocol_get_factory (protocol));
  const char *greeting = greeter_factory_get_greeting (factory);
  GOutputVector pieces[] = {
    { greeting, strlen (greeting) },
    { ", ", 2 },
    { data, len },
  };

  braid_transport_write_sequence (braid_protocol_get_transport (protocol),
                                  pieces, G_N_ELEMENTS (pieces));
}

static void
greeter_protocol_class_init (GreeterProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = greeter_protocol_data_received;
}

static void
greeter_protocol_init (GreeterProtocol *self)
{
}

static BraidListeningPort *
listen_greeting (BraidReactor *reactor, guint16 port, const char *greeting, GError **error)
{
  g_autoptr (GreeterFactory) factory = greeter_factory_new (greeting);

  return braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (factory),
                                   "127.0.0.1", error);
}

/**
 * three_servers_listen:
 * @reactor: the one reactor every server shares
 * @first_port: the Hello server's port; Bonjour listens on the next one,
 *   Hola on the one after (0: the system chooses each)
 * @error: return location for a #GError
 *
 * Returns: %TRUE if every server listens; %FALSE with @error set, and no
 *   server listening, otherwise
 */
gboolean
three_servers_listen (BraidReactor *reactor, guint16 first_port, GError **error)
{
  guint16 step = first_port == 0 ? 0 : 1;
  BraidListeningPort *hello, *bonjour, *hola;

  hello = listen_greeting (reactor, first_port, "Hello", error);
  if (hello == NULL)
    return FALSE;

  bonjour = listen_greeting (reactor, first_port + step, "Bonjour", error);
  if (bonjour == NULL)
    {
      braid_listening_port_stop_listening (hello);
      return FALSE;
    }

  hola = listen_greeting (reactor, first_port + 2 * step, "Hola", error);
  if (hola == NULL)
    {
      braid_listening_port_stop_listening (bonjour);
      braid_listening_port_stop_listening (hello);
      return FALSE;
    }

  return TRUE;
}
