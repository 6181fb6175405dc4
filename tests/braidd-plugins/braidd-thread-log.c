/* braidd-thread-log.c: a braidd plugin for tests/test-braidd.c only. Its
 * service logs one line from a thread of its own once braidd's main loop
 * is idle, then keeps that thread busy: the line must reach the log file
 * while braidd waits, not only at its next event or at exit. */
#include <gmodule.h>

#include "braidd-plugin.h"

static gpointer
log_from_a_thread (gpointer data)
{
  /* Long enough for the main loop to have flushed its start-up lines and
   * gone to sleep with nothing to wake it. */
  g_usleep (300 * 1000);
  g_message ("a line from a worker thread");
  for (;;)
    g_usleep (G_USEC_PER_SEC);
  return NULL;
}

static BraidService *
thread_log_make_service (BraidReactor         *reactor,
                         BraidServerEndpoint  *endpoint,
                         GHashTable           *options,
                         GError              **error)
{
  /* Never joined: it ends with the process. */
  g_thread_unref (g_thread_new ("thread-log", log_from_a_thread, NULL));
  return braid_service_new ("thread-log");
}

G_MODULE_EXPORT const BraiddPlugin braidd_plugin = {
  .abi = BRAIDD_PLUGIN_ABI,
  .name = "thread-log",
  .description = "Logs a line from a worker thread (a test plugin)",
  .default_endpoint = "tcp:0:interface=127.0.0.1",
  .options = NULL,
  .make_service = thread_log_make_service,
};
