/* web-server.c: lesson 12's program -- the seeds' twisted.web pages in one
 * site:
 *
 *   build/lessons/12-web/web-server --port 8012 --path .
 *   curl http://127.0.0.1:8012/clock
 *
 * /clock, /busy-blocking, /busy, /files/ (the directory --path), and the
 * exercise's /greet/NAME and /greet-later/NAME. */
#include <braid.h>

#include "lesson-options.h"
#include "web.h"

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *files = NULL;
  gdouble busy = WEB_BUSY_SECONDS;
  WebOptions options;
  BraidListeningPort *port_object;
  guint16 port = 8012;
  GOptionEntry entries[] = {
    { "path", 0, 0, G_OPTION_ARG_FILENAME, &files, "Serve the files under DIR at /files/ (default: .)", "DIR" },
    { "busy", 0, 0, G_OPTION_ARG_DOUBLE, &busy, "How long the busy pages take, in seconds (default: 5)", "SECONDS" },
    { NULL }
  };

  if (!lesson_parse_options (&argc, &argv, "Lesson 12: the web -- a clock, a busy page twice, files.",
                             &port, entries, &error))
    return braid_exit_with_error (error);
  if (files == NULL)
    files = g_strdup (".");
  if (!g_file_test (files, G_FILE_TEST_IS_DIR))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, "--path %s: not a directory", files);
      return braid_exit_with_error (error);
    }
  if (!(busy >= 0 && busy <= 3600))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--busy must be between 0 and 3600 seconds, not %g", busy);
      return braid_exit_with_error (error);
    }

  web_options_init (&options, BRAID_CLOCK (reactor), files);
  options.busy_seconds = busy;
  port_object = web_server_listen (reactor, port, &options, &error);
  if (port_object == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (port_object);
  g_print ("The web on http://127.0.0.1:%u/ (files from %s)\n", port, files);
  g_print ("Try:  curl http://127.0.0.1:%u/clock\n", port);
  g_print ("Stop it with Ctrl-C.\n");
  braid_reactor_run (reactor);
  return 0;
}
