/* test-memory-reactor.c: BraidMemoryReactor, a reactor that records. */
#include <string.h>
#include <braid-fakes.h>

#include "test-protocols.h"

/* A factory that counts start_factory / stop_factory. */
#define COUNTING_TYPE_FACTORY (counting_factory_get_type ())
G_DECLARE_FINAL_TYPE (CountingFactory, counting_factory, COUNTING, FACTORY, BraidClientFactory)

struct _CountingFactory
{
  BraidClientFactory parent_instance;
  guint starts;
  guint stops;
  guint started_connecting;
  BraidConnector *last_connector;   /* not owned */
};

G_DEFINE_FINAL_TYPE (CountingFactory, counting_factory, BRAID_TYPE_CLIENT_FACTORY)

static void
counting_start (BraidFactory *factory)
{
  COUNTING_FACTORY (factory)->starts++;
}

static void
counting_stop (BraidFactory *factory)
{
  COUNTING_FACTORY (factory)->stops++;
}

static void
counting_started_connecting (BraidClientFactory *factory, BraidConnector *connector)
{
  COUNTING_FACTORY (factory)->started_connecting++;
  COUNTING_FACTORY (factory)->last_connector = connector;
}

static void
counting_factory_class_init (CountingFactoryClass *klass)
{
  BRAID_FACTORY_CLASS (klass)->start_factory = counting_start;
  BRAID_FACTORY_CLASS (klass)->stop_factory = counting_stop;
  BRAID_CLIENT_FACTORY_CLASS (klass)->started_connecting = counting_started_connecting;
}

static void
counting_factory_init (CountingFactory *self)
{
}

static CountingFactory *
counting_factory_new (void)
{
  return g_object_new (COUNTING_TYPE_FACTORY, "protocol-type", RECORDING_TYPE_PROTOCOL, NULL);
}

static void
append_letter (gpointer data)
{
  GString *log = ((gpointer *) data)[0];
  const char *letter = ((gpointer *) data)[1];

  g_string_append (log, letter);
}

typedef struct
{
  GString *log;
  char letter;
} Note;

static void
note_fired (gpointer data)
{
  Note *note = data;

  g_string_append_c (note->log, note->letter);
}

static Note *
note_new (GString *log, char letter)
{
  Note *note = g_new0 (Note, 1);

  note->log = log;
  note->letter = letter;
  return note;
}

static void
test_is_a_fake_clock_and_a_reactor (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GString) log = g_string_new (NULL);

  g_assert_true (BRAID_IS_REACTOR (reactor));
  g_assert_true (BRAID_IS_CLOCK (reactor));
  g_assert_true (BRAID_IS_FAKE_CLOCK (reactor));
  g_assert_false (braid_reactor_is_running (BRAID_REACTOR (reactor)));
  g_assert_false (braid_memory_reactor_get_has_run (reactor));
  g_assert_false (braid_memory_reactor_get_has_stopped (reactor));

  braid_clock_call_later (BRAID_CLOCK (reactor), 2, note_fired, note_new (log, 't'), g_free);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 2);
  g_assert_cmpstr (log->str, ==, "t");
  g_assert_cmpfloat (braid_clock_seconds (BRAID_CLOCK (reactor)), ==, 2);
}

static void
test_listen_tcp_records_and_starts_the_factory (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;
  BraidTcpServerRecord *record;
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autofree char *host_text = NULL;

  port = braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8000, BRAID_FACTORY (factory),
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (port);
  g_assert_cmpuint (factory->starts, ==, 1);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 1);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_true (record->factory == BRAID_FACTORY (factory));
  g_assert_cmpint (record->backlog, ==, BRAID_DEFAULT_BACKLOG);
  g_assert_null (record->interface);
  g_assert_true (record->listening_port == port);

  host_text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (braid_listening_port_get_host (port)));
  g_assert_cmpstr (host_text, ==, "0.0.0.0:8000");
  g_assert_cmpuint (braid_listening_port_get_port (port), ==, 8000);

  /* A test builds protocols from the recorded factory. */
  protocol = braid_factory_build_protocol (record->factory, NULL);
  g_assert_true (RECORDING_IS_PROTOCOL (protocol));
  g_assert_true (braid_protocol_get_factory (protocol) == BRAID_FACTORY (factory));

  g_assert_true (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (port)));
  braid_listening_port_stop_listening (port);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (port)));
  g_assert_cmpuint (factory->stops, ==, 1);
  braid_listening_port_stop_listening (port);
  g_assert_cmpuint (factory->stops, ==, 1);
}

static void
test_listen_tcp_full_records_backlog_and_interface (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GError) error = NULL;
  BraidListeningPort *first, *second;
  BraidTcpServerRecord *record;
  g_autofree char *host_text = NULL;

  first = braid_reactor_listen_tcp_full (BRAID_REACTOR (reactor), 0, BRAID_FACTORY (factory),
                                         5, "127.0.0.1", &error);
  g_assert_no_error (error);
  second = braid_reactor_listen_tcp_full (BRAID_REACTOR (reactor), 0, BRAID_FACTORY (factory),
                                          7, "127.0.0.1", &error);
  g_assert_no_error (error);
  g_assert_true (first != second);
  /* One factory, two ports: started once. */
  g_assert_cmpuint (factory->starts, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (BRAID_FACTORY (factory)), ==, 2);

  record = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 1);
  g_assert_cmpint (record->backlog, ==, 7);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  host_text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (braid_listening_port_get_host (second)));
  g_assert_cmpstr (host_text, ==, "127.0.0.1");  /* GIO omits a zero port */
  g_assert_cmpuint (braid_listening_port_get_port (second), ==, 0);

  braid_listening_port_stop_listening (first);
  g_assert_cmpuint (factory->stops, ==, 0);
  braid_listening_port_stop_listening (second);
  g_assert_cmpuint (factory->stops, ==, 1);
}

static void
test_listen_tcp_errors (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;

  port = braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8000, BRAID_FACTORY (factory),
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_null (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8000, BRAID_FACTORY (factory),
                                           NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  /* Once the first port stops, the port is free again. */
  braid_listening_port_stop_listening (port);
  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8000, BRAID_FACTORY (factory),
                                              NULL, &error));
  g_assert_no_error (error);

  g_assert_null (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8001, BRAID_FACTORY (factory),
                                           "not-an-address", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 2);
}

static void
test_fake_connector_knows_its_reactor (void)
{
  BraidMemoryReactor *reactor = braid_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (BraidConnector) tcp = NULL;
  g_autoptr (BraidConnector) unix_connector = NULL;

  g_test_summary ("A fake connector's get_reactor is the memory reactor that made it, "
                  "NULL once that reactor is gone");
  tcp = g_object_ref (braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "example.org", 7,
                                                 BRAID_CLIENT_FACTORY (factory)));
  unix_connector = g_object_ref (braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/tmp/braid-none",
                                                             BRAID_CLIENT_FACTORY (factory), 1));
  g_assert_true (braid_connector_get_reactor (tcp) == BRAID_REACTOR (reactor));
  g_assert_true (braid_connector_get_reactor (unix_connector) == BRAID_REACTOR (reactor));
  g_object_unref (reactor);
  g_assert_null (braid_connector_get_reactor (tcp));
  g_assert_null (braid_connector_get_reactor (unix_connector));
}

static void
test_connect_tcp_records_and_returns_a_fake_connector (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GSocketAddress) bind = g_inet_socket_address_new_from_string ("127.0.0.1", 40000);
  BraidConnector *connector;
  BraidTcpClientRecord *record;
  g_autofree char *destination = NULL;

  connector = braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "example.org", 6379,
                                         BRAID_CLIENT_FACTORY (factory));
  g_assert_true (BRAID_IS_FAKE_CONNECTOR (connector));
  g_assert_cmpuint (factory->started_connecting, ==, 1);
  g_assert_true (factory->last_connector == connector);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_clients (reactor), 0);
  g_assert_cmpstr (record->host, ==, "example.org");
  g_assert_cmpuint (record->port, ==, 6379);
  g_assert_true (record->factory == BRAID_CLIENT_FACTORY (factory));
  g_assert_cmpfloat (record->timeout, ==, BRAID_DEFAULT_CONNECT_TIMEOUT);
  g_assert_null (record->bind_address);
  g_assert_true (record->connector == connector);
  destination = g_socket_connectable_to_string (braid_connector_get_destination (connector));
  g_assert_cmpstr (destination, ==, "example.org:6379");

  connector = braid_reactor_connect_tcp_full (BRAID_REACTOR (reactor), "127.0.0.1", 80,
                                              BRAID_CLIENT_FACTORY (factory), 2.5, bind);
  record = g_ptr_array_index (braid_memory_reactor_get_tcp_clients (reactor), 1);
  g_assert_cmpfloat (record->timeout, ==, 2.5);
  g_assert_true (record->bind_address == bind);

  g_assert_cmpuint (braid_fake_connector_get_connect_count (BRAID_FAKE_CONNECTOR (connector)), ==, 0);
  braid_connector_connect (connector);
  braid_connector_connect (connector);
  g_assert_cmpuint (braid_fake_connector_get_connect_count (BRAID_FAKE_CONNECTOR (connector)), ==, 2);
  g_assert_false (braid_fake_connector_get_stopped_connecting (BRAID_FAKE_CONNECTOR (connector)));
  braid_connector_stop_connecting (connector);
  g_assert_true (braid_fake_connector_get_stopped_connecting (BRAID_FAKE_CONNECTOR (connector)));
  g_assert_false (braid_fake_connector_get_disconnected (BRAID_FAKE_CONNECTOR (connector)));
  braid_connector_disconnect (connector);
  g_assert_true (braid_fake_connector_get_disconnected (BRAID_FAKE_CONNECTOR (connector)));
}

static void
test_unix_calls_are_recorded (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;
  BraidConnector *connector;
  BraidUnixServerRecord *server;
  BraidUnixClientRecord *client;
  GSocketAddress *host;

  port = braid_reactor_listen_unix (BRAID_REACTOR (reactor), "/tmp/braid.sock",
                                    BRAID_FACTORY (factory), &error);
  g_assert_no_error (error);
  server = g_ptr_array_index (braid_memory_reactor_get_unix_servers (reactor), 0);
  g_assert_cmpstr (server->path, ==, "/tmp/braid.sock");
  g_assert_cmpint (server->backlog, ==, BRAID_DEFAULT_BACKLOG);
  g_assert_true (server->factory == BRAID_FACTORY (factory));
  g_assert_true (server->listening_port == port);
  host = braid_listening_port_get_host (port);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (host));
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (host)), ==, "/tmp/braid.sock");
  g_assert_cmpuint (braid_listening_port_get_port (port), ==, 0);
  g_assert_cmpuint (factory->starts, ==, 1);

  connector = braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/tmp/braid.sock",
                                          BRAID_CLIENT_FACTORY (factory), 3);
  client = g_ptr_array_index (braid_memory_reactor_get_unix_clients (reactor), 0);
  g_assert_cmpstr (client->path, ==, "/tmp/braid.sock");
  g_assert_cmpfloat (client->timeout, ==, 3);
  g_assert_true (client->connector == connector);
  g_assert_true (client->factory == BRAID_CLIENT_FACTORY (factory));
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (braid_connector_get_destination (connector)));
  g_assert_cmpuint (factory->started_connecting, ==, 1);
}

static void
test_run_fires_startup_and_returns (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidReactor *r = BRAID_REACTOR (reactor);
  g_autoptr (GString) log = g_string_new (NULL);

  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_AFTER, "startup", note_fired, note_new (log, 'A'), g_free);
  braid_reactor_call_when_running (r, note_fired, note_new (log, 'w'), g_free);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_DURING, "startup", note_fired, note_new (log, 'D'), g_free);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_BEFORE, "startup", note_fired, note_new (log, 'B'), g_free);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_BEFORE, "shutdown", note_fired, note_new (log, 's'), g_free);
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, 5);

  braid_reactor_run (r);
  g_assert_cmpstr (log->str, ==, "BDAw");
  g_assert_true (braid_reactor_is_running (r));
  g_assert_true (braid_memory_reactor_get_has_run (reactor));
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, 1);

  /* Once running, call_when_running calls at once. */
  braid_reactor_call_when_running (r, note_fired, note_new (log, 'n'), g_free);
  g_assert_cmpstr (log->str, ==, "BDAwn");

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already running*");
  braid_reactor_run (r);
  g_test_assert_expected_messages ();

  braid_reactor_stop (r);
  g_assert_cmpstr (log->str, ==, "BDAwns");
}

static void
test_stop_fires_shutdown_phases_in_order (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidReactor *r = BRAID_REACTOR (reactor);
  g_autoptr (GString) log = g_string_new (NULL);
  guint removed;

  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_AFTER, "shutdown", note_fired, note_new (log, '3'), g_free);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_DURING, "shutdown", note_fired, note_new (log, '2'), g_free);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_BEFORE, "shutdown", note_fired, note_new (log, '1'), g_free);
  removed = braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_BEFORE, "shutdown",
                                                    note_fired, note_new (log, 'x'), g_free);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_BEFORE, "shutdown", note_fired, note_new (log, '1'), g_free);
  braid_reactor_remove_system_event_trigger (r, removed);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*has not been run yet*");
  braid_reactor_stop (r);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (log->str, ==, "");

  braid_reactor_run (r);
  braid_reactor_stop (r);
  g_assert_cmpstr (log->str, ==, "1123");
  g_assert_false (braid_reactor_is_running (r));
  g_assert_true (braid_memory_reactor_get_has_stopped (reactor));
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, 0);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no pending trigger has id*");
  braid_reactor_remove_system_event_trigger (r, removed);
  g_test_assert_expected_messages ();
}

typedef struct
{
  BraidReactor *reactor;
  GString *log;
} StopAgain;

/* A shutdown trigger that notes whether the reactor still says it runs,
 * then stops it again. */
static void
stop_again (gpointer data)
{
  StopAgain *again = data;

  g_string_append (again->log, braid_reactor_is_running (again->reactor) ? "running " : "stopping ");
  braid_reactor_stop (again->reactor);
}

static void
test_second_stop_is_silent (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidReactor *r = BRAID_REACTOR (reactor);
  g_autoptr (GString) log = g_string_new (NULL);
  StopAgain again = { r, log };

  g_test_summary ("A stop while stopping (from a shutdown trigger) or once stopped does "
                  "nothing and logs nothing; is_running is FALSE during the shutdown");
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_BEFORE, "shutdown", stop_again, &again, NULL);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_AFTER, "shutdown", note_fired, note_new (log, 'A'), g_free);
  braid_reactor_run (r);
  braid_reactor_stop (r);
  braid_reactor_stop (r);
  g_assert_cmpstr (log->str, ==, "stopping A");
  g_assert_false (braid_reactor_is_running (r));
  g_assert_true (braid_memory_reactor_get_has_stopped (reactor));
}

static void
test_run_after_stop_is_refused (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidReactor *r = BRAID_REACTOR (reactor);
  g_autoptr (GString) log = g_string_new (NULL);

  g_test_summary ("As the real reactor, a memory reactor runs once: run after a stop logs "
                  "a critical and fires nothing");
  braid_reactor_run (r);
  braid_reactor_stop (r);
  braid_reactor_add_system_event_trigger (r, BRAID_TRIGGER_DURING, "startup", note_fired, note_new (log, 'S'), g_free);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*cannot be run again*");
  braid_reactor_run (r);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (log->str, ==, "");
  g_assert_false (braid_reactor_is_running (r));
}

/* A trigger that adds another trigger to the phase that is firing. */
static void
add_another (gpointer data)
{
  gpointer *pair = data;
  BraidReactor *reactor = pair[0];
  GString *log = pair[1];

  g_string_append_c (log, 'a');
  braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_BEFORE, "shutdown",
                                          note_fired, note_new (log, 'b'), g_free);
}

static void
test_trigger_added_while_firing_runs_in_the_same_phase (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  gpointer pair[2] = { reactor, log };

  braid_reactor_add_system_event_trigger (BRAID_REACTOR (reactor), BRAID_TRIGGER_BEFORE,
                                          "shutdown", add_another, pair, NULL);
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_assert_cmpstr (log->str, ==, "ab");
}

static void
test_custom_events_do_not_fire_on_run (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  gpointer data[2] = { log, "x" };

  braid_reactor_add_system_event_trigger (BRAID_REACTOR (reactor), BRAID_TRIGGER_DURING,
                                          "reload", append_letter, data, NULL);
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_assert_cmpstr (log->str, ==, "");
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, 1);
}

static void
test_call_from_thread_runs_at_the_next_advance (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (GPtrArray) calls = NULL;

  braid_reactor_call_from_thread (BRAID_REACTOR (reactor), note_fired, note_new (log, 't'), g_free);
  g_assert_cmpstr (log->str, ==, "");
  calls = braid_fake_clock_get_delayed_calls (BRAID_FAKE_CLOCK (reactor));
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_cmpstr (braid_delayed_call_get_creator (g_ptr_array_index (calls, 0)), ==,
                   "braid_reactor_call_from_thread");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpstr (log->str, ==, "t");
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
must_not_run (gpointer data)
{
  g_assert_not_reached ();
}

static void
test_destroying_frees_pending_triggers (void)
{
  BraidMemoryReactor *reactor = braid_memory_reactor_new ();
  guint destroyed = 0;

  braid_reactor_add_system_event_trigger (BRAID_REACTOR (reactor), BRAID_TRIGGER_AFTER,
                                          "shutdown", must_not_run, &destroyed, count_destroy);
  braid_reactor_call_when_running (BRAID_REACTOR (reactor), must_not_run, &destroyed, count_destroy);
  g_object_unref (reactor);
  g_assert_cmpuint (destroyed, ==, 2);
}

/* The story the memory reactor is for: code under test listens and
 * connects; the test builds both ends from the recorded factories and lets
 * them talk through a loopback. */
static void
test_recorded_factories_talk_through_a_loopback (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) server_factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client_factory = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidProtocol) server = NULL;
  g_autoptr (BraidProtocol) client = NULL;
  g_autoptr (BraidLoopback) loopback = NULL;
  BraidTcpServerRecord *listened;
  BraidTcpClientRecord *connected;

  braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8000, server_factory, "127.0.0.1", &error);
  g_assert_no_error (error);
  braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "127.0.0.1", 8000, client_factory);

  listened = g_ptr_array_index (braid_memory_reactor_get_tcp_servers (reactor), 0);
  connected = g_ptr_array_index (braid_memory_reactor_get_tcp_clients (reactor), 0);
  server = braid_factory_build_protocol (listened->factory, NULL);
  client = braid_factory_build_protocol (BRAID_FACTORY (connected->factory), NULL);
  recording_protocol_state (RECORDING_PROTOCOL (server))->echo = TRUE;

  loopback = braid_loopback_new (server, client);
  braid_transport_write_string (braid_protocol_get_transport (client), "ping");
  braid_loopback_flush (loopback);
  g_assert_cmpstr (recording_protocol_state (RECORDING_PROTOCOL (client))->received->str, ==, "ping");
  braid_loopback_close (loopback);
  braid_listening_port_stop_listening (listened->listening_port);
  g_assert_cmpuint (braid_factory_get_num_users (server_factory), ==, 0);
}

static void
noop (gpointer user_data)
{
  (void) user_data;
}

static void
test_memory_reactor_disposed_twice (void)
{
  BraidMemoryReactor *reactor = braid_memory_reactor_new ();
  GWeakRef weak;

  g_weak_ref_init (&weak, reactor);
  braid_clock_call_later (BRAID_CLOCK (reactor), 5, noop, NULL, NULL);
  braid_reactor_add_system_event_trigger (BRAID_REACTOR (reactor), BRAID_TRIGGER_BEFORE,
                                          "shutdown", noop, NULL, NULL);
  g_object_run_dispose (G_OBJECT (reactor));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);
  g_free (braid_hygiene_collect ());

  g_object_unref (reactor);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
}

static void
record_call (gpointer user_data)
{
  guint *calls = user_data;

  (*calls)++;
}

static void
test_call_when_running_without_destroy (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  guint calls = 0;

  braid_reactor_call_when_running (BRAID_REACTOR (reactor), record_call, &calls, NULL);
  g_assert_cmpuint (calls, ==, 0);
  braid_reactor_run (BRAID_REACTOR (reactor));
  g_assert_cmpuint (calls, ==, 1);

  /* Already running: called at once, with no destroy notify to run. */
  braid_reactor_call_when_running (BRAID_REACTOR (reactor), record_call, &calls, NULL);
  g_assert_cmpuint (calls, ==, 2);
  braid_reactor_stop (BRAID_REACTOR (reactor));
}

static void
test_bare_fake_port_and_connector (void)
{
  g_autoptr (BraidFakeListeningPort) port = g_object_new (BRAID_TYPE_FAKE_LISTENING_PORT, NULL);
  g_autoptr (BraidFakeConnector) connector = g_object_new (BRAID_TYPE_FAKE_CONNECTOR, NULL);

  /* Not made by a reactor: no address, so no port number, and not
   * listening; nothing to release when they go. */
  g_assert_null (braid_listening_port_get_host (BRAID_LISTENING_PORT (port)));
  g_assert_cmpuint (braid_listening_port_get_port (BRAID_LISTENING_PORT (port)), ==, 0);
  g_assert_false (braid_fake_listening_port_get_listening (port));
  g_assert_null (braid_connector_get_destination (BRAID_CONNECTOR (connector)));
  g_assert_cmpuint (braid_fake_connector_get_connect_count (connector), ==, 0);
}

/* BraidMemoryReactor failing listen and
 * connect on demand (Twisted's RaisingMemoryReactor). */
G_DECLARE_FINAL_TYPE (FailureRecorder, failure_recorder, TEST, FAILURE_RECORDER, BraidClientFactory)
struct _FailureRecorder
{
  BraidClientFactory parent_instance;
  guint failures;
  GError *last_reason;
  BraidConnector *last_connector;   /* not owned: compared only */
};
G_DEFINE_FINAL_TYPE (FailureRecorder, failure_recorder, BRAID_TYPE_CLIENT_FACTORY)

static void
failure_recorder_failed (BraidClientFactory *factory, BraidConnector *connector,
                         const GError *reason)
{
  FailureRecorder *self = TEST_FAILURE_RECORDER (factory);

  self->failures++;
  g_clear_error (&self->last_reason);
  self->last_reason = g_error_copy (reason);
  self->last_connector = connector;
}

static void
failure_recorder_finalize (GObject *object)
{
  g_clear_error (&TEST_FAILURE_RECORDER (object)->last_reason);
  G_OBJECT_CLASS (failure_recorder_parent_class)->finalize (object);
}

static void
failure_recorder_class_init (FailureRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = failure_recorder_finalize;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = failure_recorder_failed;
}

static void
failure_recorder_init (FailureRecorder *self)
{
}

static void
test_listen_fails_when_asked (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                    "no ports for you");
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) unix_error = NULL;
  BraidListeningPort *port;

  braid_memory_reactor_set_listen_error (reactor, refused);
  port = braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8080, factory, NULL, &error);
  g_assert_null (port);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "no ports for you");
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 0);
  g_assert_null (braid_reactor_listen_unix (BRAID_REACTOR (reactor), "/tmp/nowhere", factory,
                                            &unix_error));
  g_assert_error (unix_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  /* Cleared: listening works again. */
  braid_memory_reactor_set_listen_error (reactor, NULL);
  g_clear_error (&error);
  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8080, factory, NULL,
                                              &error));
  g_assert_no_error (error);
}

static void
test_connect_fails_at_the_next_step (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (FailureRecorder) factory = g_object_new (failure_recorder_get_type (),
                                                      "protocol-type", BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                    "refused on demand");
  BraidConnector *connector;

  braid_memory_reactor_set_connect_error (reactor, refused);
  connector = braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "127.0.0.1", 80,
                                         BRAID_CLIENT_FACTORY (factory));
  g_assert_nonnull (connector);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (reactor)->len, ==, 1);
  /* Never from inside connect_tcp: at the clock's next step. */
  g_assert_cmpuint (factory->failures, ==, 0);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpuint (factory->failures, ==, 1);
  g_assert_true (factory->last_connector == connector);
  g_assert_error (factory->last_reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (factory->last_reason->message, ==, "refused on demand");

  /* Cleared: the next attempt does not fail. */
  braid_memory_reactor_set_connect_error (reactor, NULL);
  braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/tmp/nowhere",
                              BRAID_CLIENT_FACTORY (factory), 30);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpuint (factory->failures, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidMemoryReactor: records listen/connect calls, fakes ports and "
                  "connectors, runs startup and shutdown triggers, and is a fake clock.");

  braid_test_add_func ("/memory-reactor/is-a-clock", test_is_a_fake_clock_and_a_reactor);
  braid_test_add_func ("/memory-reactor/listen-tcp/records", test_listen_tcp_records_and_starts_the_factory);
  braid_test_add_func ("/memory-reactor/listen-tcp/full", test_listen_tcp_full_records_backlog_and_interface);
  braid_test_add_func ("/memory-reactor/listen-tcp/errors", test_listen_tcp_errors);
  braid_test_add_func ("/memory-reactor/connect-tcp", test_connect_tcp_records_and_returns_a_fake_connector);
  braid_test_add_func ("/memory-reactor/connector-knows-its-reactor", test_fake_connector_knows_its_reactor);
  braid_test_add_func ("/memory-reactor/unix", test_unix_calls_are_recorded);
  braid_test_add_func ("/memory-reactor/run/startup", test_run_fires_startup_and_returns);
  braid_test_add_func ("/memory-reactor/stop/shutdown-phases", test_stop_fires_shutdown_phases_in_order);
  braid_test_add_func ("/memory-reactor/stop/second-stop-is-silent", test_second_stop_is_silent);
  braid_test_add_func ("/memory-reactor/run/run-after-stop-is-refused", test_run_after_stop_is_refused);
  braid_test_add_func ("/memory-reactor/triggers/added-while-firing", test_trigger_added_while_firing_runs_in_the_same_phase);
  braid_test_add_func ("/memory-reactor/triggers/other-events", test_custom_events_do_not_fire_on_run);
  braid_test_add_func ("/memory-reactor/call-from-thread", test_call_from_thread_runs_at_the_next_advance);
  braid_test_add_func ("/memory-reactor/destroy-frees-triggers", test_destroying_frees_pending_triggers);
  braid_test_add_func ("/memory-reactor/recorded-factories-talk", test_recorded_factories_talk_through_a_loopback);

  braid_test_add_func ("/memory-reactor/disposed-twice", test_memory_reactor_disposed_twice);
  braid_test_add_func ("/memory-reactor/call-when-running-no-destroy", test_call_when_running_without_destroy);
  braid_test_add_func ("/memory-reactor/bare-port-and-connector", test_bare_fake_port_and_connector);


  braid_test_add_func ("/memory-reactor/failing/listen", test_listen_fails_when_asked);
  braid_test_add_func ("/memory-reactor/failing/connect", test_connect_fails_at_the_next_step);

  return g_test_run ();
}
