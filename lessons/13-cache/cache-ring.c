/* cache-ring.c: lesson 13's scale-out demo -- three cache servers on
 * 127.0.0.1 (ports the system chooses, one process for the demo; in
 * production, one `braidd cache` per machine) and a BraidCacheClient over
 * them. It stores twelve keys, says where ketama put each, reads them back
 * and stops:
 *
 *   build/lessons/13-cache/cache-ring */
#include <string.h>

#include <braid.h>

#define N_SERVERS 3
#define N_KEYS 12

typedef struct
{
  BraidReactor *reactor;
  BraidCacheClient *client;
  guint pending;
} Demo;

/* Reports a failure, and handles it (it goes no further down the chain). */
static void
report (BraidResult *result, const char *what)
{
  if (braid_result_is_error (result))
    {
      g_print ("%s failed: %s\n", what, braid_result_get_error (result)->message);
      braid_result_set_value (result, NULL, NULL);
    }
}

static void
on_got (BraidResult *result, gpointer user_data)
{
  Demo *demo = user_data;

  report (result, "get");
  if (--demo->pending == 0)
    braid_reactor_stop (demo->reactor);
}

static void
on_stored (BraidResult *result, gpointer user_data)
{
  Demo *demo = user_data;

  report (result, "set");
  if (--demo->pending == 0)
    {
      /* Every key stored: read them all back. */
      for (guint i = 0; i < N_KEYS; i++)
        {
          g_autofree char *key = g_strdup_printf ("user:%u", i);
          g_autoptr (BraidDeferred) got = braid_cache_client_get (demo->client, key);

          demo->pending++;
          braid_deferred_add_both (got, on_got, demo, NULL);
        }
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BraidCacheClient) client = braid_cache_client_new (reactor);
  g_autoptr (GError) error = NULL;
  BraidCacheStore *stores[N_SERVERS];
  Demo demo = { reactor, client, 0 };
  g_autoptr (GOptionContext) context = g_option_context_new ("- lesson 13: three cache servers, one client");

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return braid_exit_with_error (error);

  for (guint i = 0; i < N_SERVERS; i++)
    {
      g_autoptr (BraidCacheServerFactory) factory = NULL;
      BraidListeningPort *port;

      stores[i] = braid_cache_store_new (BRAID_CLOCK (reactor), 16 * 1024 * 1024);
      factory = braid_cache_server_factory_new (stores[i]);
      port = braid_reactor_listen_tcp (reactor, 0, BRAID_FACTORY (factory), "127.0.0.1", &error);
      if (port == NULL)
        return braid_exit_with_error (error);
      braid_cache_client_add_server (client, "127.0.0.1", braid_listening_port_get_port (port));
      g_print ("server %u: 127.0.0.1:%u\n", i + 1, braid_listening_port_get_port (port));
    }

  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autofree char *key = g_strdup_printf ("user:%u", i);
      g_autoptr (GBytes) value = g_bytes_new (key, strlen (key));
      g_autoptr (BraidDeferred) stored = braid_cache_client_set (client, key, value, 0, 0);

      g_print ("%-8s -> %s\n", key, braid_cache_client_server_for_key (client, key));
      demo.pending++;
      braid_deferred_add_both (stored, on_stored, &demo, NULL);
    }

  braid_reactor_run (reactor);
  for (guint i = 0; i < N_SERVERS; i++)
    {
      g_print ("server %u holds %u keys\n", i + 1, braid_cache_store_get_count (stores[i]));
      g_object_unref (stores[i]);
    }
  return 0;
}
