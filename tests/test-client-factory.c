/* test-client-factory.c: BraidClientFactory, told how connecting went. */
#include "test-protocols.h"

/* Records each event; reconnects once when a connection is lost. */
#define TEST_TYPE_CLIENT_FACTORY (test_client_factory_get_type ())
G_DECLARE_FINAL_TYPE (TestClientFactory, test_client_factory, TEST, CLIENT_FACTORY, BraidClientFactory)

struct _TestClientFactory
{
  BraidClientFactory parent_instance;
  GString *log;
  GError *last_reason;
};

G_DEFINE_FINAL_TYPE (TestClientFactory, test_client_factory, BRAID_TYPE_CLIENT_FACTORY)

static void
record_reason (TestClientFactory *self, const GError *reason)
{
  g_clear_error (&self->last_reason);
  self->last_reason = g_error_copy (reason);
}

static void
started (BraidClientFactory *factory, BraidConnector *connector)
{
  g_string_append (TEST_CLIENT_FACTORY (factory)->log, "started;");
}

static void
failed (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  g_string_append (TEST_CLIENT_FACTORY (factory)->log, "failed;");
  record_reason (TEST_CLIENT_FACTORY (factory), reason);
}

static void
lost (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  g_string_append (TEST_CLIENT_FACTORY (factory)->log, "lost;");
  record_reason (TEST_CLIENT_FACTORY (factory), reason);
  braid_connector_connect (connector);
}

static void
test_client_factory_finalize (GObject *object)
{
  TestClientFactory *self = TEST_CLIENT_FACTORY (object);

  g_string_free (self->log, TRUE);
  g_clear_error (&self->last_reason);
  G_OBJECT_CLASS (test_client_factory_parent_class)->finalize (object);
}

static void
test_client_factory_class_init (TestClientFactoryClass *klass)
{
  BraidClientFactoryClass *client_class = BRAID_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_client_factory_finalize;
  client_class->started_connecting = started;
  client_class->client_connection_failed = failed;
  client_class->client_connection_lost = lost;
}

static void
test_client_factory_init (TestClientFactory *self)
{
  self->log = g_string_new (NULL);
}

static BraidConnector *
fake_connector (BraidMemoryReactor *reactor, BraidClientFactory *factory)
{
  return braid_reactor_connect_tcp (BRAID_REACTOR (reactor), "127.0.0.1", 8000, factory);
}

static void
test_is_a_factory_that_builds_protocols (void)
{
  g_autoptr (BraidClientFactory) factory = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (BraidProtocol) protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);

  g_assert_true (BRAID_IS_FACTORY (factory));
  g_assert_true (RECORDING_IS_PROTOCOL (protocol));
  g_assert_true (braid_protocol_get_factory (protocol) == BRAID_FACTORY (factory));
}

static void
test_default_events_do_nothing (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidClientFactory) factory = braid_client_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");
  BraidConnector *connector = fake_connector (reactor, factory);

  braid_client_factory_started_connecting (factory, connector);
  braid_client_factory_client_connection_failed (factory, connector, refused);
  braid_client_factory_client_connection_lost (factory, connector, refused);
  /* Nothing reconnects by default. */
  g_assert_cmpuint (braid_fake_connector_get_connect_count (BRAID_FAKE_CONNECTOR (connector)), ==, 0);
}

static void
test_events_reach_the_subclass (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (TestClientFactory) factory =
    g_object_new (TEST_TYPE_CLIENT_FACTORY, "protocol-type", RECORDING_TYPE_PROTOCOL, NULL);
  BraidClientFactory *client = BRAID_CLIENT_FACTORY (factory);
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");
  g_autoptr (GError) reset = g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST, "reset");
  BraidConnector *connector = fake_connector (reactor, client);

  /* The memory reactor already said "started" once. */
  g_assert_cmpstr (factory->log->str, ==, "started;");
  braid_client_factory_client_connection_failed (client, connector, refused);
  g_assert_error (factory->last_reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  braid_client_factory_client_connection_lost (client, connector, reset);
  g_assert_error (factory->last_reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST);
  g_assert_cmpstr (factory->log->str, ==, "started;failed;lost;");
  g_assert_cmpuint (braid_fake_connector_get_connect_count (BRAID_FAKE_CONNECTOR (connector)), ==, 1);
}

static void
test_reasons_are_required (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (TestClientFactory) factory =
    g_object_new (TEST_TYPE_CLIENT_FACTORY, "protocol-type", RECORDING_TYPE_PROTOCOL, NULL);
  BraidClientFactory *client = BRAID_CLIENT_FACTORY (factory);
  BraidConnector *connector = fake_connector (reactor, client);
  BraidClientFactory *wrong;

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*reason != NULL*");
  braid_client_factory_client_connection_failed (client, connector, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*reason != NULL*");
  braid_client_factory_client_connection_lost (client, connector, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (factory->log->str, ==, "started;");

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*g_type_is_a*");
  wrong = braid_client_factory_new (G_TYPE_STRING);
  g_test_assert_expected_messages ();
  g_assert_null (wrong);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidClientFactory: a factory told when connecting starts, fails, "
                  "or an established connection is lost.");

  braid_test_add_func ("/client-factory/builds-protocols", test_is_a_factory_that_builds_protocols);
  braid_test_add_func ("/client-factory/defaults", test_default_events_do_nothing);
  braid_test_add_func ("/client-factory/events", test_events_reach_the_subclass);
  braid_test_add_func ("/client-factory/reasons-required", test_reasons_are_required);

  return g_test_run ();
}
