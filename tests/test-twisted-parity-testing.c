/* test-twisted-parity-testing.c: Twisted's twisted/internet/test/test_testing.py
 * (StringTransport, MemoryReactor), ported.
 *
 * Each test names the Twisted test it ports. Where Twisted's
 * StringTransport raises RuntimeError for a misuse, Braid's logs a
 * critical naming it and changes nothing (so does the socket transport:
 * tests/test-transport-strictness.c). */
#include <braid-fakes.h>

#include "test-protocols.h"

static BraidStringTransport *
new_transport (void)
{
  return braid_string_transport_new ();
}

/* twisted.internet.test.test_testing.StringTransportTests.test_interfaces */
static void
test_interfaces (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  g_assert_true (BRAID_IS_TRANSPORT (transport));
  g_assert_true (BRAID_IS_PRODUCER (transport));
}

/* twisted.internet.test.test_testing.StringTransportTests.test_registerProducer */
static void
test_register_producer (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  gboolean streaming = FALSE;

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (producer), TRUE);
  g_assert_true (braid_string_transport_get_producer (transport, &streaming) == BRAID_PRODUCER (producer));
  g_assert_true (streaming);
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
}

/* twisted.internet.test.test_testing.StringTransportTests.test_disallowedRegisterProducer */
static void
test_disallowed_register_producer (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();
  g_autoptr (CountingProducer) producer = counting_producer_new ();
  g_autoptr (CountingProducer) other = counting_producer_new ();
  gboolean streaming = FALSE;

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (producer), TRUE);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*already registered*");
  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (other), FALSE);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_producer (transport, &streaming) == BRAID_PRODUCER (producer));
  g_assert_true (streaming);
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
}

/* twisted.internet.test.test_testing.StringTransportTests.test_unregisterProducer */
static void
test_unregister_producer (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();
  g_autoptr (CountingProducer) old_producer = counting_producer_new ();
  g_autoptr (CountingProducer) new_producer = counting_producer_new ();
  gboolean streaming = FALSE;

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (old_producer), FALSE);
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_assert_null (braid_string_transport_get_producer (transport, NULL));
  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (new_producer), TRUE);
  g_assert_true (braid_string_transport_get_producer (transport, &streaming) == BRAID_PRODUCER (new_producer));
  g_assert_true (streaming);
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
}

/* twisted.internet.test.test_testing.StringTransportTests.test_invalidUnregisterProducer */
static void
test_invalid_unregister_producer (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*no producer is registered*");
  braid_transport_unregister_producer (BRAID_TRANSPORT (transport));
  g_test_assert_expected_messages ();
}

/* twisted.internet.test.test_testing.StringTransportTests.test_initialProducerState */
static void
test_initial_producer_state (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
}

/* twisted.internet.test.test_testing.StringTransportTests.test_pauseProducing */
static void
test_pause_producing (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  braid_producer_pause_producing (BRAID_PRODUCER (transport));
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==,
                   BRAID_PRODUCER_STATE_PAUSED);
}

/* twisted.internet.test.test_testing.StringTransportTests.test_resumeProducing */
static void
test_resume_producing (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  braid_producer_pause_producing (BRAID_PRODUCER (transport));
  braid_producer_resume_producing (BRAID_PRODUCER (transport));
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==,
                   BRAID_PRODUCER_STATE_PRODUCING);
}

/* twisted.internet.test.test_testing.StringTransportTests.test_stopProducing */
static void
test_stop_producing (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  braid_producer_stop_producing (BRAID_PRODUCER (transport));
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==,
                   BRAID_PRODUCER_STATE_STOPPED);
}

typedef void (*Prepare) (BraidStringTransport *transport);
typedef void (*Misuse) (BraidProducer *producer);

static void
stop (BraidStringTransport *transport)
{
  braid_producer_stop_producing (BRAID_PRODUCER (transport));
}

static void
lose (BraidStringTransport *transport)
{
  braid_transport_lose_connection (BRAID_TRANSPORT (transport));
}

static void
refused (Prepare prepare, Misuse misuse, const char *pattern)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();
  BraidProducerState before;

  prepare (transport);
  before = braid_string_transport_get_producer_state (transport);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, pattern);
  misuse (BRAID_PRODUCER (transport));
  g_test_assert_expected_messages ();
  g_assert_cmpint (braid_string_transport_get_producer_state (transport), ==, before);
}

/* twisted.internet.test.test_testing.StringTransportTests.test_stoppedTransportCannotPause */
static void
test_stopped_transport_cannot_pause (void)
{
  refused (stop, braid_producer_pause_producing, "*pause_producing*stopped*");
}

/* twisted.internet.test.test_testing.StringTransportTests.test_stoppedTransportCannotResume */
static void
test_stopped_transport_cannot_resume (void)
{
  refused (stop, braid_producer_resume_producing, "*resume_producing*stopped*");
}

/* twisted.internet.test.test_testing.StringTransportTests.test_disconnectingTransportCannotPause */
static void
test_disconnecting_transport_cannot_pause (void)
{
  refused (lose, braid_producer_pause_producing, "*pause_producing*disconnecting*");
}

/* twisted.internet.test.test_testing.StringTransportTests.test_disconnectingTransportCannotResume */
static void
test_disconnecting_transport_cannot_resume (void)
{
  refused (lose, braid_producer_resume_producing, "*resume_producing*disconnecting*");
}

/* twisted.internet.test.test_testing.StringTransportTests.test_loseConnectionSetsDisconnecting */
static void
test_lose_connection_sets_disconnecting (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  g_assert_false (braid_string_transport_get_disconnecting (transport));
  braid_transport_lose_connection (BRAID_TRANSPORT (transport));
  g_assert_true (braid_string_transport_get_disconnecting (transport));
}

/* twisted.internet.test.test_testing.StringTransportTests.test_specifiedHostAddress */
static void
test_specified_host_address (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string ("10.0.0.1", 1234);

  braid_string_transport_set_host (transport, address);
  g_assert_true (braid_transport_get_host (BRAID_TRANSPORT (transport)) == address);
}

/* twisted.internet.test.test_testing.StringTransportTests.test_specifiedPeerAddress */
static void
test_specified_peer_address (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string ("10.0.0.2", 4321);

  braid_string_transport_set_peer (transport, address);
  g_assert_true (braid_transport_get_peer (BRAID_TRANSPORT (transport)) == address);
}

/* twisted.internet.test.test_testing.StringTransportTests.test_defaultHostAddress */
static void
test_default_host_address (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (braid_transport_get_host (BRAID_TRANSPORT (transport))));
}

/* twisted.internet.test.test_testing.StringTransportTests.test_defaultPeerAddress */
static void
test_default_peer_address (void)
{
  g_autoptr (BraidStringTransport) transport = new_transport ();

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (braid_transport_get_peer (BRAID_TRANSPORT (transport))));
}

/* twisted.internet.test.test_testing.ReactorTests.test_memoryReactorProvides */
static void
test_memory_reactor_provides (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();

  g_assert_true (BRAID_IS_REACTOR (reactor));
  g_assert_true (BRAID_IS_CLOCK (reactor));
}

/* twisted.internet.test.test_testing.ReactorTests.test_connectDestination
 * (TCP and UNIX; Braid has no SSL) */
static void
test_connect_destination (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidClientFactory) factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);
  BraidConnector *tcp = braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "test.example.com",
                                                   8321, factory);
  BraidConnector *unix_connector = braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/fake/path",
                                                               factory, 30);
  GSocketConnectable *destination = braid_connector_get_destination (tcp);

  g_assert_true (G_IS_NETWORK_ADDRESS (destination));
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (destination)), ==,
                   "test.example.com");
  g_assert_cmpuint (g_network_address_get_port (G_NETWORK_ADDRESS (destination)), ==, 8321);

  destination = braid_connector_get_destination (unix_connector);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (destination));
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (destination)), ==,
                   "/fake/path");
}

/* twisted.internet.test.test_testing.ReactorTests.test_listenDefaultHost
 * (TCP and UNIX; Braid has no SSL) */
static void
test_listen_default_host (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  BraidListeningPort *tcp = braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8242, factory, NULL, NULL);
  BraidListeningPort *unix_port = braid_reactor_listen_unix (BRAID_REACTOR (reactor), "/path/to/socket",
                                                             factory, NULL);
  GSocketAddress *host = braid_listening_port_get_host (tcp);
  g_autofree char *ip = NULL;

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (host));
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (host)));
  g_assert_cmpstr (ip, ==, "0.0.0.0");
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (host)), ==, 8242);

  host = braid_listening_port_get_host (unix_port);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (host));
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (host)), ==, "/path/to/socket");
}

/* A client factory that keeps the reasons its connections failed. */
#define PARITY_TYPE_FAILED_CONNECTIONS (parity_failed_connections_get_type ())
G_DECLARE_FINAL_TYPE (ParityFailedConnections, parity_failed_connections, PARITY,
                      FAILED_CONNECTIONS, BraidClientFactory)

struct _ParityFailedConnections
{
  BraidClientFactory parent_instance;
  GPtrArray *reasons; /* GError */
};
G_DEFINE_FINAL_TYPE (ParityFailedConnections, parity_failed_connections, BRAID_TYPE_CLIENT_FACTORY)

static void
parity_failed_connections_failed (BraidClientFactory *factory, BraidConnector *connector,
                                  const GError *reason)
{
  g_ptr_array_add (PARITY_FAILED_CONNECTIONS (factory)->reasons, g_error_copy (reason));
}

static void
parity_failed_connections_finalize (GObject *object)
{
  g_ptr_array_unref (PARITY_FAILED_CONNECTIONS (object)->reasons);
  G_OBJECT_CLASS (parity_failed_connections_parent_class)->finalize (object);
}

static void
parity_failed_connections_class_init (ParityFailedConnectionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = parity_failed_connections_finalize;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = parity_failed_connections_failed;
}

static void
parity_failed_connections_init (ParityFailedConnections *self)
{
  self->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
}

/* twisted.internet.test.test_testing.ReactorTests.test_raisingReactorProvides:
 * a RaisingMemoryReactor still provides the reactor interfaces (TCP and
 * UNIX; Braid has no SSL). In Braid it is a memory reactor told to fail
 * (braid_memory_reactor_set_listen_error / _set_connect_error); beyond
 * the type check, this checks what each of those methods then does.
 * Twisted's connect methods raise; Braid's connect has no error to return,
 * so the attempt is recorded and the factory's client_connection_failed
 * gets the error at the clock's next step (documented on
 * braid_memory_reactor_set_connect_error()). */
static void
test_raising_reactor_provides (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (ParityFailedConnections) client_factory =
    g_object_new (PARITY_TYPE_FAILED_CONNECTIONS, "protocol-type", BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (GError) listen_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                                                         "listen exception");
  g_autoptr (GError) connect_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                          "connect exception");
  g_autoptr (GError) tcp_error = NULL;
  g_autoptr (GError) unix_error = NULL;

  braid_memory_reactor_set_listen_error (reactor, listen_error);
  braid_memory_reactor_set_connect_error (reactor, connect_error);
  g_assert_true (BRAID_IS_REACTOR (reactor));

  g_assert_null (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8242, factory, NULL, &tcp_error));
  g_assert_error (tcp_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpstr (tcp_error->message, ==, "listen exception");
  g_assert_null (braid_reactor_listen_unix (BRAID_REACTOR (reactor), "/path/to/socket", factory,
                                            &unix_error));
  g_assert_error (unix_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 0);
  g_assert_cmpuint (braid_memory_reactor_get_unix_servers (reactor)->len, ==, 0);

  g_assert_nonnull (braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "test.example.com", 8321,
                                               BRAID_CLIENT_FACTORY (client_factory)));
  g_assert_nonnull (braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/fake/path",
                                                BRAID_CLIENT_FACTORY (client_factory), 30));
  g_assert_cmpuint (client_factory->reasons->len, ==, 0);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpuint (client_factory->reasons->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      GError *reason = g_ptr_array_index (client_factory->reasons, i);

      g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      g_assert_cmpstr (reason->message, ==, "connect exception");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(klass, name, func) \
  braid_test_add_func ("/twisted-parity/testing/" klass "/" name, func)

  ADD ("StringTransportTests", "test_interfaces", test_interfaces);
  ADD ("StringTransportTests", "test_registerProducer", test_register_producer);
  ADD ("StringTransportTests", "test_disallowedRegisterProducer", test_disallowed_register_producer);
  ADD ("StringTransportTests", "test_unregisterProducer", test_unregister_producer);
  ADD ("StringTransportTests", "test_invalidUnregisterProducer", test_invalid_unregister_producer);
  ADD ("StringTransportTests", "test_initialProducerState", test_initial_producer_state);
  ADD ("StringTransportTests", "test_pauseProducing", test_pause_producing);
  ADD ("StringTransportTests", "test_resumeProducing", test_resume_producing);
  ADD ("StringTransportTests", "test_stopProducing", test_stop_producing);
  ADD ("StringTransportTests", "test_stoppedTransportCannotPause", test_stopped_transport_cannot_pause);
  ADD ("StringTransportTests", "test_stoppedTransportCannotResume", test_stopped_transport_cannot_resume);
  ADD ("StringTransportTests", "test_disconnectingTransportCannotPause",
       test_disconnecting_transport_cannot_pause);
  ADD ("StringTransportTests", "test_disconnectingTransportCannotResume",
       test_disconnecting_transport_cannot_resume);
  ADD ("StringTransportTests", "test_loseConnectionSetsDisconnecting", test_lose_connection_sets_disconnecting);
  ADD ("StringTransportTests", "test_specifiedHostAddress", test_specified_host_address);
  ADD ("StringTransportTests", "test_specifiedPeerAddress", test_specified_peer_address);
  ADD ("StringTransportTests", "test_defaultHostAddress", test_default_host_address);
  ADD ("StringTransportTests", "test_defaultPeerAddress", test_default_peer_address);
  ADD ("ReactorTests", "test_memoryReactorProvides", test_memory_reactor_provides);
  ADD ("ReactorTests", "test_connectDestination", test_connect_destination);
  ADD ("ReactorTests", "test_listenDefaultHost", test_listen_default_host);
  ADD ("ReactorTests", "test_raisingReactorProvides", test_raising_reactor_provides);

  return g_test_run ();
}
