/* http-soup-server.c: libsoup 3's SoupServer serving one file from memory,
 * the GLib reference of tools/bench/bench-http.
 *
 *   http-soup-server PORT FILE
 */
#include <libsoup/soup.h>

static GBytes *content;

static void
serve (SoupServer *server, SoupServerMessage *msg, const char *path,
       GHashTable *query, gpointer user_data)
{
  /* The file lives as long as the server: no copy per request. */
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                    g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  soup_server_message_set_status (msg, 200, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GInetAddress) any = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  char *data;
  gsize len;

  if (argc != 3)
    {
      g_printerr ("usage: %s PORT FILE\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[2], &data, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  content = g_bytes_new_take (data, len);
  server = soup_server_new ("server-header", "soup", NULL);
  soup_server_add_handler (server, NULL, serve, NULL, NULL);
  any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (any, (guint16) g_ascii_strtoull (argv[1], NULL, 10));
  if (!soup_server_listen (server, address, 0, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
