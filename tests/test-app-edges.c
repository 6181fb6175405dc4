/* test-app-edges.c: the less travelled paths of framework/app/: properties,
 * misuse, registered client types, a client service's half-close, clock and
 * policy, objects dropped while busy. */
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-protocols.h"

static void
test_service_properties_and_rename_rules (void)
{
  g_autoptr (BraidMultiService) parent = braid_multi_service_new ("parent");
  g_autoptr (BraidService) service = braid_service_new ("before");
  g_autofree char *name = NULL;
  gboolean running = TRUE;

  g_object_set (service, "name", "after", NULL);
  g_object_get (service, "name", &name, "running", &running, NULL);
  g_assert_cmpstr (name, ==, "after");
  g_assert_false (running);
  braid_service_set_name (service, "after");     /* the same name: nothing */
  g_assert_true (braid_multi_service_add_service (parent, service, NULL));
  /* Twisted refuses to rename a service that has a parent. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*cannot rename service 'after' while it has a parent*");
  braid_service_set_name (service, "other");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (braid_service_get_name (service), ==, "after");
  /* Adding it again to the same parent changes nothing. */
  g_assert_true (braid_service_set_parent (service, parent, NULL));
  g_assert_cmpuint (braid_multi_service_get_services (parent)->len, ==, 1);
}

static void
test_adding_to_running_parent_fails_if_privileged_start_fails (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string ("tcp:8000", NULL);
  g_autoptr (BraidStreamServerService) first = braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);
  g_autoptr (BraidStreamServerService) second = braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (GError) error = NULL;

  braid_service_set_name (BRAID_SERVICE (second), "second");
  braid_service_start_service (BRAID_SERVICE (root));
  g_assert_true (braid_multi_service_add_service (root, BRAID_SERVICE (first), NULL));
  g_assert_false (braid_multi_service_add_service (root, BRAID_SERVICE (second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_null (braid_service_get_parent (BRAID_SERVICE (second)));
  g_assert_false (braid_service_is_running (BRAID_SERVICE (second)));
  g_assert_true (braid_stream_server_service_get_endpoint (first) == endpoint);
  g_clear_object (&root);
}

static void
test_description_copy (void)
{
  g_autoptr (BraidEndpointDescription) parsed = braid_endpoint_description_parse ("Tcp:80:a=b", NULL);
  g_autoptr (BraidEndpointDescription) copy = braid_endpoint_description_copy (parsed);

  g_assert_cmpstr (copy->type, ==, "tcp");
  g_assert_cmpstr (copy->args[0], ==, "80");
  g_assert_null (copy->args[1]);
  g_assert_cmpstr (g_hash_table_lookup (copy->kwargs, "a"), ==, "b");
  braid_endpoint_description_free (NULL);
}

static BraidClientEndpoint *
parse_client_test_type (const BraidEndpointDescription *description, GError **error)
{
  return g_object_new (BRAID_TYPE_CLIENT_ENDPOINT, NULL);
}

static void
test_registered_client_type_must_say_how_to_connect (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidClientFactory) factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidClientEndpoint) endpoint = NULL;
  g_autoptr (GError) error = NULL;

  braid_client_endpoint_register_type ("testclient", parse_client_test_type);
  endpoint = braid_client_endpoint_new_for_string ("TestClient:x", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (braid_client_endpoint_get_description (endpoint), ==, "TestClient:x");
  g_assert_null (braid_client_endpoint_connect (endpoint, BRAID_REACTOR (reactor), factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_unix_lock_released_when_listening_fails (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autofree char *dir = g_dir_make_tmp ("braid-edges-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "s.sock", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autofree char *locked_text = g_strdup_printf ("unix:%s:lockfile=1:mode=0600", path);
  g_autoptr (BraidServerEndpoint) locked = braid_server_endpoint_new_for_string (locked_text, NULL);
  g_autoptr (GError) error = NULL;

  /* The memory reactor makes no socket file, so the chmod fails: the
   * lock just taken is let go with the port. */
  g_assert_null (braid_server_endpoint_listen (locked, BRAID_REACTOR (reactor), factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

static gboolean
never_fails_early (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  /* Fails on its second call. */
  if (braid_looping_call_get_call_count (call) < 2)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no");
  return FALSE;
}

static void
assert_server_error (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (text, &error);

  g_assert_null (endpoint);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, message);
}

static void
assert_client_error (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidClientEndpoint) endpoint = braid_client_endpoint_new_for_string (text, &error);

  g_assert_null (endpoint);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_more_bad_strings (void)
{
  assert_server_error ("tcp:\xff", "endpoint: 'tcp:\\377' is not valid UTF-8");
  assert_server_error ("tcp:80:=a:=b", "endpoint: given twice in 'tcp:80:=a:=b'");
  assert_server_error ("tcp:a=1:a=2:b=3", "a: given twice in 'tcp:a=1:a=2:b=3'");
  assert_server_error ("unix:/p:address=/q", "address: given twice, as '/p' and as address=/q");
  assert_server_error ("systemd:domain=INET:index=x", "index: 'x' is not a number");
  assert_server_error ("systemd:domain=INET:domain=INET6:index=0", "domain: given twice in 'systemd:domain=INET:domain=INET6:index=0'");
  assert_client_error ("", "endpoint: '' does not start with a type (tcp:, unix:...)");
  assert_client_error ("tcp:h:80:host=g", "host: given twice, as 'h' and as host=g");
  assert_client_error ("tcp:h:80:port=81", "port: given twice, as '80' and as port=81");
  assert_client_error ("unix:/p:path=/q", "path: given twice, as '/p' and as path=/q");
  assert_client_error ("unix:path=", "path: the path is empty");
  assert_client_error ("unix:path=/p:timeout=x", "timeout: 'x' is not a number");
  assert_client_error ("unix:/p:extra", "unix: unexpected argument 'extra'");
}

static void
test_endpoints_made_without_a_string_refuse_clearly (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client_factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidServerEndpoint) server = g_object_new (BRAID_TYPE_SERVER_ENDPOINT, NULL);
  g_autoptr (BraidClientEndpoint) client = g_object_new (BRAID_TYPE_CLIENT_ENDPOINT, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_null (braid_server_endpoint_listen (server, BRAID_REACTOR (reactor), factory, &error));
  g_assert_cmpstr (error->message, ==, "endpoint: BraidServerEndpoint does not say how to listen");
  g_clear_error (&error);
  g_assert_null (braid_client_endpoint_connect (client, BRAID_REACTOR (reactor), client_factory, &error));
  g_assert_cmpstr (error->message, ==, "endpoint: BraidClientEndpoint does not say how to connect");
}

static void
test_systemd_pid_must_be_ours (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string ("systemd:domain=INET:index=0", NULL);
  const char *pids[] = { "1", "not-a-pid" };
  g_autofree char *ours = g_strdup_printf ("%d", (int) getpid ());

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      g_autoptr (GError) error = NULL;

      g_setenv ("LISTEN_PID", pids[i], TRUE);
      g_setenv ("LISTEN_FDS", "1", TRUE);
      g_assert_null (braid_server_endpoint_listen (endpoint, BRAID_REACTOR (reactor), factory, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    }
  {
    g_autoptr (GError) error = NULL;

    g_setenv ("LISTEN_PID", ours, TRUE);
    g_setenv ("LISTEN_FDS", "many", TRUE);
    g_assert_null (braid_server_endpoint_listen (endpoint, BRAID_REACTOR (reactor), factory, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
  g_unsetenv ("LISTEN_PID");
  g_unsetenv ("LISTEN_FDS");
}

static void
test_unix_lock_with_garbage_is_stale_and_stopping_twice_is_fine (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autofree char *dir = g_dir_make_tmp ("braid-edges-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "s.sock", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autofree char *text = g_strdup_printf ("unix:%s:lockfile=1", path);
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (text, NULL);
  BraidListeningPort *port;

  g_assert_true (g_file_set_contents (lock, "garbage", -1, NULL));
  port = braid_server_endpoint_listen (endpoint, BRAID_REACTOR (reactor), factory, NULL);
  g_assert_nonnull (port);
  /* Someone else's lock now: stopping leaves it alone. */
  g_assert_true (g_file_set_contents (lock, "2147483646\n", -1, NULL));
  braid_listening_port_stop_listening (port);
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));
  braid_listening_port_stop_listening (port);
  g_unlink (lock);
  g_rmdir (dir);
}

/* --- Client service ----------------------------------------------------- */

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
test_client_endpoint_that_cannot_connect_is_a_failure (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidClientEndpoint) endpoint = g_object_new (BRAID_TYPE_CLIENT_ENDPOINT, NULL);
  g_autoptr (BraidClientService) service = braid_client_service_new (BRAID_REACTOR (reactor), endpoint, factory);
  g_autoptr (BraidDeferred) connected = braid_client_service_when_connected (service, 1);
  g_autoptr (GError) error = NULL;

  braid_client_service_set_retry_policy (service, ten_seconds, NULL, NULL);
  braid_service_start_service (BRAID_SERVICE (service));
  error = braid_assert_failure_result (connected, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (braid_client_service_get_failed_attempts (service), ==, 1);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 1);
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

static void
test_anonymous_services_are_named_so (void)
{
  g_autoptr (BraidMultiService) root = braid_multi_service_new (NULL);
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidTimerService) timer = braid_timer_service_new (BRAID_CLOCK (clock), 1, never_fails_early, NULL, NULL);

  g_assert_true (braid_multi_service_add_service (root, BRAID_SERVICE (timer), NULL));
  braid_service_start_service (BRAID_SERVICE (root));
  /* Starting twice runs one loop. */
  braid_service_start_service (BRAID_SERVICE (timer));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Timer service '(anonymous)' stopped calling its function: no");
  braid_fake_clock_advance (clock, 1);
  g_test_assert_expected_messages ();
}

static void
test_privileged_start_twice_listens_once (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string ("tcp:0", NULL);
  g_autoptr (BraidStreamServerService) service = braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);

  g_assert_true (braid_service_privileged_start_service (BRAID_SERVICE (service), NULL));
  g_assert_true (braid_service_privileged_start_service (BRAID_SERVICE (service), NULL));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 1);
}

/* --- Timer service and application -------------------------------------- */

static gboolean
never_fails (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  return TRUE;
}

static void
test_timer_dropped_while_running_stops (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerService *service = braid_timer_service_new (BRAID_CLOCK (clock), 1, never_fails, NULL, NULL);

  braid_service_start_service (BRAID_SERVICE (service));
  g_assert_true (braid_looping_call_is_running (braid_timer_service_get_looping_call (service)));
  g_object_unref (service);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_application_dropped_before_the_reactor_runs (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidApplication *app = braid_application_new (BRAID_REACTOR (reactor));
  guint started;

  g_assert_true (braid_application_start (app, NULL));
  started = braid_memory_reactor_get_trigger_count (reactor);
  g_object_unref (app);
  /* Its shutdown trigger is gone; its start hook finds it gone. */
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, started - 1);
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
}

/* A service whose stop waits for the test to fire it. */
#define WAITING_TYPE_SERVICE (waiting_service_get_type ())
G_DECLARE_FINAL_TYPE (WaitingService, waiting_service, WAITING, SERVICE, BraidService)

struct _WaitingService
{
  BraidService parent_instance;
  BraidDeferred *pending;
};

G_DEFINE_FINAL_TYPE (WaitingService, waiting_service, BRAID_TYPE_SERVICE)

static BraidDeferred *
waiting_stop (BraidService *service)
{
  WaitingService *self = WAITING_SERVICE (service);

  BRAID_SERVICE_CLASS (waiting_service_parent_class)->stop_service (service);
  self->pending = braid_deferred_new ();
  return braid_deferred_ref (self->pending);
}

static void
waiting_finalize (GObject *object)
{
  g_clear_pointer (&WAITING_SERVICE (object)->pending, braid_deferred_unref);
  G_OBJECT_CLASS (waiting_service_parent_class)->finalize (object);
}

static void
waiting_service_class_init (WaitingServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = waiting_finalize;
  BRAID_SERVICE_CLASS (klass)->stop_service = waiting_stop;
}

static void
waiting_service_init (WaitingService *self)
{
}

static void
test_application_cut_off_names_every_service_and_survives_being_dropped (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidApplication *app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (WaitingService) a = g_object_new (WAITING_TYPE_SERVICE, "name", "a", NULL);
  g_autoptr (WaitingService) b = g_object_new (WAITING_TYPE_SERVICE, "name", "b", NULL);

  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app), BRAID_SERVICE (a), NULL));
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app), BRAID_SERVICE (b), NULL));
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Shutdown: service 'a', 'b' did not stop within 10 s; *");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 10);
  g_test_assert_expected_messages ();
  /* Dropped before the stops finish: they finish harmlessly. */
  g_object_unref (app);
  braid_deferred_callback (a->pending, NULL, NULL);
  braid_deferred_callback (b->pending, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("framework/app/: properties, misuse, registered types, half-close, clocks, busy objects dropped");

  braid_test_add_func ("/app-edges/service-properties", test_service_properties_and_rename_rules);
  braid_test_add_func ("/app-edges/add-to-running-fails", test_adding_to_running_parent_fails_if_privileged_start_fails);
  braid_test_add_func ("/app-edges/description-copy", test_description_copy);
  braid_test_add_func ("/app-edges/registered-client-type", test_registered_client_type_must_say_how_to_connect);
  braid_test_add_func ("/app-edges/unix-lock-released-on-failure", test_unix_lock_released_when_listening_fails);
  braid_test_add_func ("/app-edges/more-bad-strings", test_more_bad_strings);
  braid_test_add_func ("/app-edges/endpoints-without-string", test_endpoints_made_without_a_string_refuse_clearly);
  braid_test_add_func ("/app-edges/systemd-pid", test_systemd_pid_must_be_ours);
  braid_test_add_func ("/app-edges/unix-lock-garbage", test_unix_lock_with_garbage_is_stale_and_stopping_twice_is_fine);
  braid_test_add_func ("/app-edges/client-cannot-connect", test_client_endpoint_that_cannot_connect_is_a_failure);
  braid_test_add_func ("/app-edges/client-half-close", test_client_half_close_follows_the_protocol);
  braid_test_add_func ("/app-edges/client-clock", test_client_retry_runs_on_the_clock_given);
  braid_test_add_func ("/app-edges/client-dropped-while-busy", test_client_dropped_while_busy_cleans_up);
  braid_test_add_func ("/app-edges/client-outlived", test_client_connection_outliving_the_service_is_closed);
  braid_test_add_func ("/app-edges/client-second-connection", test_client_second_connection_of_an_attempt_is_refused);
  braid_test_add_func ("/app-edges/client-stopped-before-start", test_client_stopped_before_start_tells_its_waiters);
  braid_test_add_func ("/app-edges/client-dropped-while-stopping", test_client_dropped_while_stopping_fires_its_stop);
  braid_test_add_func ("/app-edges/anonymous", test_anonymous_services_are_named_so);
  braid_test_add_func ("/app-edges/privileged-twice", test_privileged_start_twice_listens_once);
  braid_test_add_func ("/app-edges/cut-off-names-all", test_application_cut_off_names_every_service_and_survives_being_dropped);
  braid_test_add_func ("/app-edges/timer-dropped-while-running", test_timer_dropped_while_running_stops);
  braid_test_add_func ("/app-edges/application-dropped-before-run", test_application_dropped_before_the_reactor_runs);

  return g_test_run ();
}
