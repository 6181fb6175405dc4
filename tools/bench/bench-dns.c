/* bench-dns.c: DNS queries per second from `braidd dns`, with Twisted's
 * `twistd dns` beside it as the reference, in the same run.
 *
 *   build/tools/bench/bench-dns [--count N] [--window W] [--repeat R]
 *                               [--braidd PATH] [--no-twisted]
 *
 * Each server answers from the same hosts file (the seeds' three names).
 * The load loop is one thread, one UDP socket connected to the server: it
 * keeps W queries for facebook.com in flight (each with its own
 * identifier) until N have been answered, checks every reply (identifier,
 * NOERROR, one answer), and counts as lost any query unanswered after a
 * second. A cell is N queries; each server runs R cells, interleaved
 * (braid, twisted, braid, ...), and the table shows the median queries
 * per second and the ratio to twistd. 127.0.0.1 only; the servers are
 * started on ports the system chooses and stopped at the end. twistd3
 * (Debian's python3-twisted) or twistd is looked for in PATH; without
 * it, braidd dns runs alone. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <braid.h>

#define START_SECONDS 15

typedef struct
{
  const char *name;
  GSubprocess *process;
  guint16 port;
  GArray *rates;     /* gdouble, one per cell */
  guint64 lost;
} Server;

static guint16
free_udp_port (void)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;

  bind (fd, (struct sockaddr *) &sin, sizeof sin);
  getsockname (fd, (struct sockaddr *) &sin, &len);
  close (fd);
  return ntohs (sin.sin_port);
}

static int
connect_udp (guint16 port)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int size = 4 << 20;

  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (connect (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    g_error ("connect: %s", g_strerror (errno));
  return fd;
}

static GBytes *
make_query (void)
{
  g_autoptr (BraidDnsMessage) query = braid_dns_message_new ();

  query->recursion_desired = TRUE;
  braid_dns_message_add_question (query, "facebook.com", BRAID_DNS_TYPE_A);
  return braid_dns_message_encode (query, NULL);
}

/* Sends @count queries, @window in flight; returns queries per second. */
static gdouble
load (guint16 port, guint count, guint window, guint64 *lost)
{
  g_autoptr (GBytes) template = make_query ();
  gsize len;
  const guint8 *bytes = g_bytes_get_data (template, &len);
  g_autofree guint8 *query = g_memdup2 (bytes, len);
  g_autofree gboolean *in_flight = g_new0 (gboolean, 65536);
  int fd = connect_udp (port);
  guint sent = 0, answered = 0, outstanding = 0;
  gint64 start = g_get_monotonic_time ();
  guint8 reply[512];

  while (answered + *lost < count)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gssize n;

      while (outstanding < window && sent < count)
        {
          guint16 id = sent & 0xFFFF;

          query[0] = id >> 8;
          query[1] = id & 0xFF;
          if (send (fd, query, len, 0) == (gssize) len)
            {
              in_flight[id] = TRUE;
              outstanding++;
            }
          sent++;
        }
      if (poll (&pfd, 1, 1000) == 0)
        {
          /* A second of silence: what is in flight is lost. */
          *lost += outstanding;
          outstanding = 0;
          memset (in_flight, 0, 65536 * sizeof (gboolean));
          continue;
        }
      n = recv (fd, reply, sizeof reply, 0);
      if (n < 12)
        continue;
      {
        guint16 id = reply[0] << 8 | reply[1];

        if (!in_flight[id] || (reply[3] & 0xF) != 0 || reply[7] != 1)
          g_error ("unexpected reply (id %u, rcode %u, %u answers)", id, reply[3] & 0xF, reply[7]);
        in_flight[id] = FALSE;
        outstanding--;
        answered++;
      }
    }
  close (fd);
  return answered / ((g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC);
}

/* Waits until @port answers a query (the server is up). */
static void
wait_ready (Server *server)
{
  gint64 deadline = g_get_monotonic_time () + START_SECONDS * G_USEC_PER_SEC;
  g_autoptr (GBytes) query = make_query ();
  int fd = connect_udp (server->port);
  guint8 reply[512];

  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };

      send (fd, g_bytes_get_data (query, NULL), g_bytes_get_size (query), 0);
      if (poll (&pfd, 1, 200) > 0 && recv (fd, reply, sizeof reply, 0) >= 12)
        {
          close (fd);
          return;
        }
    }
  g_error ("%s did not answer on port %u within %d s", server->name, server->port, START_SECONDS);
}

static GSubprocess *
spawn (GPtrArray *argv)
{
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  if (process == NULL)
    g_error ("cannot start %s: %s", (const char *) argv->pdata[0], error->message);
  return process;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, gdouble, values->len / 2);
}

int
main (int argc, char **argv)
{
  gint count = 20000, window = 16, repeat = 5;
  gboolean no_twisted = FALSE;
  g_autofree char *braidd = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *hosts = NULL, *log = NULL;
  g_autofree char *twistd = NULL;
  Server servers[2] = { { "braidd dns" }, { "twistd dns" } };
  guint n_servers;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Queries per cell (default 20000)", "N" },
    { "window", 0, 0, G_OPTION_ARG_INT, &window, "Queries in flight (default 16)", "W" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Cells per server (default 5)", "R" },
    { "braidd", 0, 0, G_OPTION_ARG_FILENAME, &braidd, "The braidd to run", "PATH" },
    { "no-twisted", 0, 0, G_OPTION_ARG_NONE, &no_twisted, "Run braidd dns alone", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- DNS queries per second");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-dns: %s\n", error->message);
      return 2;
    }
  if (count < 1 || window < 1 || window > 4096 || repeat < 1)
    {
      g_printerr ("bench-dns: --count, --window (at most 4096) and --repeat must be positive\n");
      return 2;
    }
  if (braidd == NULL)
    braidd = g_strdup (g_getenv ("BRAIDD") != NULL ? g_getenv ("BRAIDD") : BRAIDD_PATH);
  /* Debian calls it twistd3. */
  if (!no_twisted && (twistd = g_find_program_in_path ("twistd3")) == NULL)
    twistd = g_find_program_in_path ("twistd");
  n_servers = twistd != NULL ? 2 : 1;

  dir = g_dir_make_tmp ("braid-bench-dns-XXXXXX", NULL);
  hosts = g_build_filename (dir, "hosts", NULL);
  log = g_build_filename (dir, "braidd.log", NULL);
  g_file_set_contents (hosts, "127.0.0.1 facebook.com\n127.0.0.1 twitter.com\n"
                              "127.0.0.1 reddit.com\n", -1, NULL);
  {
    g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

    servers[0].port = free_udp_port ();
    g_ptr_array_add (args, g_strdup (braidd));
    g_ptr_array_add (args, g_strdup_printf ("--logfile=%s", log));
    g_ptr_array_add (args, g_strdup ("dns"));
    g_ptr_array_add (args, g_strdup_printf ("--port=%u", servers[0].port));
    g_ptr_array_add (args, g_strdup_printf ("--hosts-file=%s", hosts));
    servers[0].process = spawn (args);
  }
  if (twistd != NULL)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

      servers[1].port = free_udp_port ();
      g_ptr_array_add (args, g_strdup (twistd));
      g_ptr_array_add (args, g_strdup ("-n"));
      g_ptr_array_add (args, g_strdup ("--pidfile="));
      g_ptr_array_add (args, g_strdup_printf ("--logfile=%s/twistd.log", dir));
      g_ptr_array_add (args, g_strdup ("dns"));
      g_ptr_array_add (args, g_strdup_printf ("--port=%u", servers[1].port));
      g_ptr_array_add (args, g_strdup ("--interface=127.0.0.1"));
      g_ptr_array_add (args, g_strdup_printf ("--hosts-file=%s", hosts));
      servers[1].process = spawn (args);
    }
  for (guint s = 0; s < n_servers; s++)
    {
      servers[s].rates = g_array_new (FALSE, FALSE, sizeof (gdouble));
      wait_ready (&servers[s]);
      load (servers[s].port, MIN (count, 1000), window, &servers[s].lost);   /* warm-up */
      servers[s].lost = 0;
    }
  for (int r = 0; r < repeat; r++)
    for (guint s = 0; s < n_servers; s++)
      {
        gdouble rate = load (servers[s].port, count, window, &servers[s].lost);

        g_array_append_val (servers[s].rates, rate);
      }

  g_print ("DNS: %d queries per cell for facebook.com (hosts file), %d in flight, "
           "one client thread, median of %d cells\n\n", count, window, repeat);
  g_print ("| server     | queries/s | ratio to twistd | lost |\n");
  g_print ("|---|---|---|---|\n");
  for (guint s = 0; s < n_servers; s++)
    {
      gdouble rate = median (servers[s].rates);
      g_autofree char *ratio = n_servers == 2
        ? g_strdup_printf ("%.2fx", rate / median (servers[1].rates)) : g_strdup ("-");

      g_print ("| %s | %.0f | %s | %" G_GUINT64_FORMAT " |\n", servers[s].name, rate, ratio,
               servers[s].lost);
    }

  for (guint s = 0; s < n_servers; s++)
    {
      g_subprocess_send_signal (servers[s].process, SIGTERM);
      g_subprocess_wait (servers[s].process, NULL, NULL);
      g_object_unref (servers[s].process);
      g_array_unref (servers[s].rates);
    }
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (dir);
  return 0;
}
