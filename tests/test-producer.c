/* test-producer.c: BraidProducer's interface functions, with producers
 * that leave some of their vfuncs out. */
#include <braid-fakes.h>

/* PauseOnlyProducer implements pause_producing only; StopOnlyProducer
 * implements stop_producing only. Both log what they were asked to do. */

#define TEST_TYPE_PAUSE_ONLY_PRODUCER (test_pause_only_producer_get_type ())
G_DECLARE_FINAL_TYPE (TestPauseOnlyProducer, test_pause_only_producer, TEST, PAUSE_ONLY_PRODUCER, GObject)

struct _TestPauseOnlyProducer
{
  GObject parent_instance;
  GString *log;
};

static void
pause_only_pause (BraidProducer *producer)
{
  g_string_append (TEST_PAUSE_ONLY_PRODUCER (producer)->log, "pause;");
}

static void
pause_only_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = pause_only_pause;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestPauseOnlyProducer, test_pause_only_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, pause_only_iface_init))

static void
test_pause_only_producer_finalize (GObject *object)
{
  g_string_free (TEST_PAUSE_ONLY_PRODUCER (object)->log, TRUE);
  G_OBJECT_CLASS (test_pause_only_producer_parent_class)->finalize (object);
}

static void
test_pause_only_producer_class_init (TestPauseOnlyProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_pause_only_producer_finalize;
}

static void
test_pause_only_producer_init (TestPauseOnlyProducer *self)
{
  self->log = g_string_new (NULL);
}

#define TEST_TYPE_STOP_ONLY_PRODUCER (test_stop_only_producer_get_type ())
G_DECLARE_FINAL_TYPE (TestStopOnlyProducer, test_stop_only_producer, TEST, STOP_ONLY_PRODUCER, GObject)

struct _TestStopOnlyProducer
{
  GObject parent_instance;
  GString *log;
};

static void
stop_only_stop (BraidProducer *producer)
{
  g_string_append (TEST_STOP_ONLY_PRODUCER (producer)->log, "stop;");
}

static void
stop_only_iface_init (BraidProducerInterface *iface)
{
  iface->stop_producing = stop_only_stop;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestStopOnlyProducer, test_stop_only_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, stop_only_iface_init))

static void
test_stop_only_producer_finalize (GObject *object)
{
  g_string_free (TEST_STOP_ONLY_PRODUCER (object)->log, TRUE);
  G_OBJECT_CLASS (test_stop_only_producer_parent_class)->finalize (object);
}

static void
test_stop_only_producer_class_init (TestStopOnlyProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_stop_only_producer_finalize;
}

static void
test_stop_only_producer_init (TestStopOnlyProducer *self)
{
  self->log = g_string_new (NULL);
}

static void
test_producer_missing_vfuncs_do_nothing (void)
{
  g_autoptr (TestPauseOnlyProducer) pauser = g_object_new (TEST_TYPE_PAUSE_ONLY_PRODUCER, NULL);
  g_autoptr (TestStopOnlyProducer) stopper = g_object_new (TEST_TYPE_STOP_ONLY_PRODUCER, NULL);

  braid_producer_pause_producing (BRAID_PRODUCER (pauser));
  braid_producer_resume_producing (BRAID_PRODUCER (pauser));
  braid_producer_stop_producing (BRAID_PRODUCER (pauser));
  g_assert_cmpstr (pauser->log->str, ==, "pause;");

  braid_producer_pause_producing (BRAID_PRODUCER (stopper));
  braid_producer_resume_producing (BRAID_PRODUCER (stopper));
  braid_producer_stop_producing (BRAID_PRODUCER (stopper));
  g_assert_cmpstr (stopper->log->str, ==, "stop;");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Producers that implement only some of their vfuncs");

  braid_test_add_func ("/producer/missing-vfuncs", test_producer_missing_vfuncs_do_nothing);

  return g_test_run ();
}
