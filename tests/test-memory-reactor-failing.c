/* test-memory-reactor-failing.c: BraidMemoryReactor failing listen and
 * connect on demand (Twisted's RaisingMemoryReactor). */
#include <string.h>

#include <braid-fakes.h>

G_DECLARE_FINAL_TYPE (FailureRecorder, failure_recorder, TEST, FAILURE_RECORDER, BraidClientFactory)
struct _FailureRecorder
{
  BraidClientFactory parent_instance;
  guint failures;
  GError *last_reason;
  BraidConnector *last_connector;   /* not owned: compared only */
};
G_DEFINE_FINAL_TYPE (FailureRecorder, failure_recorder, BRAID_TYPE_CLIENT_FACTORY)

static void
failure_recorder_failed (BraidClientFactory *factory, BraidConnector *connector,
                         const GError *reason)
{
  FailureRecorder *self = TEST_FAILURE_RECORDER (factory);

  self->failures++;
  g_clear_error (&self->last_reason);
  self->last_reason = g_error_copy (reason);
  self->last_connector = connector;
}

static void
failure_recorder_finalize (GObject *object)
{
  g_clear_error (&TEST_FAILURE_RECORDER (object)->last_reason);
  G_OBJECT_CLASS (failure_recorder_parent_class)->finalize (object);
}

static void
failure_recorder_class_init (FailureRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = failure_recorder_finalize;
  BRAID_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = failure_recorder_failed;
}

static void
failure_recorder_init (FailureRecorder *self)
{
}

static void
test_listen_fails_when_asked (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidFactory) factory = braid_factory_new (BRAID_TYPE_PROTOCOL);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                    "no ports for you");
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) unix_error = NULL;
  BraidListeningPort *port;

  braid_memory_reactor_set_listen_error (reactor, refused);
  port = braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8080, factory, NULL, &error);
  g_assert_null (port);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "no ports for you");
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 0);
  g_assert_null (braid_reactor_listen_unix (BRAID_REACTOR (reactor), "/tmp/nowhere", factory,
                                            &unix_error));
  g_assert_error (unix_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  /* Cleared: listening works again. */
  braid_memory_reactor_set_listen_error (reactor, NULL);
  g_clear_error (&error);
  g_assert_nonnull (braid_reactor_listen_tcp (BRAID_REACTOR (reactor), 8080, factory, NULL,
                                              &error));
  g_assert_no_error (error);
}

static void
test_connect_fails_at_the_next_step (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (FailureRecorder) factory = g_object_new (failure_recorder_get_type (),
                                                      "protocol-type", BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                    "refused on demand");
  BraidConnector *connector;

  braid_memory_reactor_set_connect_error (reactor, refused);
  connector = braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "127.0.0.1", 80,
                                         BRAID_CLIENT_FACTORY (factory));
  g_assert_nonnull (connector);
  g_assert_cmpuint (braid_memory_reactor_get_tcp_clients (reactor)->len, ==, 1);
  /* Never from inside connect_tcp: at the clock's next step. */
  g_assert_cmpuint (factory->failures, ==, 0);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpuint (factory->failures, ==, 1);
  g_assert_true (factory->last_connector == connector);
  g_assert_error (factory->last_reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (factory->last_reason->message, ==, "refused on demand");

  /* Cleared: the next attempt does not fail. */
  braid_memory_reactor_set_connect_error (reactor, NULL);
  braid_reactor_connect_unix (BRAID_REACTOR (reactor), "/tmp/nowhere",
                              BRAID_CLIENT_FACTORY (factory), 30);
  braid_fake_clock_advance (BRAID_FAKE_CLOCK (reactor), 0);
  g_assert_cmpuint (factory->failures, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidMemoryReactor failing listen and connect on demand");

  braid_test_add_func ("/memory-reactor-failing/listen", test_listen_fails_when_asked);
  braid_test_add_func ("/memory-reactor-failing/connect", test_connect_fails_at_the_next_step);

  return g_test_run ();
}
