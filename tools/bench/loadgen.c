/* loadgen: Braid's echo load generator.
 *
 * It first opens K idle connections that stay silent for the whole run, then
 * N active connections. Each active connection sends an S-byte message, waits
 * for the whole echo, checks every byte of it, and sends the next message;
 * requests that complete during a W-second warm-up are not counted, the next
 * D seconds are. It prints requests/s, MB/s and the p50/p99 latency of one
 * request (send of the first byte to receipt of the last echoed byte).
 * Given the server's process id (--server-pid), it also reads the CPU time
 * the server used inside the measured window, from /proc: the server's cost
 * per request, a figure that moves less from run to run than req/s on a
 * shared machine, because time other programs take is not counted in it.
 *
 * Why one thread and one epoll set: the server under test gets one core and
 * loadgen the other (tools/bench/run-echo-bench pins them), so the figures
 * compare servers, not how threads happen to be scheduled.
 *
 * Why every byte is checked: a server that is fast because it drops, mixes or
 * truncates data must fail, not win. Each request on each connection carries
 * a different window of a pseudo-random pattern, so an echo sent to the wrong
 * connection or a stale buffer is caught too. A mismatch is a hard error that
 * names the connection, the request and the byte offset.
 *
 * Exit status: 0 when the run completed, 1 when the server misbehaved (a wrong
 * byte, a closed connection, data on an idle connection), 2 for a usage or
 * setup error (bad option, refused connection, too few file descriptors).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Each request's message starts at a different offset of one shared
 * pattern: consecutive requests and neighbouring connections differ, and
 * no per-request work is needed to build a message. A prime keeps the
 * offsets of connection i and connection j from lining up for long. */
#define PATTERN_SLACK 251

#define EXIT_MISBEHAVED 1
#define EXIT_SETUP 2

/* ---- Latency histogram ----------------------------------------------------
 *
 * A fixed-size log-linear histogram of nanoseconds: values below 64 have a
 * bucket each, and every power of two above is split into 64 buckets, so a
 * percentile is off by at most 1/64 (1.6 %) whatever the run's length, in
 * 18 KiB of memory. (Keeping every sample would grow without bound.) */

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_MAX_EXPONENT 40 /* 2^41 ns is about 36 minutes */
#define HIST_BUCKETS ((HIST_MAX_EXPONENT - HIST_SUB_BITS + 2) * HIST_SUB)

typedef struct
{
  guint64 counts[HIST_BUCKETS];
  guint64 total;
  guint64 max_ns;
} LatencyHistogram;

static guint
histogram_bucket_of (guint64 ns)
{
  if (ns < HIST_SUB)
    return (guint) ns;
  if (ns >= (G_GUINT64_CONSTANT (1) << (HIST_MAX_EXPONENT + 1)))
    return HIST_BUCKETS - 1;

  guint exponent = 63 - (guint) __builtin_clzll (ns);   /* >= HIST_SUB_BITS */
  guint shift = exponent - HIST_SUB_BITS;
  guint top_bits = (guint) (ns >> shift);               /* in [64, 128) */
  return (shift + 1) * HIST_SUB + (top_bits - HIST_SUB);
}

/* The middle of a bucket's range: the value a percentile reports. */
static double
histogram_bucket_middle (guint bucket)
{
  if (bucket < HIST_SUB)
    return bucket;

  guint shift = bucket / HIST_SUB - 1;
  guint64 low = (guint64) (bucket % HIST_SUB + HIST_SUB) << shift;
  guint64 width = G_GUINT64_CONSTANT (1) << shift;
  return low + (width - 1) / 2.0;
}

static void
histogram_record (LatencyHistogram *histogram,
                  guint64           ns)
{
  histogram->counts[histogram_bucket_of (ns)]++;
  histogram->total++;
  histogram->max_ns = MAX (histogram->max_ns, ns);
}

/* The smallest value that at least `fraction` of the samples do not exceed
 * (to the histogram's precision), in nanoseconds; 0 without samples. */
static double
histogram_percentile (const LatencyHistogram *histogram,
                      double                  fraction)
{
  if (histogram->total == 0)
    return 0;

  guint64 rank = (guint64) (fraction * histogram->total + 0.999999);
  guint64 seen = 0;
  rank = CLAMP (rank, 1, histogram->total);
  for (guint bucket = 0; bucket < HIST_BUCKETS; bucket++)
    {
      seen += histogram->counts[bucket];
      if (seen >= rank)
        return MIN (histogram_bucket_middle (bucket), (double) histogram->max_ns);
    }
  return histogram->max_ns;
}

/* ---- The server's CPU time ----------------------------------------------- */

/* User + system CPU seconds of process @pid and all its threads, from
 * /proc/PID/stat (in clock ticks, 10 ms each: over a 3 s window that is
 * better than 1%); -1 if the process cannot be read. */
static double
process_cpu_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  unsigned long long user, system;
  const char *after_name;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  /* The command name, in parentheses, may hold spaces: fields are counted
   * from the last ')'. utime and stime are fields 14 and 15, so the 12th
   * and 13th after it. */
  after_name = strrchr (text, ')');
  if (after_name == NULL
      || sscanf (after_name + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                 &user, &system) != 2)
    return -1;
  return (double) (user + system) / sysconf (_SC_CLK_TCK);
}

/* ---- Options ------------------------------------------------------------- */

typedef struct
{
  char *host;             /* NULL means 127.0.0.1 */
  int port;
  int connections;
  int size;
  double duration;
  double warmup;
  int idle;
  int server_pid;         /* 0: do not measure the server's CPU time */
  gboolean json;
} Options;

static gboolean
parse_options (int       *argc,
               char    ***argv,
               Options   *options,
               GError   **error)
{
  GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &options->host,
      "The server's address: only 127.0.0.1 is allowed", "127.0.0.1" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options->port,
      "The server's TCP port (required)", "N" },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &options->connections,
      "Active connections, each with one request in flight (default 10)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &options->size,
      "Bytes per message (default 1024)", "BYTES" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &options->duration,
      "Seconds measured, after the warm-up (default 3)", "SECONDS" },
    { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &options->warmup,
      "Seconds of load before measuring starts (default 1)", "SECONDS" },
    { "idle", 'i', 0, G_OPTION_ARG_INT, &options->idle,
      "Extra connections held open and silent (default 0)", "K" },
    { "server-pid", 'P', 0, G_OPTION_ARG_INT, &options->server_pid,
      "Also measure this process's CPU time in the measured window", "PID" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &options->json,
      "Print the results as one JSON object", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context,
      "Loads an echo server on 127.0.0.1 and measures it: each active connection\n"
      "sends a message, waits for the whole echo, checks every byte, and repeats.\n"
      "Prints requests/s, MB/s (echoed payload, 10^6 bytes) and p50/p99 latency.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  /* Load generators must never point at another machine: the project only
   * ever talks to 127.0.0.1 (a name would go through the resolver and could
   * leave the machine, so even "localhost" is refused). */
  if (options->host != NULL && strcmp (options->host, "127.0.0.1") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--host %s refused: loadgen only loads a server on this machine, "
                   "give --host 127.0.0.1", options->host);
      return FALSE;
    }
  if (options->port < 1 || options->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   options->port == 0 ? "--port N is required"
                                      : "--port must be between 1 and 65535, not %d",
                   options->port);
      return FALSE;
    }
  if (options->connections < 0 || options->idle < 0
      || options->connections + (gint64) options->idle == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--connections and --idle must not be negative, "
                   "and at least one of them must be positive");
      return FALSE;
    }
  if (options->size < 1 || options->size > 64 * 1024 * 1024)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--size must be between 1 and 67108864 bytes, not %d", options->size);
      return FALSE;
    }
  if (!(options->duration > 0) || !(options->warmup >= 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--duration must be positive and --warmup not negative");
      return FALSE;
    }
  if (options->server_pid < 0
      || (options->server_pid > 0 && process_cpu_seconds (options->server_pid) < 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--server-pid %d: no such process (cannot read /proc/%d/stat)",
                   options->server_pid, options->server_pid);
      return FALSE;
    }
  return TRUE;
}

/* ---- Sockets ------------------------------------------------------------- */

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Every connection and the probe need a descriptor: raise the soft limit
 * to what the run needs, up to the hard limit, or say what to change. */
static gboolean
ensure_descriptors (guint64   needed,
                    GError  **error)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "getrlimit (RLIMIT_NOFILE): %s", g_strerror (errno));
      return FALSE;
    }
  if (limit.rlim_cur >= needed)
    return TRUE;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                   "this run needs %" G_GUINT64_FORMAT " file descriptors but the hard "
                   "limit is %llu (raise it: ulimit -Hn, or limits.conf)",
                   needed, (unsigned long long) limit.rlim_max);
      return FALSE;
    }
  limit.rlim_cur = needed;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "setrlimit (RLIMIT_NOFILE, %" G_GUINT64_FORMAT "): %s",
                   needed, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* A blocking connect (simple, and on loopback it completes at once), then
 * the socket turns nonblocking for the epoll loop. Nagle is off: it would
 * hold back the small messages this tool is made of. */
static int
dial (const struct sockaddr_in  *address,
      GError                   **error)
{
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "socket: %s", g_strerror (saved));
      return -1;
    }
  if (connect (fd, (const struct sockaddr *) address, sizeof *address) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot connect to 127.0.0.1:%u: %s",
                   ntohs (address->sin_port), g_strerror (saved));
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/* A connect completes in the kernel before the server calls accept(), so
 * "connected" does not mean "the server holds it". The accept queue is
 * first in, first out: once the server echoes on a connection opened after
 * the idle ones, it has accepted every idle one. */
static gboolean
probe_round_trip (const struct sockaddr_in  *address,
                  GError                   **error)
{
  const char ping[] = "probe";
  char echo[sizeof ping - 1];
  gsize got = 0;
  gint64 deadline = now_ns () + 10 * G_GINT64_CONSTANT (1000000000);
  int fd = dial (address, error);

  if (fd < 0)
    return FALSE;
  if (send (fd, ping, sizeof echo, MSG_NOSIGNAL) != (ssize_t) sizeof echo)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "probe: send failed");
      close (fd);
      return FALSE;
    }
  while (got < sizeof echo && now_ns () < deadline)
    {
      ssize_t r = recv (fd, echo + got, sizeof echo - got, 0);
      if (r > 0)
        got += r;
      else if (r == 0 || (errno != EAGAIN && errno != EINTR))
        break;
      else
        g_usleep (1000);
    }
  close (fd);
  if (got != sizeof echo || memcmp (echo, ping, sizeof echo) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "probe connection: no correct echo within 10 s "
                   "(got %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes)",
                   got, sizeof echo);
      return FALSE;
    }
  return TRUE;
}

/* ---- The load ------------------------------------------------------------ */

typedef struct
{
  int fd;
  guint64 request;          /* requests started on this connection, minus one */
  const guint8 *expected;   /* the message in flight, which is also its echo */
  gsize sent;
  gsize received;
  gint64 started_ns;
  gboolean waiting_writable; /* EPOLLOUT is in the interest set */
} ActiveConnection;

typedef struct
{
  Options options;
  struct sockaddr_in address;
  int epoll_fd;
  guint8 *pattern;          /* size + PATTERN_SLACK pseudo-random bytes */
  guint8 *scratch;          /* receive buffer, one message long */
  ActiveConnection *active;
  int *idle_fds;
  gint64 measure_from_ns;
  gint64 measure_until_ns;
  guint64 requests;         /* completed inside the measured window */
  LatencyHistogram latency;
  double server_cpu_from;   /* the server's CPU seconds when the window opened; */
  double server_cpu;        /* used inside it; both -1 until read */
} Loadgen;

static void
fill_pattern (guint8 *pattern,
              gsize   length)
{
  guint32 state = 0x9e3779b9u;

  /* xorshift32: cheap, and no run of repeated bytes that could hide an
   * echo shifted by a few bytes. */
  for (gsize i = 0; i < length; i++)
    {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      pattern[i] = (guint8) (state >> 24);
    }
}

static gboolean
set_interest (Loadgen           *lg,
              guint              index,
              gboolean           writable,
              GError           **error)
{
  ActiveConnection *c = &lg->active[index];
  struct epoll_event event = {
    .events = EPOLLIN | (writable ? EPOLLOUT : 0),
    .data.u64 = index,
  };

  if (epoll_ctl (lg->epoll_fd, EPOLL_CTL_MOD, c->fd, &event) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "epoll_ctl: %s", g_strerror (errno));
      return FALSE;
    }
  c->waiting_writable = writable;
  return TRUE;
}

/* Sends what the socket takes of the message in flight; waits for
 * writability only when a message does not fit at once (large sizes). */
static gboolean
send_more (Loadgen  *lg,
           guint     index,
           GError  **error)
{
  ActiveConnection *c = &lg->active[index];
  gsize size = lg->options.size;

  while (c->sent < size)
    {
      ssize_t w = send (c->fd, c->expected + c->sent, size - c->sent, MSG_NOSIGNAL);
      if (w > 0)
        {
          c->sent += w;
          continue;
        }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "connection %u, request %" G_GUINT64_FORMAT ": send: %s",
                       index, c->request, g_strerror (errno));
          return FALSE;
        }
      return c->waiting_writable || set_interest (lg, index, TRUE, error);
    }
  return !c->waiting_writable || set_interest (lg, index, FALSE, error);
}

static gboolean
start_request (Loadgen  *lg,
               guint     index,
               gint64    now,
               GError  **error)
{
  ActiveConnection *c = &lg->active[index];

  c->expected = lg->pattern + (index + c->request) % PATTERN_SLACK;
  c->sent = 0;
  c->received = 0;
  c->started_ns = now;
  return send_more (lg, index, error);
}

static gboolean
report_mismatch (Loadgen       *lg,
                 guint          index,
                 const guint8  *got,
                 gsize          length,
                 GError       **error)
{
  ActiveConnection *c = &lg->active[index];
  const guint8 *want = c->expected + c->received;
  gsize k = 0;

  while (k < length && got[k] == want[k])
    k++;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "echo mismatch on connection %u, request %" G_GUINT64_FORMAT
               ": byte at offset %" G_GSIZE_FORMAT " of the message is 0x%02x, "
               "expected 0x%02x",
               index, c->request, c->received + k, got[k], want[k]);
  return FALSE;
}

/* Reads the echo of the message in flight, checking it as it comes; when
 * the last byte is in, records the latency and starts the next request. */
static gboolean
receive_echo (Loadgen  *lg,
              guint     index,
              GError  **error)
{
  ActiveConnection *c = &lg->active[index];
  gsize size = lg->options.size;

  for (;;)
    {
      /* Never read past this message: a byte beyond it would be a server
       * bug, and is caught as a mismatch at the start of the next one. */
      ssize_t r = recv (c->fd, lg->scratch, size - c->received, 0);
      if (r == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "connection %u: the server closed it after %" G_GSIZE_FORMAT
                       " of %" G_GSIZE_FORMAT " echoed bytes of request %" G_GUINT64_FORMAT,
                       index, c->received, size, c->request);
          return FALSE;
        }
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN)
            return TRUE;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "connection %u, request %" G_GUINT64_FORMAT ": recv: %s",
                       index, c->request, g_strerror (errno));
          return FALSE;
        }
      if (c->received + r > c->sent)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "connection %u, request %" G_GUINT64_FORMAT ": the server "
                       "echoed %" G_GSIZE_FORMAT " bytes but only %" G_GSIZE_FORMAT
                       " were sent", index, c->request, c->received + r, c->sent);
          return FALSE;
        }
      if (memcmp (lg->scratch, c->expected + c->received, r) != 0)
        return report_mismatch (lg, index, lg->scratch, r, error);
      c->received += r;
      if (c->received < size)
        continue;

      gint64 now = now_ns ();
      if (now >= lg->measure_from_ns)
        {
          lg->requests++;
          histogram_record (&lg->latency, now - c->started_ns);
        }
      c->request++;
      /* The next echo cannot be there yet: back to epoll rather than a
       * recv that would only say EAGAIN. */
      return start_request (lg, index, now, error);
    }
}

static gboolean
open_connections (Loadgen  *lg,
                  GError  **error)
{
  const Options *o = &lg->options;

  lg->idle_fds = g_new0 (int, MAX (o->idle, 1));
  for (int i = 0; i < o->idle; i++)
    {
      lg->idle_fds[i] = dial (&lg->address, error);
      if (lg->idle_fds[i] < 0)
        {
          g_prefix_error (error, "idle connection %d: ", i);
          return FALSE;
        }
      /* Watched but never expected to fire: an idle connection that the
       * server closes or writes to makes the idle cell meaningless. */
      struct epoll_event event = { .events = EPOLLIN | EPOLLRDHUP,
                                   .data.u64 = (guint64) o->connections + i };
      epoll_ctl (lg->epoll_fd, EPOLL_CTL_ADD, lg->idle_fds[i], &event);
    }
  if (o->idle > 0)
    {
      if (!probe_round_trip (&lg->address, error))
        return FALSE;
      /* tools/bench/run-echo-bench waits for this line to read the
       * server's memory with exactly the idle connections open. */
      fprintf (stderr, "loadgen: %d idle connections open and accepted\n", o->idle);
      fflush (stderr);
    }

  lg->active = g_new0 (ActiveConnection, MAX (o->connections, 1));
  for (int i = 0; i < o->connections; i++)
    {
      ActiveConnection *c = &lg->active[i];
      c->fd = dial (&lg->address, error);
      if (c->fd < 0)
        {
          g_prefix_error (error, "connection %d: ", i);
          return FALSE;
        }
      struct epoll_event event = { .events = EPOLLIN, .data.u64 = i };
      epoll_ctl (lg->epoll_fd, EPOLL_CTL_ADD, c->fd, &event);
    }
  return TRUE;
}

static gboolean
run_load (Loadgen  *lg,
          GError  **error)
{
  const Options *o = &lg->options;
  struct epoll_event events[256];
  gint64 now = now_ns ();

  lg->measure_from_ns = now + (gint64) (o->warmup * 1e9);
  lg->measure_until_ns = lg->measure_from_ns + (gint64) (o->duration * 1e9);
  for (int i = 0; i < o->connections; i++)
    if (!start_request (lg, i, now, error))
      return FALSE;

  while ((now = now_ns ()) < lg->measure_until_ns)
    {
      if (o->server_pid > 0 && lg->server_cpu_from < 0 && now >= lg->measure_from_ns)
        lg->server_cpu_from = process_cpu_seconds (o->server_pid);
      int timeout_ms = (int) MIN ((lg->measure_until_ns - now) / 1000000 + 1, 100);
      int n = epoll_wait (lg->epoll_fd, events, G_N_ELEMENTS (events), timeout_ms);

      if (n < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "epoll_wait: %s", g_strerror (errno));
          return FALSE;
        }
      for (int k = 0; k < n; k++)
        {
          guint64 index = events[k].data.u64;
          if (index >= (guint64) o->connections)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "idle connection %" G_GUINT64_FORMAT ": the server %s",
                           index - o->connections,
                           (events[k].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                             ? "closed it" : "sent data on it");
              return FALSE;
            }
          ActiveConnection *c = &lg->active[index];
          if (c->sent < (gsize) o->size && !send_more (lg, index, error))
            return FALSE;
          if (!receive_echo (lg, index, error))
            return FALSE;
        }
    }
  if (o->server_pid > 0 && lg->server_cpu_from >= 0)
    {
      double until = process_cpu_seconds (o->server_pid);

      if (until >= 0)
        lg->server_cpu = until - lg->server_cpu_from;
    }
  return TRUE;
}

static void
print_results (const Loadgen *lg)
{
  const Options *o = &lg->options;
  double seconds = (lg->measure_until_ns - lg->measure_from_ns) / 1e9;
  double per_second = lg->requests / seconds;
  double megabytes = lg->requests * (double) o->size / seconds / 1e6;
  double p50 = histogram_percentile (&lg->latency, 0.50) / 1e3;
  double p99 = histogram_percentile (&lg->latency, 0.99) / 1e3;
  double max = lg->latency.max_ns / 1e3;

  /* The server's CPU figures, or JSON's null when not measured. */
  char cpu_json[32] = "null";
  char cpu_per_request_json[32] = "null";

  if (lg->server_cpu >= 0)
    g_snprintf (cpu_json, sizeof cpu_json, "%.3f", lg->server_cpu);
  if (lg->server_cpu >= 0 && lg->requests > 0)
    g_snprintf (cpu_per_request_json, sizeof cpu_per_request_json, "%.3f",
                lg->server_cpu * 1e6 / lg->requests);
  if (o->json)
    {
      g_print ("{\"host\": \"127.0.0.1\", \"port\": %d, \"connections\": %d, "
               "\"size\": %d, \"idle\": %d, \"warmup_s\": %.3f, \"duration_s\": %.3f, "
               "\"requests\": %" G_GUINT64_FORMAT ", \"requests_per_s\": %.1f, "
               "\"mb_per_s\": %.2f, \"p50_us\": %.1f, \"p99_us\": %.1f, "
               "\"max_us\": %.1f, \"server_cpu_s\": %s, "
               "\"server_cpu_us_per_request\": %s}\n",
               o->port, o->connections, o->size, o->idle, o->warmup, seconds,
               lg->requests, per_second, megabytes, p50, p99, max,
               cpu_json, cpu_per_request_json);
      return;
    }
  g_print ("loadgen: 127.0.0.1:%d, %d connections x %d B, %d idle, "
           "%.2f s measured after %.2f s warm-up\n",
           o->port, o->connections, o->size, o->idle, seconds, o->warmup);
  g_print ("requests/s  %.0f   (%" G_GUINT64_FORMAT " requests, every byte checked)\n",
           per_second, lg->requests);
  g_print ("MB/s        %.1f   (echoed payload, 10^6 bytes)\n", megabytes);
  g_print ("latency     p50 %.1f us   p99 %.1f us   max %.1f us\n", p50, p99, max);
  if (lg->server_cpu >= 0)
    g_print ("server CPU  %.2f s in the window, %s us per request\n",
             lg->server_cpu, cpu_per_request_json);
}

static void
loadgen_free (Loadgen *lg)
{
  if (lg->active != NULL)
    for (int i = 0; i < lg->options.connections; i++)
      if (lg->active[i].fd > 0)
        close (lg->active[i].fd);
  if (lg->idle_fds != NULL)
    for (int i = 0; i < lg->options.idle; i++)
      if (lg->idle_fds[i] > 0)
        close (lg->idle_fds[i]);
  if (lg->epoll_fd >= 0)
    close (lg->epoll_fd);
  g_free (lg->active);
  g_free (lg->idle_fds);
  g_free (lg->pattern);
  g_free (lg->scratch);
  g_free (lg->options.host);
  g_free (lg);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GError) error = NULL;
  Loadgen *lg = g_new0 (Loadgen, 1);
  int status = 0;

  lg->epoll_fd = -1;
  lg->server_cpu_from = lg->server_cpu = -1;
  /* host stays NULL unless given (GOption would not free a default). */
  lg->options = (Options) { .connections = 10,
                            .size = 1024, .duration = 3, .warmup = 1 };
  if (!parse_options (&argc, &argv, &lg->options, &error))
    {
      g_printerr ("loadgen: %s\n", error->message);
      loadgen_free (lg);
      return EXIT_SETUP;
    }

  /* active + idle + probe + stdio and a little slack */
  if (!ensure_descriptors ((guint64) lg->options.connections + lg->options.idle + 32,
                           &error))
    {
      g_printerr ("loadgen: %s\n", error->message);
      loadgen_free (lg);
      return EXIT_SETUP;
    }

  lg->address = (struct sockaddr_in) { .sin_family = AF_INET,
                                       .sin_port = htons (lg->options.port),
                                       .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  lg->pattern = g_malloc ((gsize) lg->options.size + PATTERN_SLACK);
  fill_pattern (lg->pattern, (gsize) lg->options.size + PATTERN_SLACK);
  lg->scratch = g_malloc (lg->options.size);
  lg->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);

  if (!open_connections (lg, &error))
    status = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
             || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES)
             ? EXIT_SETUP : EXIT_MISBEHAVED;
  else if (!run_load (lg, &error))
    status = EXIT_MISBEHAVED;

  if (status != 0)
    g_printerr ("loadgen: %s\n", error->message);
  else
    print_results (lg);
  loadgen_free (lg);
  return status;
}
