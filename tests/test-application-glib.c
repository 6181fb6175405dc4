/* test-application-glib.c: BraidApplication's ordered shutdown on the real
 * reactor: SIGTERM, services stopped in reverse and awaited, a stop that
 * never finishes cut off (real, short, time); and a client service on
 * real sockets, 127.0.0.1 only. */
#include <signal.h>
#include <unistd.h>

#include <braid.h>

/* A service that logs its start and stop; its stop finishes after
 * stop_delay_ms of real time, or never when negative. */
#define SLOW_TYPE_SERVICE (slow_service_get_type ())
G_DECLARE_FINAL_TYPE (SlowService, slow_service, SLOW, SERVICE, BraidService)

struct _SlowService
{
  BraidService parent_instance;
  GString *log;
  int stop_delay_ms;
  BraidDeferred *stopping;
};

G_DEFINE_FINAL_TYPE (SlowService, slow_service, BRAID_TYPE_SERVICE)

static void
slow_start (BraidService *service)
{
  BRAID_SERVICE_CLASS (slow_service_parent_class)->start_service (service);
  g_string_append_printf (SLOW_SERVICE (service)->log, "start:%s;", braid_service_get_name (service));
}

static gboolean
finish_stop (gpointer user_data)
{
  SlowService *self = user_data;

  g_string_append_printf (self->log, "stopped:%s;", braid_service_get_name (BRAID_SERVICE (self)));
  braid_deferred_callback (self->stopping, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static BraidDeferred *
slow_stop (BraidService *service)
{
  SlowService *self = SLOW_SERVICE (service);

  BRAID_SERVICE_CLASS (slow_service_parent_class)->stop_service (service);
  g_string_append_printf (self->log, "stop:%s;", braid_service_get_name (service));
  if (self->stop_delay_ms == 0)
    return NULL;
  self->stopping = braid_deferred_new ();
  if (self->stop_delay_ms > 0)
    g_timeout_add_full (G_PRIORITY_DEFAULT, self->stop_delay_ms, finish_stop,
                        g_object_ref (self), g_object_unref);
  return braid_deferred_ref (self->stopping);
}

static void
slow_finalize (GObject *object)
{
  g_clear_pointer (&SLOW_SERVICE (object)->stopping, braid_deferred_unref);
  G_OBJECT_CLASS (slow_service_parent_class)->finalize (object);
}

static void
slow_service_class_init (SlowServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = slow_finalize;
  BRAID_SERVICE_CLASS (klass)->start_service = slow_start;
  BRAID_SERVICE_CLASS (klass)->stop_service = slow_stop;
}

static void
slow_service_init (SlowService *self)
{
}

static void
add_slow (BraidApplication *app, const char *name, GString *log, int stop_delay_ms)
{
  g_autoptr (SlowService) service = g_object_new (SLOW_TYPE_SERVICE, "name", name, NULL);

  service->log = log;
  service->stop_delay_ms = stop_delay_ms;
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app),
                                                  BRAID_SERVICE (service), NULL));
}

static void
log_during_shutdown (gpointer user_data)
{
  g_string_append ((GString *) user_data, "during-shutdown;");
}

static void
send_sigterm (gpointer user_data)
{
  kill (getpid (), SIGTERM);
}

static void
stop_reactor (gpointer user_data)
{
  braid_reactor_stop (user_data);
}

static void
test_sigterm_stops_services_in_reverse_and_waits (void)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidApplication) app = braid_application_new (reactor);
  g_autoptr (GString) log = g_string_new (NULL);

  add_slow (app, "a", log, 50);
  add_slow (app, "b", log, 0);
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_DURING, "shutdown",
                                          log_during_shutdown, log, NULL);
  braid_reactor_call_when_running (reactor, send_sigterm, NULL, NULL);
  braid_reactor_run (reactor);
  /* b stopped at once; the reactor waited for a before going on. */
  g_assert_cmpstr (log->str, ==, "start:a;start:b;stop:b;stop:a;stopped:a;during-shutdown;");
}

static void
test_stop_that_never_finishes_is_cut_off (void)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidApplication) app = braid_application_new (reactor);
  g_autoptr (GString) log = g_string_new (NULL);
  gint64 started;

  add_slow (app, "stuck", log, -1);
  braid_application_set_shutdown_timeout (app, 0.2);
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_add_system_event_trigger (reactor, BRAID_TRIGGER_DURING, "shutdown",
                                          log_during_shutdown, log, NULL);
  braid_reactor_call_when_running (reactor, stop_reactor, reactor, NULL);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Shutdown: service 'stuck' did not stop within 0.2 s; "
                         "shutting down without waiting for it");
  started = g_get_monotonic_time ();
  braid_reactor_run (reactor);
  g_test_assert_expected_messages ();
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 150 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpstr (log->str, ==, "start:stuck;stop:stuck;during-shutdown;");
}

/* --- A client service on real sockets ------------------------------------ */

#define ECHO_TYPE_PROTOCOL (echo_protocol_get_type ())
G_DECLARE_FINAL_TYPE (EchoProtocol, echo_protocol, ECHO, PROTOCOL, BraidProtocol)
struct _EchoProtocol { BraidProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (EchoProtocol, echo_protocol, BRAID_TYPE_PROTOCOL)

static void
echo_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  braid_transport_write (braid_protocol_get_transport (protocol), data, len);
}

static void
echo_protocol_class_init (EchoProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = echo_data_received;
}

static void echo_protocol_init (EchoProtocol *self) { }

static BraidReactor *running_reactor;

/* The client: records what comes back, and stops the reactor once its
 * "ping" came back. */
#define PINGER_TYPE_PROTOCOL (pinger_protocol_get_type ())
G_DECLARE_FINAL_TYPE (PingerProtocol, pinger_protocol, PINGER, PROTOCOL, BraidProtocol)
struct _PingerProtocol { BraidProtocol parent_instance; GString *received; };
G_DEFINE_FINAL_TYPE (PingerProtocol, pinger_protocol, BRAID_TYPE_PROTOCOL)

static void
pinger_data_received (BraidProtocol *protocol, const guint8 *data, gsize len)
{
  PingerProtocol *self = PINGER_PROTOCOL (protocol);

  g_string_append_len (self->received, (const char *) data, len);
  if (g_str_equal (self->received->str, "ping"))
    braid_reactor_stop (running_reactor);
}

static void
pinger_finalize (GObject *object)
{
  g_string_free (PINGER_PROTOCOL (object)->received, TRUE);
  G_OBJECT_CLASS (pinger_protocol_parent_class)->finalize (object);
}

static void
pinger_protocol_class_init (PingerProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pinger_finalize;
  BRAID_PROTOCOL_CLASS (klass)->data_received = pinger_data_received;
}

static void
pinger_protocol_init (PingerProtocol *self)
{
  self->received = g_string_new (NULL);
}

static void
send_ping (BraidResult *result, gpointer user_data)
{
  BraidProtocol *protocol = braid_result_get_value (result);

  *(PingerProtocol **) user_data = g_object_ref (PINGER_PROTOCOL (protocol));
  braid_transport_write_string (braid_protocol_get_transport (protocol), "ping");
}

static gboolean
give_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  braid_reactor_stop (running_reactor);
  return G_SOURCE_REMOVE;
}

static void
test_client_service_on_real_sockets (void)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidApplication) app = braid_application_new (reactor);
  g_autoptr (BraidFactory) echo = braid_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (BraidFactory) pinger = braid_factory_new (PINGER_TYPE_PROTOCOL);
  g_autoptr (BraidClientEndpoint) endpoint = NULL;
  g_autoptr (BraidClientService) service = NULL;
  g_autoptr (BraidDeferred) connected = NULL;
  g_autoptr (PingerProtocol) protocol = NULL;
  g_autofree char *where = NULL;
  BraidListeningPort *port;
  gboolean timed_out = FALSE;
  guint timer;

  running_reactor = reactor;
  port = braid_reactor_listen_tcp (reactor, 0, echo, "127.0.0.1", NULL);
  g_assert_nonnull (port);
  where = g_strdup_printf ("tcp:host=127.0.0.1:port=%u:timeout=5", braid_listening_port_get_port (port));
  endpoint = braid_client_endpoint_new_for_string (where, NULL);
  service = braid_client_service_new (reactor, endpoint, pinger);
  braid_service_set_name (BRAID_SERVICE (service), "pinger");
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app),
                                                  BRAID_SERVICE (service), NULL));
  g_assert_true (braid_application_start (app, NULL));
  connected = braid_client_service_when_connected (service, 1);
  braid_deferred_add_callback (connected, send_ping, &protocol, NULL);
  timer = g_timeout_add_seconds (5, give_up, &timed_out);
  braid_reactor_run (reactor);
  g_assert_false (timed_out);
  g_source_remove (timer);
  g_assert_nonnull (protocol);
  g_assert_cmpstr (protocol->received->str, ==, "ping");
  /* The shutdown waited for the client service to close its connection. */
  g_assert_false (braid_service_is_running (BRAID_SERVICE (service)));
  g_assert_false (braid_service_is_stopping (BRAID_SERVICE (service)));
  running_reactor = NULL;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidApplication on the GLib reactor: ordered shutdown, awaited stops, the timeout");

  g_test_add_func ("/application-glib/sigterm-ordered", test_sigterm_stops_services_in_reverse_and_waits);
  g_test_add_func ("/application-glib/cut-off", test_stop_that_never_finishes_is_cut_off);
  g_test_add_func ("/application-glib/client-service", test_client_service_on_real_sockets);

  return g_test_run ();
}
