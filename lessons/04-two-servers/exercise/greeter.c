/* greeter.c: lesson 04's exercise, one protocol for every greeting.
 *
 * The lesson wrote a class per greeting (HelloProtocol, BonjourProtocol).
 * Here there is one GreeterProtocol, and the greeting is the factory's
 * configuration: greeter_factory_new ("Bonjour") makes a server that
 * answers "Bonjour, <what you said>". Two steps:
 *
 * 1. GreeterProtocol always says "Hello" today: make it use its factory's
 *    greeting.
 * 2. three_servers_listen() opens two servers today: add a third, "Hola",
 *    on first_port + 2 (all three on 127.0.0.1; with first_port 0 each
 *    gets a port chosen by the system). Either all three listen or none
 *    does: if a port cannot be opened, close the ones already opened.
 *
 * Check your work with `tools/start check 04` (by hand:
 * `ninja -C build lessons/check-04-two-servers && build/lessons/check-04-two-servers`).
 * Stuck? `tools/start hint 04`. */
#include <string.h>

#include "greeter.h"

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
  /* EXERCISE: greet with the greeting of the factory that built this
   * protocol, not always "Hello". */
  const char *greeting = "Hello";
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
  BraidListeningPort *hello, *bonjour;

  hello = listen_greeting (reactor, first_port, "Hello", error);
  if (hello == NULL)
    return FALSE;

  bonjour = listen_greeting (reactor, first_port + step, "Bonjour", error);
  if (bonjour == NULL)
    {
      braid_listening_port_stop_listening (hello);
      return FALSE;
    }

  /* EXERCISE: a third server, "Hola", on first_port + 2 * step. */

  return TRUE;
}
