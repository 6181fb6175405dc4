/* test-sim-seeds.c: a scenario under many seeds, the replay command, and
 * the determinism check. */
#include <braid-fakes.h>

#include <string.h>

static gboolean
fails_on_multiples_of_three (guint32 seed, gpointer user_data, GError **error)
{
  guint *runs = user_data;

  (*runs)++;
  if (seed % 3 != 0)
    return TRUE;
  g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED, "seed %u is a multiple of three", seed);
  return FALSE;
}

static void
test_reports_failing_seeds_and_replay (void)
{
  g_autoptr (GError) error = NULL;
  guint runs = 0;

  g_unsetenv ("BRAID_SEED");
  g_assert_false (braid_sim_run_seeds (fails_on_multiples_of_three, &runs, 1, 6, &error));
  g_assert_cmpuint (runs, ==, 6);
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "2 of 6 seed(s) failed: 3, 6\n"));
  g_assert_nonnull (strstr (error->message, "seed 3: seed 3 is a multiple of three\n"));
  g_assert_nonnull (strstr (error->message, "replay it with: BRAID_SEED=3 "));
  g_assert_true (g_str_has_suffix (error->message,
                                   " -p /sim-seeds/reports-failing-seeds-and-replay"));
}

static void
test_all_pass (void)
{
  g_autoptr (GError) error = NULL;
  guint runs = 0;

  g_unsetenv ("BRAID_SEED");
  g_assert_true (braid_sim_run_seeds (fails_on_multiples_of_three, &runs, 1, 2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (runs, ==, 2);
}

static void
test_braid_seed_replays_one (void)
{
  g_autoptr (GError) error = NULL;
  guint runs = 0;

  g_setenv ("BRAID_SEED", "4", TRUE);
  g_assert_true (braid_sim_run_seeds (fails_on_multiples_of_three, &runs, 1, 200, &error));
  g_assert_cmpuint (runs, ==, 1);
  g_setenv ("BRAID_SEED", "9", TRUE);
  g_assert_false (braid_sim_run_seeds (fails_on_multiples_of_three, &runs, 1, 200, &error));
  g_assert_nonnull (strstr (error->message, "1 of 1 seed(s) failed: 9"));
  g_clear_error (&error);
  g_setenv ("BRAID_SEED", "nine", TRUE);
  g_assert_false (braid_sim_run_seeds (fails_on_multiples_of_three, &runs, 1, 200, &error));
  g_assert_nonnull (strstr (error->message, "BRAID_SEED=nine is not a seed"));
  g_unsetenv ("BRAID_SEED");
}

static gboolean
fails_silently (guint32 seed, gpointer user_data, GError **error)
{
  return FALSE;
}

static void
test_failure_without_message (void)
{
  g_autoptr (GError) error = NULL;

  g_unsetenv ("BRAID_SEED");
  g_assert_false (braid_sim_run_seeds (fails_silently, NULL, 10, 1, &error));
  g_assert_nonnull (strstr (error->message, "seed 10: the scenario failed"));
}

/* A client sends 20 numbered lines to a server across 30 ms ± 25 ms and a
 * partition at a seeded time; every line arrives, in order. */
typedef struct {
  GString *received;
} Sink;

static gboolean
all_arrived (gpointer data)
{
  return g_str_has_suffix (((GString *) data)->str, "line 19\n");
}

static void
sink_data (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  GString *received = g_object_get_data (G_OBJECT (braid_protocol_get_factory (protocol)), "sink");

  g_string_append_len (received, (const char *) data, len);
}

#define SINK_TYPE_PROTOCOL (sink_protocol_get_type ())
G_DECLARE_FINAL_TYPE (SinkProtocol, sink_protocol, SINK, PROTOCOL, BraidProtocol)
struct _SinkProtocol { BraidProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (SinkProtocol, sink_protocol, BRAID_TYPE_PROTOCOL)

static void
sink_protocol_class_init (SinkProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = sink_data;
}

static void
sink_protocol_init (SinkProtocol *self)
{
}

/* The client writes its 20 lines as soon as it is connected. */
#define WRITER_TYPE_PROTOCOL (writer_protocol_get_type ())
G_DECLARE_FINAL_TYPE (WriterProtocol, writer_protocol, WRITER, PROTOCOL, BraidProtocol)
struct _WriterProtocol { BraidProtocol parent_instance; guint next; };
G_DEFINE_FINAL_TYPE (WriterProtocol, writer_protocol, BRAID_TYPE_PROTOCOL)

static void
writer_connection_made (BraidProtocol *protocol)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u\n", i);

      braid_transport_write_string (braid_protocol_get_transport (protocol), line);
    }
}

static void
writer_protocol_class_init (WriterProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = writer_connection_made;
}

static void
writer_protocol_init (WriterProtocol *self)
{
}

static char *
run_lines (guint32 seed, GString *received, GError **error)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (seed);
  g_autoptr (BraidFactory) server_factory = braid_factory_new (SINK_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client_factory = braid_client_factory_new (WRITER_TYPE_PROTOCOL);
  BraidSimNode *server, *client;

  braid_sim_link_set_latency (braid_sim_net_get_default_link (net), 0.030, 0.025);
  server = braid_sim_net_add_node (net, "server", "10.0.0.1");
  client = braid_sim_net_add_node (net, "client", "10.0.0.2");
  g_object_set_data (G_OBJECT (server_factory), "sink", received);
  braid_sim_net_schedule_partition (net, "client", "server", TRUE,
                                    braid_sim_net_random_double (net) * 0.2, 1);
  if (braid_reactor_listen_tcp (BRAID_REACTOR (server), 80, server_factory, NULL, error) == NULL)
    return NULL;
  braid_reactor_connect_tcp (BRAID_REACTOR (client), "server", 80, client_factory);
  if (!braid_sim_net_run_until (net, all_arrived, received, 60, error))
    return NULL;
  braid_sim_net_run_for (net, 1);
  return g_strdup (braid_sim_net_get_journal (net));
}

static gboolean
lines_arrive_in_order (guint32 seed, gpointer user_data, GError **error)
{
  g_autoptr (GString) received = g_string_new (NULL);
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autofree char *journal = run_lines (seed, received, error);

  if (journal == NULL)
    return FALSE;
  for (guint i = 0; i < 20; i++)
    g_string_append_printf (expected, "line %u\n", i);
  if (!g_string_equal (received, expected))
    {
      g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED, "got %s", received->str);
      return FALSE;
    }
  return TRUE;
}

static void
test_lines_under_twenty_seeds (void)
{
  g_autoptr (GError) error = NULL;

  g_unsetenv ("BRAID_SEED");
  braid_sim_run_seeds (lines_arrive_in_order, NULL, 1, 20, &error);
  g_assert_no_error (error);
}

static char *
lines_journal (guint32 seed, gpointer user_data)
{
  g_autoptr (GString) received = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  char *journal = run_lines (seed, received, &error);

  g_assert_no_error (error);
  return journal;
}

static char *
not_deterministic (guint32 seed, gpointer user_data)
{
  guint *calls = user_data;

  return g_strdup_printf ("{\"same\":1}\n{\"run\":%u}\n", ++*calls);
}

static void
test_determinism_check (void)
{
  g_autoptr (GError) error = NULL;
  guint calls = 0;

  g_assert_true (braid_sim_check_determinism (lines_journal, NULL, 77, &error));
  g_assert_no_error (error);
  g_assert_false (braid_sim_check_determinism (not_deterministic, &calls, 77, &error));
  g_assert_error (error, BRAID_ERROR, BRAID_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "line 2 of the journal differs"));
  g_assert_nonnull (strstr (error->message, "first run:  {\"run\":1}"));
  g_assert_nonnull (strstr (error->message, "second run: {\"run\":2}"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim-seeds/reports-failing-seeds-and-replay",
                   test_reports_failing_seeds_and_replay);
  g_test_add_func ("/sim-seeds/all-pass", test_all_pass);
  g_test_add_func ("/sim-seeds/braid-seed-replays-one", test_braid_seed_replays_one);
  g_test_add_func ("/sim-seeds/failure-without-message", test_failure_without_message);
  g_test_add_func ("/sim-seeds/lines-under-twenty-seeds", test_lines_under_twenty_seeds);
  g_test_add_func ("/sim-seeds/determinism-check", test_determinism_check);
  return g_test_run ();
}
