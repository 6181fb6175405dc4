/* test-write-limit-tcp.c: the socket transport's write buffer limit, over
 * 127.0.0.1 (the fakes' side is in test-write-limit.c). */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"

#define GREETING_SIZE (32 * 1024 * 1024)

static void
test_peer_that_never_reads_is_aborted (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  RecState *state;
  int fd;

  g_test_summary ("A server that keeps writing to a peer that never reads, once more than "
                  "the default write buffer limit waits, aborts that connection with "
                  "BRAID_ERROR_PEER_NOT_READING, logged with the peer, and drops the bytes");
  test_env_init (&env);
  server->greeting = g_bytes_new_take (g_malloc0 (GREETING_SIZE), GREETING_SIZE);
  fd = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1);
  /* One large write is taken, whatever its size... */
  g_assert_null (rec_factory_state (server, 0)->lost);
  g_test_expect_message ("Braid", G_LOG_LEVEL_MESSAGE,
                         "Closing the connection to 127.0.0.1:*: peer is not reading: * bytes buffered*");
  /* ...but not the next one, while most of it still waits. */
  braid_transport_write_string (braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0)),
                                "more");
  g_test_assert_expected_messages ();
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);

  state = rec_factory_state (server, 0);
  g_assert_error (state->lost, BRAID_ERROR, BRAID_ERROR_PEER_NOT_READING);
  g_assert_true (g_str_has_prefix (state->lost->message, "peer is not reading: "));
  g_assert_true (g_str_has_suffix (state->lost->message, " bytes buffered"));
  close (fd);
  test_env_clear (&env);
}

static void
test_limit_can_be_lifted (void)
{
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  g_autofree char *sink = g_malloc (1024 * 1024);
  BraidTransport *transport;
  gsize received = 0;
  int fd;

  g_test_summary ("With the limit set to 0, the socket transport buffers all it is given "
                  "(Twisted's behaviour), and a slow peer gets every byte");
  test_env_init (&env);
  fd = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1);
  transport = braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0));
  braid_transport_set_write_buffer_limit (transport, 0);
  {
    g_autofree guint8 *big = g_malloc0 (GREETING_SIZE);

    braid_transport_write (transport, big, GREETING_SIZE / 2);
    braid_transport_write (transport, big, GREETING_SIZE / 2);
  }
  g_assert_false (braid_transport_is_disconnecting (transport));
  braid_transport_lose_connection (transport);
  while (received < GREETING_SIZE)
    {
      ssize_t n = recv (fd, sink, 1024 * 1024, MSG_DONTWAIT);

      if (n > 0)
        received += n;
      else
        {
          g_assert_true (n < 0 && errno == EAGAIN);
          g_main_context_iteration (env.context, TRUE);
        }
    }
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  g_assert_true (braid_error_is_clean_close (rec_factory_state (server, 0)->lost));
  close (fd);
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  braid_test_add_func ("/write-limit/tcp/peer-that-never-reads-is-aborted",
                       test_peer_that_never_reads_is_aborted);
  braid_test_add_func ("/write-limit/tcp/limit-can-be-lifted", test_limit_can_be_lifted);

  return g_test_run ();
}
