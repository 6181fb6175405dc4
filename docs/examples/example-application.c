/* example-application.c: docs/applications.md, "Testing a service".
 *
 * A program describes its services once -- here a hello server on an
 * endpoint string -- and a test runs the same description on the memory
 * reactor: the service listens on start and stops listening on stop, with
 * no socket opened. */
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

/* The program's description of its services: what main() would call. */
static gboolean
add_hello_service (BraidApplication *app, BraidReactor *reactor,
                   const char *where, GError **error)
{
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (where, error);
  g_autoptr (BraidFactory) factory = braid_factory_new (hello_protocol_get_type ());
  g_autoptr (BraidStreamServerService) service = NULL;

  if (endpoint == NULL)
    return FALSE;
  service = braid_stream_server_service_new (reactor, endpoint, factory);
  braid_service_set_name (BRAID_SERVICE (service), "hello");
  return braid_multi_service_add_service (braid_application_get_root (app),
                                          BRAID_SERVICE (service), error);
}

static void
test_hello_service_listens_while_the_reactor_runs (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidApplication) app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *server;

  g_assert_true (add_hello_service (app, BRAID_REACTOR (reactor), "tcp:8000:interface=127.0.0.1", &error));
  g_assert_true (braid_application_start (app, &error));   /* listens */
  server = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_assert_cmpuint (server->port, ==, 8000);
  g_assert_cmpstr (server->interface, ==, "127.0.0.1");

  braid_reactor_run (BRAID_REACTOR (reactor));    /* starts the services */
  braid_reactor_stop (BRAID_REACTOR (reactor));   /* stops them, in reverse */
  g_assert_false (braid_fake_listening_port_get_listening (
                    BRAID_FAKE_LISTENING_PORT (server->listening_port)));
}

static void
test_a_bad_endpoint_names_the_field (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidApplication) app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (GError) error = NULL;

  g_assert_false (add_hello_service (app, BRAID_REACTOR (reactor), "tcp:80:backlog=x", &error));
  g_assert_cmpstr (error->message, ==, "backlog: 'x' is not a number");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  braid_test_add_func ("/example/application/listens-while-running",
                       test_hello_service_listens_while_the_reactor_runs);
  braid_test_add_func ("/example/application/bad-endpoint", test_a_bad_endpoint_names_the_field);
  return g_test_run ();
}
