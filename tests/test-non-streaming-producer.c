/* test-non-streaming-producer.c: BraidNonStreamingProducer, the pull
 * producer of the fakes (Twisted's NonStreamingProducer). */
#include <string.h>

#include <braid-fakes.h>

static void
test_writes_ten_values_then_unregisters (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidNonStreamingProducer) producer =
    braid_non_streaming_producer_new (BRAID_TRANSPORT (transport));
  BraidDeferred *result = braid_non_streaming_producer_get_result (producer);
  gboolean streaming = TRUE;

  braid_transport_register_producer (BRAID_TRANSPORT (transport), BRAID_PRODUCER (producer), FALSE);
  g_assert_true (braid_string_transport_get_producer (transport, &streaming)
                 == BRAID_PRODUCER (producer));
  g_assert_false (streaming);
  for (guint i = 0; i < 9; i++)
    braid_producer_resume_producing (BRAID_PRODUCER (producer));
  braid_assert_no_result (result);
  g_assert_cmpstr (braid_string_transport_peek (transport, NULL), ==, "012345678");
  braid_producer_resume_producing (BRAID_PRODUCER (producer));
  g_assert_cmpstr (braid_string_transport_peek (transport, NULL), ==, "0123456789");
  g_assert_cmpuint (braid_non_streaming_producer_get_counter (producer), ==, 10);
  g_assert_null (braid_string_transport_get_producer (transport, NULL));
  g_assert_null (braid_assert_success_result (result));
  g_assert_false (braid_non_streaming_producer_get_stopped (producer));
}

static void
test_stop_fires_the_result (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidNonStreamingProducer) producer =
    braid_non_streaming_producer_new (BRAID_TRANSPORT (transport));

  braid_producer_resume_producing (BRAID_PRODUCER (producer));
  braid_producer_stop_producing (BRAID_PRODUCER (producer));
  g_assert_true (braid_non_streaming_producer_get_stopped (producer));
  g_assert_null (braid_assert_success_result (braid_non_streaming_producer_get_result (producer)));
  g_assert_cmpstr (braid_string_transport_peek (transport, NULL), ==, "0");
}

static void
test_pause_is_a_bug_in_the_consumer (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidNonStreamingProducer) producer =
    braid_non_streaming_producer_new (BRAID_TRANSPORT (transport));

  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*never paused*");
  braid_producer_pause_producing (BRAID_PRODUCER (producer));
  g_test_assert_expected_messages ();
}

static void
test_resume_after_done_is_a_bug_in_the_consumer (void)
{
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  g_autoptr (BraidNonStreamingProducer) producer =
    braid_non_streaming_producer_new (BRAID_TRANSPORT (transport));

  braid_producer_stop_producing (BRAID_PRODUCER (producer));
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, "*after it was done*");
  braid_producer_resume_producing (BRAID_PRODUCER (producer));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (braid_string_transport_peek (transport, NULL), ==, "");
}

static void
test_the_loopback_pulls_it_to_the_end (void)
{
  g_autoptr (BraidProtocol) server = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidProtocol) client = g_object_new (BRAID_TYPE_PROTOCOL, NULL);
  g_autoptr (BraidLoopback) loopback = braid_loopback_new (server, client);
  BraidTransport *transport = braid_loopback_get_client_transport (loopback);
  g_autoptr (BraidNonStreamingProducer) producer = braid_non_streaming_producer_new (transport);

  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), FALSE);
  braid_loopback_flush (loopback);
  g_assert_cmpuint (braid_non_streaming_producer_get_counter (producer), ==, 10);
  g_assert_null (braid_assert_success_result (braid_non_streaming_producer_get_result (producer)));
  braid_loopback_close (loopback);
  braid_loopback_flush (loopback);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidNonStreamingProducer: a pull producer that writes ten times");

  braid_test_add_func ("/non-streaming-producer/ten-values", test_writes_ten_values_then_unregisters);
  braid_test_add_func ("/non-streaming-producer/stop", test_stop_fires_the_result);
  braid_test_add_func ("/non-streaming-producer/pause-is-a-bug", test_pause_is_a_bug_in_the_consumer);
  braid_test_add_func ("/non-streaming-producer/resume-after-done-is-a-bug",
                       test_resume_after_done_is_a_bug_in_the_consumer);
  braid_test_add_func ("/non-streaming-producer/loopback-pulls", test_the_loopback_pulls_it_to_the_end);

  return g_test_run ();
}
