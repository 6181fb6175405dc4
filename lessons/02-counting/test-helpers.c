/* test-helpers.c: what lesson 02's tests (test-counting.c) and its
 * exercise's check (check/check-limited.c) share. */
#include "test-helpers.h"

/* @factory: any BraidFactory (the counting one, the limited one). */
void
client_connect (Client *client, gpointer factory)
{
  client->transport = braid_string_transport_new ();
  client->protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  braid_protocol_make_connection (client->protocol, BRAID_TRANSPORT (client->transport));
}

/* What the reactor does when a client goes away: tell its protocol. */
void
client_leave (Client *client)
{
  braid_test_lose_connection (client->protocol, TRUE);
}

void
client_clear (Client *client)
{
  g_clear_object (&client->protocol);
  g_clear_object (&client->transport);
}
