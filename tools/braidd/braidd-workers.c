/* braidd-workers.c: `braidd --workers N`.
 *
 * The parent runs no service and accepts no connection. Before it starts
 * any worker it binds every TCP address the services listen on, with
 * SO_REUSEPORT, and keeps those sockets bound but never listening: a port
 * in use is then refused at once, with one line and no worker started; a
 * port 0 is chosen once, so every worker (and every restarted one) gets
 * the same port; and the port stays reserved while a worker restarts.
 *
 * Each worker is braidd itself, run again (exec, not a bare fork: GLib's
 * threads do not survive a fork) with the same arguments and, before
 * them, one hidden `--worker-endpoint` per service: the service's
 * endpoint with `reuseport=1` and the port resolved. Every worker listens
 * on its own socket of the port, and the kernel spreads the connections
 * between them.
 *
 * The parent restarts a worker that dies, after a delay that doubles with
 * each fast failure (a death within BRAIDD_WORKER_FAST_FAILURE_SECONDS of
 * its start) and returns to the first delay after a worker ran longer; after
 * BRAIDD_WORKER_FAST_FAILURE_LIMIT fast failures in a row it gives up:
 * it stops the other workers and exits 1. (Twisted's procmon restarts
 * with the same doubling delay, but never gives up.) SIGTERM or SIGINT is
 * sent on to every worker; the parent waits for all of them, killing any
 * still there after the shutdown timeout and five more seconds, then
 * exits 0. SIGHUP is sent on too, so that every worker reopens its log. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

#include <braid.h>

#include "braidd-workers.h"

/* --- The workers' endpoints ---------------------------------------------- */

/* @value with `\`, `:` and `=` escaped, as endpoint strings want them. */
static void
append_escaped (GString *out, const char *value)
{
  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '\\' || *c == ':' || *c == '=')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *c);
    }
}

/* Binds (never listens) a socket with SO_REUSEPORT on @interface:@port,
 * and returns it with the port it got in @bound_port; -1 on error. */
static int
reserve_port (const char *interface, guint16 port, guint16 *bound_port, GError **error)
{
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string (interface, port);
  struct sockaddr_storage native;
  socklen_t len = sizeof native;
  int fd, on = 1;

  /* The endpoint parser has checked the address already. */
  g_assert (address != NULL);
  if (!g_socket_address_to_native (address, &native, sizeof native, error))
    return -1;
  fd = socket (native.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0
      || bind (fd, (struct sockaddr *) &native, (socklen_t) g_socket_address_get_native_size (address)) != 0
      || getsockname (fd, (struct sockaddr *) &native, &len) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Error binding to address %s:%u: %s", interface, port, g_strerror (saved_errno));
      return -1;
    }
  *bound_port = g_ntohs (native.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &native)->sin6_port
                                                      : ((struct sockaddr_in *) &native)->sin_port);
  return fd;
}

/* The endpoint a worker listens on, for a service whose endpoint is
 * @text (already checked by the endpoint parser): the same, with the port
 * resolved and `reuseport=1`. The socket reserving the port is appended
 * to @reserved_fds. Only TCP endpoints can be shared. */
char *
braidd_worker_endpoint (const char *text, GArray *reserved_fds, GError **error)
{
  g_autoptr (BraidEndpointDescription) description = braid_endpoint_description_parse (text, error);
  g_autoptr (GString) out = NULL;
  const char *port_text, *interface;
  gboolean ipv6;
  guint64 port = 0;
  guint16 bound_port = 0;
  GHashTableIter iter;
  gpointer key, value;
  int fd;

  if (description == NULL)
    return NULL;
  if (!g_str_equal (description->type, "tcp") && !g_str_equal (description->type, "tcp6"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "--workers: endpoint '%s' cannot be shared between worker processes "
                   "(only tcp: and tcp6: can)", text);
      return NULL;
    }
  ipv6 = g_str_equal (description->type, "tcp6");
  port_text = g_hash_table_lookup (description->kwargs, "port");
  if (port_text == NULL)
    port_text = description->args[0];
  if (port_text == NULL || !g_ascii_string_to_unsigned (port_text, 10, 0, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--workers: endpoint '%s' has no port", text);
      return NULL;
    }
  interface = g_hash_table_lookup (description->kwargs, "interface");
  if (interface == NULL)
    interface = ipv6 ? "::" : "0.0.0.0";
  fd = reserve_port (interface, (guint16) port, &bound_port, error);
  if (fd < 0)
    return NULL;
  g_array_append_val (reserved_fds, fd);

  out = g_string_new (description->type);
  g_string_append_printf (out, ":%u:interface=", bound_port);
  append_escaped (out, interface);
  g_hash_table_iter_init (&iter, description->kwargs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_str_equal (key, "port") && !g_str_equal (key, "interface") && !g_str_equal (key, "reuseport"))
      {
        g_string_append_printf (out, ":%s=", (const char *) key);
        append_escaped (out, value);
      }
  g_string_append (out, ":reuseport=1");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* --- The supervisor ------------------------------------------------------- */

typedef struct
{
  BraiddSupervisor *supervisor;
  guint number;               /* 1..N, for the log */
  GPid pid;                   /* 0 when not running */
  gint64 started;             /* monotonic µs */
  guint child_watch;
  guint restart;              /* the pending restart's timeout source */
  guint fast_failures;        /* in a row */
  gdouble delay;              /* before the next restart */
} Worker;

struct _BraiddSupervisor
{
  GStrv argv;
  Worker *workers;
  guint n_workers;
  gdouble stop_timeout;
  GMainLoop *loop;
  gboolean stopping;
  int status;                 /* the parent's exit status */
  guint kill_timer;
  guint signals[2];
};

static void spawn_worker (Worker *worker);

static guint
count_running (BraiddSupervisor *self)
{
  guint running = 0;

  for (guint i = 0; i < self->n_workers; i++)
    running += self->workers[i].pid != 0;
  return running;
}

static void
quit_if_all_gone (BraiddSupervisor *self)
{
  if (self->stopping && count_running (self) == 0)
    g_main_loop_quit (self->loop);
}

static gboolean
kill_stragglers (gpointer data)
{
  BraiddSupervisor *self = data;

  self->kill_timer = 0;
  for (guint i = 0; i < self->n_workers; i++)
    if (self->workers[i].pid != 0)
      {
        g_warning ("Worker %u (pid %d) did not stop in time: killing it",
                   self->workers[i].number, (int) self->workers[i].pid);
        kill (self->workers[i].pid, SIGKILL);
      }
  return G_SOURCE_REMOVE;
}

/* Stops every worker (SIGTERM) and, once all are gone, the loop. */
static void
stop_all (BraiddSupervisor *self, int status)
{
  if (self->stopping)
    return;
  self->stopping = TRUE;
  self->status = status;
  for (guint i = 0; i < self->n_workers; i++)
    {
      Worker *worker = &self->workers[i];

      if (worker->restart != 0)
        g_clear_handle_id (&worker->restart, g_source_remove);
      if (worker->pid != 0)
        kill (worker->pid, SIGTERM);
    }
  self->kill_timer = g_timeout_add ((guint) ((self->stop_timeout + 5) * 1000), kill_stragglers, self);
  quit_if_all_gone (self);
}

static gboolean
on_stop_signal (gpointer data)
{
  BraiddSupervisor *self = data;

  g_message ("Received a termination signal: stopping %u worker(s)", count_running (self));
  stop_all (self, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
restart_worker (gpointer data)
{
  Worker *worker = data;

  worker->restart = 0;
  spawn_worker (worker);
  return G_SOURCE_REMOVE;
}

/* A worker did not run, or died: restart it later, or give up. */
static void
worker_failed (Worker *worker, gdouble lived, const char *what)
{
  BraiddSupervisor *self = worker->supervisor;

  if (lived < BRAIDD_WORKER_FAST_FAILURE_SECONDS)
    worker->fast_failures++;
  else
    {
      worker->fast_failures = 0;
      worker->delay = BRAIDD_WORKER_FIRST_RESTART_DELAY;
    }
  if (worker->fast_failures >= BRAIDD_WORKER_FAST_FAILURE_LIMIT)
    {
      g_warning ("Worker %u %s, %u times in a row within %g s of starting: giving up",
                 worker->number, what, worker->fast_failures, BRAIDD_WORKER_FAST_FAILURE_SECONDS);
      g_printerr ("braidd: worker %u %s, %u times in a row within %g s of starting: giving up\n",
                  worker->number, what, worker->fast_failures, BRAIDD_WORKER_FAST_FAILURE_SECONDS);
      stop_all (self, 1);
      return;
    }
  g_warning ("Worker %u %s after %.1f s; restarting it in %g s",
             worker->number, what, lived, worker->delay);
  worker->restart = g_timeout_add ((guint) (worker->delay * 1000), restart_worker, worker);
  if (worker->fast_failures > 0)
    worker->delay = MIN (worker->delay * 2, BRAIDD_WORKER_MAX_RESTART_DELAY);
}

static char *
describe_status (GPid pid, int wait_status)
{
  if (WIFEXITED (wait_status))
    return g_strdup_printf ("(pid %d) exited with status %d", (int) pid, WEXITSTATUS (wait_status));
  if (WIFSIGNALED (wait_status))
    return g_strdup_printf ("(pid %d) was killed by signal %d (%s)", (int) pid,
                            WTERMSIG (wait_status), g_strsignal (WTERMSIG (wait_status)));
  return g_strdup_printf ("(pid %d) ended with wait status %d", (int) pid, wait_status);
}

static void
on_worker_exit (GPid pid, int wait_status, gpointer data)
{
  Worker *worker = data;
  BraiddSupervisor *self = worker->supervisor;
  gdouble lived = (g_get_monotonic_time () - worker->started) / (gdouble) G_USEC_PER_SEC;
  g_autofree char *what = describe_status (pid, wait_status);

  g_spawn_close_pid (pid);
  worker->pid = 0;
  worker->child_watch = 0;
  if (self->stopping)
    {
      g_message ("Worker %u %s", worker->number, what);
      quit_if_all_gone (self);
      return;
    }
  worker_failed (worker, lived, what);
}

/* In the worker, between fork and exec: it gets SIGTERM if the parent
 * dies (a supervisor killed with SIGKILL leaves no worker behind). */
static void
worker_setup (gpointer data)
{
  pid_t parent = (pid_t) GPOINTER_TO_INT (data);

  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != parent)
    _exit (1);
}

static void
spawn_worker (Worker *worker)
{
  BraiddSupervisor *self = worker->supervisor;
  g_autoptr (GError) error = NULL;

  worker->started = g_get_monotonic_time ();
  if (!g_spawn_async (NULL, self->argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                      worker_setup, GINT_TO_POINTER ((int) getpid ()), &worker->pid, &error))
    {
      g_autofree char *what = g_strdup_printf ("could not start: %s", error->message);

      worker->pid = 0;
      worker_failed (worker, 0, what);
      return;
    }
  g_message ("Worker %u started (pid %d)", worker->number, (int) worker->pid);
  worker->child_watch = g_child_watch_add (worker->pid, on_worker_exit, worker);
}

BraiddSupervisor *
braidd_supervisor_new (const char * const *worker_argv, guint n_workers, gdouble stop_timeout)
{
  BraiddSupervisor *self = g_new0 (BraiddSupervisor, 1);

  self->argv = g_strdupv ((char **) worker_argv);
  self->n_workers = n_workers;
  self->workers = g_new0 (Worker, n_workers);
  self->stop_timeout = stop_timeout;
  self->loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < n_workers; i++)
    {
      self->workers[i].supervisor = self;
      self->workers[i].number = i + 1;
      self->workers[i].delay = BRAIDD_WORKER_FIRST_RESTART_DELAY;
    }
  return self;
}

/* Starts every worker, and listens for SIGTERM and SIGINT. */
void
braidd_supervisor_start (BraiddSupervisor *self)
{
  self->signals[0] = g_unix_signal_add (SIGTERM, on_stop_signal, self);
  self->signals[1] = g_unix_signal_add (SIGINT, on_stop_signal, self);
  for (guint i = 0; i < self->n_workers; i++)
    spawn_worker (&self->workers[i]);
}

/* Runs until every worker is gone; returns the exit status. */
int
braidd_supervisor_run (BraiddSupervisor *self)
{
  g_main_loop_run (self->loop);
  return self->status;
}

/* Sends @signal_number on to every running worker. */
void
braidd_supervisor_forward (BraiddSupervisor *self, int signal_number)
{
  for (guint i = 0; i < self->n_workers; i++)
    if (self->workers[i].pid != 0)
      kill (self->workers[i].pid, signal_number);
}

void
braidd_supervisor_free (BraiddSupervisor *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->signals); i++)
    g_clear_handle_id (&self->signals[i], g_source_remove);
  g_clear_handle_id (&self->kill_timer, g_source_remove);
  for (guint i = 0; i < self->n_workers; i++)
    {
      g_clear_handle_id (&self->workers[i].restart, g_source_remove);
      g_clear_handle_id (&self->workers[i].child_watch, g_source_remove);
    }
  g_main_loop_unref (self->loop);
  g_free (self->workers);
  g_strfreev (self->argv);
  g_free (self);
}
