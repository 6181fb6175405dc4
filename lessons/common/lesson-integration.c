/* lesson-integration.c: real clients and a bounded run, for the lessons'
 * integration tests. */
#include <string.h>

#include "lesson-integration.h"

typedef struct
{
  BraidReactor *reactor;
  LessonCondition condition;
  gpointer data;
  gdouble deadline;
  BraidDelayedCall *check;
} Watch;

/* Checks the condition every few milliseconds. Polling keeps the helper
 * independent of what the condition watches; 10 ms is nothing next to
 * the timeout and costs nothing next to a test's run. */
static void
watch_check (gpointer data)
{
  Watch *watch = data;
  BraidClock *clock = BRAID_CLOCK (watch->reactor);

  watch->check = NULL;
  if (!braid_reactor_is_running (watch->reactor))
    return;
  if (watch->condition (watch->data) || braid_clock_seconds (clock) >= watch->deadline)
    {
      braid_reactor_stop (watch->reactor);
      return;
    }
  watch->check = braid_clock_call_later (clock, 0.01, watch_check, watch, NULL);
}

/**
 * lesson_run_until:
 * @reactor: a real reactor, not running
 * @condition: what the test waits for
 * @data: given to @condition
 * @timeout: the most seconds to wait
 *
 * Runs @reactor until @condition holds (or until something else stops
 * the reactor), and at most @timeout seconds.
 *
 * Returns: whether @condition holds when the reactor stops
 */
gboolean
lesson_run_until (BraidReactor    *reactor,
                  LessonCondition  condition,
                  gpointer         data,
                  gdouble          timeout)
{
  Watch watch = { reactor, condition, data, 0, NULL };

  watch.deadline = braid_clock_seconds (BRAID_CLOCK (reactor)) + timeout;
  watch.check = braid_clock_call_later (BRAID_CLOCK (reactor), 0, watch_check, &watch, NULL);
  braid_reactor_run (reactor);
  if (watch.check != NULL && braid_delayed_call_active (watch.check))
    braid_delayed_call_cancel (watch.check, NULL);
  return condition (data);
}

/**
 * AskingFactory:
 *
 * A client factory whose protocol sends a question as soon as it is
 * connected, collects the answer, and closes once @answer_length bytes
 * arrived. The factory keeps the answer and, if the connection failed or
 * was lost uncleanly, why.
 */
struct _AskingFactory
{
  BraidClientFactory parent_instance;

  char *question;
  gsize answer_length;
  GString *answer;
  GError *failure;
  gboolean done;
};

G_DEFINE_FINAL_TYPE (AskingFactory, asking_factory, BRAID_TYPE_CLIENT_FACTORY)

#define ASKING_TYPE_PROTOCOL (asking_protocol_get_type ())
G_DECLARE_FINAL_TYPE (AskingProtocol, asking_protocol, ASKING, PROTOCOL, BraidProtocol)

struct _AskingProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (AskingProtocol, asking_protocol, BRAID_TYPE_PROTOCOL)

static AskingFactory *
asking_protocol_get_asking_factory (BraidProtocol *protocol)
{
  return ASKING_FACTORY (braid_protocol_get_factory (protocol));
}

static void
asking_protocol_connection_made (BraidProtocol *protocol)
{
  braid_transport_write_string (braid_protocol_get_transport (protocol),
                                asking_protocol_get_asking_factory (protocol)->question);
}

static void
asking_protocol_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  AskingFactory *factory = asking_protocol_get_asking_factory (protocol);

  g_string_append_len (factory->answer, (const char *) data, len);
  if (factory->answer->len >= factory->answer_length)
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
asking_protocol_class_init (AskingProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = asking_protocol_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->data_received = asking_protocol_data_received;
}

static void
asking_protocol_init (AskingProtocol *self)
{
}

static void
asking_factory_finish (AskingFactory *self, const GError *failure)
{
  self->done = TRUE;
  if (failure != NULL && self->failure == NULL)
    self->failure = g_error_copy (failure);
}

static void
asking_factory_client_connection_failed (BraidClientFactory *factory,
                                         BraidConnector     *connector,
                                         const GError       *reason)
{
  asking_factory_finish (ASKING_FACTORY (factory), reason);
}

static void
asking_factory_client_connection_lost (BraidClientFactory *factory,
                                       BraidConnector     *connector,
                                       const GError       *reason)
{
  asking_factory_finish (ASKING_FACTORY (factory),
                         braid_error_is_clean_close (reason) ? NULL : reason);
}

static void
asking_factory_finalize (GObject *object)
{
  AskingFactory *self = ASKING_FACTORY (object);

  g_free (self->question);
  g_string_free (self->answer, TRUE);
  g_clear_error (&self->failure);
  G_OBJECT_CLASS (asking_factory_parent_class)->finalize (object);
}

static void
asking_factory_class_init (AskingFactoryClass *klass)
{
  BraidClientFactoryClass *client_class = BRAID_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = asking_factory_finalize;
  client_class->client_connection_failed = asking_factory_client_connection_failed;
  client_class->client_connection_lost = asking_factory_client_connection_lost;
}

static void
asking_factory_init (AskingFactory *self)
{
  self->answer = g_string_new (NULL);
}

/**
 * asking_factory_new:
 * @question: what to send once connected
 * @answer_length: how many bytes to wait for before closing
 *
 * Returns: (transfer full): a new asking factory
 */
AskingFactory *
asking_factory_new (const char *question, gsize answer_length)
{
  AskingFactory *self = g_object_new (ASKING_TYPE_FACTORY,
                                      "protocol-type", ASKING_TYPE_PROTOCOL,
                                      NULL);

  self->question = g_strdup (question);
  self->answer_length = answer_length;
  return self;
}

/**
 * asking_factory_connect:
 * @self: an asking factory
 * @reactor: a real reactor
 * @port: a port on 127.0.0.1
 *
 * Returns: (transfer none): the connector
 */
BraidConnector *
asking_factory_connect (AskingFactory *self, BraidReactor *reactor, guint16 port)
{
  return braid_reactor_connect_tcp_full (reactor, "127.0.0.1", port,
                                         BRAID_CLIENT_FACTORY (self),
                                         LESSON_INTEGRATION_TIMEOUT, NULL);
}

/**
 * asking_factory_get_answer:
 * @self: an asking factory
 *
 * Returns: (transfer none): what the server sent
 */
const char *
asking_factory_get_answer (AskingFactory *self)
{
  return self->answer->str;
}

/**
 * asking_factory_get_failure:
 * @self: an asking factory
 *
 * Returns: (transfer none) (nullable): why the connection failed or was
 *   lost uncleanly; %NULL if it did not
 */
const GError *
asking_factory_get_failure (AskingFactory *self)
{
  return self->failure;
}

/**
 * asking_factory_is_done:
 * @self: (type AskingFactory): an asking factory
 *
 * A #LessonCondition.
 *
 * Returns: whether the connection is over (or could not be made)
 */
gboolean
asking_factory_is_done (gpointer self)
{
  return ASKING_FACTORY (self)->done;
}
