/* test-interfaces.c: the rules the interface wrappers add on their own.
 *
 * The transport and reactor wrappers do more than call a vfunc: they skip
 * empty writes, fall back to a full close for a transport that cannot
 * half-close, and report a reactor without UNIX sockets. The two types
 * below implement only what each test needs, the way a minimal third-party
 * implementation would. */
#include <braid-fakes.h>

/* A transport with no half-close: it counts what reaches its vfuncs. */
#define MINIMAL_TYPE_TRANSPORT (minimal_transport_get_type ())
G_DECLARE_FINAL_TYPE (MinimalTransport, minimal_transport, MINIMAL, TRANSPORT, GObject)

struct _MinimalTransport
{
  GObject parent_instance;
  guint writes;
  guint sequences;
  guint closes;
};

static void
minimal_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  MINIMAL_TRANSPORT (transport)->writes++;
}

static void
minimal_write_sequence (BraidTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  MINIMAL_TRANSPORT (transport)->sequences++;
}

static void
minimal_lose_connection (BraidTransport *transport)
{
  MINIMAL_TRANSPORT (transport)->closes++;
}

static void
minimal_transport_iface_init (BraidTransportInterface *iface)
{
  iface->write = minimal_write;
  iface->write_sequence = minimal_write_sequence;
  iface->lose_connection = minimal_lose_connection;
}

static void
minimal_producer_iface_init (BraidProducerInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (MinimalTransport, minimal_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, minimal_producer_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT, minimal_transport_iface_init))

static void
minimal_transport_class_init (MinimalTransportClass *klass)
{
}

static void
minimal_transport_init (MinimalTransport *self)
{
}

/* A reactor with no UNIX sockets. Its other vfuncs are left unset: the
 * tests only reach the wrappers' own checks. */
#define TCP_ONLY_TYPE_REACTOR (tcp_only_reactor_get_type ())
G_DECLARE_FINAL_TYPE (TcpOnlyReactor, tcp_only_reactor, TCP_ONLY, REACTOR, BraidFakeClock)

struct _TcpOnlyReactor
{
  BraidFakeClock parent_instance;
};

static void
tcp_only_reactor_iface_init (BraidReactorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TcpOnlyReactor, tcp_only_reactor, BRAID_TYPE_FAKE_CLOCK,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_REACTOR, tcp_only_reactor_iface_init))

static void
tcp_only_reactor_class_init (TcpOnlyReactorClass *klass)
{
}

static void
tcp_only_reactor_init (TcpOnlyReactor *self)
{
}

static void
test_empty_writes_do_not_reach_the_transport (void)
{
  g_autoptr (MinimalTransport) transport = g_object_new (MINIMAL_TYPE_TRANSPORT, NULL);
  GOutputVector one = { "x", 1 };

  braid_transport_write (BRAID_TRANSPORT (transport), NULL, 0);
  braid_transport_write_string (BRAID_TRANSPORT (transport), "");
  braid_transport_write_sequence (BRAID_TRANSPORT (transport), NULL, 0);
  g_assert_cmpuint (transport->writes, ==, 0);
  g_assert_cmpuint (transport->sequences, ==, 0);

  braid_transport_write_string (BRAID_TRANSPORT (transport), "x");
  braid_transport_write_sequence (BRAID_TRANSPORT (transport), &one, 1);
  g_assert_cmpuint (transport->writes, ==, 1);
  g_assert_cmpuint (transport->sequences, ==, 1);
}

static void
test_write_misuse_is_refused (void)
{
  g_autoptr (MinimalTransport) transport = g_object_new (MINIMAL_TYPE_TRANSPORT, NULL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*data != NULL || len == 0*");
  braid_transport_write (BRAID_TRANSPORT (transport), NULL, 3);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*text != NULL*");
  braid_transport_write_string (BRAID_TRANSPORT (transport), NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (transport->writes, ==, 0);
}

/* braid_transport_write looks the interface up once instead of checking
 * the type and then looking it up: what is not a transport (NULL, an
 * object of another type) is still refused with the usual message. */
static void
test_write_to_a_non_transport_is_refused (void)
{
  g_autoptr (GObject) other = g_object_new (G_TYPE_OBJECT, NULL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*BRAID_IS_TRANSPORT (self)*");
  braid_transport_write (NULL, (const guint8 *) "x", 1);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*BRAID_IS_TRANSPORT (self)*");
  braid_transport_write ((BraidTransport *) other, (const guint8 *) "x", 1);
  g_test_assert_expected_messages ();
}

static void
test_half_close_falls_back_to_a_full_close (void)
{
  g_autoptr (MinimalTransport) transport = g_object_new (MINIMAL_TYPE_TRANSPORT, NULL);

  braid_transport_lose_write_connection (BRAID_TRANSPORT (transport));
  g_assert_cmpuint (transport->closes, ==, 1);
}

static void
test_reactor_without_udp (void)
{
  g_autoptr (TcpOnlyReactor) reactor = g_object_new (TCP_ONLY_TYPE_REACTOR, NULL);
  g_autoptr (BraidDatagramProtocol) protocol = g_object_new (BRAID_TYPE_DATAGRAM_PROTOCOL, NULL);
  g_autoptr (GError) error = NULL;

  g_test_summary ("A reactor written before UDP (no listen_udp) refuses UDP with "
                  "G_IO_ERROR_NOT_SUPPORTED rather than crashing");
  g_assert_null (braid_reactor_listen_udp (BRAID_REACTOR (reactor), 53, protocol, NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (braid_datagram_protocol_get_transport (protocol));
}

static void
test_reactor_without_unix_sockets (void)
{
  g_autoptr (TcpOnlyReactor) reactor = g_object_new (TCP_ONLY_TYPE_REACTOR, NULL);
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client_factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  BraidConnector *connector;

  g_assert_null (braid_reactor_listen_unix (BRAID_REACTOR (reactor), "/tmp/x.sock", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "TcpOnlyReactor cannot listen on UNIX sockets");
  g_clear_error (&error);
  g_assert_null (braid_reactor_listen_tcp_reuse_port (BRAID_REACTOR (reactor), 8000, factory,
                                                      BRAID_DEFAULT_BACKLOG, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "TcpOnlyReactor cannot share a TCP port (SO_REUSEPORT)");
  g_clear_error (&error);
  g_assert_null (braid_reactor_adopt_stream_port (BRAID_REACTOR (reactor), 3, G_SOCKET_FAMILY_IPV4,
                                                  factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "TcpOnlyReactor cannot adopt a listening socket");

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*connect_unix != NULL*");
  connector = braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/tmp/x.sock", client_factory, 1);
  g_test_assert_expected_messages ();
  g_assert_null (connector);
}

/* A reactor that cannot spawn processes says so with an error. */
static void
test_reactor_without_processes (void)
{
  g_autoptr (TcpOnlyReactor) reactor = g_object_new (TCP_ONLY_TYPE_REACTOR, NULL);
  g_autoptr (BraidProcessProtocol) protocol = g_object_new (BRAID_TYPE_PROCESS_PROTOCOL, NULL);
  const char *argv[] = { "/bin/true", NULL };
  g_autoptr (GError) error = NULL;

  g_assert_null (braid_reactor_spawn_process (BRAID_REACTOR (reactor), protocol, argv, NULL, NULL,
                                              &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "TcpOnlyReactor cannot spawn processes");
}

static void
test_reactor_argument_checks (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidClientFactory) client_factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*backlog > 0*");
  g_assert_null (braid_reactor_listen_tcp_full (BRAID_REACTOR (reactor), 80, factory, 0, NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*timeout > 0*");
  g_assert_null (braid_reactor_connect_tcp_full (BRAID_REACTOR (reactor), "127.0.0.1", 80,
                                                 client_factory, 0, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*BRAID_IS_CLIENT_FACTORY*");
  g_assert_null (braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "127.0.0.1", 80,
                                            (BraidClientFactory *) factory));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 0);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (reactor)->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The interface wrappers: empty writes, half-close fallback, "
                  "reactors without UNIX sockets, argument checks.");

  braid_test_add_func ("/interfaces/transport/empty-writes", test_empty_writes_do_not_reach_the_transport);
  braid_test_add_func ("/interfaces/transport/write-misuse", test_write_misuse_is_refused);
  braid_test_add_func ("/interfaces/transport/write-to-non-transport", test_write_to_a_non_transport_is_refused);
  braid_test_add_func ("/interfaces/transport/half-close-fallback", test_half_close_falls_back_to_a_full_close);
  braid_test_add_func ("/interfaces/reactor/no-unix", test_reactor_without_unix_sockets);
  braid_test_add_func ("/interfaces/reactor/no-udp", test_reactor_without_udp);
  braid_test_add_func ("/interfaces/reactor/no-processes", test_reactor_without_processes);
  braid_test_add_func ("/interfaces/reactor/argument-checks", test_reactor_argument_checks);

  return g_test_run ();
}
