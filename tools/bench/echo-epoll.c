/* echo-epoll: the raw-epoll echo server, the floor of the echo benchmark.
 *
 * What any event-driven server pays at least, with no framework in the way:
 * one thread, one level-triggered epoll set, nonblocking sockets, one read
 * buffer shared by every connection. It is still a correct server, because
 * a baseline that cheats makes every ratio against it wrong:
 *
 * - an echo the socket does not take at once is kept (in a buffer made for
 *   that connection only then) and the connection stops being read until
 *   the rest is written, so a client that sends and never reads cannot make
 *   it grow without bound;
 * - a connection that closes or fails is closed; the others carry on;
 * - when accept() runs out of descriptors, the listening socket leaves the
 *   epoll set until a connection closes, instead of waking it in a loop.
 *
 * An idle connection costs nothing in user space (the kernel's socket
 * buffers are not part of the process's RSS): the floor of the "bytes per
 * idle connection" cell.
 *
 * Usage: echo-epoll --port N   (0 picks a free port; it prints the port)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUFFER_SIZE (256 * 1024)

/* The part of an echo that the socket did not take yet. */
typedef struct
{
  guint8 *data;
  gsize length;
  gsize written;
} Pending;

typedef struct
{
  int epoll_fd;
  int listen_fd;
  gboolean listening_paused;   /* out of descriptors: not in the epoll set */
  Pending **pending_by_fd;     /* indexed by fd; NULL when nothing is pending */
  gsize pending_slots;
  guint8 *read_buffer;
} Server;

static void
die (const char *what)
{
  g_printerr ("echo-epoll: %s: %s\n", what, g_strerror (errno));
  exit (1);
}

static void
watch (Server   *server,
       int       op,
       int       fd,
       uint32_t  events)
{
  struct epoll_event event = { .events = events, .data.fd = fd };

  if (epoll_ctl (server->epoll_fd, op, fd, &event) != 0)
    die ("epoll_ctl");
}

static void
close_connection (Server *server,
                  int     fd)
{
  if ((gsize) fd < server->pending_slots && server->pending_by_fd[fd] != NULL)
    {
      g_free (server->pending_by_fd[fd]->data);
      g_clear_pointer (&server->pending_by_fd[fd], g_free);
    }
  close (fd);   /* also removes it from the epoll set */

  /* A descriptor is free again: accept the connections that waited. */
  if (server->listening_paused)
    {
      server->listening_paused = FALSE;
      watch (server, EPOLL_CTL_ADD, server->listen_fd, EPOLLIN);
    }
}

static void
keep_pending (Server        *server,
              int            fd,
              const guint8  *rest,
              gsize          length)
{
  if ((gsize) fd >= server->pending_slots)
    {
      gsize slots = MAX ((gsize) fd + 1, server->pending_slots * 2);
      server->pending_by_fd = g_renew (Pending *, server->pending_by_fd, slots);
      memset (server->pending_by_fd + server->pending_slots, 0,
              (slots - server->pending_slots) * sizeof (Pending *));
      server->pending_slots = slots;
    }
  Pending *pending = g_new0 (Pending, 1);
  pending->data = g_memdup2 (rest, length);
  pending->length = length;
  server->pending_by_fd[fd] = pending;
  /* Stop reading until the echo is out: that is the backpressure. */
  watch (server, EPOLL_CTL_MOD, fd, EPOLLOUT);
}

/* Writes data; what the socket does not take is kept for later.
 * Returns FALSE when the connection failed and was closed. */
static gboolean
echo (Server        *server,
      int            fd,
      const guint8  *data,
      gsize          length)
{
  gsize written = 0;

  while (written < length)
    {
      ssize_t w = send (fd, data + written, length - written, MSG_NOSIGNAL);
      if (w > 0)
        written += w;
      else if (errno == EAGAIN)
        {
          keep_pending (server, fd, data + written, length - written);
          return TRUE;
        }
      else if (errno != EINTR)
        {
          close_connection (server, fd);
          return FALSE;
        }
    }
  return TRUE;
}

static void
flush_pending (Server *server,
               int     fd)
{
  Pending *pending = server->pending_by_fd[fd];

  while (pending->written < pending->length)
    {
      ssize_t w = send (fd, pending->data + pending->written,
                        pending->length - pending->written, MSG_NOSIGNAL);
      if (w > 0)
        pending->written += w;
      else if (errno == EAGAIN)
        return;
      else if (errno != EINTR)
        {
          close_connection (server, fd);
          return;
        }
    }
  g_free (pending->data);
  g_clear_pointer (&server->pending_by_fd[fd], g_free);
  watch (server, EPOLL_CTL_MOD, fd, EPOLLIN);
}

static void
read_and_echo (Server *server,
               int     fd)
{
  /* One read per wake-up: level-triggered epoll calls again if more is
   * there, and other connections get their turn in between. */
  ssize_t r = recv (fd, server->read_buffer, READ_BUFFER_SIZE, 0);

  if (r > 0)
    echo (server, fd, server->read_buffer, r);
  else if (r == 0 || (errno != EAGAIN && errno != EINTR))
    close_connection (server, fd);
}

static void
accept_all (Server *server)
{
  int one = 1;

  for (;;)
    {
      int fd = accept4 (server->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0)
        {
          setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          watch (server, EPOLL_CTL_ADD, fd, EPOLLIN);
          continue;
        }
      if (errno == EMFILE || errno == ENFILE)
        {
          g_printerr ("echo-epoll: accept: %s; waiting for a connection to close\n",
                      g_strerror (errno));
          server->listening_paused = TRUE;
          watch (server, EPOLL_CTL_DEL, server->listen_fd, 0);
        }
      else if (errno == EINTR || errno == ECONNABORTED)
        continue;
      return;
    }
}

static int
listen_on_loopback (int port)
{
  int one = 1;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    die ("socket");
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &address, sizeof address) != 0)
    die ("bind");
  if (listen (fd, SOMAXCONN) != 0)
    die ("listen");
  if (getsockname (fd, (struct sockaddr *) &address, &length) != 0)
    die ("getsockname");
  g_print ("echo-epoll: listening on 127.0.0.1:%u\n", ntohs (address.sin_port));
  fflush (stdout);
  return fd;
}

int
main (int    argc,
      char **argv)
{
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "The TCP port on 127.0.0.1 (0: any free one)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  struct rlimit limit;
  struct epoll_event events[512];
  Server server = { 0 };

  g_option_context_set_summary (context,
      "Raw-epoll echo server: the baseline of tools/bench/run-echo-bench.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("echo-epoll: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("echo-epoll: --port must be between 0 and 65535, not %d\n", port);
      return 2;
    }

  /* Thousands of idle connections need thousands of descriptors. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  server.read_buffer = g_malloc (READ_BUFFER_SIZE);
  server.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (server.epoll_fd < 0)
    die ("epoll_create1");
  server.listen_fd = listen_on_loopback (port);
  watch (&server, EPOLL_CTL_ADD, server.listen_fd, EPOLLIN);

  for (;;)
    {
      int n = epoll_wait (server.epoll_fd, events, G_N_ELEMENTS (events), -1);
      if (n < 0 && errno != EINTR)
        die ("epoll_wait");
      for (int i = 0; i < n; i++)
        {
          int fd = events[i].data.fd;
          if (fd == server.listen_fd)
            accept_all (&server);
          else if ((gsize) fd < server.pending_slots && server.pending_by_fd[fd] != NULL)
            flush_pending (&server, fd);
          else
            read_and_echo (&server, fd);
        }
    }
}
