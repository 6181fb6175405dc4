/* cache-server.c: lesson 13's program -- the seeds' PyCached, with its
 * memcached twin, two services in one process:
 *
 *   build/lessons/13-cache/cache-server --port 8013
 *   nc -C 127.0.0.1 8013        (PyCached: set colour blue, get colour…)
 *   nc -C 127.0.0.1 8014        (memcached: set k 0 0 5, hello, get k…)
 *
 * Both serve the same store, 64 MiB, on the reactor's clock. */
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
  BraidListeningPort *first;
  BraidListeningPort *second;
  guint16 port = 8013;

  if (!lesson_parse_options (&argc, &argv, "Lesson 13: PyCached, and memcached's protocol beside it.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  store = braid_cache_store_new (BRAID_CLOCK (reactor), 64 * 1024 * 1024);
  pycached = pycached_factory_new (store);
  memcached = braid_cache_server_factory_new (store);
  first = braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (pycached), "127.0.0.1", &error);
  if (first == NULL)
    return braid_exit_with_error (error);
  port = braid_listening_port_get_port (first);
  second = braid_reactor_listen_tcp (reactor, port + 1, BRAID_FACTORY (memcached), "127.0.0.1", &error);
  if (second == NULL)
    return braid_exit_with_error (error);
  g_print ("PyCached on 127.0.0.1:%u, memcached's protocol on 127.0.0.1:%u\n",
           port, braid_listening_port_get_port (second));
  g_print ("Try:  nc -C 127.0.0.1 %u     then: set colour blue / get colour / items\n", port);
  g_print ("Stop it with Ctrl-C.\n");
  braid_reactor_run (reactor);
  return 0;
}
