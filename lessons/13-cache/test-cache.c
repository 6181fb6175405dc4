/* test-cache.c: lesson 13's cache, step by step, on fakes: PyCached's line
 * protocol on a string transport, expiry on a fake clock, the LRU bound,
 * memcached's protocol, the HTTP status page, and the client over three
 * servers. */
#include <string.h>

#include <braid-fakes.h>

#include "test-helpers.h"

/* Step 1: the seeds' PyCached, command by command. */
static void
test_pycached_commands (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "version\r\n");
  braid_assert_transport_wrote (c.transport, PYCACHED_VERSION "\r\n");
  braid_test_receive (c.protocol, "set colour blue\r\nset size 42\r\nget colour\r\ncount\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\nOK\r\nblue\r\n2\r\n");
  braid_test_receive (c.protocol, "items\r\n");
  /* Most recently used first: the get made colour the newest. */
  braid_assert_transport_wrote (c.transport, "colour blue\r\nsize 42\r\nEND\r\n");
  braid_test_receive (c.protocol, "delete colour\r\ndelete colour\r\nget colour\r\n");
  braid_assert_transport_wrote (c.transport, "DELETED\r\nNOT FOUND\r\nNOT FOUND\r\n");
  braid_test_receive (c.protocol, "clear\r\ncount\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\n0\r\n");
  braid_fake_clock_advance (c.clock, 90);
  braid_test_receive (c.protocol, "status\r\n");
  braid_assert_transport_wrote (c.transport, "uptime 90\r\n");
  cache_close (&c);
}

static void
test_pycached_errors (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "fly away\r\nset onlykey\r\nset a b c d\r\nset k v 0\r\n");
  braid_assert_transport_wrote (c.transport,
                                "ERROR unknown command: fly\r\n"
                                "ERROR usage: set KEY VALUE [SECONDS]\r\n"
                                "ERROR usage: set KEY VALUE [SECONDS]\r\n"
                                "ERROR usage: set KEY VALUE [SECONDS]\r\n");
  cache_close (&c);
}

/* Step 2: a time to live, on the fake clock: no sleep. */
static void
test_expiry (void)
{
  Cache c;

  cache_open (&c, 1024 * 1024);
  braid_test_receive (c.protocol, "set session abc 30\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\n");
  braid_fake_clock_advance (c.clock, 29);
  braid_test_receive (c.protocol, "get session\r\n");
  braid_assert_transport_wrote (c.transport, "abc\r\n");
  braid_fake_clock_advance (c.clock, 1);
  braid_test_receive (c.protocol, "get session\r\n");
  braid_assert_transport_wrote (c.transport, "NOT FOUND\r\n");
  cache_close (&c);
}

/* Step 2: bounded memory; the least recently used entry goes first. */
static void
test_lru_bound (void)
{
  Cache c;

  /* Room for two entries of a 1-byte key and a 1-byte value. */
  cache_open (&c, 2 * (BRAID_CACHE_ITEM_OVERHEAD + 2));
  braid_test_receive (c.protocol, "set a 1\r\nset b 2\r\nget a\r\nset c 3\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\nOK\r\n1\r\nOK\r\n");
  braid_test_receive (c.protocol, "get b\r\nget a\r\nget c\r\n");
  braid_assert_transport_wrote (c.transport, "NOT FOUND\r\n1\r\n3\r\n");
  cache_close (&c);
}

/* Step 3: memcached's own protocol, what real clients speak. */
static void
test_memcached_protocol (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidCacheStore) store = braid_cache_store_new (BRAID_CLOCK (clock), 1024 * 1024);
  g_autoptr (BraidCacheServerFactory) factory = braid_cache_server_factory_new (store);
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  braid_test_receive (protocol, "set greeting 0 60 5\r\nhello\r\nget greeting\r\n");
  braid_assert_transport_wrote (transport, "STORED\r\nVALUE greeting 0 5\r\nhello\r\nEND\r\n");
  braid_test_receive (protocol, "incr greeting 1\r\nset n 0 0 1 noreply\r\n9\r\nincr n 1\r\n");
  braid_assert_transport_wrote (transport,
                                "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n10\r\n");
  braid_fake_clock_advance (clock, 60);
  braid_test_receive (protocol, "get greeting\r\n");
  braid_assert_transport_wrote (transport, "END\r\n");
  braid_test_lose_connection (protocol, TRUE);
}

/* Step 4: the status page -- a web site over the same store. PyCached's
 * traffic shows in /status; the HTTP channel is on a string transport too. */
static void
test_status_page (void)
{
  Cache c;
  g_autoptr (BraidCacheStatusResource) status = NULL;
  g_autoptr (BraidSite) site = NULL;
  g_autoptr (BraidProtocol) http = NULL;
  g_autoptr (BraidStringTransport) browser = braid_string_transport_new ();
  g_autofree char *reply = NULL;
  gsize len;

  cache_open (&c, 1024 * 1024);
  status = braid_cache_status_resource_new (c.store);
  site = braid_site_new (BRAID_RESOURCE (status));
  braid_factory_set_clock (BRAID_FACTORY (site), BRAID_CLOCK (c.clock));

  braid_test_receive (c.protocol, "set colour blue\r\nget colour\r\nget size\r\n");
  braid_assert_transport_wrote (c.transport, "OK\r\nblue\r\nNOT FOUND\r\n");
  braid_fake_clock_advance (c.clock, 90);
  /* A browser connects (after the wait: an idle HTTP connection is closed). */
  http = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
  braid_protocol_make_connection (http, BRAID_TRANSPORT (browser));
  braid_test_receive (http, "GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n");
  reply = g_strdup (braid_string_transport_peek (browser, &len));
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (reply, "Content-Type: application/json\r\n"));
  g_assert_nonnull (strstr (reply, "\r\n\r\n{\"uptime\": 90.000, \"entries\": 1, "));
  g_assert_nonnull (strstr (reply, "\"hits\": 1, \"misses\": 1, \"evictions\": 0,"));
  braid_string_transport_clear (browser);

  braid_test_receive (http, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  g_assert_nonnull (strstr (braid_string_transport_peek (browser, &len),
                            "<tr><th>entries</th><td>1</td></tr>"));
  braid_test_lose_connection (http, TRUE);
  cache_close (&c);
}

/* Beyond one machine: the client spreads keys over three servers. */
static void
test_client_over_three_servers (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (BRAID_REACTOR (reactor));
  BraidCacheStore *stores[3];
  BraidCacheServerFactory *factories[3];
  g_autoptr (GPtrArray) loopbacks = g_ptr_array_new_with_free_func (g_object_unref);
  BraidDeferred *sets[30];
  GPtrArray *records;

  for (guint i = 0; i < 3; i++)
    {
      stores[i] = braid_cache_store_new (BRAID_CLOCK (reactor), 1024 * 1024);
      factories[i] = braid_cache_server_factory_new (stores[i]);
      braid_cache_client_add_server (client, "127.0.0.1", 11211 + i);
    }
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *key = g_strdup_printf ("user:%u", i);
      g_autoptr (GBytes) value = g_bytes_new (key, strlen (key));

      sets[i] = braid_cache_client_set (client, key, value, 0, 0);
    }
  /* The client asked for one connection per server; join each to its server. */
  records = braid_memory_reactor_get_tcp_clients (reactor);
  for (guint i = 0; i < records->len; i++)
    {
      BraidTcpClientRecord *record = g_ptr_array_index (records, i);
      g_autoptr (BraidProtocol) server = braid_factory_build_protocol (
          BRAID_FACTORY (factories[record->port - 11211]), NULL);
      g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (BRAID_FACTORY (record->factory), NULL);
      BraidLoopback *loopback = braid_loopback_new (server, protocol);

      g_ptr_array_add (loopbacks, loopback);
      braid_loopback_flush (loopback);
    }
  for (guint i = 0; i < 30; i++)
    {
      g_assert_true (GPOINTER_TO_INT (braid_assert_success_result (sets[i])));
      braid_deferred_unref (sets[i]);
    }
  /* Every server holds some of the keys, and together all of them. */
  {
    guint total = 0;

    for (guint i = 0; i < 3; i++)
      {
        g_assert_cmpuint (braid_cache_store_get_count (stores[i]), >, 0);
        total += braid_cache_store_get_count (stores[i]);
      }
    g_assert_cmpuint (total, ==, 30);
  }
  for (guint i = 0; i < loopbacks->len; i++)
    {
      braid_loopback_close (g_ptr_array_index (loopbacks, i));
      braid_loopback_flush (g_ptr_array_index (loopbacks, i));
    }
  for (guint i = 0; i < 3; i++)
    {
      g_object_unref (factories[i]);
      g_object_unref (stores[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lesson13/pycached-commands", test_pycached_commands);
  g_test_add_func ("/lesson13/pycached-errors", test_pycached_errors);
  g_test_add_func ("/lesson13/expiry", test_expiry);
  g_test_add_func ("/lesson13/lru-bound", test_lru_bound);
  g_test_add_func ("/lesson13/memcached-protocol", test_memcached_protocol);
  g_test_add_func ("/lesson13/status-page", test_status_page);
  g_test_add_func ("/lesson13/client-over-three-servers", test_client_over_three_servers);
  return g_test_run ();
}
