/* test-helpers.h: what lesson 11's tests and its exercise's check share:
 * starting a plugin's service on the memory reactor, and clients of it. */
#pragma once

#include <braid-fakes.h>

#include "braidd-plugin.h"
#include "recording-protocol.h"

/* What braidd does with a plugin, on the memory reactor: parses
 * @endpoint_text, calls make_service with @options, starts the service.
 * Returns the service (it is running). */
BraidService *plugin_start (const BraiddPlugin *plugin, BraidMemoryReactor *reactor,
                            const char *endpoint_text, GHashTable *options);

/* A client at the other end of a loopback, connected to the factory that
 * listens on @port of @reactor (it records what it hears). */
typedef struct
{
  BraidProtocol *server;
  RecordingProtocol *client;
  BraidLoopback *loopback;
} Client;

void  client_connect (Client *client, BraidMemoryReactor *reactor, guint16 port);
void  client_say     (Client *client, const char *text);
/* What @client heard since the last call; the text is then forgotten. */
char *client_heard   (Client *client);
void  client_clear   (Client *client);

/* The memory reactor's listening record for @port, or NULL. */
BraidTcpServerRecord *find_server (BraidMemoryReactor *reactor, guint16 port);
