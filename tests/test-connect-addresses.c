/* test-connect-addresses.c: connecting to a name that resolves to several
 * addresses tries them all, staggered as in "happy eyeballs" (RFC 8305),
 * the first to connect winning, like Twisted's HostnameEndpoint.
 *
 * A fake resolver (set as GIO's default for the test) answers names under
 * .test (reserved, RFC 6761) with loopback addresses only: ::1 and
 * 127.0.0.1. Nothing leaves the machine. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"

/* --- A resolver that answers from a table ------------------------------ */

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver parent_instance;
  GHashTable *answers;    /* name -> GStrv of addresses, in the order given */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
test_resolver_answer (TestResolver *self, const char *name, GError **error)
{
  GStrv answer = g_hash_table_lookup (self->answers, name);
  GList *addresses = NULL;

  if (answer == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No address for %s (test resolver)", name);
      return NULL;
    }
  for (guint i = 0; answer[i] != NULL; i++)
    addresses = g_list_append (addresses, g_inet_address_new_from_string (answer[i]));
  return addresses;
}

static GList *
test_resolver_lookup_by_name (GResolver *resolver, const char *name,
                              GCancellable *cancellable, GError **error)
{
  return test_resolver_answer (TEST_RESOLVER (resolver), name, error);
}

static void
test_resolver_lookup_by_name_async (GResolver *resolver, const char *name,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = test_resolver_answer (TEST_RESOLVER (resolver), name, &error);

  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static GList *
test_resolver_lookup_by_name_finish (GResolver *resolver, GAsyncResult *result,
                                     GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_finalize (GObject *object)
{
  g_hash_table_unref (TEST_RESOLVER (object)->answers);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  G_RESOLVER_CLASS (klass)->lookup_by_name = test_resolver_lookup_by_name;
  G_RESOLVER_CLASS (klass)->lookup_by_name_async = test_resolver_lookup_by_name_async;
  G_RESOLVER_CLASS (klass)->lookup_by_name_finish = test_resolver_lookup_by_name_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_strfreev);
}

/* Makes @name resolve to @addresses (NULL-terminated) for the rest of the
 * test; test_env_clear_resolver puts GIO's own resolver back. */
static GResolver *saved_resolver;

static void
resolve_name_to (const char *name, const char *const *addresses)
{
  g_autoptr (TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);

  g_hash_table_insert (resolver->answers, g_strdup (name), g_strdupv ((GStrv) addresses));
  saved_resolver = g_resolver_get_default ();
  g_resolver_set_default (G_RESOLVER (resolver));
}

static void
restore_resolver (void)
{
  g_resolver_set_default (saved_resolver);
  g_clear_object (&saved_resolver);
}

/* --- Helpers ----------------------------------------------------------- */

static const char *const ipv6_then_ipv4[] = { "::1", "127.0.0.1", NULL };

static gboolean
have_ipv6_loopback (void)
{
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in6 address = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = bind (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return ok;
}

/* Listens on [::1]:@port with a full accept queue: the kernel drops every
 * further SYN, so a connection to it hangs (until the client gives up)
 * instead of being refused. Returns the listener; *@filler is the one
 * connection that fills the queue. -1 if the port is taken on ::1. */
static int
listen_blackhole_ipv6 (guint16 port, int *filler)
{
  struct sockaddr_in6 address = { .sin6_family = AF_INET6, .sin6_port = htons (port),
                                  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int one = 1;
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), ==, 0);
  if (bind (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      close (fd);
      return -1;
    }
  /* A backlog of 0 holds one finished connection: the filler. */
  g_assert_cmpint (listen (fd, 0), ==, 0);
  *filler = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (*filler, (struct sockaddr *) &address, sizeof address), ==, 0);
  return fd;
}

static char *
peer_of (RecFactory *factory, guint index)
{
  BraidProtocol *protocol = g_ptr_array_index (factory->protocols, index);
  GSocketAddress *peer = braid_transport_get_peer (braid_protocol_get_transport (protocol));
  GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer));

  return g_inet_address_to_string (address);
}

/* --- Tests ------------------------------------------------------------- */

static void
test_localhost_reaches_an_ipv4_server (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  guint16 port;

  g_test_summary ("Connecting to 'localhost' reaches a server that listens on 127.0.0.1 "
                  "only, though the name resolves to ::1 first");
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp (env.reactor, "localhost", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->protocols->len == 1 || client->failed != NULL);
  g_assert_no_error (client->failed);
  WAIT_FOR (&env, server->protocols->len == 1);
  test_env_clear (&env);
}

static void
test_refused_address_moves_on_to_the_next (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *peer = NULL;
  guint16 port;

  g_test_summary ("A name resolving to [::1, 127.0.0.1] with only 127.0.0.1 listening: the "
                  "refusal on ::1 starts the next attempt, which connects; the factory "
                  "hears no failure");
  resolve_name_to ("dual.test", ipv6_then_ipv4);
  test_env_init (&env);
  port = listen_local (&env, BRAID_FACTORY (server));
  braid_reactor_connect_tcp (env.reactor, "dual.test", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->protocols->len == 1 || client->failed != NULL);
  g_assert_no_error (client->failed);
  peer = peer_of (client, 0);
  g_assert_cmpstr (peer, ==, "127.0.0.1");
  WAIT_FOR (&env, server->protocols->len == 1);
  test_env_iterate_for (&env, 0.1);
  g_assert_cmpuint (client->failed_count, ==, 0);
  g_assert_cmpuint (client->protocols->len, ==, 1);
  test_env_clear (&env);
  restore_resolver ();
}

static void
test_every_address_refused_fails_once_with_the_last (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *expected = NULL;
  BraidListeningPort *listening;
  guint16 port;

  g_test_summary ("When every address of a name refuses, the attempt fails once, with the "
                  "last address's error, which names the name and the address");
  resolve_name_to ("dual.test", ipv6_then_ipv4);
  test_env_init (&env);
  listening = braid_reactor_listen_tcp (env.reactor, 0, BRAID_FACTORY (server), "127.0.0.1",
                                        NULL);
  port = braid_listening_port_get_port (listening);
  braid_listening_port_stop_listening (listening);
  braid_reactor_connect_tcp (env.reactor, "dual.test", port, BRAID_CLIENT_FACTORY (client));
  WAIT_FOR (&env, client->failed != NULL);
  g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("dual.test:%u (127.0.0.1:%u)", port, port);
  g_assert_nonnull (strstr (client->failed->message, expected));
  test_env_iterate_for (&env, 0.3);
  g_assert_cmpuint (client->failed_count, ==, 1);
  g_assert_cmpuint (client->protocols->len, ==, 0);
  test_env_clear (&env);
  restore_resolver ();
}

/* Sets up dual.test -> [::1 (hangs), 127.0.0.1 (listening)] on one port.
 * Returns FALSE (test skipped) without IPv6 or if the port is taken. */
static gboolean
set_up_slow_first_address (TestEnv *env, RecFactory *server, guint16 *port,
                           int *blackhole, int *filler)
{
  if (!have_ipv6_loopback ())
    {
      g_test_skip ("no IPv6 loopback");
      return FALSE;
    }
  *port = listen_local (env, BRAID_FACTORY (server));
  *blackhole = listen_blackhole_ipv6 (*port, filler);
  if (*blackhole < 0)
    {
      g_test_skip ("the port is taken on ::1");
      return FALSE;
    }
  resolve_name_to ("dual.test", ipv6_then_ipv4);
  return TRUE;
}

static void
test_slow_address_is_raced_by_the_next (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *peer = NULL;
  int blackhole = -1, filler = -1;
  guint16 port;
  gint64 started;

  g_test_summary ("A first address that neither answers nor refuses does not hold the "
                  "connection up: the next address is tried after a short delay and wins; "
                  "the slow attempt is dropped (skipped without IPv6)");
  test_env_init (&env);
  if (set_up_slow_first_address (&env, server, &port, &blackhole, &filler))
    {
      started = g_get_monotonic_time ();
      braid_reactor_connect_tcp (env.reactor, "dual.test", port, BRAID_CLIENT_FACTORY (client));
      WAIT_FOR (&env, client->protocols->len == 1 || client->failed != NULL);
      g_assert_no_error (client->failed);
      /* Not before the stagger delay: the first attempt had its turn. */
      g_assert_cmpint (g_get_monotonic_time () - started, >=, 200 * 1000);
      peer = peer_of (client, 0);
      g_assert_cmpstr (peer, ==, "127.0.0.1");
      test_env_iterate_for (&env, 0.3);
      g_assert_cmpuint (client->protocols->len, ==, 1);
      g_assert_cmpuint (client->failed_count, ==, 0);
      close (filler);
      close (blackhole);
      restore_resolver ();
    }
  test_env_clear (&env);
}

static void
test_stop_connecting_stops_every_attempt (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autoptr (RecFactory) client = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidConnector *connector;
  int blackhole = -1, filler = -1;
  guint16 port;

  g_test_summary ("stop_connecting while the first address hangs cancels it and the "
                  "pending next attempt: one CANCELLED failure, no connection later "
                  "(skipped without IPv6)");
  test_env_init (&env);
  if (set_up_slow_first_address (&env, server, &port, &blackhole, &filler))
    {
      connector = braid_reactor_connect_tcp (env.reactor, "dual.test", port,
                                             BRAID_CLIENT_FACTORY (client));
      test_env_iterate_for (&env, 0.1);
      braid_connector_stop_connecting (connector);
      WAIT_FOR (&env, client->failed != NULL);
      g_assert_error (client->failed, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      test_env_iterate_for (&env, 0.4);
      g_assert_cmpuint (client->failed_count, ==, 1);
      g_assert_cmpuint (client->protocols->len, ==, 0);
      g_assert_cmpuint (server->protocols->len, ==, 0);
      close (filler);
      close (blackhole);
      restore_resolver ();
    }
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/connect-addresses/localhost-reaches-ipv4-server", test_localhost_reaches_an_ipv4_server);
  braid_test_add_func ("/connect-addresses/refused-moves-on", test_refused_address_moves_on_to_the_next);
  braid_test_add_func ("/connect-addresses/all-refused-fails-once", test_every_address_refused_fails_once_with_the_last);
  braid_test_add_func ("/connect-addresses/slow-address-raced", test_slow_address_is_raced_by_the_next);
  braid_test_add_func ("/connect-addresses/stop-connecting-stops-all", test_stop_connecting_stops_every_attempt);
  return g_test_run ();
}
