/* example-memory-reactor.c: docs/testing.md, "What a program asks of the reactor".
 *
 * A program's setup code is given a BraidReactor. Given a
 * BraidMemoryReactor instead, it opens nothing: the reactor records each
 * listen_tcp call (port, factory, interface), and the test builds a
 * protocol from the recorded factory to check it is the right one. */
#include <braid-fakes.h>

G_DECLARE_FINAL_TYPE (HelloProtocol, hello_protocol, HELLO, PROTOCOL, BraidProtocol)
struct _HelloProtocol { BraidProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (HelloProtocol, hello_protocol, BRAID_TYPE_PROTOCOL)

static void
hello_protocol_connection_made (BraidProtocol *protocol)
{
  braid_transport_write_string (braid_protocol_get_transport (protocol), "hello\r\n");
}

static void
hello_protocol_class_init (HelloProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->connection_made = hello_protocol_connection_made;
}

static void hello_protocol_init (HelloProtocol *self) { }

/* The code under test: what a program's main() would call. */
static gboolean
start_hello_server (BraidReactor *reactor, guint16 port, GError **error)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (hello_protocol_get_type ());

  return braid_reactor_listen_tcp (reactor, port, factory, "127.0.0.1", error) != NULL;
}

static void
test_server_listens_where_asked (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *servers;
  BraidTcpServerRecord *server;

  g_assert_true (start_hello_server (BRAID_REACTOR (reactor), 8007, &error));
  g_assert_no_error (error);

  servers = braid_memory_reactor_get_tcp_servers (reactor);
  g_assert_cmpuint (servers->len, ==, 1);
  server = g_ptr_array_index (servers, 0);
  g_assert_cmpuint (server->port, ==, 8007);
  g_assert_cmpstr (server->interface, ==, "127.0.0.1");

  /* The recorded factory builds the program's protocol: drive it. */
  protocol = braid_factory_build_protocol (server->factory, NULL);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_assert_transport_wrote (transport, "hello\r\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("docs/testing.md: checking a program's setup on a BraidMemoryReactor.");
  braid_test_add_func ("/docs/memory-reactor/listens-where-asked", test_server_listens_where_asked);
  return g_test_run ();
}
