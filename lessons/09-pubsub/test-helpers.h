/* test-helpers.h: what lesson 09's tests and its exercise's check share. */
#pragma once

#include <braid-fakes.h>

#include "pubsub.h"

/* One client of the server: its protocol and the transport it writes to,
 * which pretends the client is at @address:@port. */
typedef struct
{
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Client;

void client_connect_from (Client *client, PubFactory *factory, const char *address,
                          guint16 port);
void client_connect      (Client *client, PubFactory *factory, guint16 port);
void client_say          (Client *client, const char *text);
void client_leave        (Client *client, int code);
void client_clear        (Client *client);
