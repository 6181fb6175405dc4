/* test-pubsub-integration.c: lesson 09's server on a real reactor and real
 * sockets (127.0.0.1, a port chosen by the system). */
#include <string.h>

#include <braid-fakes.h>

#include "lesson-integration.h"
#include "pubsub.h"

/* A real client: says "hello" once connected, keeps the first line it
 * hears and its own address (what the server should print), then hangs up. */
G_DECLARE_FINAL_TYPE (Speaker, speaker, SPEAKER, PROTOCOL, BraidLineReceiver)
struct _Speaker
{
  BraidLineReceiver parent_instance;
};
G_DEFINE_FINAL_TYPE (Speaker, speaker, BRAID_TYPE_LINE_RECEIVER)

typedef struct
{
  char *heard;
  char *own_address;
  gboolean done;
} Outcome;

static Outcome *
speaker_outcome (gpointer protocol)
{
  return g_object_get_data (G_OBJECT (braid_protocol_get_factory (protocol)), "outcome");
}

static void
speaker_connection_made (BraidProtocol *protocol)
{
  GSocketAddress *host = braid_transport_get_host (braid_protocol_get_transport (protocol));

  speaker_outcome (protocol)->own_address =
    g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (host));
  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (protocol), "hello");
}

static void
speaker_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  speaker_outcome (receiver)->heard = g_strdup (line);
  braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (receiver)));
}

static void
speaker_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  speaker_outcome (protocol)->done = TRUE;
}

static void
speaker_class_init (SpeakerClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = speaker_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = speaker_connection_lost;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = speaker_line_received;
}

static void
speaker_init (Speaker *self)
{
}

typedef struct
{
  Outcome *outcome;
  PubFactory *server;
} Story;

/* Done once the client has hung up and the server has taken it off. */
static gboolean
story_is_over (gpointer data)
{
  Story *story = data;

  return story->outcome->done && pub_factory_get_num_clients (story->server) == 0;
}

static void
test_the_server_prefixes_the_real_peer_address (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (PubFactory) server = pub_factory_new ();
  g_autoptr (BraidClientFactory) client = braid_client_factory_new (speaker_get_type ());
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  Outcome outcome = { NULL, NULL, FALSE };
  Story story = { &outcome, server };
  BraidListeningPort *port;

  port = braid_reactor_listen_tcp (reactor, 0, BRAID_FACTORY (server), "127.0.0.1", &error);
  g_assert_no_error (error);
  g_object_set_data (G_OBJECT (client), "outcome", &outcome);
  braid_reactor_connect_tcp_full (reactor, "127.0.0.1", braid_listening_port_get_port (port),
                                  client, LESSON_INTEGRATION_TIMEOUT, NULL);
  g_assert_true (lesson_run_until (reactor, story_is_over, &story, LESSON_INTEGRATION_TIMEOUT));

  g_assert_nonnull (outcome.own_address);
  expected = g_strdup_printf ("<%s> hello", outcome.own_address);
  g_assert_cmpstr (outcome.heard, ==, expected);
  g_free (outcome.heard);
  g_free (outcome.own_address);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 09's publish/subscribe server on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-09/integration/peer-address", test_the_server_prefixes_the_real_peer_address);
  return g_test_run ();
}
