/* test-helpers.c: what lesson 09's tests (test-pubsub.c) and its exercise's
 * check (check/check-commands.c) share: clients on string transports. */
#include <string.h>

#include "test-helpers.h"

void
client_connect_from (Client *client, PubFactory *factory, const char *address, guint16 port)
{
  g_autoptr (GSocketAddress) peer = g_inet_socket_address_new_from_string (address, port);

  client->transport = braid_string_transport_new ();
  braid_string_transport_set_peer (client->transport, peer);
  client->protocol = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  braid_protocol_make_connection (client->protocol, BRAID_TRANSPORT (client->transport));
}

void
client_connect (Client *client, PubFactory *factory, guint16 port)
{
  client_connect_from (client, factory, "127.0.0.1", port);
}

void
client_say (Client *client, const char *text)
{
  braid_protocol_data_received (client->protocol, (const guint8 *) text, strlen (text));
}

/* What the reactor does when a client goes away: tell its protocol. */
void
client_leave (Client *client, int code)
{
  g_autoptr (GError) reason = g_error_new_literal (BRAID_ERROR, code, "the client went away");

  braid_protocol_connection_lost (client->protocol, reason);
}

void
client_clear (Client *client)
{
  g_clear_object (&client->protocol);
  g_clear_object (&client->transport);
}
