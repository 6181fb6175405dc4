/* test-service.c: BraidService, BraidMultiService, BraidStreamServerService,
 * BraidTimerService and BraidApplication, on the memory reactor and the
 * fake clock. */
#include "test-protocols.h"
#include <glib/gstdio.h>
#include <unistd.h>
#include <braid-fakes.h>

/* A service that writes "start:NAME" / "stop:NAME" to a shared log, and
 * whose stop can be made to wait for a deferred the test fires. */
#define RECORDING_TYPE_SERVICE (recording_service_get_type ())
G_DECLARE_FINAL_TYPE (RecordingService, recording_service, RECORDING, SERVICE, BraidService)

struct _RecordingService
{
  BraidService parent_instance;
  GString *log;                 /* not owned */
  gboolean slow_stop;           /* stop returns a deferred the test fires */
  gboolean fail_stop;           /* stop fails */
  BraidDeferred *pending_stop;
};

G_DEFINE_FINAL_TYPE (RecordingService, recording_service, BRAID_TYPE_SERVICE)

static void
recording_start (BraidService *service)
{
  RecordingService *self = RECORDING_SERVICE (service);

  BRAID_SERVICE_CLASS (recording_service_parent_class)->start_service (service);
  g_string_append_printf (self->log, "start:%s;", braid_service_get_name (service));
}

static BraidDeferred *
recording_stop (BraidService *service)
{
  RecordingService *self = RECORDING_SERVICE (service);

  BRAID_SERVICE_CLASS (recording_service_parent_class)->stop_service (service);
  g_string_append_printf (self->log, "stop:%s;", braid_service_get_name (service));
  if (self->fail_stop)
    return braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "it broke"));
  if (self->slow_stop)
    {
      g_clear_pointer (&self->pending_stop, braid_deferred_unref);
      self->pending_stop = braid_deferred_new ();
      return braid_deferred_ref (self->pending_stop);
    }
  return NULL;
}

static void
recording_finalize (GObject *object)
{
  g_clear_pointer (&RECORDING_SERVICE (object)->pending_stop, braid_deferred_unref);
  G_OBJECT_CLASS (recording_service_parent_class)->finalize (object);
}

static void
recording_service_class_init (RecordingServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = recording_finalize;
  BRAID_SERVICE_CLASS (klass)->start_service = recording_start;
  BRAID_SERVICE_CLASS (klass)->stop_service = recording_stop;
}

static void
recording_service_init (RecordingService *self)
{
}

static RecordingService *
recording_new (const char *name, GString *log)
{
  RecordingService *self = g_object_new (RECORDING_TYPE_SERVICE, "name", name, NULL);

  self->log = log;
  return self;
}

/* Adds a recording service named @name to @parent; the parent owns it. */
static RecordingService *
add_recording (BraidMultiService *parent, const char *name, GString *log)
{
  g_autoptr (RecordingService) child = recording_new (name, log);

  g_assert_true (braid_multi_service_add_service (parent, BRAID_SERVICE (child), NULL));
  return child;
}

static void
test_service_running_flag (void)
{
  g_autoptr (BraidService) service = braid_service_new ("plain");
  g_autoptr (BraidDeferred) stopped = NULL;

  g_assert_cmpstr (braid_service_get_name (service), ==, "plain");
  g_assert_false (braid_service_is_running (service));
  braid_service_start_service (service);
  g_assert_true (braid_service_is_running (service));
  stopped = braid_service_stop_service (service);
  /* A stop with nothing to wait for still hands back a (fired) deferred. */
  g_assert_null (braid_assert_success_result (stopped));
  g_assert_false (braid_service_is_running (service));
  g_assert_false (braid_service_is_stopping (service));
}

static void
test_multi_starts_in_order_stops_in_reverse (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (BraidDeferred) stopped = NULL;

  add_recording (root, "a", log);
  add_recording (root, "b", log);
  add_recording (root, "c", log);
  braid_service_start_service (BRAID_SERVICE (root));
  g_assert_cmpstr (log->str, ==, "start:a;start:b;start:c;");
  g_string_truncate (log, 0);
  stopped = braid_service_stop_service (BRAID_SERVICE (root));
  g_assert_cmpstr (log->str, ==, "stop:c;stop:b;stop:a;");
  g_assert_null (braid_assert_success_result (stopped));
  g_assert_false (braid_service_is_running (BRAID_SERVICE (root)));
}

static void
test_multi_stop_waits_for_every_child (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  RecordingService *a = add_recording (root, "a", log);
  RecordingService *b = add_recording (root, "b", log);
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autoptr (GPtrArray) names = NULL;

  a->slow_stop = b->slow_stop = TRUE;
  braid_service_start_service (BRAID_SERVICE (root));
  stopped = braid_service_stop_service (BRAID_SERVICE (root));
  /* Both stops began at once, in reverse order. */
  g_assert_cmpstr (log->str, ==, "start:a;start:b;stop:b;stop:a;");
  braid_assert_no_result (stopped);
  names = braid_multi_service_list_stopping (root);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "b");

  braid_deferred_callback (b->pending_stop, NULL, NULL);
  braid_assert_no_result (stopped);
  g_assert_false (braid_service_is_stopping (BRAID_SERVICE (b)));
  g_assert_true (braid_service_is_stopping (BRAID_SERVICE (a)));
  braid_deferred_callback (a->pending_stop, NULL, NULL);
  braid_assert_success_result (stopped);
}

static void
test_multi_child_stop_failure_is_logged_others_stop (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (BraidDeferred) stopped = NULL;

  add_recording (root, "a", log);
  RECORDING_SERVICE (add_recording (root, "broken", log))->fail_stop = TRUE;
  add_recording (root, "c", log);
  braid_service_start_service (BRAID_SERVICE (root));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Service 'broken' failed to stop: it broke");
  stopped = braid_service_stop_service (BRAID_SERVICE (root));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (log->str, ==, "start:a;start:broken;start:c;stop:c;stop:broken;stop:a;");
  braid_assert_success_result (stopped);
}

static void
test_multi_names_are_unique (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (RecordingService) twin = recording_new ("a", log);
  g_autoptr (GError) error = NULL;
  RecordingService *a = add_recording (root, "a", log);

  g_assert_false (braid_service_set_parent (BRAID_SERVICE (twin), root, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpstr (error->message, ==, "cannot have two services named 'a'");
  g_assert_null (braid_service_get_parent (BRAID_SERVICE (twin)));
  g_assert_true (braid_multi_service_get_service_named (root, "a") == BRAID_SERVICE (a));
  g_assert_cmpuint (braid_multi_service_get_services (root)->len, ==, 1);
}

static void
test_multi_adding_to_running_starts_removing_stops (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (RecordingService) late = recording_new ("late", log);
  g_autoptr (BraidDeferred) removed = NULL;

  braid_service_start_service (BRAID_SERVICE (root));
  g_assert_true (braid_service_set_parent (BRAID_SERVICE (late), root, NULL));
  g_assert_cmpstr (log->str, ==, "start:late;");
  g_assert_true (braid_service_get_parent (BRAID_SERVICE (late)) == root);
  removed = braid_service_disown_parent (BRAID_SERVICE (late));
  g_assert_cmpstr (log->str, ==, "start:late;stop:late;");
  braid_assert_success_result (removed);
  g_assert_null (braid_service_get_parent (BRAID_SERVICE (late)));
  g_assert_null (braid_multi_service_get_service_named (root, "late"));
}

static void
test_multi_moving_a_service_leaves_the_old_parent (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) first = braid_multi_service_new ("first");
  g_autoptr (BraidMultiService) second = braid_multi_service_new ("second");
  RecordingService *child = add_recording (first, "child", log);

  g_assert_true (braid_service_set_parent (BRAID_SERVICE (child), second, NULL));
  g_assert_cmpuint (braid_multi_service_get_services (first)->len, ==, 0);
  g_assert_true (braid_multi_service_get_service_named (second, "child") == BRAID_SERVICE (child));
}

static void
test_list_stopping_names_nested_paths (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (BraidMultiService) web = braid_multi_service_new ("web");
  RecordingService *files = add_recording (web, "static", log);
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autoptr (GPtrArray) names = NULL;

  g_assert_true (braid_multi_service_add_service (root, BRAID_SERVICE (web), NULL));
  files->slow_stop = TRUE;
  braid_service_start_service (BRAID_SERVICE (root));
  stopped = braid_service_stop_service (BRAID_SERVICE (root));
  names = braid_multi_service_list_stopping (root);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "web/static");
  braid_deferred_callback (files->pending_stop, NULL, NULL);
  braid_assert_success_result (stopped);
}

/* --- Stream server service --------------------------------------------- */

static BraidStreamServerService *
server_service_new (BraidMemoryReactor *reactor, const char *description, BraidFactory *factory)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (description, &error);

  g_assert_no_error (error);
  return braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);
}

static void
test_stream_server_listens_on_start_stops_on_stop (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidStreamServerService) service = server_service_new (reactor, "tcp:8000", factory);
  g_autoptr (BraidDeferred) stopped = NULL;
  BraidTcpServerRecord *record;

  g_assert_null (braid_stream_server_service_get_port (service));
  braid_service_start_service (BRAID_SERVICE (service));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 1);
  record = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_assert_cmpuint (record->port, ==, 8000);
  g_assert_true (record->factory == factory);
  g_assert_true (braid_stream_server_service_get_factory (service) == factory);
  g_assert_true (braid_stream_server_service_get_port (service) == record->listening_port);
  g_assert_true (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));

  stopped = braid_service_stop_service (BRAID_SERVICE (service));
  braid_assert_success_result (stopped);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
  g_assert_null (braid_stream_server_service_get_port (service));
}

static void
test_stream_server_privileged_start_reports_port_in_use (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidStreamServerService) first = server_service_new (reactor, "tcp:8000", factory);
  g_autoptr (BraidStreamServerService) second = server_service_new (reactor, "tcp:8000", factory);
  g_autoptr (GError) error = NULL;

  g_assert_true (braid_service_privileged_start_service (BRAID_SERVICE (first), NULL));
  g_assert_false (braid_service_privileged_start_service (BRAID_SERVICE (second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_null (braid_stream_server_service_get_port (second));
  /* Starting after the privileged start listens only once. */
  braid_service_start_service (BRAID_SERVICE (first));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 1);
}

static void
test_stream_server_start_logs_a_listen_failure (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidStreamServerService) first = server_service_new (reactor, "tcp:8000", factory);
  g_autoptr (BraidStreamServerService) second = server_service_new (reactor, "tcp:8000", factory);

  braid_service_set_name (BRAID_SERVICE (second), "web");
  braid_service_start_service (BRAID_SERVICE (first));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "Service 'web' cannot listen on tcp:8000: *");
  braid_service_start_service (BRAID_SERVICE (second));
  g_test_assert_expected_messages ();
}

static void
test_stream_server_dropped_while_listening_stops_listening (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  BraidStreamServerService *service = server_service_new (reactor, "tcp:8000", factory);
  BraidTcpServerRecord *record;

  braid_service_start_service (BRAID_SERVICE (service));
  record = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_object_unref (service);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
}

/* --- Timer service ----------------------------------------------------- */

typedef struct
{
  BraidClock *clock;
  GString *log;
  guint fail_at;
  guint calls;
} Ticks;

static gboolean
tick (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  Ticks *ticks = user_data;

  ticks->calls++;
  g_string_append_printf (ticks->log, "t=%g;", braid_clock_seconds (ticks->clock));
  if (ticks->calls == ticks->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "tick failed");
      return FALSE;
    }
  return TRUE;
}

static void
test_timer_service_calls_from_start_until_stop (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  Ticks ticks = { BRAID_CLOCK (clock), log, 0, 0 };
  g_autoptr (BraidTimerService) service =
    braid_timer_service_new (BRAID_CLOCK (clock), 2.0, tick, &ticks, NULL);
  g_autoptr (BraidDeferred) stopped = NULL;

  braid_fake_clock_advance (clock, 5);
  g_assert_cmpstr (log->str, ==, "");
  braid_service_start_service (BRAID_SERVICE (service));
  g_assert_cmpstr (log->str, ==, "t=5;");
  braid_fake_clock_advance (clock, 2);
  braid_fake_clock_advance (clock, 2);
  g_assert_cmpstr (log->str, ==, "t=5;t=7;t=9;");
  stopped = braid_service_stop_service (BRAID_SERVICE (service));
  braid_assert_success_result (stopped);
  braid_fake_clock_advance (clock, 10);
  g_assert_cmpstr (log->str, ==, "t=5;t=7;t=9;");
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_timer_service_failure_is_logged (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  Ticks ticks = { BRAID_CLOCK (clock), log, 2, 0 };
  g_autoptr (BraidTimerService) service =
    braid_timer_service_new (BRAID_CLOCK (clock), 1.0, tick, &ticks, NULL);
  g_autoptr (BraidDeferred) stopped = NULL;

  braid_service_set_name (BRAID_SERVICE (service), "reaper");
  braid_service_start_service (BRAID_SERVICE (service));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Timer service 'reaper' stopped calling its function: tick failed");
  braid_fake_clock_advance (clock, 1);
  g_test_assert_expected_messages ();
  braid_fake_clock_advance (clock, 5);
  g_assert_cmpuint (ticks.calls, ==, 2);
  /* Stopping a service whose loop already ended is fine. */
  stopped = braid_service_stop_service (BRAID_SERVICE (service));
  braid_assert_success_result (stopped);
}

/* --- Application: the reactor's life ----------------------------------- */

static void
test_application_follows_the_reactor (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidApplication) app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (GString) log = g_string_new (NULL);
  BraidMultiService *root = braid_application_get_root (app);

  add_recording (root, "first", log);
  add_recording (root, "second", log);
  g_assert_true (braid_application_start (app, NULL));
  g_assert_cmpstr (log->str, ==, "");
  braid_reactor_run (BRAID_REACTOR (reactor));
  g_assert_cmpstr (log->str, ==, "start:first;start:second;");
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_assert_cmpstr (log->str, ==, "start:first;start:second;stop:second;stop:first;");
  g_assert_false (braid_application_is_shutting_down (app));
}

static void
test_application_waits_then_cuts_off_a_slow_stop (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidApplication) app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (GString) log = g_string_new (NULL);
  BraidMultiService *root = braid_application_get_root (app);
  RecordingService *slow;

  add_recording (root, "quick", log);
  slow = add_recording (root, "slow", log);
  slow->slow_stop = TRUE;
  braid_application_set_shutdown_timeout (app, 3.0);
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_assert_true (braid_application_is_shutting_down (app));
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 2.9);
  g_assert_true (braid_application_is_shutting_down (app));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Shutdown: service 'slow' did not stop within 3 s; "
                         "shutting down without waiting for it");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0.1);
  g_test_assert_expected_messages ();
  g_assert_false (braid_application_is_shutting_down (app));
  /* The late stop, when it comes, is harmless. */
  braid_deferred_callback (slow->pending_stop, NULL, NULL);
}

static void
test_application_slow_stop_that_finishes_cancels_the_cutoff (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidApplication) app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (GString) log = g_string_new (NULL);
  RecordingService *slow = add_recording (braid_application_get_root (app), "slow", log);

  slow->slow_stop = TRUE;
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 1);
  braid_deferred_callback (slow->pending_stop, NULL, NULL);
  g_assert_false (braid_application_is_shutting_down (app));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (BRAID_FAKE_CLOCK (reactor)), ==, 0);
}

static void
test_application_start_failure_closes_what_it_opened (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidApplication) app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidStreamServerService) web = server_service_new (reactor, "tcp:8000", factory);
  g_autoptr (BraidStreamServerService) clash = server_service_new (reactor, "tcp:8000", factory);
  g_autoptr (GError) error = NULL;
  BraidTcpServerRecord *record;

  braid_service_set_name (BRAID_SERVICE (clash), "clash");
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app), BRAID_SERVICE (web), NULL));
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app), BRAID_SERVICE (clash), NULL));
  g_assert_false (braid_application_start (app, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_true (g_str_has_prefix (error->message, "service 'clash': "));
  record = braid_memory_reactor_get_tcp_server (reactor, 0);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, 0);
}

static void
test_service_properties_and_rename_rules (void)
{
  g_autoptr (BraidMultiService) parent = braid_multi_service_new ("parent");
  g_autoptr (BraidService) service = braid_service_new ("before");
  g_autofree char *name = NULL;
  gboolean running = TRUE;

  g_object_set (service, "name", "after", NULL);
  g_object_get (service, "name", &name, "running", &running, NULL);
  g_assert_cmpstr (name, ==, "after");
  g_assert_false (running);
  braid_service_set_name (service, "after");     /* the same name: nothing */
  g_assert_true (braid_multi_service_add_service (parent, service, NULL));
  /* Twisted refuses to rename a service that has a parent. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*cannot rename service 'after' while it has a parent*");
  braid_service_set_name (service, "other");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (braid_service_get_name (service), ==, "after");
  /* Adding it again to the same parent changes nothing. */
  g_assert_true (braid_service_set_parent (service, parent, NULL));
  g_assert_cmpuint (braid_multi_service_get_services (parent)->len, ==, 1);
}

static void
test_adding_to_running_parent_fails_if_privileged_start_fails (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string ("tcp:8000", NULL);
  g_autoptr (BraidStreamServerService) first = braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);
  g_autoptr (BraidStreamServerService) second = braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);
  g_autoptr (BraidMultiService) root = braid_multi_service_new ("root");
  g_autoptr (GError) error = NULL;

  braid_service_set_name (BRAID_SERVICE (second), "second");
  braid_service_start_service (BRAID_SERVICE (root));
  g_assert_true (braid_multi_service_add_service (root, BRAID_SERVICE (first), NULL));
  g_assert_false (braid_multi_service_add_service (root, BRAID_SERVICE (second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_null (braid_service_get_parent (BRAID_SERVICE (second)));
  g_assert_false (braid_service_is_running (BRAID_SERVICE (second)));
  g_assert_true (braid_stream_server_service_get_endpoint (first) == endpoint);
  g_clear_object (&root);
}

static gboolean
never_fails_early (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  /* Fails on its second call. */
  if (braid_looping_call_get_call_count (call) < 2)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no");
  return FALSE;
}

static void
test_anonymous_services_are_named_so (void)
{
  g_autoptr (BraidMultiService) root = braid_multi_service_new (NULL);
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidTimerService) timer = braid_timer_service_new (BRAID_CLOCK (clock), 1, never_fails_early, NULL, NULL);

  g_assert_true (braid_multi_service_add_service (root, BRAID_SERVICE (timer), NULL));
  braid_service_start_service (BRAID_SERVICE (root));
  /* Starting twice runs one loop. */
  braid_service_start_service (BRAID_SERVICE (timer));
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 1);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Timer service '(anonymous)' stopped calling its function: no");
  braid_fake_clock_advance (clock, 1);
  g_test_assert_expected_messages ();
}

static void
test_privileged_start_twice_listens_once (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string ("tcp:0", NULL);
  g_autoptr (BraidStreamServerService) service = braid_stream_server_service_new (BRAID_REACTOR (reactor), endpoint, factory);

  g_assert_true (braid_service_privileged_start_service (BRAID_SERVICE (service), NULL));
  g_assert_true (braid_service_privileged_start_service (BRAID_SERVICE (service), NULL));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 1);
}

static gboolean
never_fails (BraidLoopingCall *call, guint64 intervals, gpointer user_data, GError **error)
{
  return TRUE;
}

static void
test_timer_dropped_while_running_stops (void)
{
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  BraidTimerService *service = braid_timer_service_new (BRAID_CLOCK (clock), 1, never_fails, NULL, NULL);

  braid_service_start_service (BRAID_SERVICE (service));
  g_assert_true (braid_looping_call_is_running (braid_timer_service_get_looping_call (service)));
  g_object_unref (service);
  g_assert_cmpuint (braid_fake_clock_get_pending_count (clock), ==, 0);
}

static void
test_application_dropped_before_the_reactor_runs (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidApplication *app = braid_application_new (BRAID_REACTOR (reactor));
  guint started;

  g_assert_true (braid_application_start (app, NULL));
  started = braid_memory_reactor_get_trigger_count (reactor);
  g_object_unref (app);
  /* Its shutdown trigger is gone; its start hook finds it gone. */
  g_assert_cmpuint (braid_memory_reactor_get_trigger_count (reactor), ==, started - 1);
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
}

/* A service whose stop waits for the test to fire it. */
#define WAITING_TYPE_SERVICE (waiting_service_get_type ())
G_DECLARE_FINAL_TYPE (WaitingService, waiting_service, WAITING, SERVICE, BraidService)

struct _WaitingService
{
  BraidService parent_instance;
  BraidDeferred *pending;
};

G_DEFINE_FINAL_TYPE (WaitingService, waiting_service, BRAID_TYPE_SERVICE)

static BraidDeferred *
waiting_stop (BraidService *service)
{
  WaitingService *self = WAITING_SERVICE (service);

  BRAID_SERVICE_CLASS (waiting_service_parent_class)->stop_service (service);
  self->pending = braid_deferred_new ();
  return braid_deferred_ref (self->pending);
}

static void
waiting_finalize (GObject *object)
{
  g_clear_pointer (&WAITING_SERVICE (object)->pending, braid_deferred_unref);
  G_OBJECT_CLASS (waiting_service_parent_class)->finalize (object);
}

static void
waiting_service_class_init (WaitingServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = waiting_finalize;
  BRAID_SERVICE_CLASS (klass)->stop_service = waiting_stop;
}

static void
waiting_service_init (WaitingService *self)
{
}

static void
test_application_cut_off_names_every_service_and_survives_being_dropped (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  BraidApplication *app = braid_application_new (BRAID_REACTOR (reactor));
  g_autoptr (WaitingService) a = g_object_new (WAITING_TYPE_SERVICE, "name", "a", NULL);
  g_autoptr (WaitingService) b = g_object_new (WAITING_TYPE_SERVICE, "name", "b", NULL);

  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app), BRAID_SERVICE (a), NULL));
  g_assert_true (braid_multi_service_add_service (braid_application_get_root (app), BRAID_SERVICE (b), NULL));
  g_assert_true (braid_application_start (app, NULL));
  braid_reactor_run (BRAID_REACTOR (reactor));
  braid_reactor_stop (BRAID_REACTOR (reactor));
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING,
                         "Shutdown: service 'a', 'b' did not stop within 10 s; *");
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 10);
  g_test_assert_expected_messages ();
  /* Dropped before the stops finish: they finish harmlessly. */
  g_object_unref (app);
  braid_deferred_callback (a->pending, NULL, NULL);
  braid_deferred_callback (b->pending, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Services: start, stop, trees of services, servers, timers, the application's shutdown");

  braid_test_add_func ("/service/running-flag", test_service_running_flag);
  braid_test_add_func ("/multi-service/order", test_multi_starts_in_order_stops_in_reverse);
  braid_test_add_func ("/multi-service/waits-for-every-child", test_multi_stop_waits_for_every_child);
  braid_test_add_func ("/multi-service/stop-failure-logged", test_multi_child_stop_failure_is_logged_others_stop);
  braid_test_add_func ("/multi-service/unique-names", test_multi_names_are_unique);
  braid_test_add_func ("/multi-service/add-remove-while-running", test_multi_adding_to_running_starts_removing_stops);
  braid_test_add_func ("/multi-service/move", test_multi_moving_a_service_leaves_the_old_parent);
  braid_test_add_func ("/multi-service/list-stopping", test_list_stopping_names_nested_paths);
  braid_test_add_func ("/stream-server-service/listen-and-stop", test_stream_server_listens_on_start_stops_on_stop);
  braid_test_add_func ("/stream-server-service/port-in-use", test_stream_server_privileged_start_reports_port_in_use);
  braid_test_add_func ("/stream-server-service/start-logs-failure", test_stream_server_start_logs_a_listen_failure);
  braid_test_add_func ("/stream-server-service/dropped-while-listening", test_stream_server_dropped_while_listening_stops_listening);
  braid_test_add_func ("/timer-service/start-until-stop", test_timer_service_calls_from_start_until_stop);
  braid_test_add_func ("/timer-service/failure-logged", test_timer_service_failure_is_logged);
  braid_test_add_func ("/application/follows-the-reactor", test_application_follows_the_reactor);
  braid_test_add_func ("/application/slow-stop-cut-off", test_application_waits_then_cuts_off_a_slow_stop);
  braid_test_add_func ("/application/slow-stop-finishes", test_application_slow_stop_that_finishes_cancels_the_cutoff);
  braid_test_add_func ("/application/start-failure-closes", test_application_start_failure_closes_what_it_opened);

  braid_test_add_func ("/service/service-properties", test_service_properties_and_rename_rules);
  braid_test_add_func ("/service/add-to-running-fails", test_adding_to_running_parent_fails_if_privileged_start_fails);
  braid_test_add_func ("/service/anonymous", test_anonymous_services_are_named_so);
  braid_test_add_func ("/service/privileged-twice", test_privileged_start_twice_listens_once);
  braid_test_add_func ("/service/cut-off-names-all", test_application_cut_off_names_every_service_and_survives_being_dropped);
  braid_test_add_func ("/service/timer-dropped-while-running", test_timer_dropped_while_running_stops);
  braid_test_add_func ("/service/application-dropped-before-run", test_application_dropped_before_the_reactor_runs);

  return g_test_run ();
}
