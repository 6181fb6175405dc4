/* test-helpers.h: what lesson 02's tests and its exercise's check share. */
#pragma once

#include <braid-fakes.h>

/* One client of the server: its protocol and the transport it writes to. */
typedef struct
{
  BraidStringTransport *transport;
  BraidProtocol *protocol;
} Client;

void client_connect (Client *client, gpointer factory);
void client_leave   (Client *client);
void client_clear   (Client *client);
