/* test-transport-strictness.c: the string transport is exactly as strict as
 * the socket transport it stands for.
 *
 * One table of misuses (the ones Twisted's StringTransport refuses with
 * RuntimeError), each run against both transports: each must log the same
 * critical and change nothing. The socket transport is a real connection
 * on 127.0.0.1. */
#include <sys/socket.h>
#include <unistd.h>

#include "reactor-test-common.h"
#include "test-protocols.h"

typedef void (*MisuseFunc) (BraidTransport *transport);

typedef struct
{
  const char *name;
  MisuseFunc prepare;      /* brings the transport to the state of the misuse */
  MisuseFunc misuse;
  const char *critical;    /* the pattern of the critical it must log */
} Misuse;

static void
do_nothing (BraidTransport *transport)
{
}

static void
lose_connection (BraidTransport *transport)
{
  braid_transport_lose_connection (transport);
}

static void
stop_producing (BraidTransport *transport)
{
  braid_producer_stop_producing (BRAID_PRODUCER (transport));
}

static void
register_a_producer (BraidTransport *transport)
{
  g_autoptr (CountingProducer) producer = counting_producer_new ();

  braid_transport_register_producer (transport, BRAID_PRODUCER (producer), TRUE);
}

static void
unregister_producer (BraidTransport *transport)
{
  braid_transport_unregister_producer (transport);
}

static void
pause_producing (BraidTransport *transport)
{
  braid_producer_pause_producing (BRAID_PRODUCER (transport));
}

static void
resume_producing (BraidTransport *transport)
{
  braid_producer_resume_producing (BRAID_PRODUCER (transport));
}

#define NOT_PRODUCING "*the transport is disconnecting or was stopped*"

static const Misuse misuses[] = {
  { "unregister-without-producer", do_nothing, unregister_producer,
    "*braid_transport_unregister_producer: no producer is registered*" },
  { "register-a-second-producer", register_a_producer, register_a_producer,
    "*already registered*" },
  { "pause-after-lose-connection", lose_connection, pause_producing,
    "*braid_producer_pause_producing: " NOT_PRODUCING },
  { "resume-after-lose-connection", lose_connection, resume_producing,
    "*braid_producer_resume_producing: " NOT_PRODUCING },
  { "pause-after-stop-producing", stop_producing, pause_producing,
    "*braid_producer_pause_producing: " NOT_PRODUCING },
  { "resume-after-stop-producing", stop_producing, resume_producing,
    "*braid_producer_resume_producing: " NOT_PRODUCING },
};

static void
expect_refused (const Misuse *misuse, BraidTransport *transport)
{
  misuse->prepare (transport);
  g_test_expect_message ("Braid", G_LOG_LEVEL_CRITICAL, misuse->critical);
  misuse->misuse (transport);
  g_test_assert_expected_messages ();
}

static void
test_string_transport_refuses (gconstpointer data)
{
  const Misuse *misuse = data;
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();

  expect_refused (misuse, BRAID_TRANSPORT (transport));
}

static void
test_socket_transport_refuses (gconstpointer data)
{
  const Misuse *misuse = data;
  TestEnv env;
  g_autoptr (RecFactory) server = rec_factory_new (REC_TYPE_PROTOCOL, 0);
  BraidTransport *transport;
  int fd;

  test_env_init (&env);
  fd = raw_connect (listen_local (&env, BRAID_FACTORY (server)));
  WAIT_FOR (&env, server->protocols->len == 1 && rec_factory_state (server, 0)->made == 1);
  transport = braid_protocol_get_transport (g_ptr_array_index (server->protocols, 0));

  expect_refused (misuse, transport);

  braid_transport_abort_connection (transport);
  WAIT_FOR (&env, rec_factory_state (server, 0)->lost != NULL);
  close (fd);
  test_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (misuses); i++)
    {
      g_autofree char *string_path =
        g_strdup_printf ("/transport-strictness/string/%s", misuses[i].name);
      g_autofree char *socket_path =
        g_strdup_printf ("/transport-strictness/socket/%s", misuses[i].name);

      g_test_add_data_func (string_path, &misuses[i], test_string_transport_refuses);
      g_test_add_data_func (socket_path, &misuses[i], test_socket_transport_refuses);
    }
  return g_test_run ();
}
