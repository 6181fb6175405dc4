/* test-helpers.c: what lesson 11's tests (test-applications.c) and its
 * exercise's check (check/check-motd.c) share. */
#include "test-helpers.h"

BraidService *
plugin_start (const BraiddPlugin *plugin, BraidMemoryReactor *reactor,
              const char *endpoint_text, GHashTable *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = braid_server_endpoint_new_for_string (endpoint_text, &error);
  BraidService *service;

  g_assert_no_error (error);
  service = plugin->make_service (BRAID_REACTOR (reactor), endpoint, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (service);
  braid_service_start_service (service);
  return service;
}

BraidTcpServerRecord *
find_server (BraidMemoryReactor *reactor, guint16 port)
{
  GPtrArray *servers = braid_memory_reactor_get_tcp_servers (reactor);

  for (guint i = 0; i < servers->len; i++)
    {
      BraidTcpServerRecord *record = braid_memory_reactor_get_tcp_server (reactor, i);

      if (record->port == port)
        return record;
    }
  return NULL;
}

void
client_connect (Client *client, BraidMemoryReactor *reactor, guint16 port)
{
  BraidTcpServerRecord *record = find_server (reactor, port);

  g_assert_nonnull (record);
  g_assert_true (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
  client->server = braid_factory_build_protocol (record->factory, NULL);
  client->client = recording_protocol_new (NULL);
  client->loopback = braid_loopback_new (client->server, BRAID_PROTOCOL (client->client));
  braid_loopback_flush (client->loopback);
}

void
client_say (Client *client, const char *text)
{
  recording_protocol_say (client->client, text);
  braid_loopback_flush (client->loopback);
}

char *
client_heard (Client *client)
{
  char *heard;

  if (braid_loopback_is_open (client->loopback))
    braid_loopback_flush (client->loopback);
  heard = g_strdup (recording_protocol_get_received (client->client));
  recording_protocol_clear (client->client);
  return heard != NULL ? heard : g_strdup ("");
}

void
client_clear (Client *client)
{
  if (braid_loopback_is_open (client->loopback))
    braid_loopback_close (client->loopback);
  g_clear_object (&client->loopback);
  g_clear_object (&client->server);
  g_clear_object (&client->client);
}
