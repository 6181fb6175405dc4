/* reactor-test-common.c: helpers of the real-reactor tests. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
test_env_init (TestEnv *env)
{
  env->context = g_main_context_new ();
  g_main_context_push_thread_default (env->context);
  env->reactor = braid_glib_reactor_new (env->context);
  env->tick = g_timeout_source_new (20);
  g_source_set_callback (env->tick, keep_ticking, NULL, NULL);
  g_source_attach (env->tick, env->context);
}

static gboolean
flag_done (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
test_env_iterate_for (TestEnv *env, gdouble seconds)
{
  gboolean done = FALSE;
  GSource *timer = g_timeout_source_new ((guint) (seconds * 1000));

  g_source_set_callback (timer, flag_done, &done, NULL);
  g_source_attach (timer, env->context);
  while (!done)
    g_main_context_iteration (env->context, TRUE);
  g_source_unref (timer);
}

void
test_env_clear (TestEnv *env)
{
  g_clear_object (&env->reactor);
  g_source_destroy (env->tick);
  g_source_unref (env->tick);
  /* Let finished sources (a resolver's result, an idle) go. */
  while (g_main_context_iteration (env->context, FALSE))
    ;
  g_main_context_pop_thread_default (env->context);
  g_main_context_unref (env->context);
}

/* --- RecProtocol --------------------------------------------------------- */

typedef struct
{
  RecState state;
} RecProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (RecProtocol, rec_protocol, BRAID_TYPE_PROTOCOL)

RecState *
rec_protocol_get_state (RecProtocol *self)
{
  RecProtocolPrivate *priv = rec_protocol_get_instance_private (self);

  return &priv->state;
}

static BraidTransport *
transport_of (BraidProtocol *protocol)
{
  return braid_protocol_get_transport (protocol);
}

static void
rec_protocol_connection_made (BraidProtocol *protocol)
{
  RecState *state = rec_protocol_get_state (REC_PROTOCOL (protocol));
  BraidTransport *transport = transport_of (protocol);

  state->made++;
  if (state->flags & REC_SELF_PRODUCER)
    braid_transport_register_producer (transport, BRAID_PRODUCER (transport), TRUE);
  if (state->flags & REC_PAUSE_ON_MADE)
    braid_producer_pause_producing (BRAID_PRODUCER (transport));
  if (state->greeting != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (state->greeting, &len);

      braid_transport_write (transport, data, len);
    }
  if (state->flags & REC_LOSE_ON_MADE)
    braid_transport_lose_connection (transport);
}

static gboolean
count_nested_timeout (gpointer data)
{
  ((RecState *) data)->nested_timeouts++;
  return G_SOURCE_REMOVE;
}

/* A callback that iterates the main context itself (a nested loop): the
 * reactor must not dispatch this connection again meanwhile. */
static void
run_nested_loop (RecState *state)
{
  GMainContext *context = g_main_context_get_thread_default ();
  GSource *timeout = g_timeout_source_new (10);
  gint64 end = g_get_monotonic_time () + 100 * 1000;

  g_assert_cmpint (write (state->poke_fd, "b", 1), ==, 1);
  g_source_set_callback (timeout, count_nested_timeout, state, NULL);
  g_source_attach (timeout, context);
  g_source_unref (timeout);
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (context, TRUE);
}

static void
rec_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  RecState *state = rec_protocol_get_state (REC_PROTOCOL (protocol));
  BraidTransport *transport = transport_of (protocol);

  state->depth++;
  state->max_depth = MAX (state->max_depth, state->depth);
  g_string_append_len (state->received, (const char *) data, len);
  if ((state->flags & REC_NESTED_LOOP) && state->received->len == len)
    run_nested_loop (state);
  if (state->flags & REC_ECHO)
    braid_transport_write (transport, data, len);
  if (state->flags & REC_ABORT_ON_DATA)
    {
      /* Misbehaving on purpose: every call after the abort must be harmless. */
      braid_transport_abort_connection (transport);
      braid_transport_write_string (transport, "after the abort");
      braid_transport_lose_connection (transport);
      braid_transport_abort_connection (transport);
    }
  state->depth--;
}

static void
rec_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  RecState *state = rec_protocol_get_state (REC_PROTOCOL (protocol));

  state->lost_count++;
  g_clear_error (&state->lost);
  state->lost = g_error_copy (reason);
  /* The factory keeps every protocol it built, for the tests to inspect;
   * let go of the factory so that the two do not keep each other alive. */
  braid_protocol_set_factory (protocol, NULL);
}

static void
rec_protocol_finalize (GObject *object)
{
  RecState *state = rec_protocol_get_state (REC_PROTOCOL (object));

  g_string_free (state->received, TRUE);
  g_clear_error (&state->lost);
  g_clear_pointer (&state->greeting, g_bytes_unref);
  G_OBJECT_CLASS (rec_protocol_parent_class)->finalize (object);
}

static void
rec_protocol_class_init (RecProtocolClass *klass)
{
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = rec_protocol_finalize;
  protocol_class->connection_made = rec_protocol_connection_made;
  protocol_class->data_received = rec_protocol_data_received;
  protocol_class->connection_lost = rec_protocol_connection_lost;
}

static void
rec_protocol_init (RecProtocol *self)
{
  rec_protocol_get_state (self)->received = g_string_new (NULL);
}

struct _HalfRecProtocol { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (HalfRecProtocol, half_rec_protocol, REC_TYPE_PROTOCOL)

static void
half_rec_protocol_read_connection_lost (BraidProtocol *protocol)
{
  RecState *state = rec_protocol_get_state (REC_PROTOCOL (protocol));
  BraidTransport *transport = transport_of (protocol);

  state->read_lost = TRUE;
  if (state->flags & REC_BYE_ON_HALF)
    {
      braid_transport_write_string (transport, "bye");
      braid_transport_lose_connection (transport);
    }
}

static void
half_rec_protocol_class_init (HalfRecProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->read_connection_lost = half_rec_protocol_read_connection_lost;
}

static void
half_rec_protocol_init (HalfRecProtocol *self)
{
}

/* --- RecFactory ---------------------------------------------------------- */

G_DEFINE_FINAL_TYPE (RecFactory, rec_factory, BRAID_TYPE_CLIENT_FACTORY)

static BraidProtocol *
rec_factory_build_protocol (BraidFactory *factory, GSocketAddress *addr)
{
  RecFactory *self = REC_FACTORY (factory);
  BraidProtocol *protocol;
  RecState *state;

  if (self->refuse)
    return NULL;
  protocol = g_object_new (self->protocol_type, NULL);
  state = rec_protocol_get_state (REC_PROTOCOL (protocol));
  state->flags = self->flags;
  if (self->greeting != NULL)
    state->greeting = g_bytes_ref (self->greeting);
  g_ptr_array_add (self->protocols, g_object_ref (protocol));
  return protocol;
}

static void
rec_factory_started_connecting (BraidClientFactory *factory, BraidConnector *connector)
{
  REC_FACTORY (factory)->started++;
}

static void
rec_factory_client_connection_failed (BraidClientFactory *factory,
                                      BraidConnector     *connector,
                                      const GError       *reason)
{
  RecFactory *self = REC_FACTORY (factory);

  self->callback_reactor = braid_connector_get_reactor (connector);
  self->failed_count++;
  g_clear_error (&self->failed);
  self->failed = g_error_copy (reason);
  if (self->reconnect_on_failure)
    {
      self->reconnect_on_failure = FALSE;
      braid_connector_connect (connector);
    }
}

static void
rec_factory_client_connection_lost (BraidClientFactory *factory,
                                    BraidConnector     *connector,
                                    const GError       *reason)
{
  RecFactory *self = REC_FACTORY (factory);

  self->callback_reactor = braid_connector_get_reactor (connector);
  g_clear_error (&self->client_lost);
  self->client_lost = g_error_copy (reason);
}

static void
rec_factory_finalize (GObject *object)
{
  RecFactory *self = REC_FACTORY (object);

  g_ptr_array_unref (self->protocols);
  g_clear_error (&self->failed);
  g_clear_error (&self->client_lost);
  g_clear_pointer (&self->greeting, g_bytes_unref);
  G_OBJECT_CLASS (rec_factory_parent_class)->finalize (object);
}

static void
rec_factory_class_init (RecFactoryClass *klass)
{
  BraidClientFactoryClass *client_class = BRAID_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = rec_factory_finalize;
  BRAID_FACTORY_CLASS (klass)->build_protocol = rec_factory_build_protocol;
  client_class->started_connecting = rec_factory_started_connecting;
  client_class->client_connection_failed = rec_factory_client_connection_failed;
  client_class->client_connection_lost = rec_factory_client_connection_lost;
}

static void
rec_factory_init (RecFactory *self)
{
  self->protocols = g_ptr_array_new_with_free_func (g_object_unref);
}

RecFactory *
rec_factory_new (GType protocol_type, RecFlags flags)
{
  RecFactory *self = g_object_new (REC_TYPE_FACTORY, NULL);

  self->protocol_type = protocol_type;
  self->flags = flags;
  return self;
}

RecState *
rec_factory_state (RecFactory *factory, guint index)
{
  g_assert_cmpuint (index, <, factory->protocols->len);
  return rec_protocol_get_state (g_ptr_array_index (factory->protocols, index));
}

/* Listens on 127.0.0.1, port 0, and returns the port chosen. */
guint16
listen_local (TestEnv *env, BraidFactory *factory)
{
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port = braid_reactor_listen_tcp (env->reactor, 0, factory,
                                                       "127.0.0.1", &error);

  g_assert_no_error (error);
  g_assert_nonnull (port);
  g_assert_cmpuint (braid_listening_port_get_port (port), >, 0);
  return braid_listening_port_get_port (port);
}

/* --- Raw sockets ----------------------------------------------------------- */

static struct sockaddr_in
loopback_address (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  return address;
}

int
raw_try_connect (guint16 port)
{
  struct sockaddr_in address = loopback_address (port);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) == 0)
    return fd;
  close (fd);
  return -1;
}

int
raw_connect (guint16 port)
{
  int fd = raw_try_connect (port);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

int
raw_listen (guint16 *port)
{
  struct sockaddr_in address = loopback_address (0);
  socklen_t len = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (fd, 4), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &len), ==, 0);
  *port = ntohs (address.sin_port);
  return fd;
}
