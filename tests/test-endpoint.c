/* test-endpoint.c: endpoints from strings, parsed and listened on / 
 * connected with the memory reactor. */
#include "test-protocols.h"
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <braid-fakes.h>

static void
assert_parse (const char *text, const char *type, const char *args, const char *kwargs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidEndpointDescription) parsed = braid_endpoint_description_parse (text, &error);
  g_autofree char *joined = NULL;
  g_autoptr (GString) pairs = g_string_new (NULL);
  g_autoptr (GList) keys = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (parsed->type, ==, type);
  joined = g_strjoinv ("|", parsed->args);
  g_assert_cmpstr (joined, ==, args);
  keys = g_list_sort (g_hash_table_get_keys (parsed->kwargs), (GCompareFunc) g_strcmp0);
  for (GList *key = keys; key != NULL; key = key->next)
    g_string_append_printf (pairs, "%s=%s;", (char *) key->data,
                            (char *) g_hash_table_lookup (parsed->kwargs, key->data));
  g_assert_cmpstr (pairs->str, ==, kwargs);
}

static void
test_description_is_taken_apart_as_twisted_does (void)
{
  assert_parse ("tcp:8000", "tcp", "8000", "");
  assert_parse ("TCP:8000:interface=127.0.0.1:backlog=5", "tcp", "8000",
                "backlog=5;interface=127.0.0.1;");
  /* Only the first '=' of a piece separates; the rest is value. */
  assert_parse ("a:b=c=d", "a", "", "b=c=d;");
  /* Backslash escapes ':' and '=' (and anything). */
  assert_parse ("unix:/tmp/a\\:b\\=c", "unix", "/tmp/a:b=c", "");
  assert_parse ("tcp6:8000:interface=\\:\\:1", "tcp6", "8000", "interface=::1;");
  assert_parse ("x:\\\\", "x", "\\", "");
  /* Empty pieces are kept, as in Twisted. */
  assert_parse ("x::y", "x", "|y", "");
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
test_bad_server_strings_name_the_field (void)
{
  assert_server_error ("tcp:80:backlog=x", "backlog: 'x' is not a number");
  assert_server_error ("tcp:80:backlog=0", "backlog: '0' is out of range (1-2147483647)");
  assert_server_error ("tcp:http", "port: 'http' is not a number");
  assert_server_error ("tcp:70000", "port: '70000' is out of range (0-65535)");
  assert_server_error ("tcp:-1", "port: '-1' is not a number");
  assert_server_error ("tcp", "port: missing (tcp:PORT)");
  assert_server_error ("tcp:80:port=81", "port: given twice, as '80' and as port=81");
  assert_server_error ("tcp:80:interface=\\:\\:1", "interface: '::1' is not an IPv4 address");
  assert_server_error ("tcp6:80:interface=127.0.0.1", "interface: '127.0.0.1' is not an IPv6 address");
  assert_server_error ("tcp:80:interface=localhost", "interface: 'localhost' is not an IPv4 address");
  assert_server_error ("tcp:80:colour=blue", "tcp: unknown option 'colour'");
  assert_server_error ("tcp:80:81", "tcp: unexpected argument '81'");
  assert_server_error ("tcp:80:backlog=1:backlog=2", "backlog: given twice in 'tcp:80:backlog=1:backlog=2'");
  assert_server_error ("ftp:21", "endpoint: unknown type 'ftp' (known: tcp, tcp6, unix, systemd, tls)");
  assert_server_error ("", "endpoint: '' does not start with a type (tcp:, unix:...)");
  assert_server_error ("=x", "endpoint: '=x' does not start with a type (tcp:, unix:...)");
  assert_server_error ("tcp:80\\", "endpoint: 'tcp:80\\\\' ends with a backslash that escapes nothing");
  assert_server_error ("unix:/s:mode=999", "mode: '999' is not an octal file mode (such as 0660)");
  assert_server_error ("unix:/s:lockfile=yes", "lockfile: 'yes' is not 0 or 1");
  assert_server_error ("tcp:80:reuseport=yes", "reuseport: 'yes' is not 0 or 1");
  assert_server_error ("unix:/s:reuseport=1", "unix: unknown option 'reuseport'");
  assert_server_error ("unix:", "address: the path is empty");
  assert_server_error ("unix", "address: missing (unix:PATH)");
  assert_server_error ("systemd:domain=IPX:index=0", "domain: 'IPX' is not INET, INET6 or UNIX");
  assert_server_error ("systemd:domain=INET", "index: missing (systemd:domain=INET:index=N)");
  assert_server_error ("systemd:index=0", "domain: missing (systemd:domain=INET:index=N)");
  /* Control bytes in the offending text are shown escaped. */
  assert_server_error ("tcp:8\n0", "port: '8\\n0' is not a number");
}

static void
test_bad_client_strings_name_the_field (void)
{
  assert_client_error ("tcp:host=example.com", "port: missing (tcp:host=H:port=P)");
  assert_client_error ("tcp:port=80", "host: missing (tcp:host=H:port=P)");
  assert_client_error ("tcp:host=h:port=0", "port: '0' is out of range (1-65535)");
  assert_client_error ("tcp:host=h:port=80:timeout=soon", "timeout: 'soon' is not a number");
  assert_client_error ("tcp:host=h:port=80:timeout=0", "timeout: '0' is not more than zero seconds");
  assert_client_error ("tcp:host=h:port=80:timeout=inf", "timeout: 'inf' is not a number");
  assert_client_error ("tcp:host=h:port=80:bindAddress=here", "bindAddress: 'here' is not an IP address");
  assert_client_error ("tcp:host=:port=80", "host: the name is empty");
  assert_client_error ("unix:timeout=1", "path: missing (unix:path=P)");
  assert_client_error ("tcp6:host=h:port=1", "endpoint: unknown type 'tcp6' (known: tcp, unix, tls)");
}

static BraidListeningPort *
listen_on (BraidMemoryReactor *reactor, const char *text, BraidFactory *factory, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (text, &parse_error);

  g_assert_no_error (parse_error);
  g_assert_cmpstr (braid_server_endpoint_get_description (endpoint), ==, text);
  return braid_server_endpoint_listen (endpoint, BRAID_REACTOR (reactor), factory, error);
}

static void
test_tcp_server_listens_through_the_reactor (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  BraidTcpServerRecord *record;

  g_assert_nonnull (listen_on (reactor, "tcp:8000", factory, NULL));
  g_assert_nonnull (listen_on (reactor, "tcp:port=8001:interface=127.0.0.1:backlog=7", factory, NULL));
  g_assert_nonnull (listen_on (reactor, "tcp6:8002", factory, NULL));
  g_assert_nonnull (listen_on (reactor, "tcp6:0:interface=\\:\\:1", factory, NULL));

  record = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_cmpstr (record->interface, ==, "0.0.0.0");
  g_assert_cmpint (record->backlog, ==, BRAID_DEFAULT_BACKLOG);
  g_assert_true (record->factory == factory);
  record = braid_memory_reactor_get_tcp_server (reactor, 1);
  g_assert_cmpuint (record->port, ==, 8001);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_cmpint (record->backlog, ==, 7);
  record = braid_memory_reactor_get_tcp_server (reactor, 2);
  g_assert_cmpstr (record->interface, ==, "::");
  record = braid_memory_reactor_get_tcp_server (reactor, 3);
  g_assert_cmpuint (record->port, ==, 0);
  g_assert_cmpstr (record->interface, ==, "::1");
}

static void
test_unix_server_mode_and_lockfile (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("braid-endpoint-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "app.sock", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autofree char *text = g_strdup_printf ("unix:%s:mode=0640:lockfile=1:backlog=3", path);
  g_autofree char *again = g_strdup_printf ("unix:address=%s:lockfile=1", path);
  g_autofree char *lock_contents = NULL;
  g_autofree char *expected = NULL;
  BraidUnixServerRecord *record;
  BraidListeningPort *port;
  struct stat st;

  /* The memory reactor binds nothing: the file stands for the socket. */
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  port = listen_on (reactor, text, factory, &error);
  g_assert_nonnull (port);
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_unix_servers (reactor), 0);
  g_assert_cmpstr (record->path, ==, path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  g_assert_true (g_file_get_contents (lock, &lock_contents, NULL, NULL));
  expected = g_strdup_printf ("%d\n", (int) getpid ());
  g_assert_cmpstr (lock_contents, ==, expected);

  /* The lock names a live process (this one): a second listen is refused. */
  g_assert_null (listen_on (reactor, again, factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  /* Stopping releases the lock; the address can be listened on again. */
  g_assert_nonnull (braid_listening_port_get_host (port));
  braid_listening_port_stop_listening (port);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  port = listen_on (reactor, again, factory, &error);
  g_assert_no_error (error);
  braid_listening_port_stop_listening (port);

  /* A stale lock (no such process) is replaced, its socket file removed. */
  g_assert_true (g_file_set_contents (lock, "2147483646\n", -1, NULL));
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  port = listen_on (reactor, again, factory, &error);
  g_assert_nonnull (port);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  braid_listening_port_stop_listening (port);
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_unix_server_mode_failure_stops_listening (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  BraidUnixServerRecord *record;

  /* No socket file is made by the memory reactor, so chmod fails. */
  g_assert_null (listen_on (reactor, "unix:/nonexistent/braid.sock:mode=0600", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "mode: cannot chmod /nonexistent/braid.sock to 0600"));
  record = g_ptr_array_index (braid_memory_reactor_get_unix_servers (reactor), 0);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
}

static void
test_systemd_checks_the_environment (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());

  g_unsetenv ("LISTEN_PID");
  g_unsetenv ("LISTEN_FDS");
  g_assert_null (listen_on (reactor, "systemd:domain=INET:index=0", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_setenv ("LISTEN_PID", pid, TRUE);
  g_setenv ("LISTEN_FDS", "1", TRUE);
  g_assert_null (listen_on (reactor, "systemd:domain=inet6:index=1", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "index: 1 is past the 1 socket(s) systemd passed");
  g_clear_error (&error);
  g_unsetenv ("LISTEN_PID");
  g_unsetenv ("LISTEN_FDS");
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 0);
  g_assert_cmpuint (braid_memory_reactor_get_adopted_ports (reactor)->len, ==, 0);
}

static void
test_systemd_adopts_the_passed_socket (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  BraidAdoptedPortRecord *record;
  BraidListeningPort *port;
  GSocketAddress *host;

  g_test_summary ("systemd:domain=D:index=N adopts file descriptor 3 + N, of domain D, "
                  "through the reactor: on the memory reactor, with no socket");
  g_setenv ("LISTEN_PID", pid, TRUE);
  g_setenv ("LISTEN_FDS", "2", TRUE);
  port = listen_on (reactor, "systemd:domain=INET6:index=1", factory, &error);
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_adopted_ports (reactor), 0);
  g_assert_cmpint (record->fd, ==, 4);
  g_assert_cmpint (record->family, ==, G_SOCKET_FAMILY_IPV6);
  g_assert_true (record->factory == factory);
  g_assert_true (record->listening_port == port);
  g_assert_cmpuint (braid_factory_get_num_users (factory), ==, 1);
  host = braid_listening_port_get_host (port);
  g_assert_cmpint (g_socket_address_get_family (host), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (host)), ==, 0);

  port = listen_on (reactor, "systemd:domain=UNIX:index=0", factory, &error);
  g_assert_no_error (error);
  record = g_ptr_array_index (braid_memory_reactor_get_adopted_ports (reactor), 1);
  g_assert_cmpint (record->fd, ==, 3);
  g_assert_cmpint (record->family, ==, G_SOCKET_FAMILY_UNIX);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (braid_listening_port_get_host (port)));
  braid_listening_port_stop_listening (port);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (port)));

  {
    g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no");

    braid_memory_reactor_set_listen_error (reactor, refused);
    g_assert_null (listen_on (reactor, "systemd:domain=INET:index=0", factory, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    g_assert_cmpstr (error->message, ==, "systemd: socket 0: no");
    braid_memory_reactor_set_listen_error (reactor, NULL);
  }
  g_unsetenv ("LISTEN_PID");
  g_unsetenv ("LISTEN_FDS");
}

static void
test_memory_reactor_adopts_only_socket_families (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;

  g_test_summary ("The memory reactor, like the real one, refuses to adopt a socket "
                  "of a family that cannot listen for streams");
  g_assert_null (braid_reactor_adopt_stream_port (BRAID_REACTOR (reactor), 3, G_SOCKET_FAMILY_INVALID,
                                                  factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (braid_memory_reactor_get_adopted_ports (reactor)->len, ==, 0);
  g_assert_cmpuint (braid_factory_get_num_users (factory), ==, 0);
}

static void
test_tcp_reuseport_shares_the_port (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *record;

  g_test_summary ("tcp:PORT:reuseport=1 listens with SO_REUSEPORT: two such ports share "
                  "the port number; one without it is refused, as the kernel refuses it");
  g_assert_nonnull (listen_on (reactor, "tcp:8000:interface=127.0.0.1:reuseport=1", factory, &error));
  g_assert_no_error (error);
  g_assert_nonnull (listen_on (reactor, "tcp:8000:interface=127.0.0.1:reuseport=1", factory, &error));
  g_assert_no_error (error);
  record = braid_memory_reactor_get_tcp_server (reactor, 1);
  g_assert_true (record->reuse_port);
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_null (listen_on (reactor, "tcp:8000:interface=127.0.0.1", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_nonnull (listen_on (reactor, "tcp:8001:interface=127.0.0.1:reuseport=0", factory, &error));
  g_assert_false (braid_memory_reactor_get_tcp_server (reactor, 2)->reuse_port);
  g_assert_null (listen_on (reactor, "tcp:8001:interface=127.0.0.1:reuseport=1", factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
}

static BraidConnector *
connect_to (BraidMemoryReactor *reactor, const char *text, BraidClientFactory *factory)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidClientEndpoint) endpoint = braid_client_endpoint_new_for_string (text, &error);
  BraidConnector *connector;

  g_assert_no_error (error);
  connector = braid_client_endpoint_connect (endpoint, BRAID_REACTOR (reactor), factory, &error);
  g_assert_no_error (error);
  return connector;
}

static void
test_clients_connect_through_the_reactor (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidClientFactory) factory = braid_client_factory_new (BRAID_TYPE_PROTOCOL);
  BraidTcpClientRecord *tcp;
  BraidUnixClientRecord *unix_client;
  g_autofree char *bound = NULL;

  g_assert_nonnull (connect_to (reactor, "tcp:host=example.com:port=80", factory));
  g_assert_nonnull (connect_to (reactor, "tcp:\\:\\:1:8080:timeout=2.5:bindAddress=\\:\\:1", factory));
  g_assert_nonnull (connect_to (reactor, "unix:path=/run/app.sock:timeout=4", factory));
  g_assert_nonnull (connect_to (reactor, "unix:/run/other.sock", factory));

  tcp = braid_memory_reactor_get_tcp_client (reactor, 0);
  g_assert_cmpstr (tcp->host, ==, "example.com");
  g_assert_cmpuint (tcp->port, ==, 80);
  g_assert_cmpfloat (tcp->timeout, ==, BRAID_DEFAULT_CONNECT_TIMEOUT);
  g_assert_null (tcp->bind_address);
  tcp = braid_memory_reactor_get_tcp_client (reactor, 1);
  g_assert_cmpstr (tcp->host, ==, "::1");
  g_assert_cmpuint (tcp->port, ==, 8080);
  g_assert_cmpfloat (tcp->timeout, ==, 2.5);
  bound = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (tcp->bind_address)));
  g_assert_cmpstr (bound, ==, "::1");
  unix_client = g_ptr_array_index (braid_memory_reactor_get_unix_clients (reactor), 0);
  g_assert_cmpstr (unix_client->path, ==, "/run/app.sock");
  g_assert_cmpfloat (unix_client->timeout, ==, 4);
  unix_client = g_ptr_array_index (braid_memory_reactor_get_unix_clients (reactor), 1);
  g_assert_cmpstr (unix_client->path, ==, "/run/other.sock");
}

/* The hook for tls: (another issue): a registered type parses its string. */
static BraidServerEndpoint *
parse_test_type (const BraidEndpointDescription *description, GError **error)
{
  if (g_hash_table_lookup (description->kwargs, "certificate") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "certificate: missing");
      return NULL;
    }
  return g_object_new (BRAID_TYPE_SERVER_ENDPOINT, NULL);
}

static void
test_registered_type_is_parsed_by_its_parser (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = NULL;

  braid_server_endpoint_register_type ("TestTLS", parse_test_type);
  assert_server_error ("testtls:443", "certificate: missing");
  assert_server_error ("nope:1", "endpoint: unknown type 'nope' (known: tcp, tcp6, unix, systemd, testtls, tls)");
  endpoint = braid_server_endpoint_new_for_string ("testtls:443:certificate=a.pem", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (braid_server_endpoint_get_description (endpoint), ==, "testtls:443:certificate=a.pem");
  /* A subclass must say how to listen; the base class refuses clearly. */
  g_assert_null (braid_server_endpoint_listen (endpoint, BRAID_REACTOR (reactor), factory, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
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

static gdouble
ten_seconds (guint failed_attempts, gpointer user_data)
{
  return 10;
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Endpoints from strings: Twisted's syntax, errors that name the field, "
                  "listening and connecting through the reactor interface");

  braid_test_add_func ("/endpoint/parse", test_description_is_taken_apart_as_twisted_does);
  braid_test_add_func ("/endpoint/server-errors", test_bad_server_strings_name_the_field);
  braid_test_add_func ("/endpoint/client-errors", test_bad_client_strings_name_the_field);
  braid_test_add_func ("/endpoint/tcp-server", test_tcp_server_listens_through_the_reactor);
  braid_test_add_func ("/endpoint/unix-server", test_unix_server_mode_and_lockfile);
  braid_test_add_func ("/endpoint/unix-mode-failure", test_unix_server_mode_failure_stops_listening);
  braid_test_add_func ("/endpoint/systemd", test_systemd_checks_the_environment);
  braid_test_add_func ("/endpoint/systemd-adopts", test_systemd_adopts_the_passed_socket);
  braid_test_add_func ("/endpoint/memory-reactor-adopt-families", test_memory_reactor_adopts_only_socket_families);
  braid_test_add_func ("/endpoint/tcp-reuseport", test_tcp_reuseport_shares_the_port);
  braid_test_add_func ("/endpoint/clients", test_clients_connect_through_the_reactor);
  braid_test_add_func ("/endpoint/registered-type", test_registered_type_is_parsed_by_its_parser);

  braid_test_add_func ("/endpoint/description-copy", test_description_copy);
  braid_test_add_func ("/endpoint/registered-client-type", test_registered_client_type_must_say_how_to_connect);
  braid_test_add_func ("/endpoint/unix-lock-released-on-failure", test_unix_lock_released_when_listening_fails);
  braid_test_add_func ("/endpoint/more-bad-strings", test_more_bad_strings);
  braid_test_add_func ("/endpoint/endpoints-without-string", test_endpoints_made_without_a_string_refuse_clearly);
  braid_test_add_func ("/endpoint/systemd-pid", test_systemd_pid_must_be_ours);
  braid_test_add_func ("/endpoint/unix-lock-garbage", test_unix_lock_with_garbage_is_stale_and_stopping_twice_is_fine);
  braid_test_add_func ("/endpoint/client-cannot-connect", test_client_endpoint_that_cannot_connect_is_a_failure);

  return g_test_run ();
}
