/* test-cache-client.c: BraidCacheClient on the memory reactor, with N
 * cache servers (BraidCacheServerFactory) joined to it by loopbacks. */
#include <string.h>

#include <braid.h>
#include <braid-fakes.h>

#define N_SERVERS 3

typedef struct
{
  BraidMemoryReactor *reactor;
  BraidCacheStore *stores[N_SERVERS + 1];
  BraidCacheServerFactory *factories[N_SERVERS + 1];
  BraidCacheClient *client;
  GPtrArray *loopbacks;
  guint connected;          /* tcp client records handled so far */
  gboolean refuse[N_SERVERS + 1];
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->reactor = braid_memory_reactor_new ();
  for (guint i = 0; i <= N_SERVERS; i++)
    {
      f->stores[i] = braid_cache_store_new (BRAID_CLOCK (f->reactor), 1024 * 1024);
      f->factories[i] = braid_cache_server_factory_new (f->stores[i]);
    }
  f->client = braid_cache_client_new (BRAID_REACTOR (f->reactor));
  for (guint i = 0; i < N_SERVERS; i++)
    {
      g_autofree char *host = g_strdup_printf ("10.0.0.%u", i + 1);

      braid_cache_client_add_server (f->client, host, 11211);
    }
  f->loopbacks = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  for (guint i = 0; i < f->loopbacks->len; i++)
    {
      BraidLoopback *loopback = g_ptr_array_index (f->loopbacks, i);

      if (braid_loopback_is_open (loopback))
        {
          braid_loopback_close (loopback);
          braid_loopback_flush (loopback);
        }
    }
  g_ptr_array_unref (f->loopbacks);
  for (guint i = 0; i <= N_SERVERS; i++)
    {
      g_clear_object (&f->factories[i]);
      g_clear_object (&f->stores[i]);
    }
  g_clear_object (&f->reactor);
}

static guint
server_index (const char *host)
{
  return (guint) g_ascii_strtoull (strrchr (host, '.') + 1, NULL, 10) - 1;
}

/* Answers every connection the client asked for since last time: joins
 * it to its server, or refuses it. Then moves every byte both ways. */
static void
pump (Fixture *f)
{
  GPtrArray *records = braid_memory_reactor_get_tcp_clients (f->reactor);

  for (; f->connected < records->len; f->connected++)
    {
      BraidTcpClientRecord *record = g_ptr_array_index (records, f->connected);
      guint index = server_index (record->host);
      BraidProtocol *server;
      BraidProtocol *client;

      g_assert_cmpuint (record->port, ==, 11211);
      if (f->refuse[index])
        {
          g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                            "Connection refused");

          braid_client_factory_client_connection_failed (record->factory, record->connector, refused);
          continue;
        }
      server = braid_factory_build_protocol (BRAID_FACTORY (f->factories[index]), NULL);
      client = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
      g_ptr_array_add (f->loopbacks, braid_loopback_new (server, client));
      g_object_unref (server);
      g_object_unref (client);
    }
  for (guint i = 0; i < f->loopbacks->len; i++)
    braid_loopback_flush (g_ptr_array_index (f->loopbacks, i));
}

static const char *
server_of (Fixture *f, const char *key)
{
  return braid_cache_client_server_for_key (f->client, key);
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) value = g_bytes_new_static ("hello\r\nEND\r\n", 12);
  g_autoptr (BraidDeferred) set = braid_cache_client_set (f->client, "greeting", value, 0, 0);
  g_autoptr (BraidDeferred) get = NULL;
  g_autoptr (BraidDeferred) miss = NULL;
  g_autoptr (BraidDeferred) deleted = NULL;
  g_autoptr (BraidDeferred) again = NULL;
  guint index = server_index (server_of (f, "greeting"));
  GBytes *got;
  gsize len;

  braid_assert_no_result (set);
  pump (f);
  g_assert_true (GPOINTER_TO_INT (braid_assert_success_result (set)));
  /* On its server, and only there. */
  for (guint i = 0; i < N_SERVERS; i++)
    g_assert_cmpint (braid_cache_store_lookup (f->stores[i], "greeting", 8, &len, NULL, NULL) != NULL,
                     ==, i == index);

  get = braid_cache_client_get (f->client, "greeting");
  miss = braid_cache_client_get (f->client, "nothere");
  pump (f);
  got = braid_assert_success_result (get);
  g_assert_true (g_bytes_equal (got, value));
  g_assert_null (braid_assert_success_result (miss));

  deleted = braid_cache_client_delete (f->client, "greeting");
  again = braid_cache_client_delete (f->client, "greeting");
  pump (f);
  g_assert_true (GPOINTER_TO_INT (braid_assert_success_result (deleted)));
  g_assert_false (GPOINTER_TO_INT (braid_assert_success_result (again)));
}

static void
test_pipelined_before_connect (Fixture *f, gconstpointer data)
{
  BraidDeferred *deferreds[20];
  GPtrArray *records;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = g_strdup_printf ("key%u", i);
      g_autoptr (GBytes) value = g_bytes_new (key, strlen (key));

      deferreds[i] = i % 2 == 0 ? braid_cache_client_set (f->client, key, value, 0, 0)
                                : braid_cache_client_get (f->client, key);
    }
  /* One connection per server, however many requests. */
  records = braid_memory_reactor_get_tcp_clients (f->reactor);
  g_assert_cmpuint (records->len, <=, N_SERVERS);
  pump (f);
  for (guint i = 0; i < 20; i++)
    {
      gpointer result = braid_assert_success_result (deferreds[i]);

      if (i % 2 == 0)
        g_assert_true (GPOINTER_TO_INT (result));
      else
        g_assert_null (result);
      braid_deferred_unref (deferreds[i]);
    }
}

static void
test_ketama_spread_and_stability (Fixture *f, gconstpointer data)
{
  const guint n = 3000;
  guint counts[N_SERVERS + 1] = { 0 };
  g_autoptr (GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  guint moved = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("user:%u", i);
      const char *server = server_of (f, key);

      counts[server_index (server)]++;
      g_ptr_array_add (before, g_strdup (server));
    }
  for (guint i = 0; i < N_SERVERS; i++)
    {
      g_test_message ("server %u: %u keys of %u", i, counts[i], n);
      g_assert_cmpuint (counts[i], >, n / N_SERVERS * 0.7);
      g_assert_cmpuint (counts[i], <, n / N_SERVERS * 1.3);
    }

  /* A fourth server takes about a quarter of the keys, each from where it
   * was; no other key moves. */
  braid_cache_client_add_server (f->client, "10.0.0.4", 11211);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("user:%u", i);
      const char *server = server_of (f, key);

      if (strcmp (server, g_ptr_array_index (before, i)) != 0)
        {
          g_assert_cmpstr (server, ==, "10.0.0.4:11211");
          moved++;
        }
    }
  g_test_message ("moved to the new server: %u of %u", moved, n);
  g_assert_cmpuint (moved, >, n / 4 * 0.7);
  g_assert_cmpuint (moved, <, n / 4 * 1.3);
}

static void
test_same_placement_as_libketama (Fixture *f, gconstpointer data)
{
  /* The same servers give the same placement in any client: a client
   * with the servers added in another order agrees on every key. */
  g_autoptr (BraidCacheClient) other = braid_cache_client_new (BRAID_REACTOR (f->reactor));

  braid_cache_client_add_server (other, "10.0.0.3", 11211);
  braid_cache_client_add_server (other, "10.0.0.1", 11211);
  braid_cache_client_add_server (other, "10.0.0.2", 11211);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);

      g_assert_cmpstr (server_of (f, key), ==, braid_cache_client_server_for_key (other, key));
    }
}

static void
test_dead_server_marked_down_and_retried (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidDeferred) first = NULL;
  g_autoptr (BraidDeferred) second = NULL;
  g_autoptr (BraidDeferred) third = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dead = NULL;
  char key[32] = "";

  /* A key of server 10.0.0.2, which refuses connections. */
  for (guint i = 0; ; i++)
    {
      g_snprintf (key, sizeof key, "k%u", i);
      if (strcmp (server_of (f, key), "10.0.0.2:11211") == 0)
        break;
    }
  dead = g_strdup ("10.0.0.2:11211");
  f->refuse[1] = TRUE;
  braid_cache_client_set_retry_delay (f->client, 10);

  first = braid_cache_client_get (f->client, key);
  pump (f);
  error = braid_assert_failure_result (first, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, dead));
  g_assert_false (braid_cache_client_is_server_up (f->client, dead));

  /* Its keys go to the next server meanwhile. */
  g_assert_cmpstr (server_of (f, key), !=, dead);
  second = braid_cache_client_get (f->client, key);
  pump (f);
  g_assert_null (braid_assert_success_result (second));

  /* After the retry delay it is tried again. */
  f->refuse[1] = FALSE;
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f->reactor), 10);
  g_assert_true (braid_cache_client_is_server_up (f->client, dead));
  g_assert_cmpstr (server_of (f, key), ==, dead);
  third = braid_cache_client_get (f->client, key);
  pump (f);
  g_assert_null (braid_assert_success_result (third));
  g_assert_true (braid_cache_client_is_server_up (f->client, "not-a-server:1"));
}

static void
test_all_down (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidDeferred) last = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < N_SERVERS; i++)
    f->refuse[i] = TRUE;
  for (guint i = 0; braid_cache_client_server_for_key (f->client, "x") != NULL; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autoptr (BraidDeferred) attempt = braid_cache_client_get (f->client, key);
      g_autoptr (GError) refused = NULL;

      pump (f);
      refused = braid_assert_failure_result (attempt, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      g_assert_cmpuint (i, <, N_SERVERS);
    }
  last = braid_cache_client_get (f->client, "x");
  error = braid_assert_failure_result (last, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE);
  /* The retries are on the clock, and run out with it. */
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f->reactor), BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY);
  g_assert_nonnull (braid_cache_client_server_for_key (f->client, "x"));
}

static void
test_lost_with_requests_waiting (Fixture *f, gconstpointer data)
{
  g_autofree char *home = g_strdup (server_of (f, "k"));
  g_autoptr (BraidDeferred) first = braid_cache_client_get (f->client, "k");
  g_autoptr (BraidDeferred) second = NULL;
  g_autoptr (BraidDeferred) after = NULL;
  g_autoptr (GError) error = NULL;
  BraidLoopback *loopback;

  pump (f);
  braid_assert_success_result (first);
  loopback = g_ptr_array_index (f->loopbacks, 0);
  second = braid_cache_client_get (f->client, "k");
  /* The server goes away before it answers. */
  braid_transport_abort_connection (braid_loopback_get_server_transport (loopback));
  braid_loopback_flush (loopback);
  error = braid_assert_failure_result (second, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_false (braid_cache_client_is_server_up (f->client, home));
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (f->reactor), BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY);
  after = braid_cache_client_get (f->client, "k");
  pump (f);
  g_assert_null (braid_assert_success_result (after));
}

static void
test_idle_close_reconnects (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidDeferred) first = braid_cache_client_get (f->client, "k");
  g_autoptr (BraidDeferred) second = NULL;
  BraidLoopback *loopback;

  pump (f);
  braid_assert_success_result (first);
  loopback = g_ptr_array_index (f->loopbacks, 0);
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
  g_assert_true (braid_cache_client_is_server_up (f->client, server_of (f, "k")));
  second = braid_cache_client_get (f->client, "k");
  pump (f);
  g_assert_null (braid_assert_success_result (second));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (f->reactor)->len, ==, 2);
}

static void
test_server_error_reply (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) big = g_bytes_new_take (g_malloc0 (2000), 2000);
  g_autoptr (BraidDeferred) set = NULL;
  g_autoptr (BraidDeferred) get = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < N_SERVERS; i++)
    braid_cache_store_set_max_item_size (f->stores[i], 1000);
  set = braid_cache_client_set (f->client, "big", big, 0, 0);
  get = braid_cache_client_get (f->client, "big");
  pump (f);
  error = braid_assert_failure_result (set, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "memcached replied: SERVER_ERROR object too large for cache");
  /* The connection goes on. */
  g_assert_null (braid_assert_success_result (get));
}

static void
test_bad_key (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);
  g_autoptr (BraidDeferred) get = braid_cache_client_get (f->client, "has space");
  g_autoptr (BraidDeferred) set = braid_cache_client_set (f->client, "", value, 0, 0);
  g_autoptr (BraidDeferred) del = braid_cache_client_delete (f->client, "ctl\x01");
  g_autoptr (GError) e1 = braid_assert_failure_result (get, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_autoptr (GError) e2 = braid_assert_failure_result (set, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_autoptr (GError) e3 = braid_assert_failure_result (del, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (f->reactor)->len, ==, 0);
}

static void
test_no_servers (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (BraidDeferred) get = braid_cache_client_get (client, "k");
  g_autoptr (GError) error = braid_assert_failure_result (get, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE);

  g_assert_null (braid_cache_client_server_for_key (client, "k"));
}

static void
test_nonsense_reply (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  const char *replies[] = { "HELLO\r\n", "END\n", "VALUE k 0 x\r\n", "VALUE k 0 1\r\nxyEND\r\n\r\n", "STORED\r\n" };

  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autoptr (BraidDeferred) get = braid_cache_client_get (client, "k");
      BraidTcpClientRecord *record = braid_memory_reactor_get_tcp_client (reactor, i);
      g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
      g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
      g_autoptr (GError) error = NULL;

      braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
      braid_assert_transport_wrote (transport, "get k\r\n");
      g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*closing the connection to memcached server 10.0.0.1:11211: a reply that makes no sense*");
      braid_test_receive (protocol, replies[i]);
      g_test_assert_expected_messages ();
      g_assert_true (braid_string_transport_get_aborted (transport));
      {
        g_autoptr (GError) reason = braid_test_new_close_reason (FALSE);

        braid_protocol_connection_lost (protocol, reason);
      }
      error = braid_assert_failure_result (get, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY);
    }
}

static void
test_reply_in_pieces (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (BraidDeferred) get = NULL;
  g_autoptr (BraidDeferred) del = NULL;
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  const char *reply = "VALUE k 3 5\r\nab\r\nc\r\nEND\r\nDELETED\r\n";
  GBytes *value;

  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  get = braid_cache_client_get (client, "k");
  del = braid_cache_client_delete (client, "k");
  protocol = braid_factory_build_protocol (BRAID_FACTORY (braid_memory_reactor_get_tcp_client (reactor, 0)->factory), NULL);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_assert_transport_wrote (transport, "get k\r\ndelete k\r\n");
  for (gsize i = 0; reply[i] != '\0'; i++)
    braid_protocol_data_received (protocol, (const guint8 *) reply + i, 1);
  value = braid_assert_success_result (get);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), "ab\r\nc", 5);
  g_assert_true (GPOINTER_TO_INT (braid_assert_success_result (del)));

  /* Disconnecting fails what waits, and connects again on next use. */
  {
    g_autoptr (BraidDeferred) waiting = braid_cache_client_get (client, "k");
    g_autoptr (BraidDeferred) later = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) cancelled = NULL;
    g_autoptr (GError) reason = braid_test_new_close_reason (TRUE);

    braid_cache_client_disconnect (client);
    cancelled = braid_assert_failure_result (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    braid_protocol_connection_lost (protocol, reason);
    later = braid_cache_client_get (client, "k");
    g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (reactor)->len, ==, 2);
    braid_assert_no_result (later);
    g_clear_object (&client);
    error = braid_assert_failure_result (later, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

/* A client with one server, its first connection made on a string
 * transport; returns the client side's protocol. */
static BraidProtocol *
connect_one (BraidMemoryReactor *reactor, BraidCacheClient *client, guint index,
             BraidStringTransport *transport)
{
  BraidTcpClientRecord *record = braid_memory_reactor_get_tcp_client (reactor, index);
  BraidProtocol *protocol = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  return protocol;
}

static void
test_store_and_delete_replies (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (BraidDeferred) set = NULL;
  g_autoptr (BraidDeferred) del = NULL;
  g_autoptr (BraidDeferred) error_get = NULL;
  g_autoptr (BraidDeferred) client_error = NULL;
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;

  g_test_summary ("NOT_STORED and NOT_FOUND fire FALSE; ERROR and CLIENT_ERROR fail only "
                  "their request, with the server's line");
  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  set = braid_cache_client_set (client, "k", value, 5, 60);
  del = braid_cache_client_delete (client, "k");
  error_get = braid_cache_client_get (client, "k");
  client_error = braid_cache_client_get (client, "k");
  protocol = connect_one (reactor, client, 0, transport);
  braid_assert_transport_wrote (transport, "set k 5 60 1\r\nv\r\ndelete k\r\nget k\r\nget k\r\n");
  braid_test_receive (protocol, "NOT_STORED\r\nNOT_FOUND\r\nERROR\r\n"
                                "CLIENT_ERROR bad command line format\r\n");
  g_assert_false (GPOINTER_TO_INT (braid_assert_success_result (set)));
  g_assert_false (GPOINTER_TO_INT (braid_assert_success_result (del)));
  e1 = braid_assert_failure_result (error_get, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (e1->message, ==, "memcached replied: ERROR");
  e2 = braid_assert_failure_result (client_error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (e2->message, ==, "memcached replied: CLIENT_ERROR bad command line format");
  g_assert_false (braid_string_transport_get_aborted (transport));
  braid_test_lose_connection (protocol, TRUE);
}

/* One request of @kind answered by @reply: the connection is aborted with a
 * logged reason and the request fails. */
static void
assert_nonsense (const char *kind, const char *reply)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (BraidDeferred) request = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) reason = braid_test_new_close_reason (FALSE);

  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  request = strcmp (kind, "set") == 0 ? braid_cache_client_set (client, "k", value, 0, 0)
            : strcmp (kind, "delete") == 0 ? braid_cache_client_delete (client, "k")
            : braid_cache_client_get (client, "k");
  protocol = connect_one (reactor, client, 0, transport);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*a reply that makes no sense*");
  braid_test_receive (protocol, reply);
  g_test_assert_expected_messages ();
  g_assert_true (braid_string_transport_get_aborted (transport));
  braid_protocol_connection_lost (protocol, reason);
  error = braid_assert_failure_result (request, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (braid_cache_client_is_server_up (client, "10.0.0.1:11211"));
}

static void
test_nonsense_replies_by_kind (void)
{
  g_test_summary ("A reply that fits no request of its kind, an empty line, a VALUE line "
                  "with too few fields: the connection is dropped and the request fails");
  assert_nonsense ("set", "EXISTS\r\n");
  assert_nonsense ("set", "DELETED\r\n");
  assert_nonsense ("delete", "STORED\r\n");
  assert_nonsense ("delete", "NOT_STORED\r\n");
  assert_nonsense ("get", "\n");
  assert_nonsense ("get", "ENX\r\n");
  assert_nonsense ("get", "VALUE k 0\r\n");
  assert_nonsense ("get", "VALUES k 0 1\r\n");
}

static void
test_reply_with_nothing_asked (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (BraidDeferred) get = NULL;
  g_autoptr (GError) reason = braid_test_new_close_reason (FALSE);

  g_test_summary ("A reply to no request (a second END) drops the connection; the "
                  "request already answered keeps its result, and the server stays up");
  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  get = braid_cache_client_get (client, "k");
  protocol = connect_one (reactor, client, 0, transport);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE, "*a reply that makes no sense*");
  braid_test_receive (protocol, "END\r\nEND\r\n");
  g_test_assert_expected_messages ();
  g_assert_null (braid_assert_success_result (get));
  g_assert_true (braid_string_transport_get_aborted (transport));
  braid_protocol_connection_lost (protocol, reason);
  /* Nothing was waiting: an idle close, not a failure. */
  g_assert_true (braid_cache_client_is_server_up (client, "10.0.0.1:11211"));
}

static void
test_connection_after_the_client_is_gone (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidProtocol) protocol = NULL;
  g_autoptr (BraidDeferred) get = NULL;
  g_autoptr (BraidDeferred) other = NULL;
  g_autoptr (GError) cancelled = NULL;
  g_autoptr (GError) other_cancelled = NULL;
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                    "Connection refused");
  g_autoptr (GError) reason = braid_test_new_close_reason (TRUE);
  BraidTcpClientRecord *first, *second;

  g_test_summary ("Once the client is freed, its connectors are disconnected and what they "
                  "still report (a connection made, data, a loss, a failure) is ignored");
  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  braid_cache_client_add_server (client, "10.0.0.2", 11211);
  get = braid_cache_client_get (client, "k1");
  other = braid_cache_client_get (client, "k2");
  g_assert_cmpstr (braid_cache_client_server_for_key (client, "k1"), !=,
                   braid_cache_client_server_for_key (client, "k2"));
  first = braid_memory_reactor_get_tcp_client (reactor, 0);
  second = braid_memory_reactor_get_tcp_client (reactor, 1);
  g_clear_object (&client);
  cancelled = braid_assert_failure_result (get, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  other_cancelled = braid_assert_failure_result (other, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (braid_fake_connector_get_disconnected (BRAID_FAKE_CONNECTOR (first->connector)));
  g_assert_true (braid_fake_connector_get_disconnected (BRAID_FAKE_CONNECTOR (second->connector)));

  protocol = braid_factory_build_protocol (BRAID_FACTORY (first->factory), NULL);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_test_receive (protocol, "END\r\n");
  braid_protocol_connection_lost (protocol, reason);
  braid_assert_transport_wrote (transport, "");
  g_assert_false (braid_string_transport_get_aborted (transport));
  braid_client_factory_client_connection_failed (second->factory, second->connector, refused);
}

static void
test_freed_while_a_server_is_down (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  g_autoptr (BraidDeferred) get = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                    "Connection refused");
  BraidTcpClientRecord *record;

  g_test_summary ("Freeing the client cancels the retry of a server marked down: no call "
                  "is left on the clock");
  braid_cache_client_add_server (client, "10.0.0.1", 11211);
  get = braid_cache_client_get (client, "k");
  record = braid_memory_reactor_get_tcp_client (reactor, 0);
  braid_client_factory_client_connection_failed (record->factory, record->connector, refused);
  error = braid_assert_failure_result (get, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_false (braid_cache_client_is_server_up (client, "10.0.0.1:11211"));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 1);
  g_clear_object (&client);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);
}

static void
test_disconnect_each_state (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidDeferred) connected = braid_cache_client_get (f->client, "k");
  g_autoptr (BraidDeferred) cut = NULL;
  g_autoptr (BraidDeferred) waiting = NULL;
  g_autoptr (BraidDeferred) again = NULL;
  g_autoptr (GError) cut_error = NULL;
  g_autoptr (GError) waiting_error = NULL;
  g_autofree char *home = g_strdup (server_of (f, "k"));
  char other[32] = "";
  BraidTcpClientRecord *record;
  BraidLoopback *loopback;

  g_test_summary ("disconnect with one server connected (a reply half read), one connecting "
                  "and one never used: each request fails CANCELLED, the connector is "
                  "disconnected, and the next use connects again");
  pump (f);
  g_assert_null (braid_assert_success_result (connected));
  for (guint i = 0; ; i++)
    {
      g_snprintf (other, sizeof other, "o%u", i);
      if (strcmp (server_of (f, other), home) != 0)
        break;
    }
  /* Half a reply waits in the connected server's buffer. */
  cut = braid_cache_client_get (f->client, "k");
  loopback = g_ptr_array_index (f->loopbacks, 0);
  braid_transport_write_string (braid_loopback_get_server_transport (loopback), "VALUE k 0 5\r\nab");
  braid_loopback_pump_once (loopback);
  braid_assert_no_result (cut);
  waiting = braid_cache_client_get (f->client, other);
  record = braid_memory_reactor_get_tcp_client (f->reactor, 1);
  braid_cache_client_disconnect (f->client);
  cut_error = braid_assert_failure_result (cut, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  waiting_error = braid_assert_failure_result (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (braid_fake_connector_get_disconnected (BRAID_FAKE_CONNECTOR (record->connector)));
  f->connected = 2;   /* the disconnected attempt is never answered */
  /* The server's END reaches a connection the client has let go of. */
  braid_loopback_flush (loopback);
  again = braid_cache_client_get (f->client, other);
  pump (f);
  g_assert_null (braid_assert_success_result (again));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (f->reactor)->len, ==, 3);
}

#define ADD(path, func) \
  g_test_add ("/cache-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("round-trip", test_round_trip);
  ADD ("pipelined-before-connect", test_pipelined_before_connect);
  ADD ("ketama-spread-and-stability", test_ketama_spread_and_stability);
  ADD ("same-placement-whatever-the-order", test_same_placement_as_libketama);
  ADD ("dead-server-marked-down-and-retried", test_dead_server_marked_down_and_retried);
  ADD ("all-down", test_all_down);
  ADD ("lost-with-requests-waiting", test_lost_with_requests_waiting);
  ADD ("idle-close-reconnects", test_idle_close_reconnects);
  ADD ("server-error-reply", test_server_error_reply);
  ADD ("bad-key", test_bad_key);
  ADD ("disconnect-each-state", test_disconnect_each_state);
  g_test_add_func ("/cache-client/no-servers", test_no_servers);
  g_test_add_func ("/cache-client/nonsense-reply", test_nonsense_reply);
  g_test_add_func ("/cache-client/reply-in-pieces", test_reply_in_pieces);
  g_test_add_func ("/cache-client/store-and-delete-replies", test_store_and_delete_replies);
  g_test_add_func ("/cache-client/nonsense-replies-by-kind", test_nonsense_replies_by_kind);
  g_test_add_func ("/cache-client/reply-with-nothing-asked", test_reply_with_nothing_asked);
  g_test_add_func ("/cache-client/connection-after-the-client-is-gone",
                   test_connection_after_the_client_is_gone);
  g_test_add_func ("/cache-client/freed-while-a-server-is-down", test_freed_while_a_server_is_down);
  return g_test_run ();
}
