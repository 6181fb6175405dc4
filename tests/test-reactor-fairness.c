/* test-reactor-fairness.c: Braid's epoll source shares its GMainContext.
 *
 * However busy its sockets are, the reactor is one GLib source among
 * others: a unix signal source (how a server hears SIGTERM), a plain GLib
 * fd watch and an idle source on the same context must still be
 * dispatched while connections keep the reactor saturated.
 *
 * The load is the one that starved SIGTERM in lesson 09's pubsub server: a
 * few connections that are always readable, each read costing real work
 * (there, thousands of broadcast lines; here, a 2 ms sleep). Each test
 * makes the other source ready, then counts the socket callbacks the
 * reactor runs before that source is dispatched: a fair reactor returns to
 * GLib after a few milliseconds of callbacks, so only a round or two of
 * them may pass, not the dozens of rounds one dispatch used to run. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "reactor-test-common.h"

/* How many bytes both sides of each pair bounce before they stop: far more
 * than a fair loop needs to reach the other source. */
#define EXCHANGE_LIMIT (64 * 1024 * 1024)
#define PAIRS 4
#define PING_SIZE 512
/* What one read costs the protocol. */
#define WORK_PER_READ_USEC 2000
/* Socket callbacks allowed between "the other source is ready" and its
 * dispatch: 12 rounds of the PAIRS sockets readable at a time (each pair
 * bounces one ping), 96 ms of work at least -- room for the GLib thread
 * that relays signals to be scheduled on a loaded machine -- where one
 * dispatch of 16 rounds runs 64 and a signal used to wait for two. */
#define MAX_CALLBACKS_BEFORE_DISPATCH (12 * PAIRS)

G_DECLARE_FINAL_TYPE (Bouncer, bouncer, BOUNCER, PROTOCOL, RecProtocol)
struct _Bouncer { RecProtocol parent_instance; };
G_DEFINE_FINAL_TYPE (Bouncer, bouncer, REC_TYPE_PROTOCOL)

static guint64 exchanged;   /* bytes bounced by every connection, in the running test */
static guint64 callbacks;   /* data_received calls, in the running test */

/* Works a while on what came in, then bounces it straight back, until the
 * test has seen enough. */
static void
bouncer_data_received (BraidProtocol *protocol, const guint8 *data, gsize length)
{
  callbacks++;
  g_usleep (WORK_PER_READ_USEC);
  exchanged += length;
  if (exchanged < EXCHANGE_LIMIT)
    braid_transport_write (braid_protocol_get_transport (protocol), data, length);
  else
    braid_transport_lose_connection (braid_protocol_get_transport (protocol));
}

static void
bouncer_class_init (BouncerClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = bouncer_data_received;
}

static void
bouncer_init (Bouncer *self)
{
}

typedef struct
{
  TestEnv env;
  BraidFactory *server;
  RecFactory *client;
} Saturated;

/* Starts PAIRS connections bouncing PING_SIZE bytes back and forth, and
 * waits until they are all busy. */
static void
saturated_start (Saturated *fixture)
{
  static guint8 ping[PING_SIZE];
  guint16 port;

  exchanged = callbacks = 0;
  test_env_init (&fixture->env);
  fixture->server = braid_factory_new (bouncer_get_type ());
  fixture->client = rec_factory_new (bouncer_get_type (), 0);
  memset (ping, 'p', sizeof ping);
  fixture->client->greeting = g_bytes_new_static (ping, sizeof ping);
  port = listen_local (&fixture->env, fixture->server);
  for (guint i = 0; i < PAIRS; i++)
    g_assert_nonnull (braid_reactor_connect_tcp (fixture->env.reactor, "127.0.0.1", port,
                                                 BRAID_CLIENT_FACTORY (fixture->client)));
  WAIT_FOR (&fixture->env, fixture->client->protocols->len == PAIRS
                           && callbacks > 4 * PAIRS);
}

static void
saturated_stop (Saturated *fixture)
{
  for (guint i = 0; i < fixture->client->protocols->len; i++)
    braid_transport_abort_connection (
      braid_protocol_get_transport (g_ptr_array_index (fixture->client->protocols, i)));
  WAIT_FOR (&fixture->env, rec_factory_state (fixture->client, PAIRS - 1)->lost != NULL);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->client);
  test_env_clear (&fixture->env);
}

/* Where the other source found the load: the callbacks run so far (plus
 * one, so that 0 means "not dispatched yet"). */
static gboolean
note_callbacks (gpointer data)
{
  *(guint64 *) data = callbacks + 1;
  return G_SOURCE_REMOVE;
}

static gboolean
note_callbacks_from_fd (int fd, GIOCondition condition, gpointer data)
{
  char byte;

  g_assert_cmpint (read (fd, &byte, 1), ==, 1);
  return note_callbacks (data);
}

/* Waits until @seen is set, and checks that few socket callbacks ran
 * between @ready_at (the callbacks when the source became ready) and its
 * dispatch, and that the load was still going then. */
static void
assert_dispatched_soon (Saturated *fixture, guint64 ready_at, guint64 *seen)
{
  WAIT_FOR (&fixture->env, *seen != 0);
  g_test_message ("%" G_GUINT64_FORMAT " socket callbacks ran before the source",
                  *seen - 1 - ready_at);
  g_assert_cmpuint (*seen - 1 - ready_at, <=, MAX_CALLBACKS_BEFORE_DISPATCH);
  g_assert_cmpuint (exchanged, <, EXCHANGE_LIMIT);
}

static void
test_unix_signal_is_dispatched_under_load (void)
{
  Saturated fixture;
  guint64 at_signal = 0, ready_at;
  GSource *source;

  g_test_summary ("While connections bounce bytes without a pause, a unix signal "
                  "source on the reactor's context is still dispatched (SIGTERM "
                  "must stop a busy server)");
  saturated_start (&fixture);
  source = g_unix_signal_source_new (SIGUSR1);
  g_source_set_callback (source, note_callbacks, &at_signal, NULL);
  g_source_attach (source, fixture.env.context);
  ready_at = callbacks;
  kill (getpid (), SIGUSR1);
  assert_dispatched_soon (&fixture, ready_at, &at_signal);
  g_source_destroy (source);
  g_source_unref (source);
  saturated_stop (&fixture);
}

static void
test_fd_watch_is_dispatched_under_load (void)
{
  Saturated fixture;
  guint64 at_fd = 0, ready_at;
  int pipe_fds[2];
  GSource *source;

  g_test_summary ("While connections bounce bytes without a pause, a plain GLib fd "
                  "watch on the reactor's context still hears its fd");
  saturated_start (&fixture);
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  source = g_unix_fd_source_new (pipe_fds[0], G_IO_IN);
  g_source_set_callback (source, G_SOURCE_FUNC (note_callbacks_from_fd), &at_fd, NULL);
  g_source_attach (source, fixture.env.context);
  ready_at = callbacks;
  g_assert_cmpint (write (pipe_fds[1], "x", 1), ==, 1);
  assert_dispatched_soon (&fixture, ready_at, &at_fd);
  g_source_destroy (source);
  g_source_unref (source);
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  saturated_stop (&fixture);
}

static void
test_idle_is_dispatched_under_load (void)
{
  Saturated fixture;
  guint64 at_idle = 0, ready_at;
  GSource *source;

  g_test_summary ("While connections bounce bytes without a pause, an idle source of "
                  "the same priority on the reactor's context still runs");
  saturated_start (&fixture);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, note_callbacks, &at_idle, NULL);
  ready_at = callbacks;
  g_source_attach (source, fixture.env.context);
  assert_dispatched_soon (&fixture, ready_at, &at_idle);
  g_source_destroy (source);
  g_source_unref (source);
  saturated_stop (&fixture);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/reactor/fairness/unix-signal-under-load",
                       test_unix_signal_is_dispatched_under_load);
  braid_test_add_func ("/reactor/fairness/fd-watch-under-load",
                       test_fd_watch_is_dispatched_under_load);
  braid_test_add_func ("/reactor/fairness/idle-under-load",
                       test_idle_is_dispatched_under_load);

  return g_test_run ();
}
