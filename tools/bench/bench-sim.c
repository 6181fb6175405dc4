/* bench-sim.c: how fast BraidSimNet simulates a busy network.
 *
 * A chat server and N-1 clients on one simulated net, 20 ms ± 5 ms apart;
 * each client sends a line every virtual second (at its own seeded phase),
 * the server sends every line to every other client. Runs H virtual hours,
 * then 10 H (with --linear), and prints how much faster than real time
 * each ran, the events per second, and the ratio of the two times (linear
 * when it is about 10). It measures, it never asserts.
 *
 *   bench-sim [--nodes N] [--hours H] [--linear] [--seed S] [--journal FILE]
 *
 * --journal writes the first run's journal to FILE (slower: for checking
 * that a change to the net keeps the order of events, not for timing).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <braid-fakes.h>

static gdouble
cpu_seconds (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

/* The server: every line to every other connection. */
typedef struct {
  GPtrArray *clients;     /* of BraidTransport*, not owned */
  guint64 lines;
} Room;

#define CHAT_TYPE_PROTOCOL (chat_protocol_get_type ())
G_DECLARE_FINAL_TYPE (ChatProtocol, chat_protocol, CHAT, PROTOCOL, BraidProtocol)
struct _ChatProtocol { BraidProtocol parent_instance; Room *room; GString *pending; };
G_DEFINE_FINAL_TYPE (ChatProtocol, chat_protocol, BRAID_TYPE_PROTOCOL)

static void
chat_connection_made (BraidProtocol *protocol)
{
  ChatProtocol *self = CHAT_PROTOCOL (protocol);

  self->room = g_object_get_data (G_OBJECT (braid_protocol_get_factory (protocol)), "room");
  g_ptr_array_add (self->room->clients, braid_protocol_get_transport (protocol));
}

static void
chat_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  ChatProtocol *self = CHAT_PROTOCOL (protocol);
  BraidTransport *from = braid_protocol_get_transport (protocol);
  char *newline;

  g_string_append_len (self->pending, (const char *) data, len);
  while ((newline = memchr (self->pending->str, '\n', self->pending->len)) != NULL)
    {
      gsize line = newline - self->pending->str + 1;

      self->room->lines++;
      for (guint i = 0; i < self->room->clients->len; i++)
        if (g_ptr_array_index (self->room->clients, i) != from)
          braid_transport_write (g_ptr_array_index (self->room->clients, i),
                                 (const guint8 *) self->pending->str, line);
      g_string_erase (self->pending, 0, line);
    }
}

static void
chat_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  ChatProtocol *self = CHAT_PROTOCOL (protocol);

  g_ptr_array_remove (self->room->clients, braid_protocol_get_transport (protocol));
}

static void
chat_protocol_finalize (GObject *object)
{
  g_string_free (CHAT_PROTOCOL (object)->pending, TRUE);
  G_OBJECT_CLASS (chat_protocol_parent_class)->finalize (object);
}

static void
chat_protocol_class_init (ChatProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = chat_protocol_finalize;
  BRAID_PROTOCOL_CLASS (klass)->connection_made = chat_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->data_received = chat_data_received;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = chat_connection_lost;
}

static void
chat_protocol_init (ChatProtocol *self)
{
  self->pending = g_string_new (NULL);
}

/* A client: a line every second; counts what it receives. */
#define TALKER_TYPE_PROTOCOL (talker_protocol_get_type ())
G_DECLARE_FINAL_TYPE (TalkerProtocol, talker_protocol, TALKER, PROTOCOL, BraidProtocol)
struct _TalkerProtocol { BraidProtocol parent_instance; BraidLoopingCall *call; guint64 *received; };
G_DEFINE_FINAL_TYPE (TalkerProtocol, talker_protocol, BRAID_TYPE_PROTOCOL)

static gboolean
talk (BraidLoopingCall *call, guint64 intervals, gpointer data, GError **error)
{
  braid_transport_write_string (braid_protocol_get_transport (data), "hello, everyone\n");
  return TRUE;
}

static void
start_talking (gpointer data)
{
  braid_looping_call_start (data, 1.0, TRUE);
}

static void
talker_connection_made (BraidProtocol *protocol)
{
  TalkerProtocol *self = TALKER_PROTOCOL (protocol);
  BraidFactory *factory = braid_protocol_get_factory (protocol);
  BraidSimNode *node = g_object_get_data (G_OBJECT (factory), "node");
  BraidSimNet *net = braid_sim_node_get_net (node);

  self->received = g_object_get_data (G_OBJECT (factory), "received");
  self->call = braid_looping_call_new (BRAID_CLOCK (node), talk, protocol, NULL);
  /* Each client at its own phase within the second. */
  braid_clock_call_later (BRAID_CLOCK (node), braid_sim_net_random_double (net),
                          start_talking, self->call, NULL);
}

static void
talker_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  *TALKER_PROTOCOL (protocol)->received += len;
}

static void
talker_protocol_dispose (GObject *object)
{
  TalkerProtocol *self = TALKER_PROTOCOL (object);

  if (self->call != NULL)
    braid_looping_call_stop (self->call);
  g_clear_object (&self->call);
  G_OBJECT_CLASS (talker_protocol_parent_class)->dispose (object);
}

static void
talker_protocol_class_init (TalkerProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = talker_protocol_dispose;
  BRAID_PROTOCOL_CLASS (klass)->connection_made = talker_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->data_received = talker_data_received;
}

static void
talker_protocol_init (TalkerProtocol *self)
{
}

typedef struct {
  gdouble cpu;
  guint64 events;
  guint64 lines;
  guint64 received;
} Result;

static Result
run (guint nodes, gdouble hours, guint32 seed, const char *journal)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (seed);
  g_autoptr (BraidFactory) server_factory = braid_factory_new (CHAT_TYPE_PROTOCOL);
  g_autoptr (GPtrArray) client_factories = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  Room room = { g_ptr_array_new (), 0 };
  guint64 received = 0;
  BraidSimNode *server;
  Result result = { 0 };
  gdouble start;

  braid_sim_net_set_journal_enabled (net, journal != NULL);
  braid_sim_link_set_latency (braid_sim_net_get_default_link (net), 0.020, 0.005);
  server = braid_sim_net_add_node (net, "server", "10.0.0.1");
  g_object_set_data (G_OBJECT (server_factory), "room", &room);
  braid_reactor_listen_tcp (BRAID_REACTOR (server), 6667, server_factory, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 1; i < nodes; i++)
    {
      g_autofree char *name = g_strdup_printf ("client-%u", i);
      g_autofree char *address = g_strdup_printf ("10.%u.%u.%u", 1 + (i >> 16), (i >> 8) & 0xff, i & 0xff);
      BraidSimNode *node = braid_sim_net_add_node (net, name, address);
      BraidClientFactory *factory = braid_client_factory_new (TALKER_TYPE_PROTOCOL);

      g_object_set_data (G_OBJECT (factory), "node", node);
      g_object_set_data (G_OBJECT (factory), "received", &received);
      g_ptr_array_add (client_factories, factory);
      braid_reactor_connect_tcp (BRAID_REACTOR (node), "10.0.0.1", 6667, factory);
    }
  start = cpu_seconds ();
  braid_sim_net_run_for (net, hours * 3600);
  result.cpu = cpu_seconds () - start;
  result.events = braid_sim_net_get_event_count (net);
  result.lines = room.lines;
  result.received = received;
  if (journal != NULL && !braid_sim_net_write_journal (net, journal, &error))
    g_error ("bench-sim: %s", error->message);
  g_clear_object (&net);
  g_ptr_array_unref (room.clients);
  return result;
}

static void
report (guint nodes, gdouble hours, Result r)
{
  printf ("%u nodes, %g virtual hour(s): %.2f s CPU, %.0fx real time, %.0f events/s "
          "(%" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
          " bytes delivered)\n", nodes, hours, r.cpu, hours * 3600 / r.cpu, r.events / r.cpu,
          r.events, r.lines, r.received);
}

int
main (int argc, char **argv)
{
  gint nodes = 100;
  gdouble hours = 1;
  gboolean linear = FALSE;
  gint64 seed = 42;
  g_autofree char *journal = NULL;
  GOptionEntry entries[] = {
    { "nodes", 'n', 0, G_OPTION_ARG_INT, &nodes, "Nodes: a server and N-1 clients (default 100)", "N" },
    { "hours", 'H', 0, G_OPTION_ARG_DOUBLE, &hours, "Virtual hours to run (default 1)", "H" },
    { "linear", 'l', 0, G_OPTION_ARG_NONE, &linear, "Also run 10 H and print the ratio", NULL },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed (default 42)", "S" },
    { "journal", 'j', 0, G_OPTION_ARG_FILENAME, &journal, "Write the first run's journal to FILE", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- benchmark the simulated network");
  g_autoptr (GError) error = NULL;
  Result one, ten;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return braid_exit_with_error (error);
  if (nodes < 2 || nodes > 60000 || hours <= 0)
    {
      fprintf (stderr, "bench-sim: --nodes must be 2 to 60000 and --hours more than 0\n");
      return 1;
    }
  one = run ((guint) nodes, hours, (guint32) seed, journal);
  report ((guint) nodes, hours, one);
  if (linear)
    {
      ten = run ((guint) nodes, hours * 10, (guint32) seed, NULL);
      report ((guint) nodes, hours * 10, ten);
      printf ("10x the virtual time took %.2fx the CPU time (linear: about 10)\n", ten.cpu / one.cpu);
    }
  return 0;
}
