/* test-factory.c: BraidFactory, which makes one protocol per connection. */
#include "test-protocols.h"

/* Counts start/stop, and refuses connections when asked to. */
#define TEST_TYPE_FACTORY (test_factory_get_type ())
G_DECLARE_FINAL_TYPE (TestFactory, test_factory, TEST, FACTORY, BraidFactory)

struct _TestFactory
{
  BraidFactory parent_instance;
  guint starts;
  guint stops;
  gboolean refuse;
  gboolean skip_set_factory;
};

G_DEFINE_FINAL_TYPE (TestFactory, test_factory, BRAID_TYPE_FACTORY)

static BraidProtocol *
test_factory_build_protocol (BraidFactory *factory, GSocketAddress *addr)
{
  TestFactory *self = TEST_FACTORY (factory);

  if (self->refuse)
    return NULL;
  if (self->skip_set_factory)
    return BRAID_PROTOCOL (recording_protocol_new ("built", NULL));
  return BRAID_FACTORY_CLASS (test_factory_parent_class)->build_protocol (factory, addr);
}

static void
test_factory_start (BraidFactory *factory)
{
  TEST_FACTORY (factory)->starts++;
}

static void
test_factory_stop (BraidFactory *factory)
{
  TEST_FACTORY (factory)->stops++;
}

static void
test_factory_class_init (TestFactoryClass *klass)
{
  BraidFactoryClass *factory_class = BRAID_FACTORY_CLASS (klass);

  factory_class->build_protocol = test_factory_build_protocol;
  factory_class->start_factory = test_factory_start;
  factory_class->stop_factory = test_factory_stop;
}

static void
test_factory_init (TestFactory *self)
{
}

static TestFactory *
test_factory_new (void)
{
  return g_object_new (TEST_TYPE_FACTORY, "protocol-type", RECORDING_TYPE_PROTOCOL, NULL);
}

static void
test_default_build_protocol_sets_the_factory (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);
  g_autoptr (GSocketAddress) peer = g_inet_socket_address_new_from_string ("127.0.0.1", 5000);
  g_autoptr (BraidProtocol) first = braid_factory_build_protocol (factory, peer);
  g_autoptr (BraidProtocol) second = braid_factory_build_protocol (factory, NULL);

  g_assert_true (RECORDING_IS_PROTOCOL (first));
  g_assert_true (first != second);
  g_assert_true (braid_protocol_get_factory (first) == factory);
  g_assert_true (braid_protocol_get_factory (second) == factory);
  g_assert_false (braid_protocol_is_connected (first));
}

static void
test_protocol_type_property (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (HALF_CLOSE_TYPE_PROTOCOL);
  g_autoptr (BraidFactory) bare = g_object_new (BRAID_TYPE_FACTORY, NULL);
  GType type = G_TYPE_INVALID;

  g_assert_cmpuint (braid_factory_get_protocol_type (factory), ==, HALF_CLOSE_TYPE_PROTOCOL);
  g_object_get (factory, "protocol-type", &type, NULL);
  g_assert_cmpuint (type, ==, HALF_CLOSE_TYPE_PROTOCOL);
  g_assert_cmpuint (braid_factory_get_protocol_type (bare), ==, G_TYPE_NONE);
}

static void
test_no_protocol_type_is_a_programming_error (void)
{
  g_autoptr (BraidFactory) bare = g_object_new (BRAID_TYPE_FACTORY, NULL);
  BraidFactory *wrong;

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*has no protocol type*");
  g_assert_null (braid_factory_build_protocol (bare, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*g_type_is_a*");
  wrong = braid_factory_new (G_TYPE_OBJECT);
  g_test_assert_expected_messages ();
  g_assert_null (wrong);
}

static void
test_a_subclass_returning_null_refuses (void)
{
  g_autoptr (TestFactory) factory = test_factory_new ();

  factory->refuse = TRUE;
  g_assert_null (braid_factory_build_protocol (BRAID_FACTORY (factory), NULL));
}

static void
test_build_protocol_fills_in_a_missing_factory (void)
{
  g_autoptr (TestFactory) factory = test_factory_new ();
  g_autoptr (BraidProtocol) protocol = NULL;

  factory->skip_set_factory = TRUE;
  protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  g_assert_true (braid_protocol_get_factory (protocol) == BRAID_FACTORY (factory));
}

static void
test_start_and_stop_once_however_many_users (void)
{
  g_autoptr (TestFactory) factory = test_factory_new ();
  BraidFactory *f = BRAID_FACTORY (factory);

  g_assert_cmpuint (braid_factory_get_num_users (f), ==, 0);
  braid_factory_do_start (f);
  braid_factory_do_start (f);
  braid_factory_do_start (f);
  g_assert_cmpuint (factory->starts, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (f), ==, 3);

  braid_factory_do_stop (f);
  braid_factory_do_stop (f);
  g_assert_cmpuint (factory->stops, ==, 0);
  braid_factory_do_stop (f);
  g_assert_cmpuint (factory->stops, ==, 1);
  g_assert_cmpuint (braid_factory_get_num_users (f), ==, 0);

  /* Stopping an unused factory is a programming error. */
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*num_users > 0*");
  braid_factory_do_stop (f);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (factory->stops, ==, 1);

  /* A factory can be started again after its last user went. */
  braid_factory_do_start (f);
  g_assert_cmpuint (factory->starts, ==, 2);
  braid_factory_do_stop (f);
  g_assert_cmpuint (factory->stops, ==, 2);
}

static void
test_default_start_and_stop_only_count (void)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (RECORDING_TYPE_PROTOCOL);

  braid_factory_do_start (factory);
  g_assert_cmpuint (braid_factory_get_num_users (factory), ==, 1);
  braid_factory_do_stop (factory);
  g_assert_cmpuint (braid_factory_get_num_users (factory), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidFactory: building protocols, refusing connections, "
                  "start/stop counting, the protocol-type property.");

  braid_test_add_func ("/factory/build/default", test_default_build_protocol_sets_the_factory);
  braid_test_add_func ("/factory/build/refuse", test_a_subclass_returning_null_refuses);
  braid_test_add_func ("/factory/build/fills-in-factory", test_build_protocol_fills_in_a_missing_factory);
  braid_test_add_func ("/factory/build/no-protocol-type", test_no_protocol_type_is_a_programming_error);
  braid_test_add_func ("/factory/protocol-type", test_protocol_type_property);
  braid_test_add_func ("/factory/start-stop/counting", test_start_and_stop_once_however_many_users);
  braid_test_add_func ("/factory/start-stop/defaults", test_default_start_and_stop_only_count);

  return g_test_run ();
}
