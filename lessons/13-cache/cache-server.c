/* cache-server.c: lesson 13's program -- the seeds' PyCached, with its
 * memcached twin and its HTTP status page, three services in one process:
 *
 *   build/lessons/13-cache/cache-server --port 8013
 *   nc -C 127.0.0.1 8013        (PyCached: set colour blue, get colour…)
 *   nc -C 127.0.0.1 8014        (memcached: set k 0 0 5, hello, get k…)
 *   curl http://127.0.0.1:8015/status     (the counters, as JSON)
 *
 * All serve the same store, 64 MiB, on the reactor's clock. */
#include <braid.h>

#include "lesson-options.h"
#include "pycached.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidCacheStore) store = NULL;
  g_autoptr (PycachedFactory) pycached = NULL;
  g_autoptr (BraidCacheServerFactory) memcached = NULL;
  g_autoptr (BraidCacheStatusResource) status = NULL;
  g_autoptr (BraidSite) site = NULL;
  BraidListeningPort *first;
  BraidListeningPort *second;
  BraidListeningPort *third;
  guint16 port = 8013;
  int status_port = -1;      /* -1: not given, two after the PyCached port */
  GOptionEntry entries[] = {
    { "status-port", 's', 0, G_OPTION_ARG_INT, &status_port,
      "The HTTP status page's port (default: the PyCached port + 2)", "N" },
    { NULL }
  };

  if (!lesson_parse_options (&argc, &argv, "Lesson 13: PyCached, and memcached's protocol beside it.",
                             &port, entries, &error))
    return braid_exit_with_error (error);
  if (status_port > 65535)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the status port must be at most 65535, not %d", status_port);
      return braid_exit_with_error (error);
    }

  store = braid_cache_store_new (BRAID_CLOCK (reactor), 64 * 1024 * 1024);
  pycached = pycached_factory_new (store);
  memcached = braid_cache_server_factory_new (store);
  /* Step 4: the status page is a web site over the same store. */
  status = braid_cache_status_resource_new (store);
  site = braid_site_new (BRAID_RESOURCE (status));
  braid_factory_set_clock (BRAID_FACTORY (site), BRAID_CLOCK (reactor));

  first = braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (pycached), "127.0.0.1", &error);
  if (first == NULL)
    return braid_exit_with_error (error);
  port = braid_listening_port_get_port (first);
  second = braid_reactor_listen_tcp (reactor, port + 1, BRAID_FACTORY (memcached), "127.0.0.1", &error);
  if (second == NULL)
    return braid_exit_with_error (error);
  if (status_port < 0)
    status_port = port + 2;
  third = braid_reactor_listen_tcp (reactor, (guint16) status_port, BRAID_FACTORY (site), "127.0.0.1", &error);
  if (third == NULL)
    return braid_exit_with_error (error);
  g_print ("PyCached on 127.0.0.1:%u, memcached's protocol on 127.0.0.1:%u\n",
           port, braid_listening_port_get_port (second));
  g_print ("Status page on http://127.0.0.1:%u/ (JSON: /status)\n", braid_listening_port_get_port (third));
  g_print ("Try:  nc -C 127.0.0.1 %u     then: set colour blue / get colour / items\n", port);
  g_print ("Stop it with Ctrl-C.\n");
  braid_reactor_run (reactor);
  return 0;
}
