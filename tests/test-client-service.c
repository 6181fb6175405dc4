/* test-client-service.c: BraidClientService keeps one connection up, on
 * the memory reactor and its fake clock. */
#include <glib/gstdio.h>
#include <unistd.h>
#include "test-protocols.h"

typedef struct
{
  BraidMemoryReactor *reactor;
  BraidFactory *factory;
  BraidClientService *service;
  GPtrArray *transports;       /* BraidStringTransport, one per connection */
  GPtrArray *delays;           /* what the policy was asked, "n=1;" */
  GString *asked;
} Fixture;

/* Twisted's backoff with a fixed jitter of 0.25 s, so delays are known. */
static gdouble
fixed_jitter_policy (guint failed_attempts, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_string_append_printf (fixture->asked, "n=%u;", failed_attempts);
  return braid_backoff_delay (failed_attempts, 1.0, 60.0, 1.5) + 0.25;
}

static void
fixture_init (Fixture *fixture, const char *endpoint_text)
{
  g_autoptr (BraidClientEndpoint) endpoint = braid_client_endpoint_new_for_string (endpoint_text, NULL);

  fixture->reactor = braid_memory_reactor_new ();
  fixture->factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  fixture->service = braid_client_service_new (BRAID_REACTOR (fixture->reactor), endpoint, fixture->factory);
  braid_service_set_name (BRAID_SERVICE (fixture->service), "upstream");
  fixture->transports = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->asked = g_string_new (NULL);
  braid_client_service_set_retry_policy (fixture->service, fixed_jitter_policy, fixture, NULL);
}

static void
fixture_clear (Fixture *fixture)
{
  g_clear_object (&fixture->service);
  g_clear_object (&fixture->factory);
  g_clear_pointer (&fixture->transports, g_ptr_array_unref);
  g_string_free (fixture->asked, TRUE);
  g_clear_object (&fixture->reactor);
}

static guint
attempts (Fixture *fixture)
{
  return braid_memory_reactor_get_tcp_clients (fixture->reactor)->len;
}

static BraidTcpClientRecord *
last_attempt (Fixture *fixture)
{
  return braid_memory_reactor_get_tcp_client (fixture->reactor, attempts (fixture) - 1);
}

/* The last attempt succeeds: the protocol is built and connected to a
 * string transport, as a connector would. Returns the proxy protocol. */
static BraidProtocol *
succeed (Fixture *fixture)
{
  BraidTcpClientRecord *record = last_attempt (fixture);
  BraidProtocol *proxy = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
  BraidStringTransport *transport = braid_string_transport_new ();

  g_ptr_array_add (fixture->transports, transport);
  braid_protocol_make_connection (proxy, BRAID_TRANSPORT (transport));
  g_object_unref (proxy);   /* the transport holds it */
  return proxy;
}

static void
fail (Fixture *fixture)
{
  BraidTcpClientRecord *record = last_attempt (fixture);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                    "Connection refused");

  braid_client_factory_client_connection_failed (record->factory, record->connector, refused);
}

static void
test_backoff_delay_grows_and_is_capped (void)
{
  g_assert_cmpfloat (braid_backoff_delay (0, 1.0, 60.0, 1.5), ==, 1.0);
  g_assert_cmpfloat (braid_backoff_delay (1, 1.0, 60.0, 1.5), ==, 1.5);
  g_assert_cmpfloat (braid_backoff_delay (2, 1.0, 60.0, 1.5), ==, 2.25);
  g_assert_cmpfloat (braid_backoff_delay (11, 1.0, 60.0, 1.5), ==, 60.0);
  g_assert_cmpfloat (braid_backoff_delay (G_MAXUINT, 1.0, 60.0, 1.5), ==, 60.0);
  g_assert_cmpfloat (braid_backoff_delay (5000, 1.0, 60.0, 1e300), ==, 60.0);
}

static void
test_connects_on_start_and_hands_out_the_protocol (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) early = NULL;
  g_autoptr (BraidDeferred) later = NULL;
  BraidProtocol *proxy;
  RecordingProtocol *protocol;

  fixture_init (&f, "tcp:host=example.com:port=7000:timeout=3");
  early = braid_client_service_when_connected (f.service, 0);
  g_assert_cmpuint (attempts (&f), ==, 0);
  braid_service_start_service (BRAID_SERVICE (f.service));
  g_assert_cmpuint (attempts (&f), ==, 1);
  g_assert_cmpstr (last_attempt (&f)->host, ==, "example.com");
  g_assert_cmpuint (last_attempt (&f)->port, ==, 7000);
  g_assert_cmpfloat (last_attempt (&f)->timeout, ==, 3);
  braid_assert_no_result (early);

  proxy = succeed (&f);
  protocol = braid_assert_success_result (early);
  g_assert_true (RECORDING_IS_PROTOCOL (protocol));
  g_assert_true ((gpointer) protocol != (gpointer) proxy);
  g_assert_cmpuint (recording_protocol_state (protocol)->made_count, ==, 1);
  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (protocol))
                 == g_ptr_array_index (f.transports, 0));
  /* What arrives goes to the factory's protocol. */
  braid_test_receive (proxy, "hello");
  g_assert_cmpstr (recording_protocol_state (protocol)->received->str, ==, "hello");
  /* Once connected, the connection is handed out at once. */
  later = braid_client_service_when_connected (f.service, 0);
  g_assert_true (braid_assert_success_result (later) == protocol);
  fixture_clear (&f);
}

static void
test_failures_back_off_exponentially (void)
{
  Fixture f;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  fail (&f);
  g_assert_cmpuint (braid_client_service_get_failed_attempts (f.service), ==, 1);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 1.74);
  g_assert_cmpuint (attempts (&f), ==, 1);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 0.01);   /* 1.5 + 0.25 */
  g_assert_cmpuint (attempts (&f), ==, 2);
  fail (&f);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 2.49);
  g_assert_cmpuint (attempts (&f), ==, 2);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 0.01);   /* 2.25 + 0.25 */
  g_assert_cmpuint (attempts (&f), ==, 3);
  g_assert_cmpstr (f.asked->str, ==, "n=1;n=2;");
  /* A connection resets the count. */
  succeed (&f);
  g_assert_cmpuint (braid_client_service_get_failed_attempts (f.service), ==, 0);
  fixture_clear (&f);
}

static void
test_default_policy_adds_up_to_a_second_of_jitter (void)
{
  Fixture f;
  g_autoptr (BraidClientEndpoint) endpoint = braid_client_endpoint_new_for_string ("tcp:host=h:port=1", NULL);
  g_autoptr (BraidClientService) service = NULL;
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  BraidDelayedCall *retry;

  fixture_init (&f, "tcp:host=h:port=1");
  service = braid_client_service_new (BRAID_REACTOR (f.reactor), endpoint, f.factory);
  braid_service_start_service (BRAID_SERVICE (service));
  fail (&f);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (f.reactor)), ==, 1);
  pending = braid_fake_clock_get_delayed_calls (BRAID_FAKE_CLOCK (f.reactor));
  retry = g_ptr_array_index (pending, 0);
  g_assert_cmpfloat (braid_delayed_call_get_time (retry), >=, 1.5);
  g_assert_cmpfloat (braid_delayed_call_get_time (retry), <, 2.5);
  stopped = braid_service_stop_service (BRAID_SERVICE (service));
  braid_assert_success_result (stopped);
  fixture_clear (&f);
}

static void
test_lost_connection_reconnects (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) next = NULL;
  BraidProtocol *proxy;
  RecordingProtocol *second;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  proxy = succeed (&f);
  braid_test_lose_connection (proxy, FALSE);
  next = braid_client_service_when_connected (f.service, 0);
  braid_assert_no_result (next);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 1.75);
  g_assert_cmpuint (attempts (&f), ==, 2);
  succeed (&f);
  second = braid_assert_success_result (next);
  g_assert_true (braid_protocol_get_transport (BRAID_PROTOCOL (second)) == g_ptr_array_index (f.transports, 1));
  fixture_clear (&f);
}

static void
test_when_connected_fails_after_the_failures_asked (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) patient = NULL;
  g_autoptr (BraidDeferred) impatient = NULL;
  g_autoptr (GError) error = NULL;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  patient = braid_client_service_when_connected (f.service, 0);
  impatient = braid_client_service_when_connected (f.service, 2);
  fail (&f);
  braid_assert_no_result (impatient);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 1.75);
  fail (&f);
  error = braid_assert_failure_result (impatient, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  braid_assert_no_result (patient);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 2.5);
  succeed (&f);
  braid_assert_success_result (patient);
  fixture_clear (&f);
}

static void
test_stop_while_connected_closes_and_waits (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autoptr (BraidDeferred) after = NULL;
  g_autoptr (GError) error = NULL;
  BraidProtocol *proxy;
  BraidStringTransport *transport;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  proxy = succeed (&f);
  transport = g_ptr_array_index (f.transports, 0);
  stopped = braid_service_stop_service (BRAID_SERVICE (f.service));
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_assert_no_result (stopped);
  g_assert_true (braid_service_is_stopping (BRAID_SERVICE (f.service)));
  braid_test_lose_connection (proxy, TRUE);
  braid_assert_success_result (stopped);
  g_assert_false (braid_service_is_stopping (BRAID_SERVICE (f.service)));
  /* Stopped: no reconnection, and asking for the connection fails. */
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f.reactor), 100);
  g_assert_cmpuint (attempts (&f), ==, 1);
  after = braid_client_service_when_connected (f.service, 0);
  error = braid_assert_failure_result (after, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fixture_clear (&f);
}

static void
test_stop_while_waiting_cancels_retry_and_waiters (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) waiting = NULL;
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autoptr (GError) error = NULL;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  waiting = braid_client_service_when_connected (f.service, 0);
  fail (&f);
  stopped = braid_service_stop_service (BRAID_SERVICE (f.service));
  braid_assert_success_result (stopped);
  error = braid_assert_failure_result (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (f.reactor)), ==, 0);
  fixture_clear (&f);
}

static void
test_stop_while_connecting_abandons_the_attempt (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) stopped = NULL;
  BraidTcpClientRecord *record;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  record = last_attempt (&f);
  stopped = braid_service_stop_service (BRAID_SERVICE (f.service));
  braid_assert_success_result (stopped);
  g_assert_true (braid_fake_connector_get_stopped_connecting (BRAID_FAKE_CONNECTOR (record->connector)));
  /* The cancelled attempt's failure, arriving late, starts no retry. */
  fail (&f);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (f.reactor)), ==, 0);
  fixture_clear (&f);
}

static void
test_restart_while_disconnecting_connects_once_closed (void)
{
  Fixture f;
  g_autoptr (BraidDeferred) stopped = NULL;
  BraidProtocol *proxy;

  fixture_init (&f, "tcp:host=h:port=1");
  braid_service_start_service (BRAID_SERVICE (f.service));
  proxy = succeed (&f);
  stopped = braid_service_stop_service (BRAID_SERVICE (f.service));
  braid_service_start_service (BRAID_SERVICE (f.service));
  g_assert_cmpuint (attempts (&f), ==, 1);
  braid_test_lose_connection (proxy, TRUE);
  braid_assert_success_result (stopped);
  g_assert_cmpuint (attempts (&f), ==, 2);
  fixture_clear (&f);
}

static void
test_runs_with_the_application (void)
{
  Fixture f;
  g_autoptr (BraidApplication) app = NULL;
  BraidProtocol *proxy;
  BraidStringTransport *transport;

  fixture_init (&f, "tcp:host=h:port=1");
  app = braid_application_new (BRAID_REACTOR (f.reactor));
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app),
                                                  BRAID_SERVICE (f.service), NULL));
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_run (BRAID_REACTOR (f.reactor));
  g_assert_cmpuint (attempts (&f), ==, 1);
  proxy = succeed (&f);
  transport = g_ptr_array_index (f.transports, 0);
  braid_reactor_stop (BRAID_REACTOR (f.reactor));
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  g_assert_true (braid_application_is_shutting_down (app));
  braid_test_lose_connection (proxy, TRUE);
  g_assert_false (braid_application_is_shutting_down (app));
  g_clear_object (&app);
  fixture_clear (&f);
}

static gdouble
ten_seconds (guint failed_attempts, gpointer user_data)
{
  return 10;
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static BraidClientService *
client_service_new (BraidMemoryReactor *reactor, BraidFactory *factory)
{
  g_autoptr (BraidClientEndpoint) endpoint = braid_client_endpoint_new_for_string ("tcp:host=h:port=1", NULL);

  return braid_client_service_new (BRAID_REACTOR (reactor), endpoint, factory);
}

static BraidProtocol *
connect_last (BraidMemoryReactor *reactor, BraidStringTransport *transport)
{
  GPtrArray *clients = braid_memory_reactor_get_tcp_clients (reactor);
  BraidTcpClientRecord *record = g_ptr_array_index (clients, clients->len - 1);
  BraidProtocol *proxy = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);

  braid_protocol_make_connection (proxy, BRAID_TRANSPORT (transport));
  g_object_unref (proxy);
  return proxy;
}

static void
fail_last (BraidMemoryReactor *reactor)
{
  GPtrArray *clients = braid_memory_reactor_get_tcp_clients (reactor);
  BraidTcpClientRecord *record = g_ptr_array_index (clients, clients->len - 1);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");

  braid_client_factory_client_connection_failed (record->factory, record->connector, refused);
}

static void
test_client_half_close_follows_the_protocol (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) plain = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidFactory) half = braid_factory_new (HALF_CLOSE_TYPE_PROTOCOL);
  g_autoptr (BraidClientService) plain_service = client_service_new (reactor, plain);
  g_autoptr (BraidClientService) half_service = client_service_new (reactor, half);
  g_autoptr (BraidStringTransport) plain_transport = braid_string_transport_new ();
  g_autoptr (BraidStringTransport) half_transport = braid_string_transport_new ();
  g_autoptr (BraidDeferred) connected = NULL;
  BraidProtocol *proxy;

  braid_service_start_service (BRAID_SERVICE (plain_service));
  proxy = connect_last (reactor, plain_transport);
  /* A protocol without half-close: the whole connection closes. */
  braid_protocol_read_connection_lost (proxy);
  g_assert_true (braid_string_transport_get_disconnecting (plain_transport));

  braid_service_start_service (BRAID_SERVICE (half_service));
  proxy = connect_last (reactor, half_transport);
  connected = braid_client_service_when_connected (half_service, 0);
  braid_protocol_read_connection_lost (proxy);
  g_assert_false (braid_string_transport_get_disconnecting (half_transport));
  g_assert_cmpuint (recording_protocol_state (braid_assert_success_result (connected))->read_lost_count, ==, 1);
}

static void
test_client_retry_runs_on_the_clock_given (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientService) service = client_service_new (reactor, factory);
  guint destroyed = 0;

  braid_client_service_set_clock (service, BRAID_CLOCK (clock));
  braid_client_service_set_retry_policy (service, ten_seconds, &destroyed, count_destroy);
  braid_client_service_set_retry_policy (service, ten_seconds, &destroyed, count_destroy);
  g_assert_cmpuint (destroyed, ==, 1);
  braid_service_start_service (BRAID_SERVICE (service));
  fail_last (reactor);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (reactor)->len, ==, 2);
  g_clear_object (&service);
  g_assert_cmpuint (destroyed, ==, 2);
}

static void
test_client_dropped_while_busy_cleans_up (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidClientService *waiting = client_service_new (reactor, factory);
  BraidClientService *connected = client_service_new (reactor, factory);
  BraidClientService *connecting = client_service_new (reactor, factory);
  BraidTcpClientRecord *record;

  braid_client_service_set_retry_policy (waiting, ten_seconds, NULL, NULL);
  braid_service_start_service (BRAID_SERVICE (waiting));
  fail_last (reactor);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 1);
  g_object_unref (waiting);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);

  braid_service_start_service (BRAID_SERVICE (connected));
  connect_last (reactor, transport);
  g_object_unref (connected);
  g_assert_true (braid_string_transport_get_disconnecting (transport));

  braid_service_start_service (BRAID_SERVICE (connecting));
  record = braid_memory_reactor_get_tcp_client (reactor, braid_memory_reactor_get_tcp_clients (reactor)->len - 1);
  g_object_unref (connecting);
  g_assert_true (braid_fake_connector_get_stopped_connecting (BRAID_FAKE_CONNECTOR (record->connector)));
}

static void
test_client_stopped_before_start_tells_its_waiters (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientService) service = client_service_new (reactor, factory);
  g_autoptr (BraidDeferred) waiting = braid_client_service_when_connected (service, 0);
  g_autoptr (BraidDeferred) stopped = braid_service_stop_service (BRAID_SERVICE (service));
  g_autoptr (GError) error = NULL;

  braid_assert_success_result (stopped);
  error = braid_assert_failure_result (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (reactor)->len, ==, 0);
}

static void
test_client_connection_outliving_the_service_is_closed (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidClientService *service = client_service_new (reactor, factory);
  BraidTcpClientRecord *record;
  g_autoptr (BraidProtocol) proxy = NULL;

  braid_service_start_service (BRAID_SERVICE (service));
  record = braid_memory_reactor_get_tcp_client (reactor, 0);
  proxy = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
  g_object_unref (service);
  /* The late failure of the abandoned attempt is ignored... */
  fail_last (reactor);
  /* ...and a connection that completes anyway is closed at once. */
  braid_protocol_make_connection (proxy, BRAID_TRANSPORT (transport));
  g_assert_true (braid_string_transport_get_disconnecting (transport));
  braid_test_lose_connection (proxy, TRUE);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);
}

static void
test_client_second_connection_of_an_attempt_is_refused (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientService) service = client_service_new (reactor, factory);
  g_autoptr (BraidStringTransport) first = braid_string_transport_new ();
  g_autoptr (BraidStringTransport) second = braid_string_transport_new ();
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autoptr (BraidDeferred) stopped_again = NULL;
  g_autoptr (BraidProtocol) extra = NULL;
  BraidTcpClientRecord *record;
  BraidProtocol *kept;

  braid_service_start_service (BRAID_SERVICE (service));
  kept = connect_last (reactor, first);
  record = braid_memory_reactor_get_tcp_client (reactor, 0);
  extra = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
  braid_protocol_make_connection (extra, BRAID_TRANSPORT (second));
  g_assert_true (braid_string_transport_get_disconnecting (second));
  g_assert_false (braid_string_transport_get_disconnecting (first));
  braid_test_lose_connection (extra, TRUE);     /* not the service's: ignored */
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);

  /* Two stops while the connection closes: both fire once it is closed. */
  stopped = braid_service_stop_service (BRAID_SERVICE (service));
  stopped_again = braid_service_stop_service (BRAID_SERVICE (service));
  braid_assert_no_result (stopped);
  braid_assert_no_result (stopped_again);
  braid_test_lose_connection (kept, TRUE);
  braid_assert_success_result (stopped);
  braid_assert_success_result (stopped_again);
}

static void
test_client_dropped_while_stopping_fires_its_stop (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  BraidClientService *service = client_service_new (reactor, factory);
  g_autoptr (BraidDeferred) stopped = NULL;

  braid_service_start_service (BRAID_SERVICE (service));
  connect_last (reactor, transport);
  stopped = braid_service_stop_service (BRAID_SERVICE (service));
  braid_assert_no_result (stopped);
  g_object_unref (service);
  braid_assert_success_result (stopped);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidClientService: connect, back off with jitter, reconnect, hand out the connection, stop");

  braid_test_add_func ("/client-service/backoff-delay", test_backoff_delay_grows_and_is_capped);
  braid_test_add_func ("/client-service/connects", test_connects_on_start_and_hands_out_the_protocol);
  braid_test_add_func ("/client-service/backoff", test_failures_back_off_exponentially);
  braid_test_add_func ("/client-service/default-jitter", test_default_policy_adds_up_to_a_second_of_jitter);
  braid_test_add_func ("/client-service/reconnects", test_lost_connection_reconnects);
  braid_test_add_func ("/client-service/fail-after-failures", test_when_connected_fails_after_the_failures_asked);
  braid_test_add_func ("/client-service/stop-connected", test_stop_while_connected_closes_and_waits);
  braid_test_add_func ("/client-service/stop-waiting", test_stop_while_waiting_cancels_retry_and_waiters);
  braid_test_add_func ("/client-service/stop-connecting", test_stop_while_connecting_abandons_the_attempt);
  braid_test_add_func ("/client-service/restart", test_restart_while_disconnecting_connects_once_closed);
  braid_test_add_func ("/client-service/application", test_runs_with_the_application);

  braid_test_add_func ("/client-service/client-half-close", test_client_half_close_follows_the_protocol);
  braid_test_add_func ("/client-service/client-clock", test_client_retry_runs_on_the_clock_given);
  braid_test_add_func ("/client-service/client-dropped-while-busy", test_client_dropped_while_busy_cleans_up);
  braid_test_add_func ("/client-service/client-outlived", test_client_connection_outliving_the_service_is_closed);
  braid_test_add_func ("/client-service/client-second-connection", test_client_second_connection_of_an_attempt_is_refused);
  braid_test_add_func ("/client-service/client-stopped-before-start", test_client_stopped_before_start_tells_its_waiters);
  braid_test_add_func ("/client-service/client-dropped-while-stopping", test_client_dropped_while_stopping_fires_its_stop);

  return g_test_run ();
}
